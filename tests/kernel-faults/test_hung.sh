#!/bin/bash
# A hung unplug on a real guest (issue 25, docs/faults.md): memhp's fault
# kernel (build:linux-source-6.1 + guest-image/patches/swapcache-stuck; the
# patch alone, so the build is incremental on the base kernel's) booted with migrate.swapcache_stuck=1 fails every migration
# of a swap-cache folio for offlining, forever, as the bug f183663901f2 fixed
# did. scenarios/swap-hung.ini fills the DIMMs with memory pushed into a swap
# file on the Debian disk and read back, so its folios sit in the swap
# cache, and keeps it through the unplug. memhp must call the DIMM hung,
# with the pfns and the kernel's reasons, not timeout. The same kernel
# without the parameter removes the DIMMs (the fault is the parameter's).
#
# Not in make check: the kernel is a build of its own, and two Debian-disk
# guests under TCG take minutes.
# Run by make test-kernel-faults.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/kernel-faults}/hung
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
P=guest-image/patches/swapcache-stuck
KERNEL="build:linux-source-6.1+$P"

start=$(date +%s)
"$MEMHP" run -o "$OUT/stuck" --image debian --variant "stuck=$KERNEL cmdline=migrate.swapcache_stuck=1" \
	scenarios/swap-hung.ini > "$OUT/stuck.out" 2> "$OUT/stuck.err"
echo "# the stuck run took $(( $(date +%s) - start )) s"
r=$(find "$OUT/stuck" -name result.json | head -n 1)
check "stuck kernel: a result, the run itself ok" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\"' '$r' > /dev/null"
check "the swap file was swapping and the workload's folios were in the swap cache" \
	bash -c "jq -e '.workload.swap.file.error == \"\" and .workload.meminfo_loaded.SwapCached > 0' '$r' > /dev/null"
check "a DIMM is hung, none timed out" \
	bash -c "jq -e '[.devices[].outcome] | any(. == \"hung\") and all(. != \"timeout\")' '$r' > /dev/null"
check "the hung DIMM carries the pfns and the kernel's reasons (migration failure)" \
	bash -c "jq -e '[.devices[] | select(.outcome == \"hung\") | .hung] | length > 0 and all(
		(.pfns | length > 0) and (.reasons | any(test(\"migration failure\"))) and .failures > 1)' '$r' > /dev/null"
check "its pfns lie in the hung DIMM" \
	bash -c "jq -e '[.devices[] | select(.outcome == \"hung\") | . as \$d | .hung.pfns[] |
		. * 4096 >= \$d.addr and . * 4096 < \$d.addr + \$d.plugged] | all' '$r' > /dev/null"
check "the kernel said why: 'migrating pfn … failed' in its log" \
	grep -q 'migrating pfn [0-9a-f]* failed' "$(dirname "$r")/serial.log"
echo "# hung: $(jq -c '[.devices[] | select(.outcome == "hung") | {id, hung: (.hung | {pfns: .pfns[:4], reasons, failures})}]' "$r")"

# The same kernel, no parameter: the same load goes.
"$MEMHP" run -o "$OUT/plain" --image debian --variant "plain=$KERNEL" \
	scenarios/swap-hung.ini > "$OUT/plain.out" 2> "$OUT/plain.err"
r=$(find "$OUT/plain" -name result.json | head -n 1)
check "without migrate.swapcache_stuck: every DIMM removed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed == .count.hotplugged and ([.devices[].outcome] | all(. == \"removed\"))' '$r' > /dev/null"
echo "# both runs took $(( $(date +%s) - start )) s"
finish hung
