# The pure pack-session machine and its names; unit tests in tests/test_session.c.
LIB_OBJS += $(B)/station/session.o $(B)/station/session_names.o
TEST_BINS += $(B)/tests/test_session
