#!/bin/bash
# memhp rerun on real guests: a run of a path: kernel is repeated from its
# result.json alone (scenario file deleted), the new result records its
# origin and measures the same; a kernel file that changed or is gone, and a
# result whose scenario text was edited, are refused with a clear message.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/rerun
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# A path: kernel of our own: linux-source-6.1 with memhp's configuration
# (cached by make demo-ab and the kernel test; everything built in).
kdir=$("$MEMHP" kernel build --tree linux-source-6.1 2> "$OUT/kernel.err" | tail -n 1)
cp "$kdir/bzImage" "$OUT/bzImage"
cp scenarios/quick-dimm.ini "$OUT/rr-dimm.ini"
"$MEMHP" run -o "$OUT/first" --variant "mine=path:$OUT/bzImage cmdline=quiet" \
	--repeats 1 "$OUT/rr-dimm.ini" > /dev/null 2> "$OUT/first.err"
check "the first run is ok" bash -c "jq -e '.status == \"ok\"' '$OUT'/first/*/result.json > /dev/null"
first=$(ls "$OUT"/first/*/result.json)
rm "$OUT/rr-dimm.ini" # the result has the text

"$MEMHP" rerun -o "$OUT/again" "$first" > "$OUT/again.out" 2> "$OUT/again.err"
rc=$?
again=$(ls "$OUT"/again/*/result.json 2> /dev/null)
check "rerun exits 0 and writes a result" bash -c "test $rc -eq 0 && test -n '$again'"
check "the same cell: scenario text, variant, cmdline, kernel, accel, backend, repeat" \
	bash -c "jq -e -n --slurpfile a '$first' --slurpfile b '$again' '\$a[0] as \$x | \$b[0] as \$y |
		\$x.scenario.sha256 == \$y.scenario.sha256 and \$x.scenario.name == \$y.scenario.name and
		\$x.variant == \$y.variant and \$x.kernel.image == \$y.kernel.image and
		\$x.vmm.accel == \$y.vmm.accel and \$x.vmm.backend == \$y.vmm.backend and
		\$x.repeat == \$y.repeat and (\$y.kernel.cmdline | test(\"quiet\"))' > /dev/null"
check "it measured the same: 8 of 8 blocks" bash -c "jq -e '.status == \"ok\" and .count.removed == 8' '$again' > /dev/null"
check "the new result records its origin" \
	bash -c "jq -e --arg f '$first' --arg id \"\$(jq -r .run_id '$first')\" '.origin.rerun_of == \$f and .origin.run_id == \$id' '$again' > /dev/null"
check "memhp show still reads it" quiet "$MEMHP" show "$again"

# The kernel file changed: refused, naming it, nothing run.
printf 'x' >> "$OUT/bzImage"
"$MEMHP" rerun -o "$OUT/changed" "$first" > /dev/null 2> "$OUT/changed.err"
rc=$?
check "a changed path: kernel is refused (exit 2)" test "$rc" -eq 2
check "the refusal names the kernel and says it changed" \
	grep -q "memhp rerun: refused: kernel path:$OUT/bzImage changed: it is now 'path [0-9a-f]*', the result ran 'path [0-9a-f]*'" "$OUT/changed.err"
check "nothing was run" test ! -e "$OUT/changed"

rm "$OUT/bzImage"
"$MEMHP" rerun -o "$OUT/gone" "$first" > /dev/null 2> "$OUT/gone.err"
rc=$?
check "a kernel that is gone is refused (exit 2), naming it" \
	bash -c "test $rc -eq 2 && grep -q \"refused: .*'$OUT/bzImage' not found\" '$OUT/gone.err'"

# A result whose scenario text no longer matches its sha256.
jq '.scenario.text |= sub("total = 1G"; "total = 2G")' "$first" > "$OUT/edited.json"
"$MEMHP" rerun -o "$OUT/edited" "$OUT/edited.json" > /dev/null 2> "$OUT/edited.err"
rc=$?
check "an edited scenario text is refused (exit 2)" \
	bash -c "test $rc -eq 2 && grep -q 'the scenario text does not match its recorded sha256' '$OUT/edited.err'"

left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish rerun
