#!/bin/bash
# A matrix [sweep] on real guests (docs/sweeps.md): online.policy =
# online_kernel, online_movable over a quick-dimm-sized scenario, one repeat,
# the default deb: kernel. Each cell runs the scenario with its value (the
# guest's blocks are in that zone), records the point and its resolved text,
# is named by it; --resume and --cell keep them; memhp report groups by the
# swept key; memhp compare pairs each point with itself; memhp rerun runs a
# point again from its result.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/sweep
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

cp scenarios/quick-dimm.ini "$OUT/sw-dimm.ini"
cat > "$OUT/m.ini" << 'INI'
[matrix]
repeats = 1
scenario = sw-dimm.ini

[variant cloud]
kernel = deb:linux-image-6.1.*-cloud-amd64-unsigned

[sweep]
online.policy = online_kernel, online_movable
INI

# A bad value is refused before anything runs, naming file, line, key, value.
sed 's/online_movable$/online_sideways/' "$OUT/m.ini" > "$OUT/bad.ini"
"$MEMHP" run --matrix "$OUT/bad.ini" -o "$OUT/bad" > /dev/null 2> "$OUT/bad.err"
rc=$?
check "a bad sweep value: exit 2, nothing run" bash -c "test $rc -eq 2 && test ! -e '$OUT/bad'"
check "the error names the matrix file, line, key and value" \
	grep -q "$OUT/bad.ini:9: \[sweep\] online.policy = 'online_sideways': policy: 'online_sideways' is not one of" "$OUT/bad.err"

"$MEMHP" plan --matrix "$OUT/m.ini" -o "$OUT/res" > "$OUT/plan.txt"
check "memhp plan: a command per point, by its cell index" \
	bash -c "test \$(wc -l < '$OUT/plan.txt') -eq 2 && grep -q -- '--matrix $OUT/m.ini --cell 0/2\$' '$OUT/plan.txt' && grep -q -- '--cell 1/2\$' '$OUT/plan.txt'"

"$MEMHP" run --matrix "$OUT/m.ini" --resume "$OUT/res" > "$OUT/run.out" 2> "$OUT/run.err"
rc=$?
check "memhp run --matrix with a sweep exits 0" test "$rc" -eq 0

for pol in online_kernel online_movable; do
	res=$(ls "$OUT"/res/sw-dimm,policy=$pol-cloud-*-r1/result.json 2> /dev/null | head -n 1)
	check "$pol: its own run directory, named by the point" test -n "$res"
	[ -n "$res" ] || continue
	cp "$res" "$OUT/$pol.json"
	check "$pol: ok, the point recorded (scenario.base, scenario.sweep)" quiet jq -e --arg p "$pol" \
		'.status == "ok" and .scenario.base == "sw-dimm" and .scenario.sweep == {"online.policy": $p} and
		 .scenario.name == "sw-dimm,policy=\($p)" and .scenario.policy == $p' "$res"
	check "$pol: the recorded text is the resolved scenario" quiet jq -e --arg p "$pol" \
		'.scenario.text | test("\\[online\\]\npolicy = \($p)\n") and test("; set by the matrix sweep below: policy = online_movable")' "$res"
	check "$pol: the guest booted with it" quiet jq -e --arg p "$pol" \
		'.kernel.cmdline | test("memhp_default_state=\($p)( |$)")' "$res"
done
# What the guest did with each value: its blocks, as the probe saw them.
check "online_kernel: all 8 hot-added blocks were onlined to Normal" quiet jq -e \
	'.count.hotplugged == 8 and ([.blocks[].zone] | length == 8 and all(. == "Normal"))' "$OUT/online_kernel.json"
check "online_movable: all 8 onlined to Movable, and all 8 removed" quiet jq -e \
	'.count.hotplugged == 8 and ([.blocks[].zone] | all(. == "Movable")) and .count.removed == 8' "$OUT/online_movable.json"
kern=$(jq -r .count.removed "$OUT/online_kernel.json" 2> /dev/null)
mov=$(jq -r .count.removed "$OUT/online_movable.json" 2> /dev/null)

# The same matrix again: both cells kept, by index too.
"$MEMHP" run --matrix "$OUT/m.ini" --resume "$OUT/res" > /dev/null 2> "$OUT/resume.err"
check "--resume keeps both points (nothing runs)" \
	bash -c "test \$(grep -c ': kept ' '$OUT/resume.err') -eq 2 && test \$(ls '$OUT/res' | wc -l) -eq 2"
"$MEMHP" run --matrix "$OUT/m.ini" --resume "$OUT/res" --cell 1/2 > /dev/null 2> "$OUT/cell.err"
check "--cell 1/2 is the online_movable point, kept" \
	grep -q "sw-dimm,policy=online_movable, variant cloud, repeat 1: kept" "$OUT/cell.err"

# The report groups by the swept key, with the measured counts.
NO_COLOR=1 "$MEMHP" report "$OUT/res" > "$OUT/report.txt" 2>&1
check "the report has the sweep of sw-dimm, 2 points" grep -q "^== sweep of sw-dimm: 2 points" "$OUT/report.txt"
check "a table by online.policy, a row per value: blocks removed, of 8, onlined Movable" bash -c "
	sed -n '/^by online.policy/,/^\$/p' '$OUT/report.txt' > '$OUT/by.txt'
	grep -Eq '^online_kernel +cloud +1/1 +$kern\\.0 +[0-9]+ +[0-9]+ +8 +0\\.0\$' '$OUT/by.txt' &&
	grep -Eq '^online_movable +cloud +1/1 +$mov\\.0 +[0-9]+ +[0-9]+ +8 +8\\.0\$' '$OUT/by.txt'"
"$MEMHP" report --format csv "$OUT/res" > "$OUT/report.csv"
check "CSV: base and sweep columns" /usr/bin/python3 -c '
import csv, sys
rows = sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: r["sweep"])
sys.exit(not (len(rows) == 2 and all(r["base"] == "sw-dimm" for r in rows) and
              [r["sweep"] for r in rows] == ["online.policy=online_kernel", "online.policy=online_movable"] and
              [r["removed"] for r in rows] == [sys.argv[2], sys.argv[3]]))' "$OUT/report.csv" "$kern" "$mov"
"$MEMHP" report -o "$OUT/html" "$OUT/res" > /dev/null 2>&1
check "HTML: a sweep section with its figure" bash -c \
	"grep -q 'id=\"sweep-0\"' '$OUT/html/index.html' && test -s '$OUT/html/figures/sweep-0-0.svg'"

# compare: like with like, each point against the same point.
"$MEMHP" compare --json "$OUT/compare.json" "$OUT/res" "$OUT/res" > /dev/null 2>&1
check "compare pairs each sweep point with itself" quiet jq -e \
	'[.comparisons[].scenario] | unique == ["sw-dimm,policy=online_kernel", "sw-dimm,policy=online_movable"]' "$OUT/compare.json"

# memhp rerun: the same point again, from its result alone.
"$MEMHP" rerun -o "$OUT/rerun" "$OUT/online_kernel.json" > /dev/null 2> "$OUT/rerun.err"
again=$(ls "$OUT"/rerun/sw-dimm,policy=online_kernel-cloud-rerun-*/result.json 2> /dev/null | head -n 1)
check "rerun of a point: the same text, and the point recorded again" bash -c "test -n '$again' &&
	jq -e -n --slurpfile a '$OUT/online_kernel.json' --slurpfile b '$again' '\$a[0].scenario as \$x |
		\$b[0].scenario as \$y | \$x.sha256 == \$y.sha256 and \$x.sweep == \$y.sweep and
		\$x.base == \$y.base and \$x.name == \$y.name and \$b[0].status == \"ok\"' > /dev/null"

left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish sweep
