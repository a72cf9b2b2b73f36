/*
 * commit_floor: the synced-commit floor of the disk under a directory, as the
 * daemon's store commits (WAL, synchronous=FULL): COUNT single-row
 * INSERT+COMMIT transactions, each timed. The verdict bench divides
 * Station's scan latencies by this floor, measured in the same run.
 * Usage: commit_floor DBFILE COUNT RAWFILE (appends one ms figure a line).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "commit_floor: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	FILE *raw;
	long count, i;
	int rc = 1;

	if (argc != 4) {
		if (argc == 1) {
			printf("commit_floor: figures come from bench/verdict.sh\n");
			return 0;
		}
		fprintf(stderr, "usage: commit_floor DBFILE COUNT RAWFILE\n");
		return 2;
	}
	count = atol(argv[2]);
	if ((raw = fopen(argv[3], "a")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    exec(db,
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		"CREATE TABLE IF NOT EXISTS floor(id INTEGER PRIMARY KEY, at INTEGER, v TEXT)") ==
		-1 ||
	    sqlite3_prepare_v2(
		db, "INSERT INTO floor(at, v) VALUES (?1, 'scan')", -1, &ins, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < count; i++) {
		double t0 = now_ms();

		if (exec(db, "BEGIN") == -1)
			goto out;
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "commit_floor: insert: %s\n", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
		if (exec(db, "COMMIT") == -1)
			goto out;
		fprintf(raw, "%.4f\n", now_ms() - t0);
	}
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	if (fclose(raw) != 0)
		rc = 1;
	return rc;
}
