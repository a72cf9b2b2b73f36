/* Private to intake_job.c and intake_worker.c: one file's import, shared with its thread. */
#ifndef STATION_INTAKE_JOB_INT_H
#define STATION_INTAKE_JOB_INT_H

#include <pthread.h>
#include <stddef.h>

#include "station/daemon/intake_job.h"
#include "station/intake/intake.h"
#include "station/intake/intake_file.h"

#define QCAP ((size_t)2 * INTAKE_JOB_BATCH)

struct request;

struct entry {
	struct order *o;
	char *cut; /* what intake_bound_order cut, or NULL */
};

/* The file being imported: shared with its thread under mu. */
struct job {
	struct request *req;
	struct intake_file file;
	enum intake_kind kind;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry q[QCAP];
	size_t qhead, qn;
	/*
	 * Stored orders handed back to the thread, which freed them: it
	 * allocated them, and glibc frees a chunk of another thread's arena
	 * under that arena's lock while the thread allocates from it.
	 */
	struct order *spent[QCAP];
	size_t nspent;
	struct product_code *codes;
	size_t ncodes, codes_pos;
	int finished; /* the thread has nothing more to give */
	int failed;   /* 1: the file is bad; 2: not finished, retried; err says why */
	int cancel;
	char err[1200];
	struct intake_result res;
	int efd;
};

/*
 * The thread (intake_worker.c): pure parsing, no store, no loop, no
 * logging. Validates the whole file, then queues its orders (or parses its
 * codes), sets finished/failed and wakes the loop through efd.
 */
void *intake_worker_main(void *job);
/* Wakes the loop: one write to the eventfd. */
void intake_worker_wake(int efd);

#endif
