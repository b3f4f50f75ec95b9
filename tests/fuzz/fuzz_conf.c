/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for nlt_conf_load_buffer(): any text in, a valid config or a clean error. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* A NUL-terminated string of at most len - 1 bytes inside s[0..len). */
static int terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* Every accepted value lies in the range conf.c documents for it. */
static void check_valid(const struct nlt_conf *c)
{
	size_t i;

	check(c->policy == NLT_POLICY_RAISE_ONLY || c->policy == NLT_POLICY_EXACT ||
	      c->policy == NLT_POLICY_OBSERVE);
	check(c->window_ms >= 10 && c->window_ms <= 60 * 1000);
	check(c->headroom >= 1.0 && c->headroom <= 100.0);
	check(c->floor >= 2304 && c->floor <= 1024ull * 1024 * 1024);
	check(c->ceiling == 0 || (c->ceiling >= 4096 && c->ceiling <= INT32_MAX));
	check(c->ceiling == 0 || c->floor <= c->ceiling);
	check(c->history >= 1 && c->history <= 100);
	check(c->monitor_buffer == 0 ||
	      (c->monitor_buffer >= 64 * 1024 && c->monitor_buffer <= 1024ull * 1024 * 1024));
	check(c->scan_interval_ms >= 100 && c->scan_interval_ms <= 24u * 3600 * 1000);
	check(c->alert_min_drops >= 1 && c->alert_min_drops <= INT32_MAX);
	check(c->alert_interval_ms <= 24u * 3600 * 1000);
	check(terminated(c->state_dir, sizeof(c->state_dir)) && c->state_dir[0] == '/');
	check(terminated(c->sysctl_dir, sizeof(c->sysctl_dir)) && c->sysctl_dir[0] == '/');
	check(terminated(c->metrics_file, sizeof(c->metrics_file)));
	check(c->metrics_file[0] == '\0' || c->metrics_file[0] == '/');
	check(c->n_ignore_comm <= NLT_IGNORE_MAX);
	for (i = 0; i < c->n_ignore_comm; i++)
		check(terminated(c->ignore_comm[i], NLT_COMM_LEN) && c->ignore_comm[i][0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nlt_conf c, before;
	char err[512];
	size_t i;
	int r;

	/* A sentinel config, so that an error that writes into c shows. */
	nlt_conf_defaults(&c);
	c.history = 77;
	memcpy(&before, &c, sizeof(before));
	memset(err, 'x', sizeof(err));

	r = nlt_conf_load_buffer(&c, "fuzz.conf", (const char *)data, size, err, sizeof(err));
	check(terminated(err, sizeof(err)));
	if (r == 0) {
		check(err[0] == '\0');
		check_valid(&c);
		return 0;
	}
	check(r == -EINVAL || r == -ENOMEM);
	/* conf.c: "on error c is left as it was, so a reload can keep the old configuration". */
	check(memcmp(&c, &before, sizeof(c)) == 0);
	/* "FILE:LINE: message" with the file's control characters masked. */
	check(!strncmp(err, "fuzz.conf:", 10) && err[10] != '\0');
	for (i = 0; err[i]; i++)
		check((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
	return 0;
}
