#!/bin/bash
# Why blocks stayed, from page_owner (docs/why.md), on real guests:
# - seed 000's example (a), chain-pinned made small: with the onlined-to-head
#   build: kernel every other block stays, with tail placement none; with
#   page_owner on, the sites and the memmap chain's edges;
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

# Seed 000's example (a), made small (4 GiB + 2 GiB of virtio-mem in
# ZONE_NORMAL, 64 MiB of kernel stacks and pipe buffers kept through the
# unplug: scenarios/chain-pinned.ini with 16 blocks instead of 64), without
# page_owner (it would add a link of its own to the chain, docs/why.md):
# with the onlined-to-head kernel every other block stays, each holding the
# memmap of the one above the block next to it; with tail placement every
# block comes out.
HEAD="head=build:$TREE+guest-image/patches/onlined-to-head"
sed 's/^total = 8G$/total = 2G/' scenarios/chain-pinned.ini > "$OUT/chain.ini"
"$MEMHP" run -o "$OUT/chain" --variant "base=build:$TREE" --variant "$HEAD" \
	"$OUT/chain.ini" > "$OUT/chain.out" 2> "$OUT/chain.err"
rb=$(find "$OUT/chain" -path '*-base-*' -name result.json | head -n 1)
rh=$(find "$OUT/chain" -path '*-head-*' -name result.json | head -n 1)
check "chain-pinned, tail placement (base): every block came out" \
	bash -c "test -n '$rb' && jq -e '.status == \"ok\" and .count.hotplugged == 16 and .count.removed == 16' '$rb' > /dev/null"
check "chain-pinned, head placement: a third to two thirds of the blocks stayed" \
	bash -c "test -n '$rh' && jq -e '.status == \"ok\" and .count.hotplugged == 16 and
		(.count.removed >= 5 and .count.removed <= 11)' '$rh' > /dev/null"
check "chain-pinned, head placement: the blocks that stayed alternate (at most one pair side by side)" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\") | .index] as \$s |
		[range(1; \$s | length) | select(\$s[.] == \$s[. - 1] + 1)] | length <= 1' '$rh' > /dev/null"
echo "# chain-pinned stayed (head): $(jq -c '[.blocks[] | select(.final != "removed") | .index]' "$rh")"

# The same on the head kernel with page_owner: the blocks that stayed have
# their allocation sites, and the memmap chain has its edges, each from a
# block to one added after it.
{ cat "$OUT/chain.ini"; printf '\n[probe]\npage_owner = auto\n'; } > "$OUT/chain-po.ini"
"$MEMHP" run -o "$OUT/head" --variant "$HEAD" "$OUT/chain-po.ini" > "$OUT/head.out" 2> "$OUT/head.err"
r=$(find "$OUT/head" -name result.json | head -n 1)
check "chain-pinned with page_owner on the head kernel: a result, status ok, blocks stayed" \
	bash -c "test -n '$r' && jq -e '.status == \"ok\" and .count.removed < .count.hotplugged' '$r' > /dev/null"
check "memhp booted it with page_owner=on" \
	bash -c "jq -e '.kernel.cmdline | test(\"(^| )page_owner=on( |$)\")' '$r' > /dev/null"
check "every block that stayed has allocation sites from page_owner" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\")] | length > 0 and
		all(.why.method == \"page_owner\" and (.why.sites | length) > 0)' '$r' > /dev/null"
check "the memmap allocations add up to the blocks present, and the chain has edges" \
	bash -c "jq -e '.why_probe.memmap_chain | .status == \"ok\" and
		.memmap_pages == .memmap_pages_expected and (.edges | length) > 0' '$r' > /dev/null"
check "each edge: the memmap of a present block, held by a block added before it (boot memory or a present block)" \
	bash -c "jq -e '(.blocks | map(.index)) as \$all | (.blocks | map(select(.final != \"removed\") | .index)) as \$p |
		.why_probe.memmap_chain.edges | all(.holder as \$h | .of as \$o | \$h < \$o and .pages > 0 and
		(\$p | index(\$o)) != null and ((\$all | index(\$h)) == null or (\$p | index(\$h)) != null))' '$r' > /dev/null"
check "the blocks' memmap_of lists agree with the edges between hot-added blocks" \
	bash -c "jq -e '(.blocks | map(.index)) as \$all |
		([.blocks[] | select(.why.memmap_of != null) | .index as \$h | .why.memmap_of[] | [\$h, .]] | sort) ==
		([.why_probe.memmap_chain.edges[] | .holder as \$h | select((\$all | index(\$h)) != null) | [.holder, .of]] | sort) and
		([.blocks[] | select(.why.memmap_of != null)] | length) > 0' '$r' > /dev/null"
"$MEMHP" show --blocks "$r" > "$OUT/show-chain.out" 2>&1
check "memhp show --blocks marks the holders" grep -q 'holds the memmap of' "$OUT/show-chain.out"
echo "# memmap chain (head, page_owner): $(jq -c '[.why_probe.memmap_chain.edges[] | "\(.holder)->\(.of)"]' "$r")"

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
