#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "date.h"
#include "jsonw.h"
#include "quality.h"
#include "record.h"

/* Maximum bytes of a value quoted in a reason: enough to recognize the
 * value, few enough that one huge string cannot fill the reason. */
#define VALUE_TEXT_MAX 80

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
};

static const char *const check_names[] = {
	"required", "type", "pattern", "enum", "vocabulary", "range", "date",
	"date-order", "unique",
};

/* The keys a rule of each check may have beside the common ones. */
static const char *const check_keys[][6] = {
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
};

static const char *const common_keys[] = {
	"name", "check", "severity", "enabled", "hint", "where",
};

enum json_type {
	TYPE_STRING,
	TYPE_NUMBER,
	TYPE_INTEGER,
	TYPE_BOOLEAN,
	TYPE_OBJECT,
	TYPE_ARRAY,
};

static const char *const type_names[] = {
	"string", "number", "integer", "boolean", "object", "array",
};

struct string_list {
	char **items;
	size_t count;
};

/* A "where" condition: the rule applies only to records whose member is
 * a string equal to one of the values. */
struct condition {
	char *member;
	struct string_list values;
};

/* The keys of the records that passed, for the unique check: an encoded
 * key and the line that first carried it, in an open-addressing table. */
struct key_entry {
	char *key;
	unsigned long line;
};

struct key_set {
	struct key_entry *slots;
	size_t cap;		/* a power of two, or 0 */
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

	/* The members a check reads.  The required check lists them, the
	 * type check pairs each with types[i], the unique check uses them
	 * as its key, and every other check reads items[0] only. */
	struct string_list members;
	enum json_type *types;

	regex_t regex;
	char *pattern;			/* NULL until regex is compiled */
	struct string_list values;	/* enum */

	double minimum, maximum;
	bool has_minimum, has_maximum;
	bool minimum_exclusive, maximum_exclusive;

	long earliest, latest;		/* days since 1970-01-01 */
	bool has_earliest, has_latest, latest_is_today;

	char *earlier, *later;
	bool allow_equal;

	struct key_set seen;

	unsigned long checked, failed;
	size_t example_count;
	unsigned long examples[QUALITY_EXAMPLES_MAX];
};

struct kind {
	char *name;
	size_t first;		/* index of its first rule */
	size_t count;
};

struct quality_rules {
	struct rule *rules;
	size_t rule_count;
	struct kind *kinds;
	size_t kind_count;
	struct string_list vocabulary;
	char *vocabulary_name;	/* as written in the rules file */
};

struct loader {
	const char *path;
	char *error;
	size_t error_size;
	struct quality_rules *rules;
};

/* The rule being checked against one record. */
struct run {
	struct quality_result *result;
	const struct rule *rule;
	size_t index;
	bool failed;
};

static void
load_error(struct loader *ld, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const struct kind *find_kind(const struct quality_rules *rules,
    const char *name);

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
	list->items = NULL;
	list->count = 0;
}

static bool
string_list_add(struct string_list *list, const char *text)
{
	char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);

	if (grown == NULL)
		return false;
	list->items = grown;
	list->items[list->count] = strdup(text);
	if (list->items[list->count] == NULL)
		return false;
	list->count++;
	return true;
}

static bool
string_list_contains(const struct string_list *list, const char *text)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i], text) == 0)
			return true;
	return false;
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
	for (size_t i = 0; i < 6 && check_keys[check][i] != NULL; i++)
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
	    "unknown check \"%s\": use required, type, pattern, enum, "
	    "vocabulary, range, date, date-order or unique", text);
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
		r->where[i].member = strdup(item->keys[i]);
		if (!load_scalars(ld, item->items[i], "where",
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
		size_t t;

		for (t = 0; t < sizeof type_names / sizeof *type_names; t++)
			if (type->type == CONF_NODE_SCALAR &&
			    strcmp(type->scalar, type_names[t]) == 0)
				break;
		if (t == sizeof type_names / sizeof *type_names) {
			load_error(ld, type->line, "rule %s: unknown type for "
			    "\"%s\": use string, number, integer, boolean, "
			    "object or array", r->name, types->keys[i]);
			return false;
		}
		r->types[i] = (enum json_type)t;
		if (!string_list_add(&r->members, types->keys[i]))
			return false;
	}
	return true;
}

static bool
parse_pattern(struct loader *ld, const struct conf_node *node, struct rule *r)
{
	const struct conf_node *item = conf_map_get(node, "pattern");
	char message[200];
	int status;

	if (item == NULL || item->type != CONF_NODE_SCALAR) {
		load_error(ld, node->line, "rule %s: pattern check needs a "
		    "\"pattern\" (a POSIX extended regular expression)", r->name);
		return false;
	}
	status = regcomp(&r->regex, item->scalar, REG_EXTENDED | REG_NOSUB);
	if (status != 0) {
		regerror(status, &r->regex, message, sizeof message);
		load_error(ld, item->line, "rule %s: invalid pattern \"%s\": %s",
		    r->name, item->scalar, message);
		return false;
	}
	r->pattern = strdup(item->scalar);
	if (r->pattern == NULL) {
		regfree(&r->regex);
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
		load_error(ld, node->line, "rule %s: range check needs a minimum "
		    "or a maximum", r->name);
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

static bool
parse_date_order(struct loader *ld, const struct conf_node *node,
    struct rule *r)
{
	const char *earlier = conf_map_scalar(node, "earlier");
	const char *later = conf_map_scalar(node, "later");
	const struct conf_node *item = conf_map_get(node, "allow_equal");

	if (earlier == NULL || later == NULL) {
		load_error(ld, node->line, "rule %s: date-order check needs "
		    "\"earlier\" and \"later\" members", r->name);
		return false;
	}
	r->earlier = strdup(earlier);
	r->later = strdup(later);
	if (item != NULL && !conf_scalar_bool(item, &r->allow_equal)) {
		load_error(ld, item->line, "rule %s: allow_equal must be true or "
		    "false", r->name);
		return false;
	}
	return r->earlier != NULL && r->later != NULL;
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
	if (rule_name_taken(ld->rules, r->name)) {
		load_error(ld, node->line, "rule %s is defined twice", r->name);
		return false;
	}
	return parse_check_keys(ld, node, r);
}

static void
key_set_free(struct key_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i].key);
	free(set->slots);
}

static void
rule_free(struct rule *r)
{
	free(r->name);
	free(r->hint);
	for (size_t i = 0; i < r->where_count; i++) {
		free(r->where[i].member);
		string_list_free(&r->where[i].values);
	}
	free(r->where);
	string_list_free(&r->members);
	free(r->types);
	if (r->pattern != NULL)
		regfree(&r->regex);
	free(r->pattern);
	string_list_free(&r->values);
	free(r->earlier);
	free(r->later);
	key_set_free(&r->seen);
}

/* Reads the rules of one kind, in file order. */
static bool
parse_kind(struct loader *ld, const char *name, const struct conf_node *list)
{
	struct quality_rules *rules = ld->rules;
	struct kind *kind;
	struct kind *kinds;
	struct rule *grown;

	if (list->type != CONF_NODE_SEQUENCE) {
		load_error(ld, list->line, "kind %s: expected a list of rules", name);
		return false;
	}
	if (find_kind(rules, name) != NULL) {
		load_error(ld, list->line, "kind %s is listed twice", name);
		return false;
	}
	kinds = realloc(rules->kinds, (rules->kind_count + 1) * sizeof *kinds);
	if (kinds == NULL)
		goto nomem;
	rules->kinds = kinds;
	kind = &rules->kinds[rules->kind_count];
	kind->name = strdup(name);
	if (kind->name == NULL)
		goto nomem;
	kind->first = rules->rule_count;
	kind->count = 0;
	rules->kind_count++;

	grown = realloc(rules->rules,
	    (rules->rule_count + list->count) * sizeof *grown);
	if (grown == NULL && list->count > 0)
		goto nomem;
	if (grown != NULL)
		rules->rules = grown;
	for (size_t i = 0; i < list->count; i++) {
		struct rule *r = &rules->rules[rules->rule_count];

		memset(r, 0, sizeof *r);
		if (!parse_rule(ld, list->items[i], kind->name, r)) {
			rule_free(r);
			return false;
		}
		rules->rule_count++;
		kind->count++;
	}
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
	const char *slash = strrchr(ld->path, '/');
	char path[4096];
	char error[512] = "";
	struct conf_node *root;
	bool ok = false;
	int n;

	if (item->type != CONF_NODE_SCALAR || item->scalar[0] == '\0') {
		load_error(ld, item->line, "vocabulary must name a file");
		return false;
	}
	if (item->scalar[0] == '/' || slash == NULL)
		n = snprintf(path, sizeof path, "%s", item->scalar);
	else
		n = snprintf(path, sizeof path, "%.*s/%s",
		    (int)(slash - ld->path), ld->path, item->scalar);
	if (n < 0 || (size_t)n >= sizeof path) {
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
		    strcmp(key, "kinds") != 0) {
			load_error(ld, root->items[i]->line, "unknown top-level key "
			    "\"%s\": use version, vocabulary or kinds", key);
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
	return true;
}

/*
 * Loads a rules file and the vocabulary it names.  Returns the rules, or
 * NULL with "path:line: reason" in error.
 */
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
	} else if (!parse_root(&ld, root)) {
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
	for (size_t i = 0; i < rules->kind_count; i++)
		free(rules->kinds[i].name);
	free(rules->rules);
	free(rules->kinds);
	string_list_free(&rules->vocabulary);
	free(rules->vocabulary_name);
	free(rules);
}

/* FNV-1a: fast and good enough for keys built from a few short strings. */
static uint64_t
hash_key(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static struct key_entry *
key_slot(const struct key_set *set, const char *key)
{
	size_t mask = set->cap - 1;
	size_t i = (size_t)hash_key(key) & mask;

	while (set->slots[i].key != NULL && strcmp(set->slots[i].key, key) != 0)
		i = (i + 1) & mask;
	return &set->slots[i];
}

/* Returns the line that first carried key, or 0. */
static unsigned long
key_set_find(const struct key_set *set, const char *key)
{
	const struct key_entry *slot;

	if (set->cap == 0)
		return 0;
	slot = key_slot(set, key);
	return slot->key != NULL ? slot->line : 0;
}

/* Doubles the table, keeping the load factor under 1/2 so probes stay
 * short. */
static bool
key_set_grow(struct key_set *set)
{
	struct key_set bigger = { .cap = set->cap == 0 ? 1024 : set->cap * 2 };

	bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
	if (bigger.slots == NULL)
		return false;
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i].key != NULL)
			*key_slot(&bigger, set->slots[i].key) = set->slots[i];
	bigger.count = set->count;
	free(set->slots);
	*set = bigger;
	return true;
}

/* Adds key unless present.  Returns false when out of memory. */
static bool
key_set_add(struct key_set *set, const char *key, unsigned long line)
{
	struct key_entry *slot;

	if ((set->count + 1) * 2 > set->cap && !key_set_grow(set))
		return false;
	slot = key_slot(set, key);
	if (slot->key != NULL)
		return true;
	slot->key = strdup(key);
	if (slot->key == NULL)
		return false;
	slot->line = line;
	set->count++;
	return true;
}

static const cJSON *
member(const cJSON *record, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(record, name);
}

static bool
absent(const cJSON *item)
{
	return item == NULL || cJSON_IsNull(item);
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

/* Writes a value as JSON text for a reason, shortened when long. */
static void
value_text(const cJSON *item, char *buf, size_t size)
{
	char *printed;

	if (cJSON_IsNumber(item)) {
		json_format_number(buf, size, item->valuedouble);
		return;
	}
	printed = cJSON_PrintUnformatted(item);
	if (printed == NULL) {
		snprintf(buf, size, "(value)");
		return;
	}
	truncate_utf8(printed, VALUE_TEXT_MAX);
	snprintf(buf, size, "%s", printed);
	cJSON_free(printed);
}

static const char *
type_phrase(const cJSON *item)
{
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "null";
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
	if (run->rule->severity == QUALITY_ERROR)
		result->errors++;
	else
		result->warnings++;
	if (result->count == QUALITY_FINDINGS_MAX)
		return;

	f = &result->findings[result->count++];
	f->rule = run->index;
	f->severity = run->rule->severity;
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
check_required(struct run *run, const cJSON *record)
{
	const struct string_list *members = &run->rule->members;

	for (size_t i = 0; i < members->count; i++) {
		const cJSON *item = member(record, members->items[i]);

		if (item == NULL)
			fail(run, "missing member \"%s\"", members->items[i]);
		else if (cJSON_IsNull(item))
			fail(run, "member \"%s\" is null", members->items[i]);
	}
}

static bool
type_matches(const cJSON *item, enum json_type type)
{
	switch (type) {
	case TYPE_STRING:
		return cJSON_IsString(item);
	case TYPE_NUMBER:
		return cJSON_IsNumber(item);
	case TYPE_INTEGER:
		return cJSON_IsNumber(item) &&
		    item->valuedouble == floor(item->valuedouble) &&
		    fabs(item->valuedouble) <= 9007199254740992.0;
	case TYPE_BOOLEAN:
		return cJSON_IsBool(item);
	case TYPE_OBJECT:
		return cJSON_IsObject(item);
	case TYPE_ARRAY:
		return cJSON_IsArray(item);
	}
	return false;
}

/* Null stands for an absent value and is left to the required check. */
static void
check_type(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;

	for (size_t i = 0; i < r->members.count; i++) {
		const cJSON *item = member(record, r->members.items[i]);
		char text[VALUE_TEXT_MAX + 8];

		if (absent(item) || type_matches(item, r->types[i]))
			continue;
		value_text(item, text, sizeof text);
		if (r->types[i] == TYPE_INTEGER && cJSON_IsNumber(item))
			fail(run, "%s %s is not an integer", r->members.items[i],
			    text);
		else
			fail(run, "%s is %s (%s), expected %s %s",
			    r->members.items[i], type_phrase(item), text,
			    r->types[i] == TYPE_INTEGER ||
			    r->types[i] == TYPE_ARRAY ||
			    r->types[i] == TYPE_OBJECT ? "an" : "a",
			    type_names[r->types[i]]);
	}
}

/* The checks below look at one member and skip a value that is absent or
 * of another JSON type: the required and type checks report those. */
static const cJSON *
string_member(const struct rule *r, const cJSON *record)
{
	const cJSON *item = member(record, r->members.items[0]);

	return cJSON_IsString(item) ? item : NULL;
}

static void
check_pattern(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;
	const cJSON *item = string_member(r, record);
	char text[VALUE_TEXT_MAX + 8];

	if (item == NULL || regexec(&r->regex, item->valuestring, 0, NULL, 0) == 0)
		return;
	value_text(item, text, sizeof text);
	fail(run, "%s %s does not match the pattern %s", r->members.items[0],
	    text, r->pattern);
}

static void
check_enum(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;
	const cJSON *item = string_member(r, record);
	char text[VALUE_TEXT_MAX + 8];
	char allowed[QUALITY_REASON_SIZE / 2] = "";
	size_t len = 0;

	if (item == NULL || string_list_contains(&r->values, item->valuestring))
		return;
	for (size_t i = 0; i < r->values.count && len < sizeof allowed; i++) {
		int n = snprintf(allowed + len, sizeof allowed - len, "%s%s",
		    i > 0 ? ", " : "", r->values.items[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	value_text(item, text, sizeof text);
	fail(run, "%s %s is not one of %s", r->members.items[0], text, allowed);
}

static void
check_vocabulary(struct run *run, const cJSON *record,
    const struct quality_rules *rules)
{
	const struct rule *r = run->rule;
	const cJSON *item = string_member(r, record);
	char text[VALUE_TEXT_MAX + 8];

	if (item == NULL ||
	    string_list_contains(&rules->vocabulary, item->valuestring))
		return;
	value_text(item, text, sizeof text);
	fail(run, "%s %s is not in the vocabulary of %s", r->members.items[0],
	    text, rules->vocabulary_name);
}

/* Names the value in a range reason: "revenue value" for a metric
 * record, where the member alone would not say which metric it is. */
static void
range_subject(const struct rule *r, const cJSON *record, char *buf,
    size_t size)
{
	const char *metric = record_string(record, "metric");
	char name[VALUE_TEXT_MAX + 8];

	if (metric != NULL && strcmp(r->members.items[0], "metric") != 0) {
		short_text(metric, name, sizeof name);
		snprintf(buf, size, "%s %s", name, r->members.items[0]);
	} else
		snprintf(buf, size, "%s", r->members.items[0]);
}

static void
check_range(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;
	const cJSON *item = member(record, r->members.items[0]);
	char subject[VALUE_TEXT_MAX + 80];
	char value[40], bound[40];
	double v;

	if (!cJSON_IsNumber(item))
		return;
	v = item->valuedouble;
	range_subject(r, record, subject, sizeof subject);
	json_format_number(value, sizeof value, v);

	if (r->has_minimum) {
		json_format_number(bound, sizeof bound, r->minimum);
		if (r->minimum_exclusive && !(v > r->minimum))
			fail(run, "%s %s is not greater than %s", subject, value,
			    bound);
		else if (!r->minimum_exclusive && v < r->minimum)
			fail(run, "%s %s is below the minimum %s", subject, value,
			    bound);
	}
	if (r->has_maximum) {
		json_format_number(bound, sizeof bound, r->maximum);
		if (r->maximum_exclusive && !(v < r->maximum))
			fail(run, "%s %s is not less than %s", subject, value,
			    bound);
		else if (!r->maximum_exclusive && v > r->maximum)
			fail(run, "%s %s is above the maximum %s", subject, value,
			    bound);
	}
}

static void
check_date(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;
	const cJSON *item = string_member(r, record);
	const char *name = r->members.items[0];
	char text[VALUE_TEXT_MAX + 8], bound[DATE_TEXT_SIZE];
	long days;

	if (item == NULL)
		return;
	if (!date_parse(item->valuestring, &days)) {
		value_text(item, text, sizeof text);
		fail(run, "%s %s is not a valid date in the form YYYY-MM-DD",
		    name, text);
		return;
	}
	if (r->has_earliest && days < r->earliest) {
		date_format(r->earliest, bound);
		fail(run, "%s %s is before the earliest allowed date %s", name,
		    item->valuestring, bound);
	}
	if (r->has_latest && days > r->latest) {
		date_format(r->latest, bound);
		if (r->latest_is_today)
			fail(run, "%s %s is in the future (today is %s)", name,
			    item->valuestring, bound);
		else
			fail(run, "%s %s is after the latest allowed date %s",
			    name, item->valuestring, bound);
	}
}

/* Skips unless both members hold valid dates: the date check reports
 * the others. */
static void
check_date_order(struct run *run, const cJSON *record)
{
	const struct rule *r = run->rule;
	const char *earlier = record_string(record, r->earlier);
	const char *later = record_string(record, r->later);
	long a, b;

	if (earlier == NULL || later == NULL || !date_parse(earlier, &a) ||
	    !date_parse(later, &b))
		return;
	if (r->allow_equal && a > b)
		fail(run, "%s %s is before %s %s", r->later, later, r->earlier,
		    earlier);
	else if (!r->allow_equal && a >= b)
		fail(run, "%s %s is not before %s %s", r->earlier, earlier,
		    r->later, later);
}

struct text_buffer {
	char *data;
	size_t len, cap;
	bool failed;
};

static void
text_append(struct text_buffer *tb, const char *text, size_t len)
{
	char *grown;
	size_t cap;

	if (tb->failed)
		return;
	if (tb->len + len + 1 > tb->cap) {
		cap = tb->cap == 0 ? 128 : tb->cap;
		while (cap < tb->len + len + 1)
			cap *= 2;
		grown = realloc(tb->data, cap);
		if (grown == NULL) {
			tb->failed = true;
			return;
		}
		tb->data = grown;
		tb->cap = cap;
	}
	memcpy(tb->data + tb->len, text, len);
	tb->len += len;
	tb->data[tb->len] = '\0';
}

/*
 * Encodes the key members of a record as "length:text" per member, so
 * that no two different keys share an encoding, and describes them for
 * a reason.  Returns false when a key member is absent: such a record
 * has no key to compare.
 */
static bool
encode_key(const struct rule *r, const cJSON *record, struct text_buffer *key,
    char *description, size_t size)
{
	size_t used = 0;

	description[0] = '\0';
	for (size_t i = 0; i < r->members.count; i++) {
		const cJSON *item = member(record, r->members.items[i]);
		char text[VALUE_TEXT_MAX + 8], shown[VALUE_TEXT_MAX + 8];
		char length[24];
		const char *value;
		int n;

		if (absent(item))
			return false;
		if (cJSON_IsString(item)) {
			value = item->valuestring;
		} else {
			value_text(item, text, sizeof text);
			value = text;
		}
		n = snprintf(length, sizeof length, "%zu:", strlen(value));
		text_append(key, length, (size_t)n);
		text_append(key, value, strlen(value));

		if (used < size) {
			short_text(value, shown, sizeof shown);
			n = snprintf(description + used, size - used, "%s%s %s",
			    i > 0 ? ", " : "", r->members.items[i], shown);
			if (n > 0)
				used += (size_t)n;
		}
	}
	drop_partial_utf8(description);
	return !key->failed;
}

static void
check_unique(struct run *run, const cJSON *record)
{
	struct text_buffer key = { 0 };
	char description[QUALITY_REASON_SIZE / 2];
	unsigned long first;

	if (encode_key(run->rule, record, &key, description, sizeof description)) {
		first = key_set_find(&run->rule->seen, key.data);
		if (first != 0)
			fail(run, "duplicate key (%s): first seen on line %lu",
			    description, first);
	}
	free(key.data);
}

/* Remembers the key of a record that passed, for later duplicates. */
static void
remember_key(struct rule *r, const cJSON *record, unsigned long line)
{
	struct text_buffer key = { 0 };
	char description[QUALITY_REASON_SIZE / 2];

	/* NOTE: out of memory here loses the key, so a later duplicate of
	 * this record would pass unnoticed. */
	if (encode_key(r, record, &key, description, sizeof description))
		(void)key_set_add(&r->seen, key.data, line);
	free(key.data);
}

static bool
in_scope(const struct rule *r, const cJSON *record)
{
	for (size_t i = 0; i < r->where_count; i++) {
		const char *value = record_string(record, r->where[i].member);

		if (value == NULL ||
		    !string_list_contains(&r->where[i].values, value))
			return false;
	}
	return true;
}

static void
run_rule(const struct quality_rules *rules, struct rule *r, size_t index,
    const cJSON *record, unsigned long line, struct quality_result *result)
{
	struct run run = { .result = result, .rule = r, .index = index };

	r->checked++;
	switch (r->check) {
	case CHECK_REQUIRED:	check_required(&run, record); break;
	case CHECK_TYPE:	check_type(&run, record); break;
	case CHECK_PATTERN:	check_pattern(&run, record); break;
	case CHECK_ENUM:	check_enum(&run, record); break;
	case CHECK_VOCABULARY:	check_vocabulary(&run, record, rules); break;
	case CHECK_RANGE:	check_range(&run, record); break;
	case CHECK_DATE:	check_date(&run, record); break;
	case CHECK_DATE_ORDER:	check_date_order(&run, record); break;
	case CHECK_UNIQUE:	check_unique(&run, record); break;
	}
	if (!run.failed)
		return;
	r->failed++;
	if (r->example_count < QUALITY_EXAMPLES_MAX)
		r->examples[r->example_count++] = line;
}

static const struct kind *
find_kind(const struct quality_rules *rules, const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < rules->kind_count; i++)
		if (strcmp(rules->kinds[i].name, name) == 0)
			return &rules->kinds[i];
	return NULL;
}

/*
 * Checks a record against every enabled rule of its kind that is in
 * scope.  The unique checks run last and compare with the records that
 * passed so far, so a duplicate of a rejected record is not a duplicate,
 * and a record only registers its key when no error rule failed.
 */
enum quality_outcome
quality_check(struct quality_rules *rules, const cJSON *record,
    unsigned long line, struct quality_result *result)
{
	const struct kind *kind = find_kind(rules, record_kind(record));
	size_t end;

	memset(result, 0, offsetof(struct quality_result, findings));
	if (kind == NULL)
		return QUALITY_UNCHECKED;
	end = kind->first + kind->count;

	for (size_t i = kind->first; i < end; i++) {
		struct rule *r = &rules->rules[i];

		if (r->enabled && r->check != CHECK_UNIQUE && in_scope(r, record))
			run_rule(rules, r, i, record, line, result);
	}
	for (size_t i = kind->first; i < end; i++) {
		struct rule *r = &rules->rules[i];

		if (r->enabled && r->check == CHECK_UNIQUE && in_scope(r, record))
			run_rule(rules, r, i, record, line, result);
	}
	if (result->errors > 0)
		return QUALITY_FAILED;

	for (size_t i = kind->first; i < end; i++) {
		struct rule *r = &rules->rules[i];

		if (r->enabled && r->check == CHECK_UNIQUE && in_scope(r, record))
			remember_key(r, record, line);
	}
	return result->warnings > 0 ? QUALITY_WARNED : QUALITY_PASSED;
}

bool
quality_has_kind(const struct quality_rules *rules, const char *kind)
{
	return find_kind(rules, kind) != NULL;
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
	info->check = check_names[r->check];
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
