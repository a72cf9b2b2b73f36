# drivers/: USB HID POS scales on the generic USB HID layer, and their report decoder.
LIB_OBJS += $(B)/drivers/hid_scale.o $(B)/drivers/scale.o
TEST_BINS += $(B)/tests/test_scale_umockdev
$(B)/tests/test_scale_umockdev.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/tests/test_scale_umockdev: $(B)/tests/fake_usb.o
EXTRA_TEST_LIBS_test_scale_umockdev := $(UMOCKDEV_LIBS)

# End to end: the real stationd and stationctl with the fake scale and the printer rig.
TEST_BINS += $(B)/tests/test_scale_e2e
$(B)/tests/test_scale_e2e.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/tests/test_scale_e2e: $(B)/tests/fake_usb.o $(B)/tests/e2e_ctl.o | $(B)/stationd $(B)/stationctl
EXTRA_TEST_LIBS_test_scale_e2e := $(UMOCKDEV_LIBS)

# make bench: report -> weight, and verdict latency with and without a scale.
BENCH_BINS += $(B)/bench/scale_bench
$(B)/bench/scale_bench.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/bench/scale_bench: $(B)/tests/fake_usb.o | $(B)/stationd
EXTRA_TEST_LIBS_scale_bench := $(UMOCKDEV_LIBS)
