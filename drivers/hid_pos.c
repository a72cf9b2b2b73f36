/* HID POS (usage page 0x8C) report decoder with multi-report reassembly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hid_pos.h"

struct hid_pos {
	char buf[HID_SCAN_MAX + 1];
	size_t len;
	char aim[4];
	int started;	/* a first report was seen, more follow */
	int discarding; /* overlong: drop until the last report */
	int poisoned;	/* a NUL byte arrived: drop at the end */
};

struct hid_pos *
hid_pos_new(void)
{
	return calloc(1, sizeof(struct hid_pos));
}

void
hid_pos_free(struct hid_pos *p)
{
	free(p);
}

size_t
hid_pos_reset(struct hid_pos *p)
{
	size_t n = p->started ? p->len : 0;

	if (p->started && n == 0)
		n = 1; /* a started scan with no data yet still counts */
	p->len = 0;
	p->started = p->discarding = p->poisoned = 0;
	p->aim[0] = '\0';
	return n;
}

/* AIM ids look like "]C1": a bracket and two printable characters. */
static void
take_aim(struct hid_pos *p, const uint8_t *r)
{
	if (r[1] == ']' && r[2] > 0x20 && r[2] < 0x7f && r[3] > 0x20 && r[3] < 0x7f) {
		p->aim[0] = ']';
		p->aim[1] = (char)r[2];
		p->aim[2] = (char)r[3];
		p->aim[3] = '\0';
	} else
		p->aim[0] = '\0';
}

static void
finish(struct hid_pos *p, const struct hid_pos_sink *s)
{
	if (p->discarding)
		; /* already reported when it overflowed */
	else if (p->poisoned)
		s->bad(s->arg, "scan with a NUL byte dropped");
	else {
		while (p->len > 0 && (p->buf[p->len - 1] == '\r' || p->buf[p->len - 1] == '\n'))
			p->len--;
		if (p->len > 0) {
			p->buf[p->len] = '\0';
			s->scan(s->arg, p->buf, p->len, p->aim);
		}
	}
	p->len = 0;
	p->started = p->discarding = p->poisoned = 0;
}

void
hid_pos_feed(struct hid_pos *p, const uint8_t *r, size_t len, const struct hid_pos_sink *s)
{
	char why[80];
	size_t n;

	if (len < 5) {
		snprintf(why, sizeof(why), "HID POS report of %zu bytes", len);
		s->bad(s->arg, why);
		return;
	}
	n = r[0];
	if (n > len - 5) {
		snprintf(why, sizeof(why), "HID POS report claims %zu data bytes in %zu", n, len);
		s->bad(s->arg, why);
		return;
	}
	if (!p->started) {
		p->started = 1;
		take_aim(p, r);
	}
	if (!p->discarding) {
		if (memchr(r + 4, '\0', n) != NULL)
			p->poisoned = 1;
		if (p->len + n > HID_SCAN_MAX) {
			p->discarding = 1;
			p->len = 0;
			snprintf(
			    why, sizeof(why), "scan longer than %d bytes dropped", HID_SCAN_MAX);
			s->bad(s->arg, why);
		} else {
			memcpy(p->buf + p->len, r + 4, n);
			p->len += n;
		}
	}
	if (r[len - 1] == 0)
		finish(p, s);
}
