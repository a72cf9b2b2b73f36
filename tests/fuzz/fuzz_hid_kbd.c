/*
 * libFuzzer target: the HID keyboard decoder. The input is cut into
 * reports: each starts with a length byte (mod 16, so 8-byte reports are
 * common and odd lengths are tried too); the first byte picks the layout.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/hid_kbd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
on_scan(void *arg, const char *code, size_t len)
{
	(void)arg;
	/* the contract: never empty, NUL-terminated at len */
	if (len == 0 || code[len] != '\0' || len > HID_SCAN_MAX)
		__builtin_trap();
}

static void
on_bad(void *arg, const char *why)
{
	(void)arg;
	if (why == NULL || strlen(why) == 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum hid_kbd_layout layouts[] = { HID_KBD_US, HID_KBD_DE, HID_KBD_FR };
	struct hid_kbd_sink sink = { on_scan, on_bad, NULL };
	struct hid_kbd *k;
	size_t i, n;

	if (len == 0)
		return 0;
	if ((k = hid_kbd_new(layouts[data[0] % 3])) == NULL)
		return 0;
	for (i = 1; i < len; i += n) {
		n = data[i] % 16;
		if (n == 0 || n == 8 || n > 9)
			n = 8;
		i++;
		if (n > len - i)
			n = len - i;
		hid_kbd_feed(k, data + i, n, &sink);
	}
	(void)hid_kbd_reset(k);
	hid_kbd_free(k);
	return 0;
}
