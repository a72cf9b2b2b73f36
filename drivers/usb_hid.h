/*
 * Generic USB HID devices read with libusb inside the daemon's poll loop:
 * the part a barcode scanner, a scale or any other HID input device share.
 *
 * One manager (one libusb context) serves every device. Each registered
 * device is matched by its spec only (a device nobody named is never
 * opened); its HID interface is claimed with the kernel driver detached
 * while in use and given back on loss or free; its interrupt IN reports
 * are handed to the owner raw. Absent devices are looked for every
 * USB_HID_RESCAN_MS and on hot-plug arrival. Everything runs from the
 * loop: no threads, no blocking except short control requests (<= 250 ms)
 * while a matching device is being opened. What the reports mean is the
 * owner's business (drivers/scanner.c decodes keyboard and POS reports).
 */
#ifndef DRIVERS_USB_HID_H
#define DRIVERS_USB_HID_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct usb_hid;	    /* the manager */
struct usb_hid_dev; /* one configured device, present or not */

#define USB_HID_RESCAN_MS 500
#define USB_HID_MAX_PORTS 7

/* What names a device: usb:VID:PID[:SERIAL] or usb-port:BUS-PORT[.PORT...]. */
struct usb_hid_spec {
	enum { USB_HID_BY_ID, USB_HID_BY_PORT } kind;
	uint16_t vid, pid;
	char serial[128]; /* "" = any unit of that model */
	uint8_t bus;
	uint8_t ports[USB_HID_MAX_PORTS];
	int nports;
};

/*
 * Parses "usb:VID:PID" (hex), "usb:VID:PID:SERIAL" (iSerialNumber must
 * match exactly) or "usb-port:BUS-PORT[.PORT...]" (e.g. usb-port:1-1.2).
 * Returns 0 and fills *sp, or -1 (sp undefined). Pure.
 */
int usb_hid_parse_spec(const char *text, struct usb_hid_spec *sp);

/* What was found when a device attached; valid only during the call. */
struct usb_hid_info {
	uint16_t vid, pid;
	int bus, addr;
	int boot_kbd;			  /* boot keyboard interface (set to boot protocol) */
	const unsigned char *report_desc; /* HID report descriptor; NULL when boot_kbd */
	size_t report_desc_len;
};

/* Why a device was lost. */
enum usb_hid_loss {
	USB_HID_UNPLUGGED,     /* hot-plug said it left, or no device any more */
	USB_HID_SUBMIT_FAILED, /* a read could not be started again */
	USB_HID_READ_ERROR     /* a read ended in an error */
};

/*
 * The owner's callbacks, all called from the loop, none may block long;
 * strings are valid only during the call.
 *   attached  the device is open, claimed and being read.
 *   report    one interrupt report of len bytes arrived.
 *   lost      the device went away or failed for good (why says which);
 *             it is looked for again.
 *   bad       input was dropped (report longer than the endpoint's
 *             packets, endpoint stalled); not rate-limited here.
 *   failed    a matching device cannot be used (open, claim, no HID
 *             endpoint); said once per device instance.
 */
struct usb_hid_ops {
	void (*attached)(void *arg, const struct usb_hid_info *);
	void (*report)(void *arg, const uint8_t *buf, size_t len);
	void (*lost)(void *arg, enum usb_hid_loss why);
	void (*bad)(void *arg, const char *why);
	void (*failed)(void *arg, const char *why);
};

/*
 * Creates the libusb context and hooks its fds and timeouts into loop.
 * Returns NULL on failure (logged). Opens no device by itself.
 */
struct usb_hid *usb_hid_new(struct loop *);

/*
 * Registers a device: looks for it at once (attached may be called
 * before this returns) and then whenever it is absent. ops (copied) and
 * arg are the owner's until usb_hid_free. Returns the device, or NULL on
 * allocation failure.
 */
struct usb_hid_dev *usb_hid_add(
    struct usb_hid *, const struct usb_hid_spec *, const struct usb_hid_ops *, void *arg);

/* 1 if the device is attached and claimed now, else 0. */
int usb_hid_dev_is_attached(const struct usb_hid_dev *);

/*
 * Cancels transfers, releases interfaces (the kernel driver comes back),
 * unhooks from the loop and frees the manager and every device. Calls no
 * callback. NULL is a no-op. Runs the libusb event handling it needs to
 * reap cancelled transfers (bounded, about a second at worst).
 */
void usb_hid_free(struct usb_hid *);

#endif
