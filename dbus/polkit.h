/* SPDX-License-Identifier: MIT */
/* Asking polkit whether a D-Bus caller may do an action, without blocking the loop. */
#ifndef NLTUNE_POLKIT_H
#define NLTUNE_POLKIT_H

#include <sys/types.h>
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
 *
 * Every question ends: when its answer is taken, when the caller leaves or the
 * call will not come back (polkit_forget_sender, polkit_forget_call), when
 * polkitd does not answer in 25 s (300 s interactive) and when an answer is
 * not taken within 5 s. 64 may be open at once, 16 of them one uid's; past
 * that the call gets LimitsExceeded.
 */
int polkit_check(sd_bus_message *call, const char *action, struct polkit_registry **reg,
		 sd_bus_error *error);

/*
 * The uid of call's sender, effective if the bus knows it, as the bus vouches for it (never
 * what the message claims); -errno if the bus cannot tell (the caller left).
 */
int polkit_sender_uid(sd_bus_message *call, uid_t *uid);

/* name left the bus: its questions end. NULL reg is fine. */
void polkit_forget_sender(struct polkit_registry *reg, const char *name);

/*
 * call will not reach its handler now (the peer filter held or dropped it): its
 * question ends; a held call that comes back later is asked about anew.
 */
void polkit_forget_call(struct polkit_registry *reg, sd_bus_message *call);

/* Forget every pending question (the connection is going away). NULL is fine. */
void polkit_registry_free(struct polkit_registry *reg);

#endif
