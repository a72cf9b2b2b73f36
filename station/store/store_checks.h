/* The store's side of the packing checks (issue 15): scale weights and package labels. */
#ifndef STATION_STORE_CHECKS_H
#define STATION_STORE_CHECKS_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * The closed package weighed grams on the scale: its weight_grams, with
 * source 'scale' (close_package writes 'computed' when it can). 0 / -1.
 */
int store_package_weigh(struct store *, int64_t package_id, int64_t grams);

/*
 * Whose label an SSCC is: 1 with the order's name and the box (and the
 * package id), 0 when no package has it, -1 on error.
 */
int store_find_label(struct store *, const char *sscc, char *order_name, size_t namelen, int *box,
    int64_t *package_id);

/* The package's SSCC and "#1001" (for a reprint to scan back). 1 / 0 / -1. */
int store_package_label(
    struct store *, int64_t package_id, char sscc[19], char *order_name, size_t namelen);

/* The order whose tracking number code is ("#1001"): 1 / 0 / -1. */
int store_find_tracking(struct store *, const char *code, char *order_name, size_t namelen);

/*
 * The order's closed packages: how many, their total weight (-1 when one
 * has none) and where it came from ("scale" if every one was weighed,
 * "computed" if none was, "scale and computed" else). 0 / -1.
 */
int store_order_weight(
    struct store *, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen);

#endif
