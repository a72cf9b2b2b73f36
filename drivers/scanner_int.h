/* Private to drivers/scanner*.c: what a configured scanner spec names. */
#ifndef DRIVERS_SCANNER_INT_H
#define DRIVERS_SCANNER_INT_H

#include <stddef.h>
#include <stdint.h>

#define MAX_PORTS	7

enum spec_kind { SPEC_ID, SPEC_PORT };

struct spec {
	enum spec_kind	 kind;
	uint16_t	 vid, pid;
	char		 serial[128];	/* "" = any */
	uint8_t		 bus;
	uint8_t		 ports[MAX_PORTS];
	int		 nports;
};

/* Parses "usb:VID:PID[:SERIAL]" or "usb-port:BUS-PORT[.PORT...]". 0 / -1 with err. */
int	scanner_parse_spec(const char *text, struct spec *sp, char *err, size_t errlen);

#endif
