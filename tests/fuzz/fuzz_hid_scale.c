/*
 * libFuzzer target: the HID POS scale report decoder (drivers/hid_scale.c)
 * and the descriptor check. The input is cut into reports, each preceded
 * by a length byte (1..16); the whole input is also read as a descriptor.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/hid_scale.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct hid_scale_reading r;
	char why[96], text[160], w[32];
	size_t i, n;

	(void)hid_scale_desc_is_scale(data, len);
	for (i = 0; i < len; i += n) {
		n = data[i] % 16 + 1;
		i++;
		if (n > len - i)
			n = len - i;
		why[0] = '\0';
		if (hid_scale_decode(data + i, n, &r, why, sizeof(why)) == -1) {
			if (why[0] == '\0')
				__builtin_trap(); /* a refusal always says why */
			continue;
		}
		/* a decoded reading is in range and says itself in words */
		if (r.status < SCALE_FAULT || r.status > SCALE_REZERO || r.exponent < -9 ||
		    r.exponent > 9 ||
		    (r.stable && r.status != SCALE_STABLE && r.status != SCALE_ZERO) ||
		    (r.mg < 0 && r.status != SCALE_UNDER_ZERO))
			__builtin_trap();
		hid_scale_describe(&r, text, sizeof(text));
		hid_scale_format_grams(hid_scale_grams(&r), w, sizeof(w));
		if (text[0] == '\0' || w[0] == '\0')
			__builtin_trap();
	}
	return 0;
}
