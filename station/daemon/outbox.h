/* spool/out: one JSON document per shipment, written atomically. */
#ifndef STATION_OUTBOX_H
#define STATION_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes text to DIR/NAME atomically (DIR/.NAME.tmp, fdatasync, rename, fsync
 * of DIR). Returns 0 / -1 (errno set). Blocks on disk I/O.
 */
int outbox_write_atomic(const char *dir, const char *name, const char *text);

/* The file name of a fulfillment: "fulfillment-000042-1001.json". */
void outbox_name(int64_t fid, const char *order_name, char *out, size_t outlen);

struct daemon;

/*
 * Starts the writer thread that writes spool/out off the loop (d->loop
 * set; a no-op without a loop). 0 / -1.
 */
int outbox_start(struct daemon *);
/*
 * Writes every fulfillment not yet in spool/out, oldest first, marking
 * each. At the first failure (disk full...) it stops, so nothing is
 * written out of order, keeps an alert (outbox_alert) and retries on a
 * timer until all are written. With the writer started it only reads the
 * documents and queues them (0, or -1 if the store cannot give them);
 * without it, it blocks on disk I/O and returns 0 when all are written,
 * -1 otherwise.
 */
int outbox_flush(struct daemon *);
/*
 * Lets the writer finish what it was given, marks it, stops it, then
 * writes whatever is still pending here. Blocks on disk I/O.
 */
void outbox_stop(struct daemon *);
/* The alert while spool/out cannot be written, else NULL. */
const char *outbox_alert(void);

#endif
