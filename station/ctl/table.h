/* Output for stationctl: aligned tables for people, CSV and JSON for scripts. */
#ifndef STATION_TABLE_H
#define STATION_TABLE_H

#include <stdio.h>

enum table_format { TABLE_TEXT, TABLE_CSV, TABLE_JSON };

struct table;

/* A table with ncols named columns. NULL on allocation failure. */
struct table *table_new(const char *const *cols, size_t ncols);
void table_free(struct table *);
/* Adds a row of ncols strings (copied; NULL prints empty / null). 0 / -1. */
int table_add(struct table *, const char *const *vals);
/* Marks column i as numeric (JSON numbers, right-aligned text). */
void table_numeric(struct table *, size_t i);
/*
 * Marks column i as for scripts only: left out of text and CSV (whose
 * columns people and scripts rely on), and left out of a JSON row where
 * its cell is NULL.
 */
void table_json_only(struct table *, size_t i);
/* Prints in the format; text tables align by display width (UTF-8 aware). */
void table_print(struct table *, enum table_format, FILE *);
/* "table", "csv", "json" → format; -1 if unknown. */
int table_format_parse(const char *);
/*
 * A copy of s safe to show: invalid UTF-8 bytes become the four characters
 * "\xNN"; unless keep_controls, so do control characters (C0, DEL; C1 as
 * "\u0085"), so shop data cannot move the cursor or rewrite the screen.
 * JSON keeps controls (it escapes them itself). Caller frees; NULL if out
 * of memory.
 */
char *table_escape(const char *s, int keep_controls);
/* Display width of a UTF-8 string in terminal columns. */
int table_text_width(const char *);

#endif
