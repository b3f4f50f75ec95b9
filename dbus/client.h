/* SPDX-License-Identifier: MIT */
/* nltune asking nltuned over the system bus, with short timeouts so a wedged bus never hangs. */
#ifndef NLTUNE_CLIENT_H
#define NLTUNE_CLIENT_H

#include <json-c/json.h>

#define CLIENT_TIMEOUT_US 1500000 /* per call */

/* Describe(): the status document. 0, or -errno when no daemon answers. */
int client_describe(json_object **status);

/* ListSockets(): every SOCKET as a JSON array. 0 or -errno. */
int client_list_sockets(json_object **sockets);

#endif
