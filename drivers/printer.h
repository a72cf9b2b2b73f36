/*
 * The printer driver: PDF jobs to CUPS queues or straight to IPP printers,
 * followed to completion, with printer alerts, without blocking the loop.
 *
 * A destination ("dest") is either a CUPS queue name, sent to the CUPS
 * server set with printers_set_server() (default: cupsServer():ippPort(),
 * i.e. CUPS_SERVER or client.conf), or an ipp:// / ipps:// printer URI.
 *
 * All IPP traffic happens in one worker process per destination (see
 * printer.c for why); the daemon's loop only exchanges short messages with
 * the workers over socketpairs. Nothing in this header blocks except
 * printer_check_dest() and printers_free(), as documented.
 */
#ifndef DRIVERS_PRINTER_H
#define DRIVERS_PRINTER_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct printers;

/* IPP job states, as the station stores them. */
enum print_state {
	PRINT_PENDING = 0,
	PRINT_HELD,
	PRINT_PROCESSING,
	PRINT_COMPLETED,
	PRINT_CANCELLED,
	PRINT_ABORTED,
	PRINT_FAILED /* never reached the printer (submit failed) */
};

/* Printer alert bits: a printer needs a person. */
#define PRINTER_ALERT_OFFLINE	    0x01u /* printer unreachable / offline */
#define PRINTER_ALERT_PAUSED	    0x02u /* queue or printer stopped */
#define PRINTER_ALERT_REJECTING	    0x04u /* not accepting jobs */
#define PRINTER_ALERT_MEDIA_EMPTY   0x08u /* out of paper / labels */
#define PRINTER_ALERT_SERVER_DOWN   0x10u /* CUPS server not answering */
#define PRINTER_ALERT_UNKNOWN_QUEUE 0x20u /* no such queue on the server */

enum printer_event_kind {
	PRINTER_EV_ACCEPTED, /* ref's job was accepted: job_id, state set */
	PRINTER_EV_STATE,    /* ref's job changed state (state, reason) */
	PRINTER_EV_FAILED,   /* ref's job could not be submitted (reason);
				   the driver forgets it: resubmit to retry */
	PRINTER_EV_ALERT     /* dest's alert set changed: alerts (0 = all
				   clear) and reason, a plain-words summary */
};

/*
 * One event. Every string is owned by the driver and valid only during
 * the callback: copy what you keep. STATE events with a terminal state
 * (completed, cancelled, aborted) are the last for that ref. An aborted
 * job whose reason starts with "lost:" vanished from a restarted printer
 * and was never printed: resubmit it.
 */
struct printer_event {
	enum printer_event_kind kind;
	const char *dest;
	int64_t ref; /* caller's job id (0 for alerts) */
	int job_id;  /* IPP/CUPS job id, 0 if none */
	enum print_state state;
	unsigned alerts;    /* PRINTER_ALERT_* (ALERT events) */
	const char *reason; /* plain words, never NULL */
};

/* Called from the loop. Must not block; must not call printers_free(). */
typedef void (*printer_event_cb)(const struct printer_event *, void *arg);

/* Job options. NULL or empty strings mean "printer default". */
struct print_opts {
	const char *media; /* PWG keyword (na_index-4x6_4x6in), legacy
					   name (4x6, a6, letter): the printer's
					   closest supported size is sent */
	int copies;	   /* 0 or 1 = one copy */
	const char *title; /* job-name, e.g. "#1001 pkg 2 label" */
};

/*
 * Returns a driver whose events go to cb(arg) from loop, or NULL (errno).
 * No process is started until a destination is used.
 */
struct printers *printers_new(struct loop *, printer_event_cb cb, void *arg);
/*
 * Stops every worker (SIGTERM, then waits for it: bounded, ~1 s at worst)
 * and frees. Jobs not yet reported terminal get no more events. NULL is a
 * no-op.
 */
void printers_free(struct printers *);

/* Sets the CUPS server ("host:port" or a socket path) for queue names.
 * Affects workers started later. 0 / -1 (ENOMEM). */
int printers_set_server(struct printers *, const char *server);

/*
 * A CUPS queue whose job of ours stays "processing" this long is reported
 * OFFLINE: cupsd gives no state reason while its backend cannot reach the
 * device. Default PRINTERS_STALL_MS; affects workers started later.
 */
#define PRINTERS_STALL_MS 15000
void printers_set_stall_ms(struct printers *, int ms);

/*
 * Queues the PDF (copied; the caller keeps its buffer) for dest under the
 * caller's id ref. Never blocks. Returns 0 when queued, -1 with errno on
 * local failure (ENOMEM, fork/socket failure, EINVAL). After 0, ref gets
 * either FAILED, or ACCEPTED then STATE events ending in a terminal state
 * (or FAILED if the worker process dies meanwhile). A printer that answers
 * "busy" (one job at a time) is asked again with backoff for up to 60 s;
 * jobs to one dest are sent in submission order.
 */
int printers_submit(struct printers *, int64_t ref, const char *dest, const struct print_opts *,
    const void *pdf, size_t len);

/*
 * Follows a job a printer accepted earlier (job_id from an ACCEPTED event
 * stored before a daemon restart): STATE events follow as for a submitted
 * job; a printer that no longer knows the job reports it aborted, "lost:".
 * Never blocks. 0 / -1 (errno).
 */
int printers_follow(struct printers *, int64_t ref, const char *dest, int job_id);

/*
 * Starts watching dest for alerts without printing (e.g. at daemon start
 * for every configured printer). Never blocks. 0 / -1 (errno).
 */
int printers_watch(struct printers *, const char *dest);

/* Number of jobs submitted and not yet reported terminal or failed. */
size_t printers_pending(const struct printers *);

/*
 * Checks a destination for `stationd -n`. Blocks up to ~2 s. server as for
 * printers_set_server (NULL = default). Returns 0 if it exists, -1 if it is
 * wrong (unknown queue, bad URI), -2 if it could not be checked (server or
 * printer unreachable); err gets a plain-words reason on -1 / -2.
 */
int printer_check_dest(const char *server, const char *dest, char *err, size_t errlen);

/* "pending", "held", ... "failed" (the print_jobs.state column values). */
const char *print_state_name(enum print_state);

/*
 * Picks from supported[0..n) the media closest in size to want (a PWG
 * keyword or legacy name). Writes it to out and returns 0; -1 if want is
 * not a known size or nothing is supported (out untouched). Pure.
 */
int printer_media_closest(
    const char *want, const char *const *supported, size_t n, char *out, size_t outlen);

#endif
