#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "quality_record.h"

/* cJSON refuses deeper nesting too; a record has no reason to nest. */
#define NESTING_MAX 512

/* The last shape number given out.  Numbers are unique in the process,
 * so that a cache keyed by one (fill_slots in quality.c) never takes
 * the records of one struct qrec for those of another. */
static atomic_ulong last_shape;

struct parser {
	const char *start;
	const char *p;
	const char *end;
	char *out;		/* next free byte of the record's text */
	bool broken;		/* not JSON: p is where it went wrong */
	bool overflow;		/* a number beyond the range of a double */
	bool nested_object;	/* an object inside the record */
	bool duplicate;		/* a top-level member given twice */
	uint64_t high;		/* has bit 7 set if a string has a byte above
				 * 0x7f, which needs the UTF-8 check */
};

void
qrec_init(struct qrec *rec)
{
	memset(rec, 0, sizeof *rec);
}

void
qrec_free(struct qrec *rec)
{
	free(rec->members);
	free(rec->text);
	for (size_t i = 0; i < rec->shape_cap; i++)
		free(rec->shape_keys[i].text);
	free(rec->shape_keys);
	qrec_init(rec);
}

/* Reports the first error only: later ones follow from it. */
static bool
broken(struct parser *ps)
{
	ps->broken = true;
	return false;
}

/* The line is NUL-terminated, and NUL is not a space, so the scan
 * stops at the end without a bound check.  Records mostly have no
 * space at all, which the first test settles. */
static void
skip_space(struct parser *ps)
{
	while ((unsigned char)*ps->p <= ' ' && (*ps->p == ' ' ||
	    *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(struct parser *ps, unsigned int *code)
{
	*code = 0;
	if (ps->end - ps->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(ps->p[i]);

		if (d < 0)
			return false;
		*code = *code << 4 | (unsigned int)d;
	}
	ps->p += 4;
	return true;
}

static char *
put_utf8(char *out, unsigned int code)
{
	if (code < 0x80) {
		*out++ = (char)code;
	} else if (code < 0x800) {
		*out++ = (char)(0xc0 | code >> 6);
		*out++ = (char)(0x80 | (code & 0x3f));
	} else if (code < 0x10000) {
		*out++ = (char)(0xe0 | code >> 12);
		*out++ = (char)(0x80 | (code >> 6 & 0x3f));
		*out++ = (char)(0x80 | (code & 0x3f));
	} else {
		*out++ = (char)(0xf0 | code >> 18);
		*out++ = (char)(0x80 | (code >> 12 & 0x3f));
		*out++ = (char)(0x80 | (code >> 6 & 0x3f));
		*out++ = (char)(0x80 | (code & 0x3f));
	}
	return out;
}

/* Decodes \uXXXX, joining a surrogate pair; a lone surrogate and U+0000
 * are refused, since neither can stand in a C string of valid UTF-8. */
static bool
read_unicode_escape(struct parser *ps, unsigned int *code)
{
	unsigned int low;

	if (!read_hex4(ps, code) || *code == 0 ||
	    (*code >= 0xdc00 && *code <= 0xdfff))
		return false;
	if (*code < 0xd800 || *code > 0xdbff)
		return true;
	if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
		return false;
	ps->p += 2;
	if (!read_hex4(ps, &low) || low < 0xdc00 || low > 0xdfff)
		return false;
	*code = 0x10000 + ((*code - 0xd800) << 10) + (low - 0xdc00);
	return true;
}

/* Bytes that a string may hold as they are: not a quote, a backslash
 * or a control character. */
static const unsigned char plain_byte[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

#define BYTES_ONES	0x0101010101010101ULL
#define BYTES_HIGHS	0x8080808080808080ULL

/*
 * Flags the bytes of word that are a quote, a backslash or a control
 * character, so the result is nonzero when there is one.  The test
 * (x - 0x01..01) & ~x & 0x80..80 is nonzero exactly when a byte of x is
 * zero.  Bytes above 0x7f never count.
 */
static uint64_t
special_bytes(uint64_t word)
{
	uint64_t quote = word ^ BYTES_ONES * '"';
	uint64_t backslash = word ^ BYTES_ONES * '\\';
	uint64_t control = word - BYTES_ONES * 0x20;

	return (((quote - BYTES_ONES) & ~quote) |
	    ((backslash - BYTES_ONES) & ~backslash) |
	    (control & ~word)) & BYTES_HIGHS;
}

/*
 * The number of plain bytes before the first special one of a word, from
 * the result of special_bytes: its lowest flag is exact, since a borrow
 * only runs upward.  Without a way to count trailing zeros, or on a
 * big-endian machine, returns 0 and leaves the bytes to the byte loop.
 */
static size_t
plain_prefix(uint64_t special)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(special) / 8;
#else
	(void)special;
	return 0;
#endif
}

/*
 * Skips the plain characters at ps->p, and with decode copies them to
 * out, eight bytes a step while the line has eight more, then byte by
 * byte.  Returns the new end of out.  The unescaped text never runs
 * ahead of the line, because a string drops at least its two quotes
 * and adds one NUL.  So a whole word written to out stays inside the
 * record's text buffer, which has the line's length plus one.
 */
static char *
copy_plain(struct parser *ps, bool decode, char *out)
{
	uint64_t word, special;
	size_t n;

	while (ps->end - ps->p >= 8) {
		memcpy(&word, ps->p, 8);
		ps->high |= word;
		special = special_bytes(word);
		n = special == 0 ? 8 : plain_prefix(special);
		if (decode) {
			memcpy(out, &word, 8);
			out += n;
		}
		ps->p += n;
		if (n < 8)
			break;
	}

	/* The line is NUL-terminated and NUL is not plain, so these scans
	 * stop at the end without a bound check per byte. */
	if (decode) {
		while (plain_byte[(unsigned char)*ps->p]) {
			ps->high |= (unsigned char)*ps->p;
			*out++ = *ps->p++;
		}
	} else {
		while (plain_byte[(unsigned char)*ps->p])
			ps->high |= (unsigned char)*ps->p++;
	}
	return out;
}

/*
 * Reads a string at ps->p (on its opening quote).  With decode, the
 * unescaped text goes to ps->out, NUL-terminated, and *text and *len
 * describe it; without, the string is only checked.
 */
static bool
read_string(struct parser *ps, bool decode, const char **text, size_t *len)
{
	char *out = ps->out;
	unsigned int code;

	ps->p++;
	for (;;) {
		out = copy_plain(ps, decode, out);
		if (ps->p == ps->end || (unsigned char)*ps->p < 0x20)
			return broken(ps);
		if (*ps->p == '"')
			break;

		ps->p++;		/* the backslash */
		if (ps->p == ps->end)
			return broken(ps);
		switch (*ps->p++) {
		case '"':	code = '"'; break;
		case '\\':	code = '\\'; break;
		case '/':	code = '/'; break;
		case 'b':	code = '\b'; break;
		case 'f':	code = '\f'; break;
		case 'n':	code = '\n'; break;
		case 'r':	code = '\r'; break;
		case 't':	code = '\t'; break;
		case 'u':
			if (!read_unicode_escape(ps, &code))
				return broken(ps);
			break;
		default:
			ps->p--;
			return broken(ps);
		}
		if (decode)
			out = put_utf8(out, code);
	}
	ps->p++;		/* the closing quote */
	if (decode) {
		*text = ps->out;
		*len = (size_t)(out - ps->out);
		*out++ = '\0';
		ps->out = out;
	}
	return true;
}

/* The line is NUL-terminated, so *p is readable at its end, where it
 * is no digit. */
static bool
is_digit(const char *p)
{
	return *p >= '0' && *p <= '9';
}

/* Reads a number as RFC 8259 spells it.  Integers of up to 15 digits
 * are exact in a double and skip strtod, the common case in records. */
static bool
read_number(struct parser *ps, double *value)
{
	const char *begin = ps->p;
	bool plain = true;
	uint64_t whole = 0;
	int digits = 0;

	if (*ps->p == '-')
		ps->p++;
	if (!is_digit(ps->p))
		return broken(ps);
	if (*ps->p == '0') {
		ps->p++;
	} else {
		while (is_digit(ps->p)) {
			whole = whole * 10 + (uint64_t)(*ps->p++ - '0');
			digits++;
		}
	}
	if (*ps->p == '.') {
		plain = false;
		ps->p++;
		if (!is_digit(ps->p))
			return broken(ps);
		while (is_digit(ps->p))
			ps->p++;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		plain = false;
		ps->p++;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (!is_digit(ps->p))
			return broken(ps);
		while (is_digit(ps->p))
			ps->p++;
	}
	if (plain && digits <= 15) {
		*value = *begin == '-' ? -(double)whole : (double)whole;
		return true;
	}
	/* The line is NUL-terminated and the number ends at a character
	 * strtod stops at, so it reads exactly the span checked above. */
	*value = strtod(begin, NULL);
	if (!isfinite(*value))
		ps->overflow = true;
	return true;
}

static bool
read_literal(struct parser *ps, const char *word, size_t len)
{
	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
		return broken(ps);
	ps->p += len;
	return true;
}

static bool skip_value(struct parser *ps, int depth, enum qrec_type *type);

/* Checks an array or object at ps->p; for an array, *item_types gets a
 * bit for the type of each item. */
static bool
skip_container(struct parser *ps, int depth, unsigned int *item_types)
{
	char close = *ps->p == '[' ? ']' : '}';
	enum qrec_type type;

	if (close == '}')
		ps->nested_object = true;
	if (depth >= NESTING_MAX)
		return broken(ps);
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (ps->p == ps->end || *ps->p != '"' ||
			    !read_string(ps, false, NULL, NULL))
				return broken(ps);
			skip_space(ps);
			if (ps->p == ps->end || *ps->p != ':')
				return broken(ps);
			ps->p++;
			skip_space(ps);
		}
		if (!skip_value(ps, depth + 1, &type))
			return false;
		if (item_types != NULL)
			*item_types |= QREC_ITEM_BIT(type);
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		return broken(ps);
	}
}

static bool
skip_value(struct parser *ps, int depth, enum qrec_type *type)
{
	double number;

	if (ps->p == ps->end)
		return broken(ps);
	switch (*ps->p) {
	case '"':
		*type = QREC_STRING;
		return read_string(ps, false, NULL, NULL);
	case '{':
		*type = QREC_OBJECT;
		return skip_container(ps, depth, NULL);
	case '[':
		*type = QREC_ARRAY;
		return skip_container(ps, depth, NULL);
	case 't':
		*type = QREC_TRUE;
		return read_literal(ps, "true", 4);
	case 'f':
		*type = QREC_FALSE;
		return read_literal(ps, "false", 5);
	case 'n':
		*type = QREC_NULL;
		return read_literal(ps, "null", 4);
	default:
		*type = QREC_NUMBER;
		return read_number(ps, &number);
	}
}

/* Reads the value of a top-level member into m. */
static bool
read_member_value(struct parser *ps, struct qrec_member *m)
{
	m->raw = ps->p;
	m->item_types = 0;
	m->date_state = 0;
	switch (*ps->p) {
	case '"':
		m->type = QREC_STRING;
		if (!read_string(ps, true, &m->string, &m->string_len))
			return false;
		break;
	case '[':
		m->type = QREC_ARRAY;
		if (!skip_container(ps, 1, &m->item_types))
			return false;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		m->type = QREC_NUMBER;
		if (!read_number(ps, &m->number))
			return false;
		break;
	default:
		if (!skip_value(ps, 1, &m->type))
			return false;
		break;
	}
	m->raw_len = (size_t)(ps->p - m->raw);
	return true;
}

static struct qrec_member *
new_member(struct qrec *rec)
{
	struct qrec_member *grown;
	size_t cap;

	if (rec->count == rec->cap) {
		cap = rec->cap == 0 ? 32 : rec->cap * 2;
		grown = realloc(rec->members, cap * sizeof *grown);
		if (grown == NULL)
			return NULL;
		rec->members = grown;
		rec->cap = cap;
	}
	return &rec->members[rec->count++];
}

/*
 * Notes the key of member i in a 64-bit filter of the keys before it;
 * only when its bit is taken are the keys compared.  Returns the new
 * filter, and marks the record when the key was given before.
 */
static uint64_t
note_key(struct qrec *rec, size_t i, uint64_t seen)
{
	const struct qrec_member *m = &rec->members[i];
	uint64_t bit = 1ULL << (m->key_hash >> 58);

	if ((seen & bit) != 0) {
		for (size_t k = 0; k < i; k++)
			if (rec->members[k].key_hash == m->key_hash &&
			    rec->members[k].key_len == m->key_len &&
			    memcmp(rec->members[k].key, m->key, m->key_len) == 0)
				rec->duplicate = true;
	}
	return seen | bit;
}

/* Marks the record when a key is given twice.  Records of one shape
 * have the same keys, so the search runs once per shape. */
static void
find_duplicates(struct qrec *rec)
{
	uint64_t seen = 0;

	if (rec->shape != 0 && rec->shape == rec->shape_checked) {
		rec->duplicate = rec->shape_duplicate;
		return;
	}
	for (size_t i = 0; i < rec->count; i++)
		seen = note_key(rec, i, seen);
	if (rec->shape != 0) {
		rec->shape_checked = rec->shape;
		rec->shape_duplicate = rec->duplicate;
	}
}

/* Whether the 4 bytes at a and b are equal. */
static bool
same4(const char *a, const char *b)
{
	uint32_t x, y;

	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return x == y;
}

/* Whether the 8 bytes at a and b are equal. */
static bool
same8(const char *a, const char *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x == y;
}

/*
 * Compares len bytes: keys are short, and words compared inline cost
 * less than a call to memcmp.  The last word overlaps the one before
 * rather than leaving a tail to compare byte by byte, as in qrec_hash.
 */
static bool
same_bytes(const char *a, const char *b, size_t len)
{
	if (len < 4) {
		for (size_t i = 0; i < len; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	if (len < 8)
		return same4(a, b) && same4(a + len - 4, b + len - 4);
	for (size_t i = 0; i + 8 < len; i += 8)
		if (!same8(a + i, b + i))
			return false;
	return same8(a + len - 8, b + len - 8);
}

/* Numbers the shape anew after a change of its keys. */
static void
new_shape(struct qrec *rec)
{
	rec->shape_version = atomic_fetch_add_explicit(&last_shape, 1,
	    memory_order_relaxed) + 1;
}

/* Keeps the key of member i, written without escapes, as the shape's
 * key i; false when out of memory, which only costs speed. */
static bool
remember_shape_key(struct qrec *rec, size_t i, const struct qrec_member *m)
{
	struct qrec_shape_key *k;
	char *text;

	if (i >= rec->shape_cap) {
		size_t cap = rec->shape_cap == 0 ? 32 : rec->shape_cap * 2;
		struct qrec_shape_key *grown = realloc(rec->shape_keys,
		    cap * sizeof *grown);

		if (grown == NULL)
			return false;
		memset(grown + rec->shape_cap, 0,
		    (cap - rec->shape_cap) * sizeof *grown);
		rec->shape_keys = grown;
		rec->shape_cap = cap;
	}
	text = malloc(m->key_len + 1);
	if (text == NULL)
		return false;
	memcpy(text, m->key, m->key_len + 1);
	k = &rec->shape_keys[i];
	free(k->text);
	k->text = text;
	k->len = m->key_len;
	k->hash = m->key_hash;
	return true;
}

static bool
ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * Reads the key of member i.  When the line has the shape's key i
 * there, followed by the closing quote, the key is that one.  A shape
 * key has no quote, backslash, control character or byte above 0x7f,
 * so the line's bytes are the key itself and need no UTF-8 check.
 * Otherwise the key is read, hashed and made the shape's key i.
 * *from_shape records which way it went.
 */
static bool
read_key(struct parser *ps, struct qrec *rec, size_t i,
    struct qrec_member *m, bool *from_shape)
{
	const char *start = ps->p;

	if (i < rec->shape_count) {
		const struct qrec_shape_key *k = &rec->shape_keys[i];

		if ((size_t)(ps->end - ps->p) > k->len + 1 &&
		    ps->p[k->len + 1] == '"' &&
		    same_bytes(ps->p + 1, k->text, k->len)) {
			m->key = k->text;
			m->key_len = k->len;
			m->key_hash = k->hash;
			ps->p += k->len + 2;
			*from_shape = true;
			return true;
		}
	}

	*from_shape = false;
	if (!read_string(ps, true, &m->key, &m->key_len))
		return false;
	m->key_hash = qrec_hash(m->key, m->key_len);
	new_shape(rec);
	if (i > rec->shape_count)
		return true;
	if ((size_t)(ps->p - start) == m->key_len + 2 &&
	    ascii(m->key, m->key_len) && remember_shape_key(rec, i, m))
		rec->shape_count = i + 1;
	else
		rec->shape_count = i;
	return true;
}

/* Sets the record's shape once its keys are read: the shape's number
 * when they were all the shape's keys, and all of them. */
static void
end_shape(struct qrec *rec, bool all_from_shape)
{
	if (rec->shape_count > rec->count) {
		rec->shape_count = rec->count;
		new_shape(rec);
	}
	if (all_from_shape && rec->shape_count == rec->count)
		rec->shape = rec->shape_version;
}

static bool
read_object(struct parser *ps, struct qrec *rec)
{
	struct qrec_member *m;
	bool all_from_shape = true, from_shape;

	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return true;
	}
	for (;;) {
		if (ps->p == ps->end || *ps->p != '"')
			return broken(ps);
		m = new_member(rec);
		if (m == NULL)
			return broken(ps);
		if (!read_key(ps, rec, rec->count - 1, m, &from_shape))
			return false;
		all_from_shape = all_from_shape && from_shape;
		skip_space(ps);
		if (ps->p == ps->end || *ps->p != ':')
			return broken(ps);
		ps->p++;
		skip_space(ps);
		if (ps->p == ps->end || !read_member_value(ps, m))
			return broken(ps);
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			end_shape(rec, all_from_shape);
			find_duplicates(rec);
			return true;
		}
		return broken(ps);
	}
}

/* Most records are ASCII: eight bytes at a time find that out, and only
 * a line with a byte above 0x7f needs the full UTF-8 check. */
static bool
text_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	uint64_t word;

	for (; i + 8 <= len; i += 8) {
		memcpy(&word, s + i, 8);
		if (word & 0x8080808080808080ULL)
			return utf8_valid(s, len, bad);
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return utf8_valid(s, len, bad);
	return true;
}

static bool
blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

static bool
reserve_text(struct qrec *rec, size_t len)
{
	char *grown;

	/* Unescaped text is never longer than its JSON form, whose quotes
	 * leave room for the terminating NULs. */
	if (len + 1 <= rec->text_cap)
		return true;
	grown = realloc(rec->text, len + 1);
	if (grown == NULL)
		return false;
	rec->text = grown;
	rec->text_cap = len + 1;
	return true;
}

static enum record_error
fail(enum record_error error, char *why, size_t why_size, const char *reason)
{
	snprintf(why, why_size, "%s", reason);
	return error;
}

static enum record_error
invalid_utf8(size_t bad, char *why, size_t why_size)
{
	snprintf(why, why_size, "invalid UTF-8 at byte %zu", bad + 1);
	return RECORD_INVALID_UTF8;
}

/*
 * Parses line (NUL-terminated at len) into rec, which keeps its buffers
 * from one line to the next.  Returns RECORD_OK, or the error with a
 * reason in why that names what is wrong and where.
 */
enum record_error
qrec_parse(struct qrec *rec, const char *line, size_t len, char *why,
    size_t why_size)
{
	struct parser ps = { .start = line, .p = line, .end = line + len };
	const char *nul;
	enum qrec_type type;
	size_t bad;
	bool object, ok;

	rec->count = 0;
	rec->kind = NULL;
	rec->duplicate = false;
	rec->shape = 0;
	if (rec->shape_version == 0)
		new_shape(rec);
	if (len == 0 || ((line[0] == ' ' || line[0] == '\t') && blank(line, len)))
		return fail(RECORD_EMPTY, why, why_size, "empty line");
	if (!reserve_text(rec, len)) {
		if (!text_valid(line, len, &bad))
			return invalid_utf8(bad, why, why_size);
		return fail(RECORD_INVALID_JSON, why, why_size,
		    "out of memory for the line");
	}
	ps.out = rec->text;

	skip_space(&ps);
	object = ps.p < ps.end && *ps.p == '{';
	if (object)
		ok = read_object(&ps, rec);
	else
		ok = skip_value(&ps, 0, &type);
	if (ok) {
		skip_space(&ps);
		if (ps.p != ps.end)
			ok = broken(&ps);
	}
	/* Outside strings a byte above 0x7f breaks the parse, and inside
	 * them read_string notes it in ps.high, so a line that parsed
	 * without one is ASCII.  Otherwise the UTF-8 check, whose error
	 * comes before all others, reads the whole line. */
	if ((!ok || (ps.high & BYTES_HIGHS) != 0) &&
	    !text_valid(line, len, &bad))
		return invalid_utf8(bad, why, why_size);
	/* A line that is not a plain record, or might not be, goes through
	 * record_parse as well, so that both name its fault alike; such
	 * lines are rare, and the common case stays one pass. */
	if (!ok || !object || ps.overflow || rec->duplicate ||
	    ps.nested_object) {
		enum record_error error;
		cJSON *parsed;

		/* A NUL byte stops the parse, so only a line that failed can
		 * have one. */
		nul = ok ? NULL : memchr(line, '\0', len);
		if (nul != NULL) {
			snprintf(why, why_size, "NUL byte at byte %zu",
			    (size_t)(nul - line) + 1);
			return RECORD_INVALID_JSON;
		}
		parsed = record_parse(line, len, &error, why, why_size);

		cJSON_Delete(parsed);
		if (error != RECORD_OK)
			return error;
		if (!ok) {
			/* cJSON takes what RFC 8259 does not: a control
			 * character in a string, a leading zero. */
			snprintf(why, why_size, "invalid JSON at byte %zu",
			    (size_t)(ps.p - line) + 1);
			return RECORD_INVALID_JSON;
		}
	}

	for (size_t i = 0; i < rec->count; i++) {
		const struct qrec_member *m = &rec->members[i];

		if (strcmp(m->key, "kind") != 0)
			continue;
		if (m->type == QREC_STRING) {
			rec->kind = m;
			return RECORD_OK;
		}
		record_explain_kind(m->raw, m->raw_len, why, why_size);
		return RECORD_NO_KIND;
	}
	record_explain_kind(NULL, 0, why, why_size);
	return RECORD_NO_KIND;
}

/* The first member named key, as cJSON finds it, or NULL. */
const struct qrec_member *
qrec_get(const struct qrec *rec, const char *key)
{
	for (size_t i = 0; i < rec->count; i++)
		if (strcmp(rec->members[i].key, key) == 0)
			return &rec->members[i];
	return NULL;
}

/* Reads a string member as a YYYY-MM-DD date, once per record. */
bool
qrec_date(struct qrec_member *m, long *days)
{
	if (m->type != QREC_STRING)
		return false;
	if (m->date_state == 0)
		m->date_state = date_parse_len(m->string, m->string_len,
		    &m->days) ? 1 : -1;
	*days = m->days;
	return m->date_state == 1;
}

/* Characters, not bytes, as JSON Schema counts string lengths. */
size_t
qrec_utf8_length(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
