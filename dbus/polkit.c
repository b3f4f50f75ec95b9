/* SPDX-License-Identifier: MIT */
/* polkit's CheckAuthorization asked without blocking; the call is dispatched again with the answer.
 */
#include "polkit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#define PK_NAME			  "org.freedesktop.PolicyKit1"
#define PK_PATH			  "/org/freedesktop/PolicyKit1/Authority"
#define PK_IFACE		  "org.freedesktop.PolicyKit1.Authority"
#define PK_ALLOW_USER_INTERACTION 1u
/*
 * Questions open at once: the broker lets nltuned have 128 calls pending, and Pings to callers
 * take up to PEERS_MAX_PINGS of them. One uid may have POLKIT_MAX_PER_UID of them, so a user
 * who asks in a loop (or leaves before the answer) does not lock out the others.
 */
#define POLKIT_MAX_PENDING	      64
#define POLKIT_MAX_PER_UID	      16
#define POLKIT_TIMEOUT_US	      25000000ull  /* polkitd does not answer: refused */
#define POLKIT_INTERACTIVE_TIMEOUT_US 300000000ull /* someone is typing a password */
#define POLKIT_UNCLAIMED_US	      5000000ull   /* an answer whose call never came back */

struct query {
	struct query *next;
	struct polkit_registry *reg;
	sd_bus_message *call; /* the method call being authorized, referenced */
	sd_bus_slot *slot;    /* the pending CheckAuthorization */
	uid_t uid;	      /* the caller's, as the bus vouches for it */
	uint64_t deadline_us; /* forgotten then, answered or not */
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

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Questions past their deadline: polkitd never answered, or the call never came back. */
static void sweep(struct polkit_registry *reg)
{
	uint64_t now = now_us();
	struct query *q = reg->head, *next;

	for (; q; q = next) {
		next = q->next;
		if (now >= q->deadline_us)
			query_free(q);
	}
}

void polkit_forget_sender(struct polkit_registry *reg, const char *name)
{
	struct query *q = reg ? reg->head : NULL, *next;

	for (; q && name; q = next) {
		const char *sender = sd_bus_message_get_sender(q->call);

		next = q->next;
		if (sender && strcmp(sender, name) == 0)
			query_free(q);
	}
}

void polkit_forget_call(struct polkit_registry *reg, sd_bus_message *call)
{
	for (struct query *q = reg ? reg->head : NULL; q; q = q->next)
		if (q->call == call) {
			query_free(q);
			return;
		}
}

void polkit_registry_free(struct polkit_registry *reg)
{
	if (!reg)
		return;
	while (reg->head)
		query_free(reg->head);
	free(reg);
}

int polkit_sender_uid(sd_bus_message *call, uid_t *ret)
{
	sd_bus_creds *c = NULL;
	uint64_t augmented;
	int r;

	r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID, &c);
	if (r < 0)
		return r;
	augmented = sd_bus_creds_get_augmented_mask(c);
	if (!(augmented & SD_BUS_CREDS_EUID) && sd_bus_creds_get_euid(c, ret) >= 0)
		r = 0;
	else if (!(augmented & SD_BUS_CREDS_UID) && sd_bus_creds_get_uid(c, ret) >= 0)
		r = 0;
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
	q->deadline_us = now_us() + POLKIT_UNCLAIMED_US;
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

static int ask(sd_bus_message *call, const char *action, uid_t uid, struct polkit_registry *reg,
	       sd_bus_error *error)
{
	sd_bus *bus = sd_bus_message_get_bus(call);
	uint64_t timeout_us = POLKIT_TIMEOUT_US;
	sd_bus_message *pk = NULL;
	struct query *q;
	unsigned mine = 0;
	int r;

	for (q = reg->head; q; q = q->next)
		mine += q->uid == uid;
	if (mine >= POLKIT_MAX_PER_UID)
		return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
					 "%u authorizations of this user are pending; try again "
					 "later",
					 mine);
	if (reg->n >= POLKIT_MAX_PENDING)
		return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
					 "%d authorizations are pending; try again later",
					 POLKIT_MAX_PENDING);
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	snprintf(q->action, sizeof(q->action), "%s", action);
	q->interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
	if (q->interactive)
		timeout_us = POLKIT_INTERACTIVE_TIMEOUT_US;
	r = sd_bus_message_new_method_call(bus, &pk, PK_NAME, PK_PATH, PK_IFACE,
					   "CheckAuthorization");
	if (r >= 0)
		r = sd_bus_message_append(pk, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
					  sd_bus_message_get_sender(call), action, 0,
					  q->interactive ? PK_ALLOW_USER_INTERACTION : 0u, "");
	if (r >= 0)
		r = sd_bus_call_async(bus, &q->slot, pk, on_answer, q, timeout_us);
	sd_bus_message_unref(pk);
	if (r < 0) {
		free(q);
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cannot ask polkit about %s: %s", action, strerror(-r));
	}
	q->reg = reg;
	q->uid = uid;
	q->deadline_us = now_us() + timeout_us + POLKIT_UNCLAIMED_US;
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
	uid_t uid;
	int r;

	/* The answer first: the caller may have left since it asked, and the bus no longer knows
	 * its uid; the question must end all the same. */
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
	r = polkit_sender_uid(call, &uid);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cannot tell who is calling: %s", strerror(-r));
	if (uid == 0)
		return 1;
	if (!*reg && !(*reg = calloc(1, sizeof(**reg))))
		return -ENOMEM;
	sweep(*reg);
	return ask(call, action, uid, *reg, error);
}
