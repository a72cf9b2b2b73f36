/* USB barcode scanners: libusb in the poll loop, matching, hot-plug, decoding. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "drivers/hid_kbd.h"
#include "drivers/hid_pos.h"
#include "drivers/scanner.h"
#include "drivers/scanner_int.h"
#include "common/log.h"
#include "common/loop.h"

#define RESCAN_MS	500	/* absent scanners are looked for this often */
#define CTRL_TIMEOUT_MS	250	/* descriptor reads while opening */
#define STALL_RETRY_MS	200
#define BAD_BURST	5	/* malformed-input events: burst, then 1/s */
#define FREE_DRAIN_MS	1000	/* longest wait for cancelled transfers */


struct scanner {
	struct scanners		*owner;
	char			*station;
	char			*spec_text;
	struct spec		 spec;
	enum hid_kbd_layout	 layout;
	/* while attached */
	libusb_device		*dev;
	libusb_device_handle	*h;
	int			 iface;
	int			 pos;		/* HID POS, else keyboard */
	uint8_t			 ep;
	int			 maxpkt;
	struct libusb_transfer	*xfer;
	int			 busy;		/* xfer submitted */
	int			 lost;		/* unplug seen, close pending */
	int			 left;		/* hot-plug said it left */
	int64_t			 stall_timer;
	struct hid_kbd		*kbd;
	struct hid_pos		*posdec;
	/* rate limit for malformed-input events */
	double			 tokens;
	int64_t			 refill_ms;
	int			 suppressed;
	/* last device we could not open, to log it once */
	int			 failed_bus, failed_addr;
};

struct scanners {
	struct loop			*loop;
	libusb_context			*ctx;
	scanner_scan_cb			 on_scan;
	scanner_alert_cb		 on_alert;
	void				*arg;
	struct scanner			**v;
	size_t				 n;
	int				 has_hotplug;
	libusb_hotplug_callback_handle	 hp;
	int64_t				 rescan_timer;	/* 0: none */
	int64_t				 lost_timer;
};

static void	rescan(void *);
static void	schedule_rescan(struct scanners *, int64_t);
static void	lost_check(void *);
static void	schedule_close(struct scanners *);

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
		say(sc, -1, "%s (%d similar events suppressed)", why,
		    sc->suppressed);
	else
		say(sc, -1, "%s", why);
	sc->suppressed = 0;
}

/* ---- libusb in the loop ---- */

static void
usb_fd_ready(int fd, short revents, void *arg)
{
	struct scanners *ss = arg;
	struct timeval zero = {0, 0};

	(void)fd;
	(void)revents;
	libusb_handle_events_timeout_completed(ss->ctx, &zero, NULL);
}

static int
usb_prepare(void *arg)
{
	struct scanners *ss = arg;
	struct timeval tv;
	int64_t ms;

	if (libusb_get_next_timeout(ss->ctx, &tv) != 1)
		return -1;
	ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms > 3600000 ? 3600000 : (int)ms;
}

static void LIBUSB_CALL
pollfd_added(int fd, short events, void *arg)
{
	struct scanners *ss = arg;

	if (loop_add_fd(ss->loop, fd, events, usb_fd_ready, ss) == -1 &&
	    loop_mod_fd(ss->loop, fd, events) == -1)
		log_warn("scanner: cannot watch libusb fd %d", fd);
}

static void LIBUSB_CALL
pollfd_removed(int fd, void *arg)
{
	struct scanners *ss = arg;

	loop_del_fd(ss->loop, fd);
}

static int
hook_pollfds(struct scanners *ss)
{
	const struct libusb_pollfd **fds, **p;

	if ((fds = libusb_get_pollfds(ss->ctx)) == NULL) {
		log_warnx("scanner: libusb_get_pollfds failed");
		return -1;
	}
	for (p = fds; *p != NULL; p++)
		pollfd_added((*p)->fd, (*p)->events, ss);
	libusb_free_pollfds(fds);
	libusb_set_pollfd_notifiers(ss->ctx, pollfd_added, pollfd_removed, ss);
	return loop_add_prepare(ss->loop, usb_prepare, ss);
}

static void
unhook_pollfds(struct scanners *ss)
{
	const struct libusb_pollfd **fds, **p;

	libusb_set_pollfd_notifiers(ss->ctx, NULL, NULL, NULL);
	if ((fds = libusb_get_pollfds(ss->ctx)) != NULL) {
		for (p = fds; *p != NULL; p++)
			loop_del_fd(ss->loop, (*p)->fd);
		libusb_free_pollfds(fds);
	}
	loop_del_prepare(ss->loop, usb_prepare, ss);
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
	log_debug("[station %s] scanner: scan \"%s\" %s", sc->station, code,
	    aim);
	sc->owner->on_scan(sc->owner->arg, sc->station, code, aim);
}

static void
dec_bad(void *arg, const char *why)
{
	bad_input(arg, why);
}

static void
feed(struct scanner *sc, const uint8_t *buf, int len)
{
	if (sc->pos) {
		struct hid_pos_sink s = {pos_scan, dec_bad, sc};

		hid_pos_feed(sc->posdec, buf, (size_t)len, &s);
	} else {
		struct hid_kbd_sink s = {kbd_scan, dec_bad, sc};

		hid_kbd_feed(sc->kbd, buf, (size_t)len, &s);
	}
}

/* ---- attach / detach ---- */

static void
close_device(struct scanner *sc)
{
	if (sc->stall_timer > 0)
		loop_cancel_timer(sc->owner->loop, sc->stall_timer);
	sc->stall_timer = 0;
	if (sc->xfer != NULL && !sc->busy) {
		libusb_free_transfer(sc->xfer);	/* frees the buffer too */
		sc->xfer = NULL;
	}
	if (sc->h != NULL) {
		/* auto-detach mode gives the kernel driver back here */
		libusb_release_interface(sc->h, sc->iface);
		libusb_close(sc->h);
		sc->h = NULL;
	}
	if (sc->dev != NULL)
		libusb_unref_device(sc->dev);
	sc->dev = NULL;
	sc->lost = 0;
}

/*
 * The device went away (or failed for good): drop the partial scan, tell,
 * and wait for it. The handle is closed from a loop timer, because libusb
 * does not allow closing it from inside its event handling (callbacks).
 */
static void
lose(struct scanner *sc, const char *why)
{
	size_t cut;

	cut = sc->pos ? hid_pos_reset(sc->posdec) : hid_kbd_reset(sc->kbd);
	sc->lost = 1;
	if (sc->busy)
		libusb_cancel_transfer(sc->xfer);	/* callback comes back */
	schedule_close(sc->owner);
	say(sc, 0, "%s", why);
	if (cut > 0)
		say(sc, -1, "partial scan (%zu bytes) cut off by unplug dropped",
		    cut);
	schedule_rescan(sc->owner, RESCAN_MS);
}

static void
submit(struct scanner *sc)
{
	int r;

	if ((r = libusb_submit_transfer(sc->xfer)) == 0) {
		sc->busy = 1;
		return;
	}
	lose(sc, r == LIBUSB_ERROR_NO_DEVICE ? "scanner unplugged" :
	    "scanner read failed; waiting for it to come back");
}

static void
stall_retry(void *arg)
{
	struct scanner *sc = arg;

	sc->stall_timer = 0;
	if (sc->h == NULL)
		return;
	libusb_clear_halt(sc->h, sc->ep);
	submit(sc);
}

static void LIBUSB_CALL
xfer_done(struct libusb_transfer *t)
{
	struct scanner *sc = t->user_data;

	sc->busy = 0;
	if (sc->lost) {
		schedule_close(sc->owner);
		return;
	}
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		feed(sc, t->buffer, t->actual_length);
		submit(sc);
		break;
	case LIBUSB_TRANSFER_OVERFLOW:
		bad_input(sc, "report longer than the endpoint's packets");
		submit(sc);
		break;
	case LIBUSB_TRANSFER_STALL:
		bad_input(sc, "endpoint stalled; clearing it");
		/* clear_halt is synchronous: not from inside event handling */
		sc->stall_timer = loop_add_timer(sc->owner->loop,
		    STALL_RETRY_MS, stall_retry, sc);
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		lose(sc, "scanner unplugged");
		break;
	default:
		lose(sc, "scanner read error; waiting for it to come back");
		break;
	}
}

/* Reads a string descriptor as ASCII (others become '?'). 0 / -1. */
static int
read_string(libusb_device_handle *h, uint8_t idx, char *out, size_t outlen)
{
	unsigned char buf[256];
	uint16_t lang;
	int r, i, o = 0;

	if (idx == 0 || outlen == 0)
		return -1;
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN,
	    LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_STRING << 8, 0, buf,
	    sizeof(buf), CTRL_TIMEOUT_MS);
	if (r < 4)
		return -1;
	lang = (uint16_t)(buf[2] | buf[3] << 8);
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN,
	    LIBUSB_REQUEST_GET_DESCRIPTOR, (uint16_t)(LIBUSB_DT_STRING << 8 | idx),
	    lang, buf, sizeof(buf), CTRL_TIMEOUT_MS);
	if (r < 2 || buf[1] != LIBUSB_DT_STRING || buf[0] > r)
		return -1;
	for (i = 2; i + 1 < buf[0] && (size_t)o + 1 < outlen; i += 2)
		out[o++] = (buf[i + 1] == 0 && buf[i] >= 0x20 && buf[i] < 0x7f) ?
		    (char)buf[i] : '?';
	out[o] = '\0';
	return 0;
}

/*
 * Picks the HID interface with an interrupt IN endpoint. Returns 0 and
 * fills sc, or -1 when the device has none.
 */
static int
find_hid_endpoint(struct scanner *sc, int *boot_kbd)
{
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *id;
	const struct libusb_endpoint_descriptor *ep;
	int i, e, found = -1;

	if (libusb_get_active_config_descriptor(sc->dev, &cfg) != 0)
		return -1;
	for (i = 0; i < cfg->bNumInterfaces && found == -1; i++) {
		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if (id->bInterfaceClass != LIBUSB_CLASS_HID)
			continue;
		for (e = 0; e < id->bNumEndpoints; e++) {
			ep = &id->endpoint[e];
			if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_INTERRUPT ||
			    !(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN))
				continue;
			sc->iface = id->bInterfaceNumber;
			sc->ep = ep->bEndpointAddress;
			sc->maxpkt = ep->wMaxPacketSize;
			*boot_kbd = id->bInterfaceSubClass == 1 &&
			    id->bInterfaceProtocol == 1;
			found = 0;
			break;
		}
	}
	libusb_free_config_descriptor(cfg);
	return found;
}

/* Does a HID report descriptor declare the bar code scanner page 0x8C? */
static int
report_desc_is_pos(const unsigned char *d, int n)
{
	int i = 0, size;

	while (i < n) {
		uint8_t b = d[i];

		if (b == 0xfe) {	/* long item */
			if (i + 1 >= n)
				return 0;
			i += 3 + d[i + 1];
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

/* Class requests that make a boot keyboard send boot reports, no repeats. */
static void
setup_boot_keyboard(struct scanner *sc)
{
	/* SET_PROTOCOL(boot), SET_IDLE(0); failures are harmless */
	libusb_control_transfer(sc->h, 0x21, 0x0b, 0, (uint16_t)sc->iface,
	    NULL, 0, CTRL_TIMEOUT_MS);
	libusb_control_transfer(sc->h, 0x21, 0x0a, 0, (uint16_t)sc->iface,
	    NULL, 0, CTRL_TIMEOUT_MS);
}

static int
detect_mode(struct scanner *sc, int boot_kbd)
{
	unsigned char d[1024];
	int n;

	if (boot_kbd) {
		sc->pos = 0;
		setup_boot_keyboard(sc);
		return 0;
	}
	n = libusb_control_transfer(sc->h, LIBUSB_ENDPOINT_IN |
	    LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_GET_DESCRIPTOR,
	    0x22 << 8, (uint16_t)sc->iface, d, sizeof(d), CTRL_TIMEOUT_MS);
	if (n > 0 && report_desc_is_pos(d, n)) {
		sc->pos = 1;
		return 0;
	}
	/* a plain (non-boot) keyboard interface: boot-format reports */
	sc->pos = 0;
	return 0;
}

static void
open_failed(struct scanner *sc, libusb_device *dev, const char *what, int r)
{
	int bus = libusb_get_bus_number(dev);
	int addr = libusb_get_device_address(dev);

	if (sc->failed_bus == bus && sc->failed_addr == addr)
		return;	/* said once for this device */
	sc->failed_bus = bus;
	sc->failed_addr = addr;
	say(sc, -1, "cannot use USB device %03d/%03d: %s: %s", bus, addr,
	    what, libusb_error_name(r));
}

/* Opens, claims and starts reading dev for sc. 0 / -1 (dev left alone). */
static int
attach(struct scanner *sc, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	char serial[128];
	int r, boot_kbd = 0;

	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return -1;
	if ((r = libusb_open(dev, &sc->h)) != 0) {
		sc->h = NULL;
		open_failed(sc, dev, "open", r);
		return -1;
	}
	sc->dev = libusb_ref_device(dev);
	if (sc->spec.serial[0] != '\0' &&
	    (read_string(sc->h, dd.iSerialNumber, serial, sizeof(serial)) == -1 ||
	    strcmp(serial, sc->spec.serial) != 0)) {
		libusb_close(sc->h);
		sc->h = NULL;
		libusb_unref_device(sc->dev);
		sc->dev = NULL;
		return -1;	/* same model, another unit: not ours */
	}
	if (find_hid_endpoint(sc, &boot_kbd) == -1) {
		open_failed(sc, dev, "no HID interrupt IN endpoint",
		    LIBUSB_ERROR_NOT_SUPPORTED);
		goto fail_open;
	}
	libusb_set_auto_detach_kernel_driver(sc->h, 1);
	if ((r = libusb_claim_interface(sc->h, sc->iface)) != 0) {
		open_failed(sc, dev, "claim interface", r);
		goto fail_open;
	}
	detect_mode(sc, boot_kbd);
	if (sc->maxpkt <= 0 || sc->maxpkt > 1024)
		sc->maxpkt = 64;
	if ((sc->xfer = libusb_alloc_transfer(0)) == NULL)
		goto fail_claimed;
	/* zeroed: umockdev forwards the whole IN buffer, valgrind checks it */
	if ((sc->xfer->buffer = calloc(1, (size_t)sc->maxpkt)) == NULL) {
		libusb_free_transfer(sc->xfer);
		sc->xfer = NULL;
		goto fail_claimed;
	}
	libusb_fill_interrupt_transfer(sc->xfer, sc->h, sc->ep,
	    sc->xfer->buffer, sc->maxpkt, xfer_done, sc, 0);
	sc->xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	if ((r = libusb_submit_transfer(sc->xfer)) != 0) {
		open_failed(sc, dev, "submit", r);
		libusb_free_transfer(sc->xfer);
		sc->xfer = NULL;
		goto fail_claimed;
	}
	sc->busy = 1;
	sc->failed_bus = sc->failed_addr = 0;
	say(sc, 1, "scanner attached (%04x:%04x on %03d/%03d, %s)", dd.idVendor,
	    dd.idProduct, libusb_get_bus_number(dev),
	    libusb_get_device_address(dev), sc->pos ? "HID POS" :
	    sc->layout == HID_KBD_DE ? "keyboard, layout de" :
	    sc->layout == HID_KBD_FR ? "keyboard, layout fr" :
	    "keyboard, layout us");
	return 0;

fail_claimed:
	libusb_release_interface(sc->h, sc->iface);
fail_open:
	libusb_close(sc->h);
	sc->h = NULL;
	libusb_unref_device(sc->dev);
	sc->dev = NULL;
	return -1;
}

/* Does dev fit sc's spec? Uses only cached descriptors: opens nothing. */
static int
matches(const struct scanner *sc, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	uint8_t ports[MAX_PORTS];
	int n;

	if (sc->spec.kind == SPEC_ID) {
		if (libusb_get_device_descriptor(dev, &dd) != 0)
			return 0;
		return dd.idVendor == sc->spec.vid && dd.idProduct == sc->spec.pid;
	}
	if (libusb_get_bus_number(dev) != sc->spec.bus)
		return 0;
	n = libusb_get_port_numbers(dev, ports, MAX_PORTS);
	return n == sc->spec.nports &&
	    memcmp(ports, sc->spec.ports, (size_t)n) == 0;
}

static int
in_use(const struct scanners *ss, libusb_device *dev)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->v[i]->dev == dev)
			return 1;
	return 0;
}

static void
rescan(void *arg)
{
	struct scanners *ss = arg;
	libusb_device **list;
	ssize_t nd, d;
	size_t i;
	int absent = 0;

	ss->rescan_timer = 0;
	if ((nd = libusb_get_device_list(ss->ctx, &list)) < 0) {
		schedule_rescan(ss, RESCAN_MS);
		return;
	}
	for (i = 0; i < ss->n; i++) {
		struct scanner *sc = ss->v[i];

		if (sc->h != NULL)
			continue;
		for (d = 0; d < nd && sc->h == NULL; d++)
			if (matches(sc, list[d]) && !in_use(ss, list[d]))
				attach(sc, list[d]);
		if (sc->h == NULL)
			absent = 1;
	}
	libusb_free_device_list(list, 1);
	if (absent)
		schedule_rescan(ss, RESCAN_MS);
}

static void
schedule_rescan(struct scanners *ss, int64_t ms)
{
	if (ss->rescan_timer > 0) {
		if (ms > 0)
			return;	/* one is pending already */
		loop_cancel_timer(ss->loop, ss->rescan_timer);
	}
	ss->rescan_timer = loop_add_timer(ss->loop, ms, rescan, ss);
	if (ss->rescan_timer == -1) {
		ss->rescan_timer = 0;
		log_warn("scanner: cannot arm the rescan timer");
	}
}

/*
 * Hot-plug events arrive from inside libusb event handling, where opening
 * devices is not allowed: note them and act from a loop timer.
 */
static void
lost_check(void *arg)
{
	struct scanners *ss = arg;
	size_t i;

	ss->lost_timer = 0;
	for (i = 0; i < ss->n; i++) {
		struct scanner *sc = ss->v[i];

		if (sc->left) {
			sc->left = 0;
			if (sc->dev != NULL && !sc->lost)
				lose(sc, "scanner unplugged");
		}
		if (sc->lost && !sc->busy && sc->dev != NULL)
			close_device(sc);
	}
}

static void
schedule_close(struct scanners *ss)
{
	if (ss->lost_timer == 0)
		ss->lost_timer = loop_add_timer(ss->loop, 0, lost_check, ss);
	if (ss->lost_timer == -1)
		ss->lost_timer = 0;
}

static int LIBUSB_CALL
hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev,
    void *arg)
{
	struct scanners *ss = arg;
	size_t i;

	(void)ctx;
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		schedule_rescan(ss, 0);
		return 0;
	}
	for (i = 0; i < ss->n; i++)
		if (ss->v[i]->dev == dev && !ss->v[i]->lost) {
			ss->v[i]->left = 1;	/* lost_check will handle it */
			schedule_close(ss);
		}
	return 0;
}

/* ---- public ---- */

struct scanners *
scanners_new(struct loop *loop, scanner_scan_cb on_scan,
    scanner_alert_cb on_alert, void *arg)
{
	struct scanners *ss;
	int r;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		log_warn("scanner: calloc");
		return NULL;
	}
	ss->loop = loop;
	ss->on_scan = on_scan;
	ss->on_alert = on_alert;
	ss->arg = arg;
	if ((r = libusb_init(&ss->ctx)) != 0) {
		log_warnx("scanner: libusb_init: %s", libusb_error_name(r));
		free(ss);
		return NULL;
	}
	if (hook_pollfds(ss) == -1) {
		unhook_pollfds(ss);
		libusb_exit(ss->ctx);
		free(ss);
		return NULL;
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(ss->ctx,
	    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
	    0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	    LIBUSB_HOTPLUG_MATCH_ANY, hotplug, ss, &ss->hp) == 0)
		ss->has_hotplug = 1;
	return ss;
}

int
scanners_add(struct scanners *ss, const char *station, const char *spec,
    const char *layout, char *err, size_t errlen)
{
	struct scanner *sc, **nv;
	enum hid_kbd_layout l;

	if (scanner_layout_check(layout, err, errlen) == -1)
		return -1;
	hid_kbd_layout_parse(layout, &l);
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto nomem;
	if (scanner_parse_spec(spec, &sc->spec, err, errlen) == -1) {
		free(sc);
		return -1;
	}
	sc->owner = ss;
	sc->layout = l;
	sc->tokens = BAD_BURST;
	sc->refill_ms = loop_now_ms();
	if ((sc->station = strdup(station)) == NULL ||
	    (sc->spec_text = strdup(spec)) == NULL ||
	    (sc->kbd = hid_kbd_new(l)) == NULL ||
	    (sc->posdec = hid_pos_new()) == NULL ||
	    (nv = realloc(ss->v, (ss->n + 1) * sizeof(*nv))) == NULL) {
		hid_kbd_free(sc->kbd);
		free(sc->spec_text);
		free(sc->station);
		free(sc);
		goto nomem;
	}
	ss->v = nv;
	ss->v[ss->n++] = sc;
	rescan(ss);
	if (sc->h == NULL)
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
		if (ss->v[i]->h != NULL && !ss->v[i]->lost)
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
			if (ss->v[i]->h != NULL && !ss->v[i]->lost)
				return 1;
			r = 0;
		}
	return r;
}

/* Cancels every transfer and runs libusb until their callbacks came back. */
static void
drain_transfers(struct scanners *ss)
{
	struct timeval tv = {0, 20000};
	int64_t until = loop_now_ms() + FREE_DRAIN_MS;
	size_t i;
	int busy;

	for (i = 0; i < ss->n; i++)
		if (ss->v[i]->busy) {
			ss->v[i]->lost = 1;	/* callback closes it */
			libusb_cancel_transfer(ss->v[i]->xfer);
		}
	do {
		busy = 0;
		for (i = 0; i < ss->n; i++)
			busy |= ss->v[i]->busy;
		if (busy)
			libusb_handle_events_timeout_completed(ss->ctx, &tv,
			    NULL);
	} while (busy && loop_now_ms() < until);
}

void
scanners_free(struct scanners *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	if (ss->has_hotplug)
		libusb_hotplug_deregister_callback(ss->ctx, ss->hp);
	drain_transfers(ss);
	for (i = 0; i < ss->n; i++) {
		struct scanner *sc = ss->v[i];

		if (sc->busy)	/* never came back: leak it, not crash */
			sc->xfer = NULL;
		close_device(sc);
		hid_kbd_free(sc->kbd);
		hid_pos_free(sc->posdec);
		free(sc->spec_text);
		free(sc->station);
		free(sc);
	}
	free(ss->v);
	if (ss->rescan_timer > 0)
		loop_cancel_timer(ss->loop, ss->rescan_timer);
	if (ss->lost_timer > 0)
		loop_cancel_timer(ss->loop, ss->lost_timer);
	unhook_pollfds(ss);
	libusb_exit(ss->ctx);
	free(ss);
}
