/* What the station prints: labels, slips, sheets (rendered, then queued). */
#ifndef STATION_PRINT_H
#define STATION_PRINT_H

#include <jansson.h>
#include <stdint.h>

struct daemon;

/*
 * Queue a document for printing; never blocks on a printer. Failures are
 * logged and become events; the job is kept for retry where it got a row.
 * Return 0 when queued (or nothing to print to), -1 on failure.
 */
int print_label(struct daemon *, const char *station, int64_t package_id, int reprint);
int print_slip(struct daemon *, const char *station, int64_t order_id, int reprint);
int print_sheet(struct daemon *, const char *station);
/* The same, carrying out an effects row (marked done with the job's row). */
int print_label_effect(
    struct daemon *, const char *station, int64_t package_id, int reprint, int64_t effect);
int print_slip_effect(
    struct daemon *, const char *station, int64_t order_id, int reprint, int64_t effect);

/* Starts/stops the printing side (printers, queue). 0 / -1. */
int print_start(struct daemon *);
void print_stop(struct daemon *);
/* reprint, print-slips, sheet; any other name is an unknown command. */
json_t *print_command_json(struct daemon *, const char *cmd, json_t *req);
/* Alerts for status: an array of {"station","printer","alert"}. */
json_t *print_alerts_json(struct daemon *);

#endif
