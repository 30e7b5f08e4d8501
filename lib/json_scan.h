#ifndef CORPINTEL_JSON_SCAN_H
#define CORPINTEL_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A quick look at a line that is most likely a flat JSON object, such as
 * a sec_fact record: one pass, no allocation, no copy.  It returns true
 * with the members of a plain record, or false to leave the line to
 * record_parse.  False does not mean that the line is invalid, and
 * record_parse names the fault if there is one.  True promises what
 * record_parse would find: the same members with the same values.
 *
 * A plain record is one JSON object (RFC 8259, white space around it
 * allowed) of at most JSON_SCAN_MEMBERS_MAX members, no name given twice,
 * every value a string, number, true, false or null; strings without
 * escapes or control characters, valid UTF-8; numbers within the range
 * of a double and at most JSON_SCAN_NUMBER_MAX characters long.
 *
 * NOTE: older cJSON releases copy at most 63 characters of a number for
 * strtod, while the one in Debian 12 (1.7.15-1+deb12u4) reads longer
 * numbers in full.  Leaving long numbers to cJSON keeps both readings
 * alike under either.
 */

#define JSON_SCAN_MEMBERS_MAX 32
#define JSON_SCAN_NUMBER_MAX 63

enum json_scan_type {
	JSON_SCAN_NULL,
	JSON_SCAN_FALSE,
	JSON_SCAN_TRUE,
	JSON_SCAN_NUMBER,
	JSON_SCAN_STRING,
};

struct json_scan_member {
	const char *name;	/* in the line, not NUL-terminated */
	size_t name_len;
	enum json_scan_type type;
	const char *text;	/* a string between its quotes, a number */
	size_t len;
	double number;
};

struct json_scan {
	struct json_scan_member members[JSON_SCAN_MEMBERS_MAX];
	size_t count;
	size_t in_layout;	/* leading members named as the layout expects */
};

/*
 * The member names that lines of one kind carry, in the order their
 * writer puts them, without white space.  While a line keeps to it, the
 * scanner compares the comma, name and colon of each member with the
 * expected bytes as one or two eight-byte words instead of reading them
 * byte by byte.  It then needs no search for a repeated name either.
 * A line that departs from it is read all the same, by the general path.
 */

#define JSON_SCAN_LAYOUT_NAME_MAX 12	/* ,"name": fits in 16 bytes */

struct json_scan_expected {
	uint64_t head;		/* the first 8 bytes of ,"name": (zero padded) */
	uint64_t mask;		/* all ones over the bytes of head in use */
	uint64_t tail;		/* the last 8 bytes, when there are more than 8 */
	size_t size;		/* the length of ,"name": */
	size_t name_offset;	/* where the name starts among them */
	size_t name_len;
	uint64_t bit;		/* the name's bit for the repeat filter */
};

struct json_scan_layout {
	struct json_scan_expected names[JSON_SCAN_MEMBERS_MAX];
	size_t count;
};

bool json_scan_layout_init(struct json_scan_layout *layout,
    const char *const *names, size_t count);
bool json_scan_flat(struct json_scan *scan, const char *line, size_t len,
    const struct json_scan_layout *layout);

/* The member named name, or NULL.  Inline, so that the length of a
 * literal name is known when compiling: these run for every member of
 * every line. */
static inline const struct json_scan_member *
json_scan_get(const struct json_scan *scan, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < scan->count; i++)
		if (scan->members[i].name_len == len &&
		    memcmp(scan->members[i].name, name, len) == 0)
			return &scan->members[i];
	return NULL;
}

/* Whether a member is the string text. */
static inline bool
json_scan_is(const struct json_scan_member *m, const char *text)
{
	size_t len = strlen(text);

	return m != NULL && m->type == JSON_SCAN_STRING && m->len == len &&
	    memcmp(m->text, text, len) == 0;
}

#endif
