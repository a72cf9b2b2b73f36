# tests/e2e.mk: end-to-end scripts against the real stationd, and the core's benchmarks.
TEST_SCRIPTS += tests/e2e_intake.sh
TEST_SCRIPTS += tests/e2e_pack.sh
TEST_SCRIPTS += tests/e2e_crash.sh
# bench/core_scan_latency is driven by bench/core_store.sh (it needs a daemon and a database);
# run alone without arguments it only says so.
BENCH_BINS += $(B)/bench/core_scan_latency
TEST_SCRIPTS += tests/e2e_bigfield.sh
TEST_SCRIPTS += tests/e2e_guard.sh
TEST_SCRIPTS += tests/e2e_effects.sh
TEST_SCRIPTS += tests/e2e_resume.sh
