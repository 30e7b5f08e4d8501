#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sec_docs.h"

#define READ_CHUNK	(1 << 20)

void
sec_doc_reader_init(struct sec_doc_reader *r, FILE *fp, size_t max_bytes)
{
	memset(r, 0, sizeof *r);
	r->fp = fp;
	r->max_bytes = max_bytes;
}

void
sec_doc_reader_free(struct sec_doc_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

/* Drops the bytes before the current document, then reads more. */
static int
fill(struct sec_doc_reader *r, char *why, size_t why_size)
{
	size_t n;
	char *grown;

	if (r->capacity - r->length < READ_CHUNK + 1) {
		size_t capacity = r->capacity == 0 ? 4 * READ_CHUNK :
		    r->capacity * 2;

		grown = realloc(r->buf, capacity);
		if (grown == NULL) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		r->buf = grown;
		r->capacity = capacity;
	}
	n = fread(r->buf + r->length, 1, READ_CHUNK, r->fp);
	r->length += n;
	if (n == 0) {
		if (ferror(r->fp)) {
			snprintf(why, why_size, "read error: %s", strerror(errno));
			return -1;
		}
		r->eof = true;
	}
	return 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Removes the consumed bytes (before buf + used) from the buffer. */
static void
consume(struct sec_doc_reader *r, size_t used)
{
	if (used > 0)
		memmove(r->buf, r->buf + used, r->length - used);
	r->length -= used;
	r->offset += used;
	r->scanned = 0;
}

/*
 * Finds the end of the object that starts at buf[0], resuming where the
 * last call stopped.  Returns its length, or 0 when more bytes are
 * needed.  Brackets inside strings do not count, and a backslash escapes
 * the next character of a string.
 */
static size_t
scan(struct sec_doc_reader *r)
{
	for (size_t i = r->scanned; i < r->length; i++) {
		char c = r->buf[i];

		if (r->in_string) {
			if (r->escaped)
				r->escaped = false;
			else if (c == '\\')
				r->escaped = true;
			else if (c == '"')
				r->in_string = false;
			continue;
		}
		if (c == '"') {
			r->in_string = true;
		} else if (c == '{' || c == '[') {
			if (r->depth == SEC_DOC_MAX_DEPTH) {
				r->mismatched = true;
				r->scanned = i;
				return 0;
			}
			r->closers[r->depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (c != r->closers[r->depth - 1]) {
				r->mismatched = true;
				r->scanned = i;
				return 0;
			}
			if (--r->depth == 0) {
				r->scanned = i + 1;
				return i + 1;
			}
		}
	}
	r->scanned = r->length;
	return 0;
}

/*
 * Returns 1 with the next document in text (length bytes, not
 * NUL-terminated, valid until the next call), 0 at the end of the stream, or -1 with the reason in
 * why.  offset receives the document's byte offset in the stream.
 */
int
sec_doc_next(struct sec_doc_reader *r, char **text, size_t *length,
    unsigned long long *offset, char *why, size_t why_size)
{
	size_t skip = 0, end;

	if (r->scanned > 0)
		consume(r, r->scanned);

	for (;;) {
		while (skip < r->length && is_space(r->buf[skip]))
			skip++;
		if (skip < r->length)
			break;
		consume(r, skip);
		skip = 0;
		if (r->eof)
			return 0;
		if (fill(r, why, why_size) < 0)
			return -1;
	}
	consume(r, skip);
	if (r->buf[0] != '{') {
		snprintf(why, why_size, "byte %llu: expected '{' to start a "
		    "document, found '%c'", r->offset, r->buf[0]);
		return -1;
	}
	r->depth = 0;
	r->in_string = r->escaped = r->mismatched = false;

	while ((end = scan(r)) == 0) {
		if (r->mismatched) {
			snprintf(why, why_size, "byte %llu: mismatched bracket "
			    "'%c' or nesting deeper than %d levels; the rest of "
			    "the input cannot be split into documents",
			    r->offset + r->scanned, r->buf[r->scanned],
			    SEC_DOC_MAX_DEPTH);
			return -1;
		}
		if (r->length > r->max_bytes) {
			snprintf(why, why_size, "byte %llu: document larger "
			    "than %zu bytes", r->offset, r->max_bytes);
			return -1;
		}
		if (r->eof) {
			snprintf(why, why_size, "byte %llu: document cut short "
			    "at the end of the input", r->offset);
			return -1;
		}
		if (fill(r, why, why_size) < 0)
			return -1;
	}

	if (end > r->max_bytes) {
		snprintf(why, why_size, "byte %llu: document larger than %zu "
		    "bytes", r->offset, r->max_bytes);
		return -1;
	}
	*offset = r->offset;
	*length = end;
	*text = r->buf;
	return 1;
}
