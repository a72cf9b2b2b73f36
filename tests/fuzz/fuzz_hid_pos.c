/*
 * libFuzzer target: the HID POS decoder. The input is cut into reports,
 * each preceded by a length byte (1..64).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/hid_pos.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
on_scan(void *arg, const char *code, size_t len, const char *aim)
{
	(void)arg;
	if (len == 0 || code[len] != '\0' || len > HID_SCAN_MAX || aim == NULL || strlen(aim) > 3)
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
	struct hid_pos_sink sink = { on_scan, on_bad, NULL };
	struct hid_pos *p;
	size_t i, n;

	if ((p = hid_pos_new()) == NULL)
		return 0;
	for (i = 0; i < len; i += n) {
		n = data[i] % 64 + 1;
		i++;
		if (n > len - i)
			n = len - i;
		hid_pos_feed(p, data + i, n, &sink);
	}
	(void)hid_pos_reset(p);
	hid_pos_free(p);
	return 0;
}
