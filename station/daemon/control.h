/*
 * The control layer: the socket (control.c) and its commands (commands.c).
 * The only part of the daemon that speaks JSON to clients; the core hands
 * it plain outcomes (outcome.h) and it words them.
 */
#ifndef STATION_CONTROL_H
#define STATION_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct control;
struct order_view;
struct scan_outcome;

/*
 * Listens on path (mode 0660, group if non-NULL), replacing a stale socket,
 * and registers itself as the daemon's watchers (d->watchers). Returns
 * NULL (logged) on failure. Requests are served in the loop; every
 * client's buffers are bounded (see control.c).
 */
struct control *control_new(struct daemon *, const char *path, const char *group);
void control_free(struct control *); /* closes clients, unlinks */

/* A station's scanner as last reported ({"connected", "message"}), borrowed; NULL: none yet. */
json_t *control_scanner_state(struct control *, const char *station);

/*
 * Parses one request line (len bytes, without its newline): a JSON object
 * whose "cmd" is a string and whose known arguments have their types. Pure:
 * no socket, no daemon. Returns the object (caller owns) or NULL with the
 * reason in err.
 */
json_t *control_parse_request(const char *line, size_t len, char *err, size_t errlen);

/*
 * Runs one parsed request and returns the reply ({"ok": true, ...} or
 * {"ok": false, "error": "..."}), owned by the caller; NULL only when out
 * of memory. *fd is a file the client passed with the request (-1: none);
 * a command that uses it closes it and sets *fd to -1. Blocks only on the
 * database and on reading a passed file.
 */
json_t *commands_run(struct daemon *, json_t *req, int *fd);

/* A scan's reply: {"ok":true,"verdict":...} or {"ok":false,"error":...}. */
json_t *commands_scan_json(const struct scan_outcome *);
/* What watchers get: {"event":"scan","scan":reply,"open":name,"lines":[...]}. */
json_t *commands_scan_event(const struct scan_outcome *, const struct order_view *bench);
/* {"event":"scanner","station":...,"connected":n,"message":...}. */
json_t *commands_scanner_event(const char *station, int connected, const char *message);
/*
 * For a command that answers later (an import that runs over many loop
 * turns): called inside the command, it marks the requesting client as
 * waiting and returns a ticket (0: not inside a request). The command then
 * returns NULL; the client's next requests wait. control_reply sends the
 * reply (and takes it, may be NULL: out of memory) if the client is still
 * there, then runs the client's waiting requests.
 */
uint64_t control_defer(struct control *);
void control_reply(struct control *, uint64_t ticket, json_t *rep);

#endif
