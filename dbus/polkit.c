/* SPDX-License-Identifier: MIT */
/* polkit's CheckAuthorization asked without blocking; the call is dispatched again with the answer.
 */
#include "polkit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PK_NAME			      "org.freedesktop.PolicyKit1"
#define PK_PATH			      "/org/freedesktop/PolicyKit1/Authority"
#define PK_IFACE		      "org.freedesktop.PolicyKit1.Authority"
#define PK_ALLOW_USER_INTERACTION     1u
#define POLKIT_MAX_PENDING	      64	   /* questions open at once */
#define POLKIT_INTERACTIVE_TIMEOUT_US 300000000ull /* someone is typing a password */

struct query {
	struct query *next;
	struct polkit_registry *reg;
	sd_bus_message *call; /* the method call being authorized, referenced */
	sd_bus_slot *slot;    /* the pending CheckAuthorization */
	char action[64];
	bool interactive, done, allowed;
	char errname[80];
	char errmsg[256];
};

struct polkit_registry {
	struct query *head;
	size_t n;
};

static void query_free(struct query *q)
{
	struct query **pp;

	for (pp = &q->reg->head; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			q->reg->n--;
			break;
		}
	sd_bus_slot_unref(q->slot);
	sd_bus_message_unref(q->call);
	free(q);
}

void polkit_registry_free(struct polkit_registry *reg)
{
	if (!reg)
		return;
	while (reg->head)
		query_free(reg->head);
	free(reg);
}

/* 1 if the caller is root, 0 if not, -errno if the bus cannot tell. Only what the bus vouches for.
 */
static int sender_is_root(sd_bus_message *call)
{
	sd_bus_creds *c = NULL;
	uint64_t augmented;
	uid_t uid;
	int r;

	r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID, &c);
	if (r < 0)
		return r;
	augmented = sd_bus_creds_get_augmented_mask(c);
	if (!(augmented & SD_BUS_CREDS_EUID) && sd_bus_creds_get_euid(c, &uid) >= 0)
		r = uid == 0;
	else if (!(augmented & SD_BUS_CREDS_UID) && sd_bus_creds_get_uid(c, &uid) >= 0)
		r = uid == 0;
	else
		r = -ENODATA;
	sd_bus_creds_unref(c);
	return r;
}

/* Refuse with error name and a message naming the action. */
#define DENY(q, name, ...)                                                                         \
	do {                                                                                       \
		(q)->allowed = false;                                                              \
		snprintf((q)->errname, sizeof((q)->errname), "%s", name);                          \
		snprintf((q)->errmsg, sizeof((q)->errmsg), __VA_ARGS__);                           \
	} while (0)

static void judge(struct query *q, sd_bus_message *reply)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0;

	if (e &&
	    sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		DENY(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "%s is for root only here: polkitd is not running to allow anyone else",
		     q->action);
	else if (e)
		DENY(q, SD_BUS_ERROR_ACCESS_DENIED, "polkit could not decide on %s: %s", q->action,
		     e->message);
	else if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
		 sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0)
		DENY(q, SD_BUS_ERROR_ACCESS_DENIED, "polkit's answer on %s is unreadable",
		     q->action);
	else if (authorized)
		q->allowed = true;
	else if (challenge && !q->interactive)
		DENY(q, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
		     "%s needs authentication: call again allowing interactive authorization "
		     "(busctl --allow-interactive-authorization=yes), or add a polkit rule",
		     q->action);
	else
		DENY(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "polkit does not allow %s to this caller; root may, or whom a polkit rule "
		     "allows",
		     q->action);
}

static int on_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct query *q = userdata;
	sd_bus *bus = sd_bus_message_get_bus(q->call);
	int r;

	q->slot = sd_bus_slot_unref(q->slot);
	judge(q, reply);
	q->done = true;
	/* Hand the call back to the dispatcher: its handler now finds the answer. */
	r = sd_bus_message_rewind(q->call, true);
	if (r >= 0)
		r = sd_bus_enqueue_for_read(bus, q->call);
	if (r < 0) {
		sd_bus_reply_method_errnof(q->call, -r, "cannot finish the authorization: %m");
		query_free(q);
	}
	return 1;
}

static struct query *find(struct polkit_registry *reg, sd_bus_message *call)
{
	for (struct query *q = reg ? reg->head : NULL; q; q = q->next)
		if (q->call == call)
			return q;
	return NULL;
}

static int ask(sd_bus_message *call, const char *action, struct polkit_registry *reg,
	       sd_bus_error *error)
{
	sd_bus *bus = sd_bus_message_get_bus(call);
	sd_bus_message *pk = NULL;
	struct query *q;
	int r;

	if (reg->n >= POLKIT_MAX_PENDING)
		return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
					 "%d authorizations are pending; try again later",
					 POLKIT_MAX_PENDING);
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	snprintf(q->action, sizeof(q->action), "%s", action);
	q->interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
	r = sd_bus_message_new_method_call(bus, &pk, PK_NAME, PK_PATH, PK_IFACE,
					   "CheckAuthorization");
	if (r >= 0)
		r = sd_bus_message_append(pk, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
					  sd_bus_message_get_sender(call), action, 0,
					  q->interactive ? PK_ALLOW_USER_INTERACTION : 0u, "");
	if (r >= 0)
		r = sd_bus_call_async(bus, &q->slot, pk, on_answer, q,
				      q->interactive ? POLKIT_INTERACTIVE_TIMEOUT_US : 0);
	sd_bus_message_unref(pk);
	if (r < 0) {
		free(q);
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cannot ask polkit about %s: %s", action, strerror(-r));
	}
	q->reg = reg;
	q->call = sd_bus_message_ref(call);
	q->next = reg->head;
	reg->head = q;
	reg->n++;
	return 0;
}

int polkit_check(sd_bus_message *call, const char *action, struct polkit_registry **reg,
		 sd_bus_error *error)
{
	struct query *q;
	int r;

	r = sender_is_root(call);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cannot tell who is calling: %s", strerror(-r));
	if (r > 0)
		return 1;
	q = find(*reg, call);
	if (q && !q->done)
		return 0;
	if (q) {
		if (strcmp(q->action, action) != 0)
			r = sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					      "authorized for %s, not %s", q->action, action);
		else if (q->allowed)
			r = 1;
		else
			r = sd_bus_error_set(error, q->errname, q->errmsg);
		query_free(q);
		return r;
	}
	if (!*reg && !(*reg = calloc(1, sizeof(**reg))))
		return -ENOMEM;
	return ask(call, action, *reg, error);
}
