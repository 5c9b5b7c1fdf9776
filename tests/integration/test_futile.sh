#!/bin/bash
# The futile tail rule ([unplug] futile_stop, issue 25, docs/why.md) on a
# real guest: Debian's 6.1 cloud kernel, virtio-mem in ZONE_NORMAL under a
# pinned load (tests/integration/futile-pinned.ini). Some blocks stay; the
# rule must stop the requests early, and every block it gave up on must be
# stuck as the guest's kpageflags say after the unplug (memhp-probe why):
# no 2 MiB range of it free of unmovable pages, or nothing in it movable.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/futile
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

memhp_run pinned tests/integration/futile-pinned.ini
echo "# $(jq -r '"\(.kernel.release): \(.count.removed) of \(.count.hotplugged) removed, unplug \(.phases_ms.unplug) ms, \(.devices[0].attempts) requests, futile_stop \(.devices[0].futile_stop)"' "$r" 2> /dev/null)"
check "virtio-mem under the pinned load: exit 0, status ok, some blocks stayed" \
	bash -c "test $rc -eq 0 && jq -e '.status == \"ok\" and .count.hotplugged == 8 and .count.removed < 8' '$r' > /dev/null"
# "stopped early" is the rule's own ending; the deadline's reads otherwise
# (no wall-clock bound here: this machine is shared).
check "the rule stopped the requests, not the deadline: futile_stop, fewer than retries + 1 requests" \
	bash -c "jq -e '.devices[0].futile_stop == true and .devices[0].attempts < 4 and (.devices[0].detail | test(\"stopped early\"))' '$r' > /dev/null"
check "every block it gave up on had no 2 MiB range free of unmovable pages, or nothing movable" \
	bash -c "jq -e '[.blocks[] | select(.final != \"removed\") | .why | .movable_2m == 0 or (.pages | .anon + .file + .thp + .hugetlb == 0)] | length > 0 and all' '$r' > /dev/null"
finish futile
