/*
 * Decoder for HID POS barcode scanner reports (usage page 0x8C): byte 0
 * is the count of data bytes in this report, bytes 1-3 the AIM symbology
 * identifier ("]C1"; zeros when none), data from byte 4, and a non-zero
 * last byte means more reports of the same scan follow. Pure logic.
 */
#ifndef DRIVERS_HID_POS_H
#define DRIVERS_HID_POS_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/hid_kbd.h" /* HID_SCAN_MAX */

/*
 * scan gets a complete code (NUL-terminated, len bytes, trailing CR/LF
 * removed, never empty) and its AIM id ("" if none); bad gets a reason
 * when input is dropped. Strings are valid only during the call.
 */
struct hid_pos_sink {
	void (*scan)(void *arg, const char *code, size_t len, const char *aim);
	void (*bad)(void *arg, const char *why);
	void *arg;
};

/* Returns a decoder, or NULL on allocation failure. */
struct hid_pos *hid_pos_new(void);
/* NULL is a no-op. */
void hid_pos_free(struct hid_pos *);

/* Feeds one interrupt report of len bytes; calls the sink synchronously. */
void hid_pos_feed(struct hid_pos *, const uint8_t *report, size_t len, const struct hid_pos_sink *);

/* Forgets a partly received scan; returns the bytes dropped (0: none). */
size_t hid_pos_reset(struct hid_pos *);

#endif
