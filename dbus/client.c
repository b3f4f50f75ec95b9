/* SPDX-License-Identifier: MIT */
/* The console's side of org.nltune1: Describe and ListSockets, converted to JSON. */
#include "client.h"

#include <errno.h>
#include <stdarg.h>
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
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct pending *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	p->done = true;
	if (e)
		p->error = -sd_bus_error_get_errno(e) ?: -EIO;
	else
		p->reply = sd_bus_message_ref(m);
	return 0;
}

/*
 * Call method and wait for the reply at most CLIENT_TIMEOUT_US in all, the
 * connection's authentication included: sd_bus_call() would wait for a wedged
 * bus's handshake far longer.
 */
static int callv(const char *method, sd_bus **busp, sd_bus_message **reply, const char *types,
		 va_list ap)
{
	struct pending p = { 0 };
	sd_bus *bus = *busp;
	uint64_t start, now;
	int r = 0;

	if (!bus)
		r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_call_method_asyncv(bus, NULL, BUS_NAME, BUS_PATH, BUS_IFACE, method,
					      on_reply, &p, types, ap);
	if (r >= 0)
		r = sd_bus_get_fd(bus); /* any error of the connection shows here */
	start = clock_mono_us();
	while (r >= 0 && !p.done) {
		r = sd_bus_process(bus, NULL);
		if (r > 0 || r < 0 || p.done)
			continue;
		now = clock_mono_us();
		if (now - start >= CLIENT_TIMEOUT_US) {
			r = -ETIMEDOUT;
			break;
		}
		r = sd_bus_wait(bus, CLIENT_TIMEOUT_US - (now - start));
	}
	if (r >= 0 && p.error < 0)
		r = p.error;
	if (r < 0) {
		/* No flush: on a wedged bus it would wait for the handshake. */
		sd_bus_message_unref(p.reply);
		sd_bus_close_unref(bus);
		return r;
	}
	*reply = p.reply;
	*busp = bus;
	return 0;
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
