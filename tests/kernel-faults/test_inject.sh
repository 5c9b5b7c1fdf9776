#!/bin/bash
# Kernel fault injection driven from the scenario (issue 25, docs/faults.md)
# on a real guest: scenarios/faults-offline.ini makes the memory notifier
# fail every MEM_GOING_OFFLINE with EBUSY on Debian's 6.1 cloud kernel (its
# memory-notifier-error-inject module, loaded by the initramfs). The guest
# must refuse every DIMM cleanly: rejected, not timeout; every block still
# online in ZONE_MOVABLE; no WARN, BUG or Oops; and memhp records what it
# armed, that it disarmed it, and how many injections the kernel logged.
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

start=$(date +%s)
"$MEMHP" run -o "$OUT/offline" scenarios/faults-offline.ini > "$OUT/offline.out" 2> "$OUT/offline.err"
rc=$?
echo "# the notifier run took $(( $(date +%s) - start )) s"
r=$(find "$OUT/offline" -name result.json | head -n 1)
check "MEM_GOING_OFFLINE fails: exit 0, the run ok" \
	bash -c "test $rc -eq 0 && test -n '$r' && jq -e '.status == \"ok\"' '$r' > /dev/null"
check "memhp armed the notifier (-16) and disarmed it" \
	bash -c "jq -e '.faults.unplug.armed.going_offline | .value == \"-16\" and .error == \"\"' '$r' > /dev/null &&
		 jq -e '.faults.unplug | has(\"disarmed\")' '$r' > /dev/null"
check "the kernel logged the injections, memhp counted them" \
	bash -c "jq -e '.faults.notifier_injected > 0' '$r' > /dev/null"
check "every DIMM refused by the guest (rejected, busy), none timed out" \
	bash -c "jq -e '[.devices[].outcome] | all(. == \"rejected\")' '$r' > /dev/null"
check "nothing lost: every block still online in ZONE_MOVABLE" \
	bash -c "jq -e '.count.removed == 0 and .count.online_movable == .count.hotplugged' '$r' > /dev/null"
check "no WARN, BUG or Oops in the guest's log" \
	bash -c "! grep -qE 'WARNING:|BUG:|Oops:|Kernel panic' \"\$(dirname '$r')/serial.log\""

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
