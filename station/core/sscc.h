/* SSCC-18 for packages: extension digit, GS1 company prefix, serial, mod-10 check. */
#ifndef STATION_SSCC_H
#define STATION_SSCC_H

#include <stdint.h>

/* The GS1 mod-10 check digit of digits[0..n-1] ('0'..'9'). */
int sscc_check_digit(const char *digits, int n);

/*
 * Writes the 18-digit SSCC for serial under prefix (6..12 digits) into out
 * (19 bytes with NUL). The serial's high digit becomes the extension digit.
 * Returns 0, or -1 if the serial no longer fits.
 */
int sscc_make(const char *prefix, int64_t serial, char out[19]);

#endif
