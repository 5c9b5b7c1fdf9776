#!/bin/bash
# The kernel's own reasons an offline failed (issue 25, docs/why.md), on
# Debian's 6.1 cloud kernel with no page_owner, under the pinned load (DIMMs
# in ZONE_NORMAL, page tables and kernel stacks kept through the unplug):
# memhp-probe reads /dev/kmsg with its sequence numbers while the DIMMs go,
# and every block that stayed has its failed attempts (time, reason, pfn,
# page kind) mapped to it and to its DIMM; a second run with dynamic debug
# for mm/memory_hotplug.c adds the kernel's "failed due to" reason. show
# --blocks, the text report and the HTML block map print them.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/reasons
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

"$MEMHP" run -o "$OUT/plain" tests/integration/pinned-load.ini > "$OUT/plain.out" 2> "$OUT/plain.err"
r=$(find "$OUT/plain" -name result.json | head -n 1)
check "pinned load on the Debian kernel: a result, some blocks stayed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed < .count.hotplugged' '$r' > /dev/null"
check "no page_owner on its command line" \
	bash -c "jq -e '.kernel.cmdline | test(\"page_owner\") | not' '$r' > /dev/null"
check "the kernel log was read with nothing lost" \
	bash -c "jq -e '.klog.records > 0 and .klog.lost == 0' '$r' > /dev/null"
check "some block that stayed has the kernel's failed attempts" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\" and .kernel != null)] | length > 0' '$r' > /dev/null"
check "each attempt: a time, a reason, a pfn inside its block, a page kind" \
	bash -c "jq -e '.count.block_size as \$bs | [.blocks[] | select(.kernel != null) | . as \$b |
		.kernel.attempts[] | (.t_us > 0) and (.reason | length > 0) and (.page | length > 0) and
		(.pfn * 4096 >= \$b.start) and (.pfn * 4096 < \$b.start + \$bs)] | length > 0 and all' '$r' > /dev/null"
check "the reasons are the kernel's: unmovable page (isolation for offline)" \
	bash -c "jq -e '[.blocks[] | select(.kernel != null) | .kernel.last.reason] | all(. == \"unmovable page\")' '$r' > /dev/null"
check "each block's attempts name the DIMM that holds the block" \
	bash -c "jq -e '.devices as \$d | [.blocks[] | select(.kernel != null) | . as \$b |
		(\$d[] | select(\$b.start >= .addr and \$b.start < .addr + .plugged) | .id) == \$b.kernel.device] | all' '$r' > /dev/null"
check "every DIMM that stayed has a block the kernel failed to offline" \
	bash -c "jq -e '.blocks as \$bl | [.devices[] | select(.outcome != \"removed\") | . as \$d |
		[\$bl[] | select(.start >= \$d.addr and .start < \$d.addr + \$d.plugged and .kernel != null)] | length > 0] | all' '$r' > /dev/null"
check "the page kinds agree with kpageflags' verdict for at least one block" \
	bash -c "jq -e '[.blocks[] | select(.kernel != null and .why != null) | .kernel.last.page == .why.verdict] | any' '$r' > /dev/null"
"$MEMHP" show --blocks "$r" > "$OUT/show.out" 2>&1
check "memhp show --blocks prints the kernel's reasons" \
	bash -c "grep -q \"The kernel's reasons\" '$OUT/show.out' && grep -q 'failed attempts\\?; last reason: unmovable page' '$OUT/show.out'"
"$MEMHP" report "$OUT/plain" > "$OUT/report.txt" 2> /dev/null
check "the text report prints them" grep -q 'last reason: unmovable page' "$OUT/report.txt"
"$MEMHP" report -o "$OUT/report" "$OUT/plain" > /dev/null 2>&1
check "the HTML block map gives each failed block the kernel's reason" \
	grep -q 'failed attempts\?, last: unmovable page' "$OUT/report/index.html"
echo "# reasons: $(jq -c '[.blocks[] | select(.kernel != null) | "\(.index):\(.kernel.last.page)@\(.kernel.last.pfn)x\(.kernel.attempts | length)"]' "$r")"

# With dynamic debug for mm/memory_hotplug.c: the kernel's offlining reason too.
{ cat tests/integration/pinned-load.ini
  printf '\n[guest]\ncmdline = dyndbg="file mm/memory_hotplug.c +p"\n'; } > "$OUT/dyndbg.ini"
"$MEMHP" run -o "$OUT/dyndbg" "$OUT/dyndbg.ini" > "$OUT/dyndbg.out" 2> "$OUT/dyndbg.err"
r=$(find "$OUT/dyndbg" -name result.json | head -n 1)
check "with dyndbg: a result, some blocks stayed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed < .count.hotplugged' '$r' > /dev/null"
check "with dyndbg: each failed attempt carries the kernel's 'failed due to' reason" \
	bash -c "jq -e '[.blocks[] | select(.kernel != null) | .kernel.attempts[] | .failed_due_to] |
		length > 0 and all(. == \"failure to isolate range\")' '$r' > /dev/null"
finish reasons
