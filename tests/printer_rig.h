/* Shared by the printer suites (printer_rig.c): rig, PDFs, events, waits. */
#ifndef TESTS_PRINTER_RIG_H
#define TESTS_PRINTER_RIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/printer.h"

#define MAX_EVENTS  256
#define DEADLINE_MS 15000

struct ev {
	enum printer_event_kind kind;
	int64_t ref;
	int job_id;
	enum print_state state;
	unsigned alerts;
	char dest[256];
	char reason[256];
};

/* From DIR/rig.env after rig_start(). */
extern char rig_dir[PATH_MAX], rig_script[PATH_MAX];
extern char eve1_uri[256], eve2_uri[256], cups_server[64], q_raw[64], q_every[64];
/* Every event the driver reported in this test, in order. */
extern struct ev events[MAX_EVENTS];
extern int nevents;
/* Made by setup(), freed by teardown(). */
extern struct loop *loop;
extern struct printers *ps;

/* The driver callback: appends to events[]. */
void on_event(const struct printer_event *, void *arg);
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Unchecked fixture: the rig for the whole suite. */
void rig_start(void);
void rig_stop(void);
/* Checked fixture: rig back to normal, fresh loop and driver. */
void setup(void);
void teardown(void);
void rig_ensure(void);
void fault_file(const char *name, int on);
/* A one-page PDF (malloc'ed) whose bytes depend on text. */
unsigned char *make_pdf(const char *text, size_t *len);

const struct ev *find_event(int64_t ref, enum printer_event_kind, int state);
const struct ev *last_alert(const char *dest);
void dump_events(const char *why);
/* Run the loop until the event / alert state / file, or DEADLINE_MS (NULL, -1). */
const struct ev *wait_event(int64_t ref, enum printer_event_kind, int state);
const struct ev *wait_alert(const char *dest, unsigned bits, int set);
const struct ev *wait_terminal(int64_t ref);
int wait_file(const char *path);
unsigned char *read_file(const char *path, size_t *len);
/* Assertions on what printer eveN received. */
void assert_received(int eve, int job_id, const unsigned char *pdf, size_t len);
char *received_env(int eve, int job_id);
int find_received(int eve, const unsigned char *pdf, size_t len);
int print_and_complete(
    int64_t ref, const char *dest, const struct print_opts *, const unsigned char *pdf, size_t len);

#endif
