/* SPDX-License-Identifier: MIT */
/* nltune asking nltuned over the system bus, with short timeouts so a wedged bus never hangs. */
#ifndef NLTUNE_CLIENT_H
#define NLTUNE_CLIENT_H

#include <stdint.h>

#include <json-c/json.h>

#define CLIENT_TIMEOUT_US 1500000 /* per call */

/* Describe(): the status document. 0, or -errno when no daemon answers. */
int client_describe(json_object **status);

/* ListSockets(): every SOCKET as a JSON array. 0 or -errno. */
int client_list_sockets(json_object **sockets);
/*
 * ListSocketsJSON page after page: every socket that passes the filters (verdict "" any,
 * "problem", "ok", "at-risk", "dropping"; pid 0, protocol -1, netns 0: any), worst first.
 */
int client_list_sockets_matching(const char *verdict, uint32_t pid, int32_t protocol,
				 uint64_t netns, json_object **sockets);

#endif
