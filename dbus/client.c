/* SPDX-License-Identifier: MIT */
/* The console's side of org.nltune1: Describe and ListSockets, converted to JSON. */
#include "client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "clock.h"

#define BUS_NAME	 "org.nltune1"
#define BUS_PATH	 "/org/nltune1"
#define BUS_IFACE	 "org.nltune1.Manager"
#define CLIENT_MAX_DEPTH 4

struct pending {
	sd_bus_message *reply;
	int error;
	bool done;
	char name[128], message[384]; /* of an error reply */
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct pending *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	p->done = true;
	if (e) {
		p->error = -sd_bus_error_get_errno(e) ?: -EIO;
		snprintf(p->name, sizeof(p->name), "%s", e->name ? e->name : "");
		snprintf(p->message, sizeof(p->message), "%s", e->message ? e->message : "");
	} else {
		p->reply = sd_bus_message_ref(m);
	}
	return 0;
}

/*
 * Call method and wait for the reply at most CLIENT_TIMEOUT_US in all, the
 * connection's authentication included: sd_bus_call() would wait for a wedged
 * bus's handshake far longer.
 */
/* How a call goes: its time limit, whether it may start nltuned, where an error reply goes. */
struct call_opts {
	uint64_t timeout_us;
	bool no_auto_start;
	struct pending *answer; /* NULL: the error reply is only an errno */
};

static int callv_opts(const char *method, sd_bus **busp, sd_bus_message **reply,
		      const struct call_opts *o, const char *types, va_list ap)
{
	struct pending local = { 0 }, *pp = o->answer ? o->answer : &local;
	sd_bus_message *m = NULL;
	sd_bus *bus = *busp;
	uint64_t start, now;
	int r = 0;

	memset(pp, 0, sizeof(*pp));
	if (!bus)
		r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
	if (r >= 0)
		r = sd_bus_message_appendv(m, types, ap);
	if (r >= 0 && o->no_auto_start)
		r = sd_bus_message_set_auto_start(m, 0);
	if (r >= 0)
		r = sd_bus_call_async(bus, NULL, m, on_reply, pp, 0);
	sd_bus_message_unref(m);
	if (r >= 0)
		r = sd_bus_get_fd(bus); /* any error of the connection shows here */
	start = clock_mono_us();
	while (r >= 0 && !pp->done) {
		r = sd_bus_process(bus, NULL);
		if (r > 0 || r < 0 || pp->done)
			continue;
		now = clock_mono_us();
		if (now - start >= o->timeout_us) {
			r = -ETIMEDOUT;
			break;
		}
		r = sd_bus_wait(bus, o->timeout_us - (now - start));
	}
	if (r >= 0 && pp->error < 0)
		r = pp->error;
	if (r < 0) {
		/* No flush: on a wedged bus it would wait for the handshake. */
		sd_bus_message_unref(pp->reply);
		pp->reply = NULL;
		sd_bus_close_unref(bus);
		return r;
	}
	*reply = pp->reply;
	*busp = bus;
	return 0;
}

static int callv(const char *method, sd_bus **busp, sd_bus_message **reply, const char *types,
		 va_list ap)
{
	const struct call_opts o = { .timeout_us = CLIENT_TIMEOUT_US };

	return callv_opts(method, busp, reply, &o, types, ap);
}

/* callv() with arguments of types; *busp NULL: a new connection, else reused. */
static int call_args(const char *method, sd_bus **busp, sd_bus_message **reply, const char *types,
		     ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = callv(method, busp, reply, types, ap);
	va_end(ap);
	return r;
}

static int call(const char *method, sd_bus **busp, sd_bus_message **reply)
{
	*busp = NULL;
	return call_args(method, busp, reply, "");
}

int client_describe(json_object **status)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	const char *s;
	int r = call("Describe", &bus, &reply);

	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "s", &s);
	if (r >= 0) {
		*status = json_tokener_parse(s);
		r = *status ? 0 : -EBADMSG;
	}
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r;
}

static int read_value(sd_bus_message *m, json_object **out, int depth);

/* An array of basic values or of a{sv} dictionaries. */
static int read_array(sd_bus_message *m, const char *contents, json_object **out, int depth)
{
	json_object *arr = json_object_new_array();
	int r;

	r = sd_bus_message_enter_container(m, 'a', contents);
	while (r >= 0) {
		json_object *v = NULL;

		r = sd_bus_message_at_end(m, 0);
		if (r != 0)
			break;
		r = read_value(m, &v, depth + 1);
		if (r >= 0)
			json_object_array_add(arr, v);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		json_object_put(arr);
		return r;
	}
	*out = arr;
	return 0;
}

static int read_dict(sd_bus_message *m, json_object **out, int depth)
{
	json_object *o = json_object_new_object();
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0) {
		const char *key, *contents;
		json_object *v = NULL;
		char type;

		r = sd_bus_message_enter_container(m, 'e', "sv");
		if (r <= 0)
			break;
		r = sd_bus_message_read(m, "s", &key);
		if (r >= 0)
			r = sd_bus_message_peek_type(m, &type, &contents);
		if (r >= 0)
			r = sd_bus_message_enter_container(m, 'v', contents);
		if (r >= 0)
			r = read_value(m, &v, depth + 1);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r >= 0)
			json_object_object_add(o, key, v);
		else
			json_object_put(v);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*out = o;
	return 0;
}

static int read_value(sd_bus_message *m, json_object **out, int depth)
{
	const char *contents;
	char type;
	int r;

	if (depth > CLIENT_MAX_DEPTH)
		return -EBADMSG;
	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	switch (type) {
	case 't':
	case 'u':
	case 'i':
	case 'b': {
		union {
			uint64_t t;
			uint32_t u;
			int32_t i;
			int b;
		} v;

		r = sd_bus_message_read_basic(m, type, &v);
		if (r < 0)
			return r;
		if (type == 't')
			*out = json_object_new_uint64(v.t);
		else if (type == 'u')
			*out = json_object_new_uint64(v.u);
		else if (type == 'i')
			*out = json_object_new_int(v.i);
		else
			*out = json_object_new_boolean(v.b);
		return r;
	}
	case 's': {
		const char *v;

		r = sd_bus_message_read(m, "s", &v);
		*out = r >= 0 ? json_object_new_string(v) : NULL;
		return r;
	}
	case 'a':
		if (strcmp(contents, "{sv}") == 0)
			return read_dict(m, out, depth);
		return read_array(m, contents, out, depth);
	default:
		return sd_bus_message_skip(m, NULL) < 0 ? -EBADMSG : (*out = NULL, 0);
	}
}

int client_list_sockets(json_object **sockets)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	int r = call("ListSockets", &bus, &reply);

	if (r < 0)
		return r;
	r = read_value(reply, sockets, 0);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r;
}

int client_list_sockets_matching(const char *verdict, uint32_t pid, int32_t protocol,
				 uint64_t netns, json_object **sockets)
{
	json_object *all = json_object_new_array();
	uint32_t offset = 0, total = 0;
	sd_bus *bus = NULL;
	int r = 0;

	/* Page until every matching socket is here: nothing is cut without saying so. */
	do {
		sd_bus_message *reply = NULL;
		json_object *page = NULL;
		const char *text = NULL;
		size_t n;

		r = call_args("ListSocketsJSON", &bus, &reply, "suituu", verdict, pid, protocol,
			      netns, offset, (uint32_t)0);
		if (r < 0) {
			bus = NULL; /* closed by callv */
			break;
		}
		r = sd_bus_message_read(reply, "su", &text, &total);
		if (r >= 0)
			page = json_tokener_parse(text);
		sd_bus_message_unref(reply);
		if (r < 0 || !page || !json_object_is_type(page, json_type_array)) {
			json_object_put(page);
			r = r < 0 ? r : -EBADMSG;
			break;
		}
		n = json_object_array_length(page);
		for (size_t i = 0; i < n; i++)
			json_object_array_add(all,
					      json_object_get(json_object_array_get_idx(page, i)));
		json_object_put(page);
		offset += (uint32_t)n;
		if (n == 0)
			break; /* the list shrank meanwhile */
	} while (offset < total);
	if (bus)
		sd_bus_flush_close_unref(bus);
	if (r < 0) {
		json_object_put(all);
		return r;
	}
	*sockets = all;
	return 0;
}

/* The reply came from no nltuned: nobody owns the name, or whoever does lacks the method. */
static bool no_daemon_error(const char *name)
{
	static const char *const absent[] = {
		"org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.UnknownMethod",
		"org.freedesktop.DBus.Error.UnknownObject",
		"org.freedesktop.DBus.Error.UnknownInterface",
		"org.freedesktop.DBus.Error.Spawn.",
		"org.freedesktop.systemd1.",
	};

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (!strncmp(name, absent[i], strlen(absent[i])))
			return true;
	return false;
}

/*
 * One change asked of nltuned: never starts it (a write is not worth a start),
 * waits CLIENT_WRITE_TIMEOUT_US. 0 with the reply; CLIENT_NO_DAEMON when no
 * nltuned answered; else -errno with the error's name and message in err.
 */
static int call_write(const char *method, sd_bus **busp, sd_bus_message **reply, char *err,
		      size_t errlen, const char *types, ...)
{
	struct pending p;
	const struct call_opts o = { .timeout_us = CLIENT_WRITE_TIMEOUT_US,
				     .no_auto_start = true,
				     .answer = &p };
	va_list ap;
	int r;

	err[0] = '\0';
	*busp = NULL;
	va_start(ap, types);
	r = callv_opts(method, busp, reply, &o, types, ap);
	va_end(ap);
	if (r >= 0)
		return 0;
	if (!p.done || no_daemon_error(p.name)) {
		/* No bus, no nltuned, or no answer in time: the console writes itself. */
		snprintf(err, errlen, "%s", p.done ? p.name : strerror(-r));
		return r == -ETIMEDOUT ? CLIENT_NO_ANSWER : CLIENT_NO_DAEMON;
	}
	if (!strcmp(p.name, "org.freedesktop.DBus.Error.NoReply")) {
		snprintf(err, errlen, "%s", p.message);
		return CLIENT_NO_ANSWER;
	}
	snprintf(err, errlen, "%s: %s", p.name, p.message);
	return r;
}

int client_rmem_write(const char *method, bool dry_run, uint64_t *rmem_default, uint64_t *rmem_max,
		      char *err, size_t errlen)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	int r = call_write(method, &bus, &reply, err, errlen, "b", (int)dry_run);

	if (r != 0)
		return r;
	r = sd_bus_message_read(reply, "tt", rmem_default, rmem_max);
	if (r < 0)
		snprintf(err, errlen, "nltuned's %s reply: not (tt)", method);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? -EBADMSG : 0;
}

int client_fix_socket(uint64_t inode, uint64_t size, uint64_t *rcvbuf, char *err, size_t errlen)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	int r = call_write("FixSocket", &bus, &reply, err, errlen, "tt", inode, size);

	if (r != 0)
		return r;
	r = sd_bus_message_read(reply, "t", rcvbuf);
	if (r < 0)
		snprintf(err, errlen, "nltuned's FixSocket reply: not t");
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? -EBADMSG : 0;
}

int client_recommend(uint64_t *rmem_default, uint64_t *rmem_max, char *reason, size_t len)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	const char *why = NULL;
	char err[64];
	int r = call_write("Recommend", &bus, &reply, err, sizeof(err), "");

	if (r != 0)
		return r;
	r = sd_bus_message_read(reply, "tts", rmem_default, rmem_max, &why);
	if (r >= 0)
		snprintf(reason, len, "%s", why);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? -EBADMSG : 0;
}
