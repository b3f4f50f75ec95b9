/* SPDX-License-Identifier: MIT */
/* Type checks of the daemon's documents, so that a badly typed reply is an error, not an abort. */
#include "reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "sanitize.h"

struct member {
	const char *key;
	json_type type;
	bool required;
	const struct member *sub; /* members of an object, or of each object of an array */
	size_t nsub;
	const struct record_schema *rec; /* an array of records */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define M(k, t, req)                                                                               \
	{                                                                                          \
		.key = (k), .type = (t), .required = (req)                                         \
	}
#define SUB(k, t, s)                                                                               \
	{                                                                                          \
		.key = (k), .type = (t), .sub = (s), .nsub = N(s)                                  \
	}
#define REQ_OBJ(k, s)                                                                              \
	{                                                                                          \
		.key = (k), .type = json_type_object, .required = true, .sub = (s), .nsub = N(s)   \
	}
#define RECORDS(k, r)                                                                              \
	{                                                                                          \
		.key = (k), .type = json_type_array, .required = true, .rec = (r)                  \
	}

static const struct member rmem[] = {
	M("rmem_default", json_type_int, true),
	M("rmem_max", json_type_int, true),
};

static const struct member recommended[] = {
	M("rmem_default", json_type_int, true), M("rmem_max", json_type_int, true),
	M("need_bytes", json_type_int, true),	M("need_events", json_type_int, false),
	M("ceiling", json_type_int, false),	M("reason", json_type_string, true),
};

static const struct member udev[] = {
	M("total", json_type_int, false),
	M("peak_events", json_type_int, false),
	M("peak_bytes", json_type_int, false),
};

static const struct member uevents[] = {
	M("total", json_type_int, true),       M("window_ms", json_type_int, true),
	M("peak_events", json_type_int, true), M("peak_bytes", json_type_int, true),
	M("own_drops", json_type_int, true),   SUB("udev", json_type_object, udev),
};

static const struct member coldplug[] = {
	M("devices", json_type_int, false),
	M("bytes", json_type_int, false),
};

static const struct member boot[] = {
	M("boot_id", json_type_string, false),	 M("current", json_type_boolean, false),
	M("updated", json_type_string, false),	 M("peak_events", json_type_int, false),
	M("peak_bytes", json_type_int, false),	 M("window_ms", json_type_int, false),
	M("total_events", json_type_int, false),
};

static const struct member history[] = {
	SUB("coldplug", json_type_object, coldplug),
	SUB("boots", json_type_array, boot),
};

static const struct member scan[] = {
	M("namespaces", json_type_int, false),
	M("bad_rows", json_type_int, false),
	M("rows_over_limit", json_type_int, false),
};

static const struct member status[] = {
	M("source", json_type_string, true),	   REQ_OBJ("sysctl", rmem),
	REQ_OBJ("recommended", recommended),	   REQ_OBJ("uevents", uevents),
	RECORDS("sockets", &record_socket),	   RECORDS("alerts", &record_alert),
	SUB("history", json_type_object, history), SUB("scan", json_type_object, scan),
};

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_int:
	case json_type_double:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "true or false";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	case json_type_null:
		return "null";
	}
	return "something else";
}

/* The path of the member being checked ("sockets[2].pids"), grown and cut in place. */
struct path {
	char s[160];
	size_t len;
};

static size_t push(struct path *p, const char *key, size_t idx, bool index)
{
	size_t at = p->len;
	int n;

	if (index)
		n = snprintf(p->s + at, sizeof(p->s) - at, "[%zu]", idx);
	else
		n = snprintf(p->s + at, sizeof(p->s) - at, "%s%s", at ? "." : "", key);
	if (n > 0)
		p->len = at + (size_t)n < sizeof(p->s) ? at + (size_t)n : sizeof(p->s) - 1;
	return at;
}

static void pop(struct path *p, size_t at)
{
	p->len = at;
	p->s[at] = '\0';
}

static int bad(char *why, size_t len, const struct path *p, json_object *v, json_type want)
{
	const char *where = p->len ? p->s : "the reply";

	if (!v)
		snprintf(why, len, "%s: missing", where);
	else
		snprintf(why, len, "%s: %s, want %s", where, type_name(json_object_get_type(v)),
			 type_name(want));
	return -EBADMSG;
}

/* Every string below v made safe for a terminal, in place. */
static void sanitize_all(json_object *v, int depth)
{
	char buf[4096];

	if (depth > 8)
		return;
	switch (json_object_get_type(v)) {
	case json_type_string:
		sanitize_text(buf, sizeof(buf), json_object_get_string(v));
		if (strcmp(buf, json_object_get_string(v)) != 0)
			json_object_set_string(v, buf);
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			sanitize_all(json_object_array_get_idx(v, i), depth + 1);
		break;
	case json_type_object: {
		json_object_object_foreach(v, key, val)
		{
			(void)key;
			sanitize_all(val, depth + 1);
		}
		break;
	}
	default:
		break;
	}
}

static json_type field_json_type(enum field_type t)
{
	switch (t) {
	case FIELD_U64:
	case FIELD_U32:
		return json_type_int;
	case FIELD_BOOL:
		return json_type_boolean;
	case FIELD_STR:
		return json_type_string;
	case FIELD_PIDS:
		return json_type_array;
	}
	return json_type_null;
}

/* One record: each field the table knows, where present, of its type (pids: numbers). */
static int check_record(json_object *o, const struct record_schema *s, struct path *p, char *why,
			size_t len)
{
	if (!json_object_is_type(o, json_type_object))
		return bad(why, len, p, o, json_type_object);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		json_type want = field_json_type(f->type);
		json_object *v;
		size_t at;

		if (!json_object_object_get_ex(o, f->key, &v))
			continue; /* a field that does not apply is left out */
		at = push(p, f->key, 0, false);
		if (!json_object_is_type(v, want))
			return bad(why, len, p, v, want);
		for (size_t k = 0; f->type == FIELD_PIDS && k < json_object_array_length(v); k++) {
			json_object *e = json_object_array_get_idx(v, k);

			if (!json_object_is_type(e, json_type_int)) {
				push(p, NULL, k, true);
				return bad(why, len, p, e, json_type_int);
			}
		}
		pop(p, at);
	}
	return 0;
}

static int check_array(json_object *arr, const struct member *m, struct path *p, char *why,
		       size_t len);

static int check_members(json_object *o, const struct member *m, size_t n, struct path *p,
			 char *why, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		json_object *v = NULL;
		size_t at = push(p, m[i].key, 0, false);
		int r = 0;

		if (!json_object_object_get_ex(o, m[i].key, &v) || !v) {
			if (m[i].required)
				return bad(why, len, p, NULL, m[i].type);
			pop(p, at);
			continue;
		}
		if (!json_object_is_type(v, m[i].type))
			return bad(why, len, p, v, m[i].type);
		if (m[i].type == json_type_array)
			r = check_array(v, &m[i], p, why, len);
		else if (m[i].sub)
			r = check_members(v, m[i].sub, m[i].nsub, p, why, len);
		if (r < 0)
			return r;
		pop(p, at);
	}
	return 0;
}

/* An array of records, or of objects with the members m->sub. */
static int check_array(json_object *arr, const struct member *m, struct path *p, char *why,
		       size_t len)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		size_t at = push(p, NULL, i, true);
		int r = 0;

		if (m->rec)
			r = check_record(x, m->rec, p, why, len);
		else if (!json_object_is_type(x, json_type_object))
			r = bad(why, len, p, x, json_type_object);
		else if (m->sub)
			r = check_members(x, m->sub, m->nsub, p, why, len);
		if (r < 0)
			return r;
		pop(p, at);
	}
	return 0;
}

int reply_check_status(json_object *doc, char *why, size_t len)
{
	struct path p = { .len = 0 };
	int r;

	if (!json_object_is_type(doc, json_type_object))
		return bad(why, len, &p, doc, json_type_object);
	r = check_members(doc, status, N(status), &p, why, len);
	if (r == 0)
		sanitize_all(doc, 0);
	return r;
}

int reply_check_sockets(json_object *arr, char *why, size_t len)
{
	static const struct member sockets = RECORDS("sockets", &record_socket);
	struct path p = { .len = 0 };
	int r;

	push(&p, "sockets", 0, false);
	if (!json_object_is_type(arr, json_type_array))
		return bad(why, len, &p, arr, json_type_array);
	r = check_array(arr, &sockets, &p, why, len);
	if (r == 0)
		sanitize_all(arr, 0);
	return r;
}
