/*
 * The supervisor's web console (issue 14): libmicrohttpd driven by the
 * daemon's own loop (external epoll mode), so every page, API call and
 * action runs in the loop thread like a control command, and a slow
 * browser only ever holds a response that is already built.
 */
#ifndef STATION_WEB_H
#define STATION_WEB_H

#include <stddef.h>

struct daemon;
struct web;

/*
 * Starts the console when the configuration has [web] listen; returns
 * NULL and sets *failed = 0 when it has none, NULL with *failed = 1 (logged)
 * when it cannot start (users file not 0600, address in use, bad TLS files).
 * Registers itself as the daemon's second watcher (d->web_watchers).
 */
struct web *web_new(struct daemon *, int *failed);
void web_free(struct web *); /* NULL is a no-op */
/* The console's document state, for the renderer's callback. */
struct web_pdf *web_pdf_of(struct web *);

/*
 * stationctl web-user: adds or replaces NAME in the users file (created
 * 0600) with role "viewer" or "supervisor" and a crypt(3) hash of password
 * (yescrypt where libcrypt has it, else SHA-512). 0 / -1 with err.
 */
int web_users_set(const char *path, const char *name, const char *role, const char *password,
    char *err, size_t errlen);

#endif
