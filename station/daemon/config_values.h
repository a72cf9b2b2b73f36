/*
 * The checks of single configuration values (config.c's key table): pure,
 * no I/O. Each check returns 0, or -1 with the message for
 * "file:line: message" in err.
 */
#ifndef STATION_CONFIG_VALUES_H
#define STATION_CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>

int config_check_media(const char *v, char *err, size_t len);
int config_check_slip_media(const char *v, char *err, size_t len);
int config_check_dpi(const char *v, char *err, size_t len);
int config_check_listen(const char *v, char *err, size_t len);
int config_check_window(const char *v, char *err, size_t len);
int config_check_duration(const char *v, char *err, size_t len);
int config_check_count(const char *v, char *err, size_t len);
int config_check_location(const char *v, char *err, size_t len);
int config_check_tolerance(const char *v, char *err, size_t len);
int config_check_grams(const char *v, char *err, size_t len);
int config_check_gs1(const char *v, char *err, size_t len);
int config_check_printer(const char *v, char *err, size_t len);
int config_check_box(const char *v, char *err, size_t len);

/* "30d", "12h", "90m", "3600s", or a bare number of days, into ms; -1 if bad. */
int64_t config_parse_duration(const char *v);
/* weight_check: "5%" into tenths of a percent, or "30g" into grams. 0 / -1. */
int config_parse_tolerance(const char *v, int *permille, int64_t *grams);
/* location_id: N or gid://shopify/Location/N; 0 if not one. */
int64_t config_location_number(const char *v);
/* A libpq URI ("postgresql:" or "postgres:"); and whether it names a password. */
int config_is_db_uri(const char *v);
int config_db_uri_has_password(const char *v);

#endif
