#!/bin/bash
# Kernels from source: Debian's linux-source-6.1 with memhp's configuration
# and the example series guest-image/patches/onlined-to-head. The first build
# compiles (minutes on 2 cores; cached afterwards, and made by
# tests/prebuild in make check), the same inputs compile
# nothing, a changed patch rebuilds incrementally, a patch that does not
# apply is named with its hunk and nothing boots, and the patched kernel
# boots, hot-plugs and says in its log that the patch is in.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/kernel
TREE=${MEMHP_TEST_KERNEL_TREE:-linux-source-6.1}
SERIES=guest-image/patches/onlined-to-head
PATCH=$SERIES/since-6.1/0001-mm-page_alloc-place-freshly-onlined-pages-at-the-head.patch
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

"$MEMHP" kernel build --tree "$TREE" --patches "$SERIES" > "$OUT/first.out" 2> "$OUT/first.err"
check "kernel build of $TREE with the series exits 0" test $? -eq 0
dir=$(cat "$OUT/first.out")
check "it leaves a bzImage and kernel.json" test -s "$dir/bzImage" -a -s "$dir/kernel.json"
check "kernel.json records the patch, its hash and the tree version" \
	bash -c "jq -e '.patches[0].name == \"$(basename "$PATCH")\" and (.patches[0].sha256 | length) == 64 and (.tree_version | startswith(\"6.1.\"))' '$dir/kernel.json' > /dev/null"

"$MEMHP" kernel build --tree "$TREE" --patches "$SERIES" > "$OUT/again.out" 2> "$OUT/again.err"
check "the same inputs give the same kernel" test "$(cat "$OUT/again.out")" = "$dir"
check "the same inputs compile nothing" \
	bash -c "grep -q 'nothing to compile' '$OUT/again.err' && ! grep -q compiling '$OUT/again.err'"

# A patch that no longer applies: a line it removes is not in the tree.
mkdir -p "$OUT/bad"
sed 's/^-\(.*\)FPI_TO_TAIL | FPI_SKIP_KASAN_POISON/-\1FPI_TO_TAIL/' "$PATCH" > "$OUT/bad/0001-stale.patch"
check "the stale patch differs from the good one" bash -c "! cmp -s '$PATCH' '$OUT/bad/0001-stale.patch'"
"$MEMHP" kernel build --tree "$TREE" --patches "$OUT/bad" > /dev/null 2> "$OUT/bad.err"
rc=$?
check "a patch that does not apply: exit 2" test "$rc" -eq 2
check "it is named, with its hunk" \
	bash -c "grep -q 'patch 0001-stale.patch does not apply' '$OUT/bad.err' && grep -qE 'Hunk #[0-9]+ FAILED' '$OUT/bad.err'"
"$MEMHP" run -o "$OUT/badrun" --variant "stale=build:$TREE+$OUT/bad" scenarios/quick-virtio-mem.ini \
	> /dev/null 2>&1
rc=$?
r=$(find "$OUT/badrun" -name result.json | head -n 1)
check "memhp run with it: exit 1, failed in the image phase" \
	bash -c "test $rc -eq 1 && jq -e '.status == \"failed\" and .failed_phase == \"image\"' '$r' > /dev/null"
check "the result names the patch, and no guest booted" \
	bash -c "jq -r .reason '$r' | grep -q '0001-stale.patch does not apply' && jq -e '.phases_ms.boot == null' '$r' > /dev/null"

# A changed patch: a new kernel, rebuilt incrementally in the same directory.
# (A new change each time, so that an earlier run's cache does not answer.)
mkdir -p "$OUT/changed"
sed "s/go to the head of the free lists/go to the head (change $(date +%s%N))/" "$PATCH" \
	> "$OUT/changed/0001-changed.patch"
"$MEMHP" kernel build --tree "$TREE" --patches "$OUT/changed" > "$OUT/changed.out" 2> "$OUT/changed.err"
check "a changed patch builds a new kernel" bash -c "test $? -eq 0 && test \"\$(cat '$OUT/changed.out')\" != '$dir'"
log=$(sed -n 's/.*(log: \(.*\))$/\1/p' "$OUT/changed.err")
ncc=$(grep -c '^  CC ' "$log" 2>/dev/null || echo 0)
echo "# incremental rebuild compiled $ncc files"
grep 'configuration differs' "$OUT/changed.err" | sed 's/^/# /'
# The build directory is the tree's own, which every build of it with
# memhp's configuration shares (the base and head kernels, bisect's
# prefixes): whatever built there last, a changed patch recompiles only the
# files it touches.
check "that rebuild was incremental (a handful of files, not the kernel)" \
	test "$ncc" -ge 1 -a "$ncc" -le 10

# The patched kernel as a variant: boots, hot-plugs, and its log shows the patch.
"$MEMHP" run -o "$OUT/run" -r 1 --variant "head=build:$TREE+$SERIES" scenarios/quick-virtio-mem.ini \
	> "$OUT/run.out" 2> "$OUT/run.err"
rc=$?
r=$(find "$OUT/run" -name result.json | head -n 1)
check "a build: variant runs: exit 0, 8 of 8 blocks removed" \
	bash -c "test $rc -eq 0 && jq -e '.status == \"ok\" and .count.removed == 8 and .count.hotplugged == 8' '$r' > /dev/null"
check "its guest log says the patch is in" \
	grep -q 'freshly onlined pages go to the head of the free lists' "$(dirname "$r")/serial.log"
check "its result carries the build's provenance" \
	bash -c "jq -e '.kernel.build.patches[0].name == \"$(basename "$PATCH")\" and .variant.source == \"build:$TREE+$SERIES\"' '$r' > /dev/null"
check "it reused the cached kernel" bash -c "! grep -q 'compiling' '$OUT/run.err'"

finish kernel
