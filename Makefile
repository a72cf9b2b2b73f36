# Station — plain make and pkg-config. See README.md.
#   make          build stationd and stationctl (warnings are errors)
#   make check    install missing Debian packages (as root), build, lint, run every test
#   make lint     clang-tidy + cppcheck + clang-format --dry-run (fails on any finding)
#   make fuzz     run each fuzz target FUZZ_SECONDS (tests/fuzz/)
#   make demo     run the main job end to end in ./demo
#   make bench    print performance figures
#   make install  PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
DESTDIR	?=
B	:= build

CC	?= cc
CFLAGS	?= -O2 -g
PKGS	:= sqlite3 libpq jansson inih libusb-1.0 libsystemd libmicrohttpd libcrypt libcurl libcrypto
WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -I. $(shell pkg-config --cflags $(PKGS)) $(CFLAGS) -MMD -MP
LIBS	= $(shell pkg-config --libs $(PKGS)) -lcsv -lhpdf -lzint -lcups -lcrypt -lm -pthread
CHECK_LIBS = $(shell pkg-config --libs check)
UMOCKDEV_CFLAGS = $(shell pkg-config --cflags umockdev-1.0)
UMOCKDEV_LIBS = $(shell pkg-config --libs umockdev-1.0)

# Each part adds its objects, binaries and tests.
LIB_OBJS	:=
BINS		:=
TEST_BINS	:=
TEST_SCRIPTS	:=
BENCH_BINS	:=

# The default goal comes first, before any fragment's rules.
.PHONY: all
all:

include station/station.mk
-include labels/labels.mk
-include drivers/printer.mk
-include drivers/scanner.mk
-include drivers/scale.mk
include tests/tests.mk
-include tests/e2e.mk
-include dist/dist.mk

LIB	:= $(B)/libstation.a
# after LIB: the fuzz rules name it as a prerequisite
include tests/fuzz/fuzz.mk

.PHONY: all deps check build-tests demo bench install clean lint format-check
# keep test and bench objects between builds (they are intermediate to make)
.SECONDARY:
all: $(BINS)

deps:
	@sh scripts/deps.sh

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# A test or bench program: build/tests/NAME from tests/NAME.c (or bench/).
$(B)/tests/%: $(B)/tests/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS) $(EXTRA_TEST_LIBS_$*)

$(B)/bench/%: $(B)/bench/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(EXTRA_TEST_LIBS_$*)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

build-tests: all $(TEST_BINS) $(BENCH_BINS)

check: deps
	@$(MAKE) --no-print-directory build-tests
	@$(MAKE) --no-print-directory -j2 lint
	@sh tests/run.sh $(TEST_BINS) $(TEST_SCRIPTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory build-tests
	@sh scripts/bench.sh $(BENCH_BINS)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(B)/stationd $(DESTDIR)$(PREFIX)/sbin/stationd
	install -m 755 $(B)/stationctl $(DESTDIR)$(PREFIX)/bin/stationctl
	install -d $(DESTDIR)/etc/station $(DESTDIR)/lib/udev/rules.d $(DESTDIR)/lib/systemd/system
	[ -e $(DESTDIR)/etc/station/station.ini ] || install -m 640 dist/station.ini $(DESTDIR)/etc/station/station.ini
	install -m 644 dist/station.rules $(DESTDIR)/lib/udev/rules.d/70-station.rules
	sed 's|/usr/local/sbin|$(PREFIX)/sbin|g' dist/stationd.service >$(DESTDIR)/lib/systemd/system/stationd.service
	@# the daemon's own unprivileged user, when installing on this machine as root
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		getent group station >/dev/null || groupadd --system station; \
		getent passwd station >/dev/null || useradd --system --gid station \
		    --no-create-home --home-dir /var/lib/station --shell /usr/sbin/nologin station; \
		chgrp station /etc/station/station.ini; \
		udevadm control --reload 2>/dev/null || true; \
	fi

# Static analysis: clang-tidy (.clang-tidy) on each source whose object
# changed, and cppcheck over the tree; fails on any finding not listed in
# scripts/lint-baseline.txt (make -k lint lists them all). make check runs it.
LINT_SRCS	:= $(sort $(wildcard common/*.c station/*/*.c station/*/*/*.c drivers/*.c labels/*.c))
LINT_CFLAGS	 = -std=c11 -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS))
LINT_OK		:= $(LINT_SRCS:%.c=$(B)/lint/%.ok)

lint: $(LINT_OK) $(B)/lint/cppcheck.ok format-check

$(B)/lint/%.ok: %.c $(B)/%.o .clang-tidy scripts/lint-baseline.txt
	@mkdir -p $(dir $@)
	@sh scripts/lint.sh tidy $< -- $(LINT_CFLAGS)
	@touch $@

$(B)/lint/cppcheck.ok: $(LINT_SRCS) $(wildcard common/*.h station/*/*.h drivers/*.h labels/*.h) \
    scripts/lint-baseline.txt scripts/cppcheck-suppressions.txt
	@mkdir -p $(dir $@)
	@sh scripts/lint.sh cppcheck
	@touch $@

# Formatting against .clang-format, without changing anything (part of lint,
# so of check); clang-format -i $(FORMAT_SRCS) fixes what it finds.
FORMAT_SRCS	 = $(wildcard common/*.[ch] station/*/*.[ch] station/*/*/*.[ch] drivers/*.[ch] \
		    labels/*.[ch] tests/*.[ch] tests/fuzz/*.c tests/shim/*.c bench/*.[ch])
format-check:
	clang-format --dry-run -Werror $(FORMAT_SRCS)

clean:
	rm -rf $(B) build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
