# drivers/: USB barcode scanners on the generic USB HID layer (usb_hid, libusb) and their report decoders.
LIB_OBJS += $(B)/drivers/hid_kbd.o $(B)/drivers/hid_pos.o $(B)/drivers/scanner.o \
	$(B)/drivers/usb_hid.o $(B)/drivers/usb_hid_spec.o \
	$(B)/drivers/scanner_spec.o
TEST_BINS += $(B)/tests/test_hid $(B)/tests/test_scanner_umockdev

# The umockdev fake scanner is linked into the tests and the bench that use it.
$(B)/tests/fake_usb.o $(B)/tests/test_scanner_umockdev.o $(B)/bench/scan_bench.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/tests/test_scanner_umockdev: $(B)/tests/fake_usb.o
EXTRA_TEST_LIBS_test_scanner_umockdev := $(UMOCKDEV_LIBS)

BENCH_BINS += $(B)/bench/scan_bench
$(B)/bench/scan_bench: $(B)/tests/fake_usb.o
EXTRA_TEST_LIBS_scan_bench := $(UMOCKDEV_LIBS)

# End to end: the real stationd and stationctl against the fake scanners.
TEST_BINS += $(B)/tests/test_scanner_e2e
$(B)/tests/test_scanner_e2e.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/tests/test_scanner_e2e: $(B)/tests/fake_usb.o $(B)/tests/e2e_ctl.o | $(B)/stationd $(B)/stationctl
EXTRA_TEST_LIBS_test_scanner_e2e := $(UMOCKDEV_LIBS)
