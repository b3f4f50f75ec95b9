/* SPDX-License-Identifier: MIT */
/* nltuned on the system bus: the only module that serves sd-bus; it marshals, never computes. */
#ifndef NLTUNE_BUS_H
#define NLTUNE_BUS_H

struct bus;
struct manager;

/*
 * Serve org.nltune1 for m on m's loop: properties from m->status, methods through the
 * manager's verbs, the manager's alerts and changes as signals. Without a bus, log once and
 * retry with backoff; never fatal. NULL only when out of memory.
 */
struct bus *bus_start(struct manager *m);
/* Leave the bus and forget m's hooks; NULL is fine. */
void bus_stop(struct bus *b);

#endif
