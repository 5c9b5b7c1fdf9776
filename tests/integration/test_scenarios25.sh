#!/bin/bash
# Issue 25's scenarios on a real guest (Debian's 6.1 cloud kernel, TCG), in
# one run to stay within the test budget: a NUMA guest of three nodes
# ([machine] nodes, numa-dimm.ini), mixed devices (two DIMMs and a virtio-mem
# device, [hotplug] dimm_total, mixed-devices.ini) under auto-movable with
# auto_movable_numa_aware, and two plug/unplug cycles ([run] cycles,
# cycles-dimm.ini). Asserted from what the guest said: the node of every
# hot-added block (dimm0 and vmem0 on node 1, dimm1 on node 2), their
# zones, each cycle's counts and that no cycle left blocks or MemTotal
# behind. Host memory returned: an anonymous workload of 900 MiB, more than
# the guest's boot memory holds, so that at least the difference sits in
# hot-added memory when the unplug begins (stopped, its pages freed but
# still resident on the host); the unplug (virtio-mem's discard, the DIMMs'
# backends freed) must give at least that much back to the host (QEMU's
# RSS), and the result carries all three RSS points. The three scenario
# files themselves are checked by memhp plan.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/scenarios25
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

for sc in numa-dimm mixed-devices cycles-dimm; do
	check "scenarios/$sc.ini parses" quiet "$MEMHP" plan "scenarios/$sc.ini"
done
cat > "$OUT/all.ini" << 'INI'
[machine]
memory = 768M
nodes = 3
[hotplug]
method = virtio-mem
total = 256M
block_size = 2M
dimm_total = 512M
dimm_size = 256M
[online]
policy = auto-movable
auto_movable_numa_aware = on
[unplug]
retries = 1
deadline = 60s
[run]
cycles = 2
[workload]
mix = anon:1
fill = 900M
duration = 1s
INI
memhp_run run "$OUT/all.ini"
check "NUMA, mixed devices, two cycles: exit 0, a result, status ok" run_ok
check "the guest booted with three nodes and the numa-aware parameter" \
	bash -c "grep -q 'Initmem setup node 2' \"\$(dirname '$r')/serial.log\" &&
		 jq -e '.kernel.cmdline | test(\"memory_hotplug.auto_movable_numa_aware=1\")' '$r' > /dev/null"
check "two DIMMs and one virtio-mem device" \
	bash -c "jq -e '[.devices[].kind] | sort == [\"dimm\", \"dimm\", \"virtio-mem\"]' '$r' > /dev/null"
# Every hot-added block: the node the guest onlined it on, by its device.
check "every hot-added block has the node of its device: dimm0, vmem0 on 1, dimm1 on 2" \
	bash -c "jq -e '.devices as \$d | [.blocks[] | . as \$b |
		(\$d[] | select(\$b.start >= .addr and \$b.start < .addr + .plugged) | .id) as \$id |
		\$b.node == ({\"dimm0\": 1, \"vmem0\": 1, \"dimm1\": 2}[\$id])] | length == 6 and all' '$r' > /dev/null"
check "blocks per node: 4 on node 1 (2 DIMM, 2 virtio-mem), 2 on node 2" \
	bash -c "jq -e '[.blocks[] | .node] | group_by(.) | map({(.[0] | tostring): length}) | add == {\"1\": 4, \"2\": 2}' '$r' > /dev/null"
check "auto-movable onlined them to ZONE_MOVABLE (ratio room on every node)" \
	bash -c "jq -e '[.blocks[].zone] | all(. == \"Movable\")' '$r' > /dev/null"
check "two cycles, each 6 blocks hot-added and 6 removed" \
	bash -c "jq -e '.cycles.done == 2 and (.cycles.per_cycle | length == 2 and all(.hotplugged == 6 and .removed == 6) and (map(.cycle) == [1, 2]))' '$r' > /dev/null"
check "no cycle left memory blocks or MemTotal behind; slab and nr_memmap_pages recorded or null" \
	bash -c "jq -e '.cycles.per_cycle | all(.drift.memory_blocks == 0 and .drift.mem_total == 0 and
		(.drift | has(\"slab\") and has(\"nr_memmap_pages\")) and .before.memory_blocks > 0)' '$r' > /dev/null"
check "the last cycle's own count is the result's" \
	bash -c "jq -e '.count.hotplugged == 6 and .count.removed == 6' '$r' > /dev/null"
check "host memory: the result carries QEMU's RSS before plug, loaded and after unplug" \
	quiet jq -e '.vmm | (.rss_before_plug > 0 and .rss_loaded > .rss_before_plug and .rss_after_unplug > 0 and
		.rss_returned == .rss_loaded - .rss_after_unplug)' "$r"
# What the workload allocated beyond the guest's boot MemTotal was in
# hot-added memory (no swap): the least the host must get back.
check "host memory returned: at least the workload's part in hot-added memory (>= 200 MiB)" \
	quiet jq -e '((.workload.allocations | map(.got) | add) - .cycles.per_cycle[-1].before.mem_total) as $hot |
		$hot >= 200 * 1048576 and .vmm.rss_returned >= $hot' "$r"
echo "# host memory: $(jq -c '.vmm | {rss_before_plug, rss_loaded, rss_after_unplug, rss_returned} | map_values(. / 1048576 | floor)' "$r") MiB, $(jq '(.workload.allocations | map(.got) | add) - .cycles.per_cycle[-1].before.mem_total | . / 1048576 | floor' "$r") MiB of the workload in hot-added memory at least"
check "memhp show and report read the result" \
	bash -c "'$MEMHP' show '$r' > /dev/null && '$MEMHP' report \"\$(dirname \"\$(dirname '$r')\")\" > /dev/null"
echo "# cycles: $(jq -c '[.cycles.per_cycle[] | {cycle, removed, unplug_ms, drift}]' "$r")"
finish scenarios25
