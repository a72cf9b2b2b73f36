/* Checks of single configuration values, for config.c's key table. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "station/daemon/config_values.h"

int
config_check_media(const char *v, char *err, size_t len)
{
	if (strcmp(v, "4x6") != 0 && strcmp(v, "4x4") != 0 && strcmp(v, "a6") != 0) {
		snprintf(err, len, "label_media must be 4x6, 4x4 or a6, not '%s'", v);
		return -1;
	}
	return 0;
}

int
config_check_slip_media(const char *v, char *err, size_t len)
{
	if (strcmp(v, "letter") != 0 && strcmp(v, "a4") != 0) {
		snprintf(err, len, "slip_media must be letter or a4, not '%s'", v);
		return -1;
	}
	return 0;
}

int
config_check_dpi(const char *v, char *err, size_t len)
{
	if (strcmp(v, "203") != 0 && strcmp(v, "300") != 0) {
		snprintf(err, len, "label_dpi must be 203 or 300, not '%s'", v);
		return -1;
	}
	return 0;
}

/* [web] listen: "address:port" (IPv4 or [IPv6]), port 1..65535. */
int
config_check_listen(const char *v, char *err, size_t len)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (colon == NULL || colon == v) {
		snprintf(err, len, "listen is address:port (127.0.0.1:8080), not '%s'", v);
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || port < 1 || port > 65535) {
		snprintf(err, len, "listen: port must be 1 to 65535 in '%s'", v);
		return -1;
	}
	return 0;
}

int
config_check_window(const char *v, char *err, size_t len)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > 60000) {
		snprintf(err, len, "duplicate_window is milliseconds, 0 to 60000, not '%s'", v);
		return -1;
	}
	return 0;
}

/* "30d", "12h", "90m", "3600s", or a bare number of days, into ms; -1 if bad. */
int64_t
config_parse_duration(const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || n < 0 || n > 36500LL * 86400)
		return -1;
	switch (*end) {
	case '\0':
	case 'd': n *= 86400000LL; break;
	case 'h': n *= 3600000LL; break;
	case 'm': n *= 60000LL; break;
	case 's': n *= 1000LL; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return n > 36500LL * 86400000LL ? -1 : n;
}

int
config_check_duration(const char *v, char *err, size_t len)
{
	if (config_parse_duration(v) == -1) {
		snprintf(err, len, "'%s' is not a duration (30d, 12h, 90m, 3600s; 0: never)", v);
		return -1;
	}
	return 0;
}

/* A whole number 0..86400000 (seconds or milliseconds, by key). */
int
config_check_count(const char *v, char *err, size_t len)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < 0 || n > 86400000) {
		snprintf(err, len, "expected a whole number, not '%s'", v);
		return -1;
	}
	return 0;
}

/* N or gid://shopify/Location/N; 0 if not one. */
int64_t
config_location_number(const char *v)
{
	const char *d = strncmp(v, "gid://shopify/Location/", 23) == 0 ? v + 23 : v;
	char *end;
	long long n;

	if (*d < '1' || *d > '9')
		return 0;
	errno = 0;
	n = strtoll(d, &end, 10);
	return errno || *end ? 0 : (int64_t)n;
}

int
config_check_location(const char *v, char *err, size_t len)
{
	if (config_location_number(v) <= 0) {
		snprintf(err, len,
		    "location_id must be a number or gid://shopify/Location/N,"
		    " not '%s'",
		    v);
		return -1;
	}
	return 0;
}

/*
 * weight_check: "5%" (0.1% to 50%, one decimal) into tenths of a percent,
 * or "30g" (1 to 100000 g) into grams. 0 and *permille or *grams set, or -1.
 */
int
config_parse_tolerance(const char *v, int *permille, int64_t *grams)
{
	char *end;
	long n, tenth = 0;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || n < 0)
		return -1;
	if (strcmp(end, "g") == 0) {
		if (n < 1 || n > 100000)
			return -1;
		*permille = 0;
		*grams = n;
		return 0;
	}
	if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
		tenth = end[1] - '0';
		end += 2;
	}
	if (strcmp(end, "%") != 0 || n * 10 + tenth < 1 || n * 10 + tenth > 500)
		return -1;
	*permille = (int)(n * 10 + tenth);
	*grams = 0;
	return 0;
}

int
config_check_tolerance(const char *v, char *err, size_t len)
{
	int pm;
	int64_t g;

	if (config_parse_tolerance(v, &pm, &g) == -1) {
		snprintf(err, len,
		    "weight_check must be a percentage (0.1%% to 50%%, e.g. 5%%)"
		    " or grams (1g to 100000g, e.g. 30g), not '%s'",
		    v);
		return -1;
	}
	return 0;
}

int
config_check_grams(const char *v, char *err, size_t len)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > 100000) {
		snprintf(err, len, "tare_grams is grams, 0 to 100000, not '%s'", v);
		return -1;
	}
	return 0;
}

int
config_check_gs1(const char *v, char *err, size_t len)
{
	size_t n = strlen(v), i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			break;
	if (i != n || n < 6 || n > 12) {
		snprintf(err, len, "gs1_prefix must be 6 to 12 digits, not '%s'", v);
		return -1;
	}
	return 0;
}

int
config_check_printer(const char *v, char *err, size_t len)
{
	size_t i;

	if (strncmp(v, "ipp://", 6) == 0 || strncmp(v, "ipps://", 7) == 0)
		return 0;
	for (i = 0; v[i]; i++)
		if (v[i] <= ' ' || v[i] == '/' || v[i] == '#' || v[i] == '\\' || v[i] == 0x7f)
			break;
	if (v[i] || i == 0 || i > 127) {
		snprintf(err, len, "'%s' is neither a CUPS queue name nor an ipp:// URI", v);
		return -1;
	}
	return 0;
}

int
config_is_db_uri(const char *v)
{
	return strncmp(v, "postgresql:", 11) == 0 || strncmp(v, "postgres:", 9) == 0;
}

/* "password=" among the parameters, or "user:secret@" before the host. */
int
config_db_uri_has_password(const char *v)
{
	const char *at, *colon, *auth = strstr(v, "://");

	if (strstr(v, "password=") != NULL)
		return 1;
	if (auth == NULL)
		return 0;
	auth += 3;
	at = strchr(auth, '@');
	colon = strchr(auth, ':');
	return at != NULL && colon != NULL && colon < at &&
	    strcspn(auth, "/?") > (size_t)(at - auth);
}

int
config_check_box(const char *v, char *err, size_t errlen)
{
	if (*v == '\0' || strlen(v) > 63 || strpbrk(v, " \t\"'\\") != NULL) {
		snprintf(err, errlen, "box: a name of 1 to 63 characters without spaces or quotes");
		return -1;
	}
	return 0;
}
