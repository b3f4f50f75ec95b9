/* SPDX-License-Identifier: MIT */
/* nltune asking nltuned over the system bus, with short timeouts so a wedged bus never hangs. */
#ifndef NLTUNE_CLIENT_H
#define NLTUNE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define CLIENT_TIMEOUT_US	1500000	 /* per call */
#define CLIENT_WRITE_TIMEOUT_US 10000000 /* Apply, Revert, FixSocket: polkit may be asked */
#define CLIENT_NO_DAEMON	1	 /* no nltuned on the bus: the console writes itself */
#define CLIENT_NO_ANSWER	2	 /* nltuned did not answer in time: the same */

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

/*
 * The changes, asked of nltuned (never started for them):
 *   client_rmem_write("Apply" or "Revert", dry_run): the values in force afterwards;
 *   client_fix_socket(inode, size): the socket's new rcvbuf;
 *   client_recommend(): what Apply would write, and why.
 * 0 on success; CLIENT_NO_DAEMON or CLIENT_NO_ANSWER when no nltuned answered
 * (err says why); else -errno with nltuned's error, "name: message", in err
 * (org.freedesktop.DBus.Error.AccessDenied, org.nltune1.Error.SysctlRefused, ...).
 */
int client_rmem_write(const char *method, bool dry_run, uint64_t *rmem_default, uint64_t *rmem_max,
		      char *err, size_t errlen);
int client_fix_socket(uint64_t inode, uint64_t size, uint64_t *rcvbuf, char *err, size_t errlen);
int client_recommend(uint64_t *rmem_default, uint64_t *rmem_max, char *reason, size_t len);

#endif
