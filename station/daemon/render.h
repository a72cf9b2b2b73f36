/*
 * Documents rendered in one long-lived worker process: a CJK label costs
 * libharu ~25 ms, which must not hold up the loop (and the next scan's
 * verdict), and a fork per document cost the daemon more than the render.
 * The worker opens its own read-only store once, renders requests in
 * order and sends each PDF back on a pipe.
 */
#ifndef STATION_RENDER_H
#define STATION_RENDER_H

#include <stdint.h>
#include <sys/types.h>

#include "labels/labels.h"

struct daemon;
struct renderer;
struct store;

enum render_kind { RENDER_LABEL, RENDER_SLIP, RENDER_SHEET };

struct render_req {
	enum render_kind kind;
	char station[128];
	int64_t order_id;   /* slips */
	int64_t package_id; /* labels */
	int reprint;
	int64_t effect; /* the effects row this carries out, 0: none */
};

/*
 * Called in the loop when a document is ready (err == NULL; out owned by
 * the callee for the call only) or could not be made (err set, out NULL).
 * order_id is the document's order (0 for sheets).
 */
typedef void (*render_done_cb)(struct daemon *, const struct render_req *, const char *title,
    int64_t order_id, struct labels_out *out, const char *err);

/*
 * NULL on allocation failure. The worker is forked at the first request
 * (none for a station that prints nothing) and again after it died.
 * parallel is ignored: one worker, replies in the order asked.
 */
struct renderer *renderer_new(struct daemon *, render_done_cb, int parallel);
/*
 * Sends a request to the worker (a write of a few hundred bytes to a pipe:
 * does not block in practice); renders in the daemon when no worker can be
 * had. 0 / -1.
 */
int renderer_submit(struct renderer *, const struct render_req *);
/* The worker's pid, 0 when none runs (for tests and status). */
pid_t renderer_pid(const struct renderer *);
/* Kills the worker, drops pending requests. NULL is a no-op. */
void renderer_free(struct renderer *);

/* Renders in this process (the child's work; also a fallback). 0 / -1 with err. */
int render_now(struct daemon *, struct store *, const struct render_req *, char *title,
    size_t titlelen, int64_t *order_id, struct labels_out *out, char *err, size_t errlen);

#endif
