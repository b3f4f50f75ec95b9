/* SPDX-License-Identifier: MIT */
/* Directories nltune writes into as root: reached without planted symlinks, owner and mode checked.
 */
#ifndef NLTUNE_SAFEDIR_H
#define NLTUNE_SAFEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Open the absolute directory path from "/" one component at a time, each
 * opened (O_NOFOLLOW) in the directory checked before it, so nothing on the
 * way can be swapped after its check. A symlink is followed only inside a
 * directory that nobody but root (or the caller) can write, and its target
 * is walked from "/" with the same checks; a directory entered from one
 * that others can write (/tmp) must belong to root or the caller; the last
 * one must belong to root or the caller and not be writable by group or
 * others. create makes a missing last component (0755). Returns an
 * O_DIRECTORY fd, or -ELOOP (a symlink others could have planted), -EPERM
 * (wrong owner or mode), -EINVAL (not absolute, or "..") or another -errno.
 */
int safedir_open(const char *path, bool create);

/*
 * Open the directory of the file path (as safedir_open, not created) and
 * point *name at its last component. -EINVAL if path ends in '/'.
 */
int safedir_open_parent(const char *path, const char **name);

/*
 * Replace dfd/name with buf atomically: a temporary "<prefix>XXXXXX" in the
 * same directory (O_EXCL, O_NOFOLLOW, mode 0644), write, fsync, rename over
 * name, fsync the directory. 0 or -errno; on failure no temporary file stays.
 */
int safedir_replace(int dfd, const char *name, const char *prefix, const char *buf, size_t len);
/* safedir_replace, the file given mode (whatever the umask, set before anything is written)
 * instead of 0644. */
int safedir_replace_mode(int dfd, const char *name, const char *prefix, const char *buf, size_t len,
			 mode_t mode);

/*
 * Remove the file path (not a directory) from its directory, opened as
 * safedir_open_parent does, then fsync the directory. 0, -ENOENT if there was
 * none, or another -errno (the errors of safedir_open for the directory).
 */
int safedir_unlink(const char *path);

/* Remove the temporary files "<prefix>*" a killed writer left in dfd. Returns the count or -errno.
 */
int safedir_remove_temps(int dfd, const char *prefix);

/* The reason for one of the errors above, in words. */
const char *safedir_strerror(int err);

#endif
