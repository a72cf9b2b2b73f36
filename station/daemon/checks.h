/*
 * The daemon's side of the packing checks (issue 15): the benches' scales,
 * what a scan means for them (a supervisor's PIN, a package label scanned
 * back, an override badge) and the supervisors' PIN file.
 */
#ifndef STATION_DAEMON_CHECKS_H
#define STATION_DAEMON_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/session.h"

struct daemon;
struct station_conf;

/* Starts reading every configured scale. 0 / -1 (logged). */
int checks_start(struct daemon *);
/* Releases the scales. */
void checks_stop(struct daemon *);

/*
 * The bench's checks and its scale now, for the session machine. state
 * (valid while *c is used) gets what an unstable scale shows. Returns c,
 * or NULL when the bench has no scale, no check and no label scan-back.
 */
const struct sess_checks *checks_fill(struct daemon *, const struct station_conf *,
    struct sess_checks *c, char *state, size_t statelen);

/*
 * What the scale at station shows, for `stationctl status`: 1 with text
 * ("1.24 kg", "in motion (500 g)", "absent") and *grams (a stable reading,
 * else -1), 0 when the bench has no scale.
 */
int checks_scale_status(
    struct daemon *, const char *station, char *text, size_t len, int64_t *grams);

/*
 * Codes the checks give a meaning to, before orders and products:
 * the PIN after STN:OVERRIDE:<badge> (SCAN_PIN; the PIN never reaches a
 * row: *shown is what is recorded instead), and while the bench waits for
 * a label, a package label (SCAN_LABEL: its SSCC, or its order's tracking
 * number; in->label_sscc and in->label_order point into sscc and whose). For
 * STN:OVERRIDE the badge and PIN are looked up (in->badge_known, has_pin,
 * pin_ok). 1 when the code was classified here, 0 to go on, -1 on a
 * database error.
 */
struct checks_scan {
	char sscc[48]; /* an SSCC, or a tracking number (8 to 40 characters) */
	char whose[96];
	char shown[96]; /* the code as recorded, when it carried a PIN */
};
int checks_classify(struct daemon *, const struct station_conf *, const struct sess_state *,
    const char *code, struct sess_input *in, struct checks_scan *cs);

/*
 * Is badge a supervisor's in the 0600 file path ("badge:crypt-hash" lines,
 * '#' comments), and does pin match it? *known and *ok set; 0, or -1 when
 * the file cannot be read or is not 0600 (logged; nobody overrides).
 */
int checks_pin_verify(const char *path, const char *badge, const char *pin, int *known, int *ok);

/*
 * The supervisor badge ids of the PIN file (for the command sheet's
 * STN:OVERRIDE:<badge> barcodes; never the hashes), at most max. The
 * count, 0 when the file cannot be read.
 */
size_t checks_pin_badges(const char *path, char ids[][64], size_t max);

#endif
