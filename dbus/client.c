/* SPDX-License-Identifier: MIT */
/* The console's side of org.nltune1: Describe and ListSockets, converted to JSON. */
#include "client.h"

#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define BUS_NAME "org.nltune1"
#define BUS_PATH "/org/nltune1"
#define BUS_IFACE "org.nltune1.Manager"
#define CLIENT_MAX_DEPTH 4

static int call(const char *method, sd_bus **busp, sd_bus_message **reply)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(bus, CLIENT_TIMEOUT_US);
	if (r >= 0)
		r = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE, method, &error, reply, "");
	sd_bus_error_free(&error);
	if (r < 0) {
		sd_bus_flush_close_unref(bus);
		return r;
	}
	*busp = bus;
	return 0;
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
	case 't': {
		uint64_t v;

		r = sd_bus_message_read(m, "t", &v);
		*out = json_object_new_uint64(v);
		return r;
	}
	case 'u': {
		uint32_t v;

		r = sd_bus_message_read(m, "u", &v);
		*out = json_object_new_uint64(v);
		return r;
	}
	case 'i': {
		int32_t v;

		r = sd_bus_message_read(m, "i", &v);
		*out = json_object_new_int(v);
		return r;
	}
	case 'b': {
		int v;

		r = sd_bus_message_read(m, "b", &v);
		*out = json_object_new_boolean(v);
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
