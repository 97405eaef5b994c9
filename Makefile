# kago — one entry point: build, deps, check, demo, bench, kernel.
# Plain GNU make: every module's .c files are picked up by wildcard.

VERSION   := 0.1.0
CC        ?= gcc
# libsystemd: its header only; the systemd cgroup driver loads it when it
# first talks to systemd (cgroups/sd_bus_lib.c).
LINKED    := libseccomp libcap libmnl yajl
PKGS      := $(LINKED) libsystemd
COMMIT    := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(LINKED) 2>/dev/null)

CFLAGS    ?= -O2
CFLAGS    += -std=gnu17 -Wall -Wextra -Werror -D_GNU_SOURCE
CFLAGS    += -DKAGO_VERSION='"$(VERSION)"' -DKAGO_COMMIT='"$(COMMIT)"'
# kago itself carries no unwind tables (C without exceptions or
# pthread_cancel never unwinds; 70 KB less to copy and map at each create),
# and the linker drops what nothing calls.
SLIM_FLAGS := -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

# Cache for things built from Debian packages (test-VM kernel, guest kernel,
# demo bundle); outside the source tree, keyed by input hashes.
export KAGO_CACHE ?= /var/cache/kago

# runtime/ is one module in rooms: cli, lifecycle, backend, process,
# rootfs, container (docs/architecture.md), each with one header.
MODULES   := base specs cgroups netns microvm criu \
             $(addprefix runtime/,cli lifecycle backend process rootfs container)
MAIN      := runtime/cli/main.c
LIB_SRCS  := $(filter-out $(MAIN),$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=build/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=build/asan/%.o)
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
HEADERS   := $(foreach m,$(MODULES),$(wildcard $(m)/*.h)) $(wildcard tests/unit/*.h)

.SECONDARY:
.PHONY: all size deps check clang-check prereq-targets unit bats-host bats-vm demo bench bench-spec format lint clean fuzz fuzz-replay kernel
all: kago kago-vm

kago: build/obj/runtime/cli/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--gc-sections -o $@ $^ $(PKG_LIBS)

kago-vm: kago
	ln -sf kago $@

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SLIM_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The corpus replay compiles the fuzz targets in.
build/unit/fuzz_corpus_test: $(wildcard tests/fuzz/*.c)

build/unit/%: tests/unit/%.c $(ASAN_OBJS) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(ASAN_OBJS) $(PKG_LIBS)

# kago's guest init: a static binary whose bytes microvm/guest_blob.c embeds,
# built against musl (Debian's musl-tools, installed by make deps) to about
# 50 KB; with glibc it would be about 700 KB, paid by every kago create.
GUEST_INIT := build/guest/kago-init
GUEST_CC   := $(shell command -v musl-gcc 2>/dev/null)
# -z noseparate-code: text shares a segment with the headers and read-only
# data instead of padding each to its own pages (8 KB less; the guest init
# runs inside the VM, behind its boundary).
GUEST_CFLAGS := -static -Os -s -std=gnu17 -Wall -Wextra -Werror -D_GNU_SOURCE \
  -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables \
  -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code
# musl has no kernel headers: the guest's rtnetlink (microvm/guest/net.c)
# takes the kernel's own (linux-libc-dev), and nothing else, from here.
GUEST_KHDRS := build/guest/include
GUEST_MULTIARCH := $(shell $(CC) -print-multiarch)
$(GUEST_INIT): $(wildcard microvm/guest/*.c microvm/guest/*.h) microvm/guest_proto.h
	@mkdir -p $(dir $@) $(GUEST_KHDRS)
	@ln -sfn /usr/include/linux $(GUEST_KHDRS)/linux
	@ln -sfn /usr/include/asm-generic $(GUEST_KHDRS)/asm-generic
	@ln -sfn /usr/include/$(GUEST_MULTIARCH)/asm $(GUEST_KHDRS)/asm
	$(if $(GUEST_CC),,@echo "warning: musl-gcc not found (make deps installs musl-tools):" \
	  "building the guest init with $(CC) and glibc, about 700 KB" >&2)
	$(or $(GUEST_CC),$(CC)) $(GUEST_CFLAGS) $(if $(GUEST_CC),-isystem $(GUEST_KHDRS)) -o $@ $(filter %.c,$^)
build/obj/microvm/guest_blob.o build/asan/microvm/guest_blob.o: $(GUEST_INIT)

# The stripped size of kago and of its parts (guest init, microvm/, runtime/,
# the rest) beside crun's; fails over 600 KB, or a guest init over 64 KB.
size: kago
	@bench/binary-size kago build/obj $(GUEST_INIT)

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

# make install [PREFIX=/usr/local] [DESTDIR=]: kago, the kago-vm link, a man
# page per command and bash completion. The man pages are made from kago's
# own help (docs/man/gen), so `kago help CMD` and `man kago-CMD` never differ.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
.PHONY: man install uninstall
man: build/man/kago.1
build/man/kago.1: kago docs/man/gen
	@docs/man/gen ./kago build/man

install: kago build/man/kago.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 kago $(DESTDIR)$(BINDIR)/kago
	ln -sf kago $(DESTDIR)$(BINDIR)/kago-vm
	install -m 644 build/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/completion/kago.bash $(DESTDIR)$(BASHCOMPDIR)/kago

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kago $(DESTDIR)$(BINDIR)/kago-vm $(DESTDIR)$(BASHCOMPDIR)/kago \
	  $(DESTDIR)$(MANDIR)/man1/kago.1 $(DESTDIR)$(MANDIR)/man1/kago-*.1

# The one test command: deps, build, unit tests, bats on the host and in the test VM.
check:
	@tests/check.sh

# Compile every source with clang too (the build must stay clean with both).
clang-check:
	@for f in $(LIB_SRCS) $(MAIN); do \
	  clang $(filter-out -g,$(CFLAGS)) $(PKG_CFLAGS) -fsyntax-only $$f || exit 1; done

# Targets make check builds before testing (artefacts the suites need);
# modules add theirs to PREREQ_TARGETS.
PREREQ_TARGETS := kernel
prereq-targets:
	@echo $(PREREQ_TARGETS)

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

format:
	clang-format -i $(LIB_SRCS) $(MAIN) $(HEADERS) $(UNIT_SRCS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -D_GNU_SOURCE $(MODULES)
	clang-tidy --quiet $(LIB_SRCS) $(MAIN) -- $(CFLAGS) $(PKG_CFLAGS)

# libFuzzer targets (clang), one per reader of untrusted input:
#   spec   the config.json/process/resources/state/features parser (specs/)
#   state  kago's state.json reader (runtime/container/state_file.c)
#   ninep  the microVM's 9P server, against a temp dir (microvm/p9_*.c)
#   fuse   the microVM's FUSE (virtio-fs) server, against a temp dir (microvm/fuse_*.c)
#   guest  the guest init's /kago.conf and control-message decoders (microvm/guest/init.c)
#   blk    the microVM's virtio-blk request handling (microvm/virtio_blk.c)
#   netlink  the readers of the kernel's rtnetlink replies (netns/msg_addr.c, netns/msg_link.c)
#   manifest a checkpoint image's kago-checkpoint.json as restore checks it
#            (runtime/lifecycle/checkpoint_manifest.c)
#   snap   the microVM snapshot file's framing: header, sections, CRCs (microvm/snap_file.c)
#   fstable  a checkpoint's FUSE and 9P server tables as restore loads them, against a
#            temp dir (microvm/fuse_snapshot.c, microvm/p9_snapshot.c)
# make fuzz [FUZZ_TARGET=spec] [FUZZ_SECONDS=N]. New inputs go to
# build/fuzz/TARGET/corpus, crashes/leaks/timeouts to build/fuzz/TARGET/findings/;
# a kept finding goes to tests/fuzz/regressions/TARGET/ (spec: tests/fuzz/regressions/).
# make fuzz-replay runs every target once over its seeds and kept findings.
FUZZ_TARGET ?= spec
FUZZ_TARGETS := spec state ninep fuse guest blk netlink manifest snap fstable
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_BASE := $(wildcard base/*.c)
FUZZ_SRCS_spec := $(wildcard specs/*.c) $(FUZZ_BASE)
FUZZ_SRCS_state := runtime/container/state_file.c $(FUZZ_BASE)
FUZZ_SRCS_ninep := $(wildcard microvm/p9_*.c) microvm/fs_entry.c $(FUZZ_BASE)
FUZZ_SRCS_fuse := $(wildcard microvm/fuse_*.c) microvm/fs_entry.c $(FUZZ_BASE)
FUZZ_SRCS_guest := $(wildcard microvm/guest/*.c)
FUZZ_SRCS_netlink := netns/msg_addr.c netns/msg_link.c $(FUZZ_BASE)
FUZZ_SRCS_manifest := runtime/lifecycle/checkpoint_manifest.c runtime/container/state_file.c \
  $(wildcard criu/*.c) $(FUZZ_BASE)
FUZZ_SRCS_snap := microvm/snap_file.c microvm/bytes.c $(FUZZ_BASE)
FUZZ_SRCS_fstable := $(wildcard microvm/fuse_*.c microvm/p9_*.c) microvm/fs_entry.c $(FUZZ_BASE)
FUZZ_SRCS_blk := microvm/virtio_blk.c microvm/virtqueue.c microvm/virtio_mmio.c microvm/guest_mem.c \
  $(FUZZ_BASE)
FUZZ_DICT_spec := -dict=tests/fuzz/spec.dict
FUZZ_MAXLEN_spec := 65536
FUZZ_CORPORA_spec := tests/fixtures/configs tests/fuzz/seeds tests/fuzz/regressions
FUZZ_CORPORA = $(or $(FUZZ_CORPORA_$(FUZZ_TARGET)),$(wildcard tests/fuzz/seeds/$(FUZZ_TARGET) \
  tests/fuzz/regressions/$(FUZZ_TARGET)))
fuzz: build/fuzz/$(FUZZ_TARGET)_fuzz
	@mkdir -p build/fuzz/$(FUZZ_TARGET)/corpus build/fuzz/$(FUZZ_TARGET)/findings
	build/fuzz/$(FUZZ_TARGET)_fuzz -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=$(or $(FUZZ_MAXLEN_$(FUZZ_TARGET)),16384) -timeout=10 $(FUZZ_DICT_$(FUZZ_TARGET)) \
	  -artifact_prefix=build/fuzz/$(FUZZ_TARGET)/findings/ -print_final_stats=1 $(FUZZ_FLAGS) \
	  build/fuzz/$(FUZZ_TARGET)/corpus $(FUZZ_CORPORA)

fuzz-replay: $(FUZZ_TARGETS:%=build/fuzz/%_fuzz)
	@for t in $(FUZZ_TARGETS); do \
	  dirs="tests/fuzz/seeds/$$t tests/fuzz/regressions/$$t"; \
	  [ $$t != spec ] || dirs="tests/fuzz/seeds tests/fuzz/regressions -maxdepth 1"; \
	  files=$$(find $$dirs -type f ! -name README 2>/dev/null); \
	  [ -z "$$files" ] || build/fuzz/$${t}_fuzz -timeout=10 $$files >/dev/null 2>&1 || \
	    { echo "fuzz-replay: $$t fails on a kept input"; exit 1; }; \
	  echo "fuzz-replay: $$t: $$(echo $$files | wc -w) inputs"; done

.SECONDEXPANSION:
build/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $$(FUZZ_SRCS_$$*) $(HEADERS) $(wildcard tests/fuzz/*.h) runtime/container/container.h
	@mkdir -p $(dir $@)
	clang $(filter-out -O2 -Werror,$(CFLAGS)) -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $(PKG_CFLAGS) -o $@ tests/fuzz/$*_fuzz.c \
	  $(filter-out microvm/guest/%,$(FUZZ_SRCS_$*)) $(PKG_LIBS)

# Parser benchmark: µs per parse of a typical config, and 1/2/4 MiB timings.
bench-spec: build/bench/spec_parse
	bench/spec-parse build/bench/spec_parse

build/bench/spec_parse: bench/spec_parse.c $(wildcard specs/*.c) $(wildcard base/*.c) specs/specs.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ bench/spec_parse.c $(wildcard specs/*.c) \
	  $(wildcard base/*.c) $(PKG_LIBS)

clean:
	rm -rf build kago kago-vm
