# drivers/printer: PDF jobs to CUPS queues and IPP printers (libcups).
PRINTER_SRCS := drivers/printer.c drivers/printer_worker.c drivers/printer_ipp.c \
	drivers/printer_media.c drivers/printer_status.c
LIB_OBJS += $(PRINTER_SRCS:%.c=$(B)/%.o)
TEST_BINS += $(B)/tests/test_printer
BENCH_BINS += $(B)/bench/print_bench
TEST_BINS += $(B)/tests/test_printer_faults
# Both printer suites share the rig helpers.
$(B)/tests/test_printer $(B)/tests/test_printer_faults: $(B)/tests/printer_rig.o
