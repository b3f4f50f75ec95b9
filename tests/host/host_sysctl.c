/* SPDX-License-Identifier: MIT */
/* sysctl_apply on the real /proc/sys/net/core, restored in teardown whatever happens. Run as
 * root by tests/integration/host.sh. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "paths.h"
#include "sysctl.h"

/* The real /proc/sys: the values found are written back in teardown whatever happens. */
struct real {
	bool saved;
	struct rmem orig;
};

static int real_setup(void **state)
{
	struct real *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	paths_set_proc("/proc");
	s->saved = sysctl_read(&s->orig) == 0;
	*state = s;
	return 0;
}

static int raw_put(const char *path, uint64_t v)
{
	char buf[32];
	int fd, n, r = 0;

	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

static int real_teardown(void **state)
{
	static const char def[] = "/proc/sys/net/core/rmem_default";
	static const char max[] = "/proc/sys/net/core/rmem_max";
	struct real *s = *state;
	struct rmem now;
	int r = 0;

	if (s->saved && geteuid() == 0 && sysctl_read(&now) == 0 &&
	    memcmp(&now, &s->orig, sizeof(now)) != 0) {
		if (now.rmem_default <= s->orig.rmem_max)
			r = raw_put(max, s->orig.rmem_max) ?: raw_put(def, s->orig.rmem_default);
		else
			r = raw_put(def, s->orig.rmem_default) ?: raw_put(max, s->orig.rmem_max);
		if (r < 0)
			print_error("could not restore rmem_default=%" PRIu64 " rmem_max=%" PRIu64
				    ": %s\n",
				    s->orig.rmem_default, s->orig.rmem_max, strerror(-r));
	}
	free(s);
	return r;
}

static void skip_unless_real_writable(const struct real *s)
{
	int fd;

	if (geteuid() != 0) {
		print_message("skipped: writing /proc/sys needs root\n");
		skip();
	}
	assert_true(s->saved);
	fd = open("/proc/sys/net/core/rmem_max", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		print_message("skipped: /proc/sys/net/core/rmem_max: %s (not the initial network "
			      "namespace, or /proc/sys read-only)\n",
			      strerror(errno));
		skip();
	}
	close(fd);
}

static void test_sysctl_real_apply_same_values_changes_nothing(void **state)
{
	struct real *s = *state;
	struct rmem before, after, now;
	char err[256];

	skip_unless_real_writable(s);
	assert_int_equal(sysctl_apply(&s->orig, true, true, &before, &after, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_memory_equal(&before, &s->orig, sizeof(before));
	assert_memory_equal(&after, &s->orig, sizeof(after));
	assert_int_equal(sysctl_read(&now), 0);
	assert_memory_equal(&now, &s->orig, sizeof(now));
}

/* The kernel refuses a default below SOCK_MIN_RCVBUF after rmem_max was raised. */
static void test_sysctl_real_einval_below_floor_restores_max(void **state)
{
	struct real *s = *state;
	struct rmem want, before, after, now;
	char err[512], want_err[512];

	skip_unless_real_writable(s);
	want.rmem_default = 1000;
	want.rmem_max = s->orig.rmem_max + 4096;
	assert_int_equal(sysctl_apply(&want, true, true, &before, &after, err, sizeof(err)),
			 -EINVAL);
	snprintf(want_err, sizeof(want_err),
		 "writing 1000 to /proc/sys/net/core/rmem_default: Invalid argument; "
		 "rmem_max restored to %" PRIu64,
		 s->orig.rmem_max);
	assert_string_equal(err, want_err);
	assert_memory_equal(&after, &s->orig, sizeof(after));
	assert_int_equal(sysctl_read(&now), 0);
	assert_memory_equal(&now, &s->orig, sizeof(now));
}

#define REAL_TEST(f) cmocka_unit_test_setup_teardown(f, real_setup, real_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		REAL_TEST(test_sysctl_real_apply_same_values_changes_nothing),
		REAL_TEST(test_sysctl_real_einval_below_floor_restores_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
