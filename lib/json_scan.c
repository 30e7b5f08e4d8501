#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/*
 * Where in the word the first marked byte lies, when the compiler can
 * tell it at once, and whether that byte is a quote: the word was read
 * from memory in little-endian order.  Otherwise -1, and the caller
 * looks byte by byte.  Taking the byte from the word saves reading it
 * again from memory at the end of every string.
 */
static int
first_marked(uint64_t word, uint64_t marks, bool *quote)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	int at = __builtin_ctzll(marks) / 8;

	*quote = (word >> (8 * at) & 0xff) == '"';
	return at;
#else
	(void)word;
	(void)marks;
	*quote = false;
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

#ifdef __SSE2__
/*
 * Moves s->p sixteen bytes at a time over plain string text, as
 * skip_plain_words does with eight, with the SSE2 instructions that every
 * x86-64 processor has.  A signed compare with 0x20 marks the control
 * characters and the bytes above 0x7f at once.  Returns true when s->p
 * stopped on a marked byte, with *quote telling whether it is the closing
 * quote, and false when fewer than 16 bytes are left.
 */
static inline bool
skip_plain_blocks(struct scanner *s, bool *quote)
{
	const __m128i quotes = _mm_set1_epi8('"');
	const __m128i backslashes = _mm_set1_epi8('\\');
	const __m128i spaces = _mm_set1_epi8(0x20);

	while (s->end - s->p >= 16) {
		__m128i block = _mm_loadu_si128((const __m128i *)(const void *)s->p);
		__m128i is_quote = _mm_cmpeq_epi8(block, quotes);
		__m128i special = _mm_or_si128(is_quote, _mm_or_si128(
		    _mm_cmpeq_epi8(block, backslashes),
		    _mm_cmplt_epi8(block, spaces)));
		unsigned marks = (unsigned)_mm_movemask_epi8(special);
		int at;

		if (marks == 0) {
			s->p += 16;
			continue;
		}
		at = __builtin_ctz(marks);
		*quote = ((unsigned)_mm_movemask_epi8(is_quote) >> at & 1) != 0;
		s->p += at;
		return true;
	}
	return false;
}
#endif

/*
 * Moves s->p eight bytes at a time over plain string text, up to the word
 * that contains the end of the run.  Returns true when s->p stopped on the
 * closing quote, false when the bytes from s->p on need a look one by
 * one: a backslash, a control character, a byte above 0x7f, or the last
 * bytes of the line.
 */
static inline bool
skip_plain_words(struct scanner *s)
{
#ifdef __SSE2__
	bool closed;

	if (skip_plain_blocks(s, &closed))
		return closed;
#endif
	while (s->end - s->p >= 8) {
		uint64_t word, marks;
		bool quote;
		int at;

		memcpy(&word, s->p, 8);
		marks = special_bytes(word) | (word & HIGHS);
		if (marks == 0) {
			s->p += 8;
			continue;
		}
		if ((at = first_marked(word, marks, &quote)) >= 0)
			s->p += at;
		return quote;
	}
	return false;
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

	if (!skip_plain_words(s)) {
		while (*s->p != '"') {
			if (*s->p == '\\' || (unsigned char)*s->p < 0x20)
				return false;
			if ((unsigned char)*s->p >= 0x80)
				wide = true;
			s->p++;
		}
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

/*
 * Reads the comma before the next member (none before the first), its
 * name and the colon after it, when they are exactly the bytes the layout
 * expects there.  One compare then does what would take three steps, each
 * waiting for the one before.  A second word, when those bytes are more
 * than eight, is read ending where they end, so that a member still
 * matches near the end of the line, as ,"frame":null} does.
 */
static inline bool
read_expected_name(struct scanner *s, const struct json_scan_expected *e,
    struct json_scan_member *m)
{
	size_t needed = e->size > 8 ? e->size : 8;
	uint64_t word;

	if ((size_t)(s->end - s->p) < needed)
		return false;
	memcpy(&word, s->p, 8);
	if ((word & e->mask) != e->head)
		return false;
	if (e->size > 8) {
		memcpy(&word, s->p + e->size - 8, 8);
		if (word != e->tail)
			return false;
	}
	m->name = s->p + e->name_offset;
	m->name_len = e->name_len;
	s->p += e->size;
	return true;
}

/* Starts the next member when the line keeps to the layout up to it. */
static inline bool
read_member_as_expected(struct scanner *s, struct json_scan *scan,
    const struct json_scan_layout *layout, uint64_t *seen)
{
	const struct json_scan_expected *e;

	if (layout == NULL || scan->in_layout != scan->count ||
	    scan->count == layout->count)
		return false;
	e = &layout->names[scan->count];
	if (!read_expected_name(s, e, &scan->members[scan->count]))
		return false;
	*seen |= e->bit;
	scan->in_layout++;
	scan->count++;
	return true;
}

/* Starts the next member the general way: its name, with a search for an
 * earlier member of that name, and the colon. */
static bool
read_member_name(struct scanner *s, struct json_scan *scan, uint64_t *seen)
{
	struct json_scan_member *m;

	if (scan->count == JSON_SCAN_MEMBERS_MAX)
		return false;
	m = &scan->members[scan->count++];
	return expect(s, '"') && read_string(s, &m->name, &m->name_len) &&
	    !name_repeated(scan, seen) && expect(s, ':');
}

/*
 * Reads the members of the object whose opening brace s->p just passed,
 * and its closing brace.  While the line keeps to the layout, its members
 * start the quick way.  The layout's names are distinct, so a repeated
 * name is searched for only from the first member that departs from it.
 */
static bool
read_members(struct scanner *s, struct json_scan *scan,
    const struct json_scan_layout *layout)
{
	uint64_t seen = 0;

	skip_space(s);
	if (*s->p == '}') {
		s->p++;
		return true;
	}
	if (!read_member_as_expected(s, scan, layout, &seen) &&
	    !read_member_name(s, scan, &seen))
		return false;
	for (;;) {
		skip_space(s);
		if (!read_value(s, &scan->members[scan->count - 1]))
			return false;
		if (read_member_as_expected(s, scan, layout, &seen))
			continue;
		skip_space(s);
		if (*s->p == '}') {
			s->p++;
			return true;
		}
		if (*s->p != ',')
			return false;
		s->p++;
		if (!read_member_name(s, scan, &seen))
			return false;
	}
}

/*
 * Prepares the layout of lines whose members are named names, in this
 * order.  Returns false when there are more than JSON_SCAN_MEMBERS_MAX
 * names, or one is longer than JSON_SCAN_LAYOUT_NAME_MAX bytes, contains
 * a byte other than printable ASCII, needs an escape in JSON, or is given
 * twice: the names matched this way are neither validated nor searched
 * for repeats.
 */
bool
json_scan_layout_init(struct json_scan_layout *layout,
    const char *const *names, size_t count)
{
	memset(layout, 0, sizeof *layout);
	if (count > JSON_SCAN_MEMBERS_MAX)
		return false;
	for (size_t i = 0; i < count; i++) {
		struct json_scan_expected *e = &layout->names[i];
		size_t len = strlen(names[i]);
		unsigned char text[16] = { 0 }, mask[8] = { 0 };
		size_t at = 0;

		if (len > JSON_SCAN_LAYOUT_NAME_MAX ||
		    strpbrk(names[i], "\"\\") != NULL)
			return false;
		for (size_t j = 0; j < len; j++)
			if (names[i][j] < 0x20 || names[i][j] > 0x7e)
				return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0)
				return false;

		/* ,"name": or, for the first member, "name": */
		if (i > 0)
			text[at++] = ',';
		text[at++] = '"';
		e->name_offset = at;
		e->name_len = len;
		memcpy(text + at, names[i], len);
		at += len;
		text[at++] = '"';
		text[at++] = ':';
		e->size = at;
		memset(mask, 0xff, at < 8 ? at : 8);
		memcpy(&e->head, text, 8);
		memcpy(&e->mask, mask, 8);
		if (at > 8)
			memcpy(&e->tail, text + at - 8, 8);
		e->bit = name_bit(names[i], len);
	}
	layout->count = count;
	return true;
}

/*
 * Reads line, NUL-terminated at len, into scan, comparing its names with
 * layout unless that is NULL.  Returns true when it is a plain record,
 * false when it must be read some other way.
 */
bool
json_scan_flat(struct json_scan *scan, const char *line, size_t len,
    const struct json_scan_layout *layout)
{
	struct scanner s = { .p = line, .end = line + len };

	scan->count = 0;
	scan->in_layout = 0;
	if (!expect(&s, '{') || !read_members(&s, scan, layout))
		return false;
	skip_space(&s);
	return s.p == s.end;
}
