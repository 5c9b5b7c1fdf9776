#!/bin/bash
# Disk images (docs/images.md): memhp's Debian image builds from Debian's
# archive alone, boots with the default kernel, passes quick-dimm and
# quick-virtio-mem and runs the page-cache-on-ext4 and pgbench kinds; a
# bring-your-own disk (the same builder, pointed at with path:) works and is
# not written; a disk without qemu-ga fails with a message naming the agent
# within the boot timeout and leaves no QEMU behind; a build: kernel boots
# the Debian image too.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/images
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
cache=${MEMHP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memhp}

# The kernel image of the default kernel (its package holds the modules).
kimage=$(guest-image/build-image --probe guest-image/probe/memhp-probe \
	'deb:linux-image-6.1.*-cloud-amd64-unsigned' 2> "$OUT/kimage.err")
check "the default kernel's image resolves" test -s "$kimage/image.json"

start=$(date +%s)
disk=$(guest-image/build-disk --kernel-image "$kimage" 2> "$OUT/build.err")
rc=$?
echo "# build-disk took $(( $(date +%s) - start )) s (cached after the first time)"
check "build-disk builds the Debian image" bash -c "test $rc -eq 0 && test -s '$disk/disk.qcow2' -a -s '$disk/initrd.cpio.gz'"
check "disk.json: debian, with the probe and the kernel's modules" \
	bash -c "jq -e '.kind == \"debian\" and .probe and .agent and (.modules | startswith(\"deb \"))' '$disk/disk.json' > /dev/null"
rootfs=$cache/rootfs/$(jq -r .rootfs "$disk/disk.json").tar
tar -xOf "$rootfs" ./etc/apt/sources.list > "$OUT/sources" 2> /dev/null
check "the root file system's apt sources are Debian's archive only" \
	bash -c "test -s '$OUT/sources' && ! grep -v '^#' '$OUT/sources' | grep -v '^\$' | grep -vE '^deb (\[[^]]*\] )?https?://[^ ]*/debian(-security)?/? bookworm'"
again=$(guest-image/build-disk --kernel-image "$kimage" 2> "$OUT/again.err")
check "the same inputs reuse the cached disk" \
	bash -c "test '$again' = '$disk' && ! grep -q 'building' '$OUT/again.err'"

# run NAME SCENARIO ARGS...: memhp run into $OUT/NAME; $r is its result.
run() {
	local name=$1 sc=$2
	shift 2
	"$MEMHP" run -o "$OUT/$name" "$@" "$sc" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
	r=$(find "$OUT/$name" -name result.json | head -n 1)
}
all_removed='.status == "ok" and .count.hotplugged > 0 and .count.removed == .count.hotplugged'
# virtio-mem under heavy host load: the driver removes a block it has
# offlined and unplugged on a later retry, which can come after settle ends
# (seen on a loaded 2-core host: 7 removed, 1 offline with every page
# offline, the device at 0 bytes). The device must be empty.
vmem_emptied='.status == "ok" and .count.hotplugged > 0 and .count.bytes_remaining == 0 and (.count.removed + .count.offline) == .count.hotplugged'

for sc in quick-dimm quick-virtio-mem; do
	run "debian-$sc" "scenarios/$sc.ini" --image debian
	if [ $sc = quick-dimm ]; then
		check "$sc on the Debian image: ok, every block removed" \
			bash -c "test $rc -eq 0 && jq -e '$all_removed' '$r' > /dev/null"
	else
		check "$sc on the Debian image: ok, the device emptied, every block offline or removed" \
			bash -c "test $rc -eq 0 && jq -e '$vmem_emptied' '$r' > /dev/null"
	fi
	check "$sc: the result records the Debian image and its key" \
		bash -c "jq -e '.image.kind == \"debian\" and .image.hash == \"$(jq -r .key "$disk/disk.json")\"' '$r' > /dev/null"
	echo "# $sc on debian: boot $(jq .phases_ms.boot "$r") ms"
done
check "the guest ran systemd with its root on the virtio disk" \
	bash -c "grep -q 'memhp-disk-init: root is /dev/vda' '$OUT'/debian-quick-dimm/*/serial.log && grep -q 'systemd' '$OUT'/debian-quick-dimm/*/serial.log"

cat > "$OUT/real.ini" <<'INI'
[machine]
memory = 1G

[hotplug]
method = virtio-mem
total = 1G

[online]
policy = online_movable

[workload]
mix = pagecache:50 pgbench:50
fill = 25%
duration = 30s

[run]
boot_timeout = 10m
INI
run real "$OUT/real.ini" --image debian
check "pagecache and pgbench on the Debian image: the run is ok" \
	bash -c "test $rc -eq 0 && jq -e '.status == \"ok\"' '$r' > /dev/null"
check "both kinds got their bytes without error" \
	bash -c "jq -e '[.workload.allocations[] | select(.error == \"\" and .got > 0)] | length == 2' '$r' > /dev/null"
check "pagecache wrote to ext4 on the disk (magic 0xEF53) and read it back" \
	bash -c "jq -e '.workload.throughput.pagecache | .filesystem_magic == 61267 and .bytes_read == .bytes_written and .write_mib_s > 0' '$r' > /dev/null"
check "pgbench ran: the result has its tps" \
	bash -c "jq -e '.workload.throughput.pgbench | .tps_samples > 0 and .tps_mean > 0 and .scale >= 1' '$r' > /dev/null"
echo "# pgbench: $(jq -c '.workload.throughput.pgbench' "$r" 2>/dev/null)"
echo "# pagecache: $(jq -c '.workload.throughput.pagecache' "$r" 2>/dev/null)"

# Bring your own: the same builder, without the probe (memhp uploads it).
guest-image/build-disk --kernel-image "$kimage" --no-probe --out "$OUT/byo" > /dev/null 2> "$OUT/byo-build.err"
check "a bring-your-own disk without memhp-probe is made" test -s "$OUT/byo/disk.qcow2"
before=$(sha256sum < "$OUT/byo/disk.qcow2" | cut -d' ' -f1)
run byo-run scenarios/quick-virtio-mem.ini --image "path:$OUT/byo/disk.qcow2"
check "quick-virtio-mem on path: ok, the device emptied (probe uploaded)" \
	bash -c "test $rc -eq 0 && jq -e '$vmem_emptied' '$r' > /dev/null"
check "the result records kind path and the disk's sha256" \
	bash -c "jq -e '.image.kind == \"path\" and .image.hash == \"$before\"' '$r' > /dev/null"
after=$(sha256sum < "$OUT/byo/disk.qcow2" | cut -d' ' -f1)
check "the user's disk is not modified (same sha256 after the run)" test "$before" = "$after"
check "no overlay is left in the run's private directory" \
	bash -c "! grep -o '/tmp/memhp-[A-Za-z0-9]*/overlay.qcow2' '$OUT'/byo-run/*/qemu.log | xargs -r ls 2>/dev/null | grep -q ."

# No agent: qemu-guest-agent masked in the image.
guest-image/build-disk --kernel-image "$kimage" --no-probe --no-agent --out "$OUT/noagent" \
	> /dev/null 2> "$OUT/noagent-build.err"
{ cat scenarios/quick-dimm.ini; printf '\n[run]\nboot_timeout = 60s\n'; } > "$OUT/noagent.ini"
run noagent-run "$OUT/noagent.ini" --image "path:$OUT/noagent/disk.qcow2"
check "without qemu-ga: exit 1, failed in boot" \
	bash -c "test $rc -eq 1 && jq -e '.status == \"failed\" and .failed_phase == \"boot\"' '$r' > /dev/null"
check "the reason names the missing agent and its port" \
	bash -c "jq -r .reason '$r' | grep -q 'no guest agent within the boot timeout.*qemu-guest-agent.*org.qemu.guest_agent.0'"
# (pgrep here, not in a bash -c whose own command line would match)
pgrep -f "qemu-system.*$OUT/noagent-run" > /dev/null
check "no QEMU of that run is left" test $? -eq 1

# A build: kernel (memhp's configuration, everything built in: no modules
# in the disk or its boot initramfs) boots the Debian image: the same base
# kernel the other tests build, so no kernel build of its own.
start=$(date +%s)
run build-dimm scenarios/quick-dimm.ini --kernel build:linux-source-6.1 --image debian
echo "# the build: kernel on debian took $(( $(date +%s) - start )) s, boot $(jq .phases_ms.boot "$r" 2>/dev/null) ms"
check "quick-dimm on the Debian image with the build: kernel: ok, every block removed" \
	bash -c "test $rc -eq 0 && jq -e '$all_removed and .kernel.spec == \"build:linux-source-6.1\"' '$r' > /dev/null"
bdisk=$(jq -r '.image.hash' "$r" 2> /dev/null)
check "its disk has no modules (a build: kernel has them built in)" \
	bash -c "jq -e '.modules == \"none\" and .kind == \"debian\"' '$cache/disks/$bdisk/disk.json' > /dev/null"
serial=$(dirname "$r")/serial.log
check "the build: kernel mounted the virtio disk and started systemd" \
	bash -c "grep -q 'memhp-disk-init: root is /dev/vda' '$serial' && grep -q 'systemd\[1\]: systemd .* running in system mode' '$serial'"
check "systemd reported no failed unit on the console" bash -c "! grep -q 'FAILED' '$serial'"

"$MEMHP" run --image fedora scenarios/quick-dimm.ini > /dev/null 2> "$OUT/bad.err"
check "--image fedora: exit 2, names the value" \
	bash -c "test $? -eq 2 && grep -q \"'fedora' is not initramfs, debian or path:DISK\" '$OUT/bad.err'"

finish images
