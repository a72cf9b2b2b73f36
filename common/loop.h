/* The daemon's one single-threaded event loop: fds, timers, prepare hooks. */
#ifndef STATION_LOOP_H
#define STATION_LOOP_H

#include <poll.h>
#include <stdint.h>

struct loop;

/* Called with the revents poll() reported for fd. Must not block. */
typedef void (*loop_fd_cb)(int fd, short revents, void *arg);
/* Called when a timer expires (once; re-add to repeat). Must not block. */
typedef void (*loop_timer_cb)(void *arg);
/*
 * Called before every poll(): a driver (libusb) may return the longest
 * time in milliseconds the loop may sleep, or -1 for no limit.
 */
typedef int (*loop_prepare_cb)(void *arg);

/* Returns a new loop, or NULL on allocation failure. */
struct loop *loop_new(void);
/* Frees the loop; does not close the fds it watched. NULL is a no-op. */
void loop_free(struct loop *);

/* Watches fd for events (POLLIN/POLLOUT). One watch per fd. 0 / -1. */
int loop_add_fd(struct loop *, int fd, short events, loop_fd_cb, void *arg);
/* Changes the events watched for fd. 0 / -1 if fd is not watched. */
int loop_mod_fd(struct loop *, int fd, short events);
/* Stops watching fd (safe from inside any callback). */
void loop_del_fd(struct loop *, int fd);

/* Arms a one-shot timer ms from now. Returns its id (> 0) or -1. */
int64_t loop_add_timer(struct loop *, int64_t ms, loop_timer_cb, void *arg);
/* Cancels a timer by id; unknown or fired ids are ignored. */
void loop_cancel_timer(struct loop *, int64_t id);

/* Adds a hook run before each poll() (see loop_prepare_cb). 0 / -1. */
int loop_add_prepare(struct loop *, loop_prepare_cb, void *arg);
void loop_del_prepare(struct loop *, loop_prepare_cb, void *arg);

/*
 * Waits at most max_ms (-1: no limit) and dispatches what is ready.
 * Returns 0, or -1 if poll() failed other than by EINTR.
 */
int loop_run_once(struct loop *, int max_ms);
/*
 * 1 if a watched fd other than except_fd has input waiting now (poll with
 * no wait; safe inside a callback): long background work (an import batch)
 * asks it to give way to a scan or a request. 0 otherwise.
 */
int loop_others_ready(struct loop *, int except_fd);
/* Runs until loop_stop(). Returns 0, or -1 on a poll() failure. */
int loop_run(struct loop *);
void loop_stop(struct loop *);

/* Monotonic clock in milliseconds. */
int64_t loop_now_ms(void);

#endif
