/* SPDX-License-Identifier: MIT */
/*
 * Tests of the meter (meter.c over uevmon.c) fed recorded uevents without reading the kernel:
 * linked with -Wl,--wrap=recvmmsg (and __recvmmsg64), so uevmon's batched reads take their
 * datagrams from the fixture tests/fixtures/uevents/capture (or from datagrams a test builds: a
 * coldplug, a foreign sender, an overlong one, ENOBUFS). The socket itself is real; nothing is
 * sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "meter.h"
#include "uevent.h"
#include "unit.h"

#define MS     1000ull
#define GAP_MS 200
#define BASE   (1000 * 1000 * MS) /* monotonic time of the first datagram */
#define NMAX   5000		  /* datagrams a test feeds at most: more than one read takes */

/* One datagram as recvmmsg hands it over, or an error (err) in its place. */
struct dgram {
	uint64_t t_us; /* from the first one */
	size_t len;
	char *buf;
	uint32_t pid;	 /* sender port: 0 for the kernel */
	uint32_t groups; /* the group it was sent to, as recvmsg's mask: 0 means 1 */
	int err;
};

/* What __wrap_recvmmsg serves: d[next..n) up to time upto_us. */
static struct {
	struct dgram d[NMAX];
	size_t n, next;
	uint64_t upto_us;
	size_t calls;
} feed;

int __wrap_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
		    struct timespec *timeout);

int __wrap_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
		    struct timespec *timeout)
{
	unsigned int i = 0;

	(void)fd;
	(void)flags;
	(void)timeout;
	feed.calls++;
	while (i < vlen && feed.next < feed.n && feed.d[feed.next].t_us <= feed.upto_us) {
		const struct dgram *d = &feed.d[feed.next];
		struct msghdr *h = &msgs[i].msg_hdr;
		struct sockaddr_nl *from = h->msg_name;
		size_t room = h->msg_iov[0].iov_len, n = d->len < room ? d->len : room;

		if (d->err) {
			if (i > 0)
				break; /* the error comes with the next call, as the kernel's would
					*/
			feed.next++;
			errno = d->err;
			return -1;
		}
		memcpy(h->msg_iov[0].iov_base, d->buf, n);
		msgs[i].msg_len = (unsigned int)n;
		h->msg_flags = d->len > room ? MSG_TRUNC : 0;
		assert_true(h->msg_namelen >= sizeof(*from));
		memset(from, 0, sizeof(*from));
		from->nl_family = AF_NETLINK;
		from->nl_pid = d->pid;
		from->nl_groups = d->groups ? d->groups : 1;
		h->msg_namelen = sizeof(*from);
		i++;
		feed.next++;
	}
	if (i == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (int)i;
}

/* 32-bit glibc with a 64-bit time_t (-D_TIME_BITS=64: armhf) names recvmmsg() so. */
int __wrap___recvmmsg64(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
			struct timespec *timeout);

int __wrap___recvmmsg64(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
			struct timespec *timeout)
{
	return __wrap_recvmmsg(fd, msgs, vlen, flags, timeout);
}

static void feed_reset(void)
{
	for (size_t i = 0; i < feed.n; i++)
		free(feed.d[i].buf);
	memset(&feed, 0, sizeof(feed));
}

static void feed_add(uint64_t t_us, const char *buf, size_t len, uint32_t pid, int err)
{
	struct dgram *d = &feed.d[feed.n++];

	assert_true(feed.n <= NMAX);
	d->t_us = t_us;
	d->len = len;
	d->buf = malloc(len + 1);
	assert_non_null(d->buf);
	memcpy(d->buf, buf, len);
	d->pid = pid;
	d->err = err;
}

/*
 * udevd's re-broadcast of an event to group 2, from port pid: the libudev
 * header, then props (props_len bytes, each KEY=VALUE NUL-terminated).
 */
static size_t feed_udev(uint64_t t_us, uint32_t pid, uint32_t groups, const char *props,
			size_t props_len)
{
	uint32_t hdr[8] = { htonl(UEVENT_UDEV_MAGIC), 40, 40, (uint32_t)props_len, 0, 0, 0, 0 };
	char buf[2048];

	assert_true(40 + props_len <= sizeof(buf));
	memcpy(buf, "libudev", 8);
	memcpy(buf + 8, hdr, sizeof(hdr));
	memcpy(buf + 40, props, props_len);
	feed_add(t_us, buf, 40 + props_len, pid, 0);
	feed.d[feed.n - 1].groups = groups;
	return 40 + props_len;
}

/* A kernel uevent: "ACTION@DEVPATH" then KEY=VALUE, each NUL-terminated. */
static void feed_event(uint64_t t_us, const char *action, const char *devpath,
		       const char *subsystem, uint64_t seqnum, const char *extra)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "%s@%s%cACTION=%s%cDEVPATH=%s%cSUBSYSTEM=%s%cSEQNUM=%llu%c%s", action, devpath,
		     0, action, 0, devpath, 0, subsystem, 0, (unsigned long long)seqnum, 0,
		     extra ? extra : "");
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	feed_add(t_us, buf, (size_t)n + (extra ? 1 : 0), 0, 0);
}

/*
 * tests/fixtures/uevents/capture: records "T_US LEN\n" + LEN bytes of the datagram + "\n",
 * as a NETLINK_KOBJECT_UEVENT listener received them (T_US from the first).
 */
static void feed_capture(void)
{
	char path[4096], *text, *p, *end;
	size_t len;

	text = unit_slurp(unit_fixture(path, sizeof(path), "uevents/capture"), &len);
	assert_non_null(text);
	for (p = text, end = text + len; p < end;) {
		unsigned long long t, n;
		char *nl = memchr(p, '\n', (size_t)(end - p));

		assert_non_null(nl);
		assert_int_equal(sscanf(p, "%llu %llu", &t, &n), 2);
		p = nl + 1;
		assert_true(n <= (size_t)(end - p) && p[n] == '\n');
		feed_add(t, p, n, 0, 0);
		p += n + 1;
	}
	free(text);
	assert_true(feed.n > 0);
}

struct fx {
	struct unit_machine m;
	struct meter mt;
	struct burst bursts[64];
	size_t nbursts;
	const struct coldmeter *cold;
	size_t ncold;
};

static void on_burst(void *arg, const struct burst *b)
{
	struct fx *f = arg;

	assert_true(f->nbursts < 64);
	f->bursts[f->nbursts++] = *b;
}

static void on_coldplug(void *arg, const struct coldmeter *c)
{
	struct fx *f = arg;

	f->cold = c;
	f->ncold++;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -1;
	unit_machine_up(&f->m, "system"); /* the charge model from its slab sizes */
	feed_reset();
	r = meter_open(&f->mt, 1 << 20, 1000, GAP_MS, on_burst, f);
	if (r < 0) {
		unit_machine_down(&f->m);
		free(f);
		print_message("skipped: no NETLINK_KOBJECT_UEVENT socket here (%s)\n",
			      strerror(-r));
		skip();
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	meter_close(&f->mt);
	feed_reset();
	unit_machine_down(&f->m);
	free(f);
	return 0;
}

/* Read every datagram as the daemon's loop would: at each arrival time, then quiet. */
static void replay(struct fx *f)
{
	for (size_t i = 0; i < feed.n; i++) {
		if (i + 1 < feed.n && feed.d[i + 1].t_us == feed.d[i].t_us)
			continue;
		feed.upto_us = feed.d[i].t_us;
		assert_true(meter_read(&f->mt, BASE + feed.upto_us) >= 0);
	}
	assert_int_equal(feed.next, feed.n);
	meter_tick(&f->mt, BASE + feed.d[feed.n - 1].t_us + GAP_MS * MS, 0);
}

static const char *key_of(const struct dgram *d, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < d->len; i += strlen(d->buf + i) + 1)
		if (!strncmp(d->buf + i, key, klen) && d->buf[i + klen] == '=')
			return d->buf + i + klen + 1;
	return NULL;
}

/* The recorded uevents: every one counted once, split into bursts at quiet gaps. */
static void test_meter_capture_counts_every_event_in_gap_bursts(void **state)
{
	struct fx *f = *state;
	uint64_t bytes = 0, events = 0, burst_events = 0, burst_bytes = 0, net = 0;
	size_t nbursts = 0;
	const char *sub;

	feed_capture();
	for (size_t i = 0; i < feed.n; i++) {
		feed.d[i].buf[feed.d[i].len] = '\0';
		if (i == 0 || feed.d[i].t_us - feed.d[i - 1].t_us >= GAP_MS * MS)
			nbursts++;
		events++;
		bytes += charge_of(&f->mt.model, feed.d[i].len);
		sub = key_of(&feed.d[i], "SUBSYSTEM");
		net += sub && !strcmp(sub, "net");
	}
	replay(f);
	assert_int_equal(f->mt.malformed, 0);
	assert_int_equal(f->mt.stats.total_events, events);
	assert_int_equal(f->mt.stats.total_bytes, bytes);
	assert_int_equal(f->nbursts, nbursts);
	for (size_t i = 0; i < f->nbursts; i++) {
		burst_events += f->bursts[i].events;
		burst_bytes += f->bursts[i].bytes;
	}
	assert_int_equal(burst_events, events);
	assert_int_equal(burst_bytes, bytes);
	for (size_t i = 0; i < f->mt.stats.nsubsys; i++)
		if (!strcmp(f->mt.stats.subsys[i].name, "net"))
			assert_int_equal(f->mt.stats.subsys[i].events, net);
	assert_true(burst_peak_events(&f->mt.stats) >= 1);
	assert_true(burst_peak_events(&f->mt.stats) <= events);
	/* batched: fewer reads than datagrams when they came together */
	assert_true(feed.calls <= 2 * feed.n);
}

/* What is not a kernel uevent is counted apart and never charged. */
static void test_meter_counts_foreign_truncated_and_malformed_apart(void **state)
{
	struct fx *f = *state;
	static const char junk[] = "no at sign here\0KEY=1";
	char *big = malloc(UEVENT_MAX_SIZE + 100);

	assert_non_null(big);
	memset(big, 'x', UEVENT_MAX_SIZE + 100);
	feed_event(0, "change", "/devices/virtual/net/lo", "net", 1, NULL);
	feed_add(1 * MS, "change@/x\0ACTION=change", 23, 4242, 0); /* a process, not the kernel */
	feed_add(2 * MS, big, UEVENT_MAX_SIZE + 100, 0, 0);	   /* longer than the buffer */
	feed_add(3 * MS, junk, sizeof(junk), 0, 0);		   /* no ACTION@DEVPATH */
	feed_event(4 * MS, "change", "/devices/virtual/net/lo", "net", 2, NULL);
	free(big);
	replay(f);
	assert_int_equal(f->mt.mon.foreign, 1);
	assert_int_equal(f->mt.mon.truncated, 1);
	assert_int_equal(f->mt.malformed, 1);
	assert_int_equal(f->mt.stats.total_events, 2);
	assert_int_equal(f->nbursts, 1);
	assert_int_equal(f->bursts[0].events, 2);
	assert_int_equal(f->bursts[0].end_us - f->bursts[0].start_us, 4 * MS);
}

/* ENOBUFS (the kernel dropped for us) is counted and reading goes on. */
static void test_meter_enobufs_counted_and_read_goes_on(void **state)
{
	struct fx *f = *state;

	feed_event(0, "add", "/devices/a", "block", 1, NULL);
	feed_add(0, "", 0, 0, ENOBUFS);
	feed_event(0, "add", "/devices/b", "block", 3, NULL);
	feed.upto_us = 0;
	/* a short batch ends a read; the error comes with the next one, which goes on past it */
	assert_int_equal(meter_read(&f->mt, BASE), 1);
	assert_int_equal(f->mt.mon.enobufs, 0);
	assert_int_equal(meter_read(&f->mt, BASE), 1);
	assert_int_equal(f->mt.mon.enobufs, 1);
	assert_int_equal(f->mt.stats.total_events, 2);
	assert_int_equal(feed.next, feed.n);
}

/* A storm is read in slices (METER_READ_MAX): the rest waits for the next call. */
static void test_meter_read_is_bounded_per_call(void **state)
{
	struct fx *f = *state;
	int a, b;

	for (uint64_t i = 0; i < NMAX; i++)
		feed_event(0, "change", "/devices/virtual/net/lo", "net", i + 1, NULL);
	feed.upto_us = 0;
	a = meter_read(&f->mt, BASE);
	b = meter_read(&f->mt, BASE);
	assert_true(a > 0 && a < NMAX);
	assert_int_equal(a + b, NMAX);
	assert_int_equal(f->mt.stats.total_events, NMAX);
}

/* udev's trigger: synthetic adds (SYNTH_UUID) make the coldplug, told once when quiet. */
static void test_meter_coldplug_from_synthetic_adds(void **state)
{
	struct fx *f = *state;
	uint64_t t = 0;

	meter_watch_coldplug(&f->mt, 40, on_coldplug, NULL);
	feed_event(t, "change", "/devices/virtual/net/lo", "net", 1,
		   NULL); /* before: not counted */
	for (int i = 0; i < 30; i++) {
		char dev[64];

		t += 1 * MS;
		snprintf(dev, sizeof(dev), "/devices/platform/d%d", i);
		feed_event(t, "add", dev, "platform", 2 + (uint64_t)i, "SYNTH_UUID=0");
	}
	t += 1 * MS;
	feed_event(t, "bind", "/devices/platform/d0", "platform", 40, NULL); /* a driver's own */
	replay(f);
	assert_int_equal(f->ncold, 0); /* not quiet long enough yet */
	assert_true(meter_coldplug_deadline(&f->mt) < UINT64_MAX);
	meter_tick(&f->mt, meter_coldplug_deadline(&f->mt), 0);
	assert_int_equal(f->ncold, 1);
	assert_int_equal(f->cold->synth, 30);
	assert_int_equal(f->cold->c_events, 31);
	meter_tick(&f->mt, meter_coldplug_deadline(&f->mt) + 10000 * MS, 0);
	assert_int_equal(f->ncold, 1);
}

static void on_udev_burst(void *arg, const struct burst *b)
{
	struct fx *f = arg;

	assert_true(f->nbursts < 64);
	f->bursts[f->nbursts] = *b;
	f->bursts[f->nbursts++].nsubsys = 1000; /* marks group 2's */
}

/*
 * Group 2: udevd's datagrams (a process's port) are charged by their whole
 * length and counted apart from group 1's; each group takes its own format only.
 */
static void test_meter_keeps_udev_group_apart(void **state)
{
	static const char props[] = "ACTION=add\0DEVPATH=/devices/virtual/net/lo\0SUBSYSTEM=net\0"
				    "SEQNUM=7\0ID_NET_NAME=lo\0TAGS=:systemd:";
	struct fx *f = *state;
	size_t len;

	f->mt.on_udev_burst = on_udev_burst;
	feed_event(0, "add", "/devices/virtual/net/lo", "net", 7, NULL);
	len = feed_udev(1 * MS, 4242, 2, props, sizeof(props));
	feed_udev(2 * MS, 4242, 2, props, sizeof(props));
	feed_udev(3 * MS, 4242, 1, props, sizeof(props));    /* libudev on group 1: foreign */
	feed_udev(4 * MS, 0, 1, props, sizeof(props));	     /* ... even from the kernel's port */
	feed_add(5 * MS, "add@/x\0ACTION=add", 18, 4242, 0); /* kernel format on group 2 */
	feed.d[feed.n - 1].groups = 2;
	replay(f);
	assert_int_equal(f->mt.stats.total_events, 1);
	assert_int_equal(f->mt.udev_stats.total_events, 2);
	assert_int_equal(f->mt.udev_stats.total_bytes, 2 * (uint64_t)charge_of(&f->mt.model, len));
	assert_int_equal(burst_peak_events(meter_stats(&f->mt, UEVENT_GROUP_UDEV)), 2);
	assert_ptr_equal(meter_stats(&f->mt, UEVENT_GROUP_KERNEL), &f->mt.stats);
	assert_null(meter_stats(&f->mt, 3));
	assert_int_equal(f->mt.mon.foreign, 1);
	assert_int_equal(f->mt.malformed, 2);
	/* each group's burst ends on its own, and is told to its own callback */
	assert_int_equal(f->nbursts, 2);
	assert_int_equal(f->bursts[0].events + f->bursts[1].events, 3);
	assert_int_equal((f->bursts[0].nsubsys == 1000) + (f->bursts[1].nsubsys == 1000), 1);
}

/* The deadline of the next burst end is the nearer of the two groups'. */
static void test_meter_burst_deadline_covers_both_groups(void **state)
{
	static const char props[] = "ACTION=add\0DEVPATH=/devices/x";
	struct fx *f = *state;

	assert_int_equal(meter_burst_deadline(&f->mt), UINT64_MAX);
	feed_event(0, "add", "/devices/x", "net", 1, NULL);
	feed_udev(50 * MS, 99, 2, props, sizeof(props));
	feed.upto_us = 0;
	meter_read(&f->mt, BASE);
	assert_int_equal(meter_burst_deadline(&f->mt), BASE + GAP_MS * MS);
	feed.upto_us = 50 * MS;
	meter_read(&f->mt, BASE + 50 * MS);
	assert_int_equal(meter_burst_deadline(&f->mt), BASE + GAP_MS * MS);
	meter_tick(&f->mt, BASE + GAP_MS * MS, 0); /* group 1's ends, group 2's goes on */
	assert_int_equal(meter_burst_deadline(&f->mt), BASE + 50 * MS + GAP_MS * MS);
	meter_tick(&f->mt, BASE + 50 * MS + GAP_MS * MS, 0);
	assert_int_equal(meter_burst_deadline(&f->mt), UINT64_MAX);
}

/* Group 2's coldplug (udevd re-broadcasting the trigger's adds) is measured on its own. */
static void test_meter_udev_coldplug_apart(void **state)
{
	struct fx *f = *state;
	uint64_t t = 0;

	meter_watch_coldplug(&f->mt, 40, on_coldplug, on_coldplug);
	for (int i = 0; i < 25; i++) {
		char props[256];
		int n;

		t += 1 * MS;
		n = snprintf(props, sizeof(props),
			     "ACTION=add%cDEVPATH=/devices/platform/d%d%cSUBSYSTEM=platform%c"
			     "SYNTH_UUID=0%cSEQNUM=%d",
			     0, i, 0, 0, 0, 2 + i);
		feed_udev(t, 77, 2, props, (size_t)n + 1);
	}
	replay(f);
	meter_tick(&f->mt, meter_coldplug_deadline(&f->mt), 0);
	assert_int_equal(f->ncold, 1);
	assert_ptr_equal(f->cold, &f->mt.udev_cold);
	assert_int_equal(f->mt.udev_cold.synth, 25);
	assert_int_equal(f->mt.cold.synth, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_meter_capture_counts_every_event_in_gap_bursts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_meter_counts_foreign_truncated_and_malformed_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meter_enobufs_counted_and_read_goes_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_meter_read_is_bounded_per_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_meter_keeps_udev_group_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meter_burst_deadline_covers_both_groups, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_meter_udev_coldplug_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meter_coldplug_from_synthetic_adds, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
