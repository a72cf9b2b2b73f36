/* The daemon's shared state: what the loop's handlers work on. */
#ifndef STATION_DAEMON_H
#define STATION_DAEMON_H

#include "station/daemon/outcome.h"

struct config;
struct store;
struct loop;
struct control;
struct scanners;
struct scales;
struct printq;
struct intake_jobs;
struct web;
struct shop;

struct daemon {
	struct config *conf;
	struct store *store;
	struct loop *loop;
	struct control *ctl;
	struct scanners *scanners;	     /* NULL when no station names a scanner */
	struct scales *scales;		     /* NULL when no station names a scale */
	struct printq *printq;		     /* NULL until printing is wired */
	struct shop *shop;		     /* NULL without [shopify] (station/shop/shop.h) */
	struct daemon_watchers watchers;     /* set by the control layer; NULL fns: nobody */
	struct intake_jobs *intake;	     /* spool/in and stationctl import */
	struct daemon_watchers web_watchers; /* the web console's (station/web/), told too */
	struct web *web;		     /* NULL: no [web] console */
	int sigfd;
	int inofd;
	int stopping;
};

#endif
