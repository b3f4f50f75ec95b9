/* SPDX-License-Identifier: MIT */
/*
 * The coldplug estimate: the charge of one "add" event per uevent file that
 * udevadm trigger --type=all writes to: devices, modules, buses, drivers.
 */
#ifndef NLTUNE_COLDPLUG_H
#define NLTUNE_COLDPLUG_H

#include <stddef.h>
#include <stdint.h>

#include "charge.h"

#define COLDPLUG_MAX_FILES 1000000 /* stop walking beyond this many */
#define COLDPLUG_MAX_DEPTH 64

/*
 * Payload bytes of the "add" uevent the kernel sends for one device when
 * coldplug writes "add" to its uevent file:
 * "add@DEVPATH\0ACTION=add\0DEVPATH=..\0SUBSYSTEM=..\0SYNTH_UUID=0\0" + the
 * keys of the uevent file (its bytes: each '\n' stands for a NUL; a missing
 * last '\n' is added) + "SEQNUM=" with 5 digits. subsystem may be NULL (no
 * SUBSYSTEM key); reading stops at file_len or a NUL. Pure.
 */
size_t coldplug_payload(const char *devpath, const char *subsystem, const char *uevent_file,
			size_t file_len);

/*
 * Count the uevent files under <sys>/devices without reading them, then those
 * of <sys>/module/NAME, <sys>/bus/NAME and <sys>/bus/NAME/drivers/NAME. Under
 * devices only those whose directory has a `subsystem` link count: the kernel
 * drops the events of a device with neither bus nor class. Returns the count
 * or -errno (<sys>/devices missing; the others may be absent).
 */
int64_t coldplug_count(void);

/*
 * Walk as coldplug_count() and read each uevent file found (at most 4096 bytes);
 * *bytes = the sum of charge_of(m, coldplug_payload()). Returns the device count or -errno.
 */
int64_t coldplug_scan(const struct charge_model *m, uint64_t *bytes);

/*
 * coldplug_scan() that also sets *skipped (may be NULL): uevent files that
 * could not be read and directories that could not be opened. Those add no
 * device and no charge. Never logs.
 */
int64_t coldplug_scan_skipped(const struct charge_model *m, uint64_t *bytes, uint64_t *skipped);

#endif
