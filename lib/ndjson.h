#ifndef CORPINTEL_NDJSON_H
#define CORPINTEL_NDJSON_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A line reader for newline-delimited JSON.  Lines are returned in place
 * (no copy, no terminating newline, a trailing CR removed) and stay valid
 * until the next call.  A line longer than the limit is reported once,
 * with its first bytes, and the rest of it is skipped, so one bad line
 * never costs more than the limit in memory.  The reader takes over the
 * stream: read nothing from it with stdio before or while it is in use.
 */

#define NDJSON_DEFAULT_MAX_LINE (16u * 1024 * 1024)

enum ndjson_status {
	NDJSON_LINE,		/* a complete line, possibly empty */
	NDJSON_TOO_LONG,	/* longer than the limit: prefix only */
	NDJSON_EOF,
	NDJSON_READ_ERROR,	/* errno is set */
};

struct ndjson_reader;

struct ndjson_reader *ndjson_open(FILE *fp, size_t max_line);
void ndjson_stop_on(struct ndjson_reader *r, const volatile sig_atomic_t *stop);
enum ndjson_status ndjson_next(struct ndjson_reader *r, char **line,
    size_t *len);
unsigned long ndjson_line_number(const struct ndjson_reader *r);
unsigned long long ndjson_bytes_read(const struct ndjson_reader *r);
void ndjson_close(struct ndjson_reader *r);

#endif
