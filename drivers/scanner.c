/* USB barcode scanners on drivers/usb_hid: report decoding and the station each one serves. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/loop.h"
#include "drivers/hid_kbd.h"
#include "drivers/hid_pos.h"
#include "drivers/scanner.h"
#include "drivers/scanner_int.h"
#include "drivers/usb_hid.h"

#define BAD_BURST 5 /* malformed-input events: burst, then 1/s */

struct scanner {
	struct scanners *owner;
	char *station;
	enum hid_kbd_layout layout;
	struct usb_hid_dev *dev;
	int pos; /* HID POS, else keyboard */
	struct hid_kbd *kbd;
	struct hid_pos *posdec;
	/* rate limit for malformed-input events */
	double tokens;
	int64_t refill_ms;
	int suppressed;
};

struct scanners {
	struct usb_hid *usb;
	scanner_scan_cb on_scan;
	scanner_alert_cb on_alert;
	void *arg;
	struct scanner **v;
	size_t n;
};

static void
say(struct scanner *sc, int connected, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the alert callback logs for the daemon; stay quiet unless unheard */
	if (sc->owner->on_alert != NULL)
		log_debug("[station %s] scanner: %s", sc->station, msg);
	else if (connected == 1)
		log_info("[station %s] scanner: %s", sc->station, msg);
	else
		log_warnx("[station %s] scanner: %s", sc->station, msg);
	if (sc->owner->on_alert != NULL)
		sc->owner->on_alert(sc->owner->arg, sc->station, connected, msg);
}

/* Malformed input: a burst of BAD_BURST events, then one a second. */
static void
bad_input(struct scanner *sc, const char *why)
{
	int64_t now = loop_now_ms();

	sc->tokens += (double)(now - sc->refill_ms) / 1000.0;
	if (sc->tokens > BAD_BURST)
		sc->tokens = BAD_BURST;
	sc->refill_ms = now;
	if (sc->tokens < 1.0) {
		sc->suppressed++;
		return;
	}
	sc->tokens -= 1.0;
	if (sc->suppressed > 0)
		say(sc, -1, "%s (%d similar events suppressed)", why, sc->suppressed);
	else
		say(sc, -1, "%s", why);
	sc->suppressed = 0;
}

/* ---- decoded input ---- */

static void
kbd_scan(void *arg, const char *code, size_t len)
{
	struct scanner *sc = arg;

	(void)len;
	log_debug("[station %s] scanner: scan \"%s\"", sc->station, code);
	sc->owner->on_scan(sc->owner->arg, sc->station, code, "");
}

static void
pos_scan(void *arg, const char *code, size_t len, const char *aim)
{
	struct scanner *sc = arg;

	(void)len;
	log_debug("[station %s] scanner: scan \"%s\" %s", sc->station, code, aim);
	sc->owner->on_scan(sc->owner->arg, sc->station, code, aim);
}

static void
dec_bad(void *arg, const char *why)
{
	bad_input(arg, why);
}

/* ---- the device's events (drivers/usb_hid) ---- */

/* Does a HID report descriptor declare the bar code scanner page 0x8C? */
static int
report_desc_is_pos(const unsigned char *d, size_t n)
{
	size_t i = 0, size;

	while (i < n) {
		uint8_t b = d[i];

		if (b == 0xfe) { /* long item */
			if (i + 1 >= n)
				return 0;
			i += 3 + (size_t)d[i + 1];
			continue;
		}
		size = (b & 3) == 3 ? 4 : (b & 3);
		/* global Usage Page item: tag 0, type 1 */
		if ((b & 0xfc) == 0x04 && i + size < n) {
			unsigned page = size >= 1 ? d[i + 1] : 0;

			if (size >= 2)
				page |= (unsigned)d[i + 2] << 8;
			if (page == 0x8c)
				return 1;
		}
		i += 1 + size;
	}
	return 0;
}

static void
dev_attached(void *arg, const struct usb_hid_info *info)
{
	struct scanner *sc = arg;

	/* a boot or plain keyboard interface sends boot-format reports */
	sc->pos = !info->boot_kbd && info->report_desc != NULL &&
	    report_desc_is_pos(info->report_desc, info->report_desc_len);
	say(sc, 1, "scanner attached (%04x:%04x on %03d/%03d, %s)", info->vid, info->pid, info->bus,
	    info->addr,
	    sc->pos			   ? "HID POS"
		: sc->layout == HID_KBD_DE ? "keyboard, layout de"
		: sc->layout == HID_KBD_FR ? "keyboard, layout fr"
					   : "keyboard, layout us");
}

static void
dev_report(void *arg, const uint8_t *buf, size_t len)
{
	struct scanner *sc = arg;

	if (sc->pos) {
		struct hid_pos_sink s = { pos_scan, dec_bad, sc };

		hid_pos_feed(sc->posdec, buf, len, &s);
	} else {
		struct hid_kbd_sink s = { kbd_scan, dec_bad, sc };

		hid_kbd_feed(sc->kbd, buf, len, &s);
	}
}

/* The scanner went away: drop the partial scan and say so. */
static void
dev_lost(void *arg, enum usb_hid_loss why)
{
	struct scanner *sc = arg;
	size_t cut;

	cut = sc->pos ? hid_pos_reset(sc->posdec) : hid_kbd_reset(sc->kbd);
	say(sc, 0, "%s",
	    why == USB_HID_UNPLUGGED	       ? "scanner unplugged"
		: why == USB_HID_SUBMIT_FAILED ? "scanner read failed; waiting for it to come back"
					       : "scanner read error; waiting for it to come back");
	if (cut > 0)
		say(sc, -1, "partial scan (%zu bytes) cut off by unplug dropped", cut);
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

static const struct usb_hid_ops scanner_usb_ops = { dev_attached, dev_report, dev_lost, dev_bad,
	dev_failed };

/* ---- public ---- */

struct scanners *
scanners_new(struct loop *loop, scanner_scan_cb on_scan, scanner_alert_cb on_alert, void *arg)
{
	struct scanners *ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		log_warn("scanner: calloc");
		return NULL;
	}
	ss->on_scan = on_scan;
	ss->on_alert = on_alert;
	ss->arg = arg;
	if ((ss->usb = usb_hid_new(loop)) == NULL) {
		free(ss);
		return NULL;
	}
	return ss;
}

static void
scanner_free(struct scanner *sc)
{
	if (sc == NULL)
		return;
	hid_kbd_free(sc->kbd);
	hid_pos_free(sc->posdec);
	free(sc->station);
	free(sc);
}

int
scanners_add(struct scanners *ss, const char *station, const char *spec, const char *layout,
    char *err, size_t errlen)
{
	struct scanner *sc, **nv;
	struct usb_hid_spec sp;
	enum hid_kbd_layout l;

	if (scanner_layout_check(layout, err, errlen) == -1 ||
	    scanner_parse_spec(spec, &sp, err, errlen) == -1)
		return -1;
	hid_kbd_layout_parse(layout, &l);
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto nomem;
	sc->owner = ss;
	sc->layout = l;
	sc->tokens = BAD_BURST;
	sc->refill_ms = loop_now_ms();
	if ((sc->station = strdup(station)) == NULL || (sc->kbd = hid_kbd_new(l)) == NULL ||
	    (sc->posdec = hid_pos_new()) == NULL ||
	    (nv = realloc(ss->v, (ss->n + 1) * sizeof(struct scanner *))) == NULL) {
		scanner_free(sc);
		goto nomem;
	}
	ss->v = nv;
	ss->v[ss->n++] = sc;
	/* may attach (and call dev_attached) at once */
	if ((sc->dev = usb_hid_add(ss->usb, &sp, &scanner_usb_ops, sc)) == NULL) {
		ss->n--;
		scanner_free(sc);
		goto nomem;
	}
	if (!usb_hid_dev_is_attached(sc->dev))
		log_info("[station %s] scanner: waiting for %s", station, spec);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
scanners_count_connected(const struct scanners *ss)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ss->n; i++)
		if (usb_hid_dev_is_attached(ss->v[i]->dev))
			n++;
	return n;
}

int
scanners_station_connected(const struct scanners *ss, const char *station)
{
	size_t i;
	int r = -1;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (strcmp(ss->v[i]->station, station) == 0) {
			if (usb_hid_dev_is_attached(ss->v[i]->dev))
				return 1;
			r = 0;
		}
	return r;
}

void
scanners_free(struct scanners *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	/* first the devices (no callbacks from here on), then what they fed */
	usb_hid_free(ss->usb);
	for (i = 0; i < ss->n; i++)
		scanner_free(ss->v[i]);
	free(ss->v);
	free(ss);
}
