/* USB HID POS scales on drivers/usb_hid: weight reports and each bench's current reading. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/loop.h"
#include "drivers/hid_scale.h"
#include "drivers/scale.h"
#include "drivers/usb_hid.h"

struct scale {
	struct scales *owner;
	char *station;
	struct usb_hid_dev *dev;
	int is_scale; /* the descriptor says page 0x8D */
	int has;      /* a reading arrived since attach */
	struct hid_scale_reading cur;
	int64_t bad_ms; /* last malformed-report alert */
	int suppressed;
};

struct scales {
	struct usb_hid *usb;
	scale_weight_cb on_weight;
	scale_alert_cb on_alert;
	void *arg;
	struct scale **v;
	size_t n;
};

static void say(struct scale *, int, const char *, ...) __attribute__((format(printf, 3, 4)));
static void
say(struct scale *sc, int connected, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sc->owner->on_alert != NULL) {
		log_debug("[station %s] scale: %s", sc->station, msg);
		sc->owner->on_alert(sc->owner->arg, sc->station, connected, msg);
	} else if (connected == 1)
		log_info("[station %s] scale: %s", sc->station, msg);
	else
		log_warnx("[station %s] scale: %s", sc->station, msg);
}

/* Malformed reports: one alert a second at most, the rest counted. */
static void
bad_input(struct scale *sc, const char *why)
{
	int64_t now = loop_now_ms();

	if (sc->bad_ms != 0 && now - sc->bad_ms < 1000) {
		sc->suppressed++;
		return;
	}
	sc->bad_ms = now;
	if (sc->suppressed > 0)
		say(sc, -1, "%s (%d similar events suppressed)", why, sc->suppressed);
	else
		say(sc, -1, "%s", why);
	sc->suppressed = 0;
}

/* States the packer has to act on before the scale can weigh a box. */
static int
status_needs_action(enum hid_scale_status s)
{
	return s == SCALE_FAULT || s == SCALE_UNDER_ZERO || s == SCALE_OVER_WEIGHT ||
	    s == SCALE_CALIBRATE || s == SCALE_REZERO;
}

static void
dev_attached(void *arg, const struct usb_hid_info *info)
{
	struct scale *sc = arg;

	sc->has = 0;
	sc->is_scale = info->report_desc != NULL &&
	    hid_scale_desc_is_scale(info->report_desc, info->report_desc_len);
	say(sc, 1, "scale attached (%04x:%04x on %03d/%03d%s)", info->vid, info->pid, info->bus,
	    info->addr,
	    sc->is_scale ? "" : ", no HID POS scale page: reports read as scale data anyway");
}

static void
dev_report(void *arg, const uint8_t *buf, size_t len)
{
	struct scale *sc = arg;
	struct hid_scale_reading r;
	char why[96], text[128];
	int changed;

	if (hid_scale_decode(buf, len, &r, why, sizeof(why)) == -1) {
		/* scales also send other report ids (e.g. 4, configuration) */
		if (len < 1 || buf[0] == HID_SCALE_REPORT_ID)
			bad_input(sc, why);
		return;
	}
	changed = !sc->has || r.status != sc->cur.status || r.mg != sc->cur.mg;
	if (changed && status_needs_action(r.status) && (!sc->has || r.status != sc->cur.status)) {
		hid_scale_describe(&r, text, sizeof(text));
		say(sc, -1, "%s", text);
	}
	sc->cur = r;
	sc->has = 1;
	if (changed && sc->owner->on_weight != NULL)
		sc->owner->on_weight(sc->owner->arg, sc->station, &r);
}

static void
dev_lost(void *arg, enum usb_hid_loss why)
{
	struct scale *sc = arg;

	sc->has = 0;
	say(sc, 0, "%s",
	    why == USB_HID_UNPLUGGED ? "scale unplugged"
				     : "scale read failed; waiting for it to come back");
}

static void
dev_bad(void *arg, const char *why)
{
	bad_input(arg, why);
}

static void
dev_failed(void *arg, const char *why)
{
	say(arg, -1, "%s", why);
}

static const struct usb_hid_ops scale_usb_ops = { dev_attached, dev_report, dev_lost, dev_bad,
	dev_failed };

int
scale_spec_check(const char *spec, char *err, size_t errlen)
{
	struct usb_hid_spec sp;

	if (spec == NULL || usb_hid_parse_spec(spec, &sp) == -1) {
		snprintf(err, errlen,
		    "bad scale '%s': want usb:VID:PID[:SERIAL]"
		    " or usb-port:BUS-PORT[.PORT...]",
		    spec ? spec : "");
		return -1;
	}
	return 0;
}

struct scales *
scales_new(struct loop *loop, scale_weight_cb on_weight, scale_alert_cb on_alert, void *arg)
{
	struct scales *ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		log_warn("scale: calloc");
		return NULL;
	}
	ss->on_weight = on_weight;
	ss->on_alert = on_alert;
	ss->arg = arg;
	if ((ss->usb = usb_hid_new(loop)) == NULL) {
		free(ss);
		return NULL;
	}
	return ss;
}

static void
scale_free(struct scale *sc)
{
	if (sc == NULL)
		return;
	free(sc->station);
	free(sc);
}

int
scales_add(struct scales *ss, const char *station, const char *spec, char *err, size_t errlen)
{
	struct scale *sc, **nv;
	struct usb_hid_spec sp;

	if (scale_spec_check(spec, err, errlen) == -1)
		return -1;
	usb_hid_parse_spec(spec, &sp);
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto nomem;
	sc->owner = ss;
	if ((sc->station = strdup(station)) == NULL ||
	    (nv = realloc(ss->v, (ss->n + 1) * sizeof(struct scale *))) == NULL) {
		scale_free(sc);
		goto nomem;
	}
	ss->v = nv;
	ss->v[ss->n++] = sc;
	if ((sc->dev = usb_hid_add(ss->usb, &sp, &scale_usb_ops, sc)) == NULL) {
		ss->n--;
		scale_free(sc);
		goto nomem;
	}
	if (!usb_hid_dev_is_attached(sc->dev))
		log_info("[station %s] scale: waiting for %s", station, spec);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
scales_station_reading(const struct scales *ss, const char *station, struct hid_scale_reading *r)
{
	size_t i;

	for (i = 0; ss != NULL && i < ss->n; i++) {
		const struct scale *sc = ss->v[i];

		if (strcmp(sc->station, station) != 0)
			continue;
		if (!sc->has || !usb_hid_dev_is_attached(sc->dev))
			return 0;
		*r = sc->cur;
		return 1;
	}
	return -1;
}

int
scales_station_connected(const struct scales *ss, const char *station)
{
	size_t i;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (strcmp(ss->v[i]->station, station) == 0)
			return usb_hid_dev_is_attached(ss->v[i]->dev) ? 1 : 0;
	return -1;
}

int
scales_count_connected(const struct scales *ss)
{
	size_t i;
	int n = 0;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (usb_hid_dev_is_attached(ss->v[i]->dev))
			n++;
	return n;
}

void
scales_free(struct scales *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	usb_hid_free(ss->usb);
	for (i = 0; i < ss->n; i++)
		scale_free(ss->v[i]);
	free(ss->v);
	free(ss);
}
