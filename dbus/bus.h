/* SPDX-License-Identifier: MIT */
/* nltuned on the system bus: the only module that serves sd-bus. */
#ifndef NLTUNE_BUS_H
#define NLTUNE_BUS_H

struct manager;
struct alert;

/*
 * Connect to the system bus and serve org.nltune1 on the manager's loop.
 * Without a bus, log once and retry with backoff; never fatal.
 */
int bus_start(struct manager *m);
void bus_stop(struct manager *m);

/* Emit the Alert signal (if connected). */
void bus_emit_alert(struct manager *m, const struct alert *a);
/* Emit PropertiesChanged for the properties whose values changed since the last call. */
void bus_properties_changed(struct manager *m);

#endif
