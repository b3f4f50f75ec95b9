/* SPDX-License-Identifier: MIT */
/* The journal's MESSAGE_ID of each alert kind, as conf/nltune.catalog explains them. */
#ifndef NLTUNE_CATALOG_H
#define NLTUNE_CATALOG_H

/* 32 lowercase hex digits for an alert kind's name ("socket-drops"), NULL if it has none. Pure. */
const char *catalog_message_id(const char *kind);

#endif
