/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition of the status document and the socket list. */
#ifndef NLTUNE_METRICS_H
#define NLTUNE_METRICS_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Uevent listeners given series of their own (nltune_socket_*); the rest are only counted. */
#define METRICS_SOCKETS_MAX 64

/* A metrics file refreshed at least this often while unchanged, for its mtime (NltunedAbsent). */
#define METRICS_REFRESH_MS 60000

/*
 * Write status (SPEC status object) and sockets (array of SOCKET, all of them) to f: counts
 * of all sockets by verdict and by protocol, limit and verdict; series of their own for at
 * most METRICS_SOCKETS_MAX uevent listeners, dropping first, then at risk, then the smallest
 * buffers; and how many listeners that left out. Its size does not grow with the sockets.
 */
void metrics_write(FILE *f, json_object *status, json_object *sockets);

/*
 * Write to path atomically (temp + rename), for node_exporter's textfile collector;
 * the directory is opened with safedir_open(). The file gets mode 0644. 0/-errno.
 */
int metrics_write_file(const char *path, json_object *status, json_object *sockets);

/* What a metrics file last got, so that an unchanged text is not written again. */
struct metrics_file {
	char *text; /* the text last written, or NULL */
	size_t len;
	mode_t mode;	     /* the mode it was written with: a new one writes it again */
	uint64_t written_ms; /* when it was written or its mtime refreshed (the caller's clock) */
};

/*
 * Write the exposition to path with mode (as metrics_write_file) if it differs from what mf
 * last wrote; unchanged, only refresh the file's mtime once METRICS_REFRESH_MS passed since
 * now_ms of the last write or refresh. Returns 1 written, 0 left as it was, or -errno (mf then
 * forgets the text, so the next call writes).
 */
int metrics_file_update(struct metrics_file *mf, const char *path, mode_t mode, json_object *status,
			json_object *sockets, uint64_t now_ms);

/*
 * Remove the temporary files "<name>.XXXXXX" a killed writer left beside the metrics file
 * path. Returns how many, or -errno (the errors of safedir_open for its directory).
 */
int metrics_remove_temps(const char *path);

/* Forget what mf holds. */
void metrics_file_free(struct metrics_file *mf);

#endif
