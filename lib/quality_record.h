#ifndef CORPINTEL_QUALITY_RECORD_H
#define CORPINTEL_QUALITY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

/*
 * A record as validate-quality reads it: the top-level members of one
 * JSON object, parsed in one pass over the line without allocating per
 * record.  Strings are unescaped into a buffer the record owns and
 * reuses; nested arrays and objects are checked for well-formedness and
 * kept as the span of their text.  The errors and their reasons are
 * those of record_parse, so both name a broken line the same way, but
 * the grammar is RFC 8259 to the letter: no control characters in
 * strings, no leading zeros, no "\u0000".
 */

enum qrec_type {
	QREC_NULL,
	QREC_FALSE,
	QREC_TRUE,
	QREC_NUMBER,
	QREC_STRING,
	QREC_ARRAY,
	QREC_OBJECT,
};

/* Bits of qrec_member.item_types: which types the items of an array have. */
#define QREC_ITEM_BIT(type)	(1u << (type))

struct qrec_member {
	const char *key;	/* unescaped, NUL-terminated */
	size_t key_len;
	uint64_t key_hash;	/* qrec_hash of the key */
	enum qrec_type type;
	const char *string;	/* strings: unescaped, NUL-terminated */
	size_t string_len;
	double number;
	const char *raw;	/* the value's text in the line */
	size_t raw_len;
	unsigned int item_types;	/* arrays: QREC_ITEM_BIT of each item */
	signed char date_state;	/* 0 not parsed, 1 a date, -1 not one */
	long days;		/* the date when date_state is 1 */
};

/* A key of the previous records, kept to recognize it in the next. */
struct qrec_shape_key {
	char *text;		/* NUL-terminated, without escapes */
	size_t len;
	uint64_t hash;
};

struct qrec {
	struct qrec_member *members;
	size_t count;
	size_t cap;
	char *text;		/* unescaped keys and strings */
	size_t text_cap;
	const struct qrec_member *kind;
	bool duplicate;		/* a member given twice */

	/*
	 * The keys of the record before, by position.  Records of a kind
	 * come with the same keys in the same order, so a key written as
	 * the one at its place before is taken from here, neither copied
	 * nor hashed again.  shape is the number of the key sequence when
	 * every key of the record came from here, else 0: records with
	 * one nonzero shape have the same keys in the same order.  The
	 * numbers are unique in the process, across records.
	 */
	struct qrec_shape_key *shape_keys;
	size_t shape_count, shape_cap;
	unsigned long shape_version;
	unsigned long shape;
	unsigned long shape_checked;	/* the shape searched for duplicates */
	bool shape_duplicate;		/* and whether it has a key twice */
};

/*
 * Eight bytes a step, then a final mix (that of MurmurHash3) so that the
 * low bits, which pick a slot in a table, and the high ones, which tell
 * entries apart, each depend on every byte.  Keys are hashed once per
 * member and record, so a byte at a time was a cost one could measure.
 */
static inline uint64_t
qrec_hash(const char *key, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, word = 0;
	uint32_t low, high;

	/* The last step reads the last eight bytes, or two overlapping
	 * halves of a short key, so no byte is left out and none is read
	 * past the end. */
	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8) {
			memcpy(&word, key + i, 8);
			h = (h ^ word) * 0xff51afd7ed558ccdULL;
			h ^= h >> 29;
		}
		memcpy(&word, key + len - 8, 8);
	} else if (len >= 4) {
		memcpy(&low, key, 4);
		memcpy(&high, key + len - 4, 4);
		word = (uint64_t)high << 32 | low;
	} else if (len > 0) {
		word = (uint64_t)(unsigned char)key[0] << 16 |
		    (uint64_t)(unsigned char)key[len / 2] << 8 |
		    (unsigned char)key[len - 1];
	}
	h ^= word;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 33;
}

void qrec_init(struct qrec *rec);
void qrec_free(struct qrec *rec);
enum record_error qrec_parse(struct qrec *rec, const char *line, size_t len,
    char *why, size_t why_size);
const struct qrec_member *qrec_get(const struct qrec *rec, const char *key);
bool qrec_date(struct qrec_member *m, long *days);
size_t qrec_utf8_length(const char *s, size_t len);

#endif
