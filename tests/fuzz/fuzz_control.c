/*
 * libFuzzer target: the control socket's request parser, exactly as the
 * daemon applies it: the input split into lines at '\n' (as a client's
 * stream is), each line through control_parse_request. A parsed request
 * must be an object whose "cmd" is a string; a refused one must say why.
 * Each line also goes through table_escape (what stationctl shows of
 * outside data): the result must hold no control character and be UTF-8.
 * Pure function calls: no socket, no daemon.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "station/ctl/table.h"
#include "station/daemon/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_request(const char *line, size_t len)
{
	char err[256];
	json_t *req;

	err[0] = '\0';
	req = control_parse_request(line, len, err, sizeof(err));
	if (req == NULL) {
		if (err[0] == '\0')
			abort(); /* refused without a reason */
		return;
	}
	if (!json_is_object(req) || !json_is_string(json_object_get(req, "cmd")))
		abort();
	json_decref(req);
}

static void
check_escape(const char *line, size_t len)
{
	char *s, *e;
	const unsigned char *p;

	if ((s = malloc(len + 1)) == NULL)
		return;
	memcpy(s, line, len);
	s[len] = '\0'; /* a NUL inside ends the string, as in C callers */
	if ((e = table_escape(s, 0)) != NULL) {
		for (p = (const unsigned char *)e; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
		/* valid UTF-8: jansson accepts it as a string */
		json_t *j = json_string(e);

		if (j == NULL)
			abort();
		json_decref(j);
	}
	free(e);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		check_request(p, (size_t)((nl ? nl : end) - p));
		check_escape(p, (size_t)((nl ? nl : end) - p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
