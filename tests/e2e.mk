# tests/e2e.mk: end-to-end scripts against the real stationd, and the core's benchmarks.
TEST_SCRIPTS += tests/e2e_intake.sh
TEST_SCRIPTS += tests/e2e_pack.sh
TEST_SCRIPTS += tests/e2e_crash.sh
TEST_SCRIPTS += tests/e2e_abandon.sh
# The same suites on PostgreSQL (a private server per run), and several boxes on one.
TEST_SCRIPTS += tests/e2e_pg.sh
# bench/core_scan_latency is driven by bench/core_store.sh (it needs a daemon and a database);
# run alone without arguments it only says so.
BENCH_BINS += $(B)/bench/core_scan_latency
TEST_SCRIPTS += tests/e2e_make.sh
# bench/verdict.sh: scan->verdict by verdict against the synced-commit floor (issue 11).
BENCH_BINS += $(B)/bench/commit_floor $(B)/bench/verdict_latency
# The LD_PRELOAD sync counter used by tests/e2e_syncs.sh (one synced commit before a verdict).
$(B)/tests/sync_count.so: tests/shim/sync_count.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -shared -fPIC -O2 -o $@ $< -ldl
build-tests: $(B)/tests/sync_count.so
TEST_SCRIPTS += tests/e2e_control.sh
TEST_SCRIPTS += tests/e2e_bigfield.sh
TEST_SCRIPTS += tests/e2e_guard.sh
TEST_SCRIPTS += tests/e2e_effects.sh
TEST_SCRIPTS += tests/e2e_resume.sh
TEST_SCRIPTS += tests/e2e_syncs.sh
TEST_SCRIPTS += tests/e2e_scan_cost.sh
TEST_SCRIPTS += tests/e2e_schema8.sh
# issue 16: man pages document the code's keys, commands and verdicts; the Debian
# package; systemd's notify protocol and watchdog.
TEST_SCRIPTS += tests/man_check.sh tests/e2e_deb.sh tests/e2e_systemd.sh
# issue 16: backup/restore/check while scanning; a simulated two years of archiving and retention.
TEST_SCRIPTS += tests/e2e_backup.sh tests/e2e_retention.sh
# The web console (issue 14): plain HTTP and Chromium headless against the real daemon.
TEST_SCRIPTS += tests/e2e_web.sh
# Shop sync against a mock Shopify Admin GraphQL server (issue 12).
TEST_SCRIPTS += tests/e2e_shop.sh
TEST_SCRIPTS += tests/e2e_webhook.sh
# The bench clients of the control socket share bench/bench_client.c.
$(B)/bench/core_scan_latency $(B)/bench/verdict_latency $(B)/bench/scale_bench: $(B)/bench/bench_client.o
