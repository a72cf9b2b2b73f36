/* stationd: the pack-station daemon. One process, one poll loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "drivers/scanner.h"
#include "station/daemon/boxes.h"
#include "station/daemon/checks.h"
#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outbox.h"
#include "station/daemon/notify.h"
#include "station/daemon/upkeep.h"
#include "station/daemon/intake_job.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/print.h"
#include "station/daemon/station.h"
#include "station/shop/shop.h"
#include "station/store/store.h"
#include "station/web/web.h"

static void
usage(void)
{
	fprintf(stderr, "usage: stationd [-c FILE] [-d] [-n] [-v]\n");
	exit(2);
}

/*
 * stationd -n: asks each named printer whether it exists. An unknown queue
 * is an error; a server that does not answer now is only a warning.
 */
static int
check_printers(const struct config *c)
{
	char err[256];
	size_t i;
	int bad = 0, k, r;

	for (i = 0; i < c->nstations; i++) {
		const struct station_conf *sc = &c->stations[i];
		const char *dest[2] = { sc->label_printer, sc->slip_printer };
		const char *key[2] = { "label_printer", "slip_printer" };
		int line[2] = { sc->label_printer_line, sc->slip_printer_line };

		for (k = 0; k < 2; k++) {
			if (dest[k] == NULL ||
			    (k == 1 && dest[1] && dest[0] && strcmp(dest[0], dest[1]) == 0))
				continue;
			r = printer_check_dest(NULL, dest[k], err, sizeof(err));
			if (r == -1) {
				fprintf(stderr, "%s:%d: %s %s: %s\n", c->path, line[k], key[k],
				    dest[k], err);
				bad = 1;
			} else if (r == -2)
				fprintf(stderr, "%s:%d: warning: %s %s: cannot check now: %s\n",
				    c->path, line[k], key[k], dest[k], err);
		}
	}
	return bad ? -1 : 0;
}

static void
reload(struct daemon *d)
{
	struct config *c = config_load(d->conf->path, 0, stderr);

	log_reopen();
	if (c == NULL) {
		log_warnx("HUP: %s has errors; keeping the running configuration", d->conf->path);
		return;
	}
	if (strcmp(c->database, d->conf->database) || strcmp(c->spool, d->conf->spool) ||
	    strcmp(c->socket, d->conf->socket))
		log_warnx("HUP: database, spool and socket changes take effect at restart");
	/* Stations keep their names: the scanner side is rebuilt at restart too. */
	free(c->database);
	c->database = strdup(d->conf->database);
	free(c->spool);
	c->spool = strdup(d->conf->spool);
	free(c->socket);
	c->socket = strdup(d->conf->socket);
	config_free(d->conf);
	d->conf = c;
	log_info("HUP: configuration re-read");
}

static void
on_signal(int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %d: stopping", (int)si.ssi_signo);
			d->stopping = 1;
			loop_stop(d->loop);
			break;
		case SIGHUP: reload(d); break;
		}
	}
}

static int
setup_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1) {
		log_warn("signalfd");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return loop_add_fd(d->loop, d->sigfd, POLLIN, on_signal, d);
}

static int
setup_scanners(struct daemon *d)
{
	char err[256];
	size_t i;

	for (i = 0; i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];

		if (sc->scanner == NULL)
			continue;
		if (d->scanners == NULL &&
		    (d->scanners = scanners_new(
			 d->loop, station_on_scanner, station_on_scanner_alert, d)) == NULL) {
			log_warnx("scanners: cannot start libusb");
			return -1;
		}
		if (scanners_add(d->scanners, sc->name, sc->scanner, sc->scanner_layout, err,
			sizeof(err)) == -1) {
			log_warnx("[station %s] scanner %s: %s", sc->name, sc->scanner, err);
			return -1;
		}
	}
	return 0;
}

/*
 * One daemon per database and per socket: a POSIX record lock on PATH.lock,
 * held for the process's life. Record locks are not inherited by fork, so a
 * render child or printer worker outliving a killed daemon never keeps its
 * successor out. The fd stays open (closing any fd of the file would drop
 * the lock). hold 0: only probe (before detaching, so the refusal reaches
 * the terminal; the detached child takes the lock for real). 0, or -1 with
 * the reason logged.
 */
static int
lock_path(const char *path, const char *what, int hold)
{
	char lp[PATH_MAX];
	struct flock fl;
	int fd;

	if (snprintf(lp, sizeof(lp), "%s.lock", path) >= (int)sizeof(lp)) {
		log_warnx("%s %s: path too long for its lock file", what, path);
		return -1;
	}
	if ((fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1) {
		log_warn("%s lock %s", what, lp);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0) {
		if (!hold)
			close(fd); /* only a probe: the lock goes with the fd */
		return 0;
	}
	if (errno == EACCES || errno == EAGAIN) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			log_warnx("another stationd (pid %ld) already runs on %s %s; not starting",
			    (long)fl.l_pid, what, path);
		else
			log_warnx(
			    "another stationd already runs on %s %s; not starting", what, path);
	} else
		log_warn("%s lock %s", what, lp);
	close(fd);
	return -1;
}

/* Customers' names and addresses: nothing the daemon writes is world-readable. */
static void
restrict_modes(const char *database)
{
	static const char *sfx[] = { "", "-wal", "-shm" };
	char p[PATH_MAX];
	struct stat st;
	size_t i;

	umask(0007);
	if (store_is_server(database))
		return; /* a server's files are its own */
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", database, sfx[i]);
		if (stat(p, &st) == 0 && (st.st_mode & 0007) && chmod(p, st.st_mode & 0770) == -1)
			log_warn("chmod %s", p);
	}
}

static int
run(struct daemon *d)
{
	char err[512];
	int failed;

	restrict_modes(d->conf->database);
	if ((!store_is_server(d->conf->database) &&
		lock_path(d->conf->database, "database", 1) == -1) ||
	    lock_path(d->conf->socket, "socket", 1) == -1)
		return 1;
	if ((d->store = store_open(d->conf->database, 0, err, sizeof(err))) == NULL) {
		log_warnx("database: %s", err);
		return 1;
	}
	if ((d->loop = loop_new()) == NULL || boxes_start(d) == -1 || setup_signals(d) == -1 ||
	    (d->intake = intake_jobs_new(d->loop, d->store, d->conf->spool)) == NULL ||
	    outbox_start(d) == -1 ||
	    (d->ctl = control_new(d, d->conf->socket, d->conf->socket_group)) == NULL ||
	    print_start(d) == -1 || setup_scanners(d) == -1 || shop_start(d) == -1 ||
	    checks_start(d) == -1)
		return 1;
	if ((d->web = web_new(d, &failed)) == NULL && failed)
		return 1;
	station_recover(d);
	intake_jobs_spool_scan(d->intake);
	log_info("ready: %zu station(s), database %s, spool %s, socket %s", d->conf->nstations,
	    d->conf->database, d->conf->spool, d->conf->socket);
	if (upkeep_start(d) == -1 || notify_ready(d) == -1)
		return 1;
	if (loop_run(d->loop) == -1) {
		log_warn("poll");
		return 1;
	}
	notify_stopping(d);
	return 0;
}

static void
teardown(struct daemon *d)
{
	shop_stop(d);
	web_free(d->web);
	intake_jobs_free(d->intake); /* before the control: it replies */
	scanners_free(d->scanners);
	checks_stop(d);
	outbox_stop(d); /* a stop between a verdict and its spool/out file */
	print_stop(d);
	boxes_stop(d);
	control_free(d->ctl);
	if (d->inofd > 0)
		close(d->inofd);
	if (d->sigfd > 0)
		close(d->sigfd);
	loop_free(d->loop);
	store_close(d->store);
	config_free(d->conf);
}

int
main(int argc, char *argv[])
{
	const char *path = CONFIG_DEFAULT_PATH;
	int ch, foreground = 0, check = 0, verbose = 0, rc;
	struct daemon d;

	memset(&d, 0, sizeof(d));
	d.sigfd = d.inofd = -1;
	/*
	 * Free memory stays in the heap up to 1 MB before it goes back to the
	 * kernel. At glibc's default (128 KB) nearly every completed scan gave
	 * back the 64 KB chunks of SQLite's statement journals and took them
	 * again with brk and fresh zeroed pages: 40% of a shipment's CPU
	 * (issue 11). A big import still ends with malloc_trim.
	 */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	while ((ch = getopt(argc, argv, "c:dnv")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': foreground = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if ((d.conf = config_load(path, check, stderr)) == NULL)
		return 1;
	if (check) {
		if (check_printers(d.conf) == -1) {
			config_free(d.conf);
			return 1;
		}
		printf("%s: configuration OK (%zu station%s)\n", path, d.conf->nstations,
		    d.conf->nstations == 1 ? "" : "s");
		config_free(d.conf);
		return 0;
	}
	if (!foreground &&
	    ((!store_is_server(d.conf->database) &&
		 lock_path(d.conf->database, "database", 0) == -1) ||
		lock_path(d.conf->socket, "socket", 0) == -1)) {
		config_free(d.conf);
		return 1;
	}
	log_init("stationd", foreground, verbose);
	if (!foreground && daemon(1, 0) == -1) {
		log_warn("daemon");
		return 1;
	}
	rc = run(&d);
	teardown(&d);
	log_info("stopped");
	return rc;
}
