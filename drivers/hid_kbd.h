/*
 * Decoder for HID boot-keyboard reports as barcode scanners send them in
 * keyboard mode: modifier byte, reserved byte, six key codes. Pure logic,
 * no I/O; one decoder per scanner.
 */
#ifndef DRIVERS_HID_KBD_H
#define DRIVERS_HID_KBD_H

#include <stddef.h>
#include <stdint.h>

/* Longest scan kept; a longer one without a terminator is dropped. */
#define HID_SCAN_MAX 4096

enum hid_kbd_layout {
	HID_KBD_US,
	HID_KBD_DE,
	HID_KBD_FR,
};

/*
 * Where a decoder reports. scan gets a complete code (NUL-terminated,
 * len bytes, never empty, never with the terminator); bad gets a short
 * reason when input is dropped. Strings are valid only during the call.
 */
struct hid_kbd_sink {
	void (*scan)(void *arg, const char *code, size_t len);
	void (*bad)(void *arg, const char *why);
	void *arg;
};

/* "us" (also NULL or ""), "de", "fr" -> layout. 0, or -1 if unknown. */
int hid_kbd_layout_parse(const char *name, enum hid_kbd_layout *out);

/* Returns a decoder, or NULL on allocation failure. */
struct hid_kbd *hid_kbd_new(enum hid_kbd_layout);
/* NULL is a no-op. */
void hid_kbd_free(struct hid_kbd *);

/*
 * Feeds one interrupt report (8 bytes expected; other lengths are
 * reported as bad and ignored). Enter, keypad Enter or Tab ends a scan;
 * Ctrl+] (the key giving ']' in the layout) and Alt+keypad 029 give the
 * GS1 group separator 0x1D. Calls the sink synchronously.
 */
void hid_kbd_feed(struct hid_kbd *, const uint8_t *report, size_t len, const struct hid_kbd_sink *);

/*
 * Forgets the scan in progress (unplug). Returns how many bytes of a
 * partial scan were dropped (0 if none). Key state is cleared too.
 */
size_t hid_kbd_reset(struct hid_kbd *);

#endif
