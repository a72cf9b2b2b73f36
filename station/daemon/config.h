/* The station's INI configuration (inih), table-driven, errors as file:line. */
#ifndef STATION_CONFIG_H
#define STATION_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct station_conf {
	char	*name;			/* from [station NAME] */
	int	 line;			/* where the section starts */
	char	*scanner;		/* usb:VID:PID[:SERIAL] / usb-port:B-P.P; NULL: none */
	char	*scanner_layout;	/* us | de | fr */
	char	*label_printer;		/* CUPS queue name or ipp:// URI; NULL: none */
	char	*slip_printer;
	char	*label_media;		/* 4x6 | 4x4 | a6 */
	int	 label_dpi;		/* 203 | 300 */
	char	*slip_media;		/* letter | a4 */
	int64_t	 duplicate_window_ms;	/* same code again within this: duplicate read */
	int	 slip_on_open;		/* print the slip when the order opens (if not printed yet) */
	char	*scale;			/* usb:VID:PID[:SERIAL] / usb-port:B-P.P; NULL: none */
	int	 weight_check;		/* 1: weigh each box against its expected weight */
	int	 weight_tol_permille;	/* weight_check = 5%: 50 (tenths of a percent); 0 if in grams */
	int64_t	 weight_tol_grams;	/* weight_check = 30g: 30; 0 if in percent */
	int64_t	 tare_grams;		/* the empty box; default 0 */
	int	 verify_label;		/* the printed label is scanned back onto the box */
	char	*override_pins;		/* supervisor badges and crypt(3) PINs, a 0600 file; NULL: none */
	int	 override_pins_line;
	int	 weight_check_line, verify_label_line;
	int	 label_printer_line;	/* where the printers are named, for stationd -n */
	int	 slip_printer_line;
};

struct shop_conf {
	char	*name, *address1, *address2, *city, *province, *zip, *country, *phone;
	char	*gs1_prefix;		/* GS1 company prefix (digits) for SSCCs */
};

struct config {
	char	*path;			/* the file read */
	char	*database;		/* absolute or relative to the file's folder, resolved */
	char	*spool;
	char	*socket;
	char	*socket_group;		/* group owning the 0660 socket; NULL: the daemon's */
	int64_t	 archive_after_ms;	/* finished orders older than this are archived; 0: never */
	int64_t	 log_retention_ms;	/* events and scans older than this are pruned; 0: never */
	struct shop_conf shop;
	struct station_conf *stations;
	size_t	 nstations;
};

/*
 * Reads and checks path. Every problem is printed to errs as
 * "file:line: message"; returns the configuration if there were none,
 * else NULL. With check_paths, also checks that the folders for the
 * database, spool and socket exist and are writable.
 */
struct config	*config_load(const char *path, int check_paths, FILE *errs);
void		 config_free(struct config *);		/* NULL is a no-op */
const struct station_conf *config_station(const struct config *, const char *name);

/* The default configuration file when -c is not given. */
#define CONFIG_DEFAULT_PATH "/etc/station/station.ini"

#endif
