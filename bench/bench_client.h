/* What the bench programs share to talk to stationd's control socket. */
#ifndef STATION_BENCH_CLIENT_H
#define STATION_BENCH_CLIENT_H

#include <stddef.h>

/* Monotonic clock in milliseconds, with fractions. */
double bench_now_ms(void);
/* Writes all len bytes (retrying on EINTR). 0 / -1. */
int bench_write_all(int fd, const char *s, size_t len);
/*
 * Reads one reply line into line (NUL-terminated, cut at cap), keeping what
 * came after it for the next call; one buffer per process (one connection).
 * 0, or -1 on EOF, error or a line longer than 64 KB. Blocks.
 */
int bench_read_line(int fd, char *line, size_t cap);

#endif
