/*
 * USB HID POS scales (usage page 0x8D) read with libusb inside the
 * daemon's poll loop, on the generic USB HID layer (drivers/usb_hid.h),
 * which does the device part (matching, claim, hot-plug, loss); this part
 * decodes the weight reports and remembers each bench's current reading.
 */
#ifndef DRIVERS_SCALE_H
#define DRIVERS_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/hid_scale.h"

struct loop;
struct scales;

/*
 * station's scale says something new (status or weight changed). r is
 * valid only during the call. Called from the loop; must not block long.
 */
typedef void (*scale_weight_cb)(void *arg, const char *station, const struct hid_scale_reading *r);

/*
 * Something happened to station's scale. connected is 1 (attached),
 * 0 (unplugged or lost), -1 (a state the packer must act on: under zero,
 * over weight, fault, calibration, re-zeroing; or malformed reports,
 * at most one a second). message is valid only during the call.
 */
typedef void (*scale_alert_cb)(void *arg, const char *station, int connected, const char *message);

/* Creates the libusb side; NULL on failure (logged). */
struct scales *scales_new(
    struct loop *, scale_weight_cb on_weight, scale_alert_cb on_alert, void *arg);

/*
 * Reads station's scale named by spec (usb:VID:PID[:SERIAL] or
 * usb-port:BUS-PORT[.PORT...]); an absent scale is waited for.
 * Returns 0, or -1 with a message in err.
 */
int scales_add(struct scales *, const char *station, const char *spec, char *err, size_t errlen);

/* Validates a spec without touching USB. 0 or -1 + err. */
int scale_spec_check(const char *spec, char *err, size_t errlen);

/*
 * station's scale now: -1 when station has no scale (or ss is NULL);
 * 0 when it is configured but absent or has sent nothing yet; 1 with *r
 * its latest reading (stable or not: see r->stable).
 */
int scales_station_reading(const struct scales *, const char *station, struct hid_scale_reading *r);

/* 1: station's scale is attached now, 0: configured but absent, -1: none. */
int scales_station_connected(const struct scales *, const char *station);

/* Number of scales attached now. */
int scales_count_connected(const struct scales *);

/* Releases every scale (kernel drivers come back). NULL is a no-op. */
void scales_free(struct scales *);

#endif
