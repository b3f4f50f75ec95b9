/* SPDX-License-Identifier: MIT */
/* SOCKET and ALERT records (README.md, JSON): one field table each, walked by JSON, D-Bus a{sv} and
 * metrics. */
#ifndef NLTUNE_RECORD_H
#define NLTUNE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The JSON shape of a value and, through record_dbus_type(), its D-Bus type. */
enum field_type {
	FIELD_U64,  /* number, t */
	FIELD_U32,  /* number, u */
	FIELD_BOOL, /* true/false, b */
	FIELD_STR,  /* string (made valid UTF-8 on output), s */
	FIELD_PIDS, /* array of numbers, au */
};

/*
 * What a field is in the metrics exposition. Only identity labels go on every series, so a
 * series lives as long as its socket; what describes it and may change (owner, limit) is a
 * label of the one nltune_<record>_info series. Names carry base units and counters _total.
 */
enum field_metric {
	METRIC_NONE,
	METRIC_LABEL,	/* identity label of every series of the record */
	METRIC_INFO,	/* label of nltune_<record>_info only (PIDS: the first) */
	METRIC_STATE,	/* a gauge nltune_<record>_<name>: the value's index in states */
	METRIC_GAUGE,	/* a series nltune_<record>_<name> */
	METRIC_COUNTER, /* likewise, a counter */
};

union field_value {
	uint64_t u;
	bool b;
	const char *s;
	struct {
		const pid_t *v;
		size_t n;
	} pids;
};

#define RECORD_TEXT_LEN 512 /* the buffer a getter may fill: the longest text (a fix) fits */

struct field {
	const char *key; /* JSON member and a{sv} key */
	enum field_type type;
	enum field_metric metric;
	const char *metric_name; /* label or series name; NULL: the key */
	const char *help;	 /* HELP text of a series */
	/*
	 * Fill *v from the record (text may go into buf, RECORD_TEXT_LEN bytes); false: the
	 * field does not apply and is left out. Pure.
	 */
	bool (*get)(const void *rec, union field_value *v, char *buf, size_t len);
	const char *const *states; /* METRIC_STATE: the values in order, NULL-terminated */
};

struct record_schema {
	const char *name; /* "socket", "alert": the metric prefix after nltune_ */
	const struct field *fields;
	size_t nfields;
};

/* struct sockrow (scan.h) as SOCKET. */
extern const struct record_schema record_socket;
/* struct alert (alerts.h) as ALERT. */
extern const struct record_schema record_alert;

/* The D-Bus signature of a field type: "t", "u", "b", "s" or "au". */
const char *record_dbus_type(enum field_type t);
/* The metric name of a field: metric_name or, if NULL, the key. */
const char *record_metric_name(const struct field *f);

#endif
