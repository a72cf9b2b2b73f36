/* The station's documents: labels, slips and command sheets from the store. */
#ifndef STATION_DOCS_H
#define STATION_DOCS_H

#include <stddef.h>
#include <stdint.h>

#include "labels/labels.h"

struct store;
struct config;
struct station_conf;

/*
 * Each renders one PDF into out (free with labels_out_free) and writes a
 * job title such as "#1001 package 2 label" into title. Returns 0, or -1
 * with err (no such package/order, a rendering error). Blocks on the
 * database and the CPU only.
 */
int docs_label(struct store *, const struct config *, const struct station_conf *,
    int64_t package_id, struct labels_out *out, char *title, size_t titlelen, int64_t *order_id,
    char *err, size_t errlen);
int docs_slip(struct store *, const struct config *, const struct station_conf *, int64_t order_id,
    struct labels_out *out, char *title, size_t titlelen, char *err, size_t errlen);
int docs_sheet(const struct config *, const struct station_conf *, struct labels_out *out,
    char *title, size_t titlelen, char *err, size_t errlen);

#endif
