/*
 * What one scan came to, as a plain struct. The daemon core (station.c)
 * fills it; only the control layer (commands.c, control.c) turns it into
 * JSON, so the scanner path never builds a reply it throws away.
 */
#ifndef STATION_OUTCOME_H
#define STATION_OUTCOME_H

#include <stdint.h>

#include "station/core/session.h"

struct order_view;

/*
 * recorded = 1: the scan is committed and every field below error holds
 * (has_order/has_sku say whether order/sku name something). recorded = 0:
 * nothing was recorded, error says why for the person who scanned.
 */
struct scan_outcome {
	int recorded;
	char error[512];
	enum verdict verdict;
	int refused;	     /* verdict_is_refusal(verdict) */
	const char *station; /* the configuration's name (d->conf): used at once */
	int has_order;
	char order[512];
	int has_sku;
	char sku[256];
	int64_t packed, of; /* n of m for item verdicts */
	char message[256];  /* one line for the packer */
	char packer[64];    /* "" when nobody is logged in */
	int resumed;	    /* after a restart: the bench's last verdict again */
	int repeated;	    /* a keyed request already committed: see replay */
	char *replay;	    /* its reply as first sent (malloc'ed), or NULL */
	int box;	    /* the station's box number after the scan */
	int64_t elapsed_us; /* scan received to verdict committed (for /metrics) */
};

/*
 * Who is told about a station's changes (stationctl watch, status). The
 * control layer registers these in struct daemon; the core calls them when
 * set. Both must not block; what they are given is borrowed for the call.
 * bench: the order open at the station after the scan, NULL when idle.
 * scanner: connected 1 up, 0 lost, -1 a passing alert (state unchanged).
 */
struct daemon_watchers {
	/* 1 if anyone watches station now: else the core skips loading the bench */
	int (*watching)(void *arg, const char *station);
	void (*scan)(void *arg, const struct scan_outcome *, const struct order_view *bench);
	void (*scanner)(void *arg, const char *station, int connected, const char *message);
	/* the reply a keyed scan keeps for its repeats (malloc'ed text), or NULL */
	char *(*reply_text)(void *arg, const struct scan_outcome *);
	void *arg;
};

#endif
