/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_REALLOAD_H
#define MEMHP_PROBE_REALLOAD_H

#include <stdint.h>

#include <json-c/json.h>

/*
 * Workload kinds that use the real system (realload.c): the page cache of
 * a disk file system, a kernel-compile-like load, PostgreSQL with pgbench.
 * Each fills want bytes (as far as it can) and sets error when it cannot.
 */
void realload_pagecache(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed);
void realload_compile(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed);
void realload_pgbench(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed);
/* In load-stop, after the holder has ended: stop what the kinds started,
 * add {"throughput": {...}} to root and remove their files. */
void realload_stop(json_object *root);

#endif
