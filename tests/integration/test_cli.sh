#!/bin/bash
# memhp as a user runs it: exit codes, results that survive a dead QEMU or a
# Ctrl-C, and no emulator left behind. Real guests, real QEMU.
set -u
cd "$(dirname "$0")/../.."
MEMHP=$PWD/harness/memhp
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/cli
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh
jqr() { jq -r "$1" "$2"; }
# The one result file below a results directory.
result_in() { find "$1" -name result.json | head -n 1; }

# Start memhp in the background; wait until its stderr says a phase is done.
start_and_wait_for() { # phase, outdir, scenario
	local phase=$1 out=$2 scenario=$3
	"$MEMHP" run -o "$out" "$scenario" > "$out.stdout" 2> "$out.stderr" &
	MEMHP_PID=$!
	for _ in $(seq 1 1200); do
		grep -q "^memhp: $phase " "$out.stderr" 2>/dev/null && break
		kill -0 "$MEMHP_PID" 2>/dev/null || break
		sleep 0.1
	done
	QEMU_PID=$(pgrep -P "$MEMHP_PID" -f qemu-system | head -n 1)
}

scenario=$OUT/two-gib.ini
cat > "$scenario" <<'EOF'
[machine]
memory = 1G
[hotplug]
method = virtio-mem
total = 2G
[online]
policy = online_movable
EOF

# --- configuration errors: exit 2, a message with file:line, nothing started
bad=$OUT/bad.ini
printf '[machine]\nmemory = 1G\n\n[hotplug]\ntotal = 12Q\n' > "$bad"
"$MEMHP" run -o "$OUT/bad" "$bad" > /dev/null 2> "$OUT/bad.err"
rc=$?
check "bad scenario exits 2" test "$rc" -eq 2
check "bad scenario names file, line and value" \
	grep -qF "$bad:5: [hotplug] total: '12Q' is not a size" "$OUT/bad.err"
check "bad scenario starts nothing" test ! -e "$OUT/bad"
big=$OUT/big.ini
printf '[machine]\nmemory = 4G\n[hotplug]\ntotal = 56G\n[workload]\nmix = anon:1\nfill = 90%%\n' > "$big"
"$MEMHP" run -o "$OUT/big" "$big" > /dev/null 2> "$OUT/big.err"
rc=$?
check "a scenario over the host's memory budget exits 2" test "$rc" -eq 2
check "the budget refusal names the keys to change" grep -q 'lower \[workload\] fill or \[machine\] memory' "$OUT/big.err"
check "the budget refusal starts no guest" test ! -e "$OUT/big"
"$MEMHP" run --accel warp "$scenario" > /dev/null 2>&1
check "bad --accel exits 2" test $? -eq 2
"$MEMHP" frobnicate > /dev/null 2>&1
check "unknown command exits 2" test $? -eq 2
echo '{"schema": "other"}' > "$OUT/notresult.json"
"$MEMHP" show "$OUT/notresult.json" > /dev/null 2> "$OUT/show.err"
check "show of a foreign file exits 2 and names it" \
	bash -c "test $? -eq 2 && grep -q 'notresult.json: not a memhp-result file' '$OUT/show.err'"
"$MEMHP" run --help | grep -q -- '--kernel SPEC'
check "run --help documents --kernel" test $? -eq 0
"$MEMHP" help scenario | grep -q 'block_size'
check "help scenario lists the keys" test $? -eq 0

# --- the guest image cache: same inputs reuse it, a changed input rebuilds
spec='deb:linux-image-6.1.*-cloud-amd64-unsigned'
first=$(guest-image/build-image --probe guest-image/probe/memhp-probe "$spec" 2>/dev/null)
again=$(guest-image/build-image --probe guest-image/probe/memhp-probe "$spec" 2> "$OUT/cache.err")
check "image cache: the same inputs give the same image" test -n "$first" -a "$first" = "$again"
check "image cache: the second call builds nothing" bash -c "! grep -q 'building image' '$OUT/cache.err'"
cp guest-image/probe/memhp-probe "$OUT/probe-changed"
printf 'x' >> "$OUT/probe-changed"
changed=$(guest-image/build-image --probe "$OUT/probe-changed" "$spec" 2>/dev/null)
check "image cache: a changed probe gives a new image" test -n "$changed" -a "$changed" != "$first"
rm -rf "$changed"

# --- a whole run through the CLI
"$MEMHP" run -o "$OUT/ok" "$scenario" > "$OUT/ok.stdout" 2> "$OUT/ok.stderr"
rc=$?
r=$(result_in "$OUT/ok")
check "a clean run exits 0" test "$rc" -eq 0
check "its result says ok with 16 of 16 blocks removed" \
	test "$(jqr '[.status, .count.hotplugged, .count.removed] | join(" ")' "$r")" = "ok 16 16"
check "its result records the accelerator and why" \
	bash -c "jq -e '.vmm.accel == \"tcg\" or .vmm.accel == \"kvm\"' '$r' >/dev/null && \
		 jq -e '.vmm.accel_reason | length > 0' '$r' >/dev/null"
check "the serial console is kept beside it" grep -q 'memhp-init: starting qemu-ga' "$(dirname "$r")/serial.log"
check "the summary names the count" grep -q 'blocks   16 of 16 hot-added blocks of 128 MiB removed' "$OUT/ok.stdout"
"$MEMHP" show --blocks "$r" > "$OUT/show.out"
check "show --blocks lists the removed range" grep -q 'removed' "$OUT/show.out"

# --- two named variants, interleaved, then a report over them
"$MEMHP" run -o "$OUT/variants" -r 1 --variant first='deb:linux-image-6.1.*-cloud-amd64-unsigned' \
	--variant second='deb:linux-image-6.1.*-cloud-amd64-unsigned' "$scenario" \
	> "$OUT/variants.stdout" 2> "$OUT/variants.stderr"
check "run with two --variant exits 0" test $? -eq 0
order=$(jq -rs 'sort_by(.started, .run_id) | map(.variant.name + ":" + .status) | join(" ")' \
	"$OUT"/variants/*/result.json)
check "each variant ran once, in the order given, and is named in its result" \
	test "$order" = "first:ok second:ok"
"$MEMHP" report "$OUT/variants" > "$OUT/variants.report"
check "report over them has a row per variant, the second compared with the first" \
	bash -c "grep -q '^first .* baseline' '$OUT/variants.report' && grep -q '^second .*+0.0 (+0.0%)' '$OUT/variants.report'"
"$MEMHP" run --variant 'bad name=deb:x' "$scenario" > /dev/null 2> "$OUT/badvariant.err"
rc=$?
check "a bad --variant exits 2" test "$rc" -eq 2
check "a bad --variant is named" grep -q "'bad name=deb:x' is not NAME=SPEC" "$OUT/badvariant.err"

# --- a matrix file: 2 scenarios x 2 variants, two cells at a time
cat > "$OUT/small-dimm.ini" <<'INI'
[machine]
memory = 1G
[hotplug]
method = dimm
total = 512M
dimm_size = 256M
INI
cat > "$OUT/matrix.ini" <<'INI'
[matrix]
scenario = two-gib.ini
scenario = small-dimm.ini
repeats = 1

[variant a]
kernel = deb:linux-image-6.1.*-cloud-amd64-unsigned

[variant b]
kernel = deb:linux-image-6.1.*-cloud-amd64-unsigned
cmdline = memhp_test_variant=b
INI
"$MEMHP" run --matrix "$OUT/matrix.ini" --jobs 2 -o "$OUT/matrix" > "$OUT/matrix.stdout" 2> "$OUT/matrix.stderr"
check "run --matrix --jobs 2 exits 0" test $? -eq 0
cells=$(jq -rs 'map(.scenario.name + "/" + .variant.name + ":" + .status) | sort | join(" ")' \
	"$OUT"/matrix/*/result.json)
check "every cell of the matrix has its own ok result" \
	test "$cells" = "small-dimm/a:ok small-dimm/b:ok two-gib/a:ok two-gib/b:ok"
check "a variant's cmdline reaches its guest, and only its" \
	bash -c "test \$(grep -l 'memhp_test_variant=b' '$OUT'/matrix/*-b-*/serial.log | wc -l) -eq 2 &&
		 ! grep -q 'memhp_test_variant' '$OUT'/matrix/*-a-*/serial.log"
check "a summary per cell" test "$(grep -c '^run  ' "$OUT/matrix.stdout")" -eq 4
check "with --jobs 2 two guests ran at the same time (their runs overlap)" \
	quiet jq -se 'map({s: (.started | fromdateiso8601), e: ((.started | fromdateiso8601) + .harness.wall_ms / 1000)})
		| . as $r | [range(0; length) as $i | range($i + 1; length) as $j
		| select($r[$i].s < $r[$j].e - 1 and $r[$j].s < $r[$i].e - 1)] | length > 0' \
	"$OUT"/matrix/*/result.json

# --- memhp plan: every cell as a command a batch system can run
"$MEMHP" plan --matrix "$OUT/matrix.ini" -o "$OUT/plan" > "$OUT/plan.txt"
check "plan prints one command per cell" test "$(wc -l < "$OUT/plan.txt")" -eq 4
odd="odd=deb:x cmdline=\"a'b \$(touch $OUT/pwned)\""
"$MEMHP" plan -o "$OUT/plan" --variant "$odd" "$scenario" > "$OUT/plan-odd.txt"
eval "set -- $(cat "$OUT/plan-odd.txt")"
check "plan's quoting gives every argument back, and runs nothing" \
	test ! -e "$OUT/pwned" -a "${10}" = "$odd" -a "${11}" = "$scenario"
# A --variant longer than plan's old 2800-byte buffer (500 quotes and 1000
# backslashes, each escaped): planning what plan printed gives it back.
long="long=deb:x cmdline=\"$(printf '\\"%.0s' $(seq 500))\" config=/$(printf '\\%.0s' $(seq 1000))"
"$MEMHP" plan -o "$OUT/plan" --variant "$long" "$scenario" > "$OUT/plan-long.txt"
eval "set -- $(cat "$OUT/plan-long.txt")"
"$MEMHP" plan -o "$OUT/plan" --variant "${10}" "$scenario" > "$OUT/plan-long2.txt"
check "plan prints a long --variant whole (issue 13)" \
	test "${#10}" -gt 3000 -a -s "$OUT/plan-long.txt" -a \
	"$(cat "$OUT/plan-long.txt")" = "$(cat "$OUT/plan-long2.txt")"
bash -c "$(sed -n 2p "$OUT/plan.txt")" > /dev/null 2>&1
check "a planned cell runs alone: one result, its variant, repeat 1" \
	test "$(jq -rs 'map(.variant.name + "/" + (.repeat | tostring) + "/" + .status) | join(" ")' \
		"$OUT"/plan/*/result.json)" = "b/1/ok"

# --- an interrupted matrix, resumed: only the missing cells run
"$MEMHP" run --matrix "$OUT/matrix.ini" -o "$OUT/resume" > /dev/null 2> "$OUT/resume1.stderr" &
MEMHP_PID=$!
for _ in $(seq 1 600); do
	[ "$(grep -c '^memhp: result ' "$OUT/resume1.stderr")" -ge 1 ] && break
	sleep 0.1
done
kill -INT "$MEMHP_PID"
wait "$MEMHP_PID"
rc=$?
check "matrix interrupted after its first cell: exit 130" test "$rc" -eq 130
ok_before=$(jq -s 'map(select(.status == "ok")) | length' "$OUT"/resume/*/result.json)
"$MEMHP" run --matrix "$OUT/matrix.ini" --resume "$OUT/resume" > /dev/null 2> "$OUT/resume2.stderr"
check "--resume exits 0" test $? -eq 0
check "--resume kept the finished cells ($ok_before)" test "$(grep -c ': kept ' "$OUT/resume2.stderr")" -eq "$ok_before"
check "--resume ran only the others" \
	test "$(grep -c '^memhp: result ' "$OUT/resume2.stderr")" -eq $((4 - ok_before))
check "after it every cell has an ok result" \
	test "$(jq -s 'map(select(.status == "ok")) | length' "$OUT"/resume/*/result.json)" -eq 4

# --- QEMU killed in the middle of a run
start_and_wait_for boot "$OUT/killed" "$scenario"
if [ -n "$QEMU_PID" ]; then
	kill -KILL "$QEMU_PID"
	wait "$MEMHP_PID"
	rc=$?
	r=$(result_in "$OUT/killed")
	check "QEMU killed mid-run: memhp exits 1" test "$rc" -eq 1
	check "QEMU killed mid-run: result says failed, with the signal" \
		bash -c "jq -e '.status == \"failed\" and (.reason | test(\"QEMU killed by signal 9\"))' '$r' >/dev/null"
	check "QEMU killed mid-run: the failed phase is named" \
		bash -c "jq -e '.failed_phase | IN(\"plug\", \"online\", \"unplug\", \"settle\")' '$r' >/dev/null"
	check "QEMU killed mid-run: boot time is kept" bash -c "jq -e '.phases_ms.boot > 0' '$r' >/dev/null"
else
	not_ok "QEMU killed mid-run" "no QEMU child found; memhp stderr:" "$(cat "$OUT/killed.stderr")"
fi

# --- SIGINT (Ctrl-C) in the middle of a run
start_and_wait_for boot "$OUT/sigint" "$scenario"
if [ -n "$QEMU_PID" ]; then
	kill -INT "$MEMHP_PID"
	wait "$MEMHP_PID"
	rc=$?
	r=$(result_in "$OUT/sigint")
	check "SIGINT: memhp exits 130" test "$rc" -eq 130
	check "SIGINT: result says interrupted" \
		bash -c "jq -e '.status == \"interrupted\" and (.reason | test(\"interrupted by SIGINT during \"))' '$r' >/dev/null"
	check "SIGINT: no QEMU outlives memhp" bash -c "! kill -0 $QEMU_PID 2>/dev/null"
else
	not_ok "SIGINT mid-run" "no QEMU child found"
fi

# --- memhp itself killed: QEMU must not outlive it either
start_and_wait_for boot "$OUT/sigkill" "$scenario"
if [ -n "$QEMU_PID" ]; then
	kill -KILL "$MEMHP_PID"
	wait "$MEMHP_PID" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
	check "SIGKILL of memhp: QEMU dies with it" bash -c "! kill -0 $QEMU_PID 2>/dev/null"
else
	not_ok "SIGKILL of memhp" "no QEMU child found"
fi

# --- a guest that never answers: boot timeout, failed result, no orphan
slow=$OUT/slow.ini
printf '[run]\nboot_timeout = 300ms\n' > "$slow"
"$MEMHP" run -o "$OUT/slow" "$slow" > /dev/null 2>&1
rc=$?
r=$(result_in "$OUT/slow")
check "boot timeout: exits 1" test "$rc" -eq 1
check "boot timeout: result says why" \
	bash -c "jq -e '.status == \"failed\" and .failed_phase == \"boot\" and (.reason | test(\"did not answer within the boot timeout\"))' '$r' >/dev/null"

# --- a kernel that does not exist: failed in the image phase, exit 1
"$MEMHP" run -o "$OUT/nokernel" --kernel path:/nonexistent/bzImage "$scenario" > /dev/null 2>&1
rc=$?
r=$(result_in "$OUT/nokernel")
check "missing kernel: exits 1 with a failed image phase" \
	bash -c "test $rc -eq 1 && jq -e '.status == \"failed\" and .failed_phase == \"image\"' '$r' >/dev/null"

# --- a kernel of one's own: path: plus its modules directory (here Debian's
# 6.1 cloud kernel unpacked by hand, whose virtio drivers are modules)
deb=$(ls -t "${MEMHP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memhp}"/debs/linux-image-6.1.*-cloud-amd64-unsigned_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	dpkg -x "$deb" "$OUT/own-kernel"
	vmlinuz=$(ls "$OUT"/own-kernel/boot/vmlinuz-*)
	release=${vmlinuz##*/vmlinuz-}
	"$MEMHP" run -o "$OUT/path" --kernel "path:$vmlinuz" \
		--modules "$OUT/own-kernel/lib/modules/$release" "$scenario" > /dev/null 2>&1
	rc=$?
	r=$(result_in "$OUT/path")
	check "path: kernel with --modules boots and unplugs everything" \
		bash -c "test $rc -eq 0 && jq -e '.kernel.spec == \"path:$vmlinuz\" and .kernel.release == \"$release\" and .count.removed == 16' '$r' >/dev/null"
	rm -rf "$OUT/own-kernel"
else
	not_ok "path: kernel" "no cached Debian 6.1 cloud kernel package to unpack"
fi

# --- file-backed hot-added memory and free page reporting, both methods
for m in virtio-mem dimm; do
	f=$OUT/file-$m.ini
	printf '[machine]\nmemory = 1G\nfree_page_reporting = true\n[hotplug]\nmethod = %s\ntotal = 512M\nbackend = file\nbackend_path = %s\n[workload]\nmix = anon:1\nfill = 256M\nduration = 1s\n' \
		"$m" "$OUT" > "$f"
	"$MEMHP" run -o "$OUT/file-$m" "$f" > /dev/null 2>&1
	rc=$?
	r=$(result_in "$OUT/file-$m")
	check "$m with file backend and free page reporting: 4 of 4 blocks removed" \
		bash -c "test $rc -eq 0 && jq -e '.count.removed == 4 and .count.hotplugged == 4' '$r' >/dev/null"
	check "$m with free page reporting: QEMU has the balloon device" \
		grep -q 'virtio-balloon-pci,id=balloon0,free-page-reporting=on' "$(dirname "$r")/qemu.log"
done
# virtio-mem's backend is on QEMU's command line; a DIMM's goes through
# object-add, which QEMU would have refused (failing the plug above).
check "virtio-mem with file backend: its memory is memory-backend-file in backend_path" \
	grep -q "memory-backend-file,id=mem-vmem0,size=536870912,mem-path=$OUT" \
	"$(dirname "$(result_in "$OUT/file-virtio-mem")")/qemu.log"
# No QEMU started by these tests may remain (others on the machine are not ours).
left=$(pgrep -f "qemu-system.*$OUT" || true)
check "no QEMU left running from these tests" test -z "$left"

finish cli
