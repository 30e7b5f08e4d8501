#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "record.h"

/*
 * The line ends in a NUL, which matches no character the grammar expects
 * next: reading up to and including it needs no bounds check, and a NUL
 * inside the line stops the scan as well, which leaves that line to
 * record_parse.  Only the eight-byte reads check the end.
 */

#define ONES	0x0101010101010101ULL	/* one in each byte */
#define HIGHS	0x8080808080808080ULL	/* the top bit of each byte */

struct scanner {
	const char *p;
	const char *end;	/* the NUL after the line */
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_space(struct scanner *s)
{
	while (is_space(*s->p))
		s->p++;
}

/* Skips white space before an expected character, then the character. */
static bool
expect(struct scanner *s, char c)
{
	if (*s->p != c) {
		skip_space(s);
		if (*s->p != c)
			return false;
	}
	s->p++;
	return true;
}

/*
 * Marks, in the top bit of its byte, the first quote, backslash or control
 * character among the eight bytes of word: the bytes that end a run of
 * plain string text.  Bytes after the first one may be marked wrongly
 * (a borrow runs on into them), the first one never.
 */
static uint64_t
special_bytes(uint64_t word)
{
	uint64_t quote = word ^ ('"' * ONES);
	uint64_t backslash = word ^ ('\\' * ONES);

	return (((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) |
	    ((word - 0x20 * ONES) & ~word)) & HIGHS;
}

/* Where in the word the first marked byte lies, when the compiler can
 * tell it at once: the word was read from memory in little-endian
 * order.  Otherwise -1, and the caller looks byte by byte. */
static int
first_marked(uint64_t marks)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_ctzll(marks) / 8;
#else
	(void)marks;
	return -1;
#endif
}

/* Checks the UTF-8 of a string that has a byte above 0x7f; only strings
 * can hold such bytes, so checking theirs checks the line's. */
static bool
string_valid(const char *text, size_t len)
{
	return utf8_valid(text, len, NULL);
}

/*
 * Reads a string without escapes at s->p, just past its opening quote.
 * Bytes above 0x7f end a word's run as well, so that the common ASCII
 * string needs no further check.
 */
static inline bool
read_string(struct scanner *s, const char **text, size_t *len)
{
	const char *begin = s->p;
	bool wide = false;
	uint64_t word;

	/* Eight bytes at a time up to the word holding the end. */
	while (s->end - s->p >= 8) {
		uint64_t marks;
		int at;

		memcpy(&word, s->p, 8);
		marks = special_bytes(word) | (word & HIGHS);
		if (marks == 0) {
			s->p += 8;
			continue;
		}
		if ((at = first_marked(marks)) >= 0)
			s->p += at;
		break;
	}
	while (*s->p != '"') {
		if (*s->p == '\\' || (unsigned char)*s->p < 0x20)
			return false;
		if ((unsigned char)*s->p >= 0x80)
			wide = true;
		s->p++;
	}
	*text = begin;
	*len = (size_t)(s->p - begin);
	s->p++;
	return !wide || string_valid(begin, *len);
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a number as RFC 8259 spells it.  Integers of up to 15 digits are
 * exact in a double and need no strtod. */
static bool
read_number(struct scanner *s, struct json_scan_member *m)
{
	const char *begin = s->p;
	bool plain = true;
	uint64_t whole = 0;
	int digits = 0;

	if (*s->p == '-')
		s->p++;
	if (!is_digit(*s->p))
		return false;
	if (*s->p == '0') {
		s->p++;
	} else {
		while (is_digit(*s->p)) {
			whole = whole * 10 + (uint64_t)(*s->p++ - '0');
			digits++;
		}
	}
	if (*s->p == '.') {
		plain = false;
		s->p++;
		if (!is_digit(*s->p))
			return false;
		while (is_digit(*s->p))
			s->p++;
	}
	if (*s->p == 'e' || *s->p == 'E') {
		plain = false;
		s->p++;
		if (*s->p == '+' || *s->p == '-')
			s->p++;
		if (!is_digit(*s->p))
			return false;
		while (is_digit(*s->p))
			s->p++;
	}
	m->text = begin;
	m->len = (size_t)(s->p - begin);
	if (m->len > JSON_SCAN_NUMBER_MAX)
		return false;
	if (plain && digits <= 15) {
		m->number = *begin == '-' ? -(double)whole : (double)whole;
		return true;
	}
	/* The number ends at a character strtod stops at, so it reads
	 * exactly the span checked above. */
	m->number = strtod(begin, NULL);
	return isfinite(m->number);
}

static bool
read_word(struct scanner *s, const char *word, size_t len)
{
	if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len) != 0)
		return false;
	s->p += len;
	return true;
}

static bool
read_value(struct scanner *s, struct json_scan_member *m)
{
	switch (*s->p) {
	case '"':
		m->type = JSON_SCAN_STRING;
		s->p++;
		return read_string(s, &m->text, &m->len);
	case 'n':
		m->type = JSON_SCAN_NULL;
		return read_word(s, "null", 4);
	case 't':
		m->type = JSON_SCAN_TRUE;
		return read_word(s, "true", 4);
	case 'f':
		m->type = JSON_SCAN_FALSE;
		return read_word(s, "false", 5);
	default:
		m->type = JSON_SCAN_NUMBER;
		return read_number(s, m);
	}
}

/*
 * A bit for a member name: equal names get equal bits.  Length, first and
 * last byte keep the names of a sec_fact on bits of their own, and cost
 * far less than hashing every byte.  Names that share a bit are compared
 * in full.
 */
static uint64_t
name_bit(const char *name, size_t len)
{
	size_t h;

	if (len == 0)
		return 1;
	h = len + (unsigned char)name[0] + 2 * (size_t)(unsigned char)name[len - 1];
	return 1ULL << (h & 63);
}

/* Compares names only when the bit of the newest one was taken before. */
static bool
name_repeated(const struct json_scan *scan, uint64_t *seen)
{
	const struct json_scan_member *m = &scan->members[scan->count - 1];
	uint64_t bit = name_bit(m->name, m->name_len);

	if ((*seen & bit) != 0)
		for (size_t i = 0; i + 1 < scan->count; i++)
			if (scan->members[i].name_len == m->name_len &&
			    memcmp(scan->members[i].name, m->name,
			    m->name_len) == 0)
				return true;
	*seen |= bit;
	return false;
}

/* Reads the members of the object whose opening brace s->p just passed,
 * and its closing brace. */
static bool
read_members(struct scanner *s, struct json_scan *scan)
{
	struct json_scan_member *m;
	uint64_t seen = 0;

	skip_space(s);
	if (*s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!expect(s, '"') || scan->count == JSON_SCAN_MEMBERS_MAX)
			return false;
		m = &scan->members[scan->count++];
		if (!read_string(s, &m->name, &m->name_len) ||
		    name_repeated(scan, &seen) || !expect(s, ':'))
			return false;
		skip_space(s);
		if (!read_value(s, m))
			return false;
		if (*s->p == ',' || *s->p == '}' || (skip_space(s),
		    *s->p == ',' || *s->p == '}')) {
			if (*s->p++ == '}')
				return true;
		} else {
			return false;
		}
	}
}

/*
 * Reads line, NUL-terminated at len, into scan.  Returns true when it is
 * a plain record, false when it must be read some other way.
 */
bool
json_scan_flat(struct json_scan *scan, const char *line, size_t len)
{
	struct scanner s = { .p = line, .end = line + len };

	scan->count = 0;
	if (!expect(&s, '{') || !read_members(&s, scan))
		return false;
	skip_space(&s);
	return s.p == s.end;
}
