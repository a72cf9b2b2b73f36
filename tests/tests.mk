# tests/: the core's Check suites and end-to-end scripts.
TEST_BINS +=
TEST_SCRIPTS +=
