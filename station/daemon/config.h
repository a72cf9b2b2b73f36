/* The station's INI configuration (inih), table-driven, errors as file:line. */
#ifndef STATION_CONFIG_H
#define STATION_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct station_conf {
	char *name;	      /* from [station NAME] */
	int line;	      /* where the section starts */
	char *scanner;	      /* usb:VID:PID[:SERIAL] / usb-port:B-P.P; NULL: none */
	char *scanner_layout; /* us | de | fr */
	char *label_printer;  /* CUPS queue name or ipp:// URI; NULL: none */
	char *slip_printer;
	char *label_media;	     /* 4x6 | 4x4 | a6 */
	int label_dpi;		     /* 203 | 300 */
	char *slip_media;	     /* letter | a4 */
	int64_t duplicate_window_ms; /* same code again within this: duplicate read */
	int slip_on_open;	     /* print the slip when the order opens (if not printed yet) */
	char *scale;		     /* usb:VID:PID[:SERIAL] / usb-port:B-P.P; NULL: none */
	int weight_check;	     /* 1: weigh each box against its expected weight */
	int weight_tol_permille;  /* weight_check = 5%: 50 (tenths of a percent); 0 if in grams */
	int64_t weight_tol_grams; /* weight_check = 30g: 30; 0 if in percent */
	int64_t tare_grams;	  /* the empty box; default 0 */
	int verify_label;	  /* the printed label is scanned back onto the box */
	char *override_pins;	  /* supervisor badges and crypt(3) PINs, a 0600 file; NULL: none */
	int override_pins_line;
	int weight_check_line, verify_label_line;
	int label_printer_line; /* where the printers are named, for stationd -n */
	int slip_printer_line;
};

struct shop_conf {
	char *name, *address1, *address2, *city, *province, *zip, *country, *phone;
	char *gs1_prefix; /* GS1 company prefix (digits) for SSCCs */
};

/* [web]: the supervisor's console (station/web/); listen NULL: no console. */
struct web_conf {
	char *listen;		  /* address:port */
	char *users_file;	  /* name:role:hash lines, mode 0600 */
	char *tls_cert, *tls_key; /* https when both */
	int line;		  /* its first key's line, for messages */
};

/* [shopify]: shop sync (station/shop/); enabled 0 when the section is absent. */
struct shopify_conf {
	int enabled;
	int line;		   /* where [shopify] starts */
	char *shop;		   /* example.myshopify.com */
	char *endpoint;		   /* full GraphQL URL (given, or made from shop + api_version) */
	char *api_version;	   /* 2026-10 */
	char *token_file;	   /* Admin API token; 0600 or stricter */
	char *location;		   /* as written: N or gid://shopify/Location/N */
	int64_t location_id;	   /* parsed */
	char *webhook_secret_file; /* for the web console's POST /webhooks/shopify */
	int poll_interval;	   /* seconds; 0: only `stationctl sync` */
	int notify_customer;
	int timeout;	     /* seconds, whole request */
	int connect_timeout; /* seconds */
	int retry_min;	     /* ms: first backoff */
	int retry_max;	     /* ms: longest backoff */
	int page_size;	     /* fulfillment orders per page (halved on MAX_COST_EXCEEDED) */
	int token_line, location_line, secret_line;
};

struct config {
	char *path;	/* the file read */
	char *database; /* absolute or relative to the file's folder, resolved */
	char *spool;
	char *socket;
	char *socket_group;	  /* group owning the 0660 socket; NULL: the daemon's */
	int64_t archive_after_ms; /* finished orders older than this are archived; 0: never */
	int64_t log_retention_ms; /* events and scans older than this are pruned; 0: never */
	char *box;		  /* this machine among boxes sharing a database (host name) */
	struct shop_conf shop;
	struct web_conf web;
	struct shopify_conf shopify;
	struct station_conf *stations;
	size_t nstations;
};

/*
 * Reads and checks path. Every problem is printed to errs as
 * "file:line: message"; returns the configuration if there were none,
 * else NULL. With check_paths, also checks that the folders for the
 * database, spool and socket exist and are writable.
 */
struct config *config_load(const char *path, int check_paths, FILE *errs);
void config_free(struct config *); /* NULL is a no-op */
const struct station_conf *config_station(const struct config *, const char *name);

/* The default configuration file when -c is not given. */
#define CONFIG_DEFAULT_PATH "/etc/station/station.ini"

#endif
