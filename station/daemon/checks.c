/* The benches' scales, label scan-back and supervisors' PINs, wired for stationd. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "drivers/scale.h"
#include "station/daemon/checks.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/store/store.h"
#include "station/store/store_checks.h"

static void
on_weight(void *arg, const char *station, const struct hid_scale_reading *r)
{
	char text[128];

	(void)arg;
	hid_scale_describe(r, text, sizeof(text));
	log_debug("[station %s] scale: %s", station, text);
}

static void
on_alert(void *arg, const char *station, int connected, const char *message)
{
	struct daemon *d = arg;

	if (connected > 0)
		log_info("[station %s] scale: %s", station, message);
	else
		log_warnx("[station %s] scale: %s", station, message);
	if (store_add_event(d->store, station, 0, NULL, connected > 0 ? "scale" : "alert", NULL,
		message, connected <= 0) == -1)
		log_warnx(
		    "[station %s] cannot log the scale event: %s", station, store_errmsg(d->store));
}

int
checks_start(struct daemon *d)
{
	char err[256];
	size_t i;

	for (i = 0; i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];

		if (sc->scale == NULL)
			continue;
		if (d->scales == NULL &&
		    (d->scales = scales_new(d->loop, on_weight, on_alert, d)) == NULL) {
			log_warnx("scales: cannot start libusb");
			return -1;
		}
		if (scales_add(d->scales, sc->name, sc->scale, err, sizeof(err)) == -1) {
			log_warnx("[station %s] scale %s: %s", sc->name, sc->scale, err);
			return -1;
		}
	}
	return 0;
}

void
checks_stop(struct daemon *d)
{
	scales_free(d->scales);
	d->scales = NULL;
}

const struct sess_checks *
checks_fill(struct daemon *d, const struct station_conf *sc, struct sess_checks *c, char *state,
    size_t statelen)
{
	struct hid_scale_reading r;
	int have;

	memset(c, 0, sizeof(*c));
	/* a label is scanned back only where one prints */
	c->verify_label = sc->verify_label && sc->label_printer != NULL;
	if (sc->scale == NULL && !sc->verify_label)
		return NULL;
	c->weight_check = sc->scale != NULL && sc->weight_check;
	c->tol_permille = sc->weight_tol_permille;
	c->tol_grams = sc->weight_tol_grams;
	c->tare_grams = sc->tare_grams;
	if ((c->scale = sc->scale != NULL)) {
		have = scales_station_reading(d->scales, sc->name, &r);
		if (have == 1 && r.stable) {
			c->stable = 1;
			c->grams = hid_scale_grams(&r);
		} else if (have == 1)
			hid_scale_describe(&r, state, statelen);
		else
			snprintf(state, statelen, "%s",
			    scales_station_connected(d->scales, sc->name) == 1 ? "no reading yet"
									       : "absent");
		c->scale_state = state;
	}
	return c;
}

int
checks_scale_status(struct daemon *d, const char *station, char *text, size_t len, int64_t *grams)
{
	const struct station_conf *sc = config_station(d->conf, station);
	struct hid_scale_reading r;
	int have;

	if (sc == NULL || sc->scale == NULL)
		return 0;
	*grams = -1;
	have = scales_station_reading(d->scales, station, &r);
	if (have == 1) {
		hid_scale_describe(&r, text, len);
		if (r.stable)
			*grams = hid_scale_grams(&r);
	} else
		snprintf(text, len, "%s",
		    scales_station_connected(d->scales, station) == 1 ? "no reading yet"
								      : "absent");
	return 1;
}

/* An SSCC as scanned: 18 digits, or "00" and 18 digits (GS1-128 with its AI). */
static int
sscc_of(const char *code, char out[19])
{
	size_t n = strlen(code), i;

	if (n == 20 && code[0] == '0' && code[1] == '0')
		code += 2, n = 18;
	if (n != 18)
		return 0;
	for (i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	memcpy(out, code, 19);
	return 1;
}

/* "badge:pin" of STN:OVERRIDE into the badge and its PIN (NULL: none). */
static const char *
split_badge(const char *arg, char *badge, size_t len)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n >= len)
		n = len - 1;
	memcpy(badge, arg, n);
	badge[n] = '\0';
	return colon ? colon + 1 : NULL;
}

int
checks_classify(struct daemon *d, const struct station_conf *sc, const struct sess_state *st,
    const char *code, struct sess_input *in, struct checks_scan *cs)
{
	char badge[64], sscc[19];
	const char *pin;
	int known = 0, ok = 0, box, r;
	int64_t pkg;

	memset(cs, 0, sizeof(*cs));
	if (st->override_badge[0] != '\0') {
		/* the PIN: checked here, never recorded */
		if (sc->override_pins != NULL &&
		    checks_pin_verify(sc->override_pins, st->override_badge, code, &known, &ok) ==
			-1)
			known = ok = 0;
		in->kind = SCAN_PIN;
		in->pin_ok = known && ok;
		snprintf(cs->shown, sizeof(cs->shown), "(PIN for %s)", st->override_badge);
		return 1;
	}
	if (in->kind == SCAN_COMMAND && in->cmd == CMD_OVERRIDE) {
		pin = split_badge(in->packer, badge, sizeof(badge));
		if (sc->override_pins != NULL &&
		    checks_pin_verify(sc->override_pins, badge, pin ? pin : "", &known, &ok) == -1)
			known = ok = 0;
		in->badge_known = known;
		in->has_pin = pin != NULL;
		in->pin_ok = pin != NULL && known && ok;
		if (pin != NULL)
			snprintf(cs->shown, sizeof(cs->shown), "STN:OVERRIDE:%s:(PIN)", badge);
		return 1;
	}
	/* labels mean something only while the bench waits for one */
	if (in->kind == SCAN_COMMAND || st->hold != HOLD_LABEL)
		return 0;
	if (!sscc_of(code, sscc)) {
		/* the label's tracking number: its order's label, whichever box */
		if (strlen(code) < 8 || strlen(code) > 40 ||
		    (r = store_find_tracking(d->store, code, cs->whose, sizeof(cs->whose))) != 1)
			return strlen(code) < 8 || strlen(code) > 40 ? 0 : r;
		snprintf(cs->sscc, sizeof(cs->sscc), "%s",
		    strcmp(cs->whose, st->label_order) == 0 ? st->label_code : "tracking");
		in->kind = SCAN_LABEL;
		in->label_sscc = cs->sscc;
		in->label_order = cs->whose;
		return 1;
	}
	if ((r = store_find_label(d->store, sscc, cs->whose, sizeof(cs->whose), &box, &pkg)) != 1)
		return r;
	snprintf(cs->sscc, sizeof(cs->sscc), "%s", sscc);
	snprintf(
	    cs->whose + strlen(cs->whose), sizeof(cs->whose) - strlen(cs->whose), " box %d", box);
	in->kind = SCAN_LABEL;
	in->label_sscc = cs->sscc;
	in->label_order = cs->whose;
	return 1;
}

int
checks_pin_verify(const char *path, const char *badge, const char *pin, int *known, int *ok)
{
	struct crypt_data *cd;
	struct stat sb;
	char line[512], *hash, *nl;
	const char *out;
	FILE *fp;

	*known = *ok = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("override_pins %s", path);
		return -1;
	}
	/* checked at start too; a file made readable since is not trusted */
	if (fstat(fileno(fp), &sb) == -1 || (sb.st_mode & 0777) != 0600) {
		log_warnx("override_pins %s: not 0600: nobody can override", path);
		fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '#' || (hash = strchr(line, ':')) == NULL)
			continue;
		*hash++ = '\0';
		if (strcmp(line, badge) != 0)
			continue;
		*known = 1;
		if ((cd = calloc(1, sizeof(*cd))) == NULL)
			break;
		out = crypt_r(pin, hash, cd);
		*ok = out != NULL && out[0] != '*' && strcmp(out, hash) == 0;
		free(cd);
		break;
	}
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return 0;
}

size_t
checks_pin_badges(const char *path, char ids[][64], size_t max)
{
	char line[512], *colon;
	size_t n = 0;
	FILE *fp;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || (colon = strchr(line, ':')) == NULL || colon == line ||
		    (size_t)(colon - line) >= 64)
			continue;
		*colon = '\0';
		memcpy(ids[n++], line, (size_t)(colon - line) + 1); /* < 64: checked */
	}
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return n;
}
