/*
 * USB barcode scanners read with libusb inside the daemon's poll loop, on
 * the generic USB HID layer (drivers/usb_hid.h), which does the device
 * part; this part decodes the reports and says which station scanned.
 *
 * One libusb context serves every bench. Each configured scanner is matched
 * by its spec only (a device nobody named is never opened), its kernel
 * driver is detached while in use and given back on unplug or free, and
 * its interrupt reports are decoded as a boot keyboard (with a layout) or
 * as a HID POS scanner (usage page 0x8C). Everything runs from the loop:
 * no threads of our own, no blocking except short control requests
 * (<= 250 ms) while a matching device is being opened.
 */
#ifndef DRIVERS_SCANNER_H
#define DRIVERS_SCANNER_H

#include <stddef.h>

struct loop;
struct scanners;

/*
 * A complete scan for station. code is a NUL-terminated UTF-8 string (the
 * GS1 group separator is kept as byte 0x1D; never contains the Enter/Tab
 * terminator); aim is the AIM symbology identifier ("]C1", "]E0", ...) or
 * "" when the scanner sent none. Both strings are owned by the driver and
 * valid only during the call. Called from the loop; must not block long.
 */
typedef void (*scanner_scan_cb)(void *arg, const char *station, const char *code, const char *aim);

/*
 * Something happened to station's scanner. connected is
 *   1  scanner attached and claimed (at start or after a replug),
 *   0  scanner unplugged or lost (message says why; a scan cut off by the
 *      unplug is dropped and said so in a separate -1 event),
 *  -1  malformed input dropped (error rollover, unknown key usage, wrong
 *      report length, overlong scan, cut-off scan, stalled endpoint).
 *      These are rate-limited per scanner (a burst of 5, then one a
 *      second; suppressed ones are counted in the next message).
 * message is owned by the driver and valid only during the call. The
 * callback is expected to log it: the driver logs alerts itself only at
 * debug level (or as warnings when on_alert is NULL).
 */
typedef void (*scanner_alert_cb)(
    void *arg, const char *station, int connected, const char *message);

/*
 * Creates the libusb context and hooks its fds and timeouts into loop.
 * Returns NULL on failure (logged). Opens no device by itself.
 */
struct scanners *scanners_new(
    struct loop *, scanner_scan_cb on_scan, scanner_alert_cb on_alert, void *arg);

/*
 * Reads station's scanner described by spec:
 *   usb:VID:PID            (hex, e.g. usb:05e0:1200)
 *   usb:VID:PID:SERIAL     (the iSerialNumber string must match exactly)
 *   usb-port:BUS-PORT[.PORT...]   (e.g. usb-port:1-1.2)
 * layout is "us" (default when NULL or ""), "de" or "fr"; it applies to
 * keyboard-mode scanners. A device absent now is waited for (hot-plug).
 * station is copied. Returns 0, or -1 with a message in err.
 * Does not block except for opening a matching present device.
 */
int scanners_add(struct scanners *, const char *station, const char *spec, const char *layout,
    char *err, size_t errlen);

/* Validates a spec / layout string without touching USB. 0 or -1 + err. */
int scanner_spec_check(const char *spec, char *err, size_t errlen);
int scanner_layout_check(const char *layout, char *err, size_t errlen);

/*
 * Number of configured scanners currently attached and claimed; for
 * status displays and tests.
 */
int scanners_count_connected(const struct scanners *);

/*
 * 1 if station's scanner is attached and claimed now, 0 if it is
 * configured but absent (waiting, unplugged), -1 if station has none.
 * NULL scanners: -1. For `stationctl status`.
 */
int scanners_station_connected(const struct scanners *, const char *station);

/*
 * Cancels transfers, releases interfaces, reattaches kernel drivers,
 * unhooks from the loop and frees everything. NULL is a no-op. Runs the
 * libusb event handling it needs to reap cancelled transfers (bounded).
 */
void scanners_free(struct scanners *);

#endif
