/* stationctl's internals: shared by its command files. */
#ifndef STATION_CTL_H
#define STATION_CTL_H

#include <jansson.h>
#include <stddef.h>

struct config;
struct store;

struct ctl {
	struct config	*conf;
	struct store	*store;		/* opened read-only on first use */
};

void		 ctl_usage(const char *msg) __attribute__((noreturn));
int		 ctl_connect(struct ctl *);
int		 ctl_send(int fd, json_t *req);
json_t		*ctl_recv(int fd, char **buf, size_t *len);
/* Sends req (consumed) and returns the reply, NULL if the daemon is unreachable. */
json_t		*ctl_request(struct ctl *, json_t *req);
int		 ctl_check(json_t *rep);
struct store	*ctl_store(struct ctl *);
int		 ctl_format(const char *, int allow_csv);
/* "15m", "2h", "3d", "90s" ago, or "YYYY-MM-DD[ HH:MM[:SS]]" local time → unix ms; -1 bad. */
long long	 ctl_parse_time(const char *);

int	cmd_status(struct ctl *, int, char **);
int	cmd_import(struct ctl *, int, char **);
int	cmd_orders(struct ctl *, int, char **);
int	cmd_show(struct ctl *, int, char **);
int	cmd_hold(struct ctl *, int, char **);
int	cmd_release(struct ctl *, int, char **);
int	cmd_scan(struct ctl *, int, char **);
int	cmd_log(struct ctl *, int, char **);
int	cmd_stats(struct ctl *, int, char **);
int	cmd_watch(struct ctl *, int, char **);
int	cmd_reprint(struct ctl *, int, char **);
int	cmd_print_slips(struct ctl *, int, char **);
int	cmd_sheet(struct ctl *, int, char **);
/* upkeep (ctl_maint.c) */
int	cmd_backup(struct ctl *, int, char **);
int	cmd_restore(struct ctl *, int, char **);
int	cmd_check(struct ctl *, int, char **);
int	cmd_archive(struct ctl *, int, char **);
int	cmd_export(struct ctl *, int, char **);

#endif
