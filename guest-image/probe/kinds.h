/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The workload kinds, once: memhp-probe's load holder (load.c) implements
 * each as alloc_IDENT(), and memhp (harness/mix.c) parses [workload] mix
 * against the same names. docs/workloads.md describes them.
 *
 * KIND(ident, "name", "what the kernel sees", "mobility")
 * No include guard: include it where KIND is defined.
 */
KIND(anon, "anon", "anonymous memory in 4 KiB pages", "movable")
KIND(thp, "thp", "anonymous memory in transparent huge pages", "movable")
KIND(tmpfs, "tmpfs", "files in tmpfs (shmem page cache)", "movable")
KIND(dentries, "dentries", "many empty tmpfs files: dentry and shmem inode slab", "unmovable")
KIND(pgtable, "pgtable",
     "page tables of sparse mappings (half the bytes; the other half is data)", "unmovable")
KIND(kstack, "kstack", "sleeping threads: kernel stacks and task structs", "unmovable")
KIND(pipe, "pipe", "full 1 MiB pipes: pipe buffer pages", "unmovable")
KIND(pinned, "pinned", "io_uring registered buffers (FOLL_LONGTERM pins)", "pinned")
KIND(hugetlb, "hugetlb", "2 MiB hugetlb pages", "movable")
KIND(stress_ng, "stress-ng", "stress-ng --vm --vm-keep (anonymous, rewritten)", "movable")
KIND(swapped, "swapped",
     "anonymous and tmpfs memory pushed into swap (MADV_PAGEOUT), the anonymous half read back: "
     "folios in the swap cache", "movable")
/* Kinds that need a disk image (--image debian or path:, docs/images.md). */
KIND(pagecache, "pagecache",
     "files written and read back on the disk's ext4 (block-device page cache)", "reclaimable")
KIND(compile, "compile", "kernel-compile-like: short processes over many small files on the disk",
     "reclaimable")
KIND(pgbench, "pgbench", "PostgreSQL with pgbench (shared buffers and the database's page cache)",
     "movable")
