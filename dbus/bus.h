/* SPDX-License-Identifier: MIT */
/* nltuned on the system bus: the only module that knows sd-bus. */
#ifndef NLTUNE_BUS_H
#define NLTUNE_BUS_H

struct manager;

/* Connect to the system bus and serve org.nltune1; without a bus, log once and keep going. */
int bus_start(struct manager *m);
void bus_stop(struct manager *m);

#endif
