/*
 * A plain main for a fuzz target when libFuzzer is not available (gcc):
 * runs LLVMFuzzerTestOneInput once over each file named on the command
 * line, so a corpus and its crashes replay under ASan/UBSan anyway.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE *f;
	uint8_t *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nbuf;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees a read one past the input */
	if ((nbuf = malloc(len ? len : 1)) == NULL) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(nbuf, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(nbuf, len);
	free(nbuf);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		if (replay_file(argv[i]) == -1)
			bad = 1;
	printf("replayed %d inputs\n", argc - 1);
	return bad;
}
