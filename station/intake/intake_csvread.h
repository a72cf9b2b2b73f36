/* Private: a CSV record reader over libcsv with line numbers (intake_*.c only). */
#ifndef STATION_INTAKE_CSVREAD_H
#define STATION_INTAKE_CSVREAD_H

#include <stddef.h>

/* One record. Fields are NUL-terminated, valid only during the callback. */
struct intake_row {
	size_t line; /* 1-based line where the record starts */
	size_t nfields;
	const char **field;
	const size_t *len;
};

/*
 * Calls row_cb for every record of in->buf (header first) in order, skipping
 * blank lines. Checks UTF-8 first, skips a BOM, accepts CRLF or LF, and is
 * strict about quoting. Returns 0, or -1 with one line in err (row_cb
 * returning -1 stops the walk; it writes its own message). No I/O.
 */
struct intake_input;
int intake_csv_read(const struct intake_input *in,
    int (*row_cb)(void *ctx, const struct intake_row *row), void *ctx, char *err, size_t errlen);

/* Index of the header field named name (case-insensitive, trimmed), or -1. */
long intake_csv_column(const struct intake_row *header, const char *name);

/* Field i of row, "" if the row is shorter; *n its length. */
const char *intake_csv_field(const struct intake_row *row, long i, size_t *n);

#endif
