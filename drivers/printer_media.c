/* Media choice: map the station's size names to the printer's closest supported media. */
#include <stdlib.h>
#include <string.h>

#include <cups/cups.h>
#include <cups/pwg.h>

#include "drivers/printer.h"

/* The names station.ini uses (label_media, slip_media) as PWG keywords. */
static const struct {
	const char *name;
	const char *pwg;
} aliases[] = {
	{ "4x6", "na_index-4x6_4x6in" },
	{ "4x4", "oe_4x4-label_4x4in" },
	{ "a6", "iso_a6_105x148mm" },
	{ "a5", "iso_a5_148x210mm" },
	{ "a4", "iso_a4_210x297mm" },
	{ "letter", "na_letter_8.5x11in" },
	{ "legal", "na_legal_8.5x14in" },
};

/* Size of a media name in hundredths of mm; 0 / -1 if unknown. */
static int
media_size(const char *name, int *w, int *l)
{
	pwg_media_t *m;
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].name) == 0) {
			name = aliases[i].pwg;
			break;
		}
	if ((m = pwgMediaForPWG(name)) == NULL && (m = pwgMediaForLegacy(name)) == NULL &&
	    (m = pwgMediaForPPD(name)) == NULL)
		return -1;
	if (m->width <= 0 || m->length <= 0)
		return -1;
	*w = m->width;
	*l = m->length;
	return 0;
}

/* Labels may be loaded either way round, so a rotated match counts too. */
static long
media_distance(int w1, int l1, int w2, int l2)
{
	long d = labs((long)w1 - w2) + labs((long)l1 - l2);
	long r = labs((long)w1 - l2) + labs((long)l1 - w2);

	return d < r ? d : r;
}

int
printer_media_closest(
    const char *want, const char *const *supported, size_t n, char *out, size_t outlen)
{
	const char *best = NULL;
	long bestd = 0, d;
	int ww, wl, sw, sl;
	size_t i;

	if (want == NULL || media_size(want, &ww, &wl) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		/* Ranges like custom_min_/custom_max_ are not sizes to pick. */
		if (strncmp(supported[i], "custom_", 7) == 0 ||
		    media_size(supported[i], &sw, &sl) == -1)
			continue;
		d = media_distance(ww, wl, sw, sl);
		if (best == NULL || d < bestd) {
			best = supported[i];
			bestd = d;
		}
	}
	if (best == NULL || strlen(best) >= outlen)
		return -1;
	memcpy(out, best, strlen(best) + 1);
	return 0;
}
