#!/bin/bash
# memhp on a real Slurm cluster of one node: munged, slurmctld and slurmd
# started here with a private slurm.conf, munge key and sockets; a matrix
# run as a job array (memhp plan --slurm, sbatch --wait) on real guests; then
# an array where one task's QEMU is killed: its failure is recorded, and
# submitting the array again completes the set without re-running the rest.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
MEMHP=$ROOT/harness/memhp
OUT=${MEMHP_TEST_OUT:-$ROOT/build/integration}/slurm
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
	finish "slurm (cluster SKIPPED: $1)"
	exit
}

# 0. No cluster needed: help, plan's options and script, --cell's errors.
for c in run kernel plan show compare report; do
	"$MEMHP" help "$c" > "$OUT/help-$c.txt" 2>&1
	rc=$?
	"$MEMHP" "$c" --help > "$OUT/help2-$c.txt" 2>&1
	check "memhp help $c: exit 0, the same text as memhp $c --help" \
		test "$rc" -eq 0 -a -s "$OUT/help-$c.txt" -a "$(cat "$OUT/help-$c.txt")" = "$(cat "$OUT/help2-$c.txt")"
done
"$MEMHP" help nonsense > /dev/null 2> "$OUT/help-bad.err"
check "memhp help of no command: exit 2, listing the commands" \
	test $? -eq 2 -a "$(grep -c 'a command: .*compare.*report' "$OUT/help-bad.err")" -eq 1
"$MEMHP" plan --emit json --modules /m --accel tcg --qemu /q --backend qmp --ignore-budget \
	scenarios/quick-dimm.ini > "$OUT/plan.json"
check "memhp plan passes --modules, --accel, --qemu, --backend and --ignore-budget on" \
	quiet jq -e '.[0].index == 0 and (.[0].argv | index("--modules") and index("/m") and
		index("--accel") and index("tcg") and index("--qemu") and index("/q") and
		index("--backend") and index("--ignore-budget"))' "$OUT/plan.json"
"$MEMHP" plan --accel fast scenarios/quick-dimm.ini > /dev/null 2> "$OUT/plan-bad.err"
check "memhp plan --accel fast: exit 2" test $? -eq 2
"$MEMHP" plan --partition p scenarios/quick-dimm.ini > /dev/null 2> "$OUT/plan-bad.err"
check "memhp plan --partition without --slurm: exit 2" test $? -eq 2
"$MEMHP" plan --slurm "$OUT/bad" --partition 'a b' scenarios/quick-dimm.ini > /dev/null 2> "$OUT/plan-bad.err"
check "memhp plan --partition 'a b': exit 2, naming the value" \
	grep -q "partition 'a b'" "$OUT/plan-bad.err"
"$MEMHP" run --cell 2 scenarios/quick-dimm.ini > /dev/null 2> "$OUT/cell.err"
check "memhp run --cell 2 of a 1-cell matrix: exit 2, saying so" \
	test $? -eq 2 -a "$(grep -c 'has 1 cell (0 to 0)' "$OUT/cell.err")" -eq 1
"$MEMHP" run --cell 0/3 scenarios/quick-dimm.ini > /dev/null 2> "$OUT/cell.err"
check "memhp run --cell 0/3 when the matrix has 1 cell: exit 2, it changed" \
	test $? -eq 2 -a "$(grep -c 'has 1 cells now, not 3' "$OUT/cell.err")" -eq 1
if [ -n "${MEMHP_SAN:-}" ]; then
	san_check 0 plan --slurm "$OUT/san" --max-running 2 --constraint kvm \
		--variant 'a=deb:linux-image-6.1.*-cloud-amd64-unsigned cmdline="x y"' \
		--variant 'b=deb:linux-image-6.1.*-cloud-amd64-unsigned' scenarios/quick-dimm.ini
	san_check 0 plan --emit json --qemu /q --accel tcg scenarios/quick-dimm.ini
	san_check 2 run --cell 1/3 scenarios/quick-dimm.ini
	san_check 0 help compare
fi
# A script for paths that need quoting: the task reads them back as they are.
odd="$OUT/it's a \$dir"
mkdir -p "$odd"
cp scenarios/quick-dimm.ini "$odd/q d.ini"
"$MEMHP" plan --slurm "$odd/res" --max-running 3 --partition p1 --constraint 'kvm&x86' \
	--time 10:00 "$odd/q d.ini" > /dev/null
asks() { # the script has every line given
	local l
	for l in "$@"; do grep -qxF -- "$l" "$odd/res/memhp.sbatch" || return 1; done
}
check "the script asks for what it was given" asks '#SBATCH --array=0-0%3' \
	'#SBATCH --partition=p1' '#SBATCH --constraint=kvm&x86' '#SBATCH --time=10:00'
check "... and is a valid shell script" sh -n "$odd/res/memhp.sbatch"
(cd /; SLURM_ARRAY_JOB_ID=7 SLURM_ARRAY_TASK_ID=5 sh "$odd/res/memhp.sbatch")
check "the task's words come back whole: its matrix loads, cell 5 of 1 is refused" \
	test $? -eq 2 -a "$(grep -c 'has 1 cell (0 to 0)' "$odd/res/slurm/7_5.log")" -eq 1

for p in munged mungekey slurmctld slurmd sbatch sinfo scancel; do
	command -v "$p" > /dev/null || PATH=$PATH:/usr/sbin command -v "$p" > /dev/null ||
		skip "$p is not installed (ci/install-deps installs slurm-wlm and munge)"
done
PATH=$PATH:/usr/sbin

# Daemon state in a short private directory (socket paths have a length limit).
D=$(mktemp -d /tmp/memhp-slurm.XXXXXX) || exit 2
chmod 755 "$D"
started=()
cleanup() {
	local pid p
	# Jobs first (their tasks' processes are slurmd's to end), then any QEMU
	# still running from this test's results, then the daemons we started.
	[ -f "$D/slurm.conf" ] && SLURM_CONF=$D/slurm.conf scancel --quiet --full \
		--name=memhp 2> /dev/null
	for p in $(pgrep -f "qemu-system.*$OUT/" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
	for pid in "${started[@]+"${started[@]}"}"; do
		kill -TERM "$pid" 2> /dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2> /dev/null
	done
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Hltn "sport = :$p" 2> /dev/null | grep -q . || { echo "$p"; return; }
	done
}
# Wait for a daemon's pid file; its pid, or nothing.
daemon_pid() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && { cat "$1"; return; }
		sleep 0.1
	done
}
why() { tail -n 3 "$@" 2> /dev/null | grep -v '^==>' | tr '\n' ' '; }

# munge: a key of our own, munged on a private socket.
dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 status=none
chmod 600 "$D/munge.key"
if ! munged --force --key-file="$D/munge.key" --socket="$D/munge.sock" \
	--pid-file="$D/munged.pid" --log-file="$D/munged.log" --seed-file="$D/munge.seed" \
	2> "$D/munged.err"; then
	skip "munged cannot start: $(why "$D/munged.err" "$D/munged.log")"
fi
pid=$(daemon_pid "$D/munged.pid")
[ -n "$pid" ] || skip "munged did not start: $(why "$D/munged.err" "$D/munged.log")"
started+=("$pid")

host=$(hostname -s)
mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
cpus=$(nproc)
mkdir -p "$D/state" "$D/spool"
cat > "$D/slurm.conf" <<EOF
ClusterName=memhptest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge.sock
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=memhp Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$D/slurm.conf
if ! slurmctld -f "$SLURM_CONF" 2> "$D/slurmctld.err"; then
	skip "slurmctld cannot start: $(why "$D/slurmctld.err" "$D/slurmctld.log")"
fi
pid=$(daemon_pid "$D/slurmctld.pid")
[ -n "$pid" ] || skip "slurmctld did not start: $(why "$D/slurmctld.err" "$D/slurmctld.log")"
started+=("$pid")
if ! slurmd -f "$SLURM_CONF" 2> "$D/slurmd.err"; then
	skip "slurmd cannot start: $(why "$D/slurmd.err" "$D/slurmd.log")"
fi
pid=$(daemon_pid "$D/slurmd.pid")
[ -n "$pid" ] || skip "slurmd did not start: $(why "$D/slurmd.err" "$D/slurmd.log")"
started=("$pid" "${started[@]}")
state=
for _ in $(seq 1 300); do
	state=$(sinfo -h -N -o %T 2> /dev/null)
	[ "$state" = idle ] && break
	sleep 0.2
done
[ "$state" = idle ] ||
	skip "the node did not become idle (state '$state'): $(why "$D/slurmctld.log" "$D/slurmd.log")"
echo "# one-node cluster up: $host, $cpus CPUs, $mem MiB"

oks() { jq -s 'map(select(.status == "ok")) | length' "$1"/*/result.json 2> /dev/null || echo 0; }

# 1. A matrix of 4 cells (two scenarios, two repeats) as one job array.
R=$OUT/array
"$MEMHP" plan --slurm "$R" --repeats 2 scenarios/quick-dimm.ini scenarios/quick-virtio-mem.ini \
	> "$OUT/plan.out" 2> "$OUT/plan.err"
check "memhp plan --slurm writes the script" test $? -eq 0 -a -x "$R/memhp.sbatch"
check "... an array of 4 tasks, memory and CPUs from the scenarios" \
	grep -qx '#SBATCH --array=0-3' "$R/memhp.sbatch"
check "... --mem covers the host-memory budget (>= 1 GiB guest)" \
	bash -c "m=\$(sed -n 's/^#SBATCH --mem=\([0-9]*\)M$/\1/p' '$R/memhp.sbatch'); [ \"\$m\" -ge 1024 ]"
check "... --cpus-per-task is the scenarios' 2 CPUs" grep -qx '#SBATCH --cpus-per-task=2' "$R/memhp.sbatch"
sbatch --wait --quiet "$R/memhp.sbatch" > "$OUT/sbatch1.out" 2>&1
rc=$?
check "sbatch --wait: every task exited 0" test "$rc" -eq 0
check "4 results, all ok" test "$(oks "$R")" -eq 4 -a "$(ls "$R"/*/result.json | wc -l)" -eq 4
check "each cell ran once: 2 repeats of each scenario" \
	test "$(jq -rs 'map(.scenario.name + "/" + (.repeat | tostring)) | sort | join(" ")' \
		"$R"/*/result.json)" = "quick-dimm/1 quick-dimm/2 quick-virtio-mem/1 quick-virtio-mem/2"
check "the guests gave back every block" \
	quiet jq -se 'all(.count.hotplugged > 0 and .count.removed == .count.hotplugged)' "$R"/*/result.json
check "one log per task in slurm/" test "$(ls "$R"/slurm/*.log | wc -l)" -eq 4
"$MEMHP" report "$R" > "$OUT/report.txt" 2> "$OUT/report.err"
check "memhp report reads the array's results" test $? -eq 0
check "... and counts 4 ok runs in 2 scenarios" \
	grep -q '^4 runs (4 ok, 0 failed or interrupted) in 2 scenarios' "$OUT/report.txt"
sbatch --wait --quiet "$R/memhp.sbatch" > "$OUT/sbatch2.out" 2>&1
check "submitting the array again: exit 0" test $? -eq 0
check "... and nothing ran again" test "$(ls "$R"/*/result.json | wc -l)" -eq 4
check "... each task said it kept its cell, and only its own" \
	test "$(cat "$R"/slurm/*.log | grep -c ': kept ')" -eq 4

# 2. One task's QEMU killed: that cell fails with a result, the rerun completes it.
K=$OUT/kill
"$MEMHP" plan --slurm "$K" --repeats 1 scenarios/quick-dimm.ini scenarios/quick-virtio-mem.ini \
	> /dev/null 2> "$OUT/plan-kill.err"
sbatch --wait --quiet "$K/memhp.sbatch" > "$OUT/sbatch-kill.out" 2>&1 &
waiter=$!
victim=
for _ in $(seq 1 3000); do
	# Only a QEMU of this test's results directory, once its guest is up.
	for p in $(pgrep -f "qemu-system.*$K/" 2> /dev/null); do
		log=$(tr '\0' '\n' < "/proc/$p/cmdline" 2> /dev/null | grep -o "$K/[^,]*/serial.log" | head -n 1)
		if [ -n "$log" ] && grep -q 'Linux version' "$log" 2> /dev/null; then
			victim=$p
			victim_dir=$(dirname "$log")
			break
		fi
	done
	[ -n "$victim" ] && break
	kill -0 "$waiter" 2> /dev/null || break
	sleep 0.2
done
if [ -n "$victim" ]; then
	kill -KILL "$victim"
	wait "$waiter"
	rc=$?
	check "the array with a killed QEMU: sbatch --wait reports the failed task" test "$rc" -ne 0
	check "the killed cell's result says failed, QEMU killed by signal 9" \
		quiet jq -e '.status == "failed" and (.reason | test("QEMU killed by signal 9"))' \
		"$victim_dir/result.json"
	check "the other cell ran ok" test "$(oks "$K")" -eq 1
	sbatch --wait --quiet "$K/memhp.sbatch" > "$OUT/sbatch-rerun.out" 2>&1
	check "the array submitted again: exit 0" test $? -eq 0
	check "... now both cells have an ok result" test "$(oks "$K")" -eq 2
	check "... one new run: the failed attempt's result is kept beside it" \
		test "$(ls "$K"/*/result.json | wc -l)" -eq 3 -a -f "$victim_dir/result.json"
	"$MEMHP" report "$K" > "$OUT/report-kill.txt" 2> "$OUT/report-kill.err"
	check "memhp report reads the set with the failed attempt" test $? -eq 0
	check "... counting it as failed" \
		grep -q '^3 runs (2 ok, 1 failed or interrupted)' "$OUT/report-kill.txt"
else
	wait "$waiter"
	not_ok "a task's QEMU to kill" "no QEMU under $K found; sbatch:" "$(cat "$OUT/sbatch-kill.out")"
fi

# 3. ci/nightly --slurm: the matrix through Slurm, compared as usual.
KERNEL='deb:linux-image-6.1.*-cloud-amd64-unsigned'
N=$OUT/nightly
ci/nightly --slurm --out "$N" --baseline-variant "base=$KERNEL" --variant "next=$KERNEL" \
	--scenario scenarios/quick-dimm.ini --repeats 2 --min-repeats 2 \
	> "$OUT/nightly.out" 2> "$OUT/nightly.err"
rc=$?
# 2 runs a side decide nothing (undecided, exit 3); never a regression.
check "ci/nightly --slurm: the same kernel twice is no regression (exit 0 or 3)" \
	bash -c "test $rc -eq 0 || test $rc -eq 3"
check "... its 4 runs came from one job array" \
	test "$(oks "$N/runs")" -eq 4 -a "$(ls "$N"/runs/slurm/*.log | wc -l)" -eq 4
check "... and it wrote the verdict and the report" \
	test -s "$N/verdict.json" -a -s "$N/report/index.html"

# 4. Nothing of ours left running.
left=$(pgrep -f "qemu-system.*$OUT/")
check "no QEMU from this test is left" test -z "$left"
finish slurm
