/* SPDX-License-Identifier: MIT */
/* Console rendering of the JSON documents: one readable screen, colour only on a tty. */
#ifndef NLTUNE_RENDER_H
#define NLTUNE_RENDER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* "2.3K", "1.6M", "812": sizes as the status screen shows them. */
const char *render_k(char *buf, size_t len, uint64_t bytes);

void render_status(FILE *f, json_object *status, bool color);
void render_sockets(FILE *f, json_object *sockets, bool color);
void render_alerts(FILE *f, json_object *alerts, bool color);

#endif
