#ifndef CORPINTEL_REJECT_H
#define CORPINTEL_REJECT_H

#include <stddef.h>

/*
 * The reject stream: one NDJSON object per rejected input line, with the
 * line number, the original text and every rule it broke:
 *
 *   {"kind":"reject","tool":"normalize","line":12,"file":"b.ndjson",
 *    "file_line":2,
 *    "errors":[{"rule":"json","reason":"invalid JSON at byte 7"}],
 *    "input":"{\"kind\":"}
 *
 * "line" counts the lines of all inputs, as if they were concatenated.
 * "file" and "file_line" name the input file (null for standard input)
 * and the line in it.  Without a reject file, each reject is one warning
 * on stderr instead.
 */

struct reject_stream;

struct reject_stream *reject_open(const char *path);
int reject_add_file(struct reject_stream *rs, const char *name,
    unsigned long lines_before);
void reject_begin(struct reject_stream *rs, unsigned long line,
    const char *input, size_t len);
void reject_add(struct reject_stream *rs, const char *rule, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
int reject_end(struct reject_stream *rs);
void reject_one(struct reject_stream *rs, unsigned long line,
    const char *input, size_t len, const char *rule, const char *reason);
unsigned long reject_count(const struct reject_stream *rs);

/* Room for reject_where's text with a file name of up to 4096 bytes,
 * the PATH_MAX of Linux. */
#define REJECT_WHERE_SIZE 4200

const char *reject_where(const struct reject_stream *rs, unsigned long line,
    char *buf, size_t size);

struct jsonw;
void reject_write_position(const struct reject_stream *rs, struct jsonw *w,
    unsigned long line);
int reject_close(struct reject_stream *rs);

#endif
