/* SPDX-License-Identifier: MIT */
/* A daemon's reply checked against the vocabulary before anything reads it (version skew,
 * impostors). */
#ifndef NLTUNE_REPLY_H
#define NLTUNE_REPLY_H

#include <json-c/json.h>
#include <stddef.h>

/*
 * Check a status document (Describe) member by member: the members README.md documents
 * present with their types, SOCKET and ALERT records typed by their field
 * tables (record.h), the optional "history" and "scan" objects. Every string
 * in it is sanitized in place. Returns 0, or -EBADMSG with why naming the
 * first member that is missing or of the wrong type ("sockets[2].pids: a
 * string, want an array"). Never logs.
 */
int reply_check_status(json_object *doc, char *why, size_t len);

/* The same for the array of SOCKET of ListSockets. */
int reply_check_sockets(json_object *arr, char *why, size_t len);

#endif
