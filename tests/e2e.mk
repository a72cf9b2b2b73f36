# tests/e2e.mk: end-to-end scripts against the real stationd, and the core's benchmarks.
TEST_SCRIPTS += tests/e2e_intake.sh
TEST_SCRIPTS += tests/e2e_pack.sh
TEST_SCRIPTS += tests/e2e_crash.sh
