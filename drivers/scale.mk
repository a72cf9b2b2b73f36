# drivers/: USB HID POS scales on the generic USB HID layer, and their report decoder.
LIB_OBJS += $(B)/drivers/hid_scale.o $(B)/drivers/scale.o
TEST_BINS += $(B)/tests/test_scale_umockdev
$(B)/tests/test_scale_umockdev.o: ALL_CFLAGS += $(UMOCKDEV_CFLAGS)
$(B)/tests/test_scale_umockdev: $(B)/tests/fake_usb.o
EXTRA_TEST_LIBS_test_scale_umockdev := $(UMOCKDEV_LIBS)
