/* The bench programs' control-socket helpers (see bench_client.h). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_client.h"

static char rbuf[65536];
static size_t rlen;

double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
bench_write_all(int fd, const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
bench_read_line(int fd, char *line, size_t cap)
{
	char *nl;
	ssize_t n;

	for (;;) {
		if ((nl = memchr(rbuf, '\n', rlen)) != NULL) {
			size_t l = (size_t)(nl - rbuf);

			if (l >= cap)
				l = cap - 1;
			memcpy(line, rbuf, l);
			line[l] = '\0';
			rlen -= (size_t)(nl - rbuf) + 1;
			memmove(rbuf, nl + 1, rlen);
			return 0;
		}
		if (rlen == sizeof(rbuf))
			return -1;
		n = read(fd, rbuf + rlen, sizeof(rbuf) - rlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		rlen += (size_t)n;
	}
}
