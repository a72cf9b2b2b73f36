# station/intake_*: order and product file parsers (issue 2, intake part).
INTAKE_SRCS := station/intake_util.c station/intake_detect.c \
	station/intake_jsonread.c station/intake_json.c station/intake_csvread.c station/intake_csv.c \
	station/intake_products.c
LIB_OBJS += $(INTAKE_SRCS:%.c=$(B)/%.o)
TEST_BINS += $(B)/tests/test_intake_parse $(B)/tests/test_intake_csv \
	$(B)/tests/test_intake_stream
