#include <math.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

/* Checks well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
bool
utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		unsigned int cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			goto bad;
		}
		if (i + n >= len)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return true;
bad:
	if (bad_offset != NULL)
		*bad_offset = i;
	return false;
}

/* FNV-1a: a cheap hash that lets member names be compared as integers. */
static unsigned int
name_hash(const char *name)
{
	unsigned int h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* Returns the first member of an object whose name an earlier member
 * already has, or NULL.  Names are compared by hash first, since this
 * runs on every record. */
static const cJSON *
duplicate_member(const cJSON *object)
{
	unsigned int hashes[64];
	const cJSON *names[64];
	size_t count = 0;

	for (const cJSON *child = object->child; child != NULL; child = child->next) {
		unsigned int h = name_hash(child->string);

		if (count == sizeof hashes / sizeof hashes[0]) {
			/* A wide object: compare the rest by name. */
			for (const cJSON *earlier = object->child; earlier != child;
			    earlier = earlier->next)
				if (strcmp(earlier->string, child->string) == 0)
					return child;
			continue;
		}
		for (size_t i = 0; i < count; i++)
			if (hashes[i] == h && strcmp(names[i]->string, child->string) == 0)
				return child;
		hashes[count] = h;
		names[count++] = child;
	}
	return NULL;
}

/*
 * Checks what cJSON accepts but a record must not have: a number out of
 * the range of a double (1e400 reads as infinity), and a member given
 * twice, which JSON readers resolve differently (cJSON takes the first,
 * many others the last).  Returns RECORD_OK or the error, with the
 * member named in why.
 */
static enum record_error
check_members(const cJSON *item, char *why, size_t why_size)
{
	const cJSON *child, *twice;
	enum record_error error;

	if (cJSON_IsNumber(item) && !isfinite(item->valuedouble)) {
		snprintf(why, why_size, "member \"%s\" is a number out of the range "
		    "of a double (about 1.8e308)",
		    item->string != NULL ? item->string : "(array item)");
		return RECORD_NUMBER_OVERFLOW;
	}
	if (cJSON_IsObject(item) && (twice = duplicate_member(item)) != NULL) {
		snprintf(why, why_size, "member \"%s\" appears twice: keep one",
		    twice->string);
		return RECORD_DUPLICATE_MEMBER;
	}
	for (child = item->child; child != NULL; child = child->next) {
		error = check_members(child, why, why_size);
		if (error != RECORD_OK)
			return error;
	}
	return RECORD_OK;
}

/* Explains a parse failure at offset: JSON has no NaN or Infinity, and
 * those are the mistakes that writers of NDJSON make most. */
static void
explain_invalid_json(const char *line, size_t len, size_t at, char *why,
    size_t why_size)
{
	static const char *const non_numbers[] = {
		"NaN", "nan", "Infinity", "-Infinity", "inf", "-inf",
	};
	const char *p = line + at;

	for (size_t i = 0; i < sizeof non_numbers / sizeof non_numbers[0]; i++) {
		size_t n = strlen(non_numbers[i]);

		if (at + n <= len && strncmp(p, non_numbers[i], n) == 0) {
			snprintf(why, why_size, "invalid JSON at byte %zu: %s is not "
			    "a JSON number; write null for a missing value",
			    at + 1, non_numbers[i]);
			return;
		}
	}
	snprintf(why, why_size, "invalid JSON at byte %zu", at + 1);
}

static bool
blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

/* Finds an escaped NUL, \u0000, in the strings of a line: returns its
 * offset, or len when there is none.  A backslash always starts an
 * escape of two or more bytes, so skipping the byte after each one keeps
 * an escaped backslash from being taken for the start of another. */
static size_t
find_nul_escape(const char *line, size_t len)
{
	const char *p = memchr(line, '\\', len);

	while (p != NULL && (size_t)(p - line) + 1 < len) {
		size_t at = (size_t)(p - line);

		if (line[at + 1] == 'u' && at + 6 <= len &&
		    memcmp(line + at + 2, "0000", 4) == 0)
			return at;
		p = memchr(p + 2, '\\', len - at - 2);
	}
	return len;
}

/* Writes why a record has no kind: the member is missing (value NULL),
 * or its value, the len bytes at value, is not a string. */
void
record_explain_kind(const char *value, size_t len, char *why, size_t size)
{
	if (value == NULL) {
		snprintf(why, size, "missing member \"kind\": every record "
		    "names its kind, such as \"metric\"");
		return;
	}
	snprintf(why, size, "member \"kind\" is %.*s%s, not a string: every "
	    "record names its kind, such as \"metric\"",
	    (int)(len > 40 ? 40 : len), value, len > 40 ? "..." : "");
}

static void
explain_no_kind(const cJSON *record, char *why, size_t why_size)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(record, "kind");
	char *text = kind != NULL ? cJSON_PrintUnformatted(kind) : NULL;

	if (kind != NULL && text == NULL)
		snprintf(why, why_size, "member \"kind\" is not a string");
	else
		record_explain_kind(text, text != NULL ? strlen(text) : 0, why,
		    why_size);
	cJSON_free(text);
}

/*
 * Returns the parsed object, or NULL with *error set and a reason in why
 * that names what is wrong and where.  line[len] must be NUL, as the
 * NDJSON reader leaves it.
 */
cJSON *
record_parse(const char *line, size_t len, enum record_error *error,
    char *why, size_t why_size)
{
	const char *end = NULL;
	size_t bad;
	cJSON *record;

	if (blank(line, len)) {
		*error = RECORD_EMPTY;
		snprintf(why, why_size, "empty line");
		return NULL;
	}
	if (!utf8_valid(line, len, &bad)) {
		*error = RECORD_INVALID_UTF8;
		snprintf(why, why_size, "invalid UTF-8 at byte %zu", bad + 1);
		return NULL;
	}
	if (memchr(line, '\0', len) != NULL) {
		*error = RECORD_INVALID_JSON;
		snprintf(why, why_size, "NUL byte at byte %zu",
		    (size_t)((const char *)memchr(line, '\0', len) - line) + 1);
		return NULL;
	}
	/* cJSON would end the string at the NUL and drop the rest. */
	if ((bad = find_nul_escape(line, len)) < len) {
		*error = RECORD_INVALID_JSON;
		snprintf(why, why_size, "invalid JSON at byte %zu: \\u0000, a "
		    "NUL character, cannot be kept in a string; remove it",
		    bad + 1);
		return NULL;
	}
	/* The length includes the terminating NUL: cJSON then checks that
	 * nothing but white space follows the value. */
	record = cJSON_ParseWithLengthOpts(line, len + 1, &end, 1);
	if (record == NULL) {
		size_t at = end != NULL && end >= line ? (size_t)(end - line) : 0;

		*error = RECORD_INVALID_JSON;
		explain_invalid_json(line, len, at, why, why_size);
		return NULL;
	}
	if (!cJSON_IsObject(record)) {
		*error = RECORD_NOT_OBJECT;
		snprintf(why, why_size, "not a JSON object");
		goto fail;
	}
	*error = check_members(record, why, why_size);
	if (*error != RECORD_OK)
		goto fail;
	if (record_kind(record) == NULL) {
		*error = RECORD_NO_KIND;
		explain_no_kind(record, why, why_size);
		goto fail;
	}
	*error = RECORD_OK;
	return record;
fail:
	cJSON_Delete(record);
	return NULL;
}

/* The rule name under which a parse failure is rejected. */
const char *
record_error_rule(enum record_error error)
{
	switch (error) {
	case RECORD_OK:			return "ok";
	case RECORD_EMPTY:		return "empty";
	case RECORD_INVALID_UTF8:	return "utf8";
	case RECORD_INVALID_JSON:	return "json";
	case RECORD_NOT_OBJECT:		return "json";
	case RECORD_NUMBER_OVERFLOW:	return "number";
	case RECORD_DUPLICATE_MEMBER:	return "json";
	case RECORD_NO_KIND:		return "kind";
	}
	return "json";
}

const char *
record_kind(const cJSON *record)
{
	return record_string(record, "kind");
}

const char *
record_string(const cJSON *record, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(record, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

bool
record_number(const cJSON *record, const char *key, double *value)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(record, key);

	if (!cJSON_IsNumber(item))
		return false;
	*value = item->valuedouble;
	return true;
}

bool
record_integer(const cJSON *record, const char *key, long long *value)
{
	double d;

	if (!record_number(record, key, &d) || d != floor(d) ||
	    fabs(d) > 9007199254740992.0)
		return false;
	*value = (long long)d;
	return true;
}
