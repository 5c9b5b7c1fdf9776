#!/bin/bash
# Kernel fault injection on Debian's stock 6.1 cloud kernel (issue 25,
# docs/faults.md): the memory notifier error injection (its
# memory-notifier-error-inject module, loaded by the initramfs) driven from
# the scenario's [faults], during remove and during add. No kernel build:
# make check runs this; make test-kernel-faults too (test_inject.sh).
#  - scenarios/faults-offline.ini fails every MEM_GOING_OFFLINE with EBUSY:
#    the guest must refuse every DIMM cleanly (rejected, not timeout), keep
#    every block online in ZONE_MOVABLE;
#  - scenarios/faults-online.ini fails every MEM_GOING_ONLINE with EBUSY,
#    two cycles in one guest: the blocks are added but stay offline, the
#    unplug removes them, and no cycle leaves a block or MemTotal behind.
# Both: no WARN, BUG or Oops; memhp records what it armed, that it disarmed
# it, and how many injections the kernel logged.
set -u
cd "$(dirname "$0")/../.." || exit 2
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/notifier
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

clean_log() { # result.json: no WARN, BUG, Oops or panic in its serial log
	! grep -qE 'WARNING:|BUG:|Oops:|Kernel panic' "$(dirname "$1")/serial.log"
}

memhp_run offline scenarios/faults-offline.ini
check "MEM_GOING_OFFLINE fails: exit 0, the run ok" run_ok
check "memhp armed the notifier (-16) for the unplug and disarmed it" \
	bash -c "jq -e '.faults.unplug.armed.going_offline | .value == \"-16\" and .error == \"\"' '$r' > /dev/null &&
		 jq -e '.faults.unplug | has(\"disarmed\")' '$r' > /dev/null"
check "the kernel logged the injections, memhp counted them" \
	quiet jq -e '.faults.notifier_injected > 0' "$r"
check "every DIMM refused by the guest (rejected, busy), none timed out" \
	quiet jq -e '[.devices[].outcome] | all(. == "rejected")' "$r"
check "nothing lost: every block still online in ZONE_MOVABLE" \
	quiet jq -e '.count.removed == 0 and .count.online_movable == .count.hotplugged' "$r"
check "no WARN, BUG or Oops in the guest's log (offline)" clean_log "$r"

memhp_run online scenarios/faults-online.ini
check "MEM_GOING_ONLINE fails: exit 0, the run ok" run_ok
check "memhp armed the notifier (-16) for the plug and disarmed it" \
	bash -c "jq -e '.faults.plug.armed.going_online | .value == \"-16\" and .error == \"\"' '$r' > /dev/null &&
		 jq -e '.faults.plug | has(\"disarmed\")' '$r' > /dev/null"
# The kernel onlines a DIMM's blocks in turn and stops at the first
# failure: one injection per DIMM and cycle.
check "the kernel logged an injection per DIMM and cycle (4), memhp counted them" \
	bash -c "jq -e '.faults.notifier_injected == 4' '$r' > /dev/null &&
		 test \"\$(grep -c 'Injecting error (-16) to MEM_GOING_ONLINE' \"\$(dirname '$r')/serial.log\")\" = 4"
check "the add failed cleanly: all 4 blocks present, none onlined (no zone)" \
	quiet jq -e '.faults.plug.stayed_offline == 4 and .count.hotplugged == 4 and
		([.blocks[].zone] | all(. == ""))' "$r"
check "the failed add came out again: every DIMM removed, both cycles" \
	quiet jq -e '([.devices[].outcome] | all(. == "removed")) and .cycles.done == 2 and
		(.cycles.per_cycle | all(.hotplugged == 4 and .removed == 4))' "$r"
check "nothing leaked: no cycle left a memory block or MemTotal behind" \
	quiet jq -e '.cycles.per_cycle | all(.drift.memory_blocks == 0 and .drift.mem_total == 0 and .before.memory_blocks > 0)' "$r"
check "no WARN, BUG or Oops in the guest's log (online)" clean_log "$r"
finish notifier
