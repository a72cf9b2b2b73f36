/*
 * Several boxes on one database (PostgreSQL): which box runs which bench,
 * heartbeats, a bench claimed by one daemon at a time, an order freed from
 * a dead box, and the database being away. On SQLite (one box, one file
 * lock) claims always succeed and there is no bench list.
 */
#ifndef STATION_STORE_BOXES_H
#define STATION_STORE_BOXES_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* A bench some box claimed, as store_list_benches reports it. */
struct store_bench_row {
	char *station;
	char *box;
	char *order; /* its open order's name, NULL if none */
	int online;  /* its box sent a heartbeat lately and did not stop */
};

/* A box is offline when its last heartbeat is older than this. */
#define STORE_BOX_OFFLINE_MS 6000

/* Registers this daemon's box (its heartbeat row). 0 / -1. */
int store_box_start(struct store *, const char *box);
/* Heartbeat (from a timer; reconnects first if the database went away). 0 / -1. */
int store_box_heartbeat(struct store *);
/* A clean stop: the box shows offline at once. 0 / -1. */
int store_box_stop(struct store *);
/*
 * Claims STATION for this daemon for as long as it runs (again after a
 * reconnect). 1 claimed; 0 another daemon holds it (its box in holder);
 * -1 error.
 */
int store_claim_station(struct store *, const char *station, char *holder, size_t holderlen);
/* Every claimed bench, by name. 0 / -1; rows freed with store_bench_rows_free. */
int store_list_benches(struct store *, struct store_bench_row **rows, size_t *n);
void store_bench_rows_free(struct store_bench_row *, size_t);
/* 1 when the last failure was the database being unreachable, else 0. */
int store_unavailable(struct store *);
/*
 * Frees an order open at some bench (inside the caller's transaction): its
 * counted scans and open boxes are dropped (nothing shipped), the bench's
 * session lets go of it, the order is ready again. 1 freed (the bench's
 * name in station), 0 not open at any bench, -1 error.
 */
int store_abandon_order(struct store *, int64_t order_id, char *station, size_t stationlen);

/*
 * Changes made by other boxes (PostgreSQL LISTEN/NOTIFY): a descriptor to
 * poll for input, or -1 (SQLite: one box, nothing to hear). After it is
 * readable, store_changes_read returns 1 and fills station with the bench
 * that changed ("" for any), 0 when nothing more is pending, -1 when the
 * connection was lost (re-read everything after the next reconnect).
 */
int store_changes_fd(struct store *);
int store_changes_read(struct store *, char *station, size_t stationlen);

#endif
