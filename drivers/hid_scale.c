/* HID POS scale report decoding: units and exponents to milligrams. */
#include <stdio.h>
#include <string.h>

#include "drivers/hid_scale.h"

/*
 * Milligrams per unit, by the report's unit code (HID POS usage tables,
 * Weight Unit 0x50: 0x51 milligram ... 0x5C pound, sent as 1..12).
 * Zero: a unit this decoder does not know.
 */
static const double unit_mg[] = {
	[1] = 1.0,	     /* milligram */
	[2] = 1000.0,	     /* gram */
	[3] = 1000000.0,     /* kilogram */
	[4] = 200.0,	     /* carat */
	[5] = 37799.364167,  /* tael (Hong Kong) */
	[6] = 64.79891,	     /* grain */
	[7] = 1555.17384,    /* pennyweight */
	[8] = 1000000000.0,  /* metric ton */
	[9] = 907184740.0,   /* avoirdupois (short) ton */
	[10] = 31103.4768,   /* troy ounce */
	[11] = 28349.523125, /* ounce */
	[12] = 453592.37,    /* pound */
};

int
hid_scale_decode(
    const uint8_t *b, size_t len, struct hid_scale_reading *r, char *why, size_t whylen)
{
	struct hid_scale_reading v;
	double mg;
	int e;

	if (len < HID_SCALE_REPORT_LEN) {
		snprintf(
		    why, whylen, "scale report of %zu bytes (want %d)", len, HID_SCALE_REPORT_LEN);
		return -1;
	}
	if (b[0] != HID_SCALE_REPORT_ID) {
		snprintf(why, whylen, "scale report id %u ignored", b[0]);
		return -1;
	}
	if (b[1] < SCALE_FAULT || b[1] > SCALE_REZERO) {
		snprintf(why, whylen, "scale status %u unknown", b[1]);
		return -1;
	}
	if (b[2] == 0 || b[2] >= sizeof(unit_mg) / sizeof(unit_mg[0])) {
		snprintf(why, whylen, "scale unit %u unknown", b[2]);
		return -1;
	}
	/* the exponent is a signed byte: two's complement by hand */
	e = b[3] < 0x80 ? (int)b[3] : (int)b[3] - 256;
	/* a real scale's scaling is a few digits either way */
	if (e < -9 || e > 9) {
		snprintf(why, whylen, "scale exponent %d out of range", e);
		return -1;
	}
	memset(&v, 0, sizeof(v));
	v.status = (enum hid_scale_status)b[1];
	v.unit = b[2];
	v.exponent = e;
	v.raw = (unsigned)b[4] | (unsigned)b[5] << 8;
	mg = (double)v.raw * unit_mg[v.unit];
	for (; e > 0; e--)
		mg *= 10.0;
	for (; e < 0; e++)
		mg /= 10.0;
	/* tons times 10^9 does not fit: no shipping scale weighs a million kg */
	if (mg >= 1e15) {
		snprintf(why, whylen, "scale weight out of range (unit %u, exponent %d)", b[2],
		    v.exponent);
		return -1;
	}
	v.mg = (int64_t)(mg + 0.5);
	/* Under zero the field carries the magnitude; the status is the sign. */
	if (v.status == SCALE_UNDER_ZERO)
		v.mg = -v.mg;
	if (v.status == SCALE_ZERO)
		v.mg = 0;
	v.stable = v.status == SCALE_STABLE || v.status == SCALE_ZERO;
	*r = v;
	return 0;
}

int64_t
hid_scale_grams(const struct hid_scale_reading *r)
{
	return r->mg >= 0 ? (r->mg + 500) / 1000 : -((-r->mg + 500) / 1000);
}

void
hid_scale_format_grams(int64_t g, char *buf, size_t len)
{
	/* as the label prints it (labels/label.c) */
	if (g >= 1000 || g <= -1000)
		snprintf(buf, len, "%.2f kg", (double)g / 1000.0);
	else
		snprintf(buf, len, "%lld g", (long long)g);
}

void
hid_scale_describe(const struct hid_scale_reading *r, char *buf, size_t len)
{
	char w[32];

	hid_scale_format_grams(hid_scale_grams(r), w, sizeof(w));
	switch (r->status) {
	case SCALE_FAULT: snprintf(buf, len, "fault"); break;
	case SCALE_ZERO:
	case SCALE_STABLE: snprintf(buf, len, "%s", w); break;
	case SCALE_MOTION: snprintf(buf, len, "in motion (%s)", w); break;
	case SCALE_UNDER_ZERO: snprintf(buf, len, "under zero (%s): re-zero the scale", w); break;
	case SCALE_OVER_WEIGHT:
		snprintf(buf, len, "over weight: the box is too heavy for the scale");
		break;
	case SCALE_CALIBRATE: snprintf(buf, len, "requires calibration"); break;
	case SCALE_REZERO: snprintf(buf, len, "requires re-zeroing"); break;
	}
}

int
hid_scale_desc_is_scale(const unsigned char *d, size_t n)
{
	size_t i = 0, size;

	while (d != NULL && i < n) {
		uint8_t b = d[i];

		if (b == 0xfe) { /* long item */
			if (i + 1 >= n)
				return 0;
			i += 3 + (size_t)d[i + 1];
			continue;
		}
		size = (b & 3) == 3 ? 4 : (b & 3);
		/* global Usage Page item: tag 0, type 1 */
		if ((b & 0xfc) == 0x04 && i + size < n && size >= 1) {
			unsigned page = d[i + 1];

			if (size >= 2)
				page |= (unsigned)d[i + 2] << 8;
			if (page == 0x8d)
				return 1;
		}
		i += 1 + size;
	}
	return 0;
}
