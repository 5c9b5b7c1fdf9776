#!/bin/bash
# Kernel fault injection driven from the scenario (issue 25, docs/faults.md)
# on a real guest. The memory notifier cases on Debian's 6.1 cloud kernel
# (scenarios/faults-offline.ini, faults-online.ini: MEM_GOING_OFFLINE and
# MEM_GOING_ONLINE fail with EBUSY; the guest must fail cleanly) are
# tests/integration/test_notifier.sh, part of make check; this runs it.
# With MEMHP_FAULT_KERNEL=1 also failslab and fail_page_alloc during add and
# remove (scenarios/faults-alloc.ini: dax-kmem, whose hot-add and removal
# run in memhp-probe's task, the one the injections fail) on memhp's fault
# kernel (build:linux-source-6.1 + guest-image/patches/swapcache-stuck with
# its faults.config: a kernel build of its own, so not in make check), and
# then in the removal alone (scenarios/faults-alloc-removal.ini). Run by
# make test-kernel-faults.
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
	"$MEMHP" run -o "$OUT/alloc" --variant "faults=build:linux-source-6.1+$P config=$P/faults.config" \
		scenarios/faults-alloc.ini > "$OUT/alloc.out" 2> "$OUT/alloc.err"
	rc=$?
	r=$(find "$OUT/alloc" -name result.json | head -n 1)
	echo "# $(jq -r '"\(.kernel.release): \(.faults.forced_failures) failures forced; per cycle plugged/removed/drift: \([.cycles.per_cycle[] | "\(.hotplugged)/\(.removed)/\(.drift.memory_blocks)"] | join(" ")); not added: \([.dax.not_added[]?.error] | join(", "))"' "$r" 2> /dev/null)"
	check "failslab and fail_page_alloc armed for memhp-probe's task only, in both phases" \
		bash -c "jq -e '[.faults.plug.armed, .faults.unplug.armed][] | .failslab.error == \"\" and .fail_page_alloc.error == \"\" and .failslab_task_filter.error == \"\" and .fail_page_alloc_task_filter.error == \"\"' '$r' > /dev/null"
	check "the kernel forced failures" bash -c "jq -e '.faults.forced_failures > 0' '$r' > /dev/null"
	check "the guest agent was never failed: the run finished, all three cycles (exit 0, ok)" \
		bash -c "test $rc -eq 0 && jq -e '.status == \"ok\" and .cycles.done == 3' '$r' > /dev/null"
	check "the guest did not crash or warn: no Oops, BUG, WARNING or panic" \
		bash -c "! grep -qE 'Oops:|BUG:|WARNING:|Kernel panic' \"\$(dirname '$r')/serial.log\""
	check "nothing leaked: every cycle that removed all it added left no memory block or MemTotal behind" \
		bash -c "jq -e '[.cycles.per_cycle[] | select(.bytes_remaining == 0) | .drift.memory_blocks == 0 and .drift.mem_total == 0] | all' '$r' > /dev/null"
	# A failed hot-add must leave the range addable: a later add of it that
	# fails with EEXIST met what the failed one left behind (6.1.192 and
	# 7.3-rc7 read alike: __add_pages() keeps the sections it added before
	# the one that failed; docs/faults.md).
	# The bind's own errno can be another failure's (7.3-rc7: kmem's probe
	# failed with -17, then sysfs's with ENOMEM), so kmem's log line counts.
	check "a hot-add the injection failed can be done again: no later bind fails with EEXIST" \
		bash -c "! jq -e '[.dax.not_added[]?.error] | any(test(\"File exists\"))' '$r' > /dev/null &&
			! grep -q 'probe with driver kmem failed with error -17' \"\$(dirname '$r')/serial.log\""

	# The removal alone (scenarios/faults-alloc-removal.ini, [faults]
	# alloc_in = unplug): added whole, then offlined and unbound under
	# injection, three times.
	"$MEMHP" run -o "$OUT/removal" --variant "faults=build:linux-source-6.1+$P config=$P/faults.config" \
		scenarios/faults-alloc-removal.ini > "$OUT/removal.out" 2> "$OUT/removal.err"
	rc=$?
	r=$(find "$OUT/removal" -name result.json | head -n 1)
	echo "# $(jq -r '"\(.kernel.release): \(.faults.forced_failures) failures forced; per cycle plugged/removed/drift: \([.cycles.per_cycle[] | "\(.hotplugged)/\(.removed)/\(.drift.memory_blocks)"] | join(" "))"' "$r" 2> /dev/null)"
	check "removal: failslab and fail_page_alloc armed while unplugging only" \
		bash -c "jq -e '.faults.plug == null and (.faults.unplug.armed | .failslab.error == \"\" and .fail_page_alloc.error == \"\")' '$r' > /dev/null"
	check "removal: every hot-add went through (nothing failed it), and the kernel forced failures" \
		bash -c "jq -e '(.dax.not_added // [] | length) == 0 and .faults.forced_failures > 0 and
			all(.cycles.per_cycle[]; .hotplugged == 4)' '$r' > /dev/null"
	check "removal: the run finished all three cycles (exit 0, ok)" \
		bash -c "test $rc -eq 0 && jq -e '.status == \"ok\" and .cycles.done == 3' '$r' > /dev/null"
	check "removal: the guest did not crash or warn: no Oops, BUG, WARNING or panic" \
		bash -c "! grep -qE 'Oops:|BUG:|WARNING:|Kernel panic' \"\$(dirname '$r')/serial.log\""
	check "removal: nothing leaked: every cycle that removed all it added left no memory block or MemTotal behind" \
		bash -c "jq -e '[.cycles.per_cycle[] | select(.bytes_remaining == 0) | .drift.memory_blocks == 0 and .drift.mem_total == 0] | all' '$r' > /dev/null"
fi
finish inject
