# Shared by the shell tests: TAP lines and a closing count.
# shellcheck shell=bash
passed=0
failed=0
n=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift; for line in "$@"; do echo "#   $line"; done
}
check() { # name, then a command that must succeed
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
# Run a command for its exit status only.
quiet() { "$@" > /dev/null; }
# memhp_run NAME ARGS...: `$MEMHP run -o $OUT/NAME ARGS...`, its output in
# $OUT/NAME.out and .err, its time printed; sets rc and r (its first
# result.json, "" when none).
memhp_run() {
	local name=$1 start
	shift
	start=$(date +%s)
	"$MEMHP" run -o "$OUT/$name" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
	echo "# the $name run took $(( $(date +%s) - start )) s"
	r=$(find "$OUT/$name" -name result.json | head -n 1)
}
# The last memhp_run exited 0 with a result of status ok.
run_ok() { [ "$rc" -eq 0 ] && [ -n "$r" ] && jq -e '.status == "ok"' "$r" > /dev/null; }
# Print the plan and the closing line for suite $1; the exit status says
# whether everything passed.
finish() {
	echo "1..$n"
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
# san_check WANT ARGS...: memhp built with ASan/UBSan ($MEMHP_SAN) exits WANT
# on ARGS and the sanitizers report nothing. Output goes to $OUT/san.*.
san_check() {
	local want=$1 rc
	shift
	ASAN_OPTIONS=detect_leaks=1 "$MEMHP_SAN" "$@" > "$OUT/san.out" 2> "$OUT/san.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && ! grep -q 'Sanitizer\|runtime error' "$OUT/san.err"; then
		ok "ASan/UBSan: memhp $* is clean"
	else
		not_ok "ASan/UBSan: memhp $* is clean" "exit $rc, wanted $want" "$(head -n 15 "$OUT/san.err")"
	fi
}
