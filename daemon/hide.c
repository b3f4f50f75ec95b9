/* SPDX-License-Identifier: MIT */
/* Owners shown to a caller under hidepid: rows and alerts redacted for one uid; pure. */
#include "hide.h"

#include <string.h>

bool hide_active(enum nlt_hide mode, int hidepid)
{
	return mode == NLT_HIDE_YES || (mode == NLT_HIDE_AUTO && hidepid > 0);
}

struct hide_view hide_view_of(bool active, uint32_t uid, uint64_t netns_self)
{
	struct hide_view v = { .on = active && uid != 0, .uid = uid, .netns_self = netns_self };

	return v;
}

/* Is r held by a process of the viewer's user (a uid nobody has never matches). */
static bool own_row(const struct hide_view *v, const struct sockrow *r)
{
	return v->uid != HIDE_UID_ANYONE && r->own && r->own->npids && r->own->uid == v->uid;
}

const struct sockrow *hide_row(const struct hide_view *v, const struct sockrow *r,
			       struct hide_buf *buf)
{
	if (!v->on)
		return r;
	buf->row = *r;
	if (own_row(v, r)) {
		if (r->own->npids == 1)
			return r;
		buf->own = *r->own;
		buf->own.more += buf->own.npids - 1;
		buf->own.npids = 1;
		buf->row.own = &buf->own;
		return &buf->row;
	}
	buf->row.own = NULL;
	if (r->s.netns != v->netns_self) {
		buf->row.s.netns = 0;
		buf->row.s.portid = 0; /* the first socket of a process is bound to its pid */
	}
	return &buf->row;
}

size_t hide_filter(const struct hide_view *v, const struct sockrow *rows, size_t *idx, size_t n,
		   const struct scan_filter *f)
{
	struct hide_buf buf;
	size_t k = 0;

	if (!v->on || !f)
		return n;
	for (size_t i = 0; i < n; i++)
		if (scan_row_match(hide_row(v, &rows[idx[i]], &buf), f))
			idx[k++] = idx[i];
	return k;
}

void hide_alert(const struct hide_view *v, const struct alert *a, struct alert *out)
{
	bool own = v->uid != HIDE_UID_ANYONE && a->uid != ALERTS_UID_NONE && a->uid == v->uid;
	struct alert t = *a; /* out may be a */

	t.message_hidden[0] = '\0';
	if (v->on && !own) {
		t.pid = 0;
		t.uid = ALERTS_UID_NONE;
		memset(t.comm, 0, sizeof(t.comm));
		if (a->message_hidden[0])
			memcpy(t.message, a->message_hidden, sizeof(t.message));
	}
	*out = t;
}
