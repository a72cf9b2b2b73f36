/* HID boot-keyboard report decoder with US, German and French layouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hid_kbd.h"

/* Modifier bits of byte 0. */
#define MOD_LCTRL  0x01
#define MOD_LSHIFT 0x02
#define MOD_LALT   0x04
#define MOD_RCTRL  0x10
#define MOD_RSHIFT 0x20
#define MOD_RALT   0x40
#define MOD_CTRL   (MOD_LCTRL | MOD_RCTRL)
#define MOD_SHIFT  (MOD_LSHIFT | MOD_RSHIFT)

/* Usages with a meaning of their own. */
#define KEY_ENTER    0x28
#define KEY_TAB	     0x2b
#define KEY_CAPS     0x39
#define KEY_NUMLOCK  0x53
#define KEY_KP_ENTER 0x58
#define KEY_KP_1     0x59
#define KEY_KP_0     0x62
#define KEY_SCROLL   0x47
#define KEY_NONUS    0x64

#define GS   "\x1d"
/* A level beginning with DEAD is a dead key for the accent after it. */
#define DEAD "\x7f"

/* What one key gives at the plain, Shift and AltGr levels. */
struct key {
	unsigned char usage;
	const char *lv[3];
};

/* US: also the fallback for every key a layout does not redefine. */
static const struct key us_keys[] = { { 0x1e, { "1", "!", NULL } }, { 0x1f, { "2", "@", NULL } },
	{ 0x20, { "3", "#", NULL } }, { 0x21, { "4", "$", NULL } }, { 0x22, { "5", "%", NULL } },
	{ 0x23, { "6", "^", NULL } }, { 0x24, { "7", "&", NULL } }, { 0x25, { "8", "*", NULL } },
	{ 0x26, { "9", "(", NULL } }, { 0x27, { "0", ")", NULL } }, { 0x2c, { " ", " ", NULL } },
	{ 0x2d, { "-", "_", NULL } }, { 0x2e, { "=", "+", NULL } }, { 0x2f, { "[", "{", NULL } },
	{ 0x30, { "]", "}", NULL } }, { 0x31, { "\\", "|", NULL } }, { 0x32, { "#", "~", NULL } },
	{ 0x33, { ";", ":", NULL } }, { 0x34, { "'", "\"", NULL } }, { 0x35, { "`", "~", NULL } },
	{ 0x36, { ",", "<", NULL } }, { 0x37, { ".", ">", NULL } }, { 0x38, { "/", "?", NULL } },
	{ 0x54, { "/", "/", NULL } }, { 0x55, { "*", "*", NULL } }, { 0x56, { "-", "-", NULL } },
	{ 0x57, { "+", "+", NULL } }, { 0x63, { ".", ".", NULL } }, { 0x64, { "\\", "|", NULL } },
	{ 0, { NULL, NULL, NULL } } };

/* German QWERTZ (T1 layout as on Windows and Linux "de"). */
static const struct key de_keys[] = { { 0x1c, { "z", "Z", NULL } }, { 0x1d, { "y", "Y", NULL } },
	{ 0x14, { "q", "Q", "@" } }, { 0x08, { "e", "E", "\xe2\x82\xac" } },
	{ 0x10, { "m", "M", "\xc2\xb5" } }, { 0x1e, { "1", "!", NULL } },
	{ 0x1f, { "2", "\"", "\xc2\xb2" } }, { 0x20, { "3", "\xc2\xa7", "\xc2\xb3" } },
	{ 0x21, { "4", "$", NULL } }, { 0x22, { "5", "%", NULL } }, { 0x23, { "6", "&", NULL } },
	{ 0x24, { "7", "/", "{" } }, { 0x25, { "8", "(", "[" } }, { 0x26, { "9", ")", "]" } },
	{ 0x27, { "0", "=", "}" } }, { 0x2d, { "\xc3\x9f", "?", "\\" } },
	{ 0x2e, { DEAD "\xc2\xb4", DEAD "`", NULL } }, { 0x2f, { "\xc3\xbc", "\xc3\x9c", NULL } },
	{ 0x30, { "+", "*", "~" } }, { 0x31, { "#", "'", NULL } }, { 0x32, { "#", "'", NULL } },
	{ 0x33, { "\xc3\xb6", "\xc3\x96", NULL } }, { 0x34, { "\xc3\xa4", "\xc3\x84", NULL } },
	{ 0x35, { DEAD "^", "\xc2\xb0", NULL } }, { 0x36, { ",", ";", NULL } },
	{ 0x37, { ".", ":", NULL } }, { 0x38, { "-", "_", NULL } }, { 0x64, { "<", ">", "|" } },
	{ 0, { NULL, NULL, NULL } } };

/* French AZERTY (Windows and Linux "fr"). */
static const struct key fr_keys[] = { { 0x04, { "q", "Q", NULL } }, { 0x14, { "a", "A", NULL } },
	{ 0x1a, { "z", "Z", NULL } }, { 0x1d, { "w", "W", NULL } }, { 0x33, { "m", "M", NULL } },
	{ 0x10, { ",", "?", NULL } }, { 0x08, { "e", "E", "\xe2\x82\xac" } },
	{ 0x1e, { "&", "1", NULL } }, { 0x1f, { "\xc3\xa9", "2", "~" } },
	{ 0x20, { "\"", "3", "#" } }, { 0x21, { "'", "4", "{" } }, { 0x22, { "(", "5", "[" } },
	{ 0x23, { "-", "6", "|" } }, { 0x24, { "\xc3\xa8", "7", "`" } },
	{ 0x25, { "_", "8", "\\" } }, { 0x26, { "\xc3\xa7", "9", "^" } },
	{ 0x27, { "\xc3\xa0", "0", "@" } }, { 0x2d, { ")", "\xc2\xb0", "]" } },
	{ 0x2e, { "=", "+", "}" } }, { 0x2f, { DEAD "^", DEAD "\xc2\xa8", NULL } },
	{ 0x30, { "$", "\xc2\xa3", "\xc2\xa4" } }, { 0x31, { "*", "\xc2\xb5", NULL } },
	{ 0x32, { "*", "\xc2\xb5", NULL } }, { 0x34, { "\xc3\xb9", "%", NULL } },
	{ 0x35, { "\xc2\xb2", NULL, NULL } }, { 0x36, { ";", ".", NULL } },
	{ 0x37, { ":", "/", NULL } }, { 0x38, { "!", "\xc2\xa7", NULL } },
	{ 0x64, { "<", ">", NULL } }, { 0, { NULL, NULL, NULL } } };

/* Dead accent + base letter -> composed letter; anything else is spelled out. */
static const struct {
	const char *accent;
	const char *base;
	const char *out;
} compose[] = {
	{ "^", "aeiouAEIOU",
	    "\xc3\xa2\xc3\xaa\xc3\xae\xc3\xb4\xc3\xbb"
	    "\xc3\x82\xc3\x8a\xc3\x8e\xc3\x94\xc3\x9b" },
	{ "\xc2\xb4", "aeiouAEIOU",
	    "\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba"
	    "\xc3\x81\xc3\x89\xc3\x8d\xc3\x93\xc3\x9a" },
	{ "`", "aeiouAEIOU",
	    "\xc3\xa0\xc3\xa8\xc3\xac\xc3\xb2\xc3\xb9"
	    "\xc3\x80\xc3\x88\xc3\x8c\xc3\x92\xc3\x99" },
	{ "\xc2\xa8", "aeiouAEIOU",
	    "\xc3\xa4\xc3\xab\xc3\xaf\xc3\xb6\xc3\xbc"
	    "\xc3\x84\xc3\x8b\xc3\x8f\xc3\x96\xc3\x9c" },
};

struct hid_kbd {
	enum hid_kbd_layout layout;
	uint8_t prev[6]; /* keys down in the last report */
	uint8_t prev_mods;
	char buf[HID_SCAN_MAX + 8];
	size_t len;
	const char *dead; /* pending dead accent, or NULL */
	int altcode;	  /* Alt+keypad digits, -1: none */
	int discarding;	  /* overlong: drop until terminator */
	char poison[64];  /* why the scan will be dropped */
};

int
hid_kbd_layout_parse(const char *name, enum hid_kbd_layout *out)
{
	if (name == NULL || *name == '\0' || strcmp(name, "us") == 0)
		*out = HID_KBD_US;
	else if (strcmp(name, "de") == 0)
		*out = HID_KBD_DE;
	else if (strcmp(name, "fr") == 0)
		*out = HID_KBD_FR;
	else
		return -1;
	return 0;
}

struct hid_kbd *
hid_kbd_new(enum hid_kbd_layout layout)
{
	struct hid_kbd *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->layout = layout;
	k->altcode = -1;
	return k;
}

void
hid_kbd_free(struct hid_kbd *k)
{
	free(k);
}

size_t
hid_kbd_reset(struct hid_kbd *k)
{
	size_t n = k->discarding ? 0 : k->len;

	if (n == 0 && (k->dead != NULL || k->altcode >= 0))
		n = 1;
	k->len = 0;
	k->dead = NULL;
	k->altcode = -1;
	k->discarding = 0;
	k->poison[0] = '\0';
	memset(k->prev, 0, sizeof(k->prev));
	k->prev_mods = 0;
	return n;
}

static const char *
find_level(const struct key *t, uint8_t usage, int level, int *found)
{
	for (; t->usage != 0; t++)
		if (t->usage == usage) {
			*found = 1;
			return t->lv[level];
		}
	*found = 0;
	return NULL;
}

/*
 * What usage gives at level (0 plain, 1 Shift, 2 AltGr) in layout, or
 * NULL when nothing. Letters are computed; the rest comes from tables.
 */
static const char *
key_text(enum hid_kbd_layout layout, uint8_t usage, int level)
{
	static const char *const lower[26] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z" };
	static const char *const upper[26] = { "A", "B", "C", "D", "E", "F", "G", "H", "I", "J",
		"K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z" };
	static const char *const kp[10] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0" };
	const struct key *t = layout == HID_KBD_DE ? de_keys
	    : layout == HID_KBD_FR		   ? fr_keys
						   : NULL;
	const char *s;
	int found;

	if (t != NULL) {
		s = find_level(t, usage, level, &found);
		if (found)
			return s;
	}
	if (usage >= 0x04 && usage <= 0x1d && level < 2)
		return level ? upper[usage - 0x04] : lower[usage - 0x04];
	if (usage >= KEY_KP_1 && usage <= KEY_KP_0)
		return kp[usage - KEY_KP_1];
	s = find_level(us_keys, usage, level, &found);
	return found ? s : NULL;
}

static void
set_poison(struct hid_kbd *k, const struct hid_kbd_sink *s, const char *why)
{
	(void)s;
	if (k->poison[0] == '\0')
		snprintf(k->poison, sizeof(k->poison), "%s", why);
}

static void
append(struct hid_kbd *k, const struct hid_kbd_sink *s, const char *t)
{
	size_t n = strlen(t);
	char why[64];

	if (k->discarding)
		return;
	if (k->len + n > HID_SCAN_MAX) {
		k->discarding = 1;
		k->len = 0;
		snprintf(why, sizeof(why), "scan longer than %d bytes dropped", HID_SCAN_MAX);
		s->bad(s->arg, why);
		return;
	}
	memcpy(k->buf + k->len, t, n);
	k->len += n;
}

/* Spells a pending dead accent followed by t (which may be a letter). */
static void
append_after_dead(struct hid_kbd *k, const struct hid_kbd_sink *s, const char *t)
{
	const char *acc = k->dead, *p;
	size_t i;

	k->dead = NULL;
	if (acc == NULL) {
		append(k, s, t);
		return;
	}
	if (strcmp(t, " ") == 0) {
		append(k, s, acc);
		return;
	}
	for (i = 0; i < sizeof(compose) / sizeof(compose[0]); i++) {
		if (strcmp(compose[i].accent, acc) != 0 || strlen(t) != 1)
			continue;
		if ((p = strchr(compose[i].base, t[0])) != NULL) {
			char out[3];

			/* every composed letter is two bytes of UTF-8 */
			memcpy(out, compose[i].out + 2 * (p - compose[i].base), 2);
			out[2] = '\0';
			append(k, s, out);
			return;
		}
	}
	append(k, s, acc);
	append(k, s, t);
}

static void
end_scan(struct hid_kbd *k, const struct hid_kbd_sink *s)
{
	char why[96];

	if (k->dead != NULL)
		append(k, s, k->dead);
	k->dead = NULL;
	if (k->discarding)
		; /* reported when it overflowed */
	else if (k->poison[0] != '\0') {
		snprintf(why, sizeof(why), "scan dropped: %s", k->poison);
		s->bad(s->arg, why);
	} else if (k->len > 0) {
		k->buf[k->len] = '\0';
		s->scan(s->arg, k->buf, k->len);
	}
	k->len = 0;
	k->discarding = 0;
	k->poison[0] = '\0';
}

/* Alt+keypad code finished (Alt released): Latin-1 value as UTF-8. */
static void
flush_altcode(struct hid_kbd *k, const struct hid_kbd_sink *s)
{
	char out[3];
	int c = k->altcode;

	k->altcode = -1;
	if (c <= 0 || c > 255) {
		set_poison(k, s, "bad Alt+keypad code");
		return;
	}
	if (c < 0x80) {
		out[0] = (char)c;
		out[1] = '\0';
	} else {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		out[2] = '\0';
	}
	append_after_dead(k, s, out);
}

static int
level_of(enum hid_kbd_layout layout, uint8_t mods)
{
	int altgr = (mods & MOD_RALT) != 0;

	/* Windows-style scanners send AltGr as Left Ctrl + Left Alt */
	if (layout != HID_KBD_US && (mods & MOD_LALT) && (mods & MOD_LCTRL))
		altgr = 1;
	if (altgr)
		return 2;
	return (mods & MOD_SHIFT) ? 1 : 0;
}

static int
is_ctrl_held(enum hid_kbd_layout layout, uint8_t mods)
{
	if (layout != HID_KBD_US && (mods & MOD_LALT) && (mods & MOD_LCTRL) &&
	    !(mods & MOD_RCTRL) && !(mods & MOD_RALT))
		return 0; /* that Ctrl is the AltGr emulation */
	return (mods & MOD_CTRL) != 0;
}

static void
press(struct hid_kbd *k, uint8_t usage, uint8_t mods, const struct hid_kbd_sink *s)
{
	const char *t;
	char why[48];

	if (usage == KEY_ENTER || usage == KEY_KP_ENTER || usage == KEY_TAB) {
		end_scan(k, s);
		return;
	}
	if (usage == KEY_CAPS || usage == KEY_NUMLOCK || usage == KEY_SCROLL)
		return; /* lock keys: scanners toggle them, no text */
	if (usage >= 0xe0 && usage <= 0xe7)
		return; /* modifiers listed as keys by some firmware */
	/* Alt (not AltGr) + keypad digits: a character by its code */
	if ((mods & MOD_LALT) && !(mods & (MOD_CTRL | MOD_RALT)) && usage >= KEY_KP_1 &&
	    usage <= KEY_KP_0) {
		int d = usage == KEY_KP_0 ? 0 : usage - KEY_KP_1 + 1;

		if (k->altcode < 0)
			k->altcode = 0;
		if (k->altcode < 1000)
			k->altcode = k->altcode * 10 + d;
		return;
	}
	t = key_text(k->layout, usage, level_of(k->layout, mods));
	if (is_ctrl_held(k->layout, mods)) {
		if (t != NULL && strcmp(t, "]") == 0)
			append_after_dead(k, s, GS);
		else {
			snprintf(why, sizeof(why), "Ctrl with key usage 0x%02x", usage);
			set_poison(k, s, why);
		}
		return;
	}
	if (t == NULL) {
		snprintf(why, sizeof(why), "unknown key usage 0x%02x", usage);
		set_poison(k, s, why);
		return;
	}
	if (t[0] == DEAD[0]) {
		if (k->dead != NULL) /* two dead keys: both spelled out */
			append_after_dead(k, s, t + 1);
		else
			k->dead = t + 1;
		return;
	}
	append_after_dead(k, s, t);
}

static int
was_down(const struct hid_kbd *k, uint8_t usage)
{
	size_t i;

	for (i = 0; i < sizeof(k->prev); i++)
		if (k->prev[i] == usage)
			return 1;
	return 0;
}

void
hid_kbd_feed(struct hid_kbd *k, const uint8_t *r, size_t len, const struct hid_kbd_sink *s)
{
	char why[64];
	size_t i;
	uint8_t mods;

	if (len != 8) {
		snprintf(why, sizeof(why), "keyboard report of %zu bytes", len);
		s->bad(s->arg, why);
		return;
	}
	for (i = 2; i < 8; i++)
		if (r[i] >= 0x01 && r[i] <= 0x03) {
			/* rollover/POST errors: keep the previous key state */
			s->bad(s->arg, "keyboard error rollover report");
			return;
		}
	mods = r[0];
	/* Alt released: an Alt+keypad code is complete */
	if (k->altcode >= 0 && !(mods & MOD_LALT))
		flush_altcode(k, s);
	for (i = 2; i < 8; i++)
		if (r[i] != 0 && !was_down(k, r[i]))
			press(k, r[i], mods, s);
	memcpy(k->prev, r + 2, sizeof(k->prev));
	k->prev_mods = mods;
}
