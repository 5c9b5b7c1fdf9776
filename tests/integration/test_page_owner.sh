#!/bin/bash
# Why blocks stayed, from page_owner (docs/why.md), on real guests:
# - chain-idle (4 GiB + 8 GiB virtio-mem in ZONE_NORMAL, idle) on the
#   onlined-to-head build: kernel boots with page_owner=on and runs through
#   (on 2026-12-02 all 64 blocks came out: the pattern is printed, not asserted);
# - the pinned load on that kernel: blocks stay, each has allocation sites from
#   page_owner, the memmap chain is worked out, show and the report print them;
# - the default Debian cloud kernel (no CONFIG_PAGE_OWNER): under a pinned
#   load DIMMs stay, and their verdict comes from kpageflags with the reason.
# The build: kernel compiles once (minutes) and is cached afterwards.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/page-owner
TREE=${MEMHP_TEST_KERNEL_TREE:-linux-source-6.1}
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# page_owner is off unless a scenario asks (it allocates page_ext itself):
# these ask for auto, on where the kernel has it.
{ cat scenarios/chain-idle.ini; printf '\n[probe]\npage_owner = auto\n'; } > "$OUT/chain-idle.ini"
"$MEMHP" run -o "$OUT/head" --variant "head=build:$TREE+guest-image/patches/onlined-to-head" \
	"$OUT/chain-idle.ini" > "$OUT/head.out" 2> "$OUT/head.err"
rc=$?
r=$(find "$OUT/head" -name result.json | head -n 1)
check "chain-idle on the head kernel: a result, status ok" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\"' '$r' > /dev/null"
check "memhp booted it with page_owner=on" \
	bash -c "jq -e '.kernel.cmdline | test(\"(^| )page_owner=on( |$)\")' '$r' > /dev/null"
echo "# chain-idle stayed: $(jq -c '[.blocks[] | select(.final != "removed") | .index]' "$r")"

# The same kernel under the pinned load (DIMMs in ZONE_NORMAL, page tables and
# kernel stacks kept through unplug): blocks stay, and page_owner names why.
{ cat tests/integration/pinned-load.ini; printf '\n[probe]\npage_owner = auto\n'; } > "$OUT/pinned.ini"
"$MEMHP" run -o "$OUT/pin" --variant "head=build:$TREE+guest-image/patches/onlined-to-head" \
	"$OUT/pinned.ini" > "$OUT/pin.out" 2> "$OUT/pin.err"
r=$(find "$OUT/pin" -name result.json | head -n 1)
check "pinned load on the build: kernel: a result, some blocks stayed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed < .count.hotplugged' '$r' > /dev/null"
check "page_owner was read once, with records and its cost" \
	bash -c "jq -e '.why_probe.page_owner.available == true and .why_probe.page_owner.records > 0 and
		.why_probe.page_owner.bytes > 0 and (.why_probe.page_owner.seconds | type) == \"number\"' '$r' > /dev/null"
check "every block that stayed has its verdict from page_owner, with sites" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\")] | length > 0 and
		all(.why.method == \"page_owner\" and (.why.sites | length) > 0 and
		    all(.why.sites[]; (.pages > 0) and (.site | length) > 0))' '$r' > /dev/null"
check "the sites are symbol names (KALLSYMS), not addresses" \
	bash -c "jq -e '[.blocks[].why.sites[]?.site] | length > 0 and all(test(\"^0x\") | not)' '$r' > /dev/null"
check "the workload's page tables or kernel stacks are among the sites" \
	bash -c "jq -e '[.blocks[].why.sites[]?.verdict] | any(. == \"pgtable\" or . == \"kstack\")' '$r' > /dev/null"
check "the memmap chain was worked out (status recorded)" \
	bash -c "jq -e '(.why_probe.memmap_chain.status | type) == \"string\"' '$r' > /dev/null"
check "each memmap edge points at a block that is present" \
	bash -c "jq -e '(.blocks | map(select(.final != \"removed\") | .index)) as \$present |
		[.blocks[] | select(.why.memmap_of != null) | .why.memmap_of[] |
		 . as \$y | (\$present | index(\$y)) != null] | all' '$r' > /dev/null"
"$MEMHP" show --blocks "$r" > "$OUT/show.out" 2>&1
check "memhp show --blocks prints the sites" \
	bash -c "grep -q 'Why the blocks stayed' '$OUT/show.out' && grep -q '(page_owner)' '$OUT/show.out' && grep -q 'page_owner: [0-9]* records' '$OUT/show.out'"
"$MEMHP" report -o "$OUT/report" "$OUT/pin" > /dev/null 2>&1
check "the HTML report shows the sites" grep -q 'Why the blocks stayed' "$OUT/report/index.html"
echo "# pinned stayed: $(jq -c '[.blocks[] | select(.final != "removed") | "\(.index):\(.why.verdict)"]' "$r")"
echo "# memmap chain: $(jq -c '.why_probe.memmap_chain | {status, edges}' "$r")"

# Debian's cloud kernel: no page_owner; kpageflags, and the reason recorded.
"$MEMHP" run -o "$OUT/deb" "$OUT/pinned.ini" > "$OUT/deb.out" 2> "$OUT/deb.err"
r=$(find "$OUT/deb" -name result.json | head -n 1)
check "pinned load on the Debian kernel: a result, some blocks stayed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed < .count.hotplugged' '$r' > /dev/null"
check "no page_owner=on on its command line (auto, and the kernel has none)" \
	bash -c "jq -e '.kernel.cmdline | test(\"page_owner\") | not' '$r' > /dev/null"
check "every block that stayed: kpageflags verdict, page_owner unavailable, and why" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\")] | length > 0 and
		all(.why.method == \"kpageflags\" and (.why.verdict | length) > 0 and
		    (.why.page_owner_unavailable | test(\"CONFIG_PAGE_OWNER\")) and .why.sites == null)' '$r' > /dev/null"
finish page-owner
