/* SPDX-License-Identifier: MIT */
/* Reads nltune.conf with libconfuse into a plain struct nlt_conf; nothing else knows libconfuse. */
#include "conf.h"

#include <confuse.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "paths.h"
#include "sanitize.h"

#define KIB    1024L
#define MIB    (1024L * KIB)
#define GIB    (1024L * MIB)
#define DAY_MS (24L * 3600 * 1000)

/* A configuration is a few hundred bytes; anything this big is not one. */
#define CONF_MAX_BYTES (1024 * 1024)

/* The built-in defaults (nltune.conf(5)), shared by nlt_conf_defaults() and the option table. */
#define DEF_POLICY	      NLT_POLICY_RAISE_ONLY
#define DEF_WINDOW_MS	      1000
#define DEF_HEADROOM	      2.0
#define DEF_FLOOR	      212992
#define DEF_CEILING	      0 /* auto: min(32 MiB, MemTotal/32), resolved by the caller */
#define DEF_HISTORY	      5
#define DEF_MONITOR_BUFFER    0 /* auto: min(16 MiB, MemTotal/16), resolved by the caller */
#define DEF_SCAN_INTERVAL_MS  2000
#define DEF_STATE_DIR	      "/var/lib/nltune"
#define DEF_SYSCTL_DIR	      "/etc/sysctl.d"
#define DEF_METRICS_FILE      ""
#define DEF_ALERT_MIN_DROPS   1
#define DEF_ALERT_INTERVAL_MS 10000
#define DEF_AUTOFIX	      cfg_false
#define DEF_HIDE_OWNERS	      NLT_HIDE_AUTO

static int parse_policy(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int parse_hide(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int parse_number(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int parse_headroom(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

/* Units: counts are plain; ms = milliseconds or an ms/s suffix; bytes = bytes or K/M/G. */
static cfg_opt_t alert_opts[] = {
	CFG_INT_CB("min-drops", DEF_ALERT_MIN_DROPS, CFGF_NONE, parse_number),	/* drops/scan */
	CFG_INT_CB("interval", DEF_ALERT_INTERVAL_MS, CFGF_NONE, parse_number), /* ms */
	CFG_STR_LIST("ignore-comm", 0, CFGF_NONE), /* comm names, <= 15 bytes each */
	CFG_END()
};

/* The one option table; libconfuse copies it in cfg_init(), so it is never written. */
static cfg_opt_t conf_opts[] = {
	CFG_INT_CB("policy", DEF_POLICY, CFGF_NONE, parse_policy),    /* raise-only|exact|observe */
	CFG_INT_CB("window", DEF_WINDOW_MS, CFGF_NONE, parse_number), /* ms */
	CFG_FLOAT_CB("headroom", DEF_HEADROOM, CFGF_NONE, parse_headroom), /* factor */
	CFG_INT_CB("floor", DEF_FLOOR, CFGF_NONE, parse_number),	   /* bytes */
	CFG_INT_CB("ceiling", DEF_CEILING, CFGF_NONE, parse_number),	   /* bytes, 0 = auto */
	CFG_INT_CB("history", DEF_HISTORY, CFGF_NONE, parse_number),	   /* boots */
	CFG_INT_CB("monitor-buffer", DEF_MONITOR_BUFFER, CFGF_NONE,
		   parse_number), /* bytes, 0 = auto */
	CFG_INT_CB("scan-interval", DEF_SCAN_INTERVAL_MS, CFGF_NONE, parse_number), /* ms */
	CFG_STR("state-dir", DEF_STATE_DIR, CFGF_NONE),	      /* absolute path */
	CFG_STR("sysctl-dir", DEF_SYSCTL_DIR, CFGF_NONE),     /* absolute path */
	CFG_STR("metrics-file", DEF_METRICS_FILE, CFGF_NONE), /* absolute path, "" = none */
	CFG_SEC("alerts", alert_opts, CFGF_NONE),
	CFG_BOOL("autofix", DEF_AUTOFIX, CFGF_NONE),			   /* true|false */
	CFG_INT_CB("hide-owners", DEF_HIDE_OWNERS, CFGF_NONE, parse_hide), /* auto|yes|no */
	CFG_END()
};

enum unit { UNIT_COUNT, UNIT_MS, UNIT_BYTES };

/* Accepted range of every integer option, found by key; paths attach the validator. */
static const struct range {
	const char *path;  /* libconfuse path, "section|key" */
	const char *label; /* how messages name it */
	enum unit unit;
	long min, max;
	int zero_ok; /* 0 is accepted besides [min, max] (ceiling = auto) */
} ranges[] = {
	{ "window", "window", UNIT_MS, 10, 60 * 1000, 0 },
	{ "floor", "floor", UNIT_BYTES, 2304, GIB, 0 },
	{ "ceiling", "ceiling", UNIT_BYTES, 4096, INT32_MAX, 1 }, /* the kernel's int limit */
	{ "history", "history", UNIT_COUNT, 1, 100, 0 },
	{ "monitor-buffer", "monitor-buffer", UNIT_BYTES, 64 * KIB, GIB, 1 },
	{ "scan-interval", "scan-interval", UNIT_MS, 100, DAY_MS, 0 },
	{ "alerts|min-drops", "alerts.min-drops", UNIT_COUNT, 1, INT32_MAX, 0 },
	{ "alerts|interval", "alerts.interval", UNIT_MS, 0, DAY_MS, 0 },
};

#define HEADROOM_MAX 100.0

static const char *const policy_names[] = {
	[NLT_POLICY_RAISE_ONLY] = "raise-only",
	[NLT_POLICY_EXACT] = "exact",
	[NLT_POLICY_OBSERVE] = "observe",
};

static const char *const hide_names[] = {
	[NLT_HIDE_AUTO] = "auto",
	[NLT_HIDE_YES] = "yes",
	[NLT_HIDE_NO] = "no",
};

/*
 * State of one parse. libconfuse hands its callbacks only the cfg_t, and its
 * flex lexer is a process-wide global anyway, so the current parse lives in a
 * static pointer: parsing is not reentrant, exactly like libconfuse itself.
 */
struct conf_parse {
	const char *name;
	char *err;
	size_t errlen;
	int failed;
	int last_line;	/* last line with content; errors at EOF point here */
	int floor_line; /* lines of the last floor/ceiling assignments, 0 = default */
	int ceiling_line;
};

static struct conf_parse *cur;

/* Write "NAME:LINE: message" (or "NAME: message" when line <= 0) into err; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int set_err(struct conf_parse *p, int line,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	p->failed = 1;
	if (!p->err || p->errlen == 0)
		return -EINVAL;
	if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	/* The message quotes the file: keep its control characters off the terminal. */
	sanitize_text(p->err + n, p->errlen - (size_t)n, p->err + n);
	return -EINVAL;
}

/*
 * Every message, libconfuse's own and the validators' below, arrives here and
 * is kept as it is, with FILE:LINE before it. libconfuse's line counter runs
 * past the last line of content at end of file: such an error goes there.
 */
__attribute__((format(printf, 2, 0))) static void conf_errfunc(cfg_t *cfg, const char *fmt,
							       va_list ap)
{
	struct conf_parse *p = cur;
	char msg[256];
	int line = cfg ? cfg->line : 0;

	if (!p || p->failed)
		return;
	if (line > p->last_line)
		line = p->last_line > 0 ? p->last_line : 1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	set_err(p, line, "%s", msg);
}

static const struct range *range_of(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const char *bar = strrchr(ranges[i].path, '|');

		if (strcmp(bar ? bar + 1 : ranges[i].path, key) == 0)
			return &ranges[i];
	}
	return NULL;
}

/* A limit as a user would write it: 60 s, 64K, 1G, 2304. */
static const char *limit_str(char *buf, size_t len, enum unit u, long v)
{
	if (u == UNIT_MS && v != 0 && v % 1000 == 0)
		snprintf(buf, len, "%ld s", v / 1000);
	else if (u == UNIT_MS)
		snprintf(buf, len, "%ld ms", v);
	else if (u == UNIT_BYTES && v != 0 && v % GIB == 0)
		snprintf(buf, len, "%ldG", v / GIB);
	else if (u == UNIT_BYTES && v != 0 && v % MIB == 0)
		snprintf(buf, len, "%ldM", v / MIB);
	else if (u == UNIT_BYTES && v != 0 && v % KIB == 0)
		snprintf(buf, len, "%ldK", v / KIB);
	else
		snprintf(buf, len, "%ld", v);
	return buf;
}

static long unit_scale(enum unit u, const char *suffix)
{
	static const struct {
		enum unit unit;
		const char *suffix;
		long scale;
	} scales[] = {
		{ UNIT_COUNT, "", 1 },	  { UNIT_MS, "", 1 },	    { UNIT_MS, "ms", 1 },
		{ UNIT_MS, "s", 1000 },	  { UNIT_BYTES, "", 1 },    { UNIT_BYTES, "K", KIB },
		{ UNIT_BYTES, "k", KIB }, { UNIT_BYTES, "M", MIB }, { UNIT_BYTES, "m", MIB },
		{ UNIT_BYTES, "G", GIB }, { UNIT_BYTES, "g", GIB },
	};
	size_t i;

	for (i = 0; i < sizeof(scales) / sizeof(scales[0]); i++)
		if (scales[i].unit == u && strcmp(scales[i].suffix, suffix) == 0)
			return scales[i].scale;
	return 0;
}

/*
 * Decimal digits and an optional unit suffix, nothing else: no sign, no
 * spaces, no octal or hex (libconfuse's own strtol(..., 0) would take "010"
 * as 8). Parsed in 64 bits whatever the width of long, so that a 32-bit
 * build judges a value exactly as a 64-bit one does. Returns 0, -EINVAL or
 * -ERANGE (beyond INT64_MAX).
 */
static int parse_scaled(const char *s, enum unit u, int64_t *out)
{
	size_t n = num_digits(s);
	uint64_t v;
	long scale;
	int r;

	r = num_u64(s, n, INT64_MAX, &v);
	if (r < 0)
		return r;
	scale = unit_scale(u, s + n);
	if (scale == 0)
		return -EINVAL;
	if (v > (uint64_t)INT64_MAX / (uint64_t)scale)
		return -ERANGE;
	*out = (int64_t)v * scale;
	return 0;
}

/* The one out-of-range message, for the parser (past long) and the validator alike. */
static void range_error(cfg_t *cfg, const struct range *r, int64_t v)
{
	char lo[32], hi[32];

	limit_str(lo, sizeof(lo), r->unit, r->min);
	limit_str(hi, sizeof(hi), r->unit, r->max);
	cfg_error(cfg, "%s: %" PRId64 "%s is out of range; use %s%s .. %s", r->label, v,
		  r->unit == UNIT_MS	  ? " ms"
		  : r->unit == UNIT_BYTES ? " bytes"
					  : "",
		  r->zero_ok ? "0 (auto) or " : "", lo, hi);
}

static int parse_number(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const what[] = {
		[UNIT_COUNT] = "whole number; write e.g. 5",
		[UNIT_MS] = "duration; write milliseconds, e.g. 1500, 1500ms or 2s",
		[UNIT_BYTES] = "size; write bytes, e.g. 16777216, 16384K, 16M or 1G",
	};
	const struct range *r = range_of(opt->name);
	char lo[32], hi[32];
	int64_t v = 0;
	int e;

	if (!r || !value) {
		cfg_error(cfg, "%s: internal error: no range", opt->name);
		return -1;
	}
	e = parse_scaled(value, r->unit, &v);
	if (e == 0 && v > LONG_MAX) {
		/* Every range ends below LONG_MAX: only a 32-bit long gets here. */
		range_error(cfg, r, v);
		return -1;
	}
	if (e == 0) {
		*(long *)result = (long)v;
		return 0;
	}
	limit_str(lo, sizeof(lo), r->unit, r->min);
	limit_str(hi, sizeof(hi), r->unit, r->max);
	if (value[0] == '-')
		cfg_error(cfg, "%s: '%.40s' is negative; use %s .. %s", r->label, value, lo, hi);
	else if (e == -ERANGE)
		cfg_error(cfg, "%s: '%.40s' is too large; use at most %s", r->label, value, hi);
	else
		cfg_error(cfg, "%s: '%.40s' is not a %s", r->label, value, what[r->unit]);
	return -1;
}

static int validate_range(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct range *r = range_of(opt->name);
	long v = cfg_opt_getnint(opt, 0);

	if (!r)
		return -1;
	if (strcmp(opt->name, "floor") == 0)
		cur->floor_line = cfg->line;
	else if (strcmp(opt->name, "ceiling") == 0)
		cur->ceiling_line = cfg->line;
	if ((v >= r->min && v <= r->max) || (v == 0 && r->zero_ok))
		return 0;
	range_error(cfg, r, v);
	return -1;
}

static int parse_policy(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	size_t i;

	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
		if (value && strcmp(value, policy_names[i]) == 0) {
			*(long *)result = (long)i;
			return 0;
		}
	}
	cfg_error(cfg, "%s: unknown policy '%.40s'; use raise-only, exact or observe", opt->name,
		  value ? value : "");
	return -1;
}

static int parse_hide(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	for (size_t i = 0; i < sizeof(hide_names) / sizeof(hide_names[0]); i++) {
		if (value && strcmp(value, hide_names[i]) == 0) {
			*(long *)result = (long)i;
			return 0;
		}
	}
	cfg_error(cfg, "%s: unknown value '%.40s'; use auto, yes or no", opt->name,
		  value ? value : "");
	return -1;
}

/*
 * A plain decimal "2", "2.5", "1.05". libconfuse's strtod() would accept
 * "nan", "inf", "0x1p3" and locale commas, and trusts a stale errno.
 */
static int parse_headroom(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	double v;

	if (num_decimal(value ? value : "", HUGE_VAL, &v) < 0) {
		cfg_error(cfg, "%s: '%.40s' is not a number; write a factor such as 2.0", opt->name,
			  value ? value : "");
		return -1;
	}
	*(double *)result = v;
	return 0;
}

static int validate_headroom(cfg_t *cfg, cfg_opt_t *opt)
{
	double v = cfg_opt_getnfloat(opt, 0);

	if (v >= 1.0 && v <= HEADROOM_MAX)
		return 0;
	cfg_error(cfg, "headroom: %g is %s; use a factor from 1.0 to %g, e.g. 2.0", v,
		  v < 1.0 ? "below 1.0" : "too large", HEADROOM_MAX);
	return -1;
}

/* state-dir and sysctl-dir must be absolute; metrics-file may also be "". */
static int validate_path(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);
	size_t len = s ? strlen(s) : 0, i;

	if (len == 0 && strcmp(opt->name, "metrics-file") == 0)
		return 0;
	if (len >= PATH_MAX) {
		cfg_error(cfg, "%s: path is %zu bytes long; the limit is %d", opt->name, len,
			  PATH_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			cfg_error(cfg, "%s: path contains a control character; remove it",
				  opt->name);
			return -1;
		}
	}
	if (len == 0 || s[0] != '/') {
		cfg_error(cfg, "%s: '%.64s' is not an absolute path; start it with /", opt->name,
			  s ? s : "");
		return -1;
	}
	return 0;
}

/* Called after each list element, so an error points at the element's line. */
static int validate_ignore_comm(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);
	const char *s;

	if (n == 0)
		return 0;
	if (n > NLT_IGNORE_MAX) {
		cfg_error(cfg, "alerts.ignore-comm: more than %d names; keep at most %d",
			  NLT_IGNORE_MAX, NLT_IGNORE_MAX);
		return -1;
	}
	s = cfg_opt_getnstr(opt, n - 1);
	if (!s || s[0] == '\0') {
		cfg_error(cfg, "alerts.ignore-comm: empty name; remove it");
		return -1;
	}
	if (strlen(s) >= NLT_COMM_LEN) {
		cfg_error(cfg,
			  "alerts.ignore-comm: '%.40s' is longer than %d bytes, the kernel's comm "
			  "limit; use the name as `ps -o comm` shows it",
			  s, NLT_COMM_LEN - 1);
		return -1;
	}
	return 0;
}

/* Characters libconfuse's lexer takes as part of an unquoted word. */
static int is_word_char(char ch)
{
	return !strchr(" \t\r\n#\"'={}()+,*", ch);
}

/*
 * libconfuse 3.3 (Debian 12) counts a comment's line up to three times and
 * rejects a comment inside a list, so comments are blanked here, newlines
 * kept, before it sees the text. The same pass stops what its lexer lets
 * through: a NUL byte, an unterminated string (it notices only at end of
 * file, and prints a trailing backslash to stdout), an unterminated comment or
 * section (accepted without a word), and ${VAR}, which it would expand from
 * the environment. As in its lexer, '#' and '/' '*' start a comment anywhere
 * outside a string, '//' only where a word may start (unquoted /a//b is a
 * path). t[len] must be a newline.
 */
static int prescan(struct conf_parse *p, char *t, size_t len)
{
	enum { CODE, LINE_COMMENT, BLOCK_COMMENT, DQ, SQ } st = CODE;
	int line = 1, open_line = 0, depth = 0, in_word = 0, brace_line[16];
	size_t i;

	if (len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
		memset(t, ' ', 3); /* UTF-8 byte order mark */
	for (i = 0; i < len; i++) {
		char ch = t[i], next = t[i + 1];

		if (ch == '\0')
			return set_err(p, line, "binary file (NUL byte); expected a text file");
		if (ch == '$' && next == '{' && (st == CODE || st == DQ))
			return set_err(p, line,
				       "${...} environment references are not supported; "
				       "write the value itself");
		if (ch == '\n')
			line++;
		switch (st) {
		case CODE:
			if (ch == '#' ||
			    (ch == '/' && (next == '*' || (next == '/' && !in_word)))) {
				st = ch == '#' || next == '/' ? LINE_COMMENT : BLOCK_COMMENT;
				open_line = line;
				t[i] = ' ';
				if (ch == '/')
					t[++i] = ' ';
				in_word = 0;
				continue;
			}
			if (ch == '"' || ch == '\'') {
				st = ch == '"' ? DQ : SQ;
				open_line = line;
			} else if (ch == '{') {
				brace_line[depth < 16 ? depth : 15] = line;
				depth++;
			} else if (ch == '}' && depth > 0) {
				depth--;
			}
			if (!strchr(" \t\r\n", ch))
				p->last_line = line;
			in_word = is_word_char(ch);
			break;
		case LINE_COMMENT:
			if (ch == '\n')
				st = CODE;
			else
				t[i] = ' ';
			break;
		case BLOCK_COMMENT:
			if (ch == '*' && next == '/') {
				t[i] = t[i + 1] = ' ';
				i++;
				st = CODE;
			} else if (ch != '\n') {
				t[i] = ' ';
			}
			break;
		case DQ:
		case SQ:
			p->last_line = line;
			if (ch == '\\' && next != '\0') {
				line += next == '\n';
				i++;
			} else if (ch == (st == DQ ? '"' : '\'')) {
				st = CODE;
			}
			break;
		}
	}
	if (st == DQ || st == SQ)
		return set_err(p, open_line, "unterminated string; add the closing %s",
			       st == DQ ? "\"" : "'");
	if (st == BLOCK_COMMENT)
		return set_err(p, open_line, "unterminated comment; add the closing */");
	if (depth > 0)
		return set_err(p, brace_line[depth <= 16 ? depth - 1 : 15],
			       "'{' is never closed; add the matching '}'");
	return 0;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Copy the parsed values out and check what spans two keys. */
static int copy_out(struct conf_parse *p, cfg_t *cfg, struct nlt_conf *c)
{
	cfg_t *alerts = cfg_getsec(cfg, "alerts");
	unsigned int i, n;

	c->policy = (enum nlt_policy)cfg_getint(cfg, "policy");
	c->window_ms = (uint32_t)cfg_getint(cfg, "window");
	c->headroom = cfg_getfloat(cfg, "headroom");
	c->floor = (uint64_t)cfg_getint(cfg, "floor");
	c->ceiling = (uint64_t)cfg_getint(cfg, "ceiling");
	c->history = (uint32_t)cfg_getint(cfg, "history");
	c->monitor_buffer = (uint64_t)cfg_getint(cfg, "monitor-buffer");
	c->scan_interval_ms = (uint32_t)cfg_getint(cfg, "scan-interval");
	copy_str(c->state_dir, sizeof(c->state_dir), cfg_getstr(cfg, "state-dir"));
	copy_str(c->sysctl_dir, sizeof(c->sysctl_dir), cfg_getstr(cfg, "sysctl-dir"));
	copy_str(c->metrics_file, sizeof(c->metrics_file), cfg_getstr(cfg, "metrics-file"));
	c->alert_min_drops = (uint64_t)cfg_getint(alerts, "min-drops");
	c->alert_interval_ms = (uint32_t)cfg_getint(alerts, "interval");
	n = cfg_size(alerts, "ignore-comm");
	c->n_ignore_comm = n < NLT_IGNORE_MAX ? n : NLT_IGNORE_MAX;
	for (i = 0; i < c->n_ignore_comm; i++)
		copy_str(c->ignore_comm[i], NLT_COMM_LEN, cfg_getnstr(alerts, "ignore-comm", i));
	c->autofix = cfg_getbool(cfg, "autofix") == cfg_true;
	c->hide_owners = (enum nlt_hide)cfg_getint(cfg, "hide-owners");

	if (c->ceiling != 0 && c->floor > c->ceiling)
		return set_err(
		    p, p->floor_line > p->ceiling_line ? p->floor_line : p->ceiling_line,
		    "floor (%llu bytes) is above ceiling (%llu bytes); lower floor or raise "
		    "ceiling (ceiling = 0 picks it automatically)",
		    (unsigned long long)c->floor, (unsigned long long)c->ceiling);
	return 0;
}

static void set_validators(cfg_t *cfg)
{
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		cfg_set_validate_func(cfg, ranges[i].path, validate_range);
	cfg_set_validate_func(cfg, "headroom", validate_headroom);
	cfg_set_validate_func(cfg, "state-dir", validate_path);
	cfg_set_validate_func(cfg, "sysctl-dir", validate_path);
	cfg_set_validate_func(cfg, "metrics-file", validate_path);
	cfg_set_validate_func(cfg, "alerts|ignore-comm", validate_ignore_comm);
}

void nlt_conf_defaults(struct nlt_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = DEF_POLICY;
	c->window_ms = DEF_WINDOW_MS;
	c->headroom = DEF_HEADROOM;
	c->floor = DEF_FLOOR;
	c->ceiling = DEF_CEILING;
	c->history = DEF_HISTORY;
	c->monitor_buffer = DEF_MONITOR_BUFFER;
	c->scan_interval_ms = DEF_SCAN_INTERVAL_MS;
	copy_str(c->state_dir, sizeof(c->state_dir), DEF_STATE_DIR);
	copy_str(c->sysctl_dir, sizeof(c->sysctl_dir), DEF_SYSCTL_DIR);
	copy_str(c->metrics_file, sizeof(c->metrics_file), DEF_METRICS_FILE);
	c->alert_min_drops = DEF_ALERT_MIN_DROPS;
	c->alert_interval_ms = DEF_ALERT_INTERVAL_MS;
	c->n_ignore_comm = 0;
	c->autofix = DEF_AUTOFIX == cfg_true;
	c->hide_owners = DEF_HIDE_OWNERS;
}

/* On error c is left as it was, so a reload can keep the old configuration. */
int nlt_conf_load_buffer(struct nlt_conf *c, const char *name, const char *buf, size_t len,
			 char *err, size_t errlen)
{
	struct conf_parse p = { .name = name ? name : "(buffer)", .err = err, .errlen = errlen };
	struct nlt_conf tmp;
	char *text = NULL;
	cfg_t *cfg = NULL;
	FILE *fp = NULL;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (len > CONF_MAX_BYTES)
		return set_err(&p, 0, "larger than %d KiB; this is not an nltune configuration",
			       CONF_MAX_BYTES / 1024);
	/* A private copy: comments get blanked, and a final newline ends every token. */
	text = malloc(len + 2);
	if (!text) {
		set_err(&p, 0, "out of memory");
		return -ENOMEM;
	}
	if (len)
		memcpy(text, buf, len);
	text[len] = '\n';
	text[len + 1] = '\0';
	r = prescan(&p, text, len);
	if (r < 0)
		goto out;

	cur = &p;
	r = -ENOMEM;
	cfg = cfg_init(conf_opts, CFGF_NONE);
	fp = fmemopen(text, len + 1, "r");
	if (!cfg || !fp) {
		set_err(&p, 0, "out of memory");
		goto out;
	}
	cfg_set_error_function(cfg, conf_errfunc);
	set_validators(cfg);
	r = -EINVAL;
	if (cfg_parse_fp(cfg, fp) != CFG_SUCCESS || p.failed) {
		if (!p.failed)
			set_err(&p, p.last_line > 0 ? p.last_line : 1, "syntax error");
		goto out;
	}
	nlt_conf_defaults(&tmp);
	r = copy_out(&p, cfg, &tmp);
	if (r == 0)
		*c = tmp;
out:
	if (fp)
		fclose(fp);
	if (cfg)
		cfg_free(cfg);
	cur = NULL;
	free(text);
	return r;
}

int nlt_conf_load(struct nlt_conf *c, const char *path, char *err, size_t errlen)
{
	struct conf_parse p = { .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t len;
	int r;

	if (!path)
		path = NLT_CONF_DEFAULT_PATH;
	p.name = path;
	if (err && errlen)
		err[0] = '\0';
	/* One byte past the limit lets nlt_conf_load_buffer() refuse an oversized file. */
	r = paths_read_alloc(path, 0, CONF_MAX_BYTES + 1, &buf, &len);
	if (r == 1)
		r = 0;
	if (r == -ENOENT) {
		nlt_conf_defaults(c);
		return 0;
	}
	if (r < 0) {
		set_err(&p, 0, "cannot read: %s; check the path and its permissions",
			paths_strerror(r));
		return r == -ENOMEM ? r : -EINVAL;
	}
	r = nlt_conf_load_buffer(c, path, buf, len, err, errlen);
	free(buf);
	return r;
}

const char *nlt_policy_name(enum nlt_policy p)
{
	if ((unsigned int)p < sizeof(policy_names) / sizeof(policy_names[0]))
		return policy_names[p];
	return "unknown";
}

const char *nlt_hide_name(enum nlt_hide h)
{
	if ((unsigned int)h < sizeof(hide_names) / sizeof(hide_names[0]))
		return hide_names[h];
	return "unknown";
}
