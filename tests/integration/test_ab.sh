#!/bin/bash
# memhp ab on real guests: an A/A (the same kernel twice, quick-dimm) must
# end with no regression (same or not worse, or undecided: runs that are all
# identical prove no equality, docs/compare.md), and an A/B of one kernel that differs only
# in where hot-added memory is onlined (ZONE_MOVABLE against ZONE_NORMAL,
# under a page-table and kernel-stack load kept through the unplug) must stop
# at its first look with a regression, well before --max-repeats.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/ab
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

kernel='deb:linux-image-6.1.*-cloud-amd64-unsigned'

"$MEMHP" ab -o "$OUT/aa" -A "a=$kernel" -B "b=$kernel" --max-repeats 4 \
	scenarios/quick-dimm.ini > "$OUT/aa.out" 2> "$OUT/aa.err"
rc=$?
check "A/A exits 0 or 3 (undecided): no regression" bash -c "test $rc -eq 0 || test $rc -eq 3"
check "A/A: every look said same, not worse or continue, never regression or better" \
	bash -c "grep -q '^look ' '$OUT/aa.out' && ! grep -qE '^look .*: (regression|better)$' '$OUT/aa.out'"
check "A/A: the verdict line says same, not worse or undecided" \
	grep -qE '^memhp ab: (decided|stopped at --max-repeats) after [0-9]+ pairs .*: (same|not worse|undecided)' "$OUT/aa.out"
n_a=$(jq -rs 'map(select(.variant.name == "a" and .status == "ok")) | length' "$OUT"/aa/*/result.json)
n_b=$(jq -rs 'map(select(.variant.name == "b" and .status == "ok")) | length' "$OUT"/aa/*/result.json)
check "A/A: as many ok runs of each, 4: the first look is at 4, --max-repeats 4" \
	bash -c "test '$n_a' -eq '$n_b' && test '$n_a' -eq 4"
check "A/A: the ok runs alternate A B A B (by start time; a failed run is run again)" \
	bash -c "jq -rs 'map(select(.status == \"ok\")) | sort_by(.started) | map(.variant.name) | join(\"\")' '$OUT'/aa/*/result.json | grep -qE '^(ab)+\$'"

# Running the same command again keeps every run and runs nothing new.
first_rc=$rc
"$MEMHP" ab -o "$OUT/aa" -A "a=$kernel" -B "b=$kernel" --max-repeats 4 \
	scenarios/quick-dimm.ini > "$OUT/aa2.out" 2> "$OUT/aa2.err"
rc=$?
n_after=$(jq -rs 'map(select(.status == "ok")) | length' "$OUT"/aa/*/result.json)
check "again: the same verdict from the runs kept, no new run" \
	bash -c "test $rc -eq $first_rc && grep -q ': kept ' '$OUT/aa2.err' && test $n_after -eq $((n_a + n_b)) &&
		 ! grep -q ' -> ' '$OUT/aa2.err'"

cp tests/integration/pinned-load.ini "$OUT/pinned-load.ini"
"$MEMHP" ab -o "$OUT/ab" --max-repeats 8 \
	-A "movable=$kernel cmdline=memhp_default_state=online_movable" \
	-B "normal=$kernel cmdline=memhp_default_state=online_kernel" \
	"$OUT/pinned-load.ini" > "$OUT/ab.out" 2> "$OUT/ab.err"
rc=$?
check "A/B exits 1: ZONE_NORMAL gives back fewer blocks" test "$rc" -eq 1
check "A/B: decided early with a regression" \
	grep -qE '^memhp ab: decided after [4-7] pairs .*: regression$' "$OUT/ab.out"
check "A/B: the look shows the interval below 0" \
	grep -qE '^look [0-9]+ .*blocks_removed .*difference -[0-9.]+ \[-[0-9.]+, -[0-9.]+\] .*: regression$' "$OUT/ab.out"
total=$(ls "$OUT"/ab/*/result.json | wc -l)
check "A/B: fewer runs than --max-repeats pairs ($total of 16)" test "$total" -lt 16
check "memhp compare on the same runs agrees" \
	bash -c "'$MEMHP' compare --baseline movable '$OUT/ab' > '$OUT/ab.compare'; test \$? -eq 1"

"$MEMHP" ab -A "a=$kernel" scenarios/quick-dimm.ini > /dev/null 2> "$OUT/bad.err"
check "without a candidate: exit 2, said" bash -c "test $? -eq 2 && grep -q 'give the baseline (-A) and the candidate (-B)' '$OUT/bad.err'"
"$MEMHP" ab -A "a=$kernel" -B "b=$kernel" --alpha nan scenarios/quick-dimm.ini > /dev/null 2> "$OUT/bad.err"
check "--alpha nan: exit 2, naming it" bash -c "test $? -eq 2 && grep -q \"'nan'\" '$OUT/bad.err'"

left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish ab
