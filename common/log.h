/* Daemon logging, after OpenBSD ntpd: stderr in the foreground, syslog otherwise. */
#ifndef STATION_LOG_H
#define STATION_LOG_H

/* Starts logging as ident; foreground != 0 logs to stderr. */
void log_init(const char *ident, int foreground, int verbose);
/* Re-opens the log target (SIGHUP). */
void log_reopen(void);
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
