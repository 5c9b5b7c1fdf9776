#!/bin/bash
# The libvirt backend on real libvirt daemons (two private libvirtd started
# by ci/libvirtd, each on its own socket) running real guests: counts from
# the guest, libvirt's removal events, the image cache in each host's storage
# pool, a disk image (--image debian) booted through an overlay volume, a
# host that is unreachable and one whose daemon is killed mid-run.
set -u
cd "$(dirname "$0")/../.."
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/libvirt
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
MEMHP=harness/memhp
A=$OUT/daemon-a
B=$OUT/daemon-b
KERNEL='deb:linux-image-6.1.*-cloud-amd64-unsigned'

cleanup() {
	ci/libvirtd stop "$A" 2> /dev/null
	ci/libvirtd stop "$B" 2> /dev/null
}
trap cleanup EXIT

if ! UA=$(ci/libvirtd start "$A" 2> "$OUT/start-a.err") ||
	! UB=$(ci/libvirtd start "$B" 2> "$OUT/start-b.err"); then
	why=$(cat "$OUT/start-a.err" "$OUT/start-b.err" 2> /dev/null | tr '\n' ' ')
	echo "ok 1 # SKIP libvirtd cannot start on this machine: $why"
	echo "1..1"
	echo "libvirt: SKIPPED, libvirtd did not start: $why"
	exit 0
fi
echo "# daemons: $UA $UB"

# jq -e over one result file: check NAME FILE FILTER
jqcheck() {
	local name=$1 file=$2 filter=$3
	check "$name" quiet jq -e "$filter" "$file"
}
results() { ls "$1"/*/result.json 2> /dev/null; }

# 1. DIMMs through libvirt.
$MEMHP run -o "$OUT/dimm" --backend libvirt --connect "$UA" scenarios/quick-dimm.ini \
	> "$OUT/dimm.out" 2> "$OUT/dimm.err"
check "quick-dimm on libvirt exits 0" test $? -eq 0
r=$(results "$OUT/dimm")
jqcheck "the result names the backend and the host URI" "$r" \
	".vmm.backend == \"libvirt\" and .host.uri == \"$UA\" and (.vmm.version | test(\"via libvirt\"))"
jqcheck "the guest saw 8 blocks come and all 8 go" "$r" \
	'.status == "ok" and .count.hotplugged == 8 and .count.removed == 8 and .count.bytes_remaining == 0'
jqcheck "the blocks were onlined to ZONE_MOVABLE in the guest" "$r" \
	'[.blocks[].zone] | unique == ["Movable"]'
jqcheck "each DIMM's removal came as libvirt's DEVICE_REMOVED event" "$r" \
	'[.events[] | select(.event == "DEVICE_REMOVED") | .device] | sort == ["dimm0","dimm1","dimm2","dimm3"]'
jqcheck "the domain was a libvirt qemu (TCG) or kvm domain, as auto said" "$r" \
	'(.vmm.accel == "tcg" or .vmm.accel == "kvm") and (.vmm.accel_reason | test("libvirt"))'
check "the serial console reached serial.log through libvirt" \
	grep -q 'Linux version' "$(dirname "$r")/serial.log"

# 2. virtio-mem through libvirt.
$MEMHP run -o "$OUT/vmem" --connect "$UA" scenarios/quick-virtio-mem.ini \
	> "$OUT/vmem.out" 2> "$OUT/vmem.err"
check "quick-virtio-mem on libvirt (--connect implies it) exits 0" test $? -eq 0
r=$(results "$OUT/vmem")
jqcheck "virtio-mem: 8 of 8 blocks out, per the guest" "$r" \
	'.status == "ok" and .vmm.backend == "libvirt" and .count.hotplugged == 8 and .count.removed == 8'
jqcheck "progress came as MEMORY_DEVICE_SIZE_CHANGE events" "$r" \
	'[.events[] | select(.event == "MEMORY_DEVICE_SIZE_CHANGE" and .device == "vmem0")] | length > 0'
jqcheck "the device's start address was found (its blocks are the hot-added ones)" "$r" \
	'.devices[0].addr > 0 and .devices[0].plugged == 1073741824'

# 3. The same rejecting scenario on both backends: the guest refuses DIMMs
# whose memory went to ZONE_NORMAL and holds page tables.
cp tests/integration/pinned-load.ini "$OUT/pinned.ini"
variant="normal=$KERNEL cmdline=memhp_default_state=online_kernel"
$MEMHP run -o "$OUT/rej-libvirt" --connect "$UA" -V "$variant" "$OUT/pinned.ini" \
	> "$OUT/rej-libvirt.out" 2> "$OUT/rej-libvirt.err"
$MEMHP run -o "$OUT/rej-qmp" -V "$variant" "$OUT/pinned.ini" \
	> "$OUT/rej-qmp.out" 2> "$OUT/rej-qmp.err"
rl=$(results "$OUT/rej-libvirt")
rq=$(results "$OUT/rej-qmp")
jqcheck "libvirt: refusals arrive as DEVICE_REMOVAL_FAILED and leave DIMMs rejected" "$rl" \
	'.status == "ok" and ([.events[] | select(.event == "DEVICE_REMOVAL_FAILED")] | length > 0) and
	 ([.devices[] | select(.outcome == "rejected")] | length > 0) and .count.removed < 8'
nl=$(jq .count.removed "$rl" 2> /dev/null || echo x)
nq=$(jq .count.removed "$rq" 2> /dev/null || echo y)
echo "# blocks removed under ZONE_NORMAL + page tables: libvirt $nl, qmp $nq"
check "QMP and libvirt agree on that scenario within one DIMM (2 blocks)" \
	bash -c "[ \$(( $nl - $nq )) -le 2 ] && [ \$(( $nq - $nl )) -le 2 ]"

# 4. The image went to the host once.
vols=$(virsh -c "$UA" vol-list memhp 2> /dev/null | awk 'NR > 2 && NF { print $1 }' | sort | tr '\n' ' ')
echo "# volumes on host A: $vols"
check "host A's pool holds the kernel and initrd once each, no partial upload" \
	bash -c "[ \$(echo '$vols' | wc -w) -eq 2 ] &&
		 echo '$vols' | grep -Eq '(^| )memhp-[0-9a-f]{16}-initrd( |$)' &&
		 echo '$vols' | grep -Eq '(^| )memhp-[0-9a-f]{16}-vmlinuz( |$)'"
stamp() { stat -c %Y.%s "$A"/lib/memhp/memhp-*-vmlinuz "$A"/lib/memhp/memhp-*-initrd; }
before=$(stamp)
$MEMHP run -o "$OUT/again" --connect "$UA" scenarios/quick-dimm.ini > /dev/null 2> "$OUT/again.err"
check "a second run reuses the uploaded image (the volumes are untouched)" test "$before" = "$(stamp)"
check "no memhp domain is left on host A" test -z "$(virsh -c "$UA" list --all --name | grep memhp)"

# 4b. A disk image through libvirt: the Debian disk goes to the pool once and
# the guest boots it through an overlay volume of its own, which goes with
# it; neither the image nor the uploaded volume is written.
ddisk=$(guest-image/build-disk --kernel-image "$(guest-image/build-image \
	--probe guest-image/probe/memhp-probe "$KERNEL" 2> /dev/null)" 2> "$OUT/disk-build.err")
dhash=$(sha256sum < "$ddisk/disk.qcow2" | cut -d' ' -f1)
start=$(date +%s)
$MEMHP run -o "$OUT/disk" --connect "$UA" --image debian scenarios/quick-dimm.ini \
	> "$OUT/disk.out" 2> "$OUT/disk.err"
check "quick-dimm on libvirt with --image debian exits 0" test $? -eq 0
echo "# --image debian on libvirt took $(( $(date +%s) - start )) s"
r=$(results "$OUT/disk")
jqcheck "debian on libvirt: the guest saw 8 blocks come and all 8 go" "$r" \
	'.status == "ok" and .vmm.backend == "libvirt" and .image.kind == "debian" and .count.hotplugged == 8 and .count.removed == 8'
check "the guest's root was the virtio disk, with systemd on it" \
	bash -c "grep -q 'memhp-disk-init: root is /dev/vda' '$(dirname "$r")/serial.log' && grep -q 'Welcome to .*Debian' '$(dirname "$r")/serial.log'"
check "the domain had the overlay volume as vda over the uploaded disk" \
	bash -c "grep -q '<source file=\"/var/lib/libvirt/memhp/memhp-[^\"]*-overlay.qcow2\"/>' '$(dirname "$r")/qemu.log' &&
		 grep -Eq '<source file=\"/var/lib/libvirt/memhp/memhp-[0-9a-f]{16}-disk\"/>' '$(dirname "$r")/qemu.log'"
check "the image is not written (same sha256 after the run)" \
	test "$dhash" = "$(sha256sum < "$ddisk/disk.qcow2" | cut -d' ' -f1)"
# (libvirt clones a qcow2 volume with qemu-img convert: the same disk, not
# the same bytes)
check "the uploaded disk holds the image, unwritten (qemu-img compare)" \
	quiet qemu-img compare -f qcow2 -F qcow2 "$ddisk/disk.qcow2" "$A"/lib/memhp/memhp-*-disk
vols=$(virsh -c "$UA" vol-list memhp 2> /dev/null | awk 'NR > 2 && NF { print $1 }' | tr '\n' ' ')
check "no overlay volume is left in the pool" bash -c "! echo '$vols' | grep -q overlay"

# 5. An unreachable host: the run fails with a result that says it was the host.
dead="qemu:///system?socket=$OUT/nobody-listens-here"
$MEMHP run -o "$OUT/dead" --connect "$dead" scenarios/quick-dimm.ini \
	> "$OUT/dead.out" 2> "$OUT/dead.err"
check "an unreachable host: exit 1" test $? -eq 1
check "the failed attempt is recorded: host failure, its URI and why" \
	test "$(jq -s "map(select(.status == \"failed\" and .host_failure and .host.uri == \"$dead\" and (.reason | test(\"cannot connect\")))) | length" $(results "$OUT/dead"))" -eq 1

# 6. A daemon killed mid-run: a host failure, recorded; a rerun (--resume,
# or Slurm requeueing the task: docs/hosts.md) runs the cell again.
$MEMHP run -o "$OUT/kill" --connect "$UB" scenarios/quick-dimm.ini \
	> "$OUT/kill.out" 2> "$OUT/kill.err" &
pid=$!
for _ in $(seq 600); do
	virsh -c "$UB" list --name 2> /dev/null | grep -q memhp && break
	sleep 0.1
done
check "a guest was running on host B" quiet bash -c "virsh -c '$UB' list --name | grep -q memhp"
sleep 2 # into its boot
kill -9 "$(cat "$B/libvirtd.pid")"
wait "$pid"
rc=$?
check "with host B's daemon killed, the run exits 1" test "$rc" -eq 1
check "its result is a host failure on B" \
	test "$(jq -s "map(select(.status == \"failed\" and .host_failure and .host.uri == \"$UB\")) | length" $(results "$OUT/kill"))" -eq 1
jq -r 'select(.host_failure) | "# host failure: " + .reason' $(results "$OUT/kill")
$MEMHP run --resume "$OUT/kill" --connect "$UA" scenarios/quick-dimm.ini > /dev/null 2>&1
check "run again on host A: exit 0, the failed attempt kept beside the ok result" \
	test $? -eq 0 -a "$(jq -rs 'map(.status) | sort | join(" ")' $(results "$OUT/kill"))" = "failed ok"
ci/libvirtd stop "$B"
left=$(pgrep -f 'qemu-system.*guest=memhp-' || true)
check "no memhp QEMU left running" test -z "$left"

# 7. memhp killed outright: AUTODESTROY takes its guest down with the connection.
$MEMHP run -o "$OUT/killed" --connect "$UA" scenarios/quick-dimm.ini > /dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
	virsh -c "$UA" list --name 2> /dev/null | grep -q memhp && break
	sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2> /dev/null
for _ in $(seq 100); do
	[ -z "$(virsh -c "$UA" list --all --name | grep memhp)" ] && break
	sleep 0.1
done
check "memhp killed with SIGKILL: libvirt destroyed its guest (AUTODESTROY)" \
	test -z "$(virsh -c "$UA" list --all --name | grep memhp)"

# 8. The libvirt path under ASan/UBSan.
if [ -n "${MEMHP_SAN:-}" ]; then
	san_check 0 run -o "$OUT/san" --connect "$UA" scenarios/quick-dimm.ini
fi

# 9. Bad input.
$MEMHP run --connect 'not a uri' scenarios/quick-dimm.ini > /dev/null 2> "$OUT/bad.err"
check "a bad --connect URI: exit 2" test $? -eq 2
check "... naming the URI" grep -q "'not a uri' has a blank" "$OUT/bad.err"
$MEMHP run --backend qmp --connect "$UA" scenarios/quick-dimm.ini > /dev/null 2> "$OUT/bad2.err"
check "--connect with --backend qmp: exit 2" test $? -eq 2

finish libvirt
