/* SPDX-License-Identifier: MIT */
/* nltune.conf parsed into a plain struct; the only module that knows libconfuse. */
#ifndef NLTUNE_CONF_H
#define NLTUNE_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLT_CONF_DEFAULT_PATH "/etc/nltune/nltune.conf"
#define NLT_EX_CONFIG	      78
#define NLT_IGNORE_MAX	      32
#define NLT_COMM_LEN	      16

enum nlt_policy { NLT_POLICY_RAISE_ONLY, NLT_POLICY_EXACT, NLT_POLICY_OBSERVE };
/* hide-owners: whether callers other than root see the owners of other users' sockets. */
enum nlt_hide { NLT_HIDE_AUTO, NLT_HIDE_YES, NLT_HIDE_NO };

struct nlt_conf {
	enum nlt_policy policy;
	uint32_t window_ms;	   /* ms a listener may stall while a burst arrives */
	double headroom;	   /* factor over the measured need, >= 1 */
	uint64_t floor;		   /* bytes */
	uint64_t ceiling;	   /* bytes; 0 = auto: min(32 MiB, MemTotal/32) */
	uint32_t history;	   /* boots of history kept and used */
	uint64_t monitor_buffer;   /* bytes: nltuned's own uevent socket; 0 = auto */
	uint32_t scan_interval_ms; /* ms between netlink socket scans */
	char state_dir[PATH_MAX];
	char sysctl_dir[PATH_MAX];
	char metrics_file[PATH_MAX]; /* "" = none */
	uint64_t alert_min_drops;    /* drops per scan that make an alert */
	uint32_t alert_interval_ms;  /* one alert per socket and kind per interval */
	size_t n_ignore_comm;
	char ignore_comm[NLT_IGNORE_MAX][NLT_COMM_LEN];
	bool autofix;
	enum nlt_hide hide_owners; /* auto: hide when /proc is mounted with hidepid */
};

/* Fill c with the built-in defaults (nltune.conf(5)). */
void nlt_conf_defaults(struct nlt_conf *c);

/*
 * Parse path into c (defaults first, then the file). A missing file leaves the
 * defaults and returns 0. On a configuration error returns -EINVAL with
 * "FILE:LINE: what is wrong" in err and c unspecified; never logs.
 */
int nlt_conf_load(struct nlt_conf *c, const char *path, char *err, size_t errlen);

/* The same for an in-memory document of len bytes; name stands for FILE. */
int nlt_conf_load_buffer(struct nlt_conf *c, const char *name, const char *buf, size_t len,
			 char *err, size_t errlen);

const char *nlt_policy_name(enum nlt_policy p);
const char *nlt_hide_name(enum nlt_hide h);

#endif
