/*
 * spool/out: atomic files (temp file, fsync, rename, fsync the folder),
 * written strictly in fulfillment order; a write that fails (disk full)
 * raises an alert and is retried, oldest first, until it succeeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outbox.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"

#define OUTBOX_RETRY_MS 2000

/* One daemon per process: the outbox's alert and retry timer. */
static struct {
	char alert[512]; /* "" when spool/out is being written */
	int64_t timer;	 /* 0: not armed */
} oq;

int
outbox_write_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[4096], dst[4096];
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd, dfd, saved;

	/* a cut path would write some other file: refuse it instead */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

void
outbox_name(int64_t fid, const char *order_name, char *out, size_t outlen)
{
	char clean[64];
	size_t i, j = 0;

	/* Order names are the shop's: keep only what is safe in a file name. */
	for (i = 0; order_name && order_name[i] && j < sizeof(clean) - 1; i++) {
		char c = order_name[i];

		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '-' || c == '_')
			clean[j++] = c;
	}
	clean[j] = '\0';
	snprintf(out, outlen, "fulfillment-%06lld%s%s.json", (long long)fid, j ? "-" : "", clean);
}

static void retry(void *);

/* Writes one fulfillment's document; 0, or -1 with errno's reason in why. */
static int
write_one(struct daemon *d, int64_t fid, char *why, size_t whylen)
{
	char oname[256], name[128], dir[4096];
	char *doc = store_fulfillment_doc(d->store, fid, oname, sizeof(oname));
	int r = -1;

	if (doc == NULL) {
		snprintf(why, whylen, "fulfillment %lld: cannot read its document: %s",
		    (long long)fid, store_errmsg(d->store));
		return -1;
	}
	outbox_name(fid, oname, name, sizeof(name));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/out", d->conf->spool) >= sizeof(dir))
		snprintf(why, whylen, "path too long: %s", d->conf->spool);
	else if (outbox_write_atomic(dir, name, doc) == -1)
		snprintf(why, whylen, "cannot write %s: %s", name, strerror(errno));
	else if (store_mark_outbox(d->store, fid, name) == -1)
		snprintf(why, whylen, "fulfillment %lld: written but not marked: %s",
		    (long long)fid, store_errmsg(d->store));
	else
		r = 0;
	free(doc);
	return r;
}

static void
raise_alert(struct daemon *d, const char *why, size_t left)
{
	char msg[sizeof(oq.alert)];

	snprintf(msg, sizeof(msg), "%s; %zu document%s kept, retried in order", why, left,
	    left == 1 ? "" : "s");
	if (oq.alert[0] == '\0' || strcmp(oq.alert, msg) != 0) {
		log_warnx("spool/out: %s", msg);
		if (oq.alert[0] == '\0') {
			char ev[sizeof(msg) + 16];

			snprintf(ev, sizeof(ev), "spool/out: %s", msg);
			store_add_event(d->store, NULL, 0, NULL, "alert", NULL, ev, 1);
		}
	}
	snprintf(oq.alert, sizeof(oq.alert), "%s", msg);
	if (oq.timer == 0 && d->loop != NULL)
		oq.timer = loop_add_timer(d->loop, OUTBOX_RETRY_MS, retry, d);
}

int
outbox_flush(struct daemon *d)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	char why[400];

	if (store_pending_outbox(d->store, &ids, &n) == -1) {
		raise_alert(d, "cannot list pending documents", 0);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (write_one(d, ids[i], why, sizeof(why)) == -1) {
			/* later ones wait: an uploader must see them in order */
			raise_alert(d, why, n - i);
			free(ids);
			return -1;
		}
	free(ids);
	if (oq.alert[0] != '\0') {
		snprintf(why, sizeof(why),
		    "spool/out: written again (%zu pending document%s"
		    " written in order)",
		    n, n == 1 ? "" : "s");
		log_info("%s", why);
		store_add_event(d->store, NULL, 0, NULL, "alert", NULL, why, 0);
		oq.alert[0] = '\0';
	}
	return 0;
}

static void
retry(void *arg)
{
	oq.timer = 0;
	outbox_flush(arg);
}

const char *
outbox_alert(void)
{
	return oq.alert[0] ? oq.alert : NULL;
}
