# labels/: PDF labels, packing slips and command sheets (libharu + libzint).
LABELS_SRCS := labels/pdf.c labels/text.c labels/barcode.c labels/media.c \
	labels/label.c labels/slip.c labels/sheet.c labels/fontcache.c
LIB_OBJS += $(LABELS_SRCS:%.c=$(B)/%.o)
BINS += $(B)/labels-sample

$(B)/labels-sample: $(B)/labels/sample.o $(B)/libstation.a
	$(CC) -o $@ $^ $(LIBS)

TEST_BINS += $(B)/tests/test_labels $(B)/tests/test_labels_proof
BENCH_BINS += $(B)/bench/labels_bench
TEST_SCRIPTS += tests/labels_valgrind.sh
