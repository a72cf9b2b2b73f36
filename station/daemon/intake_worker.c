/* The import thread: parses a mapped file twice (validate, then queue) and never touches the store. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/thread.h"
#include "station/daemon/intake_job_int.h"
#include "station/intake/intake_stream.h"

void
intake_worker_wake(int efd)
{
	uint64_t one = 1;

	while (write(efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

/* Pass 1: each order checked against the bounds, then dropped. */
static int
validate_one(void *arg, struct order *o, char *err, size_t errlen)
{
	struct job *j = arg;
	int r = intake_bound_order(o, err, errlen);

	order_free(o);
	if (__atomic_load_n(&j->cancel, __ATOMIC_RELAXED))
		return -1;
	return r == -1 ? -1 : 0;
}

/*
 * Pass 2: each order handed to the loop; waits while the queue is full.
 * Frees the orders the loop has stored and handed back.
 */
static int
push_one(void *arg, struct order *o, char *err, size_t errlen)
{
	struct job *j = arg;
	struct order *spent[QCAP];
	char why[512];
	char *cut = NULL;
	size_t n;
	int r = intake_bound_order(o, why, sizeof(why));

	if (r == -1) {
		order_free(o);
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (r == 1 && (cut = strdup(why)) == NULL) {
		order_free(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&j->mu);
	while (j->qn == QCAP && !j->cancel)
		pthread_cond_wait(&j->cv, &j->mu);
	if (j->cancel) {
		pthread_mutex_unlock(&j->mu);
		order_free(o);
		free(cut);
		snprintf(err, errlen, "stopped");
		return -1;
	}
	j->q[(j->qhead + j->qn) % QCAP] = (struct entry){ o, cut };
	if (++j->qn == INTAKE_JOB_BATCH)
		intake_worker_wake(j->efd);
	n = j->nspent;
	if (n > 0)
		memcpy(spent, j->spent, n * sizeof(struct order *));
	j->nspent = 0;
	pthread_mutex_unlock(&j->mu);
	while (n > 0)
		order_free(spent[--n]);
	return 0;
}

static int
check_codes(struct job *j)
{
	size_t i;

	for (i = 0; i < j->ncodes; i++)
		if (strlen(j->codes[i].code) > INTAKE_MAX_CODE ||
		    strlen(j->codes[i].sku) > INTAKE_MAX_CODE)
			return snprintf(j->err, sizeof(j->err),
				   "code %zu: "
				   "barcode or SKU longer than %d bytes",
				   i + 1, INTAKE_MAX_CODE),
			       -1;
	return 0;
}

static int
run_orders(struct job *j, intake_order_cb cb)
{
	const struct intake_input *in = &j->file.in;
	size_t n;

	if (j->kind == INTAKE_ORDERS_JSON)
		return intake_stream_orders_json_from(in, cb, j, &n, j->err, sizeof(j->err));
	return intake_stream_orders_csv_from(in, cb, j, &n, j->err, sizeof(j->err));
}

/*
 * Pass 1: the whole file checked, duplicates screened in fixed memory; if
 * the screen suspects any, once more to confirm them exactly.
 */
static int
validate_orders(struct job *j)
{
	if ((j->file.in.seen = intake_seen_new()) == NULL) {
		snprintf(j->err, sizeof(j->err), "out of memory");
		return -1;
	}
	if (run_orders(j, validate_one) == -1)
		return -1;
	if (intake_seen_suspects(j->file.in.seen) == 0)
		return 0;
	intake_file_rewind(&j->file);
	intake_seen_set_mode(j->file.in.seen, INTAKE_SEEN_CONFIRM);
	return run_orders(j, validate_one);
}

static int
run_codes(struct job *j)
{
	const struct intake_input *in = &j->file.in;
	int r;

	if (j->kind == INTAKE_PRODUCTS_CSV)
		r = intake_parse_products_csv_from(
		    in, &j->codes, &j->ncodes, j->err, sizeof(j->err));
	else
		r = intake_parse_codes_csv_from(in, &j->codes, &j->ncodes, j->err, sizeof(j->err));
	return r == 0 ? check_codes(j) : -1;
}

void *
intake_worker_main(void *arg)
{
	struct job *j = arg;
	int bad = 0, r;

	/* parsing is background work: the loop's scans come first on the CPU */
	thread_background();
	/* only this thread reads the mapping (see intake_file_was_cut) */
	j->kind = intake_detect(j->file.in.buf, j->file.in.len);
	j->res.kind = intake_kind_name(j->kind);

	switch (j->kind) {
	case INTAKE_ORDERS_JSON:
	case INTAKE_ORDERS_CSV:
		/* nothing reaches the store before the whole file is known good */
		if ((r = validate_orders(j)) == -1)
			bad = 1;
		else {
			intake_file_rewind(&j->file);
			intake_seen_set_mode(j->file.in.seen, INTAKE_SEEN_OFF);
			r = run_orders(j, push_one);
		}
		break;
	case INTAKE_PRODUCTS_CSV:
	case INTAKE_CODES_CSV:
		r = run_codes(j);
		bad = r == -1;
		break;
	default:
		snprintf(j->err, sizeof(j->err), "%s",
		    intake_detect_why(j->file.in.buf, j->file.in.len));
		r = -1;
		bad = 1;
		break;
	}
	if (r == -1 && intake_file_was_cut(&j->file)) {
		snprintf(j->err, sizeof(j->err),
		    "the file was cut short while "
		    "it was read (still being written?)");
		bad = 0;
	}
	pthread_mutex_lock(&j->mu);
	j->finished = 1;
	/* a failure of the second pass is not the file's fault: retried */
	j->failed = r == -1 ? (bad && !j->cancel ? 1 : 2) : 0;
	pthread_mutex_unlock(&j->mu);
	intake_worker_wake(j->efd);
	return NULL;
}
