#!/bin/bash
# ci/nightly end to end on real guests: two variants of the same kernel that
# differ in one known way — hot-added memory onlined to ZONE_MOVABLE (the
# baseline) or to ZONE_NORMAL (the candidate) — under a workload of page
# tables and kernel stacks that stays through the unplug. ZONE_NORMAL keeps
# blocks the workload pinned, so the nightly must flag the candidate (Holm
# over the 3 metrics), confirm it on fresh runs (not pooled with the first),
# and leave its report, JUnit and verdict behind. 4 runs a variant: the
# fewest at which the exact test can tell them apart (1 arrangement in 70);
# alpha 0.1 because Holm over 3 metrics asks 3 x 2/70 of it.
set -u
cd "$(dirname "$0")/../.."
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/nightly
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

cp tests/integration/pinned-load.ini "$OUT/pinned-load.ini"
kernel='deb:linux-image-6.1.*-cloud-amd64-unsigned'
ci/nightly --out "$OUT/n" --scenario "$OUT/pinned-load.ini" --repeats 4 --alpha 0.1 \
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
# ok runs: a run that failed (infrastructure) is run again and its result
# kept beside them.
ok_runs() { jq -s 'map(select(.status == "ok")) | length' "$1"/*/result.json; }
check "the suspected regression was run again, fresh: 4 repeats of each variant in confirm/" \
	test "$(ok_runs "$OUT/n/runs")" -eq 8 -a "$(ok_runs "$OUT/n/confirm")" -eq 8
check "the confirmation did not reuse the first runs: its own runs, all started after them" \
	bash -c "jq -ens --slurpfile a <(jq -s . '$OUT'/n/runs/*/result.json) --slurpfile b <(jq -s . '$OUT'/n/confirm/*/result.json) \
		'(\$a[0] | map(.run_id)) as \$x | (\$b[0] | map(.run_id)) as \$y |
		 ([\$y[] | select(. as \$i | \$x | index(\$i))] | length) == 0 and
		 (\$b[0] | map(.started) | min) > (\$a[0] | map(.started) | max)' > /dev/null"
check "it says the fresh runs confirmed the regression" grep -q 'fresh runs confirmed the regression' "$OUT/nightly.err"
check "Holm's correction was applied" \
	bash -c "jq -e '.correction == \"holm\" and ([.comparisons[] | .p_holm | numbers] | length) >= 2' '$OUT/n/verdict.json' > /dev/null"
check "JUnit written and valid" xmllint --noout --schema tests/compare/junit.xsd "$OUT/n/junit.xml"
check "JSON verdict: regression" bash -c "jq -e '.verdict == \"regression\"' '$OUT/n/verdict.json' > /dev/null"
check "the HTML report was written" grep -q 'pinned-load' "$OUT/n/report/index.html"
left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish nightly
