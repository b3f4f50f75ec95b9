/* SPDX-License-Identifier: MIT */
/* Asking polkit whether a D-Bus caller may do an action, without blocking the loop. */
#ifndef NLTUNE_POLKIT_H
#define NLTUNE_POLKIT_H

#include <systemd/sd-bus.h>

struct polkit_registry;

/*
 * May the sender of call do action? Root always may. Anyone else is asked of
 * polkit (CheckAuthorization on the system-bus-name subject, interactive only
 * when call carries ALLOW_INTERACTIVE_AUTHORIZATION), asynchronously: the
 * first time this returns 0 and the handler must return 1 without replying;
 * when polkit answers, call is queued again and the handler runs once more,
 * now getting 1 (allowed) or a negative value with error set (AccessDenied,
 * InteractiveAuthorizationRequired). Without polkitd only root is allowed.
 * *reg is created on first use. Never logs.
 */
int polkit_check(sd_bus_message *call, const char *action, struct polkit_registry **reg,
		 sd_bus_error *error);

/* Forget every pending question (the connection is going away). NULL is fine. */
void polkit_registry_free(struct polkit_registry *reg);

#endif
