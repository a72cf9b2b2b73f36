/* Generic USB HID devices: libusb in the poll loop, matching, attach, hot-plug, loss. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "common/log.h"
#include "common/loop.h"
#include "drivers/usb_hid.h"

#define CTRL_TIMEOUT_MS 250 /* descriptor reads while opening */
#define STALL_RETRY_MS	200
#define FREE_DRAIN_MS	1000 /* longest wait for cancelled transfers */

struct usb_hid_dev {
	struct usb_hid *owner;
	struct usb_hid_spec spec;
	struct usb_hid_ops ops;
	void *arg;
	/* while attached */
	libusb_device *dev;
	libusb_device_handle *h;
	int iface;
	uint8_t ep;
	int maxpkt;
	struct libusb_transfer *xfer;
	int busy; /* xfer submitted */
	int lost; /* unplug seen, close pending */
	int left; /* hot-plug said it left */
	int64_t stall_timer;
	/* last device we could not open, to say it once */
	int failed_bus, failed_addr;
};

struct usb_hid {
	struct loop *loop;
	libusb_context *ctx;
	struct usb_hid_dev **v;
	size_t n;
	int has_hotplug;
	libusb_hotplug_callback_handle hp;
	int64_t rescan_timer; /* 0: none */
	int64_t lost_timer;
};

static void rescan(void *);
static void schedule_rescan(struct usb_hid *, int64_t);
static void schedule_close(struct usb_hid *);

/* ---- libusb in the loop ---- */

static void
usb_fd_ready(int fd, short revents, void *arg)
{
	struct usb_hid *uh = arg;
	struct timeval zero = { 0, 0 };

	(void)fd;
	(void)revents;
	libusb_handle_events_timeout_completed(uh->ctx, &zero, NULL);
}

static int
usb_prepare(void *arg)
{
	struct usb_hid *uh = arg;
	struct timeval tv;
	int64_t ms;

	if (libusb_get_next_timeout(uh->ctx, &tv) != 1)
		return -1;
	ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms > 3600000 ? 3600000 : (int)ms;
}

static void LIBUSB_CALL
pollfd_added(int fd, short events, void *arg)
{
	struct usb_hid *uh = arg;

	if (loop_add_fd(uh->loop, fd, events, usb_fd_ready, uh) == -1 &&
	    loop_mod_fd(uh->loop, fd, events) == -1)
		log_warn("usb: cannot watch libusb fd %d", fd);
}

static void LIBUSB_CALL
pollfd_removed(int fd, void *arg)
{
	struct usb_hid *uh = arg;

	loop_del_fd(uh->loop, fd);
}

static int
hook_pollfds(struct usb_hid *uh)
{
	const struct libusb_pollfd **fds, **p;

	if ((fds = libusb_get_pollfds(uh->ctx)) == NULL) {
		log_warnx("usb: libusb_get_pollfds failed");
		return -1;
	}
	for (p = fds; *p != NULL; p++)
		pollfd_added((*p)->fd, (*p)->events, uh);
	libusb_free_pollfds(fds);
	libusb_set_pollfd_notifiers(uh->ctx, pollfd_added, pollfd_removed, uh);
	return loop_add_prepare(uh->loop, usb_prepare, uh);
}

static void
unhook_pollfds(struct usb_hid *uh)
{
	const struct libusb_pollfd **fds, **p;

	libusb_set_pollfd_notifiers(uh->ctx, NULL, NULL, NULL);
	if ((fds = libusb_get_pollfds(uh->ctx)) != NULL) {
		for (p = fds; *p != NULL; p++)
			loop_del_fd(uh->loop, (*p)->fd);
		libusb_free_pollfds(fds);
	}
	loop_del_prepare(uh->loop, usb_prepare, uh);
}

/* ---- attach / detach ---- */

static void
close_device(struct usb_hid_dev *d)
{
	if (d->stall_timer > 0)
		loop_cancel_timer(d->owner->loop, d->stall_timer);
	d->stall_timer = 0;
	if (d->xfer != NULL && !d->busy) {
		libusb_free_transfer(d->xfer); /* frees the buffer too */
		d->xfer = NULL;
	}
	if (d->h != NULL) {
		/* auto-detach mode gives the kernel driver back here */
		libusb_release_interface(d->h, d->iface);
		libusb_close(d->h);
		d->h = NULL;
	}
	if (d->dev != NULL)
		libusb_unref_device(d->dev);
	d->dev = NULL;
	d->lost = 0;
}

/*
 * The device went away (or failed for good): tell the owner and wait for
 * it. The handle is closed from a loop timer, because libusb does not
 * allow closing it from inside its event handling (callbacks).
 */
static void
lose(struct usb_hid_dev *d, enum usb_hid_loss why)
{
	d->lost = 1;
	if (d->busy)
		libusb_cancel_transfer(d->xfer); /* callback comes back */
	schedule_close(d->owner);
	d->ops.lost(d->arg, why);
	schedule_rescan(d->owner, USB_HID_RESCAN_MS);
}

static void
submit(struct usb_hid_dev *d)
{
	int r;

	if ((r = libusb_submit_transfer(d->xfer)) == 0) {
		d->busy = 1;
		return;
	}
	lose(d, r == LIBUSB_ERROR_NO_DEVICE ? USB_HID_UNPLUGGED : USB_HID_SUBMIT_FAILED);
}

static void
stall_retry(void *arg)
{
	struct usb_hid_dev *d = arg;

	d->stall_timer = 0;
	if (d->h == NULL)
		return;
	libusb_clear_halt(d->h, d->ep);
	submit(d);
}

static void LIBUSB_CALL
xfer_done(struct libusb_transfer *t)
{
	struct usb_hid_dev *d = t->user_data;

	d->busy = 0;
	if (d->lost) {
		schedule_close(d->owner);
		return;
	}
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		d->ops.report(
		    d->arg, t->buffer, t->actual_length > 0 ? (size_t)t->actual_length : 0);
		/* the owner may not close from here: d is still ours */
		submit(d);
		break;
	case LIBUSB_TRANSFER_OVERFLOW:
		d->ops.bad(d->arg, "report longer than the endpoint's packets");
		submit(d);
		break;
	case LIBUSB_TRANSFER_STALL:
		d->ops.bad(d->arg, "endpoint stalled; clearing it");
		/* clear_halt is synchronous: not from inside event handling */
		d->stall_timer = loop_add_timer(d->owner->loop, STALL_RETRY_MS, stall_retry, d);
		break;
	case LIBUSB_TRANSFER_CANCELLED: break;
	case LIBUSB_TRANSFER_NO_DEVICE: lose(d, USB_HID_UNPLUGGED); break;
	default: lose(d, USB_HID_READ_ERROR); break;
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
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
	    LIBUSB_DT_STRING << 8, 0, buf, sizeof(buf), CTRL_TIMEOUT_MS);
	if (r < 4)
		return -1;
	lang = (uint16_t)(buf[2] | buf[3] << 8);
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
	    (uint16_t)(LIBUSB_DT_STRING << 8 | idx), lang, buf, sizeof(buf), CTRL_TIMEOUT_MS);
	if (r < 2 || buf[1] != LIBUSB_DT_STRING || buf[0] > r)
		return -1;
	for (i = 2; i + 1 < buf[0] && (size_t)o + 1 < outlen; i += 2)
		out[o++] = (buf[i + 1] == 0 && buf[i] >= 0x20 && buf[i] < 0x7f) ? (char)buf[i]
										: '?';
	out[o] = '\0';
	return 0;
}

/*
 * Picks the HID interface with an interrupt IN endpoint. Returns 0 and
 * fills d, or -1 when the device has none.
 */
static int
find_hid_endpoint(struct usb_hid_dev *d, int *boot_kbd)
{
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *id;
	const struct libusb_endpoint_descriptor *ep;
	int i, e, found = -1;

	if (libusb_get_active_config_descriptor(d->dev, &cfg) != 0)
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
			d->iface = id->bInterfaceNumber;
			d->ep = ep->bEndpointAddress;
			d->maxpkt = ep->wMaxPacketSize;
			*boot_kbd = id->bInterfaceSubClass == 1 && id->bInterfaceProtocol == 1;
			found = 0;
			break;
		}
	}
	libusb_free_config_descriptor(cfg);
	return found;
}

/*
 * A boot keyboard is asked for boot reports without repeats; any other
 * HID interface for its report descriptor, which says what it sends.
 * Returns the descriptor's length in desc (0 when none was read).
 */
static size_t
describe(struct usb_hid_dev *d, int boot_kbd, unsigned char *desc, size_t len)
{
	int n;

	if (boot_kbd) {
		/* SET_PROTOCOL(boot), SET_IDLE(0); failures are harmless */
		libusb_control_transfer(
		    d->h, 0x21, 0x0b, 0, (uint16_t)d->iface, NULL, 0, CTRL_TIMEOUT_MS);
		libusb_control_transfer(
		    d->h, 0x21, 0x0a, 0, (uint16_t)d->iface, NULL, 0, CTRL_TIMEOUT_MS);
		return 0;
	}
	n = libusb_control_transfer(d->h, LIBUSB_ENDPOINT_IN | LIBUSB_RECIPIENT_INTERFACE,
	    LIBUSB_REQUEST_GET_DESCRIPTOR, 0x22 << 8, (uint16_t)d->iface, desc, (uint16_t)len,
	    CTRL_TIMEOUT_MS);
	return n > 0 ? (size_t)n : 0;
}

static void
open_failed(struct usb_hid_dev *d, libusb_device *dev, const char *what, int r)
{
	char msg[160];
	int bus = libusb_get_bus_number(dev);
	int addr = libusb_get_device_address(dev);

	if (d->failed_bus == bus && d->failed_addr == addr)
		return; /* said once for this device */
	d->failed_bus = bus;
	d->failed_addr = addr;
	snprintf(msg, sizeof(msg), "cannot use USB device %03d/%03d: %s: %s", bus, addr, what,
	    libusb_error_name(r));
	d->ops.failed(d->arg, msg);
}

/* Is the open device the unit the spec names (its serial)? */
static int
is_our_unit(struct usb_hid_dev *d, const struct libusb_device_descriptor *dd)
{
	char serial[128];

	return d->spec.serial[0] == '\0' ||
	    (read_string(d->h, dd->iSerialNumber, serial, sizeof(serial)) == 0 &&
		strcmp(serial, d->spec.serial) == 0);
}

/* Allocates and submits the interrupt IN transfer. 0 / -1 (r: libusb's). */
static int
start_reading(struct usb_hid_dev *d, int *r)
{
	if (d->maxpkt <= 0 || d->maxpkt > 1024)
		d->maxpkt = 64;
	*r = LIBUSB_ERROR_NO_MEM;
	if ((d->xfer = libusb_alloc_transfer(0)) == NULL)
		return -1;
	/* zeroed: umockdev forwards the whole IN buffer, valgrind checks it */
	if ((d->xfer->buffer = calloc(1, (size_t)d->maxpkt)) == NULL) {
		libusb_free_transfer(d->xfer);
		d->xfer = NULL;
		return -1;
	}
	libusb_fill_interrupt_transfer(
	    d->xfer, d->h, d->ep, d->xfer->buffer, d->maxpkt, xfer_done, d, 0);
	d->xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	if ((*r = libusb_submit_transfer(d->xfer)) != 0) {
		libusb_free_transfer(d->xfer);
		d->xfer = NULL;
		return -1;
	}
	d->busy = 1;
	return 0;
}

/* Opens, claims and starts reading dev for d. 0 / -1 (dev left alone). */
static int
attach(struct usb_hid_dev *d, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	struct usb_hid_info info;
	unsigned char desc[1024];
	int r, boot_kbd = 0;

	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return -1;
	if ((r = libusb_open(dev, &d->h)) != 0) {
		d->h = NULL;
		open_failed(d, dev, "open", r);
		return -1;
	}
	d->dev = libusb_ref_device(dev);
	if (!is_our_unit(d, &dd))
		goto fail_open; /* same model, another unit: not ours */
	if (find_hid_endpoint(d, &boot_kbd) == -1) {
		open_failed(d, dev, "no HID interrupt IN endpoint", LIBUSB_ERROR_NOT_SUPPORTED);
		goto fail_open;
	}
	libusb_set_auto_detach_kernel_driver(d->h, 1);
	if ((r = libusb_claim_interface(d->h, d->iface)) != 0) {
		open_failed(d, dev, "claim interface", r);
		goto fail_open;
	}
	memset(&info, 0, sizeof(info));
	info.report_desc_len = describe(d, boot_kbd, desc, sizeof(desc));
	info.report_desc = info.report_desc_len > 0 ? desc : NULL;
	if (start_reading(d, &r) == -1) {
		if (r != LIBUSB_ERROR_NO_MEM)
			open_failed(d, dev, "submit", r);
		goto fail_claimed;
	}
	d->failed_bus = d->failed_addr = 0;
	info.vid = dd.idVendor;
	info.pid = dd.idProduct;
	info.bus = libusb_get_bus_number(dev);
	info.addr = libusb_get_device_address(dev);
	info.boot_kbd = boot_kbd;
	d->ops.attached(d->arg, &info);
	return 0;

fail_claimed:
	libusb_release_interface(d->h, d->iface);
fail_open:
	libusb_close(d->h);
	d->h = NULL;
	libusb_unref_device(d->dev);
	d->dev = NULL;
	return -1;
}

/* Does dev fit d's spec? Uses only cached descriptors: opens nothing. */
static int
matches(const struct usb_hid_dev *d, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	uint8_t ports[USB_HID_MAX_PORTS];
	int n;

	if (d->spec.kind == USB_HID_BY_ID) {
		if (libusb_get_device_descriptor(dev, &dd) != 0)
			return 0;
		return dd.idVendor == d->spec.vid && dd.idProduct == d->spec.pid;
	}
	if (libusb_get_bus_number(dev) != d->spec.bus)
		return 0;
	n = libusb_get_port_numbers(dev, ports, USB_HID_MAX_PORTS);
	return n == d->spec.nports && memcmp(ports, d->spec.ports, (size_t)n) == 0;
}

static int
in_use(const struct usb_hid *uh, libusb_device *dev)
{
	size_t i;

	for (i = 0; i < uh->n; i++)
		if (uh->v[i]->dev == dev)
			return 1;
	return 0;
}

static void
rescan(void *arg)
{
	struct usb_hid *uh = arg;
	libusb_device **list;
	ssize_t nd, k;
	size_t i;
	int absent = 0;

	uh->rescan_timer = 0;
	if ((nd = libusb_get_device_list(uh->ctx, &list)) < 0) {
		schedule_rescan(uh, USB_HID_RESCAN_MS);
		return;
	}
	for (i = 0; i < uh->n; i++) {
		struct usb_hid_dev *d = uh->v[i];

		if (d->h != NULL)
			continue;
		for (k = 0; k < nd && d->h == NULL; k++)
			if (matches(d, list[k]) && !in_use(uh, list[k]))
				attach(d, list[k]);
		if (d->h == NULL)
			absent = 1;
	}
	libusb_free_device_list(list, 1);
	if (absent)
		schedule_rescan(uh, USB_HID_RESCAN_MS);
}

static void
schedule_rescan(struct usb_hid *uh, int64_t ms)
{
	if (uh->rescan_timer > 0) {
		if (ms > 0)
			return; /* one is pending already */
		loop_cancel_timer(uh->loop, uh->rescan_timer);
	}
	uh->rescan_timer = loop_add_timer(uh->loop, ms, rescan, uh);
	if (uh->rescan_timer == -1) {
		uh->rescan_timer = 0;
		log_warn("usb: cannot arm the rescan timer");
	}
}

/*
 * Hot-plug events arrive from inside libusb event handling, where opening
 * and closing devices is not allowed: note them and act from a loop timer.
 */
static void
lost_check(void *arg)
{
	struct usb_hid *uh = arg;
	size_t i;

	uh->lost_timer = 0;
	for (i = 0; i < uh->n; i++) {
		struct usb_hid_dev *d = uh->v[i];

		if (d->left) {
			d->left = 0;
			if (d->dev != NULL && !d->lost)
				lose(d, USB_HID_UNPLUGGED);
		}
		if (d->lost && !d->busy && d->dev != NULL)
			close_device(d);
	}
}

static void
schedule_close(struct usb_hid *uh)
{
	if (uh->lost_timer == 0)
		uh->lost_timer = loop_add_timer(uh->loop, 0, lost_check, uh);
	if (uh->lost_timer == -1)
		uh->lost_timer = 0;
}

static int LIBUSB_CALL
hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev, void *arg)
{
	struct usb_hid *uh = arg;
	size_t i;

	(void)ctx;
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		schedule_rescan(uh, 0);
		return 0;
	}
	for (i = 0; i < uh->n; i++)
		if (uh->v[i]->dev == dev && !uh->v[i]->lost) {
			uh->v[i]->left = 1; /* lost_check will handle it */
			schedule_close(uh);
		}
	return 0;
}

/* ---- public ---- */

struct usb_hid *
usb_hid_new(struct loop *loop)
{
	struct usb_hid *uh;
	int r;

	if ((uh = calloc(1, sizeof(*uh))) == NULL) {
		log_warn("usb: calloc");
		return NULL;
	}
	uh->loop = loop;
	if ((r = libusb_init(&uh->ctx)) != 0) {
		log_warnx("usb: libusb_init: %s", libusb_error_name(r));
		free(uh);
		return NULL;
	}
	if (hook_pollfds(uh) == -1) {
		unhook_pollfds(uh);
		libusb_exit(uh->ctx);
		free(uh);
		return NULL;
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(uh->ctx,
		LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
		LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		hotplug, uh, &uh->hp) == 0)
		uh->has_hotplug = 1;
	return uh;
}

struct usb_hid_dev *
usb_hid_add(
    struct usb_hid *uh, const struct usb_hid_spec *spec, const struct usb_hid_ops *ops, void *arg)
{
	struct usb_hid_dev *d, **nv;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	/* the type, not *nv: clang-tidy reads sizeof(*nv) as a pointer mistake */
	if ((nv = realloc(uh->v, (uh->n + 1) * sizeof(struct usb_hid_dev *))) == NULL) {
		free(d);
		return NULL;
	}
	d->owner = uh;
	d->spec = *spec;
	d->ops = *ops;
	d->arg = arg;
	uh->v = nv;
	uh->v[uh->n++] = d;
	rescan(uh);
	return d;
}

int
usb_hid_dev_is_attached(const struct usb_hid_dev *d)
{
	return d->h != NULL && !d->lost;
}

/* Cancels every transfer and runs libusb until their callbacks came back. */
static void
drain_transfers(struct usb_hid *uh)
{
	struct timeval tv = { 0, 20000 };
	int64_t until = loop_now_ms() + FREE_DRAIN_MS;
	size_t i;
	int busy;

	for (i = 0; i < uh->n; i++)
		if (uh->v[i]->busy) {
			uh->v[i]->lost = 1; /* callback closes it */
			libusb_cancel_transfer(uh->v[i]->xfer);
		}
	do {
		busy = 0;
		for (i = 0; i < uh->n; i++)
			busy |= uh->v[i]->busy;
		if (busy)
			libusb_handle_events_timeout_completed(uh->ctx, &tv, NULL);
	} while (busy && loop_now_ms() < until);
}

void
usb_hid_free(struct usb_hid *uh)
{
	size_t i;

	if (uh == NULL)
		return;
	if (uh->has_hotplug)
		libusb_hotplug_deregister_callback(uh->ctx, uh->hp);
	drain_transfers(uh);
	for (i = 0; i < uh->n; i++) {
		struct usb_hid_dev *d = uh->v[i];

		if (d->busy) /* never came back: leak it, not crash */
			d->xfer = NULL;
		close_device(d);
		free(d);
	}
	free(uh->v);
	if (uh->rescan_timer > 0)
		loop_cancel_timer(uh->loop, uh->rescan_timer);
	if (uh->lost_timer > 0)
		loop_cancel_timer(uh->loop, uh->lost_timer);
	unhook_pollfds(uh);
	libusb_exit(uh->ctx);
	free(uh);
}
