#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndjson.h"

/* How many bytes of an overlong line are kept for the reject message. */
#define TOO_LONG_PREFIX 256

struct ndjson_reader {
	FILE *fp;
	int fd;			/* fileno(fp), or -1 for a memory stream */
	char *buf;
	size_t cap;		/* allocated size of buf */
	size_t start;		/* first unread byte */
	size_t end;		/* one past the last buffered byte */
	size_t max_line;
	unsigned long line_number;
	unsigned long long bytes_read;
	int eof;
	int error;
	const volatile sig_atomic_t *stop;	/* see ndjson_stop_on */
};

struct ndjson_reader *
ndjson_open(FILE *fp, size_t max_line)
{
	struct ndjson_reader *r;

	if (max_line == 0)
		max_line = NDJSON_DEFAULT_MAX_LINE;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->fp = fp;
	r->fd = fileno(fp);
	r->max_line = max_line;
	r->cap = 64 * 1024;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/*
 * Makes a read that a signal interrupts end when *stop is set, with
 * NDJSON_READ_ERROR and errno EINTR, instead of waiting for more input:
 * a program whose handler sets *stop then stops at once, even on a pipe
 * that stays idle.  The handler must be installed without SA_RESTART.
 */
void
ndjson_stop_on(struct ndjson_reader *r, const volatile sig_atomic_t *stop)
{
	r->stop = stop;
}

/*
 * Reads what is available, up to size bytes.  A file descriptor is read
 * with read(2), which returns as soon as a pipe has data: fread would wait
 * for a full buffer, and a loader behind a slow pipe would sit on records
 * it already has.  Streams without a descriptor (fmemopen) use fread.
 */
static ssize_t
read_some(struct ndjson_reader *r, char *dst, size_t size)
{
	size_t got;

	if (r->fd >= 0) {
		ssize_t n;

		do
			n = read(r->fd, dst, size);
		while (n < 0 && errno == EINTR && (r->stop == NULL || !*r->stop));
		return n;
	}
	got = fread(dst, 1, size, r->fp);
	if (got == 0 && ferror(r->fp))
		return -1;
	return (ssize_t)got;
}

/* Moves the unread bytes to the front, grows the buffer when a line needs
 * it (never beyond max_line plus one read), then reads more input. */
static int
fill(struct ndjson_reader *r)
{
	ssize_t got;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		size_t cap = r->cap * 2;
		char *grown;

		if (cap > r->max_line + 64 * 1024)
			cap = r->max_line + 64 * 1024;
		if (cap <= r->cap)
			return 0;
		grown = realloc(r->buf, cap);
		if (grown == NULL)
			return -1;
		r->buf = grown;
		r->cap = cap;
	}
	got = read_some(r, r->buf + r->end, r->cap - r->end);
	if (got < 0) {
		r->error = errno != 0 ? errno : EIO;
		return -1;
	}
	r->end += (size_t)got;
	r->bytes_read += (size_t)got;
	if (got == 0)
		r->eof = 1;
	return 0;
}

/* Drops input up to and including the next newline. */
static int
skip_rest_of_line(struct ndjson_reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);

		if (nl != NULL) {
			r->start = (size_t)(nl - r->buf) + 1;
			return 0;
		}
		r->start = r->end = 0;
		if (r->eof)
			return 0;
		if (fill(r) < 0)
			return -1;
	}
}

static void
trim_cr(char *line, size_t *len)
{
	if (*len > 0 && line[*len - 1] == '\r')
		(*len)--;
	line[*len] = '\0';
}

enum ndjson_status
ndjson_next(struct ndjson_reader *r, char **line, size_t *len)
{
	static char prefix[TOO_LONG_PREFIX + 1];

	for (;;) {
		size_t avail = r->end - r->start;
		char *nl = memchr(r->buf + r->start, '\n', avail);

		if (nl != NULL && (size_t)(nl - (r->buf + r->start)) <= r->max_line) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			r->start += *len + 1;
			r->line_number++;
			trim_cr(*line, len);
			return NDJSON_LINE;
		}
		if (nl != NULL || avail > r->max_line) {
			/* The prefix stops at the newline: the bytes after it
			 * are the next line's. */
			size_t line_len = nl != NULL ?
			    (size_t)(nl - (r->buf + r->start)) : avail;
			size_t prefix_len = line_len < TOO_LONG_PREFIX ?
			    line_len : TOO_LONG_PREFIX;

			memcpy(prefix, r->buf + r->start, prefix_len);
			prefix[prefix_len] = '\0';
			r->line_number++;
			if (skip_rest_of_line(r) < 0) {
				errno = r->error;
				return NDJSON_READ_ERROR;
			}
			*line = prefix;
			*len = prefix_len;
			return NDJSON_TOO_LONG;
		}
		if (r->eof) {
			if (avail == 0)
				return NDJSON_EOF;
			/* The last line has no newline: return it all the same,
			 * with room for the terminating NUL guaranteed by fill. */
			if (r->end == r->cap && fill(r) < 0)
				return NDJSON_READ_ERROR;
			*line = r->buf + r->start;
			*len = r->end - r->start;
			r->start = r->end;
			r->line_number++;
			trim_cr(*line, len);
			return NDJSON_LINE;
		}
		if (fill(r) < 0) {
			errno = r->error;
			return NDJSON_READ_ERROR;
		}
	}
}

unsigned long
ndjson_line_number(const struct ndjson_reader *r)
{
	return r->line_number;
}

unsigned long long
ndjson_bytes_read(const struct ndjson_reader *r)
{
	return r->bytes_read;
}

void
ndjson_close(struct ndjson_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}
