#!/bin/bash
# The libvirt backend on bookworm-backports' libvirt 11.3.0 and QEMU 10.0.2,
# without installing them on the host: a private libvirtd chrooted into the
# isolated root ci/libvirt-root builds (mmdebstrap, about 380 MB, 10 minutes
# the first time, so it is not built here: without it the test is skipped,
# saying how to build it), on its own socket, and memhp on the host
# connecting to it with --connect. quick-dimm passes and the result records
# the daemon's libvirt and QEMU versions, not the host's libvirt 9.
set -u
cd "$(dirname "$0")/../.."
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/libvirt11
ROOT=${MEMHP_LIBVIRT_ROOT:-${MEMHP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memhp}/roots/libvirt-bookworm-backports}
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
MEMHP=harness/memhp
D=$OUT/daemon

if [ ! -x "$ROOT/usr/sbin/libvirtd" ]; then
	echo "ok 1 # SKIP no libvirt 11 root at $ROOT (build it with ci/libvirt-root)"
	echo "1..1"
	echo "libvirt11: SKIPPED, no root at $ROOT"
	exit 0
fi
trap 'ci/libvirtd stop "$D" 2> /dev/null' EXIT
if ! U=$(ci/libvirtd start "$D" "$ROOT" 2> "$OUT/start.err"); then
	not_ok "libvirtd starts in $ROOT" "$(tr '\n' ' ' < "$OUT/start.err")"
	finish libvirt11
	exit 1
fi
echo "# daemon: $U ($(grep -h '^libvirt-daemon ' "$ROOT/memhp-versions" 2> /dev/null))"

$MEMHP run -r 1 -o "$OUT/dimm" --connect "$U" scenarios/quick-dimm.ini > "$OUT/dimm.out" 2> "$OUT/dimm.err"
check "quick-dimm on the chrooted libvirt 11: exit 0" test $? -eq 0
r=$(ls "$OUT"/dimm/*/result.json 2> /dev/null | head -n 1)
echo "# $(jq -r '"\(.vmm.version): \(.count.removed) of \(.count.hotplugged) removed, boot \(.phases_ms.boot) ms"' "$r" 2> /dev/null)"
check "every hot-added block removed, through libvirt" \
	quiet jq -e '.status == "ok" and .vmm.backend == "libvirt" and .count.hotplugged == 8 and .count.removed == 8' "$r"
check "the result records the daemon's libvirt 11 and QEMU 10, not the host's libvirt 9" \
	quiet jq -e '.vmm.version | test("^10\\.[0-9]+\\.[0-9]+ via libvirt 11\\.[0-9]+\\.[0-9]+$")' "$r"
check "the host's URI, with the chroot's socket" \
	quiet jq -e --arg u "$U" '.host.uri == $u' "$r"

finish libvirt11
