/* Reading station.ini with inih: a table of keys, each with its checker. */
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/scale.h"
#include "drivers/scanner.h"
#include "station/daemon/config.h"
#include "station/daemon/config_values.h"

enum section { SEC_DAEMON, SEC_SHOP, SEC_STATION, SEC_WEB, SEC_SHOPIFY };
enum kind { K_STR, K_PATH, K_INT, K_BOOL, K_DURATION, K_TOLERANCE, K_GRAMS };

struct key {
	enum section sec;
	const char *name;
	enum kind kind;
	size_t off; /* into struct config or struct station_conf */
	int (*check)(const char *v, char *err, size_t errlen);
};

#define C(f) offsetof(struct config, f)
#define S(f) offsetof(struct station_conf, f)
static const struct key keys[] = {
	{ SEC_DAEMON, "database", K_PATH, C(database), NULL },
	{ SEC_DAEMON, "spool", K_PATH, C(spool), NULL },
	{ SEC_DAEMON, "socket", K_PATH, C(socket), NULL },
	{ SEC_DAEMON, "socket_group", K_STR, C(socket_group), NULL },
	{ SEC_DAEMON, "archive_after", K_DURATION, C(archive_after_ms), config_check_duration },
	{ SEC_DAEMON, "log_retention", K_DURATION, C(log_retention_ms), config_check_duration },
	{ SEC_DAEMON, "box", K_STR, C(box), config_check_box },
	{ SEC_SHOP, "name", K_STR, C(shop.name), NULL },
	{ SEC_SHOP, "address1", K_STR, C(shop.address1), NULL },
	{ SEC_SHOP, "address2", K_STR, C(shop.address2), NULL },
	{ SEC_SHOP, "city", K_STR, C(shop.city), NULL },
	{ SEC_SHOP, "province", K_STR, C(shop.province), NULL },
	{ SEC_SHOP, "zip", K_STR, C(shop.zip), NULL },
	{ SEC_SHOP, "country", K_STR, C(shop.country), NULL },
	{ SEC_SHOP, "phone", K_STR, C(shop.phone), NULL },
	{ SEC_SHOP, "gs1_prefix", K_STR, C(shop.gs1_prefix), config_check_gs1 },
	{ SEC_STATION, "scanner", K_STR, S(scanner), scanner_spec_check },
	{ SEC_STATION, "scanner_layout", K_STR, S(scanner_layout), scanner_layout_check },
	{ SEC_STATION, "label_printer", K_STR, S(label_printer), config_check_printer },
	{ SEC_STATION, "slip_printer", K_STR, S(slip_printer), config_check_printer },
	{ SEC_STATION, "label_media", K_STR, S(label_media), config_check_media },
	{ SEC_STATION, "label_dpi", K_INT, S(label_dpi), config_check_dpi },
	{ SEC_STATION, "slip_media", K_STR, S(slip_media), config_check_slip_media },
	{ SEC_STATION, "duplicate_window", K_INT, S(duplicate_window_ms), config_check_window },
	{ SEC_STATION, "slip_on_open", K_BOOL, S(slip_on_open), NULL },
	{ SEC_STATION, "scale", K_STR, S(scale), scale_spec_check },
	{ SEC_STATION, "weight_check", K_TOLERANCE, S(weight_check), config_check_tolerance },
	{ SEC_STATION, "tare_grams", K_GRAMS, S(tare_grams), config_check_grams },
	{ SEC_STATION, "verify_label", K_BOOL, S(verify_label), NULL },
	{ SEC_STATION, "override_pins", K_PATH, S(override_pins), NULL },
	{ SEC_WEB, "listen", K_STR, C(web.listen), config_check_listen },
	{ SEC_WEB, "users_file", K_PATH, C(web.users_file), NULL },
	{ SEC_WEB, "tls_cert", K_PATH, C(web.tls_cert), NULL },
	{ SEC_WEB, "tls_key", K_PATH, C(web.tls_key), NULL },
	{ SEC_SHOPIFY, "shop", K_STR, C(shopify.shop), NULL },
	{ SEC_SHOPIFY, "endpoint", K_STR, C(shopify.endpoint), NULL },
	{ SEC_SHOPIFY, "api_version", K_STR, C(shopify.api_version), NULL },
	{ SEC_SHOPIFY, "token_file", K_PATH, C(shopify.token_file), NULL },
	{ SEC_SHOPIFY, "location_id", K_STR, C(shopify.location), config_check_location },
	{ SEC_SHOPIFY, "poll_interval", K_INT, C(shopify.poll_interval), config_check_count },
	{ SEC_SHOPIFY, "notify_customer", K_BOOL, C(shopify.notify_customer), NULL },
	{ SEC_SHOPIFY, "webhook_secret_file", K_PATH, C(shopify.webhook_secret_file), NULL },
	{ SEC_SHOPIFY, "timeout", K_INT, C(shopify.timeout), config_check_count },
	{ SEC_SHOPIFY, "connect_timeout", K_INT, C(shopify.connect_timeout), config_check_count },
	{ SEC_SHOPIFY, "retry_min", K_INT, C(shopify.retry_min), config_check_count },
	{ SEC_SHOPIFY, "retry_max", K_INT, C(shopify.retry_max), config_check_count },
	{ SEC_SHOPIFY, "page_size", K_INT, C(shopify.page_size), config_check_count },
};
#undef C
#undef S

struct perror {
	int line;
	char *msg;
};

struct parse {
	struct perror *errv;
	struct config *c;
	FILE *errs;
	const char *file;
	char *dir;
	int line; /* counted by our reader */
	int nerr;
	int seen_daemon, seen_shop;
	int keyline[3]; /* lines of database, spool, socket */
	int shop_line;	/* where [shop] starts */
	int gs1_given;	/* gs1_prefix was there, valid or not */
	FILE *fp;
};

/* Errors are kept and printed sorted by line once the whole file is read. */
static void perr(struct parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct parse *p, int line, const char *fmt, ...)
{
	struct perror *v = realloc(p->errv, (size_t)(p->nerr + 1) * sizeof(*v));
	va_list ap;
	char *msg;
	int r;

	if (v == NULL)
		return;
	p->errv = v;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r == -1)
		return;
	v[p->nerr].line = line;
	v[p->nerr].msg = msg;
	p->nerr++;
}

static int
by_line(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x < y ? -1 : 1;
}

static void
print_errors(struct parse *p)
{
	int i;

	if (p->nerr > 0)
		qsort(p->errv, (size_t)p->nerr, sizeof(*p->errv), by_line);
	for (i = 0; i < p->nerr; i++) {
		fprintf(p->errs, "%s:%d: %s\n", p->file, p->errv[i].line, p->errv[i].msg);
		free(p->errv[i].msg);
	}
	free(p->errv);
}

/* override_pins holds PIN hashes: refused unless only its owner can read it. */
static void
check_pins_file(struct parse *p, const struct station_conf *sc)
{
	struct stat st;

	if (sc->override_pins == NULL)
		return;
	if (stat(sc->override_pins, &st) == -1)
		perr(p, sc->override_pins_line, "override_pins: %s: %s", sc->override_pins,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		perr(p, sc->override_pins_line, "override_pins: %s: not a regular file",
		    sc->override_pins);
	else if ((st.st_mode & 0777) != 0600)
		perr(p, sc->override_pins_line,
		    "override_pins: %s is mode %04o: it holds PIN"
		    " hashes and must be 0600",
		    sc->override_pins, (unsigned)(st.st_mode & 0777));
}

static int
parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static char *
resolve_path(struct parse *p, const char *v)
{
	char *r;

	/* A database server's address (a libpq URI) is not a file. */
	if (v[0] == '/' || strncmp(v, "postgresql:", 11) == 0 || strncmp(v, "postgres:", 9) == 0)
		return strdup(v);
	if (asprintf(&r, "%s/%s", p->dir, v) == -1)
		return NULL;
	return r;
}

static struct station_conf *
station_for(struct parse *p, const char *name)
{
	struct config *c = p->c;
	struct station_conf *sc;
	size_t i;

	for (i = 0; i < c->nstations; i++)
		if (strcmp(c->stations[i].name, name) == 0)
			return &c->stations[i];
	sc = realloc(c->stations, (c->nstations + 1) * sizeof(*sc));
	if (sc == NULL)
		return NULL;
	c->stations = sc;
	sc = &c->stations[c->nstations++];
	memset(sc, 0, sizeof(*sc));
	sc->name = strdup(name);
	sc->line = p->line;
	sc->label_dpi = 203;
	sc->duplicate_window_ms = 500;
	sc->slip_on_open = 1;
	return sc->name ? sc : NULL;
}

/* "station pack-1" → SEC_STATION and "pack-1". -1 if unknown. */
static int
section_of(const char *section, const char **station)
{
	if (strcmp(section, "daemon") == 0)
		return SEC_DAEMON;
	if (strcmp(section, "shop") == 0)
		return SEC_SHOP;
	if (strcmp(section, "web") == 0)
		return SEC_WEB;
	if (strcmp(section, "shopify") == 0)
		return SEC_SHOPIFY;
	if (strncmp(section, "station ", 8) == 0 && section[8] != '\0') {
		*station = section + 8;
		while (**station == ' ')
			(*station)++;
		return **station ? SEC_STATION : -1;
	}
	return -1;
}

static int
set_value(struct parse *p, const struct key *k, void *base, const char *value)
{
	char err[256], **sp = (char **)((char *)base + k->off);

	if (k->check && k->check(value, err, sizeof(err)) == -1) {
		perr(p, p->line, "%s", err);
		return 0;
	}
	switch (k->kind) {
	case K_STR:
	case K_PATH:
		free(*sp);
		*sp = k->kind == K_PATH ? resolve_path(p, value) : strdup(value);
		break;
	case K_INT:
		if (k->off == offsetof(struct station_conf, duplicate_window_ms))
			*(int64_t *)((char *)base + k->off) = strtoll(value, NULL, 10);
		else
			*(int *)((char *)base + k->off) = atoi(value);
		break;
	case K_DURATION: *(int64_t *)((char *)base + k->off) = config_parse_duration(value); break;
	case K_TOLERANCE: {
		struct station_conf *sc = base;

		sc->weight_check = config_parse_tolerance(
				       value, &sc->weight_tol_permille, &sc->weight_tol_grams) == 0;
		break;
	}
	case K_GRAMS: *(int64_t *)((char *)base + k->off) = strtoll(value, NULL, 10); break;
	case K_BOOL:
		if (parse_bool(value, (int *)((char *)base + k->off)) == -1)
			perr(p, p->line, "%s: expected yes or no, not '%s'", k->name, value);
		break;
	}
	return 0;
}

/* Where the [shopify] keys stationd -n checks against files were written. */
static void
shopify_key_line(struct parse *p, const char *name)
{
	struct shopify_conf *y = &p->c->shopify;

	if (strcmp(name, "token_file") == 0)
		y->token_line = p->line;
	else if (strcmp(name, "location_id") == 0)
		y->location_line = p->line;
	else if (strcmp(name, "webhook_secret_file") == 0)
		y->secret_line = p->line;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *station = NULL;
	void *base = p->c;
	int sec = section_of(section, &station);
	size_t i;

	if (sec == -1)
		return 1; /* reported once, at the section's line, by scan_sections */
	if (sec == SEC_DAEMON)
		p->seen_daemon = 1;
	if (sec == SEC_SHOP)
		p->seen_shop = 1;
	if (sec == SEC_WEB && p->c->web.line == 0)
		p->c->web.line = p->line;
	if (sec == SEC_SHOPIFY)
		shopify_key_line(p, name);
	if (sec == SEC_STATION && (base = station_for(p, station)) == NULL) {
		perr(p, p->line, "out of memory");
		return 0;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((int)keys[i].sec == sec && strcmp(keys[i].name, name) == 0) {
			if (sec == SEC_DAEMON && i < 3)
				p->keyline[i] = p->line;
			if (keys[i].off == offsetof(struct config, shop.gs1_prefix) &&
			    sec == SEC_SHOP)
				p->gs1_given = 1;
			if (sec == SEC_STATION &&
			    keys[i].off == offsetof(struct station_conf, label_printer))
				((struct station_conf *)base)->label_printer_line = p->line;
			if (sec == SEC_STATION &&
			    keys[i].off == offsetof(struct station_conf, slip_printer))
				((struct station_conf *)base)->slip_printer_line = p->line;
			if (sec == SEC_STATION &&
			    keys[i].off == offsetof(struct station_conf, override_pins))
				((struct station_conf *)base)->override_pins_line = p->line;
			if (sec == SEC_STATION &&
			    keys[i].off == offsetof(struct station_conf, weight_check))
				((struct station_conf *)base)->weight_check_line = p->line;
			if (sec == SEC_STATION &&
			    keys[i].off == offsetof(struct station_conf, verify_label))
				((struct station_conf *)base)->verify_label_line = p->line;
			return set_value(p, &keys[i], base, value) == 0;
		}
	perr(p, p->line, "unknown key '%s' in [%s]", name, section);
	return 1;
}

/* Our line reader: inih gets lines from here, so we know the line number. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(str, num, p->fp);

	if (r != NULL)
		p->line++;
	return r;
}

/* Catches "[station x]" sections with no keys, which inih never reports. */
static void
scan_sections(struct parse *p)
{
	char buf[512], *s, *e;
	int line = 0;

	rewind(p->fp);
	while (fgets(buf, sizeof(buf), p->fp)) {
		line++;
		s = buf + strspn(buf, " \t");
		if (*s != '[' || (e = strchr(s, ']')) == NULL)
			continue;
		*e = '\0';
		if (strncmp(s + 1, "station ", 8) == 0) {
			const char *st = NULL;

			if (section_of(s + 1, &st) == SEC_STATION) {
				p->line = line;
				station_for(p, st);
			}
		} else if (strcmp(s + 1, "daemon") == 0)
			p->seen_daemon = 1;
		else if (strcmp(s + 1, "shopify") == 0) {
			if (!p->c->shopify.enabled)
				p->c->shopify.line = line;
			p->c->shopify.enabled = 1;
		} else if (strcmp(s + 1, "shop") == 0) {
			p->seen_shop = 1;
			if (p->shop_line == 0)
				p->shop_line = line;
		} else if (section_of(s + 1, &(const char *){ NULL }) == -1)
			perr(p, line, "unknown section [%s]", s + 1);
	}
}

static void
check_dir_of(struct parse *p, int which, const char *key, const char *path)
{
	char *copy = strdup(path), *d;

	if (copy == NULL)
		return;
	d = which == 1 ? copy : dirname(copy); /* the spool is a folder itself */
	if (which == 1 && access(d, F_OK) == -1)
		d = dirname(copy); /* created at start if its parent exists */
	if (access(d, W_OK | X_OK) == -1)
		perr(p, p->keyline[which], "%s: %s: %s", key, d, strerror(errno));
	free(copy);
}

/* A secret file: present, a regular file, no access for group or others. */
static void
check_secret_file(struct parse *p, int line, const char *key, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		perr(p, line, "%s %s: %s", key, path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		perr(p, line, "%s %s: not a regular file", key, path);
	else if (sb.st_mode & 077)
		perr(p, line, "%s %s: mode %04o; must be 0600 or stricter (chmod 600)", key, path,
		    (unsigned)(sb.st_mode & 07777));
}

/* [shopify]: defaults, the endpoint, and the files it names. */
static void
check_shopify(struct parse *p)
{
	struct shopify_conf *y = &p->c->shopify;

	if (!y->enabled)
		return;
	if (y->api_version == NULL)
		y->api_version = strdup("2026-10");
	if (y->shop == NULL && y->endpoint == NULL)
		perr(p, y->line, "[shopify]: missing key 'shop' (or 'endpoint')");
	else if (y->endpoint == NULL && y->api_version &&
	    asprintf(&y->endpoint, "https://%s/admin/api/%s/graphql.json", y->shop,
		y->api_version) == -1)
		y->endpoint = NULL;
	if (y->endpoint && strncmp(y->endpoint, "https://", 8) != 0 &&
	    strncmp(y->endpoint, "http://", 7) != 0)
		perr(p, y->line, "[shopify]: endpoint must be an https:// (or http://) URL");
	if (y->token_file == NULL)
		perr(p, y->line, "[shopify]: missing key 'token_file'");
	else
		check_secret_file(p, y->token_line, "token_file", y->token_file);
	if (y->location == NULL && y->location_line == 0)
		perr(p, y->line, "[shopify]: missing key 'location_id'");
	else if (y->location != NULL)
		y->location_id = config_location_number(y->location);
	if (y->webhook_secret_file)
		check_secret_file(p, y->secret_line, "webhook_secret_file", y->webhook_secret_file);
	if (y->retry_max < y->retry_min)
		y->retry_max = y->retry_min;
}

static void
check_required(struct parse *p, int check_paths)
{
	struct config *c = p->c;
	size_t i;

	if (!p->seen_daemon)
		perr(p, p->line, "missing section [daemon]");
	if (!p->seen_shop)
		perr(p, p->line, "missing section [shop]");
	else {
		if (c->shop.name == NULL)
			perr(p, p->shop_line, "[shop]: missing key 'name'");
		if (c->shop.gs1_prefix == NULL && !p->gs1_given)
			perr(p, p->shop_line,
			    "[shop]: missing key 'gs1_prefix' (needed for package SSCCs)");
	}
	if (c->web.listen && c->web.users_file == NULL)
		perr(p, c->web.line, "[web]: listen needs users_file (who may log in)");
	if ((c->web.tls_cert == NULL) != (c->web.tls_key == NULL))
		perr(p, c->web.line, "[web]: give both tls_cert and tls_key, or neither");
	check_shopify(p);
	if (c->nstations == 0)
		perr(p, p->line, "no [station NAME] section: at least one bench is needed");
	for (i = 0; i < c->nstations; i++) {
		struct station_conf *sc = &c->stations[i];

		if (sc->label_media == NULL)
			sc->label_media = strdup("4x6");
		if (sc->slip_media == NULL)
			sc->slip_media = strdup("letter");
		if (sc->scanner_layout == NULL)
			sc->scanner_layout = strdup("us");
		check_pins_file(p, sc);
		/* a check that silently cannot run is worse than none: say so */
		if (sc->weight_check && sc->scale == NULL)
			perr(p, sc->weight_check_line, "weight_check needs a scale at [station %s]",
			    sc->name);
		if (sc->verify_label && sc->label_printer == NULL)
			perr(p, sc->verify_label_line,
			    "verify_label needs a label_printer at"
			    " [station %s]",
			    sc->name);
	}
	if (!p->seen_daemon)
		return;
	if (c->database == NULL)
		c->database = resolve_path(p, "var/station.db");
	else if (config_is_db_uri(c->database) && config_db_uri_has_password(c->database))
		perr(p, p->keyline[0],
		    "database: no password in the address: use ~/.pgpass"
		    " (or PGPASSFILE / PGPASSWORD)");
	if (c->box == NULL) {
		char host[256];

		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		c->box = strdup(host);
	}
	if (c->spool == NULL)
		c->spool = resolve_path(p, "var/spool");
	if (c->socket == NULL)
		c->socket = resolve_path(p, "var/station.sock");
	if (check_paths) {
		if (!config_is_db_uri(c->database))
			check_dir_of(p, 0, "database", c->database);
		check_dir_of(p, 1, "spool", c->spool);
		check_dir_of(p, 2, "socket", c->socket);
	}
}

static void
shopify_defaults(struct shopify_conf *y)
{
	y->poll_interval = 60;
	y->notify_customer = 1;
	y->timeout = 30;
	y->connect_timeout = 10;
	y->retry_min = 1000;
	y->retry_max = 300000;
	y->page_size = 5; /* ~800 of the 1000 points one query may cost */
}

struct config *
config_load(const char *path, int check_paths, FILE *errs)
{
	struct parse p;
	char *copy;
	int r;

	memset(&p, 0, sizeof(p));
	p.errs = errs;
	p.file = path;
	if ((p.fp = fopen(path, "r")) == NULL) {
		fprintf(errs, "%s:0: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((p.c = calloc(1, sizeof(*p.c))) == NULL || (copy = strdup(path)) == NULL) {
		fclose(p.fp);
		free(p.c);
		return NULL;
	}
	p.dir = strdup(dirname(copy));
	free(copy);
	p.c->path = strdup(path);
	shopify_defaults(&p.c->shopify);
	r = ini_parse_stream(reader, &p, handler, &p);
	if (r > 0)
		perr(&p, r, "syntax error (expected [section] or key = value)");
	scan_sections(&p);
	check_required(&p, check_paths);
	fclose(p.fp);
	free(p.dir);
	print_errors(&p);
	if (p.nerr > 0) {
		config_free(p.c);
		return NULL;
	}
	return p.c;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nstations; i++) {
		struct station_conf *s = &c->stations[i];

		free(s->name);
		free(s->scanner);
		free(s->scanner_layout);
		free(s->label_printer);
		free(s->slip_printer);
		free(s->label_media);
		free(s->slip_media);
		free(s->scale);
		free(s->override_pins);
	}
	free(c->stations);
	free(c->path);
	free(c->database);
	free(c->box);
	free(c->spool);
	free(c->socket);
	free(c->socket_group);
	free(c->web.listen);
	free(c->web.users_file);
	free(c->web.tls_cert);
	free(c->web.tls_key);
	free(c->shop.name);
	free(c->shop.address1);
	free(c->shop.address2);
	free(c->shop.city);
	free(c->shop.province);
	free(c->shop.zip);
	free(c->shop.country);
	free(c->shop.phone);
	free(c->shop.gs1_prefix);
	free(c->shopify.shop);
	free(c->shopify.endpoint);
	free(c->shopify.api_version);
	free(c->shopify.token_file);
	free(c->shopify.location);
	free(c->shopify.webhook_secret_file);
	free(c);
}

const struct station_conf *
config_station(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nstations; i++)
		if (strcmp(c->stations[i].name, name) == 0)
			return &c->stations[i];
	return NULL;
}
