# tests/: the core's Check suites.
TEST_BINS += $(B)/tests/test_core
TEST_SCRIPTS += tests/sanitize.sh
