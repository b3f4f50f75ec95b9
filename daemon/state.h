/* SPDX-License-Identifier: MIT */
/* Burst history per boot and the coldplug estimate, kept in <state-dir>/state across reboots. */
#ifndef NLTUNE_STATE_H
#define NLTUNE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_VERSION	   3 /* versions 1 (no coldplug-burst, apply) and 2 (no udev lines) load */
#define STATE_MAX_BOOTS	   100 /* the configured history is at most this */
#define STATE_MAX_APPLIES  4   /* writes kept per boot: the first one and the newest */
#define STATE_BOOT_ID_LEN  36  /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
#define STATE_FILE	   "state"
#define STATE_MAX_SIZE	   131072 /* a larger file is refused unread */
#define STATE_LOCK_FILE	   "lock" /* every writer of the state and fix log holds it (flock) */
#define STATE_LOCK_WAIT_MS 2000	  /* a save waits at most this long for another writer */

/* Who wrote the sysctls: apply --boot, the command line, D-Bus Apply, or a revert. */
enum state_by { STATE_BY_BOOT, STATE_BY_CLI, STATE_BY_BUS, STATE_BY_REVERT, STATE_BY_N };

/* One write of net.core.rmem_default/rmem_max: what was in force before and after it. */
struct state_apply {
	uint64_t at; /* unix seconds */
	enum state_by by;
	uint64_t before_default, before_max;
	uint64_t after_default, after_max;
};

struct state_boot {
	char boot_id[STATE_BOOT_ID_LEN + 1];
	uint64_t peak_events; /* in window_ms */
	uint64_t peak_bytes;  /* charged bytes in window_ms */
	uint32_t window_ms;
	uint64_t total_events;
	uint64_t updated; /* unix seconds */
	/* The coldplug burst nltuned measured this boot, all of it (not a window). */
	bool has_coldplug;
	uint64_t coldplug_events, coldplug_bytes, coldplug_ms;
	/* Group 2 (udevd's re-broadcasts): the same figures, kept apart; none when !has_udev. */
	bool has_udev;
	uint64_t udev_peak_events, udev_peak_bytes; /* in window_ms */
	uint64_t udev_total_events;
	bool has_udev_coldplug;
	uint64_t udev_coldplug_events, udev_coldplug_bytes, udev_coldplug_ms;
	size_t napplies; /* oldest first; applies[0] is the boot's first write */
	struct state_apply applies[STATE_MAX_APPLIES];
};

struct state {
	size_t nboots; /* oldest first */
	struct state_boot boots[STATE_MAX_BOOTS];
	bool has_coldplug;
	uint64_t coldplug_devices;	       /* uevent files counted */
	uint64_t coldplug_bytes;	       /* their total charge */
	uint64_t applied_default, applied_max; /* last values nltune wrote; 0 = never */
};

void state_init(struct state *s);

/* True for 36 characters of [0-9a-f-], the form of /proc/sys/kernel/random/boot_id. */
bool state_boot_id_valid(const char *boot_id);

/*
 * Serialize to buf; returns bytes written (without NUL), -ENOSPC, or -EINVAL
 * for what state_parse would refuse (an invalid or repeated boot_id).
 */
int state_format(const struct state *s, char *buf, size_t len);

/*
 * Parse a whole file image. Returns 0, or -EBADMSG for anything damaged
 * (truncated, bad checksum, garbage, empty) and -EPROTONOSUPPORT for another
 * version; on error *s is left initialized and empty. Never logs.
 */
int state_parse(struct state *s, const char *buf, size_t len);

/*
 * Load <dir>/state: 0, -ENOENT (none yet), -EFBIG (over STATE_MAX_SIZE), or a
 * parse/IO error; *s is always usable. Never logs.
 */
int state_load(const char *dir, struct state *s);

/* Which file a load read or a save wrote: another writer's replace changes it. */
struct state_file_id {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

/* state_load() that also says which file it read (zeros when none). */
int state_load_id(const char *dir, struct state *s, struct state_file_id *id);

/* The id of <dir>/state as it is now: 0 or -errno (-ENOENT: none). */
int state_file_stat(const char *dir, struct state_file_id *id);

bool state_file_id_equal(const struct state_file_id *a, const struct state_file_id *b);

/*
 * Take the writers' lock of the directory dfd: an exclusive flock on
 * <dfd>/lock (made 0600, so only its owner can open it, hence hold it),
 * waiting at most STATE_LOCK_WAIT_MS. Returns the fd that holds it (close it
 * to release) or -errno (-ETIMEDOUT: another writer held it all that time).
 */
int state_lock(int dfd);
/*
 * Open the directory dir (safedir_open, created if missing) into *dfd and take its writers'
 * lock: the lock's fd, or -errno with *dfd closed and -1.
 */
int state_lock_dir(const char *dir, int *dfd);

/* A load failed with err because of what the file is, not of reading it: a save replaces it. */
bool state_replaceable(int err);

/*
 * The save of every writer (nltuned, the console, apply --boot): under
 * state_lock(), read <dir>/state again, merge s into it (state_merge with s as
 * src: what another writer recorded since s was read stays), write it
 * atomically, and leave the merged state in *s. A damaged file, or one of
 * another version, or not a regular file, is replaced as state_save() would
 * (state_replaceable); a file that cannot be read for another reason is left
 * alone (-errno). id (may be NULL) gets the
 * written file's id. 0 or -errno; never logs.
 */
int state_save_merged(const char *dir, struct state *s, uint32_t keep, struct state_file_id *id);

/*
 * Write <dir>/state atomically: temp file, fsync, rename, fsync the directory;
 * creates dir (0755, last component only). dir is opened with safedir_open():
 * -ELOOP or -EPERM for a planted symlink or a directory others control.
 * 0 or -errno; on failure the old file stays and no temp file is left. Never
 * logs; not async-signal-safe.
 */
int state_save(const char *dir, const struct state *s);

/* The temporaries of paths_write_atomic(): of the state and of every other file kept beside it. */
#define STATE_TEMP_PATTERN ".*.tmp*"

/* Remove the temporary files a writer killed mid-save left in dir: count or -errno. */
int state_remove_temps(const char *dir);

/*
 * Record this boot's peaks: update the entry of boot_id (peaks only grow;
 * window_ms, total_events and updated are replaced, udev_total_events too when b
 * has_udev, which then marks the entry; its coldplug bursts and
 * writes are kept) or append it, dropping the oldest entries beyond keep boots
 * (0 counts as 1, at most STATE_MAX_BOOTS). An invalid boot_id is ignored:
 * check it first. Returns the entry or NULL.
 */
struct state_boot *state_record_boot(struct state *s, const struct state_boot *b, uint32_t keep);

/*
 * Record a write of the sysctls in boot_id's entry (made if missing, with
 * zero peaks) and make it the state's applied values. A boot keeps its first
 * write and the newest ones (STATE_MAX_APPLIES in all); the same write
 * recorded twice is kept once. 0, or -EINVAL (bad boot_id or by).
 */
int state_record_apply(struct state *s, const char *boot_id, const struct state_apply *a,
		       uint32_t keep);

/* Record boot_id's measured coldplug burst (made if missing); 0 or -EINVAL. */
int state_record_coldplug(struct state *s, const char *boot_id, uint64_t events, uint64_t bytes,
			  uint64_t ms, uint32_t keep);

/* The same for group 2's coldplug burst (udevd's re-broadcasts of it). */
int state_record_udev_coldplug(struct state *s, const char *boot_id, uint64_t events,
			       uint64_t bytes, uint64_t ms, uint32_t keep);

/*
 * Merge src into dst; src is the newer knowledge (this boot's early records
 * kept under the runtime directory, or a writer's state merged into the file
 * it re-read before saving). Per field:
 *   boots        the union by boot id; a boot new to dst is appended whole,
 *                the oldest beyond keep dropped;
 *   peaks        the larger of the two (udev peaks too);
 *   window_ms, total_events, updated  those of the newer `updated`
 *                (udev_total_events: of the newer among those that have one);
 *   coldplug-burst, udev-coldplug-burst  dst's if it has one, else src's;
 *   writes       the union (an identical write is kept once), in time order;
 *                beyond STATE_MAX_APPLIES the boot's first write (the values
 *                revert puts back) and the newest others;
 *   coldplug estimate  src's when src has one;
 *   applied      the after values of the newest write on record, else src's.
 * Merging the same src twice changes nothing.
 */
void state_merge(struct state *dst, const struct state *src, uint32_t keep);

/* Values of rmem_default and rmem_max that were in force earlier this boot. */
struct state_earlier {
	size_t ndefault, nmax;
	uint64_t rmem_default[2 * STATE_MAX_APPLIES];
	uint64_t rmem_max[2 * STATE_MAX_APPLIES];
};

/*
 * Every value boot_id's writes replaced or set, except the ones in force now
 * (now_default, now_max): distinct, in the order written. A socket whose
 * rcvbuf is one of them got it before the last write.
 */
void state_earlier(const struct state *s, const char *boot_id, uint64_t now_default,
		   uint64_t now_max, struct state_earlier *out);

const char *state_by_name(enum state_by by);

/* The entry of boot_id, or NULL. */
const struct state_boot *state_find_boot(const struct state *s, const char *boot_id);

#endif
