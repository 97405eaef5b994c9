# kago — one entry point: build, deps, check, demo, bench, kernel.
# Plain GNU make: every module's .c files are picked up by wildcard.

VERSION   := 0.1.0
CC        ?= gcc
PKGS      := libseccomp libcap libmnl yajl libsystemd
COMMIT    := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS    ?= -O2
CFLAGS    += -std=gnu17 -Wall -Wextra -Werror -D_GNU_SOURCE
CFLAGS    += -DKAGO_VERSION='"$(VERSION)"' -DKAGO_COMMIT='"$(COMMIT)"'
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

# Cache for things built from Debian packages (test-VM kernel, guest kernel,
# demo bundle); outside the source tree, keyed by input hashes.
export KAGO_CACHE ?= /var/cache/kago

MODULES   := base specs cgroups netns microvm runtime
LIB_SRCS  := $(filter-out runtime/main.c,$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=build/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=build/asan/%.o)
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
HEADERS   := $(foreach m,$(MODULES),$(wildcard $(m)/*.h)) $(wildcard tests/unit/*.h)

.SECONDARY:
.PHONY: all deps check clang-check prereq-targets unit bats-host bats-vm demo bench bench-spec format lint clean fuzz kernel
all: kago kago-vm

kago: build/obj/runtime/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

kago-vm: kago
	ln -sf kago $@

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/unit/%: tests/unit/%.c $(ASAN_OBJS) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(ASAN_OBJS) $(PKG_LIBS)

# kago's guest init: a static binary whose bytes microvm/guest_blob.c embeds.
GUEST_INIT := build/guest/kago-init
$(GUEST_INIT): microvm/guest/init.c microvm/guest_proto.h
	@mkdir -p $(dir $@)
	$(CC) -static -Os -s -std=gnu17 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<
build/obj/microvm/guest_blob.o build/asan/microvm/guest_blob.o: $(GUEST_INIT)

# The guest kernel, cached in $(KAGO_CACHE)/kernel/<hash>/ (about 8 min when missing).
kernel:
	@microvm/guest/build-kernel.sh

# A busybox container session with kago run (tests/demo.sh).
demo:
	@tests/deps.sh
	@$(MAKE) -s --no-print-directory all
	@tests/demo.sh

deps:
	@tests/deps.sh

# The one test command: deps, build, unit tests, bats on the host and in the test VM.
check:
	@tests/check.sh

# Compile every source with clang too (the build must stay clean with both).
clang-check:
	@for f in $(LIB_SRCS) runtime/main.c; do \
	  clang $(filter-out -g,$(CFLAGS)) $(PKG_CFLAGS) -fsyntax-only $$f || exit 1; done

# Targets make check builds before testing (artefacts the suites need);
# modules add theirs to PREREQ_TARGETS.
PREREQ_TARGETS := kernel
prereq-targets:
	@echo $(PREREQ_TARGETS)

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

format:
	clang-format -i $(LIB_SRCS) runtime/main.c $(HEADERS) $(UNIT_SRCS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -D_GNU_SOURCE $(MODULES)
	clang-tidy --quiet $(LIB_SRCS) runtime/main.c -- $(CFLAGS) $(PKG_CFLAGS)

# libFuzzer on the specs parser (clang): make fuzz FUZZ_SECONDS=N. New inputs go
# to build/fuzz/corpus, crashes/leaks/timeouts to build/fuzz/findings/.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_SRCS := tests/fuzz/spec_fuzz.c $(wildcard specs/*.c) $(wildcard base/*.c)
fuzz: build/fuzz/spec_fuzz
	@mkdir -p build/fuzz/corpus build/fuzz/findings
	build/fuzz/spec_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -dict=tests/fuzz/spec.dict -artifact_prefix=build/fuzz/findings/ -print_final_stats=1 $(FUZZ_FLAGS) \
	  build/fuzz/corpus tests/fixtures/configs tests/fuzz/seeds tests/fuzz/regressions

build/fuzz/spec_fuzz: $(FUZZ_SRCS) specs/specs.h base/base.h
	@mkdir -p $(dir $@)
	clang $(filter-out -O2 -Werror,$(CFLAGS)) -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $(PKG_CFLAGS) -o $@ $(FUZZ_SRCS) $(PKG_LIBS)

# Parser benchmark: µs per parse of a typical config, and 1/2/4 MiB timings.
bench-spec: build/bench/spec_parse
	bench/spec-parse build/bench/spec_parse

build/bench/spec_parse: bench/spec_parse.c $(wildcard specs/*.c) $(wildcard base/*.c) specs/specs.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ bench/spec_parse.c $(wildcard specs/*.c) \
	  $(wildcard base/*.c) $(PKG_LIBS)

clean:
	rm -rf build kago kago-vm
