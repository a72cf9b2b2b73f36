# tests/fuzz/: libFuzzer targets, one per parser of outside input. Every
# tests/fuzz/fuzz_NAME.c is picked up; its seeds are in tests/fuzz/corpus/NAME/
# and the inputs that crashed it once in tests/fuzz/crashes/NAME/.
#   make fuzz            build with clang into build-fuzz/, run each FUZZ_SECONDS
#   make fuzz-build      build only
# make check replays every corpus and crash file once (tests/fuzz/replay.sh).
FUZZ_SECONDS	?= 60
FUZZ_B		:= build-fuzz
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES	:= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS	 = $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

# With clang, libFuzzer's main; otherwise (FUZZ_REPLAY_ONLY=1) a plain main
# that runs each file given once, so the corpus still replays under ASan.
ifeq ($(FUZZ_REPLAY_ONLY),1)
$(B)/fuzz/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
else
$(B)/fuzz/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)
endif

.PHONY: fuzz fuzz-build fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz-build:
	@sh tests/fuzz/replay.sh --build-only

fuzz: fuzz-build
	@for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_B)/corpus/$$n tests/fuzz/crashes/$$n; \
		echo "=== fuzz_$$n ($(FUZZ_SECONDS) s)"; \
		$(FUZZ_B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		    -rss_limit_mb=2048 -max_len=1100000 -print_final_stats=1 \
		    -artifact_prefix=tests/fuzz/crashes/$$n/ \
		    $(FUZZ_B)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

TEST_SCRIPTS += tests/fuzz/replay.sh
