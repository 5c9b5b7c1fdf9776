# memhp — measure how much hot-added memory a Linux guest gives back.
#
#   make demo    install what is missing, build, run scenarios/quick-virtio-mem.ini
#   make check   unit tests (plain and ASan/UBSan), report tests and integration tests
#                on real guests
#   make bench   boot and end-to-end timings (docs/benchmarks.md)
#   make demo-ab a kernel A/B: linux-source-6.1 with and without an mm patch

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     ?= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
override CFLAGS += -std=c11 $(WARN)
PKGS     := json-c inih libcrypto libvirt libvirt-qemu libxml-2.0
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljson-c -linih -lcrypto -lvirt -lvirt-qemu -lxml2) -lm -pthread
override CPPFLAGS += -D_GNU_SOURCE -DMEMHP_DATADIR='"$(CURDIR)"' -Iharness \
		     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

CLI_SRC := harness/memhp.c $(wildcard harness/cmd_*.c)
LIB_SRC := $(filter-out $(CLI_SRC),$(wildcard harness/*.c))
LIB_OBJ := $(LIB_SRC:.c=.o)
PROBE   := guest-image/probe/memhp-probe
MEMHP   := harness/memhp

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
SAN_DIR  := build/san
SAN_BIN  := $(patsubst tests/unit/%.c,$(SAN_DIR)/%,$(UNIT_SRC))
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

DEMO_SCENARIO ?= scenarios/quick-virtio-mem.ini

.PHONY: all deps image demo demo-ab check unit unit-san report-test compare-test integration bench bench-paper clean

all: $(MEMHP) $(PROBE)

deps:
	@sh ci/install-deps

harness/%.o: harness/%.c harness/*.h guest-image/probe/kinds.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

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

# Kernel A/B: Debian's linux-source-6.1 built with memhp's configuration, with
# and without guest-image/patches/onlined-to-head, on a workload scenario.
# Kernels are built once (docs/kernels.md); re-running resumes.
AB_TREE ?= linux-source-6.1
AB_OUT  ?= results/demo-ab
demo-ab: deps all
	$(MEMHP) run --resume $(AB_OUT) --repeats 3 \
		--variant 'base=build:$(AB_TREE)' \
		--variant 'head=build:$(AB_TREE)+guest-image/patches/onlined-to-head' \
		scenarios/ab-onlined-to-head.ini > /dev/null || true
	$(MEMHP) report --baseline base $(AB_OUT)
	$(MEMHP) compare --baseline base $(AB_OUT) || true

build/unit/test_%: tests/unit/test_%.c harness/libmemhp.a
	@mkdir -p build/unit
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< harness/libmemhp.a $(LIBS) -lcmocka

$(SAN_DIR)/test_%: tests/unit/test_%.c $(LIB_SRC) harness/*.h guest-image/probe/kinds.h
	@mkdir -p $(SAN_DIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $< $(LIB_SRC) $(LIBS) -lcmocka

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

$(SAN_DIR)/memhp: $(CLI_SRC) $(LIB_SRC) harness/*.h guest-image/probe/kinds.h
	@mkdir -p $(SAN_DIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $(CLI_SRC) $(LIB_SRC) $(LIBS)

INTEG_BIN := build/integration-bin/test_hotplug build/integration-bin/test_workload

build/integration-bin/test_%: tests/integration/test_%.c harness/libmemhp.a
	@mkdir -p build/integration-bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< harness/libmemhp.a $(LIBS) -lcmocka

integration: all $(INTEG_BIN) $(SAN_DIR)/memhp
	@MEMHP_SAN=$(SAN_DIR)/memhp tests/integration/run

check: deps
	$(MAKE) all
	tests/check-docs
	$(MAKE) unit
	$(MAKE) unit-san
	$(MAKE) report-test
	$(MAKE) compare-test
	$(MAKE) integration

bench: deps all
	bench/run

# Seed 000's 448-block scenarios, scaled to this host (docs/workloads.md).
bench-paper: deps all
	bench/paper

clean:
	rm -rf harness/*.o harness/*.a $(MEMHP) $(PROBE) build
