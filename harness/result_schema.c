// SPDX-License-Identifier: GPL-2.0-only
/*
 * result.json's schema rows (schema.h): a row per field, in the order of
 * docs/result-schema.md's tables, with its meaning. Rows of type 0 are the
 * fields of result.c's tables, which give their types (a field added there
 * without a row here fails `memhp help schema` and tests/check-docs); the
 * members of the objects result.c keeps verbatim (workload, why, onlining,
 * …, written by workload.c, onlining.c, klog.c and memhp-probe) have their
 * types here, and tests/check-docs checks recorded results against them.
 */
#include "result.h"
#include "schema.h"

#define S SCH_STRING
#define I SCH_INTEGER
#define N SCH_NUMBER
#define B SCH_BOOLEAN
#define O SCH_OBJECT
#define A SCH_ARRAY
#define Z SCH_NULL
#define ABSENT SCH_ABSENT
#define OPEN SCH_OPEN
#define W 0 /* the writer's table gives the type */
#define ROW(p, t, d) { p, t, d, NULL }

static const struct schema_row rows[] = {
	/* the top level */
	ROW("schema", W, "always `\"memhp-result\"`"),
	ROW("version", W, "`1`"),
	ROW("status", W, "how the run ended (docs/metrics.md)"),
	ROW("reason", W, "why the run failed or stopped; `\"\"` when ok. A failed run whose "
	    "serial console shows the guest's kernel oopsing, hitting a BUG or panicking ends "
	    "with `the guest's kernel: <headline> at <function> from <caller>` (harness/lib/oops.c), "
	    "and the headline joins `kmsg`"),
	ROW("failed_phase", W, "the phase that was running when it failed; `\"\"` when ok; "
	    "`queue` only in results of older memhp versions (`memhp run --hosts`, removed)"),
	ROW("host_failure", W, "`true` when the run failed because its host did (libvirt "
	    "connection lost, domain would not start, image upload failed): a rerun "
	    "(`--resume`, a Slurm array submitted again or requeued) runs the cell again in a "
	    "new run directory, and this result stays as the record of the failed attempt"),
	ROW("run_id", W, "the directory name"),
	ROW("repeat", W, "1-based repeat number"),
	ROW("started", W, "start time, ISO 8601 UTC"),
	ROW("scenario", W, "the scenario, below"),
	ROW("variant", W, "the kernel variant, below"),
	ROW("kernel", W, "the guest kernel, below"),
	ROW("image", W, "the guest's root (`memhp run --image`, docs/images.md), below"),
	ROW("vmm", W, "the VMM, below"),
	ROW("host", W, "the host, below"),
	ROW("harness", W, "memhp's own time, below"),
	ROW("count", W, "the measurement, below and docs/metrics.md"),
	ROW("online", W, "the zone the blocks were meant for, below"),
	ROW("phases_ms", W, "each phase's time, below"),
	ROW("blocks", W, "every hot-added block, below"),
	ROW("devices", W, "every memory device, below"),
	ROW("unplug_timeline", W, "from the first unplug request on, a point per change of "
	    "plugged bytes: `[t_ms, bytes_plugged, blocks_present]`"),
	ROW("unplug_timeline[]", W, "one point; `blocks_present` is the hot-added blocks the "
	    "guest still had at the newest probe (probed at most once a second)"),
	ROW("unplug_timeline[][]", W, "`t_ms`, `bytes_plugged`, `blocks_present`, by position"),
	ROW("events", W, "every VMM event seen during plug and unplug, below"),
	ROW("kmsg", W, "guest kernel log lines about hotplug (offlining failures, `page dumped "
	    "because: …`) collected by the probes"),
	ROW("kmsg[]", W, "one line"),
	ROW("klog", W, "the kernel log memhp-probe read from `/dev/kmsg` for the kernel's "
	    "reasons (docs/why.md), below"),
	ROW("workload", W, "the workload, below; `null` without `[workload] mix`"),
	ROW("probe_final", OPEN, "the last probe snapshot, verbatim (block list, "
	    "`/proc/zoneinfo` page counts, `/proc/meminfo`)"),
	ROW("why_probe", W, "what `memhp-probe why` found over all blocks (docs/why.md), below; "
	    "`null` when no block stayed"),
	ROW("onlining", W, "what the guest's kernel did with the onlining choices, below; "
	    "absent in results older than it"),
	ROW("origin", W, "only from `memhp rerun`: the run this one repeats, below"),
	{ "dax", W | OPEN, "only with `[hotplug] method = dax-kmem`: the dax devices as bound "
	  "to kmem and unbound, where their memmap went, the CXL region (docs/dax-kmem.md), "
	  "below", NULL },
	{ "cycles", W | OPEN, "only with `[run] cycles` > 1: the plug/unplug cycles in one "
	  "guest, `done` (how many ran) and `per_cycle` (an object per cycle: counts, "
	  "`unplug_ms`, and the leak checks `before`/`after`: memory blocks, MemTotal, slab, "
	  "`nr_memmap_pages`; docs/workloads.md)", NULL },
	{ "faults", W | OPEN, "only with `[faults]`: kernel fault injection, `plug` and `unplug`, "
	  "each what was armed and disarmed and what the kernel said (docs/faults.md)", NULL },

	/* scenario */
	ROW("scenario.name", W, "the scenario's name; a `[sweep]` cell: `base` with the values "
	    "(`quick-dimm,policy=online_movable,memmap_on_memory=true`)"),
	ROW("scenario.path", W, "the file it came from"),
	ROW("scenario.sha256", W, "of `text`"),
	ROW("scenario.text", W, "the file as read; a `[sweep]` cell: the resolved scenario it "
	    "ran (the swept keys' lines commented out, the values appended)"),
	ROW("scenario.method", W, "`virtio-mem` or `dimm`"),
	ROW("scenario.policy", W, "`online`, `online_kernel`, `online_movable` or `auto-movable`"),
	ROW("scenario.base", W, "the scenario file's name (`quick-dimm`); a plain run: `name` "
	    "(`\"\"` in results older than sweeps)"),
	{ "scenario.sweep", OPEN, "a `[sweep]` cell's point: the keys it set, `\"section.key\": "
	  "\"value\"` strings in the sweep's order; `null` for a plain run", NULL },

	/* variant */
	ROW("variant.name", W, "from `memhp run --variant NAME=SPEC`; `\"\"` when unnamed"),
	ROW("variant.source", W, "the kernel spec it ran"),
	ROW("variant.cmdline", W, "what the variant added to the kernel command line"),
	ROW("variant.inputs_sha256", W, "SHA-256 over what the spec reads besides its tree: a "
	    "`build:` kernel's series files and `config=` fragment, a `path:` kernel's bzImage; "
	    "`\"\"` for `deb:` (and in results of older memhp versions). `memhp run --resume` "
	    "keeps a run only when it is unchanged"),

	/* kernel */
	ROW("kernel.spec", W, "as given: `deb:…`, `build:…` or `path:…`"),
	ROW("kernel.release", W, "`uname -r` in the guest"),
	ROW("kernel.cmdline", W, "the whole kernel command line memhp passed"),
	ROW("kernel.image", W, "the guest image's cache key: a hash of every input of the image"),
	ROW("kernel.build", W, "`build:` kernels: the build's `kernel.json` (docs/kernels.md); "
	    "`null` otherwise"),
	ROW("kernel.build.key", S, "the build's cache key"),
	ROW("kernel.build.name", S, "the build's name"),
	ROW("kernel.build.tree", S, "the kernel tree it was built from"),
	ROW("kernel.build.tree_version", S, "the tree's version"),
	ROW("kernel.build.release", S, "the built kernel's release"),
	ROW("kernel.build.base_commit", S, "the tree's commit the patches went on"),
	ROW("kernel.build.config_sha256", S, "of the configuration"),
	ROW("kernel.build.patches", A, "the patches applied, in order"),
	ROW("kernel.build.patches[]", O, "one patch"),
	ROW("kernel.build.patches[].name", S, "its file name"),
	ROW("kernel.build.patches[].sha256", S, "of the file"),
	ROW("kernel.build.build_seconds", N, "how long the build took"),
	ROW("kernel.package", W, "`deb:` kernels only, absent otherwise: where the kernel came "
	    "from"),
	ROW("kernel.package.suite", S, "the suite named in the spec, or `\"host\"` for the host's "
	    "apt"),
	ROW("kernel.package.packages", A, "every package the kernel came from, in the order "
	    "fetched: for Debian 14's layout the `linux-image-*` meta package, `linux-base-*`, "
	    "`linux-binary-*` and `linux-modules-*`, all at the exact version"),
	ROW("kernel.package.packages[]", O, "one package"),
	ROW("kernel.package.packages[].name", S, "the package"),
	ROW("kernel.package.packages[].version", S, "its version"),
	ROW("kernel.package.packages[].suite", S, "the suite it came from"),

	/* image */
	ROW("image.kind", W, "`initramfs`, `debian` or `path`"),
	ROW("image.spec", W, "as given: `initramfs`, `debian`, `path:DISK`"),
	ROW("image.hash", W, "initramfs: the same cache key as `kernel.image`; debian: "
	    "build-disk's key, a hash of every input of the disk; path: the sha256 of the disk "
	    "file as memhp found it"),

	/* onlining */
	ROW("onlining.kernel_default_online_type", S | Z, "from the kernel's configuration "
	    "(image.json): the built-in default for hot-added memory, "
	    "`CONFIG_MHP_DEFAULT_ONLINE_TYPE_*` since 6.14 as `offline`, `online`, "
	    "`online_kernel`, `online_movable`; before, `online` with "
	    "`CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE`, else `offline`; `null` when memhp has no "
	    "configuration (a `path:` kernel)"),
	ROW("onlining.kernel_memmap_on_memory", B | Z, "`CONFIG_MHP_MEMMAP_ON_MEMORY`; `null` as "
	    "above"),
	ROW("onlining.auto_online_blocks", S | Z, "`/sys/devices/system/memory/auto_online_blocks`"
	    " at the first probe; `null` where the kernel lacks the file (so for the rest)"),
	ROW("onlining.online_policy", S | Z, "`/sys/module/memory_hotplug/parameters/"
	    "online_policy`"),
	ROW("onlining.auto_movable_ratio", N | Z, "`…/parameters/auto_movable_ratio`"),
	ROW("onlining.auto_movable_numa_aware", S | Z, "`…/parameters/auto_movable_numa_aware`"),
	ROW("onlining.memmap_on_memory", S | Z, "`…/parameters/memmap_on_memory`: `Y`, `N` or, on "
	    "newer kernels, `force`"),
	ROW("onlining.hugetlb_optimize_vmemmap", N | Z, "`/proc/sys/vm/hugetlb_optimize_vmemmap`"),
	ROW("onlining.asked", O | ABSENT, "what the scenario asked the guest for, as the guest's "
	    "settings above would read it: `policy` (the scenario's), `auto_online_blocks`, "
	    "`online_policy`, `memmap_on_memory` (`Y`, `N`, `force`), and where the scenario sets "
	    "them `auto_movable_ratio`, `auto_movable_numa_aware`, `hugetlb_optimize_vmemmap`; "
	    "absent in results older than it"),
	ROW("onlining.asked.policy", S, "`[online] policy`"),
	ROW("onlining.asked.auto_online_blocks", S, "from `memhp_default_state=`"),
	ROW("onlining.asked.online_policy", S, "`contig-zones` or `auto-movable`"),
	ROW("onlining.asked.auto_movable_ratio", I | ABSENT, "auto-movable only"),
	ROW("onlining.asked.auto_movable_numa_aware", S | ABSENT, "auto-movable, when set"),
	ROW("onlining.asked.memmap_on_memory", S, "`Y`, `N` or `force`"),
	ROW("onlining.asked.hugetlb_optimize_vmemmap", I | ABSENT, "`[online] hvo`, when set"),
	ROW("onlining.not_as_asked", A | ABSENT, "the settings of `asked` the guest did not have "
	    "at its first probe (a kernel that ignores `force`, lacks auto-movable or "
	    "memmap_on_memory; a file the kernel lacks counts as the setting's off value: "
	    "`memmap_on_memory` `N`, `hugetlb_optimize_vmemmap` 0, `contig-zones`); `[]` when it "
	    "took them all; absent with `asked`"),
	ROW("onlining.not_as_asked[]", O, "one setting"),
	ROW("onlining.not_as_asked[].setting", S, "its name, as above"),
	ROW("onlining.not_as_asked[].asked", S | I, "the value asked"),
	ROW("onlining.not_as_asked[].guest", S | I | Z, "the guest's, `null` where it lacks the "
	    "file"),
	{ "onlining.zones_onlined", O | OPEN | ABSENT, "the zones the hot-added blocks were "
	  "onlined to, with their counts (`{\"Movable\": 6, \"Normal\": 2}`; `none` for a "
	  "block not onlined), once they were online; against `online.expected_zone` (the zone "
	  "the policy asks for, none for `online` and `auto-movable`), `online.zone_mismatches` "
	  "counts the blocks elsewhere; absent in older results and in runs that ended before",
	  NULL },
	{ "onlining.memmap_pages", O | OPEN, "per phase that ended with a probe snapshot "
	  "(`boot`, `plug`, `online`, `workload`, `unplug`, `settle`): `{\"nr_memmap_pages\", "
	  "\"nr_memmap_boot_pages\"}` from `/proc/vmstat`, pages of struct page the kernel "
	  "allocated for hot-added and for boot memory (`null` before 6.11, which lacks them), "
	  "and since issue 28's zone sums `\"present_pages\", \"managed_pages\"` (over every "
	  "zone but Device) and `\"kernel_zones_free_pages\"` (free pages of every zone but "
	  "Movable and Device): the growth of present minus managed from `plug` to `online` is "
	  "the memmap memmap_on_memory put inside the hot-added memory, which the kernel never "
	  "gives to its allocator. No kernel up to 7.2 says per memory block where its memmap "
	  "is (only dax devices have a `memmap_on_memory` attribute, `dax`)", NULL },
	ROW("onlining.virtio_mem", A | Z, "per virtio-mem device as its driver reported itself in "
	    "the kernel log; `null` when the lines were not seen"),
	ROW("onlining.virtio_mem[]", O, "one device"),
	ROW("onlining.virtio_mem[].device", S, "the device"),
	ROW("onlining.virtio_mem[].mode", S, "`SBM` (sub-block mode: the driver plugs parts of a "
	    "memory block) or `BBM` (big-block mode: whole blocks or more)"),
	ROW("onlining.virtio_mem[].device_block_size", I, "bytes"),
	ROW("onlining.virtio_mem[].memory_block_size", I, "bytes"),
	ROW("onlining.virtio_mem[].subblock_size", I | ABSENT, "bytes, in SBM"),
	ROW("onlining.virtio_mem[].big_block_size", I | ABSENT, "bytes, in BBM"),

	/* vmm */
	ROW("vmm.arch", W, "the guest's architecture: `x86_64`, `ppc64le` or `aarch64` "
	    "(docs/architectures.md); absent in results from before it, which were all x86_64"),
	ROW("vmm.backend", W, "`qmp` or `libvirt`"),
	ROW("vmm.accel", W, "`kvm` or `tcg`"),
	ROW("vmm.accel_reason", W, "why: `auto: hardware KVM (kvm_intel)`, `auto: no /dev/kvm`, "
	    "`auto: libvirt offers no kvm`, `requested`, …"),
	ROW("vmm.version", W, "QMP: QEMU's version and package string from the QMP greeting; "
	    "libvirt: `7.2.22 via libvirt 9.0.0`"),
	ROW("vmm.peak_rss", W, "bytes: QMP, the emulator's VmHWM on the host at the end of the "
	    "run; libvirt, the largest RSS libvirt reported, sampled about once a second while "
	    "memhp waited for events and at the end, so it can miss a short peak"),
	ROW("vmm.rss_before_plug", W, "the emulator's resident memory (bytes) before plugging "
	    "(QMP: `Rss:` of /proc/PID/smaps_rollup; libvirt: its RSS memory stat); `null` when "
	    "not measured"),
	ROW("vmm.rss_loaded", W, "the same when the unplug began: after the workload, or once the "
	    "blocks were online without one"),
	ROW("vmm.rss_after_unplug", W, "the same after settle"),
	ROW("vmm.rss_returned", W, "`rss_loaded - rss_after_unplug`, 0 when it grew"),

	/* workload */
	ROW("workload.mix", S, "the scenario's mix, as written"),
	ROW("workload.fill_requested", I, "bytes asked for"),
	ROW("workload.fill", I, "bytes used after the cap"),
	ROW("workload.capped", B, "`true` when MemAvailable (less 192 MiB) capped the fill"),
	ROW("workload.duration_ms", I, "as in the scenario"),
	ROW("workload.stall_timeout_ms", I, "as in the scenario"),
	ROW("workload.seed", I, "as in the scenario"),
	ROW("workload.during_unplug", S, "`keep` or `stop`, as in the scenario"),
	ROW("workload.allocations", A, "per kind; also written when the phase failed, with what "
	    "each kind had got by then"),
	ROW("workload.allocations[]", O, "one kind"),
	ROW("workload.allocations[].kind", S, "the kind (docs/workloads.md)"),
	ROW("workload.allocations[].want", I, "bytes"),
	ROW("workload.allocations[].got", I, "bytes"),
	ROW("workload.allocations[].state", S, "`pending`, `allocating` or `done`"),
	ROW("workload.allocations[].ms", I | ABSENT, "the holder's time for the kind, once done"),
	ROW("workload.allocations[].error", S, "`\"\"` or why it fell short"),
	ROW("workload.alloc_ms", I | ABSENT, "from starting the holder until everything was "
	    "allocated (or the phase failed)"),
	{ "workload.meminfo_before", O | ABSENT | OPEN, "the guest's /proc/meminfo (kB) before "
	  "the workload", NULL },
	{ "workload.meminfo_loaded", O | ABSENT | OPEN, "the same with everything allocated",
	  NULL },
	ROW("workload.stopped", B | ABSENT, "the holder ended when asked"),
	ROW("workload.stress_ng_yaml", S | ABSENT, "stress-ng's `--metrics --yaml` output, when "
	    "the mix has `stress-ng`"),
	ROW("workload.throughput", O | ABSENT, "what the kinds that measure something measured, "
	    "per kind (docs/workloads.md); only the kinds that ran"),
	ROW("workload.throughput.stress-ng", O | ABSENT, "stress-ng"),
	ROW("workload.throughput.stress-ng.bogo_ops", N | ABSENT, "bogo operations"),
	ROW("workload.throughput.stress-ng.bogo_ops_per_s", N | ABSENT, "per second"),
	ROW("workload.throughput.pagecache", O | ABSENT, "pagecache"),
	ROW("workload.throughput.pagecache.files", N, "files written"),
	ROW("workload.throughput.pagecache.bytes_written", N, "bytes"),
	ROW("workload.throughput.pagecache.bytes_read", N, "bytes"),
	ROW("workload.throughput.pagecache.write_mib_s", N, "MiB/s"),
	ROW("workload.throughput.pagecache.read_mib_s", N, "MiB/s"),
	ROW("workload.throughput.pagecache.filesystem_magic", N, "statfs's f_type of the "
	    "directory it wrote in"),
	ROW("workload.throughput.compile", O | ABSENT, "compile"),
	ROW("workload.throughput.compile.units", N, "source units"),
	ROW("workload.throughput.compile.files", N, "files (sources and objects)"),
	ROW("workload.throughput.compile.jobs", N, "jobs run"),
	ROW("workload.throughput.compile.failed", N, "jobs failed"),
	ROW("workload.throughput.compile.passes", N, "passes over the tree"),
	ROW("workload.throughput.compile.first_pass_s", N, "seconds of the first pass"),
	ROW("workload.throughput.compile.seconds", N, "seconds"),
	ROW("workload.throughput.compile.jobs_per_s", N, "jobs per second"),
	ROW("workload.throughput.pgbench", O | ABSENT, "pgbench"),
	ROW("workload.throughput.pgbench.postgresql", S, "the PostgreSQL version"),
	ROW("workload.throughput.pgbench.scale", N, "pgbench's scale"),
	ROW("workload.throughput.pgbench.shared_buffers", N, "PostgreSQL's shared_buffers"),
	ROW("workload.throughput.pgbench.init_s", N, "seconds of `pgbench -i`"),
	ROW("workload.throughput.pgbench.clients", N, "clients"),
	ROW("workload.throughput.pgbench.tps_samples", N, "TPS samples taken"),
	ROW("workload.throughput.pgbench.tps_mean", N, "their mean"),
	ROW("workload.throughput.pgbench.tps_last", N, "the last one"),
	{ "workload.tidy", O | ABSENT | OPEN, "results of `drop_caches` / `compact`, when asked",
	  NULL },

	/* host */
	ROW("host.name", W, "the host's name (libvirt: as its daemon reports it)"),
	ROW("host.uri", W, "the libvirt URI the run used; `\"\"` for QMP"),
	ROW("host.kernel", W, "host `uname -r`; `\"\"` for a remote libvirt host, which does not "
	    "report it"),
	ROW("host.cpus", W, "online CPUs"),

	/* harness */
	ROW("harness.wall_ms", W, "the whole run"),
	ROW("harness.cpu_ms", W, "memhp's own CPU time in it, not QEMU's nor the image build's"),

	/* count */
	ROW("count.block_size", W, "bytes of a Linux memory block"),
	ROW("count.hotplugged", W, "hot-added blocks present once onlined (with `[faults] going_online`: "
	    "present at `[online] timeout`, onlined or not)"),
	ROW("count.removed", W, "of those, gone at the end"),
	ROW("count.offline", W, "present but offline at the end"),
	ROW("count.online_movable", W, "still online in ZONE_MOVABLE"),
	ROW("count.online_normal", W, "still online in ZONE_NORMAL"),
	ROW("count.online_other", W, "still online in another zone"),
	ROW("count.bytes_plugged", W, "bytes plugged (QEMU's view)"),
	ROW("count.bytes_remaining", W, "bytes still plugged at the end"),
	ROW("count.bytes_unplugged", W, "plugged − remaining, 0 if remaining were larger"),

	/* online */
	ROW("online.expected_zone", W, "`Movable`, `Normal` or `\"\"`"),
	ROW("online.zone_mismatches", W, "blocks not onlined to `expected_zone`"),

	/* phases_ms */
	ROW("phases_ms.image", W, "`null` when not reached"),
	ROW("phases_ms.boot", W, "`null` when not reached"),
	ROW("phases_ms.plug", W, "`null` when not reached"),
	ROW("phases_ms.online", W, "`null` when not reached"),
	ROW("phases_ms.workload", W, "`null` when not reached (or no workload)"),
	ROW("phases_ms.unplug", W, "`null` when not reached"),
	ROW("phases_ms.settle", W, "`null` when not reached"),

	/* blocks[] */
	ROW("blocks[]", W, "one block"),
	ROW("blocks[].index", W, "`N` of `memoryN`"),
	ROW("blocks[].start", W, "physical start address"),
	ROW("blocks[].zone", W, "zone once onlined; `\"\"` for a block that was never onlined "
	    "(`[faults] going_online`)"),
	ROW("blocks[].node", W, "the block's NUMA node (its nodeN link in the guest); absent "
	    "when the guest's kernel has no NUMA or the block had no node yet"),
	ROW("blocks[].final", W, "`removed`, `offline` or `online`; `\"\"` when the run ended "
	    "before the blocks were counted"),
	ROW("blocks[].final_zone", W, "zone at the end, when still online"),
	ROW("blocks[].why", W, "for a block still present, what it holds (docs/metrics.md, "
	    "docs/why.md); `null` for removed blocks"),
	ROW("blocks[].why.index", I, "`N` of `memoryN`"),
	ROW("blocks[].why.page_size", I | ABSENT, "the guest's page size in bytes (65536 on "
	    "ppc64le; docs/architectures.md): what `pages` count in; absent from probes before "
	    "it, which were all 4096"),
	{ "blocks[].why.pages", O | OPEN, "pages by kind (`free`, `anon`, `file`, `thp`, "
	  "`hugetlb`, `slab`, `pgtable`, `reserved`, `offline`, `other`): docs/metrics.md",
	  NULL },
	ROW("blocks[].why.verdict", S, "the unmovable kind with the most pages (`slab`, "
	    "`pgtable`, `reserved`, `kernel`), else `movable` or `free` (docs/metrics.md); with "
	    "page_owner, from the allocation sites"),
	ROW("blocks[].why.method", S, "`page_owner` (verdict from allocation sites) or "
	    "`kpageflags` (verdict from page flags)"),
	ROW("blocks[].why.movable_2m", I | ABSENT, "the 2 MiB ranges of the block still online "
	    "that hold no unmovable page (only free or movable pages): what a virtio-mem device "
	    "could still unplug from it; 0 means nothing more can come out of this block (the "
	    "futile rule, docs/why.md)"),
	ROW("blocks[].why.page_owner_unavailable", S | ABSENT, "with `kpageflags`: why "
	    "page_owner was not used, e.g. `no /sys/kernel/debug/page_owner (kernel without "
	    "CONFIG_PAGE_OWNER, or not booted with page_owner=on)` (Debian's cloud kernel), "
	    "`page_owner = off`"),
	ROW("blocks[].why.kpageflags_verdict", S | ABSENT, "with `page_owner`: the kpageflags "
	    "verdict, for comparison"),
	ROW("blocks[].why.page_owner_pages", I | ABSENT, "with `page_owner`: allocated pages "
	    "page_owner lists in the block"),
	ROW("blocks[].why.sites", A | ABSENT, "with `page_owner`: up to 8 allocation sites, most "
	    "pages first"),
	ROW("blocks[].why.sites[]", O, "one site"),
	ROW("blocks[].why.sites[].site", S, "`caller < its caller`"),
	ROW("blocks[].why.sites[].verdict", S, "`memmap`, `page_ext`, `slab:dentry`, "
	    "`slab:inode`, `slab:<caller>`, `pgtable`, `kstack`, `pinned`, `movable`, "
	    "`kernel:<caller>`"),
	ROW("blocks[].why.sites[].pages", I, "pages"),
	ROW("blocks[].why.memmap_of", A | ABSENT, "the memory block indexes whose memmap "
	    "(struct pages) lies in this block: the memmap chain's edges `this → each`"),
	ROW("blocks[].why.memmap_of[]", I, "a block index"),
	ROW("blocks[].why.memmap_in", A | ABSENT, "the blocks holding this block's memmap (the "
	    "reverse edges)"),
	ROW("blocks[].why.memmap_in[]", I, "a block index"),
	ROW("blocks[].why.memmap_in_boot_memory", B | ABSENT, "`true` when (part of) this "
	    "block's memmap lies outside the hot-added blocks still present"),
	ROW("blocks[].why.memmap_only", B | ABSENT, "`true` when every page page_owner lists in "
	    "the block is another block's memmap (or page_ext): the block stayed only for that"),
	ROW("blocks[].kernel", W, "the kernel's own failed offline attempts of this block, from "
	    "its log (docs/why.md), or `null` when it printed none"),
	ROW("blocks[].kernel.device", S | Z, "the id of the device holding the block"),
	ROW("blocks[].kernel.attempts", A, "the first 64 attempts"),
	ROW("blocks[].kernel.attempts[]", O, "one attempt, as `last`"),
	ROW("blocks[].kernel.dropped", I, "how many more there were"),
	ROW("blocks[].kernel.last", O, "the newest attempt (for a block that stayed: its last "
	    "reason)"),
	ROW("blocks[].kernel.last.seq", I, "the log record's sequence number"),
	ROW("blocks[].kernel.last.t_us", I, "the kernel's time (µs since boot) of the failure's "
	    "first line"),
	ROW("blocks[].kernel.last.reason", S, "as the kernel said it: `unmovable page` "
	    "(isolation for offline found a page it cannot move), `migration failure` "
	    "(`migrating pfn … failed ret:N`), `isolation failed` (`failed to isolate pfn …`), or, "
	    "with only dynamic debug's line, its reason"),
	ROW("blocks[].kernel.last.failed_due_to", S | Z, "dynamic debug's `memory offlining "
	    "[mem …] failed due to …` (`failure to isolate range`, `unmovable page`, `notifier "
	    "failure`, `signal backoff`, `failure to dissolve huge pages`, `multizone range`)"),
	ROW("blocks[].kernel.last.pfn", I | Z, "of the page dumped"),
	ROW("blocks[].kernel.last.ret", I | Z, "migrate_pages' return"),
	ROW("blocks[].kernel.last.page", S | Z, "the page's kind from dump_page: `kernel` "
	    "(refcount, no flags: a kernel allocation), `slab`, `pgtable`, `buddy`, `offline`, "
	    "`anon`, `ksm`, `file`, `reserved`, `lru`, `free`"),
	ROW("blocks[].kernel.last.flags", S | Z, "the flag names dump_page printed"),
	ROW("blocks[].kernel.attempts[].seq", I, "as in `last`"),
	ROW("blocks[].kernel.attempts[].t_us", I, "as in `last`"),
	ROW("blocks[].kernel.attempts[].reason", S, "as in `last`"),
	ROW("blocks[].kernel.attempts[].failed_due_to", S | Z, "as in `last`"),
	ROW("blocks[].kernel.attempts[].pfn", I | Z, "as in `last`"),
	ROW("blocks[].kernel.attempts[].ret", I | Z, "as in `last`"),
	ROW("blocks[].kernel.attempts[].page", S | Z, "as in `last`"),
	ROW("blocks[].kernel.attempts[].flags", S | Z, "as in `last`"),

	/* devices[] */
	ROW("devices[]", W, "one device"),
	ROW("devices[].id", W, "QEMU device id (`dimm0`, `vmem0`)"),
	ROW("devices[].kind", W, "`dimm`, `virtio-mem`"),
	ROW("devices[].addr", W, "guest physical address of the device's memory"),
	ROW("devices[].plugged", W, "bytes plugged when plugging ended"),
	ROW("devices[].remaining", W, "bytes still plugged at the end"),
	ROW("devices[].outcome", W, "docs/metrics.md; `hung`: the guest kernel kept failing to "
	    "migrate (or isolate) the same pages, with nothing offlined and no failure returned, "
	    "for `[unplug] hung_window` of its own time: neither a refusal (`rejected`) nor "
	    "silence (`timeout`); memhp stops the unplug there"),
	ROW("devices[].attempts", W, "unplug requests sent"),
	ROW("devices[].ost_source", W, "last ACPI _OST source the guest reported for a DIMM, or "
	    "`null`"),
	ROW("devices[].ost_status", W, "its status, or `null` (libvirt does not pass it on)"),
	ROW("devices[].unplug_ms", W, "time from first request to outcome"),
	ROW("devices[].detail", W, "a sentence for humans: the rejection status, QMP error, …"),
	ROW("devices[].hung", W, "with outcome `hung`: the pages the kernel kept failing on; "
	    "`null` otherwise"),
	ROW("devices[].hung.pfns", A, "the pfns the kernel kept failing on (up to 16)"),
	ROW("devices[].hung.pfns[]", I, "a pfn"),
	ROW("devices[].hung.reasons", A, "its reasons (`migration failure ret:N`, `isolation "
	    "failed`)"),
	ROW("devices[].hung.reasons[]", S, "a reason"),
	ROW("devices[].hung.failures", I, "how many failures"),
	ROW("devices[].hung.repeats", I, "how many of them repeated a pfn"),
	ROW("devices[].hung.first_us", I, "the kernel's time of the first"),
	ROW("devices[].hung.last_us", I, "and of the last"),
	ROW("devices[].hung.window_us", I, "the window they fell in"),
	ROW("devices[].futile_stop", W, "virtio-mem: `true` when re-triggering stopped early "
	    "because every block left had failed on an unmovable page (`[unplug] futile_stop`)"),

	/* events[] */
	ROW("events[]", W, "one event"),
	ROW("events[].t_ms", W, "since the guest was started"),
	ROW("events[].event", W, "QMP: `ACPI_DEVICE_OST`, `DEVICE_DELETED`, "
	    "`MEMORY_DEVICE_SIZE_CHANGE`, …; libvirt's domain events: `DEVICE_REMOVED`, "
	    "`DEVICE_REMOVAL_FAILED`, `MEMORY_DEVICE_SIZE_CHANGE`"),
	ROW("events[].device", W, "the device id"),
	ROW("events[].source", W, "ACPI_DEVICE_OST only"),
	ROW("events[].status", W, "ACPI_DEVICE_OST only: libvirt does not pass the _OST status "
	    "on, so a DIMM rejected through libvirt has `ost_status` `null` and "
	    "`DEVICE_REMOVAL_FAILED` in its `detail`"),
	ROW("events[].size", W, "MEMORY_DEVICE_SIZE_CHANGE"),

	/* klog */
	ROW("klog.records", W, "records parsed: dump_page's lines, migration and isolation "
	    "failures, `memory offlining … failed due to`, `Offline failed`, `Offlined Pages`; "
	    "`null` when the probe sent no records (an older memhp-probe in a disk image)"),
	ROW("klog.lost", W, "records the kernel overwrote before a probe read them, counted from "
	    "gaps in the sequence numbers, plus any beyond a probe's 20000"),
	ROW("klog.unmapped", W, "failures naming no block: ppc64's `pseries-hotplug-mem: Memory "
	    "indexed-count-remove failed`"),

	/* why_probe */
	ROW("why_probe.page_owner", O, "the one read of /sys/kernel/debug/page_owner and its "
	    "cost"),
	ROW("why_probe.page_owner.available", B, "page_owner could be read"),
	ROW("why_probe.page_owner.reason", S | ABSENT, "why not, when not"),
	ROW("why_probe.page_owner.read", S | ABSENT, "what was read: `whole file`, or `boot "
	    "memory and the online pages of the blocks`"),
	ROW("why_probe.page_owner.records", I | ABSENT, "records parsed"),
	ROW("why_probe.page_owner.truncated", I | ABSENT, "records cut short"),
	ROW("why_probe.page_owner.garbage_lines", I | ABSENT, "lines that were no record"),
	ROW("why_probe.page_owner.bytes", I | ABSENT, "bytes read"),
	ROW("why_probe.page_owner.seconds", N | ABSENT, "time the read took"),
	ROW("why_probe.memmap_chain", O | ABSENT, "whose memmap lies in which block"),
	ROW("why_probe.memmap_chain.status", S, "`ok`, or why there are no edges"),
	ROW("why_probe.memmap_chain.memmap_pages", I, "memmap pages page_owner listed"),
	ROW("why_probe.memmap_chain.memmap_pages_expected", I, "memmap pages the blocks present "
	    "need"),
	ROW("why_probe.memmap_chain.edges", A, "`holder` holds `pages` of the memmap of `of`"),
	ROW("why_probe.memmap_chain.edges[]", O, "one edge"),
	ROW("why_probe.memmap_chain.edges[].holder", I, "a block index"),
	ROW("why_probe.memmap_chain.edges[].of", I, "a block index"),
	ROW("why_probe.memmap_chain.edges[].pages", I, "pages"),
	ROW("why_probe.memmap_chain.allocations", A, "every memmap allocation page_owner listed, "
	    "in time order, at most 1024"),
	ROW("why_probe.memmap_chain.allocations[]", O, "one allocation"),
	ROW("why_probe.memmap_chain.allocations[].pfn", I, "its first PFN"),
	ROW("why_probe.memmap_chain.allocations[].pages", I, "its pages"),
	ROW("why_probe.memmap_chain.allocations[].ts_ns", I, "page_owner's allocation time"),
	ROW("why_probe.memmap_chain.allocations[].block", I, "the block holding it"),
	ROW("why_probe.memmap_chain.allocations[].site", S, "its site"),

	/* origin */
	ROW("origin.rerun_of", W, "the result.json given to `memhp rerun`"),
	ROW("origin.run_id", W, "its `run_id`"),
	ROW("origin.started", W, "its `started`"),
	ROW("origin.image", W, "its guest image key (`kernel.image`)"),
};

const struct schema_doc result_schema_doc = {
	.name = "result",
	.schema = RESULT_SCHEMA,
	.title = "memhp result.json (memhp-result, version 1)",
	.rows = rows,
	.nrows = sizeof(rows) / sizeof(rows[0]),
	.walk = result_schema_walk,
};
