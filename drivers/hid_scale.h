/*
 * Decoder for HID POS scale reports (usage page 0x8D, "Scale Data
 * Report"), as Dymo, Mettler Toledo, Stamps.com, Fairbanks and the generic
 * USB shipping scales send them: 6 bytes, [report id 3, status, unit,
 * signed power-of-ten exponent, weight low, weight high]. Pure logic.
 */
#ifndef DRIVERS_HID_SCALE_H
#define DRIVERS_HID_SCALE_H

#include <stddef.h>
#include <stdint.h>

#define HID_SCALE_REPORT_ID  3
#define HID_SCALE_REPORT_LEN 6

/* The report's status byte (HID POS usage tables, Scale Status 0x70). */
enum hid_scale_status {
	SCALE_FAULT = 1,
	SCALE_ZERO = 2,	  /* stable at zero */
	SCALE_MOTION = 3, /* in motion: not a reading yet */
	SCALE_STABLE = 4,
	SCALE_UNDER_ZERO = 5, /* negative: tare the scale */
	SCALE_OVER_WEIGHT = 6,
	SCALE_CALIBRATE = 7, /* requires calibration */
	SCALE_REZERO = 8     /* requires re-zeroing */
};

struct hid_scale_reading {
	enum hid_scale_status status;
	int unit;     /* the report's unit code (2 g, 3 kg, 11 oz, 12 lb, ...) */
	int exponent; /* the report's scaling, signed */
	unsigned raw; /* the report's weight field */
	int64_t mg;   /* the weight in milligrams, negative under zero */
	int stable;   /* 1: a stable reading that counts (stable or stable zero) */
};

/*
 * Decodes one interrupt report. Returns 0 with *r filled, or -1 with a
 * reason in why (report id, length, status, unit or exponent unknown).
 */
int hid_scale_decode(
    const uint8_t *report, size_t len, struct hid_scale_reading *r, char *why, size_t whylen);

/* Grams, rounded half away from zero. */
int64_t hid_scale_grams(const struct hid_scale_reading *);

/* "1.24 kg", "850 g", "-12 g": a weight in grams as shown to packers. */
void hid_scale_format_grams(int64_t grams, char *buf, size_t len);

/*
 * What the scale says, for `stationctl status` and alerts: "1.24 kg",
 * "0 g", "in motion", "under zero (-12 g): re-zero the scale",
 * "over weight", "fault", "requires calibration", "requires re-zeroing".
 */
void hid_scale_describe(const struct hid_scale_reading *, char *buf, size_t len);

/* Does a HID report descriptor declare the scale page 0x8D? */
int hid_scale_desc_is_scale(const unsigned char *desc, size_t len);

#endif
