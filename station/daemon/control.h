/* The control socket: newline-delimited JSON requests and replies. */
#ifndef STATION_CONTROL_H
#define STATION_CONTROL_H

struct daemon;
struct control;

/*
 * Listens on path (mode 0660, group if non-NULL), replacing a stale socket.
 * Returns NULL (logged) on failure. Requests are served in the loop.
 */
struct control	*control_new(struct daemon *, const char *path, const char *group);
void		 control_free(struct control *);	/* closes clients, unlinks */

#endif
