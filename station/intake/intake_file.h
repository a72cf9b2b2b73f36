/* A spool file opened for intake: never a symlink, FIFO or directory; read through a mapping in constant memory. */
#ifndef STATION_INTAKE_FILE_H
#define STATION_INTAKE_FILE_H

#include <stddef.h>

#include "station/intake/intake_stream.h"

/* Files larger than this are refused (a sanity bound, not a memory bound). */
#define INTAKE_MAX_BYTES (16LL * 1024 * 1024 * 1024)

struct intake_file {
	int fd;
	char *map; /* NULL for an empty file */
	size_t len;
	size_t dropped;		/* pages before this were given back */
	struct intake_input in; /* what the parsers read */
};

/*
 * Opens path for reading without following a symlink or blocking on a FIFO
 * (O_NOFOLLOW | O_NONBLOCK, then fstat): anything but a regular file is
 * refused with the reason in err ("a symbolic link: not followed", "a
 * FIFO: not a regular file", ...). The file is mapped read-only and f->in
 * gives the parsers pages that are dropped behind them. 0 / -1.
 */
int intake_file_open(struct intake_file *f, const char *path, char *err, size_t errlen);
/*
 * 1 if the file was cut short while being read (the bytes past its new end
 * read as NUL instead of raising SIGBUS): the parse failed because of that,
 * not because of the content. One file is read at a time.
 */
int intake_file_was_cut(const struct intake_file *f);
/* Gives back every page read so far (before the second pass). */
void intake_file_rewind(struct intake_file *f);
void intake_file_close(struct intake_file *f); /* idempotent */

#endif
