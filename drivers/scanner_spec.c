/* Scanner specs and layouts from the configuration: checked, with the messages config shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hid_kbd.h"
#include "drivers/scanner.h"
#include "drivers/scanner_int.h"

int
scanner_parse_spec(const char *text, struct usb_hid_spec *sp, char *err, size_t errlen)
{
	if (usb_hid_parse_spec(text, sp) == 0)
		return 0;
	snprintf(err, errlen,
	    "bad scanner \"%s\": expected usb:VID:PID, "
	    "usb:VID:PID:SERIAL or usb-port:BUS-PORT[.PORT...]",
	    text == NULL ? "" : text);
	return -1;
}

int
scanner_spec_check(const char *spec, char *err, size_t errlen)
{
	struct usb_hid_spec sp;

	return scanner_parse_spec(spec, &sp, err, errlen);
}

int
scanner_layout_check(const char *layout, char *err, size_t errlen)
{
	enum hid_kbd_layout l;

	if (hid_kbd_layout_parse(layout, &l) == 0)
		return 0;
	snprintf(err, errlen, "bad scanner_layout \"%s\": expected us, de or fr", layout);
	return -1;
}
