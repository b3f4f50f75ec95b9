/* SPDX-License-Identifier: MIT */
/* Who holds a socket: one walk of <proc>/<pid>/fd per request, and a cache sorted by inode. */
#include "owners.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nlscan.h"
#include "num.h"
#include "paths.h"
#include "sorted.h"

#define WALK_MAX_PIDS 4194304 /* PID_MAX_LIMIT: a copied tree may hold anything */
#define WALK_MAX_FDS  1000000 /* ~2.5 s of readlink(); past it the walk stops, its finds stand */

struct owners {
	struct owner *v; /* sorted by inode, unique */
	size_t n;
	uint64_t walks; /* of every process, by owners_resolve */
};

/* What one walk learns about one requested inode. */
struct found {
	struct owner o;
	pid_t last;  /* the pid that was counted last: one count per process */
	pid_t first; /* the pid whose comm o.comm holds */
};

struct resolve_ctx {
	const uint64_t *want; /* sorted, unique */
	struct found *found;
	size_t n;
	size_t fds;	/* fd entries looked at so far */
	bool cut;	/* stopped at WALK_MAX_FDS: what was not found is not known */
	pid_t comm_pid; /* comm read once per process, not once per socket */
	char comm[OWNERS_COMM_LEN];
	uid_t uid; /* of comm_pid */
};

struct netns_ctx {
	uint64_t self;
	pid_t *pids;
	uint64_t *netns;
	uint64_t *seen; /* sorted copy of netns[0..count) */
	size_t count, max;
};

struct owners *owners_new(void)
{
	return calloc(1, sizeof(struct owners));
}

void owners_free(struct owners *o)
{
	if (!o)
		return;
	free(o->v);
	free(o);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A sorted, de-duplicated copy of a[0..n) in *out; returns its length or -ENOMEM. */
static ssize_t sorted_set(const uint64_t *a, size_t n, uint64_t **out)
{
	uint64_t *s;
	size_t i, m = 0;

	s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (n)
		memcpy(s, a, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		if (m == 0 || s[m - 1] != s[i])
			s[m++] = s[i];
	*out = s;
	return (ssize_t)m;
}

/* "<prefix>[N]" as the kernel prints socket and namespace links. */
static bool parse_link(const char *link, const char *prefix, uint64_t *v)
{
	size_t plen = strlen(prefix), len = strlen(link);

	if (len < plen + 3 || memcmp(link, prefix, plen) != 0 || link[plen] != '[' ||
	    link[len - 1] != ']')
		return false;
	return num_u64(link + plen + 1, len - plen - 2, UINT64_MAX, v) == 0;
}

/* A process that is gone or not ours to look at is skipped, not an error. */
static bool vanished(int err)
{
	return err == ENOENT || err == ESRCH || err == EACCES || err == EPERM || err == ENOTDIR;
}

/*
 * Call fn for every <proc>/[0-9]* entry (processes: /proc lists no threads).
 * fn returns 0 to go on, 1 to stop, or -errno to fail the walk.
 */
static int for_each_pid(int (*fn)(pid_t pid, void *data), void *data)
{
	struct dirent *de;
	size_t pids = 0;
	DIR *d;
	int r = 0;

	d = opendir(paths_proc());
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		uint64_t pid;

		/* a pid is never written with a leading zero: "0100" is not 100 */
		if (de->d_name[0] == '0' || num_u64_str(de->d_name, INT_MAX, &pid) < 0)
			continue;
		if (++pids > WALK_MAX_PIDS)
			break;
		r = fn((pid_t)pid, data);
		if (r != 0)
			break;
	}
	closedir(d);
	return r < 0 ? r : 0;
}

/* <proc>/<pid>/fd opened as a directory: the fd or -errno. */
static int open_fd_dir(pid_t pid)
{
	char rel[32], path[PATH_MAX];
	int fd, r;

	snprintf(rel, sizeof(rel), "%d/fd", (int)pid);
	r = paths_proc_file(path, sizeof(path), rel);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int owners_check_pid(pid_t pid)
{
	int fd = open_fd_dir(pid);

	if (fd < 0)
		return fd == -ENOENT ? -ESRCH : fd;
	close(fd);
	return 0;
}

/* comm is 15 bytes of anything plus the kernel's newline; kernel threads may show more. */
static void read_comm(pid_t pid, char comm[OWNERS_COMM_LEN])
{
	char rel[32], path[PATH_MAX], buf[128];
	int n;

	memset(comm, 0, OWNERS_COMM_LEN);
	snprintf(rel, sizeof(rel), "%d/comm", (int)pid);
	if (paths_proc_file(path, sizeof(path), rel) < 0)
		return;
	n = paths_read(path, 0, buf, sizeof(buf));
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	memcpy(comm, buf, n < OWNERS_COMM_LEN - 1 ? (size_t)n : OWNERS_COMM_LEN - 1);
}

static uid_t uid_of(pid_t pid)
{
	char rel[32], path[PATH_MAX];
	struct stat st;

	snprintf(rel, sizeof(rel), "%d/fd", (int)pid);
	if (paths_proc_file(path, sizeof(path), rel) < 0 || stat(path, &st) < 0)
		return (uid_t)-1;
	return st.st_uid;
}

static void record(struct found *f, pid_t pid, int fd)
{
	struct owner *o = &f->o;

	if (f->last == pid) {
		/* the same socket twice in one process: list it once, at its lowest fd */
		if (o->npids > 0 && o->pids[o->npids - 1] == pid && fd < o->fds[o->npids - 1])
			o->fds[o->npids - 1] = fd;
		return;
	}
	f->last = pid;
	if (o->npids < OWNERS_MAX_PIDS) {
		o->pids[o->npids] = pid;
		o->fds[o->npids] = fd;
		o->npids++;
	} else {
		o->more++;
	}
}

static int resolve_pid(pid_t pid, void *data)
{
	struct resolve_ctx *c = data;
	char link[64];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0, fd = open_fd_dir(pid);

	if (fd < 0)
		return vanished(-fd) ? 0 : fd;
	if (fstat(fd, &st) < 0)
		st.st_uid = (uid_t)-1;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t num, ino;
		ssize_t len;
		size_t i;

		if (num_u64_str(de->d_name, INT_MAX, &num) < 0)
			continue;
		if (++c->fds > WALK_MAX_FDS) {
			c->cut = true;
			r = 1;
			break;
		}
		len = readlinkat(fd, de->d_name, link, sizeof(link) - 1);
		if (len < 0)
			continue; /* closed meanwhile */
		link[len] = '\0';
		if (!parse_link(link, "socket:", &ino))
			continue;
		i = SORTED_FIND_U64(c->want, c->n, ino);
		if (i == c->n)
			continue;
		if (c->found[i].o.npids == 0 && c->found[i].o.more == 0) {
			if (c->comm_pid != pid) {
				read_comm(pid, c->comm);
				c->comm_pid = pid;
			}
			memcpy(c->found[i].o.comm, c->comm, OWNERS_COMM_LEN);
			c->found[i].o.uid = st.st_uid;
			c->found[i].first = pid;
		}
		record(&c->found[i], pid, (int)num);
	}
	closedir(d);
	return r;
}

static void sort_holders(struct owner *o)
{
	size_t i, j;

	/* at most OWNERS_MAX_PIDS, usually in order already: insertion sort */
	for (i = 1; i < o->npids; i++) {
		pid_t p = o->pids[i];
		int fd = o->fds[i];

		for (j = i; j > 0 && o->pids[j - 1] > p; j--) {
			o->pids[j] = o->pids[j - 1];
			o->fds[j] = o->fds[j - 1];
		}
		o->pids[j] = p;
		o->fds[j] = fd;
	}
}

/* Does a fresh entry replace the cached one: found, or known to have no holder. */
static bool takes(const struct found *f, bool missing_known)
{
	return missing_known || f->o.npids || f->o.more;
}

/*
 * The cache after a look: every fresh entry that takes (see takes()), and
 * every old entry of another inode, in inode order. No cap: the caller asks
 * for at most its rows, and a cap here would leave rows unresolved forever.
 */
static int merge(struct owners *o, const struct found *fresh, size_t nf, bool missing_known)
{
	size_t i = 0, j = 0, k = 0;
	struct owner *v;

	v = malloc((o->n + nf ? o->n + nf : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (i < o->n || j < nf) {
		if (j < nf && (i == o->n || fresh[j].o.inode <= o->v[i].inode)) {
			bool same = i < o->n && o->v[i].inode == fresh[j].o.inode;

			if (takes(&fresh[j], missing_known))
				v[k++] = fresh[j].o;
			else if (same)
				v[k++] = o->v[i];
			i += same;
			j++;
		} else {
			v[k++] = o->v[i++];
		}
	}
	free(o->v);
	o->v = v;
	o->n = k;
	return 0;
}

/*
 * Ready c to look for the distinct inodes of inodes[n], each "not found" yet: 0 or -errno.
 * c->want and c->found are the caller's to free, whatever the result.
 */
static int resolve_begin(struct resolve_ctx *c, const uint64_t *inodes, size_t n)
{
	uint64_t *want = NULL;
	ssize_t m = sorted_set(inodes, n, &want);

	if (m < 0)
		return (int)m;
	c->want = want;
	c->n = (size_t)m;
	c->found = calloc(c->n, sizeof(*c->found));
	if (!c->found)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		c->found[i].o.inode = c->want[i];
	return 0;
}

int owners_resolve(struct owners *o, const uint64_t *inodes, size_t n)
{
	struct resolve_ctx c = { 0 };
	size_t i;
	int r, found = 0;

	if (n == 0)
		return 0;
	r = resolve_begin(&c, inodes, n);
	if (r < 0)
		goto out;
	o->walks++;
	r = for_each_pid(resolve_pid, &c);
	if (r < 0)
		goto out;
	for (i = 0; i < c.n; i++) {
		struct owner *w = &c.found[i].o;

		if (w->npids == 0)
			continue;
		sort_holders(w);
		if (w->pids[0] != c.found[i].first) { /* /proc listed a later pid first */
			read_comm(w->pids[0], w->comm);
			w->uid = uid_of(w->pids[0]);
		}
		found++;
	}
	r = merge(o, c.found, c.n, !c.cut);
	if (r == 0)
		r = found;
out:
	free(c.found);
	free((void *)c.want);
	return r;
}

int owners_resolve_pid(struct owners *o, pid_t pid, const uint64_t *inodes, size_t n)
{
	struct resolve_ctx c = { 0 };
	size_t i;
	int r, found = 0;

	r = owners_check_pid(pid);
	if (r < 0 || n == 0)
		return r;
	r = resolve_begin(&c, inodes, n);
	if (r < 0)
		goto out;
	r = resolve_pid(pid, &c);
	if (r < 0)
		goto out;
	for (i = 0; i < c.n; i++)
		found += c.found[i].o.npids > 0;
	r = merge(o, c.found, c.n, false);
	if (r == 0)
		r = found;
out:
	free(c.found);
	free((void *)c.want);
	return r;
}

uint64_t owners_walks(const struct owners *o)
{
	return o ? o->walks : 0;
}

const struct owner *owners_get(const struct owners *o, uint64_t inode)
{
	size_t i;

	if (!o || o->n == 0)
		return NULL;
	i = SORTED_FIND(o->v, o->n, inode, inode);
	return i < o->n ? &o->v[i] : NULL;
}

size_t owners_count(const struct owners *o)
{
	return o ? o->n : 0;
}

const struct owner *owners_at(const struct owners *o, size_t i)
{
	return &o->v[i];
}

static bool ascending(const uint64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (a[i - 1] >= a[i])
			return false;
	return true;
}

void owners_retain(struct owners *o, const uint64_t *live, size_t n)
{
	if (ascending(live, n)) {
		size_t i, j = 0, k = 0;

		/* both sorted: one merge, no copy */
		for (i = 0; i < o->n; i++) {
			while (j < n && live[j] < o->v[i].inode)
				j++;
			if (j < n && live[j] == o->v[i].inode)
				o->v[k++] = o->v[i];
		}
		o->n = k;
		return;
	}

	uint64_t *set = NULL;
	ssize_t m = sorted_set(live, n, &set);
	size_t i, j, k = 0;

	for (i = 0; i < o->n; i++) {
		bool keep;

		if (m >= 0) {
			keep = SORTED_FIND_U64(set, (size_t)m, o->v[i].inode) < (size_t)m;
		} else {
			/* out of memory: the slow way rather than a wrong answer */
			keep = false;
			for (j = 0; j < n && !keep; j++)
				keep = live[j] == o->v[i].inode;
		}
		if (keep)
			o->v[k++] = o->v[i];
	}
	o->n = k;
	free(set);
}

static int netns_pid(pid_t pid, void *data)
{
	struct netns_ctx *c = data;
	uint64_t ns;
	size_t lo;

	if (nlscan_netns_of(pid, &ns) < 0 || ns == c->self)
		return 0; /* gone, a zombie, or not ours */
	lo = SORTED_LOWER_U64(c->seen, c->count, ns);
	if (lo < c->count && c->seen[lo] == ns)
		return 0;
	memmove(&c->seen[lo + 1], &c->seen[lo], (c->count - lo) * sizeof(*c->seen));
	c->seen[lo] = ns;
	c->pids[c->count] = pid;
	c->netns[c->count] = ns;
	c->count++;
	return c->count == c->max;
}

int owners_netns_pids(uint64_t netns_self, pid_t *pids, uint64_t *netns, size_t max)
{
	struct netns_ctx c = { .self = netns_self, .pids = pids, .netns = netns, .max = max };
	int r;

	if (max == 0)
		return 0;
	if (max > INT_MAX)
		c.max = max = INT_MAX;
	c.seen = malloc(max * sizeof(*c.seen));
	if (!c.seen)
		return -ENOMEM;
	r = for_each_pid(netns_pid, &c);
	free(c.seen);
	return r < 0 ? r : (int)c.count;
}
