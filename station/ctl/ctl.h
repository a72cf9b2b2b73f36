/* stationctl's internals: shared by its command files. */
#ifndef STATION_CTL_H
#define STATION_CTL_H

#include <jansson.h>
#include <stddef.h>

struct config;
struct store;

struct ctl {
	struct config *conf;
	struct store *store; /* opened read-only on first use */
};

void ctl_usage(const char *msg) __attribute__((noreturn));
int ctl_connect(struct ctl *);
int ctl_send(int fd, json_t *req);
/* ctl_send with a file passed along (SCM_RIGHTS); passfd -1: none. 0 / -1 with errno. */
int ctl_send_fd(int fd, json_t *req, int passfd);
/* Reads one reply line; NULL on EOF (errno 0) or error (errno set). */
json_t *ctl_recv(int fd, char **buf, size_t *len);
/* Says on stderr that the daemon went away: while sending (sent 0) or before replying. */
void ctl_lost(int sent, int err);
/*
 * Sends req (consumed) and returns the reply; NULL (said on stderr) if the
 * daemon is unreachable or went away. The _fd form passes a file along.
 */
json_t *ctl_request(struct ctl *, json_t *req);
json_t *ctl_request_fd(struct ctl *, json_t *req, int passfd);
int ctl_check(json_t *rep);
/*
 * s for a terminal: control characters and invalid UTF-8 escaped
 * (table_escape), so shop data cannot rewrite the screen. NULL stays NULL.
 * The result lives until 32 more calls: use it within one printf.
 */
const char *ctl_safe(const char *s);
/* ctl_safe of obj's string member key (NULL if absent or not a string). */
const char *ctl_str(json_t *obj, const char *key);
struct store *ctl_store(struct ctl *);
int ctl_format(const char *, int allow_csv);
/* "15m", "2h", "3d", "90s" ago, or "YYYY-MM-DD[ HH:MM[:SS]]" local time → unix ms; -1 bad. */
long long ctl_parse_time(const char *);

int cmd_status(struct ctl *, int, char **);
int cmd_import(struct ctl *, int, char **);
int cmd_orders(struct ctl *, int, char **);
int cmd_show(struct ctl *, int, char **);
int cmd_hold(struct ctl *, int, char **);
int cmd_release(struct ctl *, int, char **);
int cmd_abandon(struct ctl *, int, char **);
int cmd_migrate(struct ctl *, int, char **);
int cmd_scan(struct ctl *, int, char **);
int cmd_log(struct ctl *, int, char **);
int cmd_stats(struct ctl *, int, char **);
int cmd_watch(struct ctl *, int, char **);
int cmd_reprint(struct ctl *, int, char **);
int cmd_print_slips(struct ctl *, int, char **);
int cmd_sheet(struct ctl *, int, char **);
/* upkeep (ctl_maint.c) */
int cmd_backup(struct ctl *, int, char **);
int cmd_restore(struct ctl *, int, char **);
int cmd_check(struct ctl *, int, char **);
int cmd_archive(struct ctl *, int, char **);
int cmd_export(struct ctl *, int, char **);
int cmd_web_user(struct ctl *, int, char **);
/* ctl_shop.c: shop sync (issue 12) */
int cmd_sync(struct ctl *, int, char **);
int cmd_pushes(struct ctl *, int, char **);
int cmd_push(struct ctl *, int, char **);
void ctl_shop_status_line(json_t *status_reply);

#endif
