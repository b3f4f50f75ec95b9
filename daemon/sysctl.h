/* SPDX-License-Identifier: MIT */
/* net.core.rmem_default / rmem_max under <proc>/sys: read, transactional apply, sysctl.d drop-in.
 */
#ifndef NLTUNE_SYSCTL_H
#define NLTUNE_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYSCTL_DROPIN "60-nltune.conf"

struct rmem {
	uint64_t rmem_default, rmem_max;
};

/* Read both values; 0 or -errno. */
int sysctl_read(struct rmem *v);

/*
 * Write the values selected by write_default/write_max in the order that keeps
 * rmem_default <= rmem_max at every step, reading each back. On any failure,
 * restore what was changed and return -errno with what failed in err. *before
 * and *after are the values read before and after. A request that would leave
 * rmem_default > rmem_max is -EINVAL before any write (a single write is let
 * through when the system already had default > max). Never logs.
 */
int sysctl_apply(const struct rmem *want, bool write_default, bool write_max, struct rmem *before,
		 struct rmem *after, char *err, size_t errlen);

/* Write <dir>/60-nltune.conf atomically with both values; 0 or -errno with err. */
int sysctl_persist(const char *dir, const struct rmem *v, char *err, size_t errlen);

/*
 * Remove <dir>/60-nltune.conf (what --persist wrote), syncing the directory;
 * with dry_run only look. The path goes to path. Returns 1 removed (or there,
 * with dry_run), 0 not there, or -errno with err. Never logs.
 */
int sysctl_unpersist(const char *dir, bool dry_run, char *path, size_t len, char *err,
		     size_t errlen);

/* MemTotal from <proc>/meminfo in bytes; 0 or -errno (-EINVAL garbage, -ERANGE overflow). */
int sysctl_memtotal(uint64_t *bytes);

/*
 * This boot's id from <proc>/sys/kernel/random/boot_id (36 chars + NUL); 0 or
 * -errno (-ENOBUFS if len < 37, -EINVAL if it is not a lowercase UUID).
 */
int sysctl_boot_id(char *buf, size_t len);

#endif
