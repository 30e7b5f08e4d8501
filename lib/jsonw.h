#ifndef CORPINTEL_JSONW_H
#define CORPINTEL_JSONW_H

#include <stddef.h>
#include <stdio.h>

/*
 * A writer for one JSON object per line with members in the order they
 * are added, so that output is deterministic and diffs cleanly.  Numbers
 * are written in the shortest form that reads back as the same double:
 * 6.11 stays 6.11, and integers up to 2^53 are exact.  Inside an array,
 * pass NULL as the key.
 */

struct jsonw {
	char *buf;
	size_t len;
	size_t cap;
	int depth;		/* nesting level: 0 is the line's object */
	int members[16];	/* members written so far at each level */
	int failed;		/* out of memory: the object is incomplete */
};

void jsonw_begin(struct jsonw *w);
void jsonw_string(struct jsonw *w, const char *key, const char *value);
void jsonw_string_len(struct jsonw *w, const char *key, const char *value,
    size_t len);
void jsonw_number(struct jsonw *w, const char *key, double value);
void jsonw_int(struct jsonw *w, const char *key, long long value);
void jsonw_bool(struct jsonw *w, const char *key, int value);
void jsonw_null(struct jsonw *w, const char *key);
void jsonw_raw(struct jsonw *w, const char *key, const char *json);
void jsonw_open_array(struct jsonw *w, const char *key);
void jsonw_open_object(struct jsonw *w, const char *key);
void jsonw_close_array(struct jsonw *w);
void jsonw_close_object(struct jsonw *w);
void jsonw_end(struct jsonw *w);
int jsonw_write(struct jsonw *w, FILE *fp);
void jsonw_free(struct jsonw *w);

int json_format_number(char *buf, size_t size, double value);

#endif
