/*
 * Private to the printer driver's worker process (printer_worker.c,
 * printer_status.c): its state and the helpers both files use. Everything
 * here blocks (bounded by the connection's timeouts): worker side only.
 */
#ifndef DRIVERS_PRINTER_WORKER_H
#define DRIVERS_PRINTER_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include <cups/cups.h>

#include "drivers/printer.h"
#include "drivers/printer_proto.h"

#define CONNECT_MS	 1000 /* loopback/LAN: refused or answered well within */
#define IO_SEC		 5.0  /* a hung server costs seconds, not minutes */
#define JOB_POLL_MS	 50   /* a fresh job is followed closely: labels are short */
#define JOB_POLL_SLOW_MS 1000 /* ... an old one (paused queue) gently */
#define BUSY_POLL_MS	 500  /* printer poll while jobs run or alerts are up */
#define IDLE_POLL_MS	 2000
#define MEDIA_TTL_MS	 60000
#define MAX_MEDIA	 64
#define BUSY_FIRST_MS	 100   /* a busy printer is asked again after this, */
#define BUSY_MAX_MS	 2000  /* doubling up to this, */
#define BUSY_GIVEUP_MS	 60000 /* and the job fails after this long */

/* A job waiting to be sent (the printer said busy, or others wait first). */
struct pend {
	char *body; /* struct msg_submit + PDF */
	size_t len;
	int64_t since;
	int64_t next_try;
	int backoff;
};

struct wjob {
	int64_t ref;
	int id;
	int state;	    /* last reported enum print_state */
	int64_t busy_since; /* processing since (ms), 0 if not */
	int stalled;	    /* seen stuck while the printer was gone */
	int history_flag;   /* missing-job-history seen while active:
					   -1 not asked yet, 0 no, 1 yes */
	int64_t accepted_at;
	int64_t next_poll;
	char uuid[64];
};

struct worker {
	int fd;
	int stall_ms;
	struct ipp_target t;
	int bad; /* dest does not parse: fail every job */
	char bad_reason[PROTO_TEXT];
	http_t *http;
	struct wjob *jobs;
	size_t njobs, capjobs;
	unsigned alerts;
	int alerts_sent;
	int connecting_polls;
	char *media[MAX_MEDIA];
	size_t nmedia;
	int64_t media_at;
	int64_t next_printer, next_jobs;
	struct pend *pend; /* FIFO: jobs print in submission order */
	size_t npend, cappend;
};

/* Monotonic milliseconds. */
int64_t worker_now_ms(void);
/* Reports an event to the daemon (exits if the daemon is gone). */
void worker_send_event(struct worker *, enum printer_event_kind, int64_t ref, int job_id,
    enum print_state, const char *reason);
/* Connects if needed; on failure raises the unreachable alert. 0 / -1. */
int worker_ensure_connected(struct worker *, char *err, size_t errlen);
/* Drops the connection and raises the unreachable alert. */
void worker_transport_failed(struct worker *, char *reason);

/* printer_status.c */
/* Reports the alert set when it changed, in plain words. */
void worker_set_alerts(struct worker *, unsigned alerts, const char *detail);
/* Asks the printer's state and updates the alerts. */
void worker_poll_printer(struct worker *);
/* Whether a keyword attribute has a value starting with prefix. */
int worker_has_reason(ipp_attribute_t *, const char *prefix);

#endif
