/* Intake: files from spool/in (or stationctl import) into the store, one transaction each. */
#ifndef STATION_INTAKE_H
#define STATION_INTAKE_H

#include <stddef.h>

struct store;

struct intake_result {
	const char	*kind;		/* "orders-json", "orders-csv", "products-csv", "codes-csv" */
	size_t		 imported, updated, unchanged, codes;
};

/*
 * Imports one file in one transaction: all of it, or (on any error) none
 * of it, with the reason in err ("NAME: line 3, column 7: ..."). label
 * names the file in messages and events. Blocks on file and disk I/O.
 * Returns 0 / -1.
 */
int	intake_import_file(struct store *, const char *path, const char *label,
	    struct intake_result *, char *err, size_t errlen);

/*
 * Processes one file in spool/in by name: imports it, then moves it to
 * spool/done, or to spool/failed with NAME.reason beside it. Names that
 * start with '.' or end in ".tmp"/".part" are being written: skipped.
 * Returns 1 if processed, 0 if skipped or gone, -1 if it could not be moved.
 */
int	intake_spool_file(struct store *, const char *spool, const char *name);

/* Creates spool/{in,done,failed,out}. 0 / -1 (logged). */
int	intake_spool_prepare(const char *spool);

/* Processes every complete file already in spool/in, oldest name first. */
void	intake_spool_scan(struct store *, const char *spool);

#endif
