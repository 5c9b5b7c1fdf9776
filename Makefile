# memhp — measure how much hot-added memory a Linux guest gives back.
#
#   make demo    install what is missing, build, run scenarios/quick-virtio-mem.ini
#   make check   unit tests (plain and ASan/UBSan), report tests and integration tests
#                on real guests
#   make bench   boot and end-to-end timings (docs/benchmarks.md)
#   make demo-ab a kernel A/B: linux-source-6.1 with and without an mm patch
#               (KVER=7.2: linux-source-7.2 and the patch's 7.x port)
#   make reproduce-seed000  seed 000's table: base vs onlined-to-head, 448 blocks (hours)

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     ?= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
override CFLAGS += -std=c11 $(WARN)
PKGS     := json-c inih libcrypto libvirt libvirt-qemu libxml-2.0
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljson-c -linih -lcrypto -lvirt -lvirt-qemu -lxml2) -lm -pthread
# harness/ is the run core; its folders are the layers around it (docs/design.md,
# tests/check-layers): lib/ below everything, backend/ (the VMM drivers),
# report/ (output formats), cmd/ (the commands). Every folder is on the
# include path, so #include "x.h" names a header wherever it lives.
HARNESS_DIRS := harness harness/lib harness/backend harness/report harness/cmd
override CPPFLAGS += -D_GNU_SOURCE -DMEMHP_DATADIR='"$(CURDIR)"' $(addprefix -I,$(HARNESS_DIRS)) \
		     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

CLI_SRC := $(wildcard harness/cmd/*.c)
LIB_SRC := $(filter-out $(CLI_SRC),$(wildcard $(addsuffix /*.c,$(HARNESS_DIRS))))
HARNESS_H := $(wildcard $(addsuffix /*.h,$(HARNESS_DIRS)))
LIB_OBJ := $(LIB_SRC:.c=.o)
PROBE   := guest-image/probe/memhp-probe
MEMHP   := harness/memhp

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
SAN_DIR  := build/san
SAN_BIN  := $(patsubst tests/unit/%.c,$(SAN_DIR)/%,$(UNIT_SRC))
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

DEMO_SCENARIO ?= scenarios/quick-virtio-mem.ini

.PHONY: all deps image demo demo-ab reproduce-seed000 check unit unit-san report-test compare-test hostile-test integration bench bench-paper test-kernel-faults clean

all: $(MEMHP) $(PROBE)

deps:
	@STACK=$(STACK) sh ci/install-deps

# Objects carry their header dependencies (-MMD -MP), so a changed header
# rebuilds only what includes it.
DEPFLAGS  = -MMD -MP
harness/%.o: harness/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

harness/libmemhp.a: $(LIB_OBJ)
	ar rcs $@ $^

$(MEMHP): $(CLI_SRC:.c=.o) harness/libmemhp.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The probe runs in a busybox initramfs: static, json-c linked in.
$(PROBE): $(wildcard guest-image/probe/*.c guest-image/probe/*.h)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -static -pthread -o $@ $(filter %.c,$^) -ljson-c

image: all
	guest-image/build-image --probe $(PROBE) 'deb:linux-image-6.1.*-cloud-amd64-unsigned'

demo: deps all
	$(MEMHP) run $(DEMO_SCENARIO)

# Kernel A/B: Debian's linux-source-$(KVER) (6.1 unless KVER=7.2 ...) built
# with memhp's configuration, with and without guest-image/patches/onlined-to-head
# (build-kernel takes its port for the tree's version), on a workload scenario.
# Kernels are built once (docs/kernels.md); re-running resumes.
KVER    ?= 6.1
AB_TREE ?= linux-source-$(KVER)
AB_OUT  ?= results/demo-ab$(if $(filter-out 6.1,$(KVER)),-$(KVER))
demo-ab: deps all
	$(MEMHP) run --resume $(AB_OUT) --repeats 3 \
		--variant 'base=build:$(AB_TREE)' \
		--variant 'head=build:$(AB_TREE)+guest-image/patches/onlined-to-head' \
		scenarios/ab-onlined-to-head.ini > /dev/null || true
	$(MEMHP) report --baseline base $(AB_OUT)
	$(MEMHP) compare --baseline base $(AB_OUT) || true

# Seed 000's table (docs/benchmarks.md): base vs onlined-to-head x example (a)
# and the two 448-block scenarios (ci/seed000.ini), then the report with the
# seed's numbers beside memhp's (memhp report --seed000). Hours under TCG;
# re-running resumes, SEED000_REPEATS=N runs N repeats (the file's 3 otherwise).
SEED000_OUT     ?= results/seed000
SEED000_REPEATS ?=
reproduce-seed000: deps all
	$(MEMHP) run --matrix ci/seed000.ini --resume $(SEED000_OUT) \
		$(if $(SEED000_REPEATS),--repeats $(SEED000_REPEATS)) > /dev/null || true
	$(MEMHP) report --seed000 --baseline base $(SEED000_OUT)
	$(MEMHP) report --seed000 --baseline base -o $(SEED000_OUT)/report $(SEED000_OUT) > /dev/null

build/unit/test_%: tests/unit/test_%.c harness/libmemhp.a
	@mkdir -p build/unit
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $< harness/libmemhp.a $(LIBS) -lcmocka

# The sanitized library is compiled once into its own archive; each
# sanitized binary links against it.
SAN_OBJ := $(patsubst harness/%.c,$(SAN_DIR)/obj/%.o,$(LIB_SRC) $(CLI_SRC))
$(SAN_DIR)/obj/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) -c -o $@ $<

$(SAN_DIR)/libmemhp.a: $(filter-out $(patsubst harness/%.c,$(SAN_DIR)/obj/%.o,$(CLI_SRC)),$(SAN_OBJ))
	ar rcs $@ $^

$(SAN_DIR)/test_%: tests/unit/test_%.c $(SAN_DIR)/libmemhp.a
	@mkdir -p $(SAN_DIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(DEPFLAGS) -o $@ $< $(SAN_DIR)/libmemhp.a $(LIBS) -lcmocka

unit: $(UNIT_BIN)
	@tests/run-unit $(UNIT_BIN)

unit-san: $(SAN_BIN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-unit $(SAN_BIN)

# memhp report on fixed results: golden text/CSV, gnuplot figures, headless chromium.
report-test: all $(SAN_DIR)/memhp
	@MEMHP_SAN=$(SAN_DIR)/memhp tests/report/run

# memhp compare on result sets made from those fixtures: statistics, JUnit, KTAP.
compare-test: all $(SAN_DIR)/memhp
	@MEMHP_SAN=$(SAN_DIR)/memhp tests/compare/run

# Hostile and careless inputs that need no guest (issue 26): names that
# escape -o, FIFOs and devices as inputs, INI text inih would drop.
hostile-test: all
	@tests/hostile/run

$(SAN_DIR)/memhp: $(patsubst harness/%.c,$(SAN_DIR)/obj/%.o,$(CLI_SRC)) $(SAN_DIR)/libmemhp.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LIBS)

INTEG_BIN := build/integration-bin/test_hotplug build/integration-bin/test_workload

build/integration-bin/test_%: tests/integration/test_%.c harness/libmemhp.a
	@mkdir -p build/integration-bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $< harness/libmemhp.a $(LIBS) -lcmocka

integration: all $(INTEG_BIN) $(SAN_DIR)/memhp
	@MEMHP_SAN=$(SAN_DIR)/memhp tests/integration/run

# make check: tests/check runs the tiers below, timed, with the kernels and
# the Debian disk made in the background from the start (tests/prebuild)
# and the integration tests two at a time; it ends with a table of every
# test program's wall time (docs/benchmarks.md).
check:
	@MAKE="$(MAKE)" tests/check

# --- Fuzzing (tests/fuzz/README.md, docs/reliability.md) -------------------
# libFuzzer harnesses, built with clang and ASan+UBSan over the library.
#   make fuzz [FUZZ_SECONDS=N]  every harness N seconds (default 60), mutating
#                               from its seed corpus; new inputs go to
#                               build/fuzz/work/NAME, crashes to build/fuzz/crash/NAME
#   make fuzz-smoke             each ~FUZZ_SMOKE_SECONDS (20) over the seed corpus
#                               (part of make check)
# Harnesses in FUZZ_REPLAY_ONLY only replay their corpus in the smoke (for a
# harness that reaches a known, not yet fixed defect; none today).
FUZZ_CC       ?= clang-14
FUZZ_SECONDS  ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_NAMES    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY_ONLY ?=
FUZZ_DIR      := build/fuzz
FUZZ_BIN      := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ      := $(patsubst harness/%.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRC) harness/cmd/cmd_show.c \
		 harness/cmd/cmd_options.c)
FUZZ_RUN       = nice -n 10 $(FUZZ_DIR)/fuzz_$(1) -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
		 -artifact_prefix=$(FUZZ_DIR)/crash/$(1)/ -max_len=65536

$(FUZZ_DIR)/obj/%.o: harness/%.c $(HARNESS_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-command-line-argument $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# Kept between builds (they are intermediate files to make otherwise).
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@failed=; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_DIR)/work/$$n $(FUZZ_DIR)/crash/$$n; \
		echo "fuzz $$n: $(FUZZ_SECONDS) s"; \
		$(call FUZZ_RUN,$$n) -max_total_time=$(FUZZ_SECONDS) \
			$(FUZZ_DIR)/work/$$n tests/fuzz/corpus/$$n || failed="$$failed $$n"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed (see $(FUZZ_DIR)/crash/)"; exit 1; fi

fuzz-smoke: $(FUZZ_BIN)
	@FUZZ_DIR=$(FUZZ_DIR) SECONDS_EACH=$(FUZZ_SMOKE_SECONDS) REPLAY_ONLY='$(FUZZ_REPLAY_ONLY)' \
		tests/fuzz/smoke $(FUZZ_NAMES)

# make fuzz-long: the long runs of docs/benchmarks.md, every harness until
# 10 M executions (or FUZZ_LONG_SECONDS each), one after another, in the
# UBSan-only build (build/fuzz-ub: ASan's allocator is most of these
# harnesses' time), then every input kept replayed under ASan + UBSan.
FUZZ_LONG_SECONDS ?= 14400
fuzz-long: $(FUZZ_BIN)
	$(MAKE) fuzz-build FUZZ_DIR=build/fuzz-ub \
		FUZZ_SAN='-fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'
	FUZZ_BIN_DIR=build/fuzz-ub tests/fuzz/long \
		$(foreach n,$(FUZZ_NAMES),$(n):$(FUZZ_LONG_SECONDS))

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-long
# --- end of fuzzing ---------------------------------------------------------

bench: deps all
	bench/run

# Kernel fault tests on memhp's fault kernel (docs/faults.md): a kernel build
# of its own (near a full compile), so not in make check.
test-kernel-faults: all
	@for t in tests/kernel-faults/test_*.sh; do $$t || exit 1; done

# Seed 000's 448-block scenarios, scaled to this host (docs/workloads.md).
bench-paper: deps all
	bench/paper

# --- install, man pages, KCIDB ------------------------------------------------
# make install PREFIX=/usr/local DESTDIR=/tmp/stage: memhp finds its data at
# run time next to its executable (BINDIR/../share/memhp, harness/datadir.c),
# so a staged or moved install works as it is.
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      := $(PREFIX)/bin
DATADIR     := $(PREFIX)/share/memhp
LIBEXECDIR  := $(PREFIX)/libexec/memhp
MANDIR      := $(PREFIX)/share/man
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
MAN_SRC     := $(wildcard man/*.1)
MAN_OUT     := $(patsubst man/%,build/man/%,$(MAN_SRC)) build/man/memhp-scenario.5

.PHONY: man man-lint install uninstall install-test kcidb-test

man: $(MAN_OUT)

# OPTIONS from each command's --help; memhp-scenario(5) from the key table.
build/man/%.1: man/%.1 man/gen $(MEMHP)
	@mkdir -p build/man
	man/gen $(MEMHP) $< $@

build/man/memhp-scenario.5: $(MEMHP)
	@mkdir -p build/man
	$(MEMHP) help scenario --man > $@.tmp && mv $@.tmp $@

man-lint: $(MAN_OUT)
	mandoc -T lint -W warning $(MAN_OUT)
	@for c in $$($(MEMHP) --help | sed -n 's/^  \([a-z]\+\) .*/\1/p'); do \
		[ $$c = help ] || [ -f man/memhp-$$c.1 ] || \
			{ echo "man: memhp $$c has no man/memhp-$$c.1"; exit 1; }; \
	done
	@for m in $(MAN_OUT); do \
		w=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l $$m 2>&1 > /dev/null); \
		[ -z "$$w" ] || { echo "$$m: $$w"; exit 1; }; \
	done
	@echo "man: $(words $(MAN_OUT)) passed, 0 failed"

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(DATADIR)/guest-image/kconfig $(DESTDIR)$(DATADIR)/guest-image/patches \
		$(DESTDIR)$(DATADIR)/scenarios/sweeps $(DESTDIR)$(DATADIR)/reports/gnuplot \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(MEMHP) $(DESTDIR)$(BINDIR)/memhp
	install -m 0755 $(PROBE) $(DESTDIR)$(LIBEXECDIR)/memhp-probe
	install -m 0755 guest-image/build-image guest-image/build-kernel guest-image/init \
		guest-image/build-disk guest-image/disk-init guest-image/debian-apt guest-image/fetch-qemu \
		$(DESTDIR)$(DATADIR)/guest-image/
	install -m 0644 guest-image/kconfig/* $(DESTDIR)$(DATADIR)/guest-image/kconfig/
	cp -R guest-image/patches/. $(DESTDIR)$(DATADIR)/guest-image/patches/
	install -m 0644 scenarios/*.ini $(DESTDIR)$(DATADIR)/scenarios/
	install -m 0644 scenarios/sweeps/*.ini $(DESTDIR)$(DATADIR)/scenarios/sweeps/
	install -m 0644 reports/gnuplot/style.gp $(DESTDIR)$(DATADIR)/reports/gnuplot/
	install -m 0644 $(filter %.1,$(MAN_OUT)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MAN_OUT)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 contrib/bash-completion/memhp $(DESTDIR)$(BASHCOMPDIR)/memhp

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/memhp $(DESTDIR)$(BASHCOMPDIR)/memhp \
		$(patsubst build/man/%.1,$(DESTDIR)$(MANDIR)/man1/%.1,$(filter %.1,$(MAN_OUT))) \
		$(DESTDIR)$(MANDIR)/man5/memhp-scenario.5
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)

# KCIDB v5.3 output validated with python3-jsonschema (tests/kcidb/v05_03.json).
kcidb-test: all $(SAN_DIR)/memhp
	@MEMHP_SAN=$(SAN_DIR)/memhp tests/kcidb/run

# make install into a temporary DESTDIR, then quick-dimm on a real guest with
# the installed memhp, from outside the checkout; man pages as installed.
# MEMHP_INSTALL_TEST_IMAGE=1 also runs quick-dimm --image debian with it.
install-test: all
	@tests/install/run

clean:
	rm -rf $(addsuffix /*.o,$(HARNESS_DIRS)) $(addsuffix /*.d,$(HARNESS_DIRS)) harness/*.a \
		$(MEMHP) $(PROBE) build

-include $(wildcard $(addsuffix /*.d,$(HARNESS_DIRS)) build/unit/*.d build/integration-bin/*.d \
	   $(SAN_DIR)/*.d $(SAN_DIR)/obj/*.d $(SAN_DIR)/obj/*/*.d)
