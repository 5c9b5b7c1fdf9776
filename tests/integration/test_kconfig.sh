#!/bin/bash
# build-kernel's configuration step across Linux versions (issue 28), on
# fake kernel trees: a Makefile that answers kernelversion, tinyconfig and
# olddefconfig, and a merge_config.sh, where olddefconfig keeps only the
# symbols the tree's "Kconfig" list declares, as Kconfig drops unknown ones.
# A 7.2 tree (no BASE_FULL, BALLOON instead of MEMORY_BALLOON) configures
# with since-6.10 and since-7.0; a 6.1 tree with until-6.10 and until-7.0;
# a 7.3 tree (PROC_SYSCTL folded into SYSCTL) with since-7.3 as well;
# an option the tree lacks is still the clear error. Nothing is compiled,
# nothing is downloaded: seconds.
set -u
cd "$(dirname "$0")/../.."
OUT=${MEMHP_TEST_OUT:-$PWD/build/integration}/kconfig
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=../lib.sh
. tests/lib.sh

# fake_tree DIR VERSION SYMBOL...: a tree whose Kconfig declares SYMBOLs.
fake_tree() {
	local dir=$1 version=$2
	shift 2
	mkdir -p "$dir/arch/x86" "$dir/scripts/kconfig"
	printf '%s\n' "$@" > "$dir/Kconfig.symbols"
	cat > "$dir/Makefile" << MK
O ?= .
kernelversion:
	@echo $version
tinyconfig:
	@mkdir -p \$(O) && echo 'CONFIG_64BIT=y' > \$(O)/.config
olddefconfig:
	@grep -E '^CONFIG_[A-Za-z0-9_]+=' \$(O)/.config | sed 's/=.*//' | sort -u | while read -r s; do \\
		grep -qx "\$\${s#CONFIG_}" $dir/Kconfig.symbols || continue; \\
		grep -E "^\$\$s=" \$(O)/.config | tail -n 1 | sed 's/^\(CONFIG_.*\)=n\$\$/\# \1 is not set/'; \\
	done > \$(O)/.config.new && mv \$(O)/.config.new \$(O)/.config
MK
	cat > "$dir/scripts/kconfig/merge_config.sh" << 'SH'
#!/bin/sh
# merge_config.sh -m -O DIR BASE FRAGMENT...: the fragments appended
[ "$1" = -m ] && shift
[ "$1" = -O ] && { dir=$2; shift 2; }
base=$1; shift
cat "$base" "$@" > "$dir/.config.merged" && mv "$dir/.config.merged" "$dir/.config"
SH
	chmod +x "$dir/scripts/kconfig/merge_config.sh"
}

# Every symbol memhp's fragments name, except the ones a version lacks.
all=$(cat guest-image/kconfig/*.config | sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=.*/\1/p' | sort -u)
# shellcheck disable=SC2046,SC2086
fake_tree "$OUT/linux-7.2" 7.2.13 $(printf '%s\n' $all | grep -vx 'BASE_FULL\|MEMORY_BALLOON')
# shellcheck disable=SC2046,SC2086
fake_tree "$OUT/linux-6.1" 6.1.192 $(printf '%s\n' $all | grep -vx 'BASE_SMALL\|BALLOON\|SLUB_TINY')

for v in 7.2 6.1; do
	guest-image/build-kernel --cache "$OUT/cache" --configure-only "$OUT/linux-$v" \
		> "$OUT/$v.out" 2> "$OUT/$v.err"
	rc=$?
	check "$v: the configuration step passes" test "$rc" -eq 0
done
check "7.2: memhp.config with since-6.10, since-6.2 and since-7.0" \
	grep -q 'with memhp.config since-6.10.config since-6.2.config since-7.0.config:' "$OUT/7.2.err"
check "7.2: BALLOON and BASE_SMALL off, no BASE_FULL or MEMORY_BALLOON asked for" \
	bash -c "c=\$(cat '$OUT/7.2.out'); grep -qx CONFIG_BALLOON=y \"\$c\" && grep -qx '# CONFIG_BASE_SMALL is not set' \"\$c\" && ! grep -q 'BASE_FULL\|MEMORY_BALLOON' \"\$c\""
check "6.1: memhp.config with until-6.10 and until-7.0" \
	grep -q 'with memhp.config until-6.10.config until-7.0.config:' "$OUT/6.1.err"
check "6.1: BASE_FULL and MEMORY_BALLOON" \
	bash -c "c=\$(cat '$OUT/6.1.out'); grep -qx CONFIG_BASE_FULL=y \"\$c\" && grep -qx CONFIG_MEMORY_BALLOON=y \"\$c\""

# A tree between the boundaries (6.12: BASE_SMALL, still MEMORY_BALLOON).
# shellcheck disable=SC2046,SC2086
fake_tree "$OUT/linux-6.12" 6.12.57 $(printf '%s\n' $all | grep -vx 'BASE_FULL\|BALLOON')
guest-image/build-kernel --cache "$OUT/cache" --configure-only "$OUT/linux-6.12" > /dev/null 2> "$OUT/6.12.err"
check "6.12: until-7.0, since-6.10 and since-6.2" \
	bash -c "test $? -eq 0 && grep -q 'with memhp.config until-7.0.config since-6.10.config since-6.2.config:' '$OUT/6.12.err'"

# 7.3: PROC_SYSCTL folded into SYSCTL.
# shellcheck disable=SC2046,SC2086
fake_tree "$OUT/linux-7.3" 7.3.0-rc7 $(printf '%s\n' $all | grep -vx 'BASE_FULL\|MEMORY_BALLOON\|PROC_SYSCTL')
guest-image/build-kernel --cache "$OUT/cache" --configure-only "$OUT/linux-7.3" > "$OUT/7.3.out" 2> "$OUT/7.3.err"
check "7.3: since-6.10, since-6.2, since-7.0 and since-7.3; SYSCTL on, no PROC_SYSCTL" \
	bash -c "test $? -eq 0 && grep -q 'with memhp.config since-6.10.config since-6.2.config since-7.0.config since-7.3.config:' '$OUT/7.3.err' && c=\$(cat '$OUT/7.3.out') && grep -qx CONFIG_SYSCTL=y \"\$c\" && ! grep -q '^CONFIG_PROC_SYSCTL=' \"\$c\""
check "7.2 and 6.1 keep PROC_SYSCTL" \
	bash -c "grep -qx CONFIG_PROC_SYSCTL=y \"\$(cat '$OUT/7.2.out')\" && grep -qx CONFIG_PROC_SYSCTL=y \"\$(cat '$OUT/6.1.out')\""

# An option the tree does not have is still named.
# shellcheck disable=SC2046,SC2086
fake_tree "$OUT/linux-7.2-novmem" 7.2.13 $(printf '%s\n' $all | grep -vx 'BASE_FULL\|MEMORY_BALLOON\|VIRTIO_MEM')
guest-image/build-kernel --cache "$OUT/cache" --configure-only "$OUT/linux-7.2-novmem" > /dev/null 2> "$OUT/novmem.err"
rc=$?
check "a missing option: exit 2, named with its fragment" \
	bash -c "test $rc -eq 2 && grep -q 'did not survive olddefconfig' '$OUT/novmem.err' && grep -q 'CONFIG_VIRTIO_MEM=y (from memhp.config)' '$OUT/novmem.err'"

# A series with a port per kernel range (since-X.Y/, as
# guest-image/patches/onlined-to-head): the highest X.Y not above the tree's
# version is applied; a tree older than every port is refused by name.
mkdir -p "$OUT/series/since-6.1" "$OUT/series/since-7.2"
for v in 6.1 7.2 6.12; do
	mkdir -p "$OUT/linux-$v/mm"
	printf 'tree %s\n' "$v" > "$OUT/linux-$v/mm/page_alloc.c"
done
for v in 6.1 7.2; do
	printf '%s\n' '--- a/mm/page_alloc.c' '+++ b/mm/page_alloc.c' '@@ -1 +1 @@' "-tree $v" "+tree $v, patched" \
		> "$OUT/series/since-$v/0001-port.patch"
done
for v in 6.1 7.2 6.12; do
	guest-image/build-kernel --cache "$OUT/cache" --configure-only --patches "$OUT/series" \
		"$OUT/linux-$v" > /dev/null 2> "$OUT/series-$v.err"
	echo "rc=$?" >> "$OUT/series-$v.err"
done
for v in 6.1 7.2; do
	check "series: $v takes since-$v/ and applies it" \
		bash -c "grep -qx 'rc=0' '$OUT/series-$v.err' && grep -q 'series for $v: .*/series/since-$v\$' '$OUT/series-$v.err' && grep -qx 'tree $v, patched' '$OUT/cache/build/linux-$v/src/mm/page_alloc.c'"
done
check "series: 6.12 takes since-6.1/, whose patch does not apply: exit 2, named" \
	bash -c "grep -qx 'rc=2' '$OUT/series-6.12.err' && grep -q 'series for 6.12: .*/series/since-6.1\$' '$OUT/series-6.12.err' && grep -q 'patch 0001-port.patch does not apply to 6.12.57' '$OUT/series-6.12.err'"
fake_tree "$OUT/linux-5.10" 5.10.200 MEMORY_HOTPLUG
guest-image/build-kernel --cache "$OUT/cache" --configure-only --patches "$OUT/series" \
	"$OUT/linux-5.10" > /dev/null 2> "$OUT/series-5.10.err"
rc=$?
check "series: a tree older than every port: exit 2, the ports named" \
	bash -c "test $rc -eq 2 && grep -q 'has ports for 6.1 7.2 on, none for the tree.s 5.10 (5.10.200)' '$OUT/series-5.10.err'"
check "onlined-to-head: ports for 6.1 (one patch), 6.12 and 7.2 (two each)" \
	bash -c "for v in 6.1:1 6.12:2 7.2:2; do test \$(ls guest-image/patches/onlined-to-head/since-\${v%:*}/*.patch | wc -l) -eq \${v#*:} || exit 1; done"

finish kconfig
