/* USB device specs (usb:VID:PID[:SERIAL], usb-port:BUS-PORT[.PORT...]): parsed, pure. */
#include <stdio.h>
#include <string.h>

#include "drivers/usb_hid.h"

static int
parse_hex16(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
		    : c >= 'a' && c <= 'f'   ? c - 'a' + 10
		    : c >= 'A' && c <= 'F'   ? c - 'A' + 10
					     : -1;

		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = (uint16_t)v;
	return 0;
}

/* Decimal 1..255 up to a stop character; advances *s. */
static int
parse_u8(const char **s, uint8_t *out)
{
	unsigned v = 0;
	int n = 0;

	while (**s >= '0' && **s <= '9' && n < 4) {
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
		n++;
	}
	if (n == 0 || v == 0 || v > 255)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

static int
parse_port_spec(const char *s, struct usb_hid_spec *sp)
{
	if (parse_u8(&s, &sp->bus) == -1 || *s++ != '-')
		return -1;
	for (sp->nports = 0;;) {
		if (sp->nports == USB_HID_MAX_PORTS || parse_u8(&s, &sp->ports[sp->nports]) == -1)
			return -1;
		sp->nports++;
		if (*s == '\0')
			return 0;
		if (*s++ != '.')
			return -1;
	}
}

static int
parse_id_spec(const char *s, struct usb_hid_spec *sp)
{
	const char *c1 = strchr(s, ':'), *c2;

	if (c1 == NULL || parse_hex16(s, (size_t)(c1 - s), &sp->vid) == -1)
		return -1;
	c2 = strchr(c1 + 1, ':');
	if (c2 == NULL)
		return parse_hex16(c1 + 1, strlen(c1 + 1), &sp->pid);
	if (parse_hex16(c1 + 1, (size_t)(c2 - c1 - 1), &sp->pid) == -1 || c2[1] == '\0' ||
	    strlen(c2 + 1) >= sizeof(sp->serial))
		return -1;
	snprintf(sp->serial, sizeof(sp->serial), "%s", c2 + 1);
	return 0;
}

int
usb_hid_parse_spec(const char *text, struct usb_hid_spec *out)
{
	struct usb_hid_spec sp;
	int r = -1;

	memset(&sp, 0, sizeof(sp));
	if (text == NULL)
		return -1;
	if (strncmp(text, "usb:", 4) == 0) {
		sp.kind = USB_HID_BY_ID;
		r = parse_id_spec(text + 4, &sp);
	} else if (strncmp(text, "usb-port:", 9) == 0) {
		sp.kind = USB_HID_BY_PORT;
		r = parse_port_spec(text + 9, &sp);
	}
	if (r == 0)
		*out = sp;
	return r;
}
