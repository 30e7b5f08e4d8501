#ifndef CORPINTEL_RECORD_H
#define CORPINTEL_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * One input line as a record: a JSON object with a string member "kind".
 * Parsing checks what cJSON lets through: UTF-8 validity, numbers too
 * large for a double (JSON itself has no NaN or Infinity) and members
 * given twice.  The line
 * must be NUL-terminated at len, as ndjson_next leaves it.
 */

enum record_error {
	RECORD_OK,
	RECORD_EMPTY,
	RECORD_INVALID_UTF8,
	RECORD_INVALID_JSON,
	RECORD_NOT_OBJECT,
	RECORD_NUMBER_OVERFLOW,
	RECORD_DUPLICATE_MEMBER,
	RECORD_NO_KIND,
};

cJSON *record_parse(const char *line, size_t len, enum record_error *error,
    char *why, size_t why_size);
const char *record_error_rule(enum record_error error);

const char *record_kind(const cJSON *record);
void record_explain_kind(const char *value, size_t len, char *why,
    size_t size);
const char *record_string(const cJSON *record, const char *key);
bool record_number(const cJSON *record, const char *key, double *value);
bool record_integer(const cJSON *record, const char *key, long long *value);

bool utf8_valid(const char *s, size_t len, size_t *bad_offset);

#endif
