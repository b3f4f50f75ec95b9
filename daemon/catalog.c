/* SPDX-License-Identifier: MIT */
/* MESSAGE_IDs by alert kind: fixed once shipped, since journalctl MESSAGE_ID=... relies on them. */
#include "catalog.h"

#include <stddef.h>
#include <string.h>

/* Each id has an entry in conf/nltune.catalog; tests/test_catalog.c checks both ways. */
static const struct {
	const char *kind;
	const char *id;
} ids[] = {
	{ "socket-drops", "cf811d1bbb114c8c8ec97dc0e0e47876" },
	{ "monitor-overrun", "1876e13ef046434ab2f624e455b20abd" },
	{ "sysctl-lowered", "b63e8098efba46ae906c8b37ef09e577" },
	{ "rmem-default-low", "57d4e3be7e434b6ca98e869980587ae5" },
	{ "process-buffer", "178054aeb2484c06946f35b0cf82facd" },
};

const char *catalog_message_id(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(ids[i].kind, kind) == 0)
			return ids[i].id;
	return NULL;
}
