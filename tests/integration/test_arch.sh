#!/bin/bash
# Guests of other architectures (issue 24, docs/architectures.md) under TCG,
# on Debian 12's kernels of that architecture with memhp's initramfs built
# from that architecture's packages and a cross-compiled probe:
#   ppc64le (pseries): quick-dimm with --arch ppc64le removes its DIMMs as
#     256 MiB blocks; a DIMM pinned by pipe buffers in ZONE_NORMAL is
#     rejected from the guest's kernel log (QEMU sends no event);
#   aarch64 (virt, UEFI): a cold-plugged virtio-mem device is resized to
#     nothing; a DIMM on Debian's kernel (no ACPI memory hotplug) is
#     unsupported, never removed.
# The outcomes are checked against the guest: the probe's block list and
# page size, and the kernel's own lines on the serial console. compare
# never pairs results of two architectures.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/arch
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# Two guests at a time: ppc64le's pair, then aarch64's.
"$MEMHP" run -j 2 -o "$OUT/ppc" --arch ppc64le scenarios/quick-dimm.ini \
	tests/integration/arch-ppc64-pinned.ini > "$OUT/ppc.out" 2> "$OUT/ppc.err"
q=$(find "$OUT/ppc" -path '*quick-dimm*' -name result.json | head -n 1)
p=$(find "$OUT/ppc" -path '*arch-ppc64-pinned*' -name result.json | head -n 1)
check "ppc64le quick-dimm: ok, recorded as ppc64le on pseries" \
	bash -c "test -n '$q' && jq -e '.status == \"ok\" and .vmm.arch == \"ppc64le\" and
		(.kernel.cmdline | test(\"console=hvc0\"))' '$q' > /dev/null"
check "ppc64le quick-dimm: every 256 MiB block removed, every DIMM removed" \
	bash -c "jq -e '.count.block_size == 268435456 and .count.hotplugged == 4 and
		.count.removed == 4 and ([.devices[].outcome] | all(. == \"removed\"))' '$q' > /dev/null"
"$MEMHP" show "$q" > "$OUT/show.out" 2>&1
check "memhp show names the guest's architecture" grep -q '^vmm .*, guest ppc64le' "$OUT/show.out"
check "the guest ran with 64 KiB pages and 256 MiB memory blocks" \
	bash -c "jq -e '.probe_final.page_size == 65536 and .probe_final.block_size == 268435456' '$q' > /dev/null"
check "the guest's kernel hot-removed the LMBs itself" \
	grep -q 'pseries-hotplug-mem: Memory at .* was hot-removed' "$(dirname "$q")/serial.log"
check "ppc64le pinned: some DIMM rejected, from the kernel log, well within its deadline" \
	bash -c "test -n '$p' && jq -e '.status == \"ok\" and
		([.devices[] | select(.outcome == \"rejected\")] | length > 0) and
		([.devices[] | select(.outcome == \"rejected\")] | all(.detail | test(\"indexed-count-remove failed\"))) and
		([.devices[] | select(.outcome == \"rejected\")] | all(.unplug_ms < 60000)) and
		([.devices[].outcome] | all(. == \"rejected\" or . == \"removed\"))' '$p' > /dev/null"
check "the guest printed the refusal and still has the rejected DIMMs' blocks" \
	bash -c "grep -q 'pseries-hotplug-mem: Memory indexed-count-remove failed' '$(dirname "$p")/serial.log' &&
		jq -e '.count.removed < .count.hotplugged and .count.online_normal > 0' '$p' > /dev/null"

"$MEMHP" run -j 2 -o "$OUT/arm" --arch aarch64 scenarios/quick-virtio-mem.ini \
	tests/integration/arch-arm64-dimm.ini > "$OUT/arm.out" 2> "$OUT/arm.err"
v=$(find "$OUT/arm" -path '*quick-virtio-mem*' -name result.json | head -n 1)
d=$(find "$OUT/arm" -path '*arch-arm64-dimm*' -name result.json | head -n 1)
check "aarch64 quick-virtio-mem: ok, every 128 MiB block removed" \
	bash -c "test -n '$v' && jq -e '.status == \"ok\" and .vmm.arch == \"aarch64\" and
		.count.block_size == 134217728 and .count.hotplugged == 8 and .count.removed == 8 and
		.devices[0].outcome == \"removed\"' '$v' > /dev/null"
check "aarch64's guest ran its virtio-mem driver on ttyAMA0" \
	bash -c "grep -q 'virtio_mem virtio' '$(dirname "$v")/serial.log' &&
		jq -e '.kernel.cmdline | test(\"console=ttyAMA0\")' '$v' > /dev/null"
check "aarch64 DIMM on Debian's kernel: unsupported, not removed, no block ever appeared" \
	bash -c "test -n '$d' && jq -e '.status == \"ok\" and .count.hotplugged == 0 and
		.devices[0].outcome == \"unsupported\"' '$d' > /dev/null"
check "the guest has no block of the DIMM at the end either" \
	bash -c "jq -e '.devices[0] as \$x | [.probe_final.blocks[] | select(.start >= \$x.addr and .start < \$x.addr + \$x.plugged)] | length == 0' '$d' > /dev/null"

# compare: the same scenario as x86_64 (the result relabelled) is not paired.
mkdir -p "$OUT/x86/$(basename "$(dirname "$q")")"
jq '.vmm.arch = "x86_64"' "$q" > "$OUT/x86/$(basename "$(dirname "$q")")/result.json"
"$MEMHP" compare "$OUT/x86" "$OUT/ppc" > "$OUT/compare.out" 2>&1
check "compare never pairs ppc64le with x86_64" \
	grep -q "not compared: quick-dimm: .*: architectures 'x86_64' against 'ppc64le'" "$OUT/compare.out"
echo "# boot under TCG: ppc64le $(jq -r '.phases_ms.boot' "$q" 2> /dev/null) ms, aarch64 $(jq -r '.phases_ms.boot' "$v" 2> /dev/null) ms"
finish arch
