#!/bin/bash
# Kernel fault injection driven from the scenario (issue 25, docs/faults.md)
# on a real guest. The memory notifier cases on Debian's 6.1 cloud kernel
# (scenarios/faults-offline.ini, faults-online.ini: MEM_GOING_OFFLINE and
# MEM_GOING_ONLINE fail with EBUSY; the guest must fail cleanly) are
# tests/integration/test_notifier.sh, part of make check; this runs it.
# With MEMHP_FAULT_KERNEL=1 also failslab and fail_page_alloc during add and
# remove on memhp's fault kernel (build:linux-source-6.1 +
# guest-image/patches/swapcache-stuck with its faults.config: a kernel
# build of its own, so not in make check). Run by make test-kernel-faults.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/kernel-faults}/inject
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# The memory notifier cases need no kernel build: make check runs them too,
# from tests/integration/test_notifier.sh, which owns their assertions.
check "the memory notifier fails MEM_GOING_OFFLINE and MEM_GOING_ONLINE cleanly (test_notifier.sh)" \
	env MEMHP_TEST_OUT="$OUT" tests/integration/test_notifier.sh

if [ "${MEMHP_FAULT_KERNEL:-0}" = 1 ]; then
	P=guest-image/patches/swapcache-stuck
	{ cat scenarios/quick-dimm.ini; printf '\n[faults]\nfailslab = 5\nfail_page_alloc = 5\ntimes = 20\n'; } > "$OUT/alloc.ini"
	"$MEMHP" run -o "$OUT/alloc" --variant "faults=build:linux-source-6.1+$P config=$P/faults.config" \
		"$OUT/alloc.ini" > "$OUT/alloc.out" 2> "$OUT/alloc.err"
	r=$(find "$OUT/alloc" -name result.json | head -n 1)
	check "failslab and fail_page_alloc armed in both phases, and failures forced" \
		bash -c "jq -e '(.faults.plug.armed.failslab.error == \"\") and (.faults.unplug.armed.fail_page_alloc.error == \"\") and .faults.forced_failures > 0' '$r' > /dev/null"
	check "the guest did not crash: a result with a status, no Oops or panic" \
		bash -c "test -n '$r' && ! grep -qE 'Oops:|Kernel panic' \"\$(dirname '$r')/serial.log\""
fi
finish inject
