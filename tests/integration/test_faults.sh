#!/bin/bash
# Faults on real guests: QEMU killed mid-unplug, a hung QEMU, a full results
# disk, SIGINT/SIGTERM in the phases of a run (image and kernel builds
# included), and memhp killed with --jobs 2. Each case asserts the result file
# (status, reason, phase) and that no process of its own run is left.
#
# Other users of this machine run QEMU too: every process this script looks
# for or kills is found by its run's own directory on its command line (or
# as a child of the memhp it started), never by name alone.
set -u
cd "$(dirname "$0")/../.."
MEMHP=${MEMHP_BIN:-$PWD/harness/memhp}
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/faults
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
# MEMHP_FAULTS_ONLY="kill hang full signals image kernel jobs" picks cases.
want() { [ -z "${MEMHP_FAULTS_ONLY:-}" ] || [[ " $MEMHP_FAULTS_ONLY " == *" $1 "* ]]; }
# The process group $1 (a helper memhp started) is empty; a killed process
# may take a moment to be reaped.
group_gone() {
	local i
	[ -n "$1" ] || return 1
	for ((i = 0; i < 50; i++)); do
		pgrep -g "$1" > /dev/null || return 0
		sleep 0.1
	done
	pgrep -g "$1" -a >&2
	return 1
}
result_in() { find "$1" -name result.json 2>/dev/null | head -n 1; }
# The QEMU of the run in directory $1 (its serial log is there).
qemu_of() { pgrep -f "qemu-system.*$1/" | head -n 1; }
no_qemu_of() { ! pgrep -f "qemu-system.*$1/" > /dev/null; }
# Wait (at most $3 s) until the stderr file $2 has a line matching $1.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q "$1" "$2" 2>/dev/null && return 0
		kill -0 "$MEMHP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# Wait for memhp (at most 300 s: the run's own deadlines end it before).
wait_memhp() {
	local i
	for ((i = 0; i < 3000; i++)); do
		kill -0 "$MEMHP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MEMHP_PID" 2>/dev/null; then
		kill -KILL "$MEMHP_PID"
		wait "$MEMHP_PID"
		RC=hung
		return
	fi
	wait "$MEMHP_PID"
	RC=$?
}
start() { # name, scenario, memhp options...
	local name=$1 scenario=$2
	shift 2
	"$MEMHP" run -o "$OUT/$name" "$@" "$scenario" > "$OUT/$name.stdout" 2> "$OUT/$name.stderr" &
	MEMHP_PID=$!
}
# jq on the result of run $1: the expression $2 must hold.
result_has() {
	local r
	r=$(result_in "$OUT/$1")
	[ -n "$r" ] && jq -e "$2" "$r" > /dev/null
}
show_result() {
	local r
	r=$(result_in "$OUT/$1")
	if [ -n "$r" ]; then jq -c '{status, failed_phase, reason}' "$r"; else echo "no result"; fi
	tail -n 3 "$OUT/$1.stderr"
}

vmem=$OUT/vmem.ini
cat > "$vmem" <<'EOF'
[machine]
memory = 1G
[hotplug]
method = virtio-mem
total = 2G
[online]
policy = online_movable
[workload]
mix = anon:1
fill = 1G
duration = 10s
during_unplug = keep
EOF
dimm=$OUT/dimm.ini
cat > "$dimm" <<'EOF'
[machine]
memory = 1G
[hotplug]
method = dimm
total = 2G
dimm_size = 256M
[online]
policy = online_movable
[workload]
mix = anon:1
fill = 1G
duration = 10s
during_unplug = keep
EOF

if want kill; then
# --- QEMU killed mid-unplug, both methods
for m in vmem dimm; do
	start "kill-$m" "$OUT/$m.ini"
	if wait_line '^memhp: workload ' "$OUT/kill-$m.stderr" 600; then
		sleep 1
		q=$(qemu_of "$OUT/kill-$m")
		[ -n "$q" ] && kill -KILL "$q"
	fi
	wait_memhp
	check "$m: QEMU killed mid-unplug: memhp exits 1" test "$RC" = 1
	check "$m: QEMU killed mid-unplug: failed in unplug, the signal named" \
		result_has "kill-$m" '.status == "failed" and .failed_phase == "unplug" and
			(.reason | test("QEMU killed by signal 9"))'
	check "$m: QEMU killed mid-unplug: the phases before it keep their times" \
		result_has "kill-$m" '.phases_ms.workload > 0'
	check "$m: QEMU killed mid-unplug: no QEMU of the run left" no_qemu_of "$OUT/kill-$m"
	[ "$failed" -eq 0 ] || show_result "kill-$m"
done
fi

if want hang; then
# --- a hung guest (QEMU stopped): memhp fails within its deadlines
start hang "$vmem"
if wait_line '^memhp: online ' "$OUT/hang.stderr" 600; then
	q=$(qemu_of "$OUT/hang")
	[ -n "$q" ] && kill -STOP "$q"
fi
wait_memhp
check "hung QEMU: memhp ends by itself, exit 1" test "$RC" = 1
check "hung QEMU: failed, with a deadline as the reason" \
	result_has hang '.status == "failed" and (.reason | test("deadline|did not answer|timed out|no complete reply"))'
check "hung QEMU: no QEMU of the run left (a stopped one is killed)" no_qemu_of "$OUT/hang"
fi

if want full; then
# --- the results disk full: a 64 KiB tmpfs as -o
small=$OUT/small
mkdir -p "$small"
if mount -t tmpfs -o size=64k memhp-faults "$small" 2>/dev/null; then
	# Leave no space: the guest's console log alone is more than that.
	head -c 60k /dev/zero > "$small/filler" 2>/dev/null
	printf '[machine]\nmemory = 1G\n[hotplug]\nmethod = virtio-mem\ntotal = 512M\n' > "$OUT/vmem-quick.ini"
	"$MEMHP" run -o "$small/run" "$OUT/vmem-quick.ini" > "$OUT/full.stdout" 2> "$OUT/full.stderr"
	RC=$?
	check "full results disk: memhp exits non-zero" test "$RC" -ne 0
	check "full results disk: says so" grep -q 'No space left on device' "$OUT/full.stderr"
	check "full results disk: no half-written result" \
		bash -c "r=\$(find '$small' -name '*result.json*'); [ -z \"\$r\" ] || jq -e . \$r > /dev/null"
	kept=$(sed -n 's/.*the result was written to \(.*\) instead.*/\1/p' "$OUT/full.stderr")
	check "full results disk: the result is kept elsewhere, and says where" \
		bash -c "[ -n '$kept' ] && jq -e '.status == \"ok\" and .count.hotplugged == 4' '$kept' > /dev/null"
	[ -n "$kept" ] && rm -rf "$(dirname "$kept")"
	check "full results disk: no QEMU of the run left" no_qemu_of "$small/run"
	umount "$small"
else
	not_ok "full results disk" "cannot mount a tmpfs at $small"
fi
fi

# --- SIGINT and SIGTERM in the phases of a run
# After the line "memhp: P" (phase P done) the signal lands in the next phase.
phase_case() { # signal, the phase line to wait for, the phase expected
	local sig=$1 after=$2 want=$3 name="sig-$1-$3" code
	start "$name" "$vmem"
	if wait_line "^memhp: $after " "$OUT/$name.stderr" 600; then
		kill -"$sig" "$MEMHP_PID"
	fi
	q=$(qemu_of "$OUT/$name")
	wait_memhp
	code=$([ "$sig" = INT ] && echo 130 || echo 143)
	check "SIG$sig during $want: exit $code" test "$RC" = "$code"
	check "SIG$sig during $want: interrupted, and the phase named" \
		result_has "$name" ".status == \"interrupted\" and .failed_phase == \"$want\" and
			.reason == \"interrupted by SIG$sig during $want\""
	check "SIG$sig during $want: no QEMU of the run left" no_qemu_of "$OUT/$name"
	[ "$failed" -eq 0 ] || show_result "$name"
}
if want signals; then
phase_case INT accel boot
phase_case TERM online workload
phase_case INT workload unplug
phase_case TERM workload unplug
fi

if want image; then
# The image build: a fresh cache (the kernel package linked in, so that no
# download is needed) makes build-image really build.
cache=$OUT/cache
mkdir -p "$cache/debs"
for d in "${MEMHP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memhp}"/debs/*.deb; do
	[ -e "$d" ] && ln "$d" "$cache/debs/" 2>/dev/null || cp "$d" "$cache/debs/"
done
for sig in TERM INT; do
	name=image-$sig
	MEMHP_CACHE=$cache "$MEMHP" run -o "$OUT/$name" "$vmem" > "$OUT/$name.stdout" 2> "$OUT/$name.stderr" &
	MEMHP_PID=$!
	helper=
	for _ in $(seq 1 300); do
		helper=$(pgrep -P "$MEMHP_PID" -f build-image | head -n 1)
		[ -n "$helper" ] && break
		sleep 0.1
	done
	sleep 1
	kill -"$sig" "$MEMHP_PID"
	wait_memhp
	code=$([ "$sig" = INT ] && echo 130 || echo 143)
	check "SIG$sig during the image build: exit $code" test "$RC" = "$code"
	check "SIG$sig during the image build: the result names the image phase" \
		result_has "$name" ".status == \"interrupted\" and .failed_phase == \"image\" and
			.reason == \"interrupted by SIG$sig during image\""
	check "SIG$sig during the image build: the build and all it started are gone" \
		group_gone "$helper"
	check "SIG$sig during the image build: no image was half-made" \
		bash -c "! ls -d '$cache'/tmp.* 2>/dev/null && ! ls '$cache'/images/*/image.json 2>/dev/null"
	check "SIG$sig during the image build: no guest was started" no_qemu_of "$OUT/$name"
	[ "$failed" -eq 0 ] || show_result "$name"
done
fi

if want kernel; then
# The kernel build: a configuration fragment of its own makes a new kernel
# (minutes of compiling); the signal comes once the compile has started.
# (Named so that its build directory, linux-source-6.1+FRAGMENT, is its own:
# not that of memhp's fault kernel, whose fragment is faults.config.)
frag=$OUT/interrupted.config
echo "CONFIG_LOCALVERSION=\"-memhp-faults-$$-$RANDOM\"" > "$frag"
name=kernel-INT
start "$name" "$vmem" --variant "k=build:linux-source-6.1 config=$frag"
helper=
for _ in $(seq 1 600); do
	helper=$(pgrep -P "$MEMHP_PID" -f build-kernel | head -n 1)
	[ -n "$helper" ] && pgrep -g "$helper" -f 'make' > /dev/null && break
	sleep 0.1
done
sleep 2
kill -INT "$MEMHP_PID"
wait_memhp
check "SIGINT during the kernel build: exit 130" test "$RC" = 130
check "SIGINT during the kernel build: the result names the image phase" \
	result_has "$name" '.status == "interrupted" and .failed_phase == "image" and
		.reason == "interrupted by SIGINT during image"'
check "SIGINT during the kernel build: make and the compilers are gone" \
	group_gone "$helper"
[ "$failed" -eq 0 ] || show_result "$name"

# memhp kernel build on its own: SIGTERM reaches make and the compilers.
frag=$OUT/faults-kernel.config
echo "CONFIG_LOCALVERSION=\"-memhp-faults-k-$$-$RANDOM\"" > "$frag"
"$MEMHP" kernel build --tree linux-source-6.1 --config "$frag" > "$OUT/kbuild.stdout" 2> "$OUT/kbuild.stderr" &
MEMHP_PID=$!
helper=
for _ in $(seq 1 600); do
	helper=$(pgrep -P "$MEMHP_PID" -f build-kernel | head -n 1)
	[ -n "$helper" ] && pgrep -g "$helper" -f 'make' > /dev/null && break
	kill -0 "$MEMHP_PID" 2>/dev/null || break
	sleep 0.1
done
sleep 2
kill -TERM "$MEMHP_PID"
wait_memhp
check "SIGTERM of memhp kernel build: exit 143" test "$RC" = 143
check "SIGTERM of memhp kernel build: make and the compilers are gone" \
	group_gone "$helper"
fi

if want jobs; then
# --- memhp killed with --jobs 2: no QEMU outlives it
cat > "$OUT/matrix.ini" <<'INI'
[matrix]
scenario = vmem.ini
repeats = 2

[variant a]
kernel = deb:linux-image-6.1.*-cloud-amd64-unsigned
INI
"$MEMHP" run --matrix "$OUT/matrix.ini" --jobs 2 -o "$OUT/jobs" > "$OUT/jobs.stdout" 2> "$OUT/jobs.stderr" &
MEMHP_PID=$!
for _ in $(seq 1 1200); do
	[ "$(pgrep -f "qemu-system.*$OUT/jobs/" | wc -l)" -ge 2 ] && break
	kill -0 "$MEMHP_PID" 2>/dev/null || break
	sleep 0.1
done
before=$(pgrep -f "qemu-system.*$OUT/jobs/" | wc -l)
kill -KILL "$MEMHP_PID"
wait "$MEMHP_PID" 2>/dev/null
for _ in $(seq 1 300); do
	pgrep -f "qemu-system.*$OUT/jobs/" > /dev/null || break
	sleep 0.1
done
check "SIGKILL of memhp --jobs 2: two guests were running ($before)" test "$before" -eq 2
check "SIGKILL of memhp --jobs 2: no QEMU of its runs left" no_qemu_of "$OUT/jobs"
# The cells stop their guests and write their results, then exit.
cells_gone() {
	local i
	for ((i = 0; i < 300; i++)); do
		pgrep -f "[r]un --matrix $OUT/matrix.ini" > /dev/null || return 0
		sleep 0.1
	done
	return 1
}
check "SIGKILL of memhp --jobs 2: no cell process left" cells_gone
check "SIGKILL of memhp --jobs 2: each cell recorded itself as interrupted" \
	test "$(jq -s 'map(select(.status == "interrupted" and (.reason | test("SIGTERM")))) | length' \
		"$OUT"/jobs/*/result.json 2>/dev/null)" = 2
fi

# Nothing of these runs may remain.
check "no QEMU left from these tests" no_qemu_of "$OUT"
finish faults
