#!/bin/bash
# Today's stack (issue 28): Debian's current 7.x cloud kernel from sid,
# fetched through memhp's own apt state (Debian 14's layout: a meta package,
# the kernel in linux-binary-V, the modules in linux-modules-V), boots and
# hot-plugs on the host's QEMU (quick-dimm, quick-virtio-mem) and on
# bookworm-backports' QEMU 10 unpacked into the cache (quick-virtio-mem with
# [hotplug] dynamic_memslots and unplugged_inaccessible, which QEMU 7.2
# refuses).
# Every result records the suite, the packages' exact versions, the QEMU
# version and what the guest's kernel did with the onlining choices (what
# was asked, what it took, the zones, the memmap per phase). The
# downloads (about 40 MB of kernel, 13 MB of QEMU) stay in the memhp cache.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/newstack
KERNEL=${MEMHP_TEST_NEW_KERNEL:-deb:linux-image-7.*-cloud-amd64/sid}
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# A suite memhp does not know is refused at once, naming the ones it does.
guest-image/build-image --probe guest-image/probe/memhp-probe 'deb:linux-image-7.*/hamm' \
	> /dev/null 2> "$OUT/suite.err"
rc=$?
check "an unknown suite: exit 2, naming the known ones" \
	bash -c "test $rc -eq 2 && grep -q \"unknown suite 'hamm' (memhp knows: bookworm bookworm-backports trixie sid experimental)\" '$OUT/suite.err'"

# The 7.x kernel on the host's QEMU: both hotplug methods.
"$MEMHP" run -r 1 -o "$OUT/host" --kernel "$KERNEL" scenarios/quick-virtio-mem.ini \
	scenarios/quick-dimm.ini > "$OUT/host.out" 2> "$OUT/host.err"
rc=$?
check "quick-virtio-mem and quick-dimm on $KERNEL: exit 0" test "$rc" -eq 0
for s in quick-virtio-mem quick-dimm; do
	r=$(find "$OUT/host" -path "*/$s-*/result.json" | head -n 1)
	echo "# $s: $(jq -r '"\(.kernel.release), boot \(.phases_ms.boot) ms, \(.count.removed) of \(.count.hotplugged) removed, \(.vmm.version)"' "$r" 2> /dev/null)"
	check "$s: a 7.x kernel, every hot-added block removed" \
		bash -c "jq -e '.status == \"ok\" and (.kernel.release | startswith(\"7.\")) and .count.removed == .count.hotplugged and .count.hotplugged > 0' '$r' > /dev/null"
	check "$s: the result records the suite and the packages' exact versions" \
		bash -c "jq -e '.kernel.package.suite == \"sid\" and ([.kernel.package.packages[] | select(.suite == \"sid\" and (.version | length) > 0) | .name] | any(startswith(\"linux-binary-\")) and any(startswith(\"linux-modules-\")))' '$r' > /dev/null"
	check "$s: what the guest did with the onlining choices" \
		bash -c "jq -e '.onlining.auto_online_blocks == \"online_movable\" and (.onlining.online_policy | type) == \"string\" and (.onlining.memmap_on_memory | type) == \"string\" and (.onlining.kernel_default_online_type | type) == \"string\" and (.onlining.memmap_pages.online.nr_memmap_pages | type) == \"number\"' '$r' > /dev/null"
	check "$s: what was asked, all of it taken, every block in Movable, the memmap's place per phase" \
		bash -c "jq -e '.onlining.asked.policy == \"online_movable\" and .onlining.asked.memmap_on_memory == \"N\" and .onlining.not_as_asked == [] and .onlining.zones_onlined == {\"Movable\": .count.hotplugged} and (.onlining.memmap_pages.online.present_pages - .onlining.memmap_pages.online.managed_pages) == (.onlining.memmap_pages.plug.present_pages - .onlining.memmap_pages.plug.managed_pages)' '$r' > /dev/null"
	check "$s: memhp show says where the blocks went and the guest's settings" \
		bash -c "'$MEMHP' show '$r' | grep -q '^zones    all 8 hot-added blocks onlined to Movable (8), as online_movable asked$' && '$MEMHP' show '$r' | grep -q '^onlining guest: auto_online_blocks online_movable, online_policy contig-zones, memmap_on_memory N'"
done
r=$(find "$OUT/host" -path '*/quick-virtio-mem-*/result.json' | head -n 1)
check "quick-virtio-mem: virtio_mem's mode and block sizes from its own log" \
	bash -c "jq -e '.onlining.virtio_mem[0].mode == \"SBM\" and .onlining.virtio_mem[0].subblock_size == 2097152' '$r' > /dev/null"

# QEMU 10 from bookworm-backports, beside the host's, with its virtio-mem
# properties as scenario keys. The host's QEMU 7.2 has no dynamic-memslots:
# the run fails at boot with QEMU's own words.
sed 's/^block_size = 2M$/&\ndynamic_memslots = true\nunplugged_inaccessible = on/' \
	scenarios/quick-virtio-mem.ini > "$OUT/vmem-qemu10.ini"
check "the scenario sets both keys" bash -c "grep -q '^dynamic_memslots = true' '$OUT/vmem-qemu10.ini' && grep -q '^unplugged_inaccessible = on' '$OUT/vmem-qemu10.ini'"
"$MEMHP" run -r 1 -o "$OUT/qemu7" --qemu qemu-system-x86_64 --kernel "$KERNEL" "$OUT/vmem-qemu10.ini" \
	> /dev/null 2>&1
r=$(find "$OUT/qemu7" -name result.json | head -n 1)
check "QEMU 7.2 refuses dynamic_memslots at boot, in QEMU's words" \
	bash -c "jq -e '.status == \"failed\" and .failed_phase == \"boot\" and (.reason | contains(\"dynamic-memslots\"))' '$r' > /dev/null"
if ! qemu=$(guest-image/fetch-qemu 2> "$OUT/fetch-qemu.err"); then
	not_ok "fetch-qemu unpacks bookworm-backports' QEMU" "$(tail -n 3 "$OUT/fetch-qemu.err")"
else
	check "its shared libraries all resolve" bash -c "! ldd '$qemu' | grep -q 'not found'"
	MEMHP_QEMU=$qemu "$MEMHP" run -r 1 -o "$OUT/qemu10" --kernel "$KERNEL" \
		"$OUT/vmem-qemu10.ini" > "$OUT/qemu10.out" 2> "$OUT/qemu10.err"
	rc=$?
	r=$(find "$OUT/qemu10" -name result.json | head -n 1)
	echo "# QEMU 10: $(jq -r '"\(.vmm.version), boot \(.phases_ms.boot) ms, \(.count.removed) of \(.count.hotplugged) removed"' "$r" 2> /dev/null)"
	check "MEMHP_QEMU: QEMU 10, dynamic-memslots and unplugged-inaccessible on, the 7.x kernel: every block removed" \
		bash -c "test $rc -eq 0 && jq -e '.status == \"ok\" and (.vmm.version | startswith(\"10.\")) and .count.removed == .count.hotplugged and .count.hotplugged > 0' '$r' > /dev/null"
	check "the QEMU command line had both properties" \
		grep -q 'dynamic-memslots=on,unplugged-inaccessible=on' "$(dirname "$r")/qemu.log" 
fi

finish newstack
