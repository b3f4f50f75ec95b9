/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition of the status document and the socket list. */
#ifndef NLTUNE_METRICS_H
#define NLTUNE_METRICS_H

#include <json-c/json.h>
#include <stdio.h>

/* Write status (SPEC status object) and sockets (array of SOCKET, all of them) to f. */
void metrics_write(FILE *f, json_object *status, json_object *sockets);

/*
 * Write to path atomically (temp + rename), for node_exporter's textfile collector;
 * the directory is opened with safedir_open(). 0/-errno.
 */
int metrics_write_file(const char *path, json_object *status, json_object *sockets);
/* The mode metrics_write_file() gives the file from now on: 0644 until set. */
void metrics_set_file_mode(unsigned int mode);

#endif
