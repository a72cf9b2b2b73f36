/* spool/out: one JSON document per shipment, written atomically. */
#ifndef STATION_OUTBOX_H
#define STATION_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes text to DIR/NAME atomically (DIR/.NAME.tmp, fsync, rename, fsync
 * of DIR). Returns 0 / -1 (errno set). Blocks on disk I/O.
 */
int	outbox_write_atomic(const char *dir, const char *name, const char *text);

/* The file name of a fulfillment: "fulfillment-000042-1001.json". */
void	outbox_name(int64_t fid, const char *order_name, char *out, size_t outlen);

#endif
