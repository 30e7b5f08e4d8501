#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "record.h"
#include "reject.h"

/* Bytes of the original line kept in a reject: enough to recognize and
 * replay it, bounded so one huge bad line cannot flood the reject file. */
#define REJECT_INPUT_MAX (1024 * 1024)
#define REJECT_RULES_MAX 32

struct broken_rule {
	char rule[64];
	char reason[512];
};

/* An input file and the number of lines read before its first line, so
 * a line number of the whole input maps back to a line of the file. */
struct input_file {
	char *name;		/* NULL: standard input */
	unsigned long lines_before;
};

struct reject_stream {
	FILE *fp;		/* NULL: report on stderr */
	char *path;
	struct input_file *files;
	size_t file_count;
	struct jsonw out;
	char *clean;		/* the input with invalid UTF-8 replaced */
	const char *input;
	size_t input_len;
	unsigned long line;
	int rules;
	struct broken_rule broken[REJECT_RULES_MAX];
	unsigned long count;
	int failed;
};

/* Opens the reject file, or stderr reporting when path is NULL.  Returns
 * NULL after reporting an error. */
struct reject_stream *
reject_open(const char *path)
{
	struct reject_stream *rs = calloc(1, sizeof *rs);

	if (rs == NULL) {
		log_error("out of memory");
		return NULL;
	}
	if (path == NULL)
		return rs;

	rs->fp = fopen(path, "w");
	rs->path = strdup(path);
	if (rs->fp == NULL || rs->path == NULL) {
		log_error("%s: cannot open reject file: %s", path, strerror(errno));
		if (rs->fp != NULL)
			fclose(rs->fp);
		free(rs->path);
		free(rs);
		return NULL;
	}
	return rs;
}

/*
 * Records that the input lines after lines_before come from the file
 * name ("-" or NULL for standard input), so that each reject names its
 * file and its line in that file.  Files are added in reading order.
 * Returns 0, or -1 when out of memory.
 */
int
reject_add_file(struct reject_stream *rs, const char *name,
    unsigned long lines_before)
{
	struct input_file *files, *f;

	files = realloc(rs->files, (rs->file_count + 1) * sizeof *files);
	if (files == NULL)
		return -1;
	rs->files = files;
	f = &files[rs->file_count];
	f->name = NULL;
	if (name != NULL && strcmp(name, "-") != 0 &&
	    (f->name = strdup(name)) == NULL)
		return -1;
	f->lines_before = lines_before;
	rs->file_count++;
	return 0;
}

/* Finds the file of a line of the whole input: the last one added that
 * starts at or before it.  NULL when no file was added. */
static const struct input_file *
file_of_line(const struct reject_stream *rs, unsigned long line)
{
	for (size_t i = rs->file_count; i > 0; i--)
		if (rs->files[i - 1].lines_before < line)
			return &rs->files[i - 1];
	return NULL;
}

/* Starts a reject for one input line; input must stay valid until
 * reject_end. */
void
reject_begin(struct reject_stream *rs, unsigned long line, const char *input,
    size_t len)
{
	rs->input = input;
	rs->input_len = len > REJECT_INPUT_MAX ? REJECT_INPUT_MAX : len;
	rs->line = line;
	rs->rules = 0;
}

/*
 * Writes where a line of the whole input is, for messages: FILE:LINE
 * when it comes from a named file, like a compiler's message, stdin:LINE
 * for standard input among files, else "line N".  Returns buf.
 */
const char *
reject_where(const struct reject_stream *rs, unsigned long line, char *buf,
    size_t size)
{
	const struct input_file *f = rs != NULL ? file_of_line(rs, line) : NULL;

	if (f == NULL)
		snprintf(buf, size, "line %lu", line);
	else if (f->name != NULL)
		snprintf(buf, size, "%s:%lu", f->name, line - f->lines_before);
	else if (rs->file_count > 1)
		snprintf(buf, size, "stdin:%lu", line - f->lines_before);
	else
		snprintf(buf, size, "line %lu", line - f->lines_before);
	return buf;
}

/* Reports a broken rule on stderr. */
static void
warn_broken(const struct reject_stream *rs, const struct broken_rule *b)
{
	char where[REJECT_WHERE_SIZE];

	log_warn("%s: %s: %s", reject_where(rs, rs->line, where, sizeof where),
	    b->rule, b->reason);
}

void
reject_add(struct reject_stream *rs, const char *rule, const char *fmt, ...)
{
	struct broken_rule *b;
	va_list ap;

	if (rs->rules == REJECT_RULES_MAX)
		return;
	b = &rs->broken[rs->rules++];
	snprintf(b->rule, sizeof b->rule, "%s", rule);
	va_start(ap, fmt);
	vsnprintf(b->reason, sizeof b->reason, fmt, ap);
	va_end(ap);

	if (rs->fp == NULL)
		warn_broken(rs, b);
}

/*
 * Returns the input as valid UTF-8 for the reject's JSON: each byte that
 * is not part of a valid sequence becomes U+FFFD.  The line number still
 * points at the original bytes.
 */
static const char *
clean_input(struct reject_stream *rs, size_t *len)
{
	size_t bad, in = 0, out = 0;
	char *clean;

	if (utf8_valid(rs->input, rs->input_len, NULL)) {
		*len = rs->input_len;
		return rs->input;
	}
	clean = realloc(rs->clean, rs->input_len * 3 + 1);
	if (clean == NULL) {
		*len = 0;
		return "";
	}
	rs->clean = clean;
	while (in < rs->input_len) {
		if (utf8_valid(rs->input + in, rs->input_len - in, &bad)) {
			bad = rs->input_len - in;
		}
		memcpy(clean + out, rs->input + in, bad);
		in += bad;
		out += bad;
		if (in < rs->input_len) {
			memcpy(clean + out, "\xef\xbf\xbd", 3);
			out += 3;
			in++;
		}
	}
	*len = out;
	return clean;
}

/* Writes the members "file", the input file of a line of the whole
 * input (null for standard input), and "file_line", its line there. */
void
reject_write_position(const struct reject_stream *rs, struct jsonw *w,
    unsigned long line)
{
	const struct input_file *f = rs != NULL ? file_of_line(rs, line) : NULL;

	if (f != NULL && f->name != NULL)
		jsonw_string(w, "file", f->name);
	else
		jsonw_null(w, "file");
	jsonw_int(w, "file_line",
	    (long long)(line - (f != NULL ? f->lines_before : 0)));
}

/* Writes the reject begun with reject_begin.  Returns 0, or -1 when the
 * reject file could not be written (reported once). */
int
reject_end(struct reject_stream *rs)
{
	const char *input;
	size_t input_len;

	rs->count++;
	if (rs->fp == NULL)
		return 0;

	jsonw_begin(&rs->out);
	jsonw_string(&rs->out, "kind", "reject");
	jsonw_string(&rs->out, "tool", log_progname());
	jsonw_int(&rs->out, "line", (long long)rs->line);
	reject_write_position(rs, &rs->out, rs->line);
	jsonw_open_array(&rs->out, "errors");
	for (int i = 0; i < rs->rules; i++) {
		jsonw_open_object(&rs->out, NULL);
		jsonw_string(&rs->out, "rule", rs->broken[i].rule);
		jsonw_string(&rs->out, "reason", rs->broken[i].reason);
		jsonw_close_object(&rs->out);
	}
	jsonw_close_array(&rs->out);
	input = clean_input(rs, &input_len);
	jsonw_string_len(&rs->out, "input", input, input_len);
	jsonw_end(&rs->out);

	if (jsonw_write(&rs->out, rs->fp) == 0)
		return 0;
	if (!rs->failed)
		log_error("%s: write error on reject file: %s", rs->path,
		    strerror(errno));
	rs->failed = 1;
	return -1;
}

/* Rejects a line for a single reason. */
void
reject_one(struct reject_stream *rs, unsigned long line, const char *input,
    size_t len, const char *rule, const char *reason)
{
	reject_begin(rs, line, input, len);
	reject_add(rs, rule, "%s", reason);
	reject_end(rs);
}

unsigned long
reject_count(const struct reject_stream *rs)
{
	return rs->count;
}

/* Closes the stream.  Returns 0, or -1 when any reject was not written. */
int
reject_close(struct reject_stream *rs)
{
	int status;

	if (rs == NULL)
		return 0;
	status = rs->failed ? -1 : 0;
	if (rs->fp != NULL && fclose(rs->fp) != 0) {
		if (!rs->failed)
			log_error("%s: write error on reject file: %s", rs->path,
			    strerror(errno));
		status = -1;
	}
	jsonw_free(&rs->out);
	for (size_t i = 0; i < rs->file_count; i++)
		free(rs->files[i].name);
	free(rs->files);
	free(rs->clean);
	free(rs->path);
	free(rs);
	return status;
}
