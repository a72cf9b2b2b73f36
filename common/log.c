/*
 * Daemon logging: stderr with -d, syslog otherwise; under systemd (stderr
 * is the journal's stream) straight to the journal with the priority and
 * the STATION= / ORDER= fields the message's "[station X]" "[order Y]"
 * context names, so journalctl can filter by bench or order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "common/log.h"

static const char *log_ident = "station";
static int log_fg = 1;
static int log_verbose;
static int log_journal; /* stderr is connected to the journal */

/*
 * JOURNAL_STREAM is "DEV:INO" of the stream systemd connected; it only
 * counts if stderr is still that stream (not redirected by a test or a
 * shell in between).
 */
static int
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, int foreground, int verbose)
{
	log_ident = ident;
	log_fg = foreground;
	log_verbose = verbose;
	log_journal = foreground && stderr_is_journal();
	if (!log_fg)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_reopen(void)
{
	if (!log_fg) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

/* The X of "[tag X]" in msg, into out (empty when absent). */
static void
context_field(const char *msg, const char *tag, char *out, size_t len)
{
	const char *p = strstr(msg, tag), *e;
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(tag);
	if ((e = strchr(p, ']')) == NULL || (n = (size_t)(e - p)) == 0 || n >= len)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* One journal entry: MESSAGE, PRIORITY, the identifier, and the context found. */
static void
journal(int pri, const char *msg, const char *suffix)
{
	char m[2200], p[16], id[64], station[136], order[136], v[128];
	struct iovec iov[5];
	int n = 0;

	snprintf(m, sizeof(m), "MESSAGE=%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
	snprintf(p, sizeof(p), "PRIORITY=%d", pri);
	snprintf(id, sizeof(id), "SYSLOG_IDENTIFIER=%s", log_ident);
	iov[n++] = (struct iovec){ m, strlen(m) };
	iov[n++] = (struct iovec){ p, strlen(p) };
	iov[n++] = (struct iovec){ id, strlen(id) };
	context_field(msg, "[station ", v, sizeof(v));
	if (v[0] != '\0') {
		snprintf(station, sizeof(station), "STATION=%s", v);
		iov[n++] = (struct iovec){ station, strlen(station) };
	}
	context_field(msg, "[order ", v, sizeof(v));
	if (v[0] != '\0') {
		snprintf(order, sizeof(order), "ORDER=%s", v);
		iov[n++] = (struct iovec){ order, strlen(order) };
	}
	if (sd_journal_sendv(iov, n) < 0)
		fprintf(stderr, "%s: %s\n", log_ident, m + 8); /* journald gone: still say it */
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_journal)
		journal(pri, buf, suffix);
	else if (log_fg) {
		fprintf(stderr, "%s: %s%s%s\n", log_ident, buf, suffix ? ": " : "",
		    suffix ? suffix : "");
		fflush(stderr);
	} else
		syslog(pri, "%s%s%s", buf, suffix ? ": " : "", suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}
