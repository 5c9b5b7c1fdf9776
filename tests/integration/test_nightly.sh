#!/bin/bash
# ci/nightly end to end on real guests: two variants of the same kernel that
# differ in one known way — hot-added memory onlined to ZONE_MOVABLE (the
# baseline) or to ZONE_NORMAL (the candidate) — under a workload of page
# tables and kernel stacks that stays through the unplug. ZONE_NORMAL keeps
# blocks the workload pinned, so the nightly must flag the candidate, confirm
# it with a re-run, and leave its report, JUnit and verdict behind.
set -u
cd "$(dirname "$0")/../.."
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/nightly
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

cp tests/integration/pinned-load.ini "$OUT/pinned-load.ini"
kernel='deb:linux-image-6.1.*-cloud-amd64-unsigned'
ci/nightly --out "$OUT/n" --scenario "$OUT/pinned-load.ini" --repeats 2 --min-repeats 2 \
	--baseline-variant "movable=$kernel cmdline=memhp_default_state=online_movable" \
	--variant "normal=$kernel cmdline=memhp_default_state=online_kernel" \
	> "$OUT/nightly.out" 2> "$OUT/nightly.err"
rc=$?
check "nightly exits 1: the ZONE_NORMAL candidate gives back fewer blocks" test "$rc" -eq 1
check "it names the regression: scenario, candidate, blocks_removed" \
	grep -qE '^pinned-load +normal +blocks_removed .* regression' "$OUT/nightly.out"
check "the variants' command lines took effect: zones in the results" \
	bash -c "jq -rs 'map(select(.variant.name == \"movable\") | .blocks[].zone) | unique | join(\",\")' '$OUT'/n/runs/*/result.json | grep -qx Movable &&
		 jq -rs 'map(select(.variant.name == \"normal\") | .blocks[].zone) | unique | join(\",\")' '$OUT'/n/runs/*/result.json | grep -qx Normal"
check "the suspected regression was re-run once more: 4 repeats of each variant" \
	test "$(ls "$OUT"/n/runs/*/result.json | wc -l)" -eq 8
check "the re-run kept the first runs (--resume)" test "$(grep -c ': kept ' "$OUT/nightly.err")" -eq 4
check "it says the regression stayed" grep -q 'the regression stayed after the re-run' "$OUT/nightly.err"
check "JUnit written and valid" xmllint --noout --schema tests/compare/junit.xsd "$OUT/n/junit.xml"
check "JSON verdict: regression" bash -c "jq -e '.verdict == \"regression\"' '$OUT/n/verdict.json' > /dev/null"
check "the HTML report was written" grep -q 'pinned-load' "$OUT/n/report/index.html"
left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish nightly
