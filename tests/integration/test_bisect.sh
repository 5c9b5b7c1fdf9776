#!/bin/bash
# memhp bisect on real guests: linux-source-6.1 with a 3-patch series made
# here, two harmless patches (a comment each, cheap to recompile) around the
# project's onlined-to-head patch, which makes the DIMMs of a small
# ZONE_NORMAL scenario stay. bisect must confirm the whole series is a
# regression, find patch 2 and confirm it; bisect.json and the per-step
# result files must say so, down to the blocks in the guest and the patch's
# line in the guest's boot log. Kernels are built through memhp kernel build
# (the base is cached; the prefixes rebuild incrementally in one build
# directory the first time, and are cached after that: the patches made here
# are the same bytes every time). Then: running it again keeps every run, and bad input is
# refused.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/bisect
TREE=${MEMHP_TEST_KERNEL_TREE:-linux-source-6.1}
HEAD_PATCH=guest-image/patches/onlined-to-head/since-6.1/0001-mm-page_alloc-place-freshly-onlined-pages-at-the-head.patch
rm -rf "$OUT"
mkdir -p "$OUT/series"
# shellcheck source=../lib.sh
. tests/lib.sh

# The tree's source, to write the harmless patches against: where
# build-kernel unpacked it (kernel.json's tree).
kdir=$("$MEMHP" kernel build --tree "$TREE" 2> "$OUT/base-build.err")
check "the base kernel builds (or is cached)" test -s "$kdir/kernel.json"
src=$(jq -r .tree "$kdir/kernel.json")

# harmless N FILE SUBJECT: a patch that adds a comment at the top of FILE.
harmless() {
	local n=$1 file=$2 subject=$3 tmp
	tmp=$(mktemp -d "$OUT/patch.XXXXXX")
	mkdir -p "$tmp/a/$(dirname "$file")" "$tmp/b/$(dirname "$file")"
	cp "$src/$file" "$tmp/a/$file"
	{ echo "/* memhp bisect test: patch $n changes nothing but this comment. */"; cat "$src/$file"; } \
		> "$tmp/b/$file"
	{
		printf 'From: memhp test <test@localhost>\nSubject: [PATCH %s/3] %s\n\n' "$n" "$subject"
		printf 'A comment, for memhp bisect'"'"'s test.\n---\n'
		# Labels without times: the same bytes every time, so the
		# prefixes' kernels are cached after the first run.
		(cd "$tmp" && diff -u --label "a/$file" --label "b/$file" "a/$file" "b/$file")
	} > "$OUT/series/000$n-$(echo "$subject" | tr -c 'a-z0-9\n' '-').patch"
	rm -rf "$tmp"
}
harmless 1 lib/ctype.c "lib: a harmless comment in ctype"
cp "$HEAD_PATCH" "$OUT/series/0002-$(basename "$HEAD_PATCH" | sed 's/^0001-//')"
harmless 3 lib/cmdline.c "lib: a harmless comment in cmdline"
culprit=$(basename "$(ls "$OUT"/series/0002-*)")
check "the series: 3 patches, the middle one onlined-to-head" \
	bash -c "test \$(ls '$OUT/series' | wc -l) -eq 3 && cmp -s '$HEAD_PATCH' '$OUT/series/$culprit'"

# A smaller make demo-ab (scenarios/ab-onlined-to-head.ini): boot memory in
# ZONE_NORMAL next to four DIMMs onlined there, page tables and dentries kept
# through the unplug. Tail placement (base, patches 1 and 3): every DIMM
# comes out; head placement (patch 2): they stay.
cat > "$OUT/onlined.ini" << 'EOF'
[machine]
memory = 5G
[hotplug]
method = dimm
total = 1G
dimm_size = 256M
[online]
policy = online_kernel
[workload]
mix = pgtable:60 dentries:40
fill = 300M
duration = 1s
during_unplug = keep
[unplug]
retries = 1
deadline = 60s
EOF

start=$(date +%s)
"$MEMHP" bisect --tree "$TREE" --series "$OUT/series" -o "$OUT/b" --max-repeats 6 \
	"$OUT/onlined.ini" > "$OUT/bisect.out" 2> "$OUT/bisect.err"
rc=$?
echo "# bisect took $(($(date +%s) - start)) s"
j=$OUT/b/bisect.json
check "bisect exits 0: culprit found and confirmed" test "$rc" -eq 0
check "bisect.json: found, patch 2 ($culprit) with its Subject" \
	jq -e --arg n "$culprit" '.status == "found" and .culprit.k == 2 and .culprit.name == $n and
		(.culprit.subject | startswith("mm/page_alloc: place freshly onlined pages at the head"))' "$j" > /dev/null
check "bisect.json: the whole series first (bad), then k=1 (good), then k=2 (bad)" \
	jq -e '[.steps[] | select(.round == 0) | "\(.k):\(.verdict)"] == ["3:bad", "1:good", "2:bad"]' "$j" > /dev/null
check "bisect.json: each step has its runs, p and how sure it was; the whole series its interval" \
	jq -e 'all(.steps[]; .candidate_runs >= 4 and .baseline_runs >= 4 and (.p | type) == "number" and
		(.p_bad | type) == "number") and (.steps[0].difference.ci_low | type) == "number"' "$j" > /dev/null
check "bisect.json: k=1 like the baseline, k=2 like the series, each sure to 1 %" \
	jq -e '[.steps[] | select(.round == 0 and .k < 3)] | (.[0].judgement.test == "sprt" and
		.[0].p_bad < 0.01 and .[1].p_bad > 0.99)' "$j" > /dev/null
check "stdout names the first bad patch and its Subject" \
	bash -c "grep -A2 '^memhp bisect: the first bad patch is' '$OUT/bisect.out' | grep -q '2/3 $culprit' &&
		 grep -q 'place freshly onlined pages at the head of the free lists' '$OUT/bisect.out'"
check "stdout: a line of evidence per step, the runs' summaries on stderr" \
	bash -c "test \$(grep -c '^step k=' '$OUT/bisect.out') -eq 3 && ! grep -q '^run ' '$OUT/bisect.out' &&
		 grep -q '^run .*: ok' '$OUT/bisect.err'"

# The result files, as memhp report and memhp compare read them.
ok_runs() { jq -s 'map(select(.status == "ok"))' "$1"/*/result.json; }
export -f ok_runs
s1=$(ls -d "$OUT"/b/step-1-*) s2=$(ls -d "$OUT"/b/step-2-*) s3=$(ls -d "$OUT"/b/step-3-*)
check "baseline: every ok run removed all 8 blocks in the guest, on the unpatched kernel" \
	bash -c "ok_runs '$OUT/b/baseline' | jq -e 'length >= 3 and all(.[]; .count.hotplugged == 8 and
			.count.removed == 8 and (.kernel.build.patches | length) == 0)' > /dev/null"
check "step 1 (harmless): every block removed, kernel with patch 1 only" \
	bash -c "ok_runs '$s1' | jq -e 'length >= 3 and all(.[]; .count.removed == 8 and
			.variant.name == \"k1\" and (.kernel.build.patches | map(.name)) == [\"$(basename "$(ls "$OUT"/series/0001-*)")\"])' > /dev/null"
check "step 2 (the culprit): blocks stayed in the guest, kernel with patches 1 and 2" \
	bash -c "ok_runs '$s2' | jq -e 'length >= 3 and all(.[]; .count.removed < 8 and
			.count.hotplugged == 8 and (.kernel.build.patches | length) == 2 and
			.kernel.build.patches[1].name == \"$culprit\")' > /dev/null"
check "step 3 (whole series): blocks stayed too" \
	bash -c "ok_runs '$s3' | jq -e 'length >= 3 and all(.[]; .count.removed < 8 and
			(.kernel.build.patches | length) == 3)' > /dev/null"
check "the guest's boot log says the patch is in at step 2, not at step 1" \
	bash -c "grep -l 'freshly onlined pages go to the head' '$s2'/*/serial.log > /dev/null &&
		 ! grep -l 'freshly onlined pages go to the head' '$s1'/*/serial.log > /dev/null"
"$MEMHP" compare "$OUT/b/baseline" "$s2" > "$OUT/compare2.out"
check "memhp compare baseline step-2: a regression (exit 1)" test $? -eq 1
"$MEMHP" compare --json "$OUT/compare1.json" "$OUT/b/baseline" "$s1" > "$OUT/compare1.out"
# 8 of 8 every run on both: no regression in the blocks, and identical runs
# prove no equality either (undecided). The unplug time is left out: a
# harmless patch's 0.2 s against 0.5 s on a machine busy with another test
# was called a regression, and is one of time, not of what came out.
check "memhp compare baseline step-1: no regression in blocks or MiB (undecided)" \
	jq -e '[.comparisons[] | select(.metric != "unplug_s") | .verdict] | length == 2 and all(. == "undecided")' \
	"$OUT/compare1.json"
"$MEMHP" report "$OUT/b" > "$OUT/report.out"
check "memhp report reads every step: base, k1, k2, k3" \
	bash -c "test $? -eq 0 && grep -qw base '$OUT/report.out' && grep -qw k1 '$OUT/report.out' && grep -qw k2 '$OUT/report.out' && grep -qw k3 '$OUT/report.out'"

# Again: every run is kept, nothing new runs, the same culprit.
n_before=$(find "$OUT/b" -name result.json | wc -l)
"$MEMHP" bisect --tree "$TREE" --series "$OUT/series" -o "$OUT/b" --max-repeats 6 \
	"$OUT/onlined.ini" > "$OUT/again.out" 2> "$OUT/again.err"
rc=$?
check "again: exit 0, the same culprit, no new run" \
	bash -c "test $rc -eq 0 && jq -e '.culprit.k == 2' '$j' > /dev/null &&
		 test \$(find '$OUT/b' -name result.json | wc -l) -eq $n_before && grep -q ': kept ' '$OUT/again.err'"

# Bad input: exit 2, said, nothing run.
mkdir -p "$OUT/empty"
"$MEMHP" bisect --tree "$TREE" --series "$OUT/empty" -o "$OUT/bad" "$OUT/onlined.ini" > /dev/null 2> "$OUT/bad.err"
check "a series without patches: exit 2, said" \
	bash -c "test $? -eq 2 && grep -q 'no \*.patch or \*.diff' '$OUT/bad.err'"
"$MEMHP" bisect --tree "$TREE" --range v6.0..v6.1 -o "$OUT/bad" "$OUT/onlined.ini" > /dev/null 2> "$OUT/bad.err"
check "--range on a tree that is no git checkout: exit 2, said" \
	bash -c "test $? -eq 2 && grep -q 'needs --tree to be a git checkout' '$OUT/bad.err'"
# --range: git format-patch of a checkout whose HEAD is the range's start.
if command -v git > /dev/null; then
	g=$OUT/git
	mkdir -p "$g"
	git -C "$g" init -q && echo a > "$g/f" && git -C "$g" add f &&
		git -C "$g" -c user.name=t -c user.email=t@t commit -qm base && git -C "$g" tag base &&
		echo b >> "$g/f" && git -C "$g" -c user.name=t -c user.email=t@t commit -qam "one: a change" &&
		git -C "$g" tag tip
	"$MEMHP" bisect --tree "$g" --range base..tip -o "$OUT/range" "$OUT/onlined.ini" > /dev/null 2> "$OUT/range.err"
	check "--range with HEAD not at its start: exit 2, said" \
		bash -c "test $? -eq 2 && grep -q 'check out base first' '$OUT/range.err'"
	git -C "$g" checkout -q base
	"$MEMHP" bisect --tree "$g" --range base..tip -o "$OUT/range" "$OUT/onlined.ini" > /dev/null 2> "$OUT/range.err"
	check "--range: the series made with git format-patch, then no kernel from a tree that is none: exit 2" \
		bash -c "test $? -eq 2 && test -f '$OUT/range/series/range/0001-one-a-change.patch' &&
			 jq -e '.status == \"error\" and .inputs.patches[0].subject == \"one: a change\"' '$OUT/range/bisect.json' > /dev/null"
fi
mkdir -p "$OUT/other"
cp "$OUT"/series/0001-* "$OUT"/series/0002-* "$OUT/other/"
"$MEMHP" bisect --tree "$TREE" --series "$OUT/other" -o "$OUT/b" "$OUT/onlined.ini" > /dev/null 2> "$OUT/bad.err"
check "another series into the same output: exit 2, naming bisect.json" \
	bash -c "test $? -eq 2 && grep -q 'bisect.json is a bisect of another series' '$OUT/bad.err'"
if [ -n "${MEMHP_SAN:-}" ]; then
	san_check 0 bisect --tree "$TREE" --series "$OUT/series" -o "$OUT/b" --max-repeats 6 "$OUT/onlined.ini"
	san_check 2 bisect --tree "$TREE" --series "$OUT/other" -o "$OUT/b" "$OUT/onlined.ini"
	san_check 0 help bisect
fi
"$MEMHP" bisect --tree "$TREE" --series "$OUT/series" --confirm 0 "$OUT/onlined.ini" > /dev/null 2> "$OUT/bad.err"
check "--confirm 0: exit 2, naming it" bash -c "test $? -eq 2 && grep -q \"'0'\" '$OUT/bad.err'"

left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running" test -z "$left"

finish bisect
