/* The control socket: newline-delimited JSON requests and replies. */
#ifndef STATION_CONTROL_H
#define STATION_CONTROL_H

#include <jansson.h>
#include <stdint.h>

struct daemon;
struct control;

/*
 * Listens on path (mode 0660, group if non-NULL), replacing a stale socket.
 * Returns NULL (logged) on failure. Requests are served in the loop.
 */
struct control	*control_new(struct daemon *, const char *path, const char *group);
void		 control_free(struct control *);	/* closes clients, unlinks */

/*
 * For a command that answers later (an import that runs over many loop
 * turns): called inside the command, it marks the requesting client as
 * waiting and returns a ticket (0: not inside a request). The command then
 * returns NULL; the client's next requests wait. control_reply sends the
 * reply (and takes it, may be NULL: out of memory) if the client is still
 * there, then runs the client's waiting requests.
 */
uint64_t	 control_defer(struct control *);
void		 control_reply(struct control *, uint64_t ticket, json_t *rep);

#endif
