# tests/: the core's Check suites.
TEST_BINS += $(B)/tests/test_core $(B)/tests/test_fontcache
TEST_SCRIPTS += tests/sanitize.sh
TEST_SCRIPTS += tests/e2e_print.sh
$(B)/tests/test_core.o: ALL_CFLAGS += -DTOP_DIR='"$(CURDIR)"'
TEST_SCRIPTS += tests/daemon_valgrind.sh
TEST_SCRIPTS += tests/e2e_signals.sh
TEST_SCRIPTS += scripts/check-layers.sh
TEST_SCRIPTS += tests/e2e_hostile.sh
TEST_SCRIPTS += tests/check_layers_test.sh
