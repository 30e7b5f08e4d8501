/* For madvise(MADV_HUGEPAGE), a Linux extension beside the POSIX flags. */
#define _DEFAULT_SOURCE

#include <sys/mman.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "date.h"
#include "jsonw.h"
#include "quality.h"
#include "quality_record.h"

/* Maximum bytes of a value quoted in a reason: enough to recognize the
 * value, few enough that one huge string cannot fill the reason. */
#define VALUE_TEXT_MAX 80

/* Dates remembered per kind, by a hash of their text: records repeat
 * the same period ends and filing dates, and a lookup costs less than
 * parsing one. */
#define DATE_MEMO_SLOTS 1024
#define DATE_TEXT_LEN 10	/* YYYY-MM-DD */

/* Terms of one accounting identity, the total included. */
#define IDENTITY_TERMS_MAX 8

/* The size of a transparent huge page on x86-64, and on arm64 with
 * 4 KiB base pages. */
#define HUGE_PAGE_SIZE	((size_t)2 << 20)

/* Items of a key set are aligned to KEY_ALIGN bytes in blocks of up to
 * KEY_BLOCK_MAX, so a 32-bit reference holds the block number in its
 * high bits and the offset in units of KEY_ALIGN in the low 18. */
#define KEY_ALIGN		8
#define KEY_BLOCK_MIN		((size_t)4096)
#define KEY_BLOCK_MAX		HUGE_PAGE_SIZE
#define KEY_BLOCK_DOUBLINGS	9	/* KEY_BLOCK_MIN << 9 == KEY_BLOCK_MAX */
#define KEY_OFFSET_BITS		18	/* KEY_BLOCK_MAX / KEY_ALIGN == 1 << 18 */
#define KEY_OFFSET_MASK		((UINT32_C(1) << KEY_OFFSET_BITS) - 1)
/* Block numbers stay below this, so that a reference plus 1 fits in a
 * slot. */
#define KEY_BLOCKS_MAX		(UINT32_MAX >> KEY_OFFSET_BITS)

/* Pattern results remembered per pattern: metrics, concepts and dates
 * repeat from record to record, and a lookup costs far less than
 * regexec and less than a scan of steps of variable length. */
#define PATTERN_CACHE_SLOTS 256
#define PATTERN_CACHE_TEXT 94

enum check {
	CHECK_REQUIRED,
	CHECK_TYPE,
	CHECK_PATTERN,
	CHECK_ENUM,
	CHECK_VOCABULARY,
	CHECK_RANGE,
	CHECK_DATE,
	CHECK_DATE_ORDER,
	CHECK_UNIQUE,
	CHECK_DURATION,
	CHECK_JUMP,
	CHECK_IDENTITY,
	CHECK_SCHEMA,
};

static const char *const check_names[] = {
	"required", "type", "pattern", "enum", "vocabulary", "range", "date",
	"date-order", "unique", "duration", "jump", "identity", "schema",
};

/* The keys a rule of each check may have beside the common ones. */
static const char *const check_keys[][7] = {
	[CHECK_REQUIRED] = { "members" },
	[CHECK_TYPE] = { "types" },
	[CHECK_PATTERN] = { "member", "pattern" },
	[CHECK_ENUM] = { "member", "values" },
	[CHECK_VOCABULARY] = { "member" },
	[CHECK_RANGE] = { "member", "minimum", "maximum", "exclusive_minimum",
	    "exclusive_maximum" },
	[CHECK_DATE] = { "member", "earliest", "latest" },
	[CHECK_DATE_ORDER] = { "earlier", "later", "allow_equal" },
	[CHECK_UNIQUE] = { "key" },
	[CHECK_DURATION] = { "start", "end", "minimum_days", "maximum_days" },
	[CHECK_JUMP] = { "member", "order", "key", "factor" },
	[CHECK_IDENTITY] = { "total", "plus", "minus", "tolerance", "key" },
	[CHECK_SCHEMA] = { "file" },
};

static const char *const common_keys[] = {
	"name", "check", "severity", "enabled", "hint", "where",
};

/* The parts of a JSON Schema, each checked as a rule of its own so that
 * the report counts them apart. */
enum aspect {
	ASPECT_REQUIRED,
	ASPECT_TYPES,
	ASPECT_ENUM,
	ASPECT_PATTERN,
	ASPECT_LENGTH,
	ASPECT_RANGE,
	ASPECTS,
};

static const char *const aspect_names[] = {
	"required", "types", "enum", "pattern", "length", "range",
};

enum json_type {
	TYPE_STRING,
	TYPE_NUMBER,
	TYPE_INTEGER,
	TYPE_BOOLEAN,
	TYPE_OBJECT,
	TYPE_ARRAY,
	TYPE_NULL,
	TYPES,
};

static const char *const type_names[] = {
	"string", "number", "integer", "boolean", "object", "array", "null",
};

#define TYPE_BIT(t)	(1u << (t))

struct string_list {
	char **items;
	size_t *lengths;	/* strlen of each item */
	size_t count;
};

/* A "where" condition: the rule applies only to records whose member is
 * a string equal to one of the values. */
struct condition {
	size_t field;
	struct string_list values;
	size_t bit;		/* its number among the kind's conditions */
};

struct cache_slot {
	unsigned char len;	/* 0: empty */
	bool match;
	char text[PATTERN_CACHE_TEXT];
};

/* One step of a simple pattern: between min and max bytes of a set. */
struct pattern_step {
	/* 1 for each byte value of the set: a lookup per byte of the
	 * text, where a bit set would take a shift and a mask too. */
	unsigned char set[256];
	unsigned int min, max;
};

#define PATTERN_STEPS_MAX	32
#define PATTERN_UNBOUNDED	UINT_MAX
#define PATTERN_FIXED_MAX	32	/* bytes of a fixed-length pattern */

struct pattern {
	regex_t regex;
	char *text;		/* as written, for reasons */
	struct cache_slot *cache;

	/* Most patterns of a record contract are anchored runs of classes,
	 * like ^[0-9]{10}$, which a plain scan matches far faster than
	 * regexec.  The other patterns go to regexec. */
	bool simple;
	bool to_end;		/* ends with $ */
	size_t step_count;
	struct pattern_step steps[PATTERN_STEPS_MAX];

	/* A simple pattern whose steps each take a fixed count, like a CIK
	 * or a date, matches text of one length only: a byte at position i
	 * must be in the set of byte_sets[i]. */
	bool fixed;
	size_t fixed_len;
	const unsigned char *byte_sets[PATTERN_FIXED_MAX];
};

/*
 * Open addressing over slots of eight bytes: the low 32 bits of the
 * key's hash and a reference to its item.  A table of millions of keys
 * is read at random, once per record, so small slots mean fewer cache
 * misses and page faults.  The hash bits in the slot both place a key
 * and screen it, so the table grows without reading the items.  A key
 * matches only when its length and bytes equal those of the item.
 */
struct key_slot {
	uint32_t hash;
	uint32_t item;		/* key_item_ref + 1; 0: a free slot */
};

/*
 * An item: the caller's value, the key's length and bytes, padded to
 * KEY_ALIGN, then the set's extra bytes.  Items are appended in order
 * to blocks that are freed together, and do not move once written.
 */
struct key_item {
	size_t value;		/* the caller's: a line, or an index */
	uint32_t len;
	char key[];
};

struct key_block {
	char *data;
	size_t used, size;
};

struct key_set {
	struct key_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t count;
	struct key_block *blocks;
	size_t block_count, block_cap;
	size_t extra;		/* bytes kept after each key, zeroed at first */
};

/* A date string and what date_parse_len made of it. */
struct date_memo {
	char text[DATE_TEXT_LEN];
	bool used, valid;
	long days;
};

/* The last period seen per key, for the jump check. */
struct last_value {
	long order;
	double value;
	unsigned long line;
};

/*
 * The values of one company and period that an identity sums, kept in
 * the key set after the group's key: a bit per term that has a value,
 * the value of each term, then the line of each term.  Its size is
 * identity_group_size of the identity's number of terms.
 */
struct identity_group {
	uint64_t present;
	double values[];
};

static size_t
identity_group_size(size_t terms)
{
	return sizeof(struct identity_group) +
	    terms * (sizeof(double) + sizeof(unsigned long));
}

/* The line of each term of an identity group of terms terms. */
static unsigned long *
group_lines(const struct identity_group *g, size_t terms)
{
	return (unsigned long *)(uintptr_t)(g->values + terms);
}

/* One property of a JSON Schema, compiled. */
struct schema_property {
	char *name;
	size_t field;
	bool required;
	unsigned int types;		/* TYPE_BIT of each; 0: any */
	unsigned int item_types;	/* arrays: allowed types of items */
	struct string_list values;	/* enum of strings */
	bool has_enum, enum_null;
	struct pattern *pattern;
	char *description;
	long min_length, max_length;	/* -1: none */
	double minimum, maximum;
	bool has_minimum, has_maximum;
	bool minimum_exclusive, maximum_exclusive;
};

struct schema {
	char *file;
	struct schema_property *properties;
	size_t count;
};

struct rule {
	char *name;
	const char *kind;		/* the name in the kind table */
	enum check check;
	enum quality_severity severity;
	bool enabled;
	char *hint;
	struct condition *where;
	size_t where_count;

	/* The members a check reads, and their field numbers in the kind.
	 * The required check lists them, the type check pairs each with
	 * types[i], the unique, jump and identity checks use them as their
	 * key, and every other check reads items[0] only. */
	struct string_list members;
	size_t *fields;
	enum json_type *types;

	struct pattern *pattern;
	struct string_list values;	/* enum; identity: the terms */

	double minimum, maximum;
	bool has_minimum, has_maximum;
	bool minimum_exclusive, maximum_exclusive;

	long earliest, latest;		/* days since 1970-01-01 */
	bool has_earliest, has_latest, latest_is_today;

	char *earlier, *later;		/* date-order, duration */
	size_t earlier_field, later_field;
	bool allow_equal;

	double factor;			/* jump */
	size_t value_field, name_field;	/* jump, identity */

	double signs[IDENTITY_TERMS_MAX];	/* identity: +1, -1, the total 0 */
	double tolerance;

	struct key_set seen;		/* unique; jump, identity: an index */
	/* The key of the record being checked, encoded once for both the
	 * check and the remembering.  key_record is that record's number. */
	char *key;
	size_t key_len, key_cap;
	uint64_t key_hash;
	bool key_ok;
	unsigned long key_record;
	/* The key's slot in seen, found for record slot_record by the check
	 * and taken by the remembering.  slot_room is false when the table
	 * could not grow, so the slot may be read but not filled. */
	size_t slot;
	unsigned long slot_record;
	bool slot_room;
	size_t term;			/* identity: the record's term */
	unsigned long term_record;	/* the record term is of */
	bool has_pending;		/* unique: a new key to remember */
	struct last_value *last;
	size_t last_count, last_cap;

	struct schema *schema;		/* shared by the aspects of a file */
	enum aspect aspect;
	/* Those the aspect can fail, in the schema's array, which does not
	 * move once the schema is compiled. */
	const struct schema_property **properties;
	size_t property_count;
	bool owns_schema;

	unsigned long checked, failed;
	size_t example_count;
	unsigned long examples[QUALITY_EXAMPLES_MAX];
};

/*
 * A member that "where" conditions read, with the conditions each of its
 * values meets: value number i (as key_set numbers them) meets condition
 * b when bit b of masks[i * words ...] is set.
 */
struct where_field {
	size_t field;
	struct key_set values;
	uint64_t *masks;
	size_t value_count;
};

struct kind {
	char *name;
	size_t first;		/* index of its first rule */
	size_t count;
	struct string_list fields;	/* the members its rules read */
	struct key_set field_index;	/* member name to field number */
	const struct qrec_member **slots;	/* per record, by field */

	/* The field of each member of the records of one shape (see
	 * struct qrec), or NO_FIELD, so that fill_slots looks their keys
	 * up once per shape. */
	size_t *member_fields;
	size_t member_count, member_cap;
	unsigned long shape;

	struct date_memo *date_memo;	/* DATE_MEMO_SLOTS */

	/* The "where" conditions of its rules, decided once per record with
	 * a lookup per member they read, not a list search per rule. */
	struct where_field *where_fields;
	size_t where_field_count;
	size_t condition_count;
	size_t condition_words;		/* uint64_t words of a bit set */
	uint64_t *conditions_met;	/* per record */

	/* The enabled rules in the order they run: those of one record
	 * first, then the cross-record ones, each in file order. */
	size_t *order;
	size_t singles, crosses;
};

/* A company whose records some rules skip or only warn about. */
enum override {
	OVERRIDE_NONE,
	OVERRIDE_DISABLE,
	OVERRIDE_WARN,
};

struct company {
	char *cik;
	unsigned char *overrides;	/* an enum override per rule */
};

struct quality_rules {
	quality_where_fn *where;	/* names other lines in reasons */
	void *where_arg;
	struct rule *rules;
	size_t rule_count;
	struct kind *kinds;
	size_t kind_count;
	struct string_list vocabulary;
	char *vocabulary_name;	/* as written in the rules file */
	struct company *companies;
	size_t company_count;
	unsigned long records;	/* checked so far, to tell rule keys apart */
};

struct loader {
	const char *path;
	char *error;
	size_t error_size;
	struct quality_rules *rules;
	struct kind *kind;	/* the kind being read */
};

/* The rule being checked against one record. */
struct run {
	struct quality_result *result;
	struct rule *rule;
	const struct kind *kind;
	size_t index;
	enum quality_severity severity;
	bool failed;
};

#define NO_FIELD SIZE_MAX

/* Fields every kind has, for the company overrides and reasons. */
enum {
	FIELD_CIK,
	FIELD_METRIC,
	FIELD_VALUE,
};

static void
load_error(struct loader *ld, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static struct kind *find_kind(const struct quality_rules *rules,
    const char *name, size_t len);
static bool key_set_add(struct key_set *set, const char *key, size_t len,
    size_t value, size_t **slot_value);
static const size_t *key_set_find(const struct key_set *set,
    const char *key, size_t len);
static void key_set_free(struct key_set *set);
static void table_free(void *table);
static bool null_allowed(const struct schema_property *p);

static void
load_error(struct loader *ld, unsigned long line, const char *fmt, ...)
{
	char message[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	snprintf(ld->error, ld->error_size, "%s:%lu: %s", ld->path, line,
	    message);
}

static void
string_list_free(struct string_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	free(list->lengths);
	list->items = NULL;
	list->lengths = NULL;
	list->count = 0;
}

static bool
string_list_add(struct string_list *list, const char *text)
{
	char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);
	size_t *lengths;

	if (grown == NULL)
		return false;
	list->items = grown;
	lengths = realloc(list->lengths, (list->count + 1) * sizeof *lengths);
	if (lengths == NULL)
		return false;
	list->lengths = lengths;
	list->items[list->count] = strdup(text);
	if (list->items[list->count] == NULL)
		return false;
	list->lengths[list->count] = strlen(text);
	list->count++;
	return true;
}

/* Whether the list has the string of len bytes at text.  Comparing the
 * length and the first byte rules out most items without a call. */
static bool
string_list_contains(const struct string_list *list, const char *text,
    size_t len)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->lengths[i] == len && list->items[i][0] == text[0] &&
		    memcmp(list->items[i], text, len) == 0)
			return true;
	return false;
}

/*
 * Returns the field number of a member name in the kind being loaded,
 * adding it when new.  Rules read members by field number, so that a
 * record's members are looked up once per record, not once per rule.
 */
static bool
intern_field(struct loader *ld, const char *name, size_t *field)
{
	struct kind *kind = ld->kind;
	const size_t *known;
	size_t len = strlen(name);

	known = key_set_find(&kind->field_index, name, len);
	if (known != NULL) {
		*field = *known;
		return true;
	}
	*field = kind->fields.count;
	if (!string_list_add(&kind->fields, name) ||
	    !key_set_add(&kind->field_index, name, len, *field, NULL)) {
		load_error(ld, 0, "out of memory");
		return false;
	}
	return true;
}

/* Gives each member of the rule its field number. */
static bool
intern_members(struct loader *ld, struct rule *r)
{
	r->fields = calloc(r->members.count + 1, sizeof *r->fields);
	if (r->fields == NULL)
		return false;
	for (size_t i = 0; i < r->members.count; i++)
		if (!intern_field(ld, r->members.items[i], &r->fields[i]))
			return false;
	return true;
}

/*
 * Reads a scalar or a sequence of scalars into list.  Returns false with
 * the error set; what names the YAML key for the message.
 */
static bool
load_scalars(struct loader *ld, const struct conf_node *node, const char *what,
    struct string_list *list)
{
	if (node->type == CONF_NODE_SCALAR) {
		if (!string_list_add(list, node->scalar))
			goto nomem;
		return true;
	}
	if (node->type != CONF_NODE_SEQUENCE || node->count == 0) {
		load_error(ld, node->line, "%s: expected a name or a list of names",
		    what);
		return false;
	}
	for (size_t i = 0; i < node->count; i++) {
		const struct conf_node *item = node->items[i];

		if (item->type != CONF_NODE_SCALAR) {
			load_error(ld, item->line, "%s: expected a plain value",
			    what);
			return false;
		}
		if (!string_list_add(list, item->scalar))
			goto nomem;
	}
	return true;
nomem:
	load_error(ld, node->line, "out of memory");
	return false;
}

/* Rule names become Prometheus label values and report keys, so they
 * keep to a plain alphabet. */
static bool
valid_rule_name(const char *name)
{
	if (*name == '\0')
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_' &&
		    *p != '.')
			return false;
	return true;
}

static bool
allowed_key(enum check check, const char *key)
{
	for (size_t i = 0; i < sizeof common_keys / sizeof *common_keys; i++)
		if (strcmp(common_keys[i], key) == 0)
			return true;
	for (size_t i = 0; i < 7 && check_keys[check][i] != NULL; i++)
		if (strcmp(check_keys[check][i], key) == 0)
			return true;
	return false;
}

static bool
parse_check(struct loader *ld, const struct conf_node *node, enum check *check)
{
	const char *text = conf_map_scalar(node, "check");

	if (text == NULL) {
		load_error(ld, node->line, "rule without a \"check\"");
		return false;
	}
	for (size_t i = 0; i < sizeof check_names / sizeof *check_names; i++) {
		if (strcmp(check_names[i], text) == 0) {
			*check = (enum check)i;
			return true;
		}
	}
	load_error(ld, conf_map_get(node, "check")->line,
	    "unknown check \"%s\": use schema, required, type, pattern, enum, "
	    "vocabulary, range, date, date-order, duration, unique, jump or "
	    "identity", text);
	return false;
}

/* Reads name, severity, enabled, hint and where. */
static bool
parse_common(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const struct conf_node *item;
	const char *text;

	text = conf_map_scalar(node, "name");
	if (text == NULL || !valid_rule_name(text)) {
		load_error(ld, node->line, "rule needs a \"name\" of letters, "
		    "digits, '-', '_' or '.'");
		return false;
	}
	r->name = strdup(text);
	if (r->name == NULL)
		return false;

	r->severity = QUALITY_ERROR;
	item = conf_map_get(node, "severity");
	if (item != NULL) {
		if (item->type == CONF_NODE_SCALAR &&
		    strcmp(item->scalar, "warn") == 0) {
			r->severity = QUALITY_WARN;
		} else if (item->type != CONF_NODE_SCALAR ||
		    strcmp(item->scalar, "error") != 0) {
			load_error(ld, item->line, "rule %s: severity must be "
			    "error or warn", r->name);
			return false;
		}
	}

	r->enabled = true;
	item = conf_map_get(node, "enabled");
	if (item != NULL && !conf_scalar_bool(item, &r->enabled)) {
		load_error(ld, item->line, "rule %s: enabled must be true or false",
		    r->name);
		return false;
	}

	text = conf_map_scalar(node, "hint");
	if (text != NULL)
		r->hint = strdup(text);

	item = conf_map_get(node, "where");
	if (item == NULL)
		return true;
	if (item->type != CONF_NODE_MAPPING || item->count == 0) {
		load_error(ld, item->line, "rule %s: where must map members to "
		    "values", r->name);
		return false;
	}
	r->where = calloc(item->count, sizeof *r->where);
	if (r->where == NULL) {
		load_error(ld, item->line, "out of memory");
		return false;
	}
	r->where_count = item->count;
	for (size_t i = 0; i < item->count; i++) {
		if (!intern_field(ld, item->keys[i], &r->where[i].field) ||
		    !load_scalars(ld, item->items[i], "where",
		    &r->where[i].values))
			return false;
	}
	return true;
}

/* Reads the "member" key of the checks that look at one member. */
static bool
parse_member(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const char *member = conf_map_scalar(node, "member");

	if (member == NULL) {
		load_error(ld, node->line, "rule %s: %s check needs a \"member\"",
		    r->name, check_names[r->check]);
		return false;
	}
	return string_list_add(&r->members, member);
}

static bool
type_named(const char *name, enum json_type *type)
{
	for (size_t t = 0; t < TYPES; t++) {
		if (strcmp(name, type_names[t]) == 0) {
			*type = (enum json_type)t;
			return true;
		}
	}
	return false;
}

static bool
parse_types(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const struct conf_node *types = conf_map_get(node, "types");

	if (types == NULL || types->type != CONF_NODE_MAPPING ||
	    types->count == 0) {
		load_error(ld, node->line, "rule %s: type check needs \"types\" "
		    "mapping members to string, number, integer, boolean, "
		    "object or array", r->name);
		return false;
	}
	r->types = calloc(types->count, sizeof *r->types);
	if (r->types == NULL)
		return false;
	for (size_t i = 0; i < types->count; i++) {
		const struct conf_node *type = types->items[i];

		if (type->type != CONF_NODE_SCALAR ||
		    !type_named(type->scalar, &r->types[i])) {
			load_error(ld, type->line, "rule %s: unknown type for "
			    "\"%s\": use string, number, integer, boolean, "
			    "object or array", r->name, types->keys[i]);
			return false;
		}
		if (!string_list_add(&r->members, types->keys[i]))
			return false;
	}
	return true;
}

static void
pattern_free(struct pattern *p)
{
	if (p == NULL)
		return;
	regfree(&p->regex);
	free(p->text);
	free(p->cache);
	free(p);
}

static void
set_add(unsigned char *set, unsigned char c)
{
	set[c] = 1;
}

static bool
set_has(const unsigned char *set, unsigned char c)
{
	return set[c] != 0;
}

static void
set_add_range(unsigned char *set, unsigned char first, unsigned char last)
{
	for (unsigned int c = first; c <= last; c++)
		set_add(set, (unsigned char)c);
}

/* Adds the class of an escape \d, \w or \s; false for another letter. */
static bool
set_add_escape(unsigned char *set, char letter)
{
	switch (letter) {
	case 'd':
		set_add_range(set, '0', '9');
		return true;
	case 'w':
		set_add_range(set, 'A', 'Z');
		set_add_range(set, 'a', 'z');
		set_add_range(set, '0', '9');
		set_add(set, '_');
		return true;
	case 's':
		for (const char *c = " \t\n\r\f\v"; *c != '\0'; c++)
			set_add(set, (unsigned char)*c);
		return true;
	}
	return false;
}

/*
 * Reads a bracket expression after its '['.  The simple form has no
 * negation, no [:class:] and no backslash but \d, \w and \s, which
 * regcomp would read apart from ECMA-262 (a backslash is a plain
 * character in POSIX brackets).  Returns the text after the ']', or
 * NULL for another form.
 */
static const char *
simple_class(const char *s, unsigned char *set)
{
	if (*s == '^' || *s == ']')
		return NULL;
	while (*s != ']') {
		unsigned char c = (unsigned char)*s;

		if (c == '\0' || c == '[')
			return NULL;
		if (c == '\\') {
			if (!set_add_escape(set, s[1]))
				return NULL;
			s += 2;
		} else if (s[1] == '-' && s[2] != ']' && s[2] != '\0') {
			if (s[2] == '\\' || s[2] == '[' ||
			    (unsigned char)s[2] < c)
				return NULL;
			set_add_range(set, c, (unsigned char)s[2]);
			s += 3;
		} else {
			set_add(set, c);
			s++;
		}
	}
	return s + 1;
}

/* Reads a count of {n}, {n,} or {n,m}; returns the text after it. */
static const char *
simple_count(const char *s, struct pattern_step *step)
{
	char *end;
	unsigned long n, m;

	if (*s < '0' || *s > '9')
		return NULL;
	n = strtoul(s, &end, 10);
	m = n;
	if (*end == ',') {
		s = end + 1;
		if (*s == '}') {
			m = PATTERN_UNBOUNDED;
			end = (char *)s;
		} else if (*s >= '0' && *s <= '9') {
			m = strtoul(s, &end, 10);
		} else {
			return NULL;
		}
	}
	if (*end != '}' || n > 255 || (m > 255 && m != PATTERN_UNBOUNDED) ||
	    m < n)
		return NULL;
	step->min = (unsigned int)n;
	step->max = (unsigned int)m;
	return end + 1;
}

/* Reads the quantifier after an atom, if any. */
static const char *
simple_quantifier(const char *s, struct pattern_step *step)
{
	step->min = step->max = 1;
	switch (*s) {
	case '?':
		step->min = 0;
		return s + 1;
	case '*':
		step->min = 0;
		step->max = PATTERN_UNBOUNDED;
		return s + 1;
	case '+':
		step->max = PATTERN_UNBOUNDED;
		return s + 1;
	case '{':
		return simple_count(s + 1, step);
	}
	return s;
}

/* Reads one atom: a class, an escape or a plain character. */
static const char *
simple_atom(const char *s, unsigned char *set)
{
	if (*s == '[')
		return simple_class(s + 1, set);
	if (*s == '\\') {
		if (set_add_escape(set, s[1]))
			return s + 2;
		if (s[1] == '\0' || strchr(".[]()*+?{}|^$\\", s[1]) == NULL)
			return NULL;
		set_add(set, (unsigned char)s[1]);
		return s + 2;
	}
	if (strchr(".[]()*+?{}|^$", *s) != NULL)
		return NULL;
	set_add(set, (unsigned char)*s);
	return s + 1;
}

/*
 * Whether taking as many bytes as a step allows is the only way to
 * match: a step of variable length must end the pattern or be followed
 * by a step that needs a byte of a set disjoint from its own, so the
 * scan never has to give bytes back.
 */
static bool
greedy_exact(const struct pattern *p)
{
	for (size_t i = 0; i + 1 < p->step_count; i++) {
		const struct pattern_step *a = &p->steps[i], *b = &p->steps[i + 1];

		if (a->min == a->max)
			continue;
		if (b->min == 0)
			return false;
		for (size_t k = 0; k < sizeof a->set; k++)
			if ((a->set[k] & b->set[k]) != 0)
				return false;
	}
	return true;
}

/* Lists the set of each byte position when every step has a fixed
 * count, and the total fits. */
static void
fix_length(struct pattern *p)
{
	size_t len = 0;

	for (size_t i = 0; i < p->step_count; i++) {
		const struct pattern_step *step = &p->steps[i];

		if (step->min != step->max ||
		    step->max > PATTERN_FIXED_MAX - len)
			return;
		for (unsigned int k = 0; k < step->max; k++)
			p->byte_sets[len++] = step->set;
	}
	p->fixed = true;
	p->fixed_len = len;
}

/* Compiles a pattern of the simple form, ^ then steps then maybe $, into
 * p->steps; leaves p->simple false for any other. */
static void
simple_compile(struct pattern *p, const char *s)
{
	if (*s++ != '^')
		return;
	while (*s != '\0') {
		struct pattern_step *step = &p->steps[p->step_count];

		if (s[0] == '$' && s[1] == '\0') {
			p->to_end = true;
			break;
		}
		if (p->step_count == PATTERN_STEPS_MAX)
			return;
		memset(step, 0, sizeof *step);
		if ((s = simple_atom(s, step->set)) == NULL ||
		    (s = simple_quantifier(s, step)) == NULL ||
		    (*s != '\0' && strchr("?*+{", *s) != NULL))
			return;
		p->step_count++;
	}
	p->simple = greedy_exact(p);
	if (p->simple && p->to_end)
		fix_length(p);
}

static bool
simple_match(const struct pattern *p, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t at = 0;

	if (p->fixed) {
		if (len != p->fixed_len)
			return false;
		for (size_t i = 0; i < len; i++)
			if (!set_has(p->byte_sets[i], s[i]))
				return false;
		return true;
	}
	for (size_t i = 0; i < p->step_count; i++) {
		const struct pattern_step *step = &p->steps[i];
		size_t end = len - at < step->max ? len : at + step->max;
		size_t start = at;

		while (at < end && set_has(step->set, s[at]))
			at++;
		if (at - start < step->min)
			return false;
	}
	return !p->to_end || at == len;
}

/*
 * Compiles a pattern.  JSON Schema patterns are ECMA-262 expressions;
 * the escapes they use for classes (\d, \w, \s) are rewritten for POSIX
 * regcomp, which has no such escapes, and the rest is left alone: the
 * patterns of a record contract keep to what both dialects read alike.
 */
static struct pattern *
pattern_compile(const char *text, char *message, size_t size)
{
	struct pattern *p = calloc(1, sizeof *p);
	size_t len = strlen(text), n = 0;
	char *posix = malloc(len * 12 + 1);
	bool in_class = false;
	int status;

	if (p == NULL || posix == NULL) {
		free(p);
		free(posix);
		snprintf(message, size, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		const char *class = NULL;

		if (text[i] == '\\' && i + 1 < len) {
			switch (text[i + 1]) {
			case 'd': class = "0-9"; break;
			case 'w': class = "A-Za-z0-9_"; break;
			case 's': class = " \t\n\r\f\v"; break;
			}
		}
		if (class != NULL) {
			n += (size_t)sprintf(posix + n, in_class ? "%s" : "[%s]",
			    class);
			i++;
			continue;
		}
		if (text[i] == '[' && !in_class)
			in_class = true;
		else if (text[i] == ']' && in_class)
			in_class = false;
		posix[n++] = text[i];
	}
	posix[n] = '\0';

	status = regcomp(&p->regex, posix, REG_EXTENDED | REG_NOSUB);
	free(posix);
	if (status != 0) {
		regerror(status, &p->regex, message, size);
		free(p);
		return NULL;
	}
	simple_compile(p, text);
	p->text = strdup(text);
	p->cache = calloc(PATTERN_CACHE_SLOTS, sizeof *p->cache);
	if (p->text == NULL || p->cache == NULL) {
		pattern_free(p);
		snprintf(message, size, "out of memory");
		return NULL;
	}
	return p;
}

static uint64_t
hash_bytes(const char *key, size_t len)
{
	return qrec_hash(key, len);
}

static bool
pattern_match(struct pattern *p, const char *text, size_t len)
{
	struct cache_slot *slot;
	bool match;

	/* A fixed-length pattern is matched directly because the match
	 * costs about what a lookup costs.  Other simple patterns cost a
	 * few times more, so they go through the cache. */
	if (p->fixed)
		return simple_match(p, text, len);
	if (len == 0 || len >= PATTERN_CACHE_TEXT)
		return p->simple ? simple_match(p, text, len) :
		    regexec(&p->regex, text, 0, NULL, 0) == 0;
	slot = &p->cache[hash_bytes(text, len) & (PATTERN_CACHE_SLOTS - 1)];
	if (slot->len == len && memcmp(slot->text, text, len) == 0)
		return slot->match;
	match = p->simple ? simple_match(p, text, len) :
	    regexec(&p->regex, text, 0, NULL, 0) == 0;
	memcpy(slot->text, text, len);
	slot->len = (unsigned char)len;
	slot->match = match;
	return match;
}

static bool
parse_pattern(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const struct conf_node *item = conf_map_get(node, "pattern");
	char message[200];

	if (item == NULL || item->type != CONF_NODE_SCALAR) {
		load_error(ld, node->line, "rule %s: pattern check needs a "
		    "\"pattern\" (a POSIX extended regular expression)", r->name);
		return false;
	}
	r->pattern = pattern_compile(item->scalar, message, sizeof message);
	if (r->pattern == NULL) {
		load_error(ld, item->line, "rule %s: invalid pattern \"%s\": %s",
		    r->name, item->scalar, message);
		return false;
	}
	return true;
}

/* Reads one bound of a range; a bound may be inclusive or exclusive but
 * not both. */
static bool
parse_bound(struct loader *ld, const struct conf_node *node, struct rule *r,
    const char *inclusive_key, const char *exclusive_key, double *bound,
    bool *has, bool *exclusive)
{
	const struct conf_node *inclusive = conf_map_get(node, inclusive_key);
	const struct conf_node *strict = conf_map_get(node, exclusive_key);
	const struct conf_node *item = inclusive != NULL ? inclusive : strict;

	if (inclusive != NULL && strict != NULL) {
		load_error(ld, strict->line, "rule %s: give %s or %s, not both",
		    r->name, inclusive_key, exclusive_key);
		return false;
	}
	if (item == NULL)
		return true;
	if (!conf_scalar_double(item, bound)) {
		load_error(ld, item->line, "rule %s: %s is not a number",
		    r->name, item == inclusive ? inclusive_key : exclusive_key);
		return false;
	}
	*has = true;
	*exclusive = item == strict;
	return true;
}

static bool
parse_range(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	if (!parse_bound(ld, node, r, "minimum", "exclusive_minimum",
	    &r->minimum, &r->has_minimum, &r->minimum_exclusive))
		return false;
	if (!parse_bound(ld, node, r, "maximum", "exclusive_maximum",
	    &r->maximum, &r->has_maximum, &r->maximum_exclusive))
		return false;
	if (!r->has_minimum && !r->has_maximum) {
		load_error(ld, node->line, "rule %s: %s check needs a minimum "
		    "or a maximum", r->name, check_names[r->check]);
		return false;
	}
	return true;
}

static bool
parse_date_bound(struct loader *ld, const struct conf_node *node,
    struct rule *r, const char *key, long *days, bool *has)
{
	const struct conf_node *item = conf_map_get(node, key);

	if (item == NULL)
		return true;
	if (item->type == CONF_NODE_SCALAR && strcmp(item->scalar, "today") == 0) {
		*days = date_today();
		*has = true;
		r->latest_is_today = days == &r->latest;
		return true;
	}
	if (item->type != CONF_NODE_SCALAR || !date_parse(item->scalar, days)) {
		load_error(ld, item->line, "rule %s: %s must be a date YYYY-MM-DD "
		    "or today", r->name, key);
		return false;
	}
	*has = true;
	return true;
}

/* Reads the two date members of a date-order or duration check. */
static bool
parse_two_dates(struct loader *ld, const struct conf_node *node,
    struct rule *r, const char *first_key, const char *second_key)
{
	const char *earlier = conf_map_scalar(node, first_key);
	const char *later = conf_map_scalar(node, second_key);

	if (earlier == NULL || later == NULL) {
		load_error(ld, node->line, "rule %s: %s check needs \"%s\" and "
		    "\"%s\" members", r->name, check_names[r->check], first_key,
		    second_key);
		return false;
	}
	r->earlier = strdup(earlier);
	r->later = strdup(later);
	return r->earlier != NULL && r->later != NULL &&
	    intern_field(ld, earlier, &r->earlier_field) &&
	    intern_field(ld, later, &r->later_field);
}

static bool
parse_date_order(struct loader *ld, const struct conf_node *node,
    struct rule *r)
{
	const struct conf_node *item = conf_map_get(node, "allow_equal");

	if (!parse_two_dates(ld, node, r, "earlier", "later"))
		return false;
	if (item != NULL && !conf_scalar_bool(item, &r->allow_equal)) {
		load_error(ld, item->line, "rule %s: allow_equal must be true or "
		    "false", r->name);
		return false;
	}
	return true;
}

static bool
parse_days(struct loader *ld, const struct conf_node *node, struct rule *r,
    const char *key, double *days, bool *has)
{
	const struct conf_node *item = conf_map_get(node, key);
	long value;

	if (item == NULL)
		return true;
	if (!conf_scalar_long(item, &value) || value < 0) {
		load_error(ld, item->line, "rule %s: %s must be a whole number "
		    "of days", r->name, key);
		return false;
	}
	*days = (double)value;
	*has = true;
	return true;
}

/* A duration: the days from start to end, both included, within the
 * bounds; the range bounds hold the days. */
static bool
parse_duration(struct loader *ld, const struct conf_node *node,
    struct rule *r)
{
	if (!parse_two_dates(ld, node, r, "start", "end") ||
	    !parse_days(ld, node, r, "minimum_days", &r->minimum,
	    &r->has_minimum) ||
	    !parse_days(ld, node, r, "maximum_days", &r->maximum,
	    &r->has_maximum))
		return false;
	if (!r->has_minimum && !r->has_maximum) {
		load_error(ld, node->line, "rule %s: duration check needs "
		    "minimum_days or maximum_days", r->name);
		return false;
	}
	return true;
}

static bool
parse_list_key(struct loader *ld, const struct conf_node *node,
    struct rule *r, const char *key)
{
	const struct conf_node *item = conf_map_get(node, key);

	if (item == NULL) {
		load_error(ld, node->line, "rule %s: %s check needs \"%s\"",
		    r->name, check_names[r->check], key);
		return false;
	}
	return load_scalars(ld, item, key, &r->members);
}

/* Reads the optional "key" of a jump or identity check, which groups
 * the records it compares; dflt lists the members used without one. */
static bool
parse_group_key(struct loader *ld, const struct conf_node *node,
    struct rule *r, const char *const *dflt)
{
	if (conf_map_get(node, "key") != NULL)
		return parse_list_key(ld, node, r, "key");
	for (size_t i = 0; dflt[i] != NULL; i++)
		if (!string_list_add(&r->members, dflt[i]))
			return false;
	return true;
}

static bool
parse_positive(struct loader *ld, const struct conf_node *node,
    struct rule *r, const char *key, double *value)
{
	const struct conf_node *item = conf_map_get(node, key);

	if (item == NULL)
		return true;
	if (!conf_scalar_double(item, value) || !(*value > 0)) {
		load_error(ld, item->line, "rule %s: %s must be a number above 0",
		    r->name, key);
		return false;
	}
	return true;
}

/*
 * A jump: a value more than factor times the value of the previous
 * period with the same key, or less than its factor-th part.
 */
static bool
parse_jump(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	static const char *const dflt[] = { "cik", "metric", "period_type",
	    "unit", NULL };
	const char *value = conf_map_scalar(node, "member");
	const char *order = conf_map_scalar(node, "order");

	r->factor = 10;
	if (!parse_positive(ld, node, r, "factor", &r->factor))
		return false;
	if (!(r->factor > 1)) {
		load_error(ld, node->line, "rule %s: factor must be above 1",
		    r->name);
		return false;
	}
	r->later = strdup(order != NULL ? order : "period_end");
	if (r->later == NULL ||
	    !intern_field(ld, value != NULL ? value : "value", &r->value_field) ||
	    !intern_field(ld, r->later, &r->later_field))
		return false;
	return parse_group_key(ld, node, r, dflt);
}

static bool
add_terms(struct loader *ld, const struct conf_node *node, struct rule *r,
    const char *key, double sign)
{
	const struct conf_node *item = conf_map_get(node, key);
	size_t first = r->values.count;

	if (item == NULL)
		return true;
	if (!load_scalars(ld, item, key, &r->values))
		return false;
	if (r->values.count > IDENTITY_TERMS_MAX) {
		load_error(ld, item->line, "rule %s: an identity has at most %d "
		    "terms", r->name, IDENTITY_TERMS_MAX);
		return false;
	}
	for (size_t i = first; i < r->values.count; i++)
		r->signs[i] = sign;
	return true;
}

/*
 * An identity: total = sum of plus - sum of minus, over the records of
 * one group (a company, period and unit by default) whose "metric" is
 * one of the terms.  values[0] is the total.
 */
static bool
parse_identity(struct loader *ld, const struct conf_node *node,
    struct rule *r)
{
	static const char *const dflt[] = { "cik", "period_type",
	    "period_start", "period_end", "unit", NULL };
	const char *total = conf_map_scalar(node, "total");

	if (total == NULL || (conf_map_get(node, "plus") == NULL &&
	    conf_map_get(node, "minus") == NULL)) {
		load_error(ld, node->line, "rule %s: identity check needs a "
		    "\"total\" and \"plus\" or \"minus\" terms", r->name);
		return false;
	}
	if (!string_list_add(&r->values, total))
		return false;
	r->signs[0] = 0;
	r->tolerance = 0.001;
	if (!add_terms(ld, node, r, "plus", 1) ||
	    !add_terms(ld, node, r, "minus", -1) ||
	    !parse_positive(ld, node, r, "tolerance", &r->tolerance))
		return false;
	if (!intern_field(ld, "metric", &r->name_field) ||
	    !intern_field(ld, "value", &r->value_field))
		return false;
	r->seen.extra = identity_group_size(r->values.count);
	return parse_group_key(ld, node, r, dflt);
}

static bool parse_schema(struct loader *ld, const struct conf_node *node,
    struct rule *r);

/* Reads the keys specific to the rule's check. */
static bool
parse_check_keys(struct loader *ld, const struct conf_node *node,
    struct rule *r)
{
	const struct conf_node *item;

	switch (r->check) {
	case CHECK_REQUIRED:
		return parse_list_key(ld, node, r, "members");
	case CHECK_TYPE:
		return parse_types(ld, node, r);
	case CHECK_PATTERN:
		return parse_member(ld, node, r) && parse_pattern(ld, node, r);
	case CHECK_ENUM:
		if (!parse_member(ld, node, r))
			return false;
		item = conf_map_get(node, "values");
		if (item == NULL) {
			load_error(ld, node->line, "rule %s: enum check needs "
			    "\"values\"", r->name);
			return false;
		}
		return load_scalars(ld, item, "values", &r->values);
	case CHECK_VOCABULARY:
		if (ld->rules->vocabulary_name == NULL) {
			load_error(ld, node->line, "rule %s: vocabulary check "
			    "without a top-level \"vocabulary\" file", r->name);
			return false;
		}
		return parse_member(ld, node, r);
	case CHECK_RANGE:
		return parse_member(ld, node, r) && parse_range(ld, node, r);
	case CHECK_DATE:
		return parse_member(ld, node, r) &&
		    parse_date_bound(ld, node, r, "earliest", &r->earliest,
		    &r->has_earliest) &&
		    parse_date_bound(ld, node, r, "latest", &r->latest,
		    &r->has_latest);
	case CHECK_DATE_ORDER:
		return parse_date_order(ld, node, r);
	case CHECK_UNIQUE:
		return parse_list_key(ld, node, r, "key");
	case CHECK_DURATION:
		return parse_duration(ld, node, r);
	case CHECK_JUMP:
		return parse_jump(ld, node, r);
	case CHECK_IDENTITY:
		return parse_identity(ld, node, r);
	case CHECK_SCHEMA:
		return parse_schema(ld, node, r);
	}
	return false;
}

/* Resolves a file named in the rules file: a relative path is taken
 * from the folder of the rules file. */
static bool
beside_rules(struct loader *ld, const char *name, char *path, size_t size)
{
	const char *slash = strrchr(ld->path, '/');
	int n;

	if (name[0] == '/' || slash == NULL)
		n = snprintf(path, size, "%s", name);
	else
		n = snprintf(path, size, "%.*s/%s", (int)(slash - ld->path),
		    ld->path, name);
	return n >= 0 && (size_t)n < size;
}

static char *
read_file(const char *path, char *message, size_t size)
{
	FILE *fp = fopen(path, "r");
	char *text = NULL;
	long len;

	if (fp == NULL) {
		snprintf(message, size, "%.400s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (text = malloc((size_t)len + 1)) != NULL) {
		if (fread(text, 1, (size_t)len, fp) == (size_t)len) {
			text[len] = '\0';
		} else {
			free(text);
			text = NULL;
		}
	}
	if (text == NULL)
		snprintf(message, size, "%.400s: read error", path);
	fclose(fp);
	return text;
}

static void
schema_free(struct schema *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->count; i++) {
		struct schema_property *p = &s->properties[i];

		free(p->name);
		string_list_free(&p->values);
		pattern_free(p->pattern);
		free(p->description);
	}
	free(s->properties);
	free(s->file);
	free(s);
}

static struct schema_property *
schema_property(struct loader *ld, struct schema *s, const char *name)
{
	struct schema_property *grown, *p;

	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->properties[i].name, name) == 0)
			return &s->properties[i];
	grown = realloc(s->properties, (s->count + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	s->properties = grown;
	p = &s->properties[s->count];
	memset(p, 0, sizeof *p);
	p->min_length = p->max_length = -1;
	p->name = strdup(name);
	if (p->name == NULL || !intern_field(ld, name, &p->field))
		return NULL;
	s->count++;
	return p;
}

/* Reads "type" (a name or a list of names) into bits. */
static bool
schema_types(const cJSON *type, unsigned int *bits)
{
	enum json_type t;
	const cJSON *item;

	if (cJSON_IsString(type)) {
		if (!type_named(type->valuestring, &t))
			return false;
		*bits |= TYPE_BIT(t);
		return true;
	}
	if (!cJSON_IsArray(type))
		return false;
	cJSON_ArrayForEach(item, type)
		if (!cJSON_IsString(item) || !type_named(item->valuestring, &t))
			return false;
		else
			*bits |= TYPE_BIT(t);
	return true;
}

static bool
schema_enum(struct schema_property *p, const cJSON *list)
{
	const cJSON *item;

	p->has_enum = true;
	cJSON_ArrayForEach(item, list) {
		if (cJSON_IsNull(item))
			p->enum_null = true;
		else if (!cJSON_IsString(item) ||
		    !string_list_add(&p->values, item->valuestring))
			return false;
	}
	return true;
}

static bool
schema_length(const cJSON *node, const char *key, long *length)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(node, key);

	if (item == NULL)
		return true;
	if (!cJSON_IsNumber(item) || item->valuedouble < 0 ||
	    item->valuedouble != floor(item->valuedouble))
		return false;
	*length = (long)item->valuedouble;
	return true;
}

static bool
schema_bound(const cJSON *node, const char *inclusive, const char *exclusive,
    double *bound, bool *has, bool *is_exclusive)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(node, inclusive);

	*is_exclusive = false;
	if (item == NULL) {
		item = cJSON_GetObjectItemCaseSensitive(node, exclusive);
		*is_exclusive = true;
	}
	if (item == NULL)
		return true;
	if (!cJSON_IsNumber(item))
		return false;
	*bound = item->valuedouble;
	*has = true;
	return true;
}

/*
 * Compiles one property of a JSON Schema.  The keywords read are those a
 * flat record contract needs: type (a name or a list, "null" making the
 * member nullable), const, enum (strings and null), pattern, minLength,
 * maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum and
 * the type of array items.  Other keywords (description aside) are
 * documentation to this reader.  Returns the offending keyword or NULL.
 */
static const char *
schema_compile_property(struct schema_property *p, const cJSON *node,
    char *message, size_t size)
{
	const cJSON *item;

	item = cJSON_GetObjectItemCaseSensitive(node, "type");
	if (item != NULL && !schema_types(item, &p->types))
		return "type";
	item = cJSON_GetObjectItemCaseSensitive(node, "const");
	if (item != NULL) {
		if (!cJSON_IsString(item) ||
		    !string_list_add(&p->values, item->valuestring))
			return "const";
		p->has_enum = true;
	}
	item = cJSON_GetObjectItemCaseSensitive(node, "enum");
	if (item != NULL && (!cJSON_IsArray(item) || !schema_enum(p, item)))
		return "enum";
	item = cJSON_GetObjectItemCaseSensitive(node, "pattern");
	if (item != NULL) {
		if (!cJSON_IsString(item))
			return "pattern";
		p->pattern = pattern_compile(item->valuestring, message, size);
		if (p->pattern == NULL)
			return "pattern";
	}
	if (!schema_length(node, "minLength", &p->min_length))
		return "minLength";
	if (!schema_length(node, "maxLength", &p->max_length))
		return "maxLength";
	if (!schema_bound(node, "minimum", "exclusiveMinimum", &p->minimum,
	    &p->has_minimum, &p->minimum_exclusive))
		return "minimum";
	if (!schema_bound(node, "maximum", "exclusiveMaximum", &p->maximum,
	    &p->has_maximum, &p->maximum_exclusive))
		return "maximum";
	item = cJSON_GetObjectItemCaseSensitive(node, "items");
	if (item != NULL) {
		item = cJSON_GetObjectItemCaseSensitive(item, "type");
		if (item != NULL && !schema_types(item, &p->item_types))
			return "items";
	}
	item = cJSON_GetObjectItemCaseSensitive(node, "description");
	if (cJSON_IsString(item)) {
		size_t len = strlen(item->valuestring);

		p->description = strdup(item->valuestring);
		/* It follows a reason in parentheses: no final period. */
		if (p->description != NULL && len > 0 &&
		    p->description[len - 1] == '.')
			p->description[len - 1] = '\0';
	}
	return NULL;
}

static bool
schema_compile(struct loader *ld, struct schema *s, const cJSON *root,
    const char *path, unsigned long line)
{
	const cJSON *properties = cJSON_GetObjectItemCaseSensitive(root,
	    "properties");
	const cJSON *required = cJSON_GetObjectItemCaseSensitive(root,
	    "required");
	const cJSON *item;
	char message[200] = "not valid here";
	const char *bad;

	if (!cJSON_IsObject(properties)) {
		load_error(ld, line, "schema %s: expected an object "
		    "\"properties\"", path);
		return false;
	}
	cJSON_ArrayForEach(item, properties) {
		struct schema_property *p = schema_property(ld, s, item->string);

		if (p == NULL)
			return false;
		if (!cJSON_IsObject(item)) {
			load_error(ld, line, "schema %s: property \"%s\" is not "
			    "an object", path, item->string);
			return false;
		}
		bad = schema_compile_property(p, item, message, sizeof message);
		if (bad != NULL) {
			load_error(ld, line, "schema %s: property \"%s\": %s: %s "
			    "(this reader takes type, const, enum of strings, "
			    "pattern, minLength, maxLength, minimum, maximum and "
			    "items.type)", path, item->string, bad, message);
			return false;
		}
	}
	if (required != NULL && !cJSON_IsArray(required)) {
		load_error(ld, line, "schema %s: \"required\" is not a list", path);
		return false;
	}
	cJSON_ArrayForEach(item, required) {
		struct schema_property *p;

		if (!cJSON_IsString(item)) {
			load_error(ld, line, "schema %s: \"required\" lists a "
			    "value that is not a name", path);
			return false;
		}
		p = schema_property(ld, s, item->valuestring);
		if (p == NULL)
			return false;
		p->required = true;
	}
	return true;
}

/* Reads the JSON Schema file of a schema rule. */
static bool
parse_schema(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const struct conf_node *file = conf_map_get(node, "file");
	char path[4096], message[512];
	cJSON *root;
	char *text;
	bool ok;

	if (file == NULL || file->type != CONF_NODE_SCALAR ||
	    file->scalar[0] == '\0') {
		load_error(ld, node->line, "rule %s: schema check needs a \"file\"",
		    r->name);
		return false;
	}
	if (r->where_count > 0) {
		load_error(ld, node->line, "rule %s: a schema applies to every "
		    "record of its kind: use companies to exempt one", r->name);
		return false;
	}
	if (!beside_rules(ld, file->scalar, path, sizeof path)) {
		load_error(ld, file->line, "rule %s: path too long", r->name);
		return false;
	}
	text = read_file(path, message, sizeof message);
	if (text == NULL) {
		load_error(ld, file->line, "rule %s: %s", r->name, message);
		return false;
	}
	root = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(root)) {
		load_error(ld, file->line, "rule %s: %s is not a JSON object",
		    r->name, path);
		cJSON_Delete(root);
		return false;
	}
	r->schema = calloc(1, sizeof *r->schema);
	r->owns_schema = true;
	ok = r->schema != NULL &&
	    (r->schema->file = strdup(file->scalar)) != NULL &&
	    schema_compile(ld, r->schema, root, file->scalar, file->line);
	cJSON_Delete(root);
	return ok;
}

/* Whether any property of a schema has a constraint of the aspect. */
/* Whether the aspect can fail for the property: the ones it cannot are
 * left out of the aspect's list, so a record does not visit them. */
static bool
property_can_fail(const struct schema_property *p, enum aspect aspect)
{
	switch (aspect) {
	case ASPECT_REQUIRED:
		return p->required || !null_allowed(p);
	case ASPECT_TYPES:
		return p->types != 0 || p->item_types != 0;
	case ASPECT_ENUM:
		return p->has_enum;
	case ASPECT_PATTERN:
		return p->pattern != NULL;
	case ASPECT_LENGTH:
		return p->min_length >= 0 || p->max_length >= 0;
	case ASPECT_RANGE:
		return p->has_minimum || p->has_maximum;
	case ASPECTS:
		break;
	}
	return false;
}

static bool
list_properties(struct rule *r)
{
	const struct schema *s = r->schema;

	r->properties = calloc(s->count + 1, sizeof *r->properties);
	if (r->properties == NULL)
		return false;
	for (size_t i = 0; i < s->count; i++)
		if (property_can_fail(&s->properties[i], r->aspect))
			r->properties[r->property_count++] = &s->properties[i];
	return true;
}

static bool
schema_has(const struct schema *s, enum aspect aspect)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct schema_property *p = &s->properties[i];

		switch (aspect) {
		case ASPECT_REQUIRED:
			if (p->required)
				return true;
			break;
		case ASPECT_TYPES:
			if (p->types != 0 || p->item_types != 0)
				return true;
			break;
		case ASPECT_ENUM:
			if (p->has_enum)
				return true;
			break;
		case ASPECT_PATTERN:
			if (p->pattern != NULL)
				return true;
			break;
		case ASPECT_LENGTH:
			if (p->min_length >= 0 || p->max_length >= 0)
				return true;
			break;
		case ASPECT_RANGE:
			if (p->has_minimum || p->has_maximum)
				return true;
			break;
		case ASPECTS:
			break;
		}
	}
	return false;
}

static bool
rule_name_taken(const struct quality_rules *rules, const char *name)
{
	for (size_t i = 0; i < rules->rule_count; i++)
		if (strcmp(rules->rules[i].name, name) == 0)
			return true;
	return false;
}

static bool
parse_rule(struct loader *ld, const struct conf_node *node, const char *kind,
    struct rule *r)
{
	if (node->type != CONF_NODE_MAPPING) {
		load_error(ld, node->line, "a rule must be a mapping");
		return false;
	}
	r->kind = kind;
	if (!parse_check(ld, node, &r->check))
		return false;
	for (size_t i = 0; i < node->count; i++) {
		if (!allowed_key(r->check, node->keys[i])) {
			load_error(ld, node->items[i]->line, "unknown key \"%s\" "
			    "in a %s rule", node->keys[i], check_names[r->check]);
			return false;
		}
	}
	if (!parse_common(ld, node, r))
		return false;
	if (r->check != CHECK_SCHEMA && rule_name_taken(ld->rules, r->name)) {
		load_error(ld, node->line, "rule %s is defined twice", r->name);
		return false;
	}
	return parse_check_keys(ld, node, r) && intern_members(ld, r);
}

static void
rule_free(struct rule *r)
{
	free(r->name);
	free(r->hint);
	for (size_t i = 0; i < r->where_count; i++)
		string_list_free(&r->where[i].values);
	free(r->where);
	string_list_free(&r->members);
	free(r->fields);
	free(r->types);
	pattern_free(r->pattern);
	string_list_free(&r->values);
	free(r->earlier);
	free(r->later);
	free(r->key);
	table_free(r->last);
	free((void *)r->properties);
	key_set_free(&r->seen);
	if (r->owns_schema)
		schema_free(r->schema);
}

static struct rule *
append_rule(struct quality_rules *rules)
{
	struct rule *grown = realloc(rules->rules,
	    (rules->rule_count + 1) * sizeof *grown);

	if (grown == NULL)
		return NULL;
	rules->rules = grown;
	return &rules->rules[rules->rule_count];
}

/*
 * Adds the rules of a schema: one per aspect the schema constrains,
 * named after the rule with the aspect appended ("metric-required").
 * The first of them owns the compiled schema.
 */
static bool
expand_schema(struct loader *ld, struct rule *model, unsigned long line)
{
	struct quality_rules *rules = ld->rules;
	bool owner = true;
	char name[300];

	for (int a = 0; a < ASPECTS; a++) {
		struct rule *r;

		if (!schema_has(model->schema, (enum aspect)a))
			continue;
		snprintf(name, sizeof name, "%s-%s", model->name, aspect_names[a]);
		if (rule_name_taken(rules, name)) {
			load_error(ld, line, "rule %s is defined twice", name);
			return false;
		}
		r = append_rule(rules);
		if (r == NULL)
			return false;
		memset(r, 0, sizeof *r);
		r->kind = model->kind;
		r->check = CHECK_SCHEMA;
		r->severity = model->severity;
		r->enabled = model->enabled;
		r->schema = model->schema;
		r->aspect = (enum aspect)a;
		r->owns_schema = owner;
		r->name = strdup(name);
		if (model->hint != NULL)
			r->hint = strdup(model->hint);
		rules->rule_count++;
		ld->kind->count++;
		if (r->name == NULL || !list_properties(r))
			return false;
		owner = false;
	}
	if (owner)
		schema_free(model->schema);
	model->owns_schema = false;
	return true;
}

/* Reads the rules of one kind, in file order. */
static bool
parse_kind(struct loader *ld, const char *name, const struct conf_node *list)
{
	struct quality_rules *rules = ld->rules;
	struct kind *kinds;

	if (list->type != CONF_NODE_SEQUENCE) {
		load_error(ld, list->line, "kind %s: expected a list of rules", name);
		return false;
	}
	if (find_kind(rules, name, strlen(name)) != NULL) {
		load_error(ld, list->line, "kind %s is listed twice", name);
		return false;
	}
	kinds = realloc(rules->kinds, (rules->kind_count + 1) * sizeof *kinds);
	if (kinds == NULL)
		goto nomem;
	rules->kinds = kinds;
	ld->kind = &rules->kinds[rules->kind_count];
	memset(ld->kind, 0, sizeof *ld->kind);
	ld->kind->name = strdup(name);
	ld->kind->first = rules->rule_count;
	rules->kind_count++;
	if (ld->kind->name == NULL)
		goto nomem;

	/* Fields every kind has, at fixed numbers. */
	{
		size_t field;

		if (!intern_field(ld, "cik", &field) ||
		    !intern_field(ld, "metric", &field) ||
		    !intern_field(ld, "value", &field))
			return false;
	}
	for (size_t i = 0; i < list->count; i++) {
		struct rule r = { 0 };
		struct rule *slot;
		bool ok = parse_rule(ld, list->items[i], ld->kind->name, &r);

		if (ok && r.check == CHECK_SCHEMA) {
			ok = expand_schema(ld, &r, list->items[i]->line);
			rule_free(&r);
			if (!ok)
				return false;
			continue;
		}
		slot = ok ? append_rule(rules) : NULL;
		if (slot == NULL) {
			if (ok)
				load_error(ld, list->line, "out of memory");
			rule_free(&r);
			return false;
		}
		*slot = r;
		rules->rule_count++;
		ld->kind->count++;
	}
	ld->kind->slots = calloc(ld->kind->fields.count + 1,
	    sizeof *ld->kind->slots);
	if (ld->kind->slots == NULL)
		goto nomem;
	return true;
nomem:
	load_error(ld, list->line, "out of memory");
	return false;
}

/*
 * Loads the metric vocabulary: a top-level "metrics" list whose items are
 * mappings with a "name" (or plain names).  A relative path is taken from
 * the folder of the rules file.
 */
static bool
load_vocabulary(struct loader *ld, const struct conf_node *item)
{
	const struct conf_node *metrics;
	char path[4096];
	char error[512] = "";
	struct conf_node *root;
	bool ok = false;

	if (item->type != CONF_NODE_SCALAR || item->scalar[0] == '\0') {
		load_error(ld, item->line, "vocabulary must name a file");
		return false;
	}
	if (!beside_rules(ld, item->scalar, path, sizeof path)) {
		load_error(ld, item->line, "vocabulary path too long");
		return false;
	}
	ld->rules->vocabulary_name = strdup(item->scalar);

	root = conf_load_file(path, error, sizeof error);
	if (root == NULL) {
		load_error(ld, item->line, "vocabulary: %s", error);
		return false;
	}
	metrics = conf_map_get(root, "metrics");
	if (metrics == NULL || metrics->type != CONF_NODE_SEQUENCE ||
	    metrics->count == 0) {
		load_error(ld, item->line, "vocabulary %s: expected a top-level "
		    "\"metrics\" list", path);
		goto done;
	}
	for (size_t i = 0; i < metrics->count; i++) {
		const struct conf_node *metric = metrics->items[i];
		const char *name = metric->type == CONF_NODE_SCALAR ?
		    metric->scalar : conf_map_scalar(metric, "name");

		if (name == NULL) {
			load_error(ld, item->line, "vocabulary %s:%lu: metric "
			    "without a \"name\"", path, metric->line);
			goto done;
		}
		if (!string_list_add(&ld->rules->vocabulary, name)) {
			load_error(ld, item->line, "out of memory");
			goto done;
		}
	}
	ok = true;
done:
	conf_node_free(root);
	return ok;
}

static bool
find_rule(const struct quality_rules *rules, const char *name, size_t *index)
{
	for (size_t i = 0; i < rules->rule_count; i++) {
		if (strcmp(rules->rules[i].name, name) == 0) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* Reads one list of rule names of a company and marks them. */
static bool
parse_override(struct loader *ld, struct company *c,
    const struct conf_node *node, const char *key, enum override mode)
{
	const struct conf_node *list = conf_map_get(node, key);
	struct string_list names = { 0 };
	size_t index;
	bool ok;

	if (list == NULL)
		return true;
	ok = load_scalars(ld, list, key, &names);
	for (size_t i = 0; ok && i < names.count; i++) {
		ok = find_rule(ld->rules, names.items[i], &index);
		if (ok)
			c->overrides[index] = (unsigned char)mode;
		else
			load_error(ld, list->line, "company %s: no rule named %s",
			    c->cik, names.items[i]);
	}
	string_list_free(&names);
	return ok;
}

/*
 * Reads the companies section, which exempts the records of one company
 * (by the cik member) from rules or lowers them to warnings:
 *
 *   companies:
 *     "0001046179":
 *       disable: [nonnegative-amount]
 *       warn: [metric-jump]
 */
static bool
parse_companies(struct loader *ld, const struct conf_node *node)
{
	struct quality_rules *rules = ld->rules;

	if (node->type != CONF_NODE_MAPPING) {
		load_error(ld, node->line, "companies must map a CIK to disable "
		    "and warn lists");
		return false;
	}
	rules->companies = calloc(node->count, sizeof *rules->companies);
	if (rules->companies == NULL)
		return false;
	for (size_t i = 0; i < node->count; i++) {
		const struct conf_node *item = node->items[i];
		struct company *c = &rules->companies[i];

		c->cik = strdup(node->keys[i]);
		c->overrides = calloc(rules->rule_count + 1, 1);
		rules->company_count++;
		if (c->cik == NULL || c->overrides == NULL)
			return false;
		for (size_t k = 0; item->type == CONF_NODE_MAPPING &&
		    k < item->count; k++) {
			if (strcmp(item->keys[k], "disable") != 0 &&
			    strcmp(item->keys[k], "warn") != 0) {
				load_error(ld, item->items[k]->line, "company %s: "
				    "unknown key \"%s\": use disable or warn",
				    c->cik, item->keys[k]);
				return false;
			}
		}
		if (item->type != CONF_NODE_MAPPING) {
			load_error(ld, item->line, "company %s: expected disable "
			    "and warn lists", c->cik);
			return false;
		}
		if (!parse_override(ld, c, item, "disable", OVERRIDE_DISABLE) ||
		    !parse_override(ld, c, item, "warn", OVERRIDE_WARN))
			return false;
	}
	return true;
}

static bool
parse_root(struct loader *ld, const struct conf_node *root)
{
	const struct conf_node *item, *kinds;

	if (root->type != CONF_NODE_MAPPING) {
		load_error(ld, root->line, "expected a mapping with \"kinds\"");
		return false;
	}
	for (size_t i = 0; i < root->count; i++) {
		const char *key = root->keys[i];

		if (strcmp(key, "version") != 0 && strcmp(key, "vocabulary") != 0 &&
		    strcmp(key, "kinds") != 0 && strcmp(key, "companies") != 0) {
			load_error(ld, root->items[i]->line, "unknown top-level key "
			    "\"%s\": use version, vocabulary, kinds or companies",
			    key);
			return false;
		}
	}
	item = conf_map_get(root, "version");
	if (item != NULL && (item->type != CONF_NODE_SCALAR ||
	    strcmp(item->scalar, "1") != 0)) {
		load_error(ld, item->line, "unsupported version: this program "
		    "reads version 1");
		return false;
	}
	item = conf_map_get(root, "vocabulary");
	if (item != NULL && !load_vocabulary(ld, item))
		return false;

	kinds = conf_map_get(root, "kinds");
	if (kinds == NULL || kinds->type != CONF_NODE_MAPPING) {
		load_error(ld, root->line, "expected \"kinds\" mapping each record "
		    "kind to its rules");
		return false;
	}
	for (size_t i = 0; i < kinds->count; i++)
		if (!parse_kind(ld, kinds->keys[i], kinds->items[i]))
			return false;

	item = conf_map_get(root, "companies");
	return item == NULL || parse_companies(ld, item);
}

/*
 * Loads a rules file and the vocabulary and schemas it names.  Returns
 * the rules, or NULL with "path:line: reason" in error.
 */
/* Which phase a check runs in: the cross-record checks compare with the
 * records that passed, so they run after the checks of the record. */
static bool
cross_record(enum check check)
{
	return check == CHECK_UNIQUE || check == CHECK_JUMP ||
	    check == CHECK_IDENTITY;
}

/* Lists the rules of each kind in the order quality_check runs them, so
 * that a record visits neither disabled rules nor the other phase's. */
static bool
order_rules(struct quality_rules *rules)
{
	for (size_t k = 0; k < rules->kind_count; k++) {
		struct kind *kind = &rules->kinds[k];
		size_t end = kind->first + kind->count, n = 0;

		kind->order = calloc(kind->count + 1, sizeof *kind->order);
		if (kind->order == NULL)
			return false;
		for (int cross = 0; cross <= 1; cross++) {
			for (size_t i = kind->first; i < end; i++) {
				const struct rule *r = &rules->rules[i];

				if (r->enabled && cross_record(r->check) == cross)
					kind->order[n++] = i;
			}
			if (cross)
				kind->crosses = n - kind->singles;
			else
				kind->singles = n;
		}
	}
	return true;
}

/* The where field of a member in the kind, added when new. */
static struct where_field *
find_where_field(struct kind *kind, size_t field)
{
	struct where_field *grown;

	for (size_t i = 0; i < kind->where_field_count; i++)
		if (kind->where_fields[i].field == field)
			return &kind->where_fields[i];
	grown = realloc(kind->where_fields,
	    (kind->where_field_count + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	kind->where_fields = grown;
	memset(&grown[kind->where_field_count], 0, sizeof *grown);
	grown[kind->where_field_count].field = field;
	return &grown[kind->where_field_count++];
}

/* Notes that value meets condition bit, adding the value when new. */
static bool
add_where_value(struct where_field *wf, size_t words, const char *value,
    size_t bit)
{
	uint64_t *grown;
	size_t *index;

	if (!key_set_add(&wf->values, value, strlen(value), wf->value_count,
	    &index))
		return false;
	if (*index == wf->value_count) {
		grown = realloc(wf->masks,
		    (wf->value_count + 1) * words * sizeof *grown);
		if (grown == NULL)
			return false;
		wf->masks = grown;
		memset(grown + wf->value_count * words, 0,
		    words * sizeof *grown);
		wf->value_count++;
	}
	wf->masks[*index * words + bit / 64] |= UINT64_C(1) << (bit % 64);
	return true;
}

/* Numbers the where conditions of each kind and indexes their values by
 * member, for decide_conditions. */
static bool
compile_conditions(struct quality_rules *rules)
{
	for (size_t k = 0; k < rules->kind_count; k++) {
		struct kind *kind = &rules->kinds[k];
		struct rule *first = &rules->rules[kind->first];
		size_t words;

		for (size_t i = 0; i < kind->count; i++)
			for (size_t c = 0; c < first[i].where_count; c++)
				first[i].where[c].bit = kind->condition_count++;
		words = (kind->condition_count + 63) / 64;
		kind->condition_words = words;
		kind->conditions_met = calloc(words + 1,
		    sizeof *kind->conditions_met);
		kind->date_memo = calloc(DATE_MEMO_SLOTS,
		    sizeof *kind->date_memo);
		if (kind->conditions_met == NULL || kind->date_memo == NULL)
			return false;

		for (size_t i = 0; i < kind->count; i++) {
			for (size_t c = 0; c < first[i].where_count; c++) {
				const struct condition *cond = &first[i].where[c];
				struct where_field *wf =
				    find_where_field(kind, cond->field);

				if (wf == NULL)
					return false;
				for (size_t v = 0; v < cond->values.count; v++)
					if (!add_where_value(wf, words,
					    cond->values.items[v], cond->bit))
						return false;
			}
		}
	}
	return true;
}

struct quality_rules *
quality_load(const char *path, char *error, size_t error_size)
{
	struct loader ld = { .path = path, .error = error,
	    .error_size = error_size };
	struct conf_node *root;

	error[0] = '\0';
	root = conf_load_file(path, error, error_size);
	if (root == NULL)
		return NULL;
	ld.rules = calloc(1, sizeof *ld.rules);
	if (ld.rules == NULL) {
		snprintf(error, error_size, "%s: out of memory", path);
	} else if (!parse_root(&ld, root) || !order_rules(ld.rules) ||
	    !compile_conditions(ld.rules)) {
		if (error[0] == '\0')
			snprintf(error, error_size, "%s: out of memory", path);
		quality_free(ld.rules);
		ld.rules = NULL;
	}
	conf_node_free(root);
	return ld.rules;
}

void
quality_free(struct quality_rules *rules)
{
	if (rules == NULL)
		return;
	for (size_t i = 0; i < rules->rule_count; i++)
		rule_free(&rules->rules[i]);
	for (size_t i = 0; i < rules->kind_count; i++) {
		free(rules->kinds[i].name);
		string_list_free(&rules->kinds[i].fields);
		key_set_free(&rules->kinds[i].field_index);
		free(rules->kinds[i].slots);
		free(rules->kinds[i].member_fields);
		free(rules->kinds[i].order);
		for (size_t w = 0; w < rules->kinds[i].where_field_count; w++) {
			key_set_free(&rules->kinds[i].where_fields[w].values);
			free(rules->kinds[i].where_fields[w].masks);
		}
		free(rules->kinds[i].where_fields);
		free(rules->kinds[i].conditions_met);
		free(rules->kinds[i].date_memo);
	}
	for (size_t i = 0; i < rules->company_count; i++) {
		free(rules->companies[i].cik);
		free(rules->companies[i].overrides);
	}
	free(rules->companies);
	free(rules->rules);
	free(rules->kinds);
	string_list_free(&rules->vocabulary);
	free(rules->vocabulary_name);
	free(rules);
}

/*
 * Allocates a table of size bytes, zeroed when zero is set, for
 * table_free.  On Linux, tables of HUGE_PAGE_SIZE or more are aligned to
 * it and marked for transparent huge pages, because a key set of
 * millions of keys is read at random.  A 2 MiB page takes one page
 * fault and one TLB entry where 4 KiB pages take 512.  Elsewhere, or
 * when the kernel ignores the advice, they are plain pages.
 */
static void *
table_alloc(size_t size, bool zero)
{
#ifdef MADV_HUGEPAGE
	void *table;

	if (size >= HUGE_PAGE_SIZE) {
		size = (size + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
		if (posix_memalign(&table, HUGE_PAGE_SIZE, size) != 0)
			return NULL;
		(void)madvise(table, size, MADV_HUGEPAGE);
		if (zero)
			memset(table, 0, size);
		return table;
	}
#endif
	return zero ? calloc(1, size) : malloc(size);
}

static void
table_free(void *table)
{
	free(table);
}

/* Moves a table of size bytes to a new one of new_size, as realloc does
 * but with table_alloc's alignment.  Returns NULL when out of memory. */
static void *
table_grow(void *table, size_t size, size_t new_size)
{
	void *grown = table_alloc(new_size, false);

	if (grown == NULL)
		return NULL;
	if (size > 0)
		memcpy(grown, table, size);
	table_free(table);
	return grown;
}

static void
key_set_free(struct key_set *set)
{
	for (size_t i = 0; i < set->block_count; i++)
		table_free(set->blocks[i].data);
	free(set->blocks);
	table_free(set->slots);
	memset(set, 0, sizeof *set);
}

/* The item a slot refers to. */
static inline struct key_item *
key_item(const struct key_set *set, uint32_t slot_item)
{
	uint32_t ref = slot_item - 1;
	const struct key_block *b = &set->blocks[ref >> KEY_OFFSET_BITS];

	return (struct key_item *)(void *)(b->data +
	    (size_t)(ref & KEY_OFFSET_MASK) * KEY_ALIGN);
}

/* The bytes of an item whose key is len bytes long, in a set with
 * extra bytes after each key. */
static inline size_t
key_item_size(size_t len, size_t extra)
{
	size_t size = offsetof(struct key_item, key) + len;

	return ((size + KEY_ALIGN - 1) & ~(size_t)(KEY_ALIGN - 1)) + extra;
}

/* The set's extra bytes of an item. */
static inline void *
key_item_extra(const struct key_item *item, size_t extra)
{
	return (char *)(uintptr_t)item + key_item_size(item->len, extra) - extra;
}

/* The slot of key, or the free slot where it would go. */
static struct key_slot *
key_slot(const struct key_set *set, uint64_t hash, const char *key, size_t len)
{
	size_t mask = set->cap - 1;
	uint32_t low = (uint32_t)hash;
	size_t i = low & mask;

	for (;; i = (i + 1) & mask) {
		const struct key_slot *s = &set->slots[i];
		const struct key_item *item;

		if (s->item == 0)
			break;
		if (s->hash != low)
			continue;
		item = key_item(set, s->item);
		if (item->len == len && memcmp(item->key, key, len) == 0)
			break;
	}
	return &set->slots[i];
}

/* The value kept for key, or NULL when the set does not have it. */
static const size_t *
key_set_find_hashed(const struct key_set *set, uint64_t hash, const char *key,
    size_t len)
{
	const struct key_slot *slot;

	if (set->cap == 0)
		return NULL;
	slot = key_slot(set, hash, key, len);
	return slot->item != 0 ? &key_item(set, slot->item)->value : NULL;
}

static const size_t *
key_set_find(const struct key_set *set, const char *key, size_t len)
{
	return key_set_find_hashed(set, hash_bytes(key, len), key, len);
}

/*
 * Makes room in the table for one more key: doubles it when that key
 * would fill more than three quarters.  Probes then stay short, and
 * they read slots side by side, mostly in one cache line.  The slots
 * move by the hash bits they carry; the items stay where they are.
 * The slot index comes from 32 bits of hash, which caps the table at
 * 2^32 slots.
 */
static bool
key_set_reserve(struct key_set *set)
{
	size_t cap = set->cap == 0 ? 64 : set->cap * 2;
	size_t mask = cap - 1;
	struct key_slot *slots;

	if ((set->count + 1) * 4 <= set->cap * 3)
		return true;
	if (cap > (size_t)UINT32_MAX + 1)
		return false;
	slots = table_alloc(cap * sizeof *slots, true);
	if (slots == NULL)
		return false;
	for (size_t k = 0; k < set->cap; k++) {
		const struct key_slot *old = &set->slots[k];
		size_t i;

		if (old->item == 0)
			continue;
		for (i = old->hash & mask; slots[i].item != 0; i = (i + 1) & mask)
			;
		slots[i] = *old;
	}
	table_free(set->slots);
	set->slots = slots;
	set->cap = cap;
	return true;
}

/*
 * Starts a block that takes at least need bytes.  Blocks double from
 * KEY_BLOCK_MIN to KEY_BLOCK_MAX, so small sets stay small.  A key
 * longer than that gets a block of its own.
 */
static bool
key_block_add(struct key_set *set, size_t need)
{
	size_t size = set->block_count < KEY_BLOCK_DOUBLINGS ?
	    KEY_BLOCK_MIN << set->block_count : KEY_BLOCK_MAX;
	struct key_block *b;

	if (set->block_count == KEY_BLOCKS_MAX)
		return false;
	if (set->block_count == set->block_cap) {
		size_t cap = set->block_cap == 0 ? 16 : set->block_cap * 2;
		struct key_block *grown = realloc(set->blocks,
		    cap * sizeof *grown);

		if (grown == NULL)
			return false;
		set->blocks = grown;
		set->block_cap = cap;
	}
	if (size < need)
		size = need;
	b = &set->blocks[set->block_count];
	b->data = table_alloc(size, false);
	if (b->data == NULL)
		return false;
	b->used = 0;
	b->size = size;
	set->block_count++;
	return true;
}

/*
 * Appends an item for a key of len bytes and returns it, with its
 * reference for a slot in *slot_item, or NULL when out of memory.  An
 * item starts below KEY_BLOCK_MAX in its block, where its reference
 * reaches: the blocks up to that size are filled in turn, and a longer
 * key opens a block of its own at offset 0.
 */
static struct key_item *
key_item_add(struct key_set *set, size_t len, uint32_t *slot_item)
{
	size_t size;
	struct key_block *b;
	struct key_item *item;

	if (len > UINT32_MAX)
		return NULL;
	size = key_item_size(len, set->extra);
	b = set->block_count > 0 ? &set->blocks[set->block_count - 1] : NULL;
	if (b == NULL || b->size - b->used < size) {
		if (!key_block_add(set, size))
			return NULL;
		b = &set->blocks[set->block_count - 1];
	}
	item = (struct key_item *)(void *)(b->data + b->used);
	*slot_item = (uint32_t)((set->block_count - 1) << KEY_OFFSET_BITS |
	    b->used / KEY_ALIGN) + 1;
	b->used += size;
	return item;
}

/*
 * Adds key with value at slot, the free slot key_slot found for it
 * after key_set_reserve, with no key added since.  Returns the new
 * item, or NULL when out of memory.
 */
static struct key_item *
key_set_add_at(struct key_set *set, struct key_slot *slot, uint64_t hash,
    const char *key, size_t len, size_t value)
{
	uint32_t slot_item;
	struct key_item *item = key_item_add(set, len, &slot_item);

	if (item == NULL)
		return NULL;
	item->value = value;
	item->len = (uint32_t)len;
	memcpy(item->key, key, len);
	memset(key_item_extra(item, set->extra), 0, set->extra);
	slot->hash = (uint32_t)hash;
	slot->item = slot_item;
	set->count++;
	return item;
}

/*
 * Adds key with value unless present.  *slot_value, when given, points
 * at the value kept for the key, new or old.  Returns false when out of
 * memory.
 */
static bool
key_set_add_hashed(struct key_set *set, uint64_t hash, const char *key,
    size_t len, size_t value, size_t **slot_value)
{
	struct key_slot *slot;
	struct key_item *item;

	if (!key_set_reserve(set))
		return false;
	slot = key_slot(set, hash, key, len);
	if (slot->item != 0)
		item = key_item(set, slot->item);
	else
		item = key_set_add_at(set, slot, hash, key, len, value);
	if (item == NULL)
		return false;
	if (slot_value != NULL)
		*slot_value = &item->value;
	return true;
}

static bool
key_set_add(struct key_set *set, const char *key, size_t len, size_t value,
    size_t **slot_value)
{
	return key_set_add_hashed(set, hash_bytes(key, len), key, len, value,
	    slot_value);
}

/* Cuts text to at most max bytes plus "..." without splitting a UTF-8
 * sequence, so that reasons stay valid UTF-8 for the reject stream. */
static void
truncate_utf8(char *text, size_t max)
{
	size_t len = strlen(text);

	if (len <= max)
		return;
	while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
		max--;
	memcpy(text + max, "...", 4);
}

/* Removes a UTF-8 sequence that snprintf cut short at the end of text. */
static void
drop_partial_utf8(char *text)
{
	size_t len = strlen(text);
	size_t start = len;
	size_t need;
	unsigned char lead;

	while (start > 0 && len - start < 4 &&
	    ((unsigned char)text[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return;
	lead = (unsigned char)text[start - 1];
	if (lead < 0xc0)
		return;
	if (lead >= 0xf0)
		need = 4;
	else if (lead >= 0xe0)
		need = 3;
	else
		need = 2;
	if (len - (start - 1) < need)
		text[start - 1] = '\0';
}

/* Copies text for a reason, shortened like a value. */
static void
short_text(const char *text, char *buf, size_t size)
{
	snprintf(buf, size, "%s", text);
	drop_partial_utf8(buf);
	truncate_utf8(buf, VALUE_TEXT_MAX);
}


/* Writes a value as JSON text for a reason, shortened when long: a
 * number in its shortest form, anything else as it was written. */
static void
value_text(const struct qrec_member *m, char *buf, size_t size)
{
	size_t len;

	if (m->type == QREC_NUMBER) {
		json_format_number(buf, size, m->number);
		return;
	}
	len = m->raw_len < size - 1 ? m->raw_len : size - 1;
	memcpy(buf, m->raw, len);
	buf[len] = '\0';
	drop_partial_utf8(buf);
	truncate_utf8(buf, VALUE_TEXT_MAX);
}

static const char *
type_phrase(const struct qrec_member *m)
{
	switch (m->type) {
	case QREC_STRING:	return "a string";
	case QREC_NUMBER:	return "a number";
	case QREC_TRUE:
	case QREC_FALSE:	return "a boolean";
	case QREC_ARRAY:	return "an array";
	case QREC_OBJECT:	return "an object";
	case QREC_NULL:		break;
	}
	return "null";
}

static const struct qrec_member *
field(const struct run *run, size_t index)
{
	return run->kind->slots[index];
}

static bool
absent(const struct qrec_member *m)
{
	return m == NULL || m->type == QREC_NULL;
}

/* Records a finding of the current rule, with the rule's hint after the
 * reason. */
static void
fail(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct run *run, const char *fmt, ...)
{
	struct quality_result *result = run->result;
	struct quality_finding *f;
	va_list ap;
	size_t len;

	run->failed = true;
	if (run->severity == QUALITY_ERROR)
		result->errors++;
	else
		result->warnings++;
	if (result->count == QUALITY_FINDINGS_MAX)
		return;

	f = &result->findings[result->count++];
	f->rule = run->index;
	f->severity = run->severity;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof f->reason, fmt, ap);
	va_end(ap);
	len = strlen(f->reason);
	if (run->rule->hint != NULL && len < sizeof f->reason)
		snprintf(f->reason + len, sizeof f->reason - len, " (%s)",
		    run->rule->hint);
	drop_partial_utf8(f->reason);
}

static void
check_required(struct run *run)
{
	const struct rule *r = run->rule;

	for (size_t i = 0; i < r->members.count; i++) {
		const struct qrec_member *m = field(run, r->fields[i]);

		if (m == NULL)
			fail(run, "missing member \"%s\"", r->members.items[i]);
		else if (m->type == QREC_NULL)
			fail(run, "member \"%s\" is null", r->members.items[i]);
	}
}

static bool
type_matches(const struct qrec_member *m, enum json_type type)
{
	switch (type) {
	case TYPE_STRING:
		return m->type == QREC_STRING;
	case TYPE_NUMBER:
		return m->type == QREC_NUMBER;
	case TYPE_INTEGER:
		return m->type == QREC_NUMBER && m->number == floor(m->number) &&
		    fabs(m->number) <= 9007199254740992.0;
	case TYPE_BOOLEAN:
		return m->type == QREC_TRUE || m->type == QREC_FALSE;
	case TYPE_OBJECT:
		return m->type == QREC_OBJECT;
	case TYPE_ARRAY:
		return m->type == QREC_ARRAY;
	case TYPE_NULL:
		return m->type == QREC_NULL;
	case TYPES:
		break;
	}
	return false;
}

/* Whether m is of one of the types (TYPE_BIT bits): a test of the bit
 * of its own type, and for a number whether an integer will do. */
static inline bool
types_match(const struct qrec_member *m, unsigned int types)
{
	switch (m->type) {
	case QREC_STRING:
		return (types & TYPE_BIT(TYPE_STRING)) != 0;
	case QREC_NUMBER:
		return (types & TYPE_BIT(TYPE_NUMBER)) != 0 ||
		    ((types & TYPE_BIT(TYPE_INTEGER)) != 0 &&
		    type_matches(m, TYPE_INTEGER));
	case QREC_TRUE:
	case QREC_FALSE:
		return (types & TYPE_BIT(TYPE_BOOLEAN)) != 0;
	case QREC_ARRAY:
		return (types & TYPE_BIT(TYPE_ARRAY)) != 0;
	case QREC_OBJECT:
		return (types & TYPE_BIT(TYPE_OBJECT)) != 0;
	case QREC_NULL:
		break;
	}
	return (types & TYPE_BIT(TYPE_NULL)) != 0;
}

/* Names the types of a bit set: "a string", "a number or null". */
static void
types_text(unsigned int types, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int t = 0; t < TYPES && used < size; t++) {
		int n;

		if ((types & TYPE_BIT(t)) == 0)
			continue;
		n = snprintf(buf + used, size - used, "%s%s%s",
		    used > 0 ? " or " : "",
		    t == TYPE_NULL ? "" : t == TYPE_INTEGER ||
		    t == TYPE_ARRAY || t == TYPE_OBJECT ? "an " : "a ",
		    type_names[t]);
		if (n > 0)
			used += (size_t)n;
	}
}

static void
fail_type(struct run *run, const char *name, const struct qrec_member *m,
    unsigned int types)
{
	char text[VALUE_TEXT_MAX + 8], expected[120];

	value_text(m, text, sizeof text);
	if (types_match(m, types & ~TYPE_BIT(TYPE_INTEGER)) ||
	    ((types & TYPE_BIT(TYPE_INTEGER)) && m->type == QREC_NUMBER)) {
		fail(run, "%s %s is not an integer", name, text);
		return;
	}
	types_text(types & ~TYPE_BIT(TYPE_NULL), expected, sizeof expected);
	fail(run, "%s is %s (%s), expected %s", name, type_phrase(m), text,
	    expected);
}

/* Null stands for an absent value and is left to the required check. */
static void
check_type(struct run *run)
{
	const struct rule *r = run->rule;

	for (size_t i = 0; i < r->members.count; i++) {
		const struct qrec_member *m = field(run, r->fields[i]);

		if (!absent(m) && !type_matches(m, r->types[i]))
			fail_type(run, r->members.items[i], m,
			    TYPE_BIT(r->types[i]));
	}
}

/* The checks below look at one member and skip a value that is absent or
 * of another JSON type: the required and type checks report those. */
static const struct qrec_member *
string_member(const struct run *run)
{
	const struct qrec_member *m = field(run, run->rule->fields[0]);

	return m != NULL && m->type == QREC_STRING ? m : NULL;
}

static void
fail_pattern(struct run *run, const char *name, const struct qrec_member *m,
    const struct pattern *p, const char *description)
{
	char text[VALUE_TEXT_MAX + 8];

	value_text(m, text, sizeof text);
	if (description != NULL)
		fail(run, "%s %s does not match the pattern %s (%s)", name, text,
		    p->text, description);
	else
		fail(run, "%s %s does not match the pattern %s", name, text,
		    p->text);
}

static void
check_pattern(struct run *run)
{
	const struct rule *r = run->rule;
	const struct qrec_member *m = string_member(run);

	if (m != NULL && !pattern_match(r->pattern, m->string, m->string_len))
		fail_pattern(run, r->members.items[0], m, r->pattern, NULL);
}

static void
fail_enum(struct run *run, const char *name, const struct qrec_member *m,
    const struct string_list *values, bool with_null)
{
	char text[VALUE_TEXT_MAX + 8];
	char allowed[QUALITY_REASON_SIZE / 2] = "";
	size_t len = 0;

	for (size_t i = 0; i < values->count && len < sizeof allowed; i++) {
		int n = snprintf(allowed + len, sizeof allowed - len, "%s%s",
		    i > 0 ? ", " : "", values->items[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (with_null && len < sizeof allowed)
		snprintf(allowed + len, sizeof allowed - len, " or null");
	value_text(m, text, sizeof text);
	fail(run, "%s %s is not one of %s", name, text, allowed);
}

static void
check_enum(struct run *run)
{
	const struct rule *r = run->rule;
	const struct qrec_member *m = string_member(run);

	if (m != NULL && !string_list_contains(&r->values, m->string,
	    m->string_len))
		fail_enum(run, r->members.items[0], m, &r->values, false);
}

static void
check_vocabulary(struct run *run, const struct quality_rules *rules)
{
	const struct rule *r = run->rule;
	const struct qrec_member *m = string_member(run);
	char text[VALUE_TEXT_MAX + 8];

	if (m == NULL || string_list_contains(&rules->vocabulary, m->string,
	    m->string_len))
		return;
	value_text(m, text, sizeof text);
	fail(run, "%s %s is not in the vocabulary of %s", r->members.items[0],
	    text, rules->vocabulary_name);
}

/* Names the value in a range reason: "revenue value" for a metric
 * record, where the member alone would not say which metric it is. */
static void
range_subject(const struct run *run, const char *name, char *buf, size_t size)
{
	const struct qrec_member *metric = field(run, FIELD_METRIC);
	char shown[VALUE_TEXT_MAX + 8];

	if (metric != NULL && metric->type == QREC_STRING &&
	    strcmp(name, "metric") != 0) {
		short_text(metric->string, shown, sizeof shown);
		snprintf(buf, size, "%s %s", shown, name);
	} else
		snprintf(buf, size, "%s", name);
}

/* Checks v against bounds; the subject names it in a reason. */
static void
check_bounds(struct run *run, const char *name, double v, double minimum,
    bool has_minimum, bool minimum_exclusive, double maximum,
    bool has_maximum, bool maximum_exclusive)
{
	char subject[VALUE_TEXT_MAX + 80];
	char value[40], bound[40];
	bool low = has_minimum &&
	    (minimum_exclusive ? !(v > minimum) : v < minimum);
	bool high = has_maximum &&
	    (maximum_exclusive ? !(v < maximum) : v > maximum);

	if (!low && !high)
		return;
	range_subject(run, name, subject, sizeof subject);
	json_format_number(value, sizeof value, v);
	if (low) {
		json_format_number(bound, sizeof bound, minimum);
		if (minimum_exclusive)
			fail(run, "%s %s is not greater than %s", subject, value,
			    bound);
		else
			fail(run, "%s %s is below the minimum %s", subject, value,
			    bound);
	}
	if (high) {
		json_format_number(bound, sizeof bound, maximum);
		if (maximum_exclusive)
			fail(run, "%s %s is not less than %s", subject, value,
			    bound);
		else
			fail(run, "%s %s is above the maximum %s", subject, value,
			    bound);
	}
}

static void
check_range(struct run *run)
{
	const struct rule *r = run->rule;
	const struct qrec_member *m = field(run, r->fields[0]);

	if (m != NULL && m->type == QREC_NUMBER)
		check_bounds(run, r->members.items[0], m->number, r->minimum,
		    r->has_minimum, r->minimum_exclusive, r->maximum,
		    r->has_maximum, r->maximum_exclusive);
}

/*
 * Reads a string member as a date, as qrec_date does, looking the text
 * up in the kind's memo first: parsing costs several times a lookup.
 * Only text of a date's length is remembered.
 */
static bool
member_date(const struct run *run, struct qrec_member *m, long *days)
{
	struct date_memo *memo;
	uint64_t word;
	uint16_t tail;

	if (m->type == QREC_STRING && m->date_state != 0) {
		*days = m->days;
		return m->date_state == 1;
	}
	if (m->type != QREC_STRING || m->string_len != DATE_TEXT_LEN)
		return qrec_date(m, days);

	memcpy(&word, m->string, 8);
	memcpy(&tail, m->string + 8, 2);
	memo = &run->kind->date_memo[((word ^ (uint64_t)tail << 48) *
	    0x9e3779b97f4a7c15ULL) >> 54];
	if (memo->used && memcmp(memo->text, m->string, DATE_TEXT_LEN) == 0) {
		m->date_state = memo->valid ? 1 : -1;
		m->days = memo->days;
		return qrec_date(m, days);
	}
	memo->valid = qrec_date(m, days);
	memo->days = *days;
	memo->used = true;
	memcpy(memo->text, m->string, DATE_TEXT_LEN);
	return memo->valid;
}

static void
check_date(struct run *run)
{
	const struct rule *r = run->rule;
	struct qrec_member *m = (struct qrec_member *)string_member(run);
	const char *name = r->members.items[0];
	char text[VALUE_TEXT_MAX + 8], bound[DATE_TEXT_SIZE];
	long days;

	if (m == NULL)
		return;
	if (!member_date(run, m, &days)) {
		value_text(m, text, sizeof text);
		fail(run, "%s %s is not a valid date in the form YYYY-MM-DD",
		    name, text);
		return;
	}
	if (r->has_earliest && days < r->earliest) {
		date_format(r->earliest, bound);
		fail(run, "%s %s is before the earliest allowed date %s", name,
		    m->string, bound);
	}
	if (r->has_latest && days > r->latest) {
		date_format(r->latest, bound);
		if (r->latest_is_today)
			fail(run, "%s %s is in the future (today is %s)", name,
			    m->string, bound);
		else
			fail(run, "%s %s is after the latest allowed date %s",
			    name, m->string, bound);
	}
}

/* Reads a member as a date; false unless it is a valid one, which the
 * date check reports otherwise. */
static bool
date_field(const struct run *run, size_t index, long *days)
{
	struct qrec_member *m = (struct qrec_member *)field(run, index);

	return m != NULL && member_date(run, m, days);
}

static void
check_date_order(struct run *run)
{
	const struct rule *r = run->rule;
	long a, b;

	if (!date_field(run, r->earlier_field, &a) ||
	    !date_field(run, r->later_field, &b))
		return;
	if (r->allow_equal && a > b)
		fail(run, "%s %s is before %s %s", r->later,
		    field(run, r->later_field)->string, r->earlier,
		    field(run, r->earlier_field)->string);
	else if (!r->allow_equal && a >= b)
		fail(run, "%s %s is not before %s %s", r->earlier,
		    field(run, r->earlier_field)->string, r->later,
		    field(run, r->later_field)->string);
}

static void
check_duration(struct run *run)
{
	const struct rule *r = run->rule;
	long a, b, days;

	if (!date_field(run, r->earlier_field, &a) ||
	    !date_field(run, r->later_field, &b) || b < a)
		return;
	days = b - a + 1;
	if (r->has_minimum && days < r->minimum)
		fail(run, "%s %s to %s %s spans %ld days, fewer than the minimum "
		    "%.0f", r->earlier, field(run, r->earlier_field)->string,
		    r->later, field(run, r->later_field)->string, days,
		    r->minimum);
	else if (r->has_maximum && days > r->maximum)
		fail(run, "%s %s to %s %s spans %ld days, more than the maximum "
		    "%.0f", r->earlier, field(run, r->earlier_field)->string,
		    r->later, field(run, r->later_field)->string, days,
		    r->maximum);
}

/* Makes room for len more bytes in the rule's key; false when out of
 * memory. */
static bool
key_reserve(struct rule *r, size_t len)
{
	size_t cap = r->key_cap == 0 ? 256 : r->key_cap;
	char *grown;

	if (r->key_len + len <= r->key_cap)
		return true;
	while (cap < r->key_len + len)
		cap *= 2;
	grown = realloc(r->key, cap);
	if (grown == NULL)
		return false;
	r->key = grown;
	r->key_cap = cap;
	return true;
}

/* Byte that stands for an absent member in a key.  0xff never occurs
 * in UTF-8, so no value starts with it. */
#define KEY_ABSENT '\xff'

/* Appends one member to the rule's key: its text, then a NUL. */
static bool
key_append(struct rule *r, const char *text, size_t len)
{
	if (!key_reserve(r, len + 1))
		return false;
	memcpy(r->key + r->key_len, text, len);
	r->key_len += len;
	r->key[r->key_len++] = '\0';
	return true;
}

/*
 * Encodes the key members of a record into the rule's key, each as its
 * text and a NUL.  No two different keys share an encoding, because the
 * text is valid UTF-8 without NUL: qrec_parse rejects both a NUL byte
 * and "\u0000".  For the unique check, a record with an absent key
 * member has no key to compare: returns false.  The groups of the jump
 * and identity checks take null as a value ("period_start" of an
 * instant), written as KEY_ABSENT.
 */
static bool
encode_key(const struct run *run)
{
	struct rule *r = run->rule;

	r->key_len = 0;
	for (size_t i = 0; i < r->members.count; i++) {
		const struct qrec_member *m = field(run, r->fields[i]);
		char number[40];
		bool ok;

		if (absent(m) && r->check == CHECK_UNIQUE)
			return false;
		if (absent(m)) {
			ok = key_reserve(r, 1);
			if (ok)
				r->key[r->key_len++] = KEY_ABSENT;
		} else if (m->type == QREC_STRING) {
			ok = key_append(r, m->string, m->string_len);
		} else if (m->type == QREC_NUMBER) {
			json_format_number(number, sizeof number, m->number);
			ok = key_append(r, number, strlen(number));
		} else {
			ok = key_append(r, m->raw, m->raw_len);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Describes the key of a record for a reason: "cik 0000320193, ...". */
static void
describe_key(const struct run *run, char *buf, size_t size)
{
	const struct rule *r = run->rule;
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->members.count && used < size; i++) {
		const struct qrec_member *m = field(run, r->fields[i]);
		char shown[VALUE_TEXT_MAX + 8];
		int n;

		if (m->type == QREC_STRING)
			short_text(m->string, shown, sizeof shown);
		else
			value_text(m, shown, sizeof shown);
		n = snprintf(buf + used, size - used, "%s%s %s",
		    i > 0 ? ", " : "", r->members.items[i], shown);
		if (n > 0)
			used += (size_t)n;
	}
	drop_partial_utf8(buf);
}

/*
 * The key of the record for the rule: encoded and hashed on the first
 * call for a record, kept in the rule for the calls after it.  Returns
 * false when the record has no key for the rule, or when out of memory.
 */
static bool
rule_key(const struct run *run, const struct quality_rules *rules)
{
	struct rule *r = run->rule;

	if (r->key_record == rules->records)
		return r->key_ok;
	r->key_record = rules->records;
	r->key_ok = encode_key(run);
	if (r->key_ok)
		r->key_hash = hash_bytes(r->key, r->key_len);
	return r->key_ok;
}

/*
 * Encodes the record's key for a cross-record check and prefetches the
 * table slot it will read.  With millions of keys that slot is rarely
 * in cache, and the single-record checks leave time to fetch it.
 */
static void
fetch_key(const struct run *run, const struct quality_rules *rules)
{
	const struct key_set *seen = &run->rule->seen;

	if (!rule_key(run, rules) || seen->cap == 0)
		return;
#if defined(__GNUC__)
	__builtin_prefetch(&seen->slots[run->rule->key_hash & (seen->cap - 1)]);
#endif
}

/*
 * The slot of the record's key in the rule's set: the key's, or the free
 * one where it would go.  The check finds it and the remembering takes
 * it, with nothing added to the set in between, so each record probes
 * the table once.  Returns NULL when the record has no key for the rule
 * or when out of memory.
 */
static struct key_slot *
rule_slot(const struct run *run, const struct quality_rules *rules)
{
	struct rule *r = run->rule;

	if (!rule_key(run, rules))
		return NULL;
	if (r->slot_record != rules->records) {
		r->slot_room = key_set_reserve(&r->seen);
		if (r->seen.cap == 0)
			return NULL;
		r->slot = (size_t)(key_slot(&r->seen, r->key_hash, r->key,
		    r->key_len) - r->seen.slots);
		r->slot_record = rules->records;
	}
	return &r->seen.slots[r->slot];
}

/* Adds the record's key at its free slot from rule_slot; the new item,
 * or NULL when out of memory. */
static struct key_item *
rule_slot_add(struct rule *r, struct key_slot *slot, size_t value)
{
	if (!r->slot_room)
		return NULL;
	r->slot_record = 0;	/* the slots after it may have moved on */
	return key_set_add_at(&r->seen, slot, r->key_hash, r->key, r->key_len,
	    value);
}

/* Room for where's text: a file name of a few hundred bytes and a line. */
#define WHERE_SIZE 320

/* Names a line of the whole input as the caller of quality_set_where
 * does, else as "line N". */
static const char *
where(const struct quality_rules *rules, unsigned long line, char *buf,
    size_t size)
{
	if (rules->where != NULL)
		return rules->where(rules->where_arg, line, buf, size);
	snprintf(buf, size, "line %lu", line);
	return buf;
}

void
quality_set_where(struct quality_rules *rules, quality_where_fn *fn,
    void *arg)
{
	rules->where = fn;
	rules->where_arg = arg;
}

static void
check_unique(struct run *run, const struct quality_rules *rules)
{
	struct rule *r = run->rule;
	const struct key_slot *slot;
	char description[QUALITY_REASON_SIZE / 2];

	r->has_pending = false;
	slot = rule_slot(run, rules);
	if (slot == NULL)
		return;
	if (slot->item != 0) {
		char first[WHERE_SIZE];

		describe_key(run, description, sizeof description);
		fail(run, "duplicate key (%s): first seen on %s", description,
		    where(rules, key_item(&r->seen, slot->item)->value, first,
		    sizeof first));
	} else {
		r->has_pending = true;
	}
}

/* Remembers the key of a record that passed, for later duplicates. */
static void
remember_key(struct run *run, const struct quality_rules *rules,
    unsigned long line)
{
	struct rule *r = run->rule;
	struct key_slot *slot;

	/* NOTE: out of memory here loses the key, so a later duplicate of
	 * this record would pass unnoticed. */
	if (r->has_pending && (slot = rule_slot(run, rules)) != NULL)
		(void)rule_slot_add(r, slot, line);
	r->has_pending = false;
}

/* The last value of the record's key for the jump check, or NULL. */
static struct last_value *
find_last(struct run *run, const struct quality_rules *rules)
{
	const struct rule *r = run->rule;
	const struct key_slot *slot = rule_slot(run, rules);

	if (slot == NULL || slot->item == 0)
		return NULL;
	return &r->last[key_item(&r->seen, slot->item)->value];
}

static void
check_jump(struct run *run, const struct quality_rules *rules)
{
	const struct rule *r = run->rule;
	const struct qrec_member *m = field(run, r->value_field);
	const struct last_value *last;
	char subject[VALUE_TEXT_MAX + 80], value[40], previous[40];
	char day[DATE_TEXT_SIZE], earlier[WHERE_SIZE];
	double ratio;
	long order;

	if (m == NULL || m->type != QREC_NUMBER ||
	    !date_field(run, r->later_field, &order))
		return;
	last = find_last(run, rules);
	if (last == NULL || last->order >= order || m->number == 0 ||
	    last->value == 0)
		return;

	ratio = fabs(m->number / last->value);
	if (ratio <= r->factor && ratio >= 1 / r->factor)
		return;
	range_subject(run, run->kind->fields.items[r->value_field], subject,
	    sizeof subject);
	json_format_number(value, sizeof value, m->number);
	json_format_number(previous, sizeof previous, last->value);
	date_format(last->order, day);
	fail(run, "%s %s for %s %s is %.3g times the previous period's %s "
	    "(%s %s, %s), beyond the factor %g", subject, value, r->later,
	    field(run, r->later_field)->string, ratio, previous, r->later, day,
	    where(rules, last->line, earlier, sizeof earlier), r->factor);
}

/* Keeps the value of a record that passed as its key's last one. */
static void
remember_last(struct run *run, const struct quality_rules *rules,
    unsigned long line)
{
	struct rule *r = run->rule;
	const struct qrec_member *m = field(run, r->value_field);
	struct key_slot *slot;
	struct last_value *last;
	size_t index;
	long order;

	if (m == NULL || m->type != QREC_NUMBER ||
	    !date_field(run, r->later_field, &order))
		return;
	slot = rule_slot(run, rules);
	if (slot == NULL)
		return;
	if (slot->item != 0) {
		index = key_item(&r->seen, slot->item)->value;
	} else {
		if (r->last_count == r->last_cap) {
			size_t cap = r->last_cap == 0 ? 256 : r->last_cap * 2;
			struct last_value *grown = table_grow(r->last,
			    r->last_cap * sizeof *grown, cap * sizeof *grown);

			if (grown == NULL)
				return;
			r->last = grown;
			r->last_cap = cap;
		}
		if (rule_slot_add(r, slot, r->last_count) == NULL)
			return;
		index = r->last_count++;
		r->last[index].order = order - 1;
	}
	last = &r->last[index];
	if (order > last->order) {
		last->order = order;
		last->value = m->number;
		last->line = line;
	}
}

/* The term of the identity the record gives a value of, or
 * IDENTITY_TERMS_MAX when it gives none. */
static size_t
find_term(const struct run *run)
{
	const struct rule *r = run->rule;
	const struct qrec_member *name = field(run, r->name_field);
	const struct qrec_member *m = field(run, r->value_field);
	size_t term;

	if (name == NULL || name->type != QREC_STRING || m == NULL ||
	    m->type != QREC_NUMBER)
		return IDENTITY_TERMS_MAX;
	for (term = 0; term < r->values.count; term++)
		if (r->values.lengths[term] == name->string_len &&
		    memcmp(r->values.items[term], name->string,
		    name->string_len) == 0)
			return term;
	return IDENTITY_TERMS_MAX;
}

/* find_term, once per record and rule, as rule_key does. */
static size_t
identity_term(const struct run *run, const struct quality_rules *rules)
{
	struct rule *r = run->rule;

	if (r->term_record != rules->records) {
		r->term_record = rules->records;
		r->term = find_term(run);
	}
	return r->term;
}

/* Adds the value of a record that passed to its identity group. */
static void
remember_term(struct run *run, const struct quality_rules *rules,
    unsigned long line)
{
	struct rule *r = run->rule;
	struct identity_group *g;
	struct key_slot *slot;
	struct key_item *item;
	unsigned long *lines;
	size_t term = identity_term(run, rules);

	/* The metric is a term, so the key need not carry it. */
	if (term == IDENTITY_TERMS_MAX || (slot = rule_slot(run, rules)) == NULL)
		return;
	if (slot->item != 0)
		item = key_item(&r->seen, slot->item);
	else if ((item = rule_slot_add(r, slot, 0)) == NULL)
		return;
	g = key_item_extra(item, r->seen.extra);
	lines = group_lines(g, r->values.count);
	if ((g->present & UINT64_C(1) << term) == 0) {
		g->present |= UINT64_C(1) << term;
		g->values[term] = field(run, r->value_field)->number;
		lines[term] = line;
	}
}

/* Checks a complete identity group; writes the reason on failure. */
static bool
identity_holds(const struct quality_rules *rules, const struct rule *r,
    const struct identity_group *g, char *reason, size_t size)
{
	const unsigned long *lines = group_lines(g, r->values.count);
	double sum = 0, largest = fabs(g->values[0]);
	char total[40], value[40], expected[40], off[40], at[WHERE_SIZE];
	size_t used;
	int n;

	for (size_t i = 1; i < r->values.count; i++) {
		sum += r->signs[i] * g->values[i];
		if (fabs(g->values[i]) > largest)
			largest = fabs(g->values[i]);
	}
	if (fabs(g->values[0] - sum) <= r->tolerance * largest)
		return true;

	json_format_number(total, sizeof total, g->values[0]);
	n = snprintf(reason, size, "%s %s (%s) is not", r->values.items[0],
	    total, where(rules, lines[0], at, sizeof at));
	used = n > 0 ? (size_t)n : 0;
	for (size_t i = 1; i < r->values.count && used < size; i++) {
		json_format_number(value, sizeof value, g->values[i]);
		n = snprintf(reason + used, size - used, "%s %s %s (%s)",
		    i == 1 ? (r->signs[i] < 0 ? " -" : "") :
		    r->signs[i] < 0 ? " -" : " +", r->values.items[i], value,
		    where(rules, lines[i], at, sizeof at));
		if (n > 0)
			used += (size_t)n;
	}
	json_format_number(expected, sizeof expected, sum);
	json_format_number(off, sizeof off, g->values[0] - sum);
	if (used < size)
		snprintf(reason + used, size - used, " = %s: off by %s, beyond "
		    "the tolerance %g of the largest term", expected, off,
		    r->tolerance);
	return false;
}

/* Whether the record meets every where condition of the rule, as
 * decide_conditions found. */
static inline bool
in_scope(const struct run *run)
{
	const struct rule *r = run->rule;
	const uint64_t *met = run->kind->conditions_met;

	for (size_t i = 0; i < r->where_count; i++) {
		size_t bit = r->where[i].bit;

		if ((met[bit / 64] >> (bit % 64) & 1) == 0)
			return false;
	}
	return true;
}

static void
fail_items(struct run *run, const char *name, unsigned int allowed)
{
	char expected[120];

	types_text(allowed, expected, sizeof expected);
	fail(run, "%s has an item that is not %s", name, expected);
}

/* Whether each type of the items of an array (QREC_ITEM_BIT bits) is
 * one of the allowed types (TYPE_BIT bits). */
static bool
types_match_items(unsigned int items, unsigned int allowed)
{
	static const unsigned int as_type[] = {
		[QREC_NULL] = TYPE_BIT(TYPE_NULL),
		[QREC_FALSE] = TYPE_BIT(TYPE_BOOLEAN),
		[QREC_TRUE] = TYPE_BIT(TYPE_BOOLEAN),
		[QREC_NUMBER] = TYPE_BIT(TYPE_NUMBER) | TYPE_BIT(TYPE_INTEGER),
		[QREC_STRING] = TYPE_BIT(TYPE_STRING),
		[QREC_ARRAY] = TYPE_BIT(TYPE_ARRAY),
		[QREC_OBJECT] = TYPE_BIT(TYPE_OBJECT),
	};

	for (int t = QREC_NULL; t <= QREC_OBJECT; t++)
		if ((items & QREC_ITEM_BIT(t)) != 0 && (as_type[t] & allowed) == 0)
			return false;
	return true;
}

/* Whether null is a value the property allows. */
static bool
null_allowed(const struct schema_property *p)
{
	if (p->types != 0 && (p->types & TYPE_BIT(TYPE_NULL)) == 0)
		return false;
	if (p->has_enum && !p->enum_null)
		return false;
	return true;
}

static void
check_schema_property(struct run *run, enum aspect aspect,
    const struct schema_property *p, const struct qrec_member *m)
{
	size_t chars;

	switch (aspect) {
	case ASPECT_REQUIRED:
		if (m == NULL && p->required)
			fail(run, "missing member \"%s\"", p->name);
		else if (m != NULL && m->type == QREC_NULL && !null_allowed(p))
			fail(run, "member \"%s\" is null", p->name);
		break;
	case ASPECT_TYPES:
		if (absent(m))
			break;
		if (p->types != 0 && !types_match(m, p->types))
			fail_type(run, p->name, m, p->types);
		else if (p->item_types != 0 && m->type == QREC_ARRAY &&
		    !types_match_items(m->item_types, p->item_types))
			fail_items(run, p->name, p->item_types);
		break;
	case ASPECT_ENUM:
		if (absent(m) || !p->has_enum)
			break;
		if (m->type != QREC_STRING ||
		    !string_list_contains(&p->values, m->string, m->string_len))
			fail_enum(run, p->name, m, &p->values, p->enum_null);
		break;
	case ASPECT_PATTERN:
		if (m != NULL && m->type == QREC_STRING && p->pattern != NULL &&
		    !pattern_match(p->pattern, m->string, m->string_len))
			fail_pattern(run, p->name, m, p->pattern, p->description);
		break;
	case ASPECT_LENGTH:
		if (m == NULL || m->type != QREC_STRING ||
		    (p->min_length < 0 && p->max_length < 0))
			break;
		/* A character takes one to four bytes, so the length in
		 * bytes mostly settles both bounds without counting. */
		if ((p->min_length < 0 ||
		    (m->string_len + 3) / 4 >= (size_t)p->min_length) &&
		    (p->max_length < 0 || m->string_len <= (size_t)p->max_length))
			break;
		chars = qrec_utf8_length(m->string, m->string_len);
		if (p->min_length >= 0 && chars < (size_t)p->min_length)
			fail(run, "%s has %zu characters, fewer than the minimum "
			    "%ld", p->name, chars, p->min_length);
		if (p->max_length >= 0 && chars > (size_t)p->max_length)
			fail(run, "%s has %zu characters, more than the maximum "
			    "%ld", p->name, chars, p->max_length);
		break;
	case ASPECT_RANGE:
		if (m != NULL && m->type == QREC_NUMBER)
			check_bounds(run, p->name, m->number, p->minimum,
			    p->has_minimum, p->minimum_exclusive, p->maximum,
			    p->has_maximum, p->maximum_exclusive);
		break;
	case ASPECTS:
		break;
	}
}

/* The rule's kind and schema are read once, outside the loop: fail()
 * writes through pointers, so the compiler would read them again per
 * property. */
static void
check_schema(struct run *run)
{
	const struct rule *r = run->rule;
	const struct schema_property *const *properties = r->properties;
	const struct qrec_member *const *slots = run->kind->slots;
	enum aspect aspect = r->aspect;

	for (size_t i = 0; i < r->property_count; i++)
		check_schema_property(run, aspect, properties[i],
		    slots[properties[i]->field]);
}

static void
count_failure(struct rule *r, unsigned long line)
{
	r->failed++;
	if (r->example_count < QUALITY_EXAMPLES_MAX)
		r->examples[r->example_count++] = line;
}

static void
run_rule(const struct quality_rules *rules, struct run *run,
    unsigned long line)
{
	struct rule *r = run->rule;

	r->checked++;
	switch (r->check) {
	case CHECK_REQUIRED:	check_required(run); break;
	case CHECK_TYPE:	check_type(run); break;
	case CHECK_PATTERN:	check_pattern(run); break;
	case CHECK_ENUM:	check_enum(run); break;
	case CHECK_VOCABULARY:	check_vocabulary(run, rules); break;
	case CHECK_RANGE:	check_range(run); break;
	case CHECK_DATE:	check_date(run); break;
	case CHECK_DATE_ORDER:	check_date_order(run); break;
	case CHECK_DURATION:	check_duration(run); break;
	case CHECK_SCHEMA:	check_schema(run); break;
	case CHECK_UNIQUE:	check_unique(run, rules); break;
	case CHECK_JUMP:	check_jump(run, rules); break;
	case CHECK_IDENTITY:	r->checked--; break;	/* counted at the end */
	}
	if (run->failed)
		count_failure(r, line);
}

static struct kind *
find_kind(const struct quality_rules *rules, const char *name, size_t len)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < rules->kind_count; i++)
		if (strlen(rules->kinds[i].name) == len &&
		    memcmp(rules->kinds[i].name, name, len) == 0)
			return &rules->kinds[i];
	return NULL;
}

/* Makes room for the field of each member of record in member_fields;
 * false when out of memory. */
static bool
reserve_member_fields(struct kind *kind, const struct qrec *record)
{
	size_t *grown;

	if (record->count <= kind->member_cap)
		return true;
	grown = realloc(kind->member_fields, record->count * sizeof *grown);
	if (grown == NULL)
		return false;
	kind->member_fields = grown;
	kind->member_cap = record->count;
	return true;
}

/* Points each field of the kind at the record's member of that name;
 * the first of two members with one name counts, as cJSON reads it.
 * A record of the shape before takes the fields found for it. */
static void
fill_slots(struct kind *kind, const struct qrec *record)
{
	bool keep;

	memset(kind->slots, 0, kind->fields.count * sizeof *kind->slots);
	if (record->shape != 0 && record->shape == kind->shape) {
		for (size_t i = 0; i < record->count; i++)
			if (kind->member_fields[i] != NO_FIELD)
				kind->slots[kind->member_fields[i]] =
				    &record->members[i];
		return;
	}

	keep = record->shape != 0 && reserve_member_fields(kind, record);
	kind->shape = keep ? record->shape : 0;
	for (size_t i = 0; i < record->count; i++) {
		const struct qrec_member *m = &record->members[i];
		const size_t *index = key_set_find_hashed(&kind->field_index,
		    m->key_hash, m->key, m->key_len);
		size_t field = NO_FIELD;

		if (index != NULL && kind->slots[*index] == NULL) {
			kind->slots[*index] = m;
			field = *index;
		}
		if (keep)
			kind->member_fields[i] = field;
	}
}

/*
 * Finds the where conditions the record meets: a condition is met when
 * its member is a string equal to one of its values.  Each member that
 * conditions read costs one lookup, whatever the number of rules.
 */
static void
decide_conditions(const struct kind *kind)
{
	size_t words = kind->condition_words;

	memset(kind->conditions_met, 0, words * sizeof *kind->conditions_met);
	for (size_t i = 0; i < kind->where_field_count; i++) {
		const struct where_field *wf = &kind->where_fields[i];
		const struct qrec_member *m = kind->slots[wf->field];
		const uint64_t *mask;
		const size_t *index;

		if (m == NULL || m->type != QREC_STRING)
			continue;
		index = key_set_find_hashed(&wf->values,
		    hash_bytes(m->string, m->string_len), m->string,
		    m->string_len);
		if (index == NULL)
			continue;
		mask = &wf->masks[*index * words];
		for (size_t w = 0; w < words; w++)
			kind->conditions_met[w] |= mask[w];
	}
}

static const struct company *
find_company(const struct quality_rules *rules, const struct qrec_member *cik)
{
	if (rules->company_count == 0 || cik == NULL || cik->type != QREC_STRING)
		return NULL;
	for (size_t i = 0; i < rules->company_count; i++)
		if (strcmp(rules->companies[i].cik, cik->string) == 0)
			return &rules->companies[i];
	return NULL;
}

/* Sets up run, whose result and kind are the record's, for rule i of
 * the kind's order (enabled rules only), or returns false when the rule
 * does not apply to the record.  The scope comes first: it leaves out
 * most rules that have one. */
static inline bool
prepare(struct quality_rules *rules, const struct company *company, size_t i,
    struct run *run)
{
	struct rule *r = &rules->rules[i];
	enum override mode = OVERRIDE_NONE;

	run->rule = r;
	if (r->where_count > 0 && !in_scope(run))
		return false;
	if (company != NULL) {
		mode = (enum override)company->overrides[i];
		if (mode == OVERRIDE_DISABLE)
			return false;
	}
	run->index = i;
	run->severity = mode == OVERRIDE_WARN ? QUALITY_WARN : r->severity;
	run->failed = false;
	return true;
}

/*
 * Checks a record against every enabled rule of its kind that is in
 * scope.  The cross-record checks run last and compare with the records
 * that passed so far, so a duplicate of a rejected record is not a
 * duplicate, and a record only counts for them when no error rule
 * failed.
 */
enum quality_outcome
quality_check(struct quality_rules *rules, struct qrec *record,
    unsigned long line, struct quality_result *result)
{
	struct kind *kind = find_kind(rules, record->kind->string,
	    record->kind->string_len);
	const struct company *company;
	const size_t *singles, *crosses;
	struct run run = { .result = result, .kind = kind };

	memset(result, 0, offsetof(struct quality_result, findings));
	if (kind == NULL)
		return QUALITY_UNCHECKED;
	singles = kind->order;
	crosses = kind->order + kind->singles;
	fill_slots(kind, record);
	decide_conditions(kind);
	company = find_company(rules, kind->slots[FIELD_CIK]);
	rules->records++;

	for (size_t i = 0; i < kind->crosses; i++) {
		enum check check = rules->rules[crosses[i]].check;

		if (check != CHECK_JUMP &&
		    prepare(rules, company, crosses[i], &run) &&
		    (check == CHECK_UNIQUE ||
		    identity_term(&run, rules) != IDENTITY_TERMS_MAX))
			fetch_key(&run, rules);
	}

	for (size_t i = 0; i < kind->singles; i++)
		if (prepare(rules, company, singles[i], &run))
			run_rule(rules, &run, line);
	for (size_t i = 0; i < kind->crosses; i++)
		if (prepare(rules, company, crosses[i], &run))
			run_rule(rules, &run, line);
	if (result->errors > 0)
		return QUALITY_FAILED;

	for (size_t i = 0; i < kind->crosses; i++) {
		if (!prepare(rules, company, crosses[i], &run))
			continue;
		if (run.rule->check == CHECK_UNIQUE)
			remember_key(&run, rules, line);
		else if (run.rule->check == CHECK_JUMP)
			remember_last(&run, rules, line);
		else
			remember_term(&run, rules, line);
	}
	return result->warnings > 0 ? QUALITY_WARNED : QUALITY_PASSED;
}

/*
 * Checks the complete identity groups in a block of rule r's key set,
 * which holds them in the order they were added, and calls fn for each
 * failure.  Returns the number of failures.
 */
static unsigned long
finish_identities(const struct quality_rules *rules, struct rule *r,
    size_t rule, const struct key_block *block, quality_late_fn *fn, void *arg)
{
	uint64_t all = (UINT64_C(1) << r->values.count) - 1;
	size_t extra = r->seen.extra;
	char reason[QUALITY_REASON_SIZE];
	unsigned long failures = 0;

	for (size_t at = 0; at < block->used;) {
		const struct key_item *item =
		    (const struct key_item *)(const void *)(block->data + at);
		const struct identity_group *g = key_item_extra(item, extra);
		unsigned long line = group_lines(g, r->values.count)[0];

		at += key_item_size(item->len, extra);
		if (g->present != all)
			continue;
		r->checked++;
		if (identity_holds(rules, r, g, reason, sizeof reason))
			continue;
		count_failure(r, line);
		failures++;
		fn(arg, line, rule, r->severity, reason);
	}
	return failures;
}

/*
 * Evaluates the checks that need the whole input, the identities, and
 * calls fn for each failure in input order of the groups.  Returns the
 * number of failures.
 */
unsigned long
quality_finish(struct quality_rules *rules, quality_late_fn *fn, void *arg)
{
	unsigned long failures = 0;

	for (size_t i = 0; i < rules->rule_count; i++) {
		struct rule *r = &rules->rules[i];

		if (r->check != CHECK_IDENTITY)
			continue;
		for (size_t b = 0; b < r->seen.block_count; b++)
			failures += finish_identities(rules, r, i, &r->seen.blocks[b],
			    fn, arg);
	}
	return failures;
}

bool
quality_has_kind(const struct quality_rules *rules, const char *kind)
{
	return find_kind(rules, kind, strlen(kind)) != NULL;
}

size_t
quality_rule_count(const struct quality_rules *rules)
{
	return rules->rule_count;
}

void
quality_rule_info(const struct quality_rules *rules, size_t index,
    struct quality_rule_info *info)
{
	const struct rule *r = &rules->rules[index];

	info->name = r->name;
	info->kind = r->kind;
	info->check = r->check == CHECK_SCHEMA ? "schema" : check_names[r->check];
	info->severity = r->severity;
	info->enabled = r->enabled;
	info->checked = r->checked;
	info->failed = r->failed;
	info->example_count = r->example_count;
	memcpy(info->examples, r->examples, sizeof info->examples);
}

const char *
quality_severity_name(enum quality_severity severity)
{
	return severity == QUALITY_WARN ? "warn" : "error";
}
