/*
 * libFuzzer target: config_load over the input written to a temporary
 * file (inih reads files; the path checks stay off so nothing else is
 * touched). Errors go to /dev/null.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "station/daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char path[64];
static FILE *devnull;

static int
setup(void)
{
	int fd;

	if (path[0] != '\0')
		return 0;
	snprintf(path, sizeof(path), "/tmp/fuzz_config.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	devnull = fopen("/dev/null", "w");
	return devnull == NULL ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	FILE *f;
	struct config *c;

	if (setup() == -1)
		abort();
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (len > 0 && fwrite(data, 1, len, f) != len)
		abort();
	if (fclose(f) != 0)
		abort();
	c = config_load(path, 0, devnull);
	config_free(c);
	return 0;
}
