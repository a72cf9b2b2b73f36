/* SSCC-18: (00) extension + company prefix + serial reference + check digit. */
#include <stdio.h>
#include <string.h>

#include "station/core/sscc.h"

int
sscc_check_digit(const char *digits, int n)
{
	int i, sum = 0, w = 3;

	/* GS1: weights 3,1,3,... from the rightmost digit. */
	for (i = n - 1; i >= 0; i--) {
		sum += (digits[i] - '0') * w;
		w = w == 3 ? 1 : 3;
	}
	return (10 - sum % 10) % 10;
}

int
sscc_make(const char *prefix, int64_t serial, char out[19])
{
	int plen = (int)strlen(prefix), width = 16 - plen, i;
	int64_t space = 1;
	char buf[32];
	int n;

	if (plen < 6 || plen > 12 || serial < 0)
		return -1;
	for (i = 0; i < width; i++)
		space *= 10;
	if (serial >= space * 10)
		return -1;
	/* 1 extension digit + prefix + serial reference: exactly 17 digits */
	n = snprintf(buf, sizeof(buf), "%d%s%0*lld", (int)(serial / space), prefix, width,
	    (long long)(serial % space));
	if (n != 17)
		return -1;
	memcpy(out, buf, 17);
	out[17] = (char)('0' + sscc_check_digit(out, 17));
	out[18] = '\0';
	return 0;
}
