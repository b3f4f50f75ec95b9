/* SPDX-License-Identifier: MIT */
/* org.nltune1 on the system bus: properties, methods, the Alert signal, reconnection. */
#include "bus.h"

#include <errno.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "log.h"
#include "manager.h"
#include "peers.h"
#include "polkit.h"
#include "recommend.h"
#include "record.h"

#define BUS_NAME	 "org.nltune1"
#define BUS_PATH	 "/org/nltune1"
#define BUS_IFACE	 "org.nltune1.Manager"
#define BUS_ERROR(name)	 "org.nltune1.Error." name /* listed in org.nltune1.Manager.xml */
#define BUS_MAX_SOCKETS	 2000			   /* dictionaries in one ListSockets reply */
#define BUS_PAGE_MAX	 5000			   /* dictionaries in one ListSocketsPage reply */
#define BUS_RETRY_MIN_US 250000ull		   /* reconnect backoff: 0.25 s doubling to 8 s */
#define BUS_RETRY_MAX_US 8000000ull
#define BUS_DESCRIBE_US	 100000ull   /* a Describe document serves the calls of 100 ms */
#define BUS_SLOW_LOG_US	 10000000ull /* one line about callers that do not read per 10 s */
#define BUS_CALL_COST	 256ull	     /* reply bytes charged to a call before its reply */
#define BUS_PING_US	 UINT64_MAX  /* a Ping waits as long as the broker keeps it pending */
#define BUS_MAX_QUEUED	 64	     /* messages waiting to be written: past it, no call is read */
#define BUS_STUCK_US	 10000000ull /* that long at BUS_MAX_QUEUED: reconnect */
#define BUS_NAME_WAIT_US 1000000ull  /* the first scan waits this long at most for the name */

/*
 * Every property once: name, D-Bus type (the getter's suffix) and the member of the manager's
 * read model (struct manager_status) it shows, and whether it changes (EMITS: PropertiesChanged
 * tells of it) or not (CONST). The vtable and PropertiesChanged both use this list.
 */
#define CHANGE_EMITS SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define CHANGE_CONST SD_BUS_VTABLE_PROPERTY_CONST
#define PROPERTIES(X)                                                                              \
	X("RmemDefault", t, rmem_default, EMITS)                                                   \
	X("RmemMax", t, rmem_max, EMITS)                                                           \
	X("RecommendedRmemDefault", t, rec_rmem_default, EMITS)                                    \
	X("RecommendedRmemMax", t, rec_rmem_max, EMITS)                                            \
	X("EventsTotal", t, events_total, EMITS)                                                   \
	X("PeakBytes", t, peak_bytes, EMITS)                                                       \
	X("DropsTotal", t, drops_total, EMITS)                                                     \
	X("PeakEvents", u, peak_events, EMITS)                                                     \
	X("UdevEventsTotal", t, udev_events_total, EMITS)                                          \
	X("UdevPeakBytes", t, udev_peak_bytes, EMITS)                                              \
	X("UdevPeakEvents", u, udev_peak_events, EMITS)                                            \
	X("Policy", s, policy, EMITS)                                                              \
	X("Version", s, version, CONST)

struct bus {
	struct manager *m;
	sd_bus *bus;
	sd_event_source *retry;
	sd_event_source *io;		/* the connection's socket in the event loop */
	sd_event_source *timer;		/* sd-bus's next timeout, or the queue's stuck deadline */
	sd_event_source *watch;		/* /run or /run/dbus, until the bus socket appears */
	bool watch_dbus;		/* watching /run/dbus (else /run) */
	struct polkit_registry *polkit; /* authorizations being asked of polkit */
	uint64_t backoff_us;
	bool said_absent;
	bool ever;		    /* connected once: a later absence is a loss, not a boot */
	struct manager_status last; /* as PropertiesChanged last told it */
	struct peers *peers;	    /* replies each caller has not proven it read */
	uint64_t stuck_since;  /* when the write queue went over BUS_MAX_QUEUED; 0: it is not */
	bool named;	       /* the name request was answered: signals go out, replies wait */
	uint64_t alert_sent;   /* the highest alert id handed to this connection */
	uint64_t alert_out;    /* the highest alert id known written (the queue was empty since) */
	char *describe;	       /* the last Describe document, reused for BUS_DESCRIBE_US */
	uint64_t describe_us;  /* when it was made */
	uint32_t describe_uid; /* for whom: manager_view_uid() of its caller */
	uint64_t slow_said_us; /* when a caller that does not read was last logged */
	sd_bus_message *held[PEERS_MAX_HELD]; /* calls kept until their caller reads */
	unsigned slow_unsaid;		      /* such callers since, not logged one by one */
};

static int bus_connect(struct bus *b);

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- properties: sd-bus hands each getter the manager plus the member's offset ------------- */

static int get_t(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "t", *(const uint64_t *)userdata);
}

static int get_u(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "u", *(const uint32_t *)userdata);
}

static int get_s(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const char *s = *(const char *const *)userdata;

	return sd_bus_message_append(reply, "s", s ? s : "");
}

/* ---- privilege ----------------------------------------------------------------------------- */

/*
 * Root, or whom polkit allows action: 1 allowed; 0 asked (the handler returns 1 and is called
 * again with the answer); negative with AccessDenied (or polkit's interactive error) set.
 */
static int authorize(struct bus *b, sd_bus_message *msg, const char *action, sd_bus_error *error)
{
	return polkit_check(msg, action, &b->polkit, error);
}

/*
 * The caller's uid as the listings need it. Nothing hidden: 0, everyone sees what root sees,
 * and the bus is not asked. Else asked of the bus once per caller (a synchronous call, which
 * reads whatever else arrives meanwhile), effective uid where the bus vouches for it, as
 * polkit.c's root test does; a caller that cannot be told is BUS_UID_UNKNOWN, whom the
 * manager shows only what it shows everyone.
 */
#define BUS_UID_UNKNOWN UINT32_MAX
static uint32_t caller_uid(struct bus *b, sd_bus_message *msg)
{
	const char *sender = sd_bus_message_get_sender(msg);
	uint32_t ret = BUS_UID_UNKNOWN;
	sd_bus_creds *c = NULL;
	uint64_t augmented;
	uid_t uid;

	if (!manager_hides_owners(b->m))
		return 0;
	if (peers_uid(b->peers, sender, &ret))
		return ret;
	if (sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID, &c) < 0)
		return ret;
	augmented = sd_bus_creds_get_augmented_mask(c);
	if (!(augmented & SD_BUS_CREDS_EUID) && sd_bus_creds_get_euid(c, &uid) >= 0)
		ret = (uint32_t)uid;
	else if (!(augmented & SD_BUS_CREDS_UID) && sd_bus_creds_get_uid(c, &uid) >= 0)
		ret = (uint32_t)uid;
	sd_bus_creds_unref(c);
	if (ret != BUS_UID_UNKNOWN)
		peers_set_uid(b->peers, sender, ret);
	return ret;
}

/* ---- records: a JSON record as a{sv}, typed by its field table --------------------------- */

static int append_field(sd_bus_message *r, const struct field *f, json_object *v)
{
	const char *sig = record_dbus_type(f->type);
	int ret;

	switch (f->type) {
	case FIELD_U64:
		return sd_bus_message_append(r, "{sv}", f->key, sig,
					     (uint64_t)json_object_get_uint64(v));
	case FIELD_U32:
		return sd_bus_message_append(r, "{sv}", f->key, sig,
					     (uint32_t)json_object_get_uint64(v));
	case FIELD_BOOL:
		return sd_bus_message_append(r, "{sv}", f->key, sig, json_object_get_boolean(v));
	case FIELD_STR:
		return sd_bus_message_append(r, "{sv}", f->key, sig, json_object_get_string(v));
	case FIELD_PIDS:
		break;
	}
	if ((ret = sd_bus_message_open_container(r, 'e', "sv")) < 0 ||
	    (ret = sd_bus_message_append(r, "s", f->key)) < 0 ||
	    (ret = sd_bus_message_open_container(r, 'v', sig)) < 0 ||
	    (ret = sd_bus_message_open_container(r, 'a', "u")) < 0)
		return ret;
	for (size_t i = 0;
	     json_object_is_type(v, json_type_array) && i < json_object_array_length(v); i++)
		if ((ret = sd_bus_message_append(
			 r, "u",
			 (uint32_t)json_object_get_uint64(json_object_array_get_idx(v, i)))) < 0)
			return ret;
	if ((ret = sd_bus_message_close_container(r)) < 0 ||
	    (ret = sd_bus_message_close_container(r)) < 0)
		return ret;
	return sd_bus_message_close_container(r);
}

static int append_record(sd_bus_message *r, const struct record_schema *s, json_object *o)
{
	int ret = sd_bus_message_open_container(r, 'a', "{sv}");

	for (size_t i = 0; ret >= 0 && i < s->nfields; i++) {
		json_object *v;

		if (json_object_object_get_ex(o, s->fields[i].key, &v))
			ret = append_field(r, &s->fields[i], v);
	}
	return ret < 0 ? ret : sd_bus_message_close_container(r);
}

/* ---- slow peers: replies are charged to the caller until a Ping proves it read them ------- */

struct ping {
	struct bus *b;
	char name[PEER_NAME_LEN];
};

static void hold(struct bus *b, sd_bus_message *msg)
{
	for (size_t i = 0; i < PEERS_MAX_HELD; i++)
		if (!b->held[i]) {
			b->held[i] = sd_bus_message_ref(msg);
			return;
		}
}

/*
 * The calls held for name (NULL: everyone's) go back to the read queue, to be admitted again
 * now that its Ping came back (answer), or are dropped.
 */
static void release(struct bus *b, const char *name, bool answer)
{
	for (size_t i = 0; i < PEERS_MAX_HELD; i++) {
		sd_bus_message *m = b->held[i];
		const char *sender = m ? sd_bus_message_get_sender(m) : NULL;

		if (!m || (name && (!sender || strcmp(sender, name))))
			continue;
		if (!answer || !b->bus || sd_bus_enqueue_for_read(b->bus, m) < 0) {
			if (answer)
				log_debug("a call of %s held for later is dropped", name);
			polkit_forget_call(b->polkit, m); /* it will not come back */
		}
		b->held[i] = sd_bus_message_unref(m);
	}
	if (name)
		peers_release(b->peers, name);
}

static int send_ping(struct bus *b, const char *name);

static int on_pong(sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct ping *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	const char *next;

	peers_ping_done(p->b->peers, p->name, !e);
	if (!e)
		release(p->b, p->name, true);
	else
		log_debug("no answer to Ping from %s: %s", p->name, e->message);
	/* A Ping may be sent again: to whom one is owed, callers that read first. */
	while ((next = peers_next_ping(p->b->peers)))
		if (send_ping(p->b, next) < 0)
			break;
	return 0;
}

/* Ask name to prove it reads: its answer comes after every reply sent to it before. */
static int send_ping(struct bus *b, const char *name)
{
	struct ping *p = calloc(1, sizeof(*p));
	sd_bus_message *m = NULL;
	sd_bus_slot *slot = NULL;
	int r;

	if (!p)
		return -ENOMEM;
	p->b = b;
	snprintf(p->name, sizeof(p->name), "%s", name);
	r = sd_bus_message_new_method_call(b->bus, &m, name, "/", "org.freedesktop.DBus.Peer",
					   "Ping");
	if (r >= 0)
		r = sd_bus_call_async(b->bus, &slot, m, on_pong, p, BUS_PING_US);
	sd_bus_message_unref(m);
	if (r < 0) {
		free(p);
		return r;
	}
	/* The slot frees p when the answer came or the bus went away. */
	sd_bus_slot_set_destroy_callback(slot, free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	peers_ping_sent(b->peers, name);
	return 0;
}

/* bytes of reply are on their way to msg's sender. */
static void charge(struct bus *b, sd_bus_message *msg, uint64_t bytes)
{
	const char *sender = sd_bus_message_get_sender(msg);

	if (sender && peers_sent(b->peers, sender, bytes))
		send_ping(b, sender);
}

/*
 * Before any handler: a caller that does not read its replies gets no more until it does (its
 * call is held until its Ping comes back; past PEER_MAX_HELD it is dropped, and the broker's own
 * limit of pending calls per connection then stops it). A new caller finding the table of peers
 * full of callers that owe replies is dropped too, unless it is root or the bus. A
 * write queue that stays full means the bus takes nothing from nltuned: reconnect, which drops
 * what could not be sent instead of keeping it forever.
 */
static void check_queue(struct bus *b);

/*
 * At most one line per BUS_SLOW_LOG_US about refused callers, however many: true when this one
 * may be said, with *unsaid set to how many were not since the last.
 */
static bool may_say(struct bus *b, unsigned *unsaid)
{
	uint64_t now = now_us();

	if (b->slow_said_us && now - b->slow_said_us < BUS_SLOW_LOG_US) {
		b->slow_unsaid++;
		return false;
	}
	*unsaid = b->slow_unsaid;
	b->slow_said_us = now;
	b->slow_unsaid = 0;
	return true;
}

static int on_message(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	const char *sender = sd_bus_message_get_sender(msg), *member;
	unsigned unsaid;
	uid_t uid;

	if (!sd_bus_message_is_method_call(msg, NULL, NULL))
		return 0;
	check_queue(b);
	switch (peers_admit(b->peers, sender)) {
	case PEER_ANSWER:
		member = sd_bus_message_get_member(msg);
		charge(b, msg, member && !strcmp(member, "Introspect") ? 8192 : BUS_CALL_COST);
		return 0;
	case PEER_HOLD:
		hold(b, msg);
		break;
	case PEER_DROP_FIRST:
		if (may_say(b, &unsaid))
			log_warnx(
			    "%s does not read its replies (%" PRIu64 " bytes unread): its calls "
			    "go unanswered until it reads them; %u more callers refused since "
			    "the last such message",
			    sender, peers_find(b->peers, sender)->unread, unsaid);
		break;
	case PEER_FULL: /* not tracked: root and the bus are answered all the same */
		if (!sender || !strcmp(sender, "org.freedesktop.DBus") ||
		    (polkit_sender_uid(msg, &uid) >= 0 && uid == 0))
			return 0;
		b->peers->dropped++;
		if (may_say(b, &unsaid))
			log_warnx("%s gets no answer: all %d callers nltuned keeps track of owe it "
				  "replies; %u more callers refused since the last such message",
				  sender, PEERS_MAX, unsaid);
		break;
	case PEER_DROP:
		break;
	}
	/* A question about it ends: a held call is asked about anew when it comes back. */
	polkit_forget_call(b->polkit, msg);
	if (sender && peers_want_ping(b->peers, sender))
		send_ping(b, sender);
	return 1;
}

static int on_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	const char *name, *old, *new;

	if (sd_bus_message_read(msg, "sss", &name, &old, &new) >= 0 && name[0] == ':' && !new[0]) {
		release(b, name, false);
		peers_gone(b->peers, name);
		polkit_forget_sender(b->polkit, name);
	}
	return 0;
}

/* Reply with an array of records (aa{sv}); takes arr. */
static int reply_records(struct bus *b, sd_bus_message *msg, const struct record_schema *s,
			 json_object *arr)
{
	sd_bus_message *reply = NULL;
	size_t n = arr ? json_object_array_length(arr) : 0;
	int r;

	if (!arr)
		return -ENOMEM;
	/* What the reply weighs, near enough: the same records as JSON. */
	charge(b, msg, strlen(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN)));
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{sv}");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_record(reply, s, json_object_array_get_idx(arr, i));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	json_object_put(arr);
	return r;
}

/* ---- methods ------------------------------------------------------------------------------- */

/*
 * The status document, made at most once per BUS_DESCRIBE_US and whenever the manager reports
 * a change or an alert: a storm of calls costs copies, not a document each. Callers who see
 * other owners (hidepid) get documents of their own, so the one kept is for one view.
 */
static int method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	uint64_t now = now_us();
	uint32_t uid = caller_uid(b, msg), view = manager_view_uid(b->m, uid);

	if (!b->describe || now - b->describe_us >= BUS_DESCRIBE_US || view != b->describe_uid) {
		json_object *o = manager_describe(b->m, BUS_MAX_SOCKETS, uid);
		char *text;

		if (!o)
			return -ENOMEM;
		text = strdup(json_object_to_json_string_ext(
		    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		if (!text)
			return -ENOMEM;
		free(b->describe);
		b->describe = text;
		b->describe_us = now;
		b->describe_uid = view;
	}
	charge(b, msg, strlen(b->describe));
	return sd_bus_reply_method_return(msg, "s", b->describe);
}

static int method_list_sockets(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;

	return reply_records(b, msg, &record_socket,
			     manager_sockets_json(b->m, BUS_MAX_SOCKETS, caller_uid(b, msg)));
}

/* The filters and the page of ListSocketsPage and ListSocketsJSON; InvalidArgs when bad. */
static int read_page_args(sd_bus_message *msg, struct scan_filter *f, uint32_t *offset,
			  uint32_t *limit, sd_bus_error *error)
{
	const char *verdict;
	uint32_t pid;
	int32_t proto;
	uint64_t netns;
	int r;

	memset(f, 0, sizeof(*f));
	r = sd_bus_message_read(msg, "suituu", &verdict, &pid, &proto, &netns, offset, limit);
	if (r < 0)
		return r;
	if (scan_verdict_filter_parse(verdict, &f->verdict) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "verdict \"%s\" is none of \"\", problem, ok, at-risk, "
					 "dropping",
					 verdict);
	if (pid > INT32_MAX)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "pid %u is no process id", pid);
	f->pid = (pid_t)pid;
	f->protocol = proto < 0 ? -1 : proto;
	f->netns = netns;
	if (*limit == 0 || *limit > BUS_PAGE_MAX)
		*limit = BUS_PAGE_MAX;
	return 1;
}

static uint32_t total_u32(size_t total)
{
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

static int method_list_sockets_page(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	sd_bus_message *reply = NULL;
	uint32_t offset, limit;
	struct scan_filter f;
	size_t total = 0, n;
	json_object *arr;
	int r;

	r = read_page_args(msg, &f, &offset, &limit, error);
	if (r <= 0)
		return r;
	arr = manager_sockets_page(b->m, &f, offset, limit, &total, caller_uid(b, msg));
	if (!arr)
		return -ENOMEM;
	/* What the reply weighs, near enough: the same records as JSON. */
	charge(b, msg, strlen(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN)));
	n = json_object_array_length(arr);
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{sv}");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_record(reply, &record_socket, json_object_array_get_idx(arr, i));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "u", total_u32(total));
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	json_object_put(arr);
	return r;
}

/* The same page as the SOCKET array of `sockets --json`, one string: the console's fast path. */
static int method_list_sockets_json(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	uint32_t offset, limit;
	struct scan_filter f;
	size_t total = 0;
	char *text;
	int r;

	r = read_page_args(msg, &f, &offset, &limit, error);
	if (r <= 0)
		return r;
	text = manager_sockets_page_text(b->m, &f, offset, limit, &total, caller_uid(b, msg));
	if (!text)
		return -ENOMEM;
	charge(b, msg, strlen(text));
	r = sd_bus_reply_method_return(msg, "su", text, total_u32(total));
	free(text);
	return r;
}

static int method_list_alerts(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;

	return reply_records(b, msg, &record_alert, manager_alerts_json(b->m, caller_uid(b, msg)));
}

static int method_recommend(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const struct recommendation *rec = manager_recommend(userdata);

	return sd_bus_reply_method_return(msg, "tts", rec->rmem_default, rec->rmem_max,
					  rec->reason);
}

/* Apply and Revert: (b dry_run) -> (tt) through one manager verb. Undoing a write is writing,
 * so both ask for the same polkit action. */
static int method_write(sd_bus_message *msg, struct bus *b,
			int (*verb)(struct manager *, bool, struct rmem *, char *, size_t),
			sd_bus_error *error)
{
	struct rmem after;
	char err[512];
	int dry, r;

	r = sd_bus_message_read(msg, "b", &dry);
	if (r < 0)
		return r;
	r = authorize(b, msg, "org.nltune1.apply", error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = verb(b->m, dry, &after, err, sizeof(err));
	if (r < 0)
		return sd_bus_error_setf(error, BUS_ERROR("SysctlRefused"), "%s", err);
	return sd_bus_reply_method_return(msg, "tt", after.rmem_default, after.rmem_max);
}

static int method_apply(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_write(msg, userdata, manager_apply, error);
}

static int method_revert(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return method_write(msg, userdata, manager_revert, error);
}

static int method_fix_socket(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	uint64_t inode, size, got = 0;
	char err[512];
	int r;

	r = sd_bus_message_read(msg, "tt", &inode, &size);
	if (r < 0)
		return r;
	if (inode == 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "inode 0 names no socket");
	if (size > INT32_MAX) /* the ceiling in force is the manager's to check */
		return sd_bus_error_setf(error, BUS_ERROR("InvalidSize"),
					 "size %" PRIu64 " is out of range: 0 (recommended) or "
					 "4096..%d bytes",
					 size, INT32_MAX);
	r = authorize(b, msg, "org.nltune1.fix-socket", error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = manager_fix_socket(b->m, inode, size, &got, err, sizeof(err));
	if (r == -ENOENT || r == -ESTALE)
		return sd_bus_error_setf(error, BUS_ERROR("NoSuchSocket"), "%s", err);
	if (r == -ESRCH)
		return sd_bus_error_setf(error, BUS_ERROR("NoOwner"), "%s", err);
	if (r == -EPROTOTYPE)
		return sd_bus_error_setf(error, BUS_ERROR("NotUevent"), "%s", err);
	if (r == -ERANGE)
		return sd_bus_error_setf(error, BUS_ERROR("InvalidSize"), "%s", err);
	if (r < 0)
		return sd_bus_error_setf(error, BUS_ERROR("FixRefused"), "%s", err);
	return sd_bus_reply_method_return(msg, "t", got);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	char err[1024];
	int r;

	r = authorize(b, msg, "org.nltune1.reload", error);
	if (r <= 0)
		return r < 0 ? r : 1;
	if (manager_reload(b->m, err, sizeof(err)) < 0)
		return sd_bus_error_setf(error, BUS_ERROR("BadConfig"),
					 "%s; the configuration in force "
					 "is kept",
					 err);
	return sd_bus_reply_method_return(msg, "");
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
#define VTABLE_PROPERTY(name, sig, member, change)                                                 \
	SD_BUS_PROPERTY(name, #sig, get_##sig, offsetof(struct manager, status.member),            \
			CHANGE_##change),
	PROPERTIES(VTABLE_PROPERTY)
#undef VTABLE_PROPERTY
	    SD_BUS_METHOD_WITH_ARGS("Recommend", SD_BUS_NO_ARGS,
				    SD_BUS_RESULT("t", rmem_default, "t", rmem_max, "s", reason),
				    method_recommend, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("Alert", SD_BUS_ARGS("a{sv}", alert), 0), SD_BUS_VTABLE_END
};

/*
 * The same interface's methods on struct bus: the documents, whose size is charged to the
 * caller's unread replies, and the methods that change the host (which ask polkit). They are
 * UNPRIVILEGED for sd-bus, whose own test would refuse every caller without CAP_SYS_ADMIN: the
 * handlers decide (root, or whom polkit allows), as hostnamed's do.
 */
static const sd_bus_vtable bus_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", status_json),
				method_describe, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListSockets", SD_BUS_NO_ARGS, SD_BUS_RESULT("aa{sv}", sockets),
				method_list_sockets, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
	    "ListSocketsPage",
	    SD_BUS_ARGS("s", verdict, "u", pid, "i", protocol, "t", netns, "u", offset, "u", limit),
	    SD_BUS_RESULT("aa{sv}", sockets, "u", total), method_list_sockets_page,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS(
	    "ListSocketsJSON",
	    SD_BUS_ARGS("s", verdict, "u", pid, "i", protocol, "t", netns, "u", offset, "u", limit),
	    SD_BUS_RESULT("s", sockets_json, "u", total), method_list_sockets_json,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListAlerts", SD_BUS_NO_ARGS, SD_BUS_RESULT("aa{sv}", alerts),
				method_list_alerts, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("b", dry_run),
				SD_BUS_RESULT("t", rmem_default, "t", rmem_max), method_apply,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Revert", SD_BUS_ARGS("b", dry_run),
				SD_BUS_RESULT("t", rmem_default, "t", rmem_max), method_revert,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("FixSocket", SD_BUS_ARGS("t", inode, "t", size),
				SD_BUS_RESULT("t", rcvbuf), method_fix_socket,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

/* ---- connection ---------------------------------------------------------------------------- */

static void drop_bus(struct bus *b);

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bus *b = userdata;

	if (b->bus && b->stuck_since == UINT64_MAX)
		drop_bus(b); /* a connection whose queue is stuck */
	if (!b->bus)	     /* the socket watch may have been quicker */
		bus_connect(b);
	return 0;
}

static void schedule_retry(struct bus *b)
{
	b->backoff_us = b->backoff_us ? b->backoff_us * 2 : BUS_RETRY_MIN_US;
	if (b->backoff_us > BUS_RETRY_MAX_US)
		b->backoff_us = BUS_RETRY_MAX_US;
	if (!b->retry) {
		if (sd_event_add_time_relative(b->m->event, &b->retry, CLOCK_MONOTONIC,
					       b->backoff_us, 10000, on_retry, b) < 0)
			return;
	} else {
		sd_event_source_set_time_relative(b->retry, b->backoff_us);
	}
	sd_event_source_set_enabled(b->retry, SD_EVENT_ONESHOT);
}

#define BUS_RUN_DIR	"/run"
#define BUS_SOCKET_DIR	"/run/dbus"
#define BUS_SOCKET_NAME "system_bus_socket"

static void watch_socket(struct bus *b);

/*
 * Something appeared in /run or /run/dbus: when it is the bus socket (or its
 * directory, then watched in turn), connect now rather than at the next retry.
 */
static int on_run_changed(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	struct bus *b = userdata;

	if (b->bus || !(ev->mask & (IN_CREATE | IN_MOVED_TO)) || ev->len == 0)
		return 0;
	if (!b->watch_dbus && !strcmp(ev->name, "dbus")) {
		watch_socket(b);
		return 0;
	}
	if (b->watch_dbus && !strcmp(ev->name, BUS_SOCKET_NAME)) {
		b->backoff_us = 0;
		bus_connect(b);
	}
	return 0;
}

/*
 * At boot nltuned starts long before dbus: watch for the default bus socket
 * so the name is taken as soon as it can be. Not with DBUS_SYSTEM_BUS_ADDRESS
 * (a private bus: the retries alone serve it) or once connected.
 */
static void watch_socket(struct bus *b)
{
	struct stat st;
	bool dbus_dir = stat(BUS_SOCKET_DIR, &st) == 0 && S_ISDIR(st.st_mode);

	if (b->bus || getenv("DBUS_SYSTEM_BUS_ADDRESS")) {
		b->watch = sd_event_source_disable_unref(b->watch);
		return;
	}
	if (b->watch && b->watch_dbus == dbus_dir)
		return;
	b->watch = sd_event_source_disable_unref(b->watch);
	b->watch_dbus = dbus_dir;
	if (sd_event_add_inotify(b->m->event, &b->watch, dbus_dir ? BUS_SOCKET_DIR : BUS_RUN_DIR,
				 IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, on_run_changed, b) < 0)
		b->watch = NULL; /* the retries remain */
	if (dbus_dir && !b->bus && stat(BUS_SOCKET_DIR "/" BUS_SOCKET_NAME, &st) == 0) {
		b->backoff_us = 0;
		schedule_retry(b); /* it came between the event and the watch */
	}
}

static void drop_bus(struct bus *b)
{
	b->named = false;
	b->alert_sent = b->alert_out; /* what was still queued is lost with the connection */
	polkit_registry_free(b->polkit);
	b->polkit = NULL;
	release(b, NULL, false);
	b->io = sd_event_source_disable_unref(b->io);
	b->timer = sd_event_source_disable_unref(b->timer);
	if (b->bus)
		b->bus = sd_bus_close_unref(b->bus); /* no flush: a wedged bus must not hang us */
}

static void check_queue(struct bus *b)
{
	uint64_t queued = 0, now = now_us();

	if (b->stuck_since == UINT64_MAX)
		return; /* the reconnection is on its way */
	if (!b->bus || !b->named || sd_bus_get_n_queued_write(b->bus, &queued) < 0 ||
	    queued < BUS_MAX_QUEUED) {
		b->stuck_since = 0;
		return;
	}
	if (!b->stuck_since)
		b->stuck_since = now;
	if (now - b->stuck_since < BUS_STUCK_US)
		return;
	log_warnx("the system bus has not taken nltuned's messages for %llu s (%" PRIu64
		  " queued): reconnecting, which drops them",
		  BUS_STUCK_US / 1000000, queued);
	/* Not from inside sd-bus's dispatch: the retry timer drops the connection. */
	b->stuck_since = UINT64_MAX;
	b->backoff_us = 0;
	schedule_retry(b);
}

/*
 * The connection in the event loop, as sd_bus_attach_event() would put it there, but with
 * backpressure: while BUS_MAX_QUEUED messages wait to be written (the broker does not take
 * them as fast as they are made), the socket is not watched for reading. Calls then wait in
 * the broker, charged to their senders, instead of their replies piling up in nltuned.
 */
static int on_bus_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bus *b = userdata;
	int r = b->bus ? sd_bus_process(b->bus, NULL) : 0;

	if (r < 0)
		log_debug("system bus: %s", strerror(-r));
	return 0;
}

static int on_bus_time(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bus *b = userdata;

	check_queue(b);
	return on_bus_ready(s, -1, 0, userdata);
}

static int on_bus_prepare(sd_event_source *s, void *userdata)
{
	struct bus *b = userdata;
	uint64_t queued = 0, until = UINT64_MAX;
	int events;

	if (!b->bus)
		return 0;
	events = sd_bus_get_events(b->bus);
	if (events < 0)
		events = 0; /* closing: the Disconnected message comes from sd_bus_process() */
	/*
	 * Until the bus took the name, nothing waits but nltuned's own start: the queue cannot
	 * drain before the broker's answers are read, so reading goes on whatever is queued.
	 */
	if (sd_bus_get_n_queued_write(b->bus, &queued) >= 0 && queued == 0)
		b->alert_out = b->alert_sent;
	else if (b->named && queued >= BUS_MAX_QUEUED) {
		events &= ~POLLIN;
		check_queue(b);
		if (b->stuck_since && b->stuck_since != UINT64_MAX)
			until = b->stuck_since + BUS_STUCK_US; /* wake to reconnect if it stays */
	}
	if (sd_bus_get_timeout(b->bus, &queued) > 0 && queued < until)
		until = queued;
	sd_event_source_set_io_events(b->io, (uint32_t)events);
	if (until == UINT64_MAX)
		return sd_event_source_set_enabled(b->timer, SD_EVENT_OFF);
	sd_event_source_set_time(b->timer, until);
	return sd_event_source_set_enabled(b->timer, SD_EVENT_ON);
}

static int attach(struct bus *b, sd_bus *bus)
{
	int fd = sd_bus_get_fd(bus), r;

	if (fd < 0)
		return fd;
	r = sd_event_add_io(b->m->event, &b->io, fd, POLLIN, on_bus_ready, b);
	if (r >= 0)
		r = sd_event_source_set_prepare(b->io, on_bus_prepare);
	if (r >= 0)
		r = sd_event_add_time(b->m->event, &b->timer, CLOCK_MONOTONIC, 0, 0, on_bus_time,
				      b);
	if (r >= 0)
		r = sd_event_source_set_enabled(b->timer, SD_EVENT_OFF);
	if (r < 0) {
		b->io = sd_event_source_disable_unref(b->io);
		b->timer = sd_event_source_disable_unref(b->timer);
	}
	return r;
}

static int on_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;

	log_warnx("lost the system bus: D-Bus API off until it is back (measuring goes on)");
	drop_bus(b);
	manager_release_first_scan(b->m);
	b->said_absent = true;
	b->backoff_us = 0;
	schedule_retry(b);
	watch_socket(b);
	return 0;
}

static void emit_alerts_since(struct bus *b, uint64_t id);

/*
 * The name request is answered: from now on signals go out and the replies to callers are held
 * to the queue's bound. The alerts raised meanwhile (or queued on a connection that was lost)
 * go out now, from the ring; the manager's first scan, held for the name, may run.
 */
static int on_name(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(msg);
	struct bus *b = userdata;

	b->named = true;
	manager_release_first_scan(b->m);
	if (e) {
		log_warnx(
		    "cannot own %s on the system bus: %s (is dbus/org.nltune1.conf installed?)",
		    BUS_NAME, e->message);
		return 0;
	}
	log_info("serving %s on the system bus", BUS_NAME);
	b->last = b->m->status;
	emit_alerts_since(b, b->alert_sent);
	return 0;
}

static int bus_connect(struct bus *b)
{
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, BUS_PATH, BUS_IFACE, manager_vtable, b->m);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, BUS_PATH, BUS_IFACE, bus_vtable, b);
	if (r >= 0)
		r = sd_bus_add_filter(bus, NULL, on_message, b);
	if (r >= 0)
		r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus",
					      "/org/freedesktop/DBus", "org.freedesktop.DBus",
					      "NameOwnerChanged", on_owner_changed, NULL, b);
	if (r >= 0)
		r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local", NULL,
					      "org.freedesktop.DBus.Local", "Disconnected",
					      on_disconnected, NULL, b);
	if (r >= 0)
		r = sd_bus_request_name_async(bus, NULL, BUS_NAME, 0, on_name, b);
	if (r >= 0)
		r = attach(b, bus);
	if (r < 0) {
		if (!b->said_absent && b->ever)
			log_warnx("no system bus (%s): D-Bus API off, measuring anyway; retrying "
				  "in the background",
				  strerror(-r));
		else if (!b->said_absent) /* at boot nltuned starts before dbus */
			log_info("no system bus yet (%s): measuring without it, %s joins it when "
				 "it comes up",
				 strerror(-r), BUS_NAME);
		b->said_absent = true;
		sd_bus_close_unref(bus);
		schedule_retry(b);
		watch_socket(b);
		return r;
	}
	b->bus = bus;
	b->backoff_us = 0;
	b->stuck_since = 0;
	peers_init(b->peers); /* a new connection: what was queued for the old one is gone */
	if (b->retry)
		sd_event_source_set_enabled(b->retry, SD_EVENT_OFF);
	watch_socket(b); /* connected: no more watching */
	if (b->said_absent && b->ever)
		log_info("system bus is back");
	b->ever = true;
	b->said_absent = false;
	b->last = b->m->status;
	/* The name first, then the work: a first scan of many sockets would hold up the answers. */
	manager_hold_first_scan(b->m, BUS_NAME_WAIT_US);
	return 0;
}

/* Send one ALERT record as the Alert signal; 0 or -errno. */
static int send_alert(struct bus *b, json_object *alert)
{
	sd_bus_message *sig = NULL;
	json_object *id;
	int r;

	r = sd_bus_message_new_signal(b->bus, &sig, BUS_PATH, BUS_IFACE, "Alert");
	if (r >= 0)
		r = append_record(sig, &record_alert, alert);
	if (r >= 0)
		r = sd_bus_send(b->bus, sig, NULL);
	sd_bus_message_unref(sig);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(alert, "id", &id) &&
	    json_object_get_uint64(id) > b->alert_sent)
		b->alert_sent = json_object_get_uint64(id);
	return 0;
}

/* The kept alerts newer than id, oldest first, as signals: none is lost to a late name. */
static void emit_alerts_since(struct bus *b, uint64_t id)
{
	/* As the Alert signal is: a broadcast shows what any listener may see. */
	json_object *arr = manager_alerts_json(b->m, MANAGER_UID_ANYONE), *v;
	size_t n = arr ? json_object_array_length(arr) : 0, sent = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(arr, i);

		if (!json_object_object_get_ex(a, "id", &v) || json_object_get_uint64(v) <= id)
			continue;
		if (send_alert(b, a) < 0)
			break;
		sent++;
	}
	if (sent)
		log_debug("sent %zu alerts raised while %s was not on the bus", sent, BUS_NAME);
	json_object_put(arr);
}

static void on_alert(void *ctx, json_object *alert)
{
	struct bus *b = ctx;
	int r;

	b->describe_us = 0; /* the next Describe shows it */
	if (!b->bus || !b->named)
		return; /* kept in the ring: sent once the name is taken */
	r = send_alert(b, alert);
	if (r < 0)
		log_debug("cannot send the Alert signal: %s", strerror(-r));
}

/* PropertiesChanged for the properties whose values differ from what was last told. */
static void on_changed(void *ctx, const struct manager_status *now)
{
	struct bus *b = ctx;
	const char *names[32];
	size_t n = 0;

	b->describe_us = 0;
	check_queue(b);
	if (!b->bus || !b->named)
		return; /* on_name takes the values then */
#define CHANGED(name, sig, member, change)                                                         \
	if (CHANGE_##change != SD_BUS_VTABLE_PROPERTY_CONST &&                                     \
	    memcmp(&now->member, &b->last.member, sizeof(now->member)) != 0 &&                     \
	    n + 1 < sizeof(names) / sizeof(names[0]))                                              \
		names[n++] = name;
	PROPERTIES(CHANGED)
#undef CHANGED
	names[n] = NULL;
	b->last = *now;
	if (n)
		sd_bus_emit_properties_changed_strv(b->bus, BUS_PATH, BUS_IFACE, (char **)names);
}

struct bus *bus_start(struct manager *m)
{
	struct bus *b = calloc(1, sizeof(*b));
	struct manager_hooks hooks = { .alert = on_alert, .changed = on_changed };

	if (!b)
		return NULL;
	b->peers = malloc(sizeof(*b->peers));
	if (!b->peers) {
		free(b);
		return NULL;
	}
	peers_init(b->peers);
	b->m = m;
	hooks.ctx = b;
	manager_set_hooks(m, &hooks);
	bus_connect(b);
	return b;
}

void bus_stop(struct bus *b)
{
	struct manager_hooks none = { 0 };

	if (!b)
		return;
	manager_set_hooks(b->m, &none);
	if (b->bus)
		sd_bus_release_name(b->bus, BUS_NAME);
	drop_bus(b);
	sd_event_source_unref(b->retry);
	sd_event_source_disable_unref(b->watch);
	free(b->peers);
	free(b->describe);
	free(b);
}
