/*
 * Documents rendered in child processes: a CJK label costs libharu ~80 ms,
 * which must not hold up the loop (and the next scan's verdict). A child
 * opens its own read-only store, renders, and sends the PDF back on a pipe.
 */
#ifndef STATION_RENDER_H
#define STATION_RENDER_H

#include <stdint.h>

#include "labels/labels.h"

struct daemon;
struct renderer;
struct store;

enum render_kind { RENDER_LABEL, RENDER_SLIP, RENDER_SHEET };

struct render_req {
	enum render_kind kind;
	char		 station[128];
	int64_t		 order_id;	/* slips */
	int64_t		 package_id;	/* labels */
	int		 reprint;
	int64_t		 effect;	/* the effects row this carries out, 0: none */
};

/*
 * Called in the loop when a document is ready (err == NULL; out owned by
 * the callee for the call only) or could not be made (err set, out NULL).
 * order_id is the document's order (0 for sheets).
 */
typedef void (*render_done_cb)(struct daemon *, const struct render_req *,
	    const char *title, int64_t order_id, struct labels_out *out, const char *err);

/* NULL on allocation failure. At most `parallel` children run at once. */
struct renderer	*renderer_new(struct daemon *, render_done_cb, int parallel);
/* Queues a request. Never blocks. 0 / -1. */
int		 renderer_submit(struct renderer *, const struct render_req *);
/* Kills running children, drops queued requests. NULL is a no-op. */
void		 renderer_free(struct renderer *);

/* Renders in this process (the child's work; also a fallback). 0 / -1 with err. */
int		 render_now(struct daemon *, struct store *, const struct render_req *,
		    char *title, size_t titlelen, int64_t *order_id, struct labels_out *out,
		    char *err, size_t errlen);

#endif
