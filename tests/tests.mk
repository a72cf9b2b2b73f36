# tests/: the core's Check suites.
TEST_BINS += $(B)/tests/test_core
