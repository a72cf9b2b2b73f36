/*
 * stationctl from the C end-to-end tests (test_scanner_e2e, test_scale_e2e):
 * run it, read an order's status and a station's log, wait on either with
 * a deadline.
 */
#ifndef TESTS_E2E_CTL_H
#define TESTS_E2E_CTL_H

#include <stddef.h>
#include <stdint.h>

#define E2E_WAIT_MS 15000

/* The tree holding build/stationctl and the configuration; both are kept, not copied. */
void e2e_ctl_init(const char *root, const char *conf);
int64_t e2e_now_ms(void);
/* Runs stationctl ARGS; its stdout (and stderr) into out. Exit status, -1. */
int e2e_ctl(char *out, size_t outlen, const char *args);
/* 1 once the order's status is want (within E2E_WAIT_MS), else 0 (says so). */
int e2e_wait_status(const char *order, const char *want);
/* How many times text occurs in the station's log (JSON), -1. */
int e2e_log_count(const char *station, const char *text);
/* 1 once text occurs count times in the log (within E2E_WAIT_MS), else 0. */
int e2e_wait_log(const char *station, const char *text, int count);

#endif
