/*
 * A scriptable fake USB barcode scanner for tests, on umockdev: it adds
 * devices to a umockdev testbed and answers their usbfs ioctls itself
 * (claim, kernel driver detach/reattach, control requests, interrupt
 * URBs), so the real libusb code runs against it. The ioctl answers run
 * in umockdev's worker thread; every function here is safe to call from
 * the test's main thread while libusb runs there.
 */
#ifndef TESTS_FAKE_USB_H
#define TESTS_FAKE_USB_H

#include <stddef.h>
#include <stdint.h>

struct fake_usb;
struct fake_dev;

enum fake_kind {
	FAKE_KBD,   /* boot keyboard, 8-byte reports */
	FAKE_POS,   /* HID POS (usage page 0x8C), 64-byte reports */
	FAKE_SCALE, /* HID POS scale (usage page 0x8D), 6-byte reports (fake_dev_send) */
};

struct fake_stats {
	int opens;	   /* usbfs node opened (client connections) */
	int claims;	   /* interface claims */
	int detaches;	   /* kernel driver detached */
	int reattaches;	   /* kernel driver given back */
	int claimed;	   /* claimed now */
	int kernel_driver; /* kernel driver bound now */
	int urbs_pending;  /* interrupt URBs waiting for a report */
	int queued;	   /* reports not yet delivered */
};

/*
 * Makes sure this process runs with libumockdev-preload (re-executes
 * itself with LD_PRELOAD set when not). Call first thing in main().
 * Returns only when the preload is active, or -1 if exec failed.
 */
int fake_usb_reexec(char **argv);

/* A new empty testbed; NULL on failure. Call before libusb_init. */
struct fake_usb *fake_usb_new(void);
/* Removes everything; NULL is a no-op. */
void fake_usb_free(struct fake_usb *);

/*
 * Plugs a scanner in at bus 1, root port `port` (sysfs 1-PORT), with the
 * next free device number; serial may be NULL. Sends the "add" uevent.
 * The returned device stays valid until fake_usb_free (for stats).
 */
struct fake_dev *fake_usb_plug(
    struct fake_usb *, enum fake_kind, uint16_t vid, uint16_t pid, const char *serial, int port);
/*
 * Unplugs: in-flight URBs complete with -ESHUTDOWN, later ioctls fail
 * with ENODEV, a "remove" uevent goes out and the device disappears.
 */
void fake_usb_unplug(struct fake_usb *, struct fake_dev *);

/* Queues one raw interrupt report (delivered to the next URB). */
void fake_dev_send(struct fake_dev *, const uint8_t *report, size_t len);
/*
 * Types ASCII text as a US keyboard scanner would (press, release);
 * '\n' is Enter, '\t' Tab, 0x1d Ctrl+].
 */
void fake_dev_type_us(struct fake_dev *, const char *text);
/* Sends data as HID POS reports (59 data bytes each) with AIM id aim. */
void fake_dev_pos_scan(struct fake_dev *, const char *aim, const char *data, size_t len);
/* Makes the next interrupt URB fail with a stall (-EPIPE). */
void fake_dev_stall(struct fake_dev *);

void fake_dev_stats(struct fake_dev *, struct fake_stats *);

#endif
