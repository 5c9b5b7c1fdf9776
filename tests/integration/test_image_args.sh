#!/bin/bash
# Every way memhp makes a memhp run carries --image (the run request,
# harness/run_request.c): memhp plan's commands and JSON, plan --slurm's
# script, memhp ab's pairs, memhp rerun of a recorded cell, ci/nightly;
# memhp bisect takes it. The disk is a path: that does not exist, so each run
# ends in its image phase (a few seconds, no guest) with the spec in its
# result.json.
# Needs the default kernel (cached: deb:linux-image-6.1.*-cloud-amd64-unsigned).
set -u
cd "$(dirname "$0")/../.." || exit 2
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/image-args
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

disk="path:$OUT/no such disk.qcow2"
sc=scenarios/quick-dimm.ini
# The image spec of every result.json below $1, one a line.
specs() { find "$1" -name result.json -exec jq -r '.image.spec' {} + | sort -u; }

# --- memhp plan: commands, JSON, and a command run as printed
"$MEMHP" plan --image "$disk" -a tcg "$sc" > "$OUT/plan.txt" 2> "$OUT/plan.err"
check "plan exits 0 with --image" test $? -eq 0
check "plan's command carries --image" grep -qF -- "--image 'path:$OUT/no such disk.qcow2'" "$OUT/plan.txt"
"$MEMHP" plan -o "$OUT/plan-runs" --image "$disk" --emit json "$sc" > "$OUT/plan.json"
mapfile -t cmd < <(jq -r '.[0].argv[]' "$OUT/plan.json")
"${cmd[@]}" > /dev/null 2> "$OUT/plan-run.err"
check "plan's JSON command runs with the disk (its result records it)" \
	test "$(specs "$OUT/plan-runs")" = "$disk"

# --- memhp plan --slurm: the task's memhp run
"$MEMHP" plan --slurm "$OUT/slurm" --image "$disk" "$sc" > /dev/null 2> "$OUT/slurm.err"
check "plan --slurm's script carries --image" \
	grep -qF -- "--image 'path:$OUT/no such disk.qcow2'" "$OUT/slurm/memhp.sbatch"

# --- memhp ab: both sides' runs
"$MEMHP" ab -o "$OUT/ab" --image "$disk" --max-repeats 4 \
	-A "a=deb:linux-image-6.1.*-cloud-amd64-unsigned" \
	-B "b=deb:linux-image-6.1.*-cloud-amd64-unsigned cmdline=quiet" "$sc" \
	> "$OUT/ab.out" 2> "$OUT/ab.err"
check "ab takes --image (undecided, exit 3: every run failed on the missing disk)" test $? -eq 3
check "ab's runs, both variants, ran with the disk" \
	bash -c "test \"\$(find '$OUT/ab' -name result.json -exec jq -r '.variant.name + \" \" + .image.spec' {} + | sort -u)\" = \"a $disk
b $disk\""

# --- memhp rerun: the recorded root, not the initramfs
first=$(find "$OUT/plan-runs" -name result.json | head -n 1)
# The run ended before the accelerator was chosen: record one, as a run that
# got further would have.
jq '.vmm.accel = "tcg"' "$first" > "$OUT/recorded.json"
"$MEMHP" rerun -o "$OUT/rerun" "$OUT/recorded.json" > /dev/null 2> "$OUT/rerun.err"
check "rerun runs the recorded disk again" test "$(specs "$OUT/rerun")" = "$disk"

# --- ci/nightly: what memhp plan passes on, it passes on
MEMHP=$MEMHP ci/nightly --out "$OUT/nightly" --repeats 1 --image "$disk" --scenario "$sc" \
	--baseline-variant "a=deb:linux-image-6.1.*-cloud-amd64-unsigned" \
	--variant "b=deb:linux-image-6.1.*-cloud-amd64-unsigned cmdline=quiet" \
	> "$OUT/nightly.out" 2> "$OUT/nightly.err"
check "ci/nightly's runs ran with the disk" test "$(specs "$OUT/nightly/runs")" = "$disk"

# --- memhp bisect: takes --image and checks it before anything is built
"$MEMHP" bisect --image floppy --tree "$OUT" --series "$OUT" "$sc" > /dev/null 2> "$OUT/bisect.err"
check "bisect checks --image as memhp run does" \
	grep -qF "memhp bisect: --image 'floppy' is not initramfs, debian or path:DISK" "$OUT/bisect.err"

finish image-args
