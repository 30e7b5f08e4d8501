#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static int
reserve(struct jsonw *w, size_t more)
{
	size_t cap;
	char *grown;

	if (w->failed)
		return -1;
	if (w->len + more + 1 <= w->cap)
		return 0;
	cap = w->cap == 0 ? 512 : w->cap;
	while (cap < w->len + more + 1)
		cap *= 2;
	grown = realloc(w->buf, cap);
	if (grown == NULL) {
		w->failed = 1;
		return -1;
	}
	w->buf = grown;
	w->cap = cap;
	return 0;
}

static void
append(struct jsonw *w, const char *s, size_t n)
{
	if (reserve(w, n) < 0)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Escapes what RFC 8259 requires: the quote, the backslash and control
 * characters.  Other bytes, UTF-8 included, are copied as they are.
 * Writes the quoted string at out, which has room for the worst case
 * (every byte as \u00XX, and the quotes), and returns its end. */
static char *
write_quoted(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	*out++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*out++ = (char)c;
			continue;
		}
		*out++ = '\\';
		switch (c) {
		case '"':  *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '\n': *out++ = 'n'; break;
		case '\r': *out++ = 'r'; break;
		case '\t': *out++ = 't'; break;
		default:
			memcpy(out, "u00", 3);
			out[3] = hex[c >> 4];
			out[4] = hex[c & 15];
			out += 5;
		}
	}
	*out++ = '"';
	return out;
}

/* The room a quoted string of n bytes may take, or 0 when that does not
 * fit in a size_t. */
static size_t
quoted_size(size_t n)
{
	return n > (SIZE_MAX - 4) / 6 ? 0 : 6 * n + 2;
}

static void
append_quoted(struct jsonw *w, const char *s, size_t n)
{
	size_t size = quoted_size(n);
	char *end;

	if (size == 0 || reserve(w, size) < 0) {
		w->failed = 1;
		return;
	}
	end = write_quoted(w->buf + w->len, s, n);
	w->len = (size_t)(end - w->buf);
	w->buf[w->len] = '\0';
}

/* Writes the separator and, in an object, the key of the next value and
 * its colon.  One check of the room serves all three, because every
 * member of every record passes here. */
static void
append_key(struct jsonw *w, const char *key)
{
	size_t len = key == NULL ? 0 : strlen(key);
	size_t size = key == NULL ? 0 : quoted_size(len);
	char *out;

	if ((key != NULL && size == 0) || reserve(w, size + 2) < 0) {
		w->failed = 1;
		return;
	}
	out = w->buf + w->len;
	if (w->members[w->depth]++ > 0)
		*out++ = ',';
	if (key != NULL) {
		out = write_quoted(out, key, len);
		*out++ = ':';
	}
	w->len = (size_t)(out - w->buf);
	w->buf[w->len] = '\0';
}

void
jsonw_begin(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	w->members[0] = 0;
	w->failed = 0;
	append(w, "{", 1);
}

static void
open_level(struct jsonw *w, const char *key, const char *bracket)
{
	append_key(w, key);
	append(w, bracket, 1);
	if (w->depth + 1 >= (int)(sizeof w->members / sizeof w->members[0])) {
		w->failed = 1;
		return;
	}
	w->members[++w->depth] = 0;
}

static void
close_level(struct jsonw *w, const char *bracket)
{
	append(w, bracket, 1);
	if (w->depth > 0)
		w->depth--;
}

void
jsonw_open_array(struct jsonw *w, const char *key)
{
	open_level(w, key, "[");
}

void
jsonw_open_object(struct jsonw *w, const char *key)
{
	open_level(w, key, "{");
}

void
jsonw_close_array(struct jsonw *w)
{
	close_level(w, "]");
}

void
jsonw_close_object(struct jsonw *w)
{
	close_level(w, "}");
}

void
jsonw_string_len(struct jsonw *w, const char *key, const char *value,
    size_t len)
{
	append_key(w, key);
	if (value == NULL)
		append(w, "null", 4);
	else
		append_quoted(w, value, len);
}

void
jsonw_string(struct jsonw *w, const char *key, const char *value)
{
	jsonw_string_len(w, key, value, value != NULL ? strlen(value) : 0);
}

/* Writes an integer's digits by hand, the common case for amounts in
 * financial records, where snprintf would cost more than the rest.
 * Negative zero keeps its sign, as %.0f writes it. */
static int
format_integer(char *buf, long long value, int negative)
{
	char digits[24];
	unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value :
	    (unsigned long long)value;
	int n = 0, len = 0;

	do {
		digits[n++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude > 0);
	if (negative)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = digits[--n];
	buf[len] = '\0';
	return len;
}

/* Writes the shortest %g form that converts back to the same double.
 * Returns the length, as snprintf does. */
int
json_format_number(char *buf, size_t size, double value)
{
	int precision, n = 0;

	if (!isfinite(value))
		return snprintf(buf, size, "null");
	if (value == floor(value) && fabs(value) < 9007199254740992.0 &&
	    size >= 24)
		return format_integer(buf, (long long)value, signbit(value));
	for (precision = 15; precision <= 17; precision++) {
		n = snprintf(buf, size, "%.*g", precision, value);
		if (strtod(buf, NULL) == value)
			break;
	}
	return n;
}

void
jsonw_number(struct jsonw *w, const char *key, double value)
{
	char text[40];
	int n = json_format_number(text, sizeof text, value);

	append_key(w, key);
	append(w, text, (size_t)n);
}

void
jsonw_int(struct jsonw *w, const char *key, long long value)
{
	char text[32];
	int n = format_integer(text, value, value < 0);

	append_key(w, key);
	append(w, text, (size_t)n);
}

void
jsonw_bool(struct jsonw *w, const char *key, int value)
{
	append_key(w, key);
	if (value)
		append(w, "true", 4);
	else
		append(w, "false", 5);
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	append_key(w, key);
	append(w, "null", 4);
}

void
jsonw_raw(struct jsonw *w, const char *key, const char *json)
{
	append_key(w, key);
	append(w, json, strlen(json));
}

void
jsonw_end(struct jsonw *w)
{
	append(w, "}\n", 2);
}

/* Returns 0, or -1 when the object could not be built or written. */
int
jsonw_write(struct jsonw *w, FILE *fp)
{
	if (w->failed)
		return -1;
	if (fwrite(w->buf, 1, w->len, fp) != w->len)
		return -1;
	return 0;
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}
