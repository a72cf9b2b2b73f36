/* labels/media.c: media words from the configuration, addresses, output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labels/labels.h"

void
labels_media_default_label(struct label_media *m)
{
	memset(m, 0, sizeof(*m));
	m->size = LABELS_4X6;
	m->dpi = 203;
}

void
labels_media_default_slip(struct label_media *m)
{
	memset(m, 0, sizeof(*m));
	m->size = LABELS_LETTER;
	m->dpi = 300;
}

int
labels_parse_label_size(const char *w, enum labels_size *out)
{
	if (w == NULL)
		return -1;
	if (strcasecmp(w, "4x6") == 0)
		*out = LABELS_4X6;
	else if (strcasecmp(w, "4x4") == 0)
		*out = LABELS_4X4;
	else if (strcasecmp(w, "a6") == 0)
		*out = LABELS_A6;
	else
		return -1;
	return 0;
}

int
labels_parse_slip_size(const char *w, enum labels_size *out)
{
	if (w == NULL)
		return -1;
	if (strcasecmp(w, "letter") == 0)
		*out = LABELS_LETTER;
	else if (strcasecmp(w, "a4") == 0)
		*out = LABELS_A4;
	else
		return -1;
	return 0;
}

int
labels_parse_dpi(const char *w, int *out)
{
	if (w == NULL)
		return -1;
	if (strcmp(w, "203") == 0)
		*out = 203;
	else if (strcmp(w, "300") == 0)
		*out = 300;
	else
		return -1;
	return 0;
}

void
labels_address_from_src(struct labels_address *o, const struct labels_address_src *a)
{
	memset(o, 0, sizeof(*o));
	if (a == NULL)
		return;
	o->name = a->name;
	o->company = a->company;
	o->address1 = a->address1;
	o->address2 = a->address2;
	o->city = a->city;
	/* Carriers sort on the short code (MA, ON); the full name is a fallback. */
	o->province = a->province_code ? a->province_code : a->province;
	o->zip = a->zip;
	o->country = a->country ? a->country : a->country_code;
	o->phone = a->phone;
}

void
labels_out_free(struct labels_out *o)
{
	size_t i;

	if (o == NULL)
		return;
	free(o->pdf);
	for (i = 0; i < o->nevents; i++)
		free(o->events[i]);
	free(o->events);
	memset(o, 0, sizeof(*o));
}

int
labels_out_write(const struct labels_out *o, const char *path, char *err, size_t errlen)
{
	char *tmp;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < o->len) {
		if ((n = write(fd, o->pdf + off, o->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
