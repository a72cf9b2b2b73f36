/*
 * Private to the printer driver: the messages between the daemon side
 * (printer.c) and a destination's worker process (printer_worker.c), and
 * the IPP helpers (printer_ipp.c). Both ends are the same binary (fork
 * without exec), so the structs travel as raw bytes.
 */
#ifndef DRIVERS_PRINTER_PROTO_H
#define DRIVERS_PRINTER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <cups/cups.h>

#define PROTO_TEXT     256
#define PROTO_MEDIA    64
#define PROTO_MAX_BODY (64u * 1024 * 1024) /* a PDF larger than this is refused */

enum proto_type {
	MSG_SUBMIT = 1, /* daemon -> worker: struct msg_submit + PDF */
	MSG_EVENT = 2,	/* worker -> daemon: struct msg_event */
	MSG_FOLLOW = 3	/* daemon -> worker: struct msg_follow */
};

struct msg_hdr {
	uint32_t len; /* bytes following this header */
	uint32_t type;
};

struct msg_submit {
	int64_t ref;
	int32_t copies;
	char media[PROTO_MEDIA];
	char title[PROTO_TEXT];
};

struct msg_follow {
	int64_t ref;
	int32_t job_id;
};

struct msg_event {
	int64_t ref;
	int32_t kind; /* enum printer_event_kind */
	int32_t job_id;
	int32_t state; /* enum print_state */
	uint32_t alerts;
	char reason[PROTO_TEXT];
};

/* Where a destination lives, resolved once per worker. */
struct ipp_target {
	char host[256]; /* host name or socket path */
	int port;
	char resource[512]; /* HTTP path to POST to */
	char uri[1024];	    /* printer-uri attribute */
	char label[300];    /* "queue X on host:port" / the URI */
	int is_queue;	    /* a CUPS queue (not a direct printer) */
	http_encryption_t enc;
};

/* Resolves dest against server (NULL = cupsServer()). 0 / -1 with err. */
int ipp_target_parse(
    const char *server, const char *dest, struct ipp_target *, char *err, size_t errlen);
/*
 * Connects with a connect timeout of msec and an I/O timeout of io_sec
 * seconds. Blocks (bounded). Returns the connection or NULL with err.
 */
http_t *ipp_connect(const struct ipp_target *, int msec, double io_sec, char *err, size_t errlen);
/* A new request for op with charset, language, printer-uri, user. */
ipp_t *ipp_new_request(const struct ipp_target *, ipp_op_t op);
/* Sends request (consumed) and returns the response or NULL. Blocks (bounded
 * by the connection's timeout). */
ipp_t *ipp_do(http_t *, const struct ipp_target *, ipp_t *request);
/* A failure below IPP (connection reset, timeout): start afresh. */
int ipp_is_transport_failure(ipp_status_t);
/* Plain words for a failed IPP status or HTTP-level failure. */
void ipp_reason(const struct ipp_target *, ipp_status_t, char *buf, size_t len);

/*
 * Runs a destination's worker on fd until the daemon closes it; never
 * returns. A queue job processing longer than stall_ms raises OFFLINE.
 */
void printer_worker_main(int fd, const char *server, const char *dest, int stall_ms)
    __attribute__((noreturn));

#endif
