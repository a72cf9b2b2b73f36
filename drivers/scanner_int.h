/* Private to drivers/scanner*.c: a configured scanner spec, with the config's message. */
#ifndef DRIVERS_SCANNER_INT_H
#define DRIVERS_SCANNER_INT_H

#include <stddef.h>

#include "drivers/usb_hid.h"

/* usb_hid_parse_spec, with "bad scanner ..." in err on failure. 0 / -1. */
int scanner_parse_spec(const char *text, struct usb_hid_spec *sp, char *err, size_t errlen);

#endif
