# drivers/: USB barcode scanners (libusb) and their report decoders.
LIB_OBJS += $(B)/drivers/hid_kbd.o $(B)/drivers/hid_pos.o
TEST_BINS += $(B)/tests/test_hid
LIB_OBJS += $(B)/drivers/scanner.o
