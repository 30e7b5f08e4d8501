#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf.h"
#include "log.h"

/* Deep enough for any file of ours; a limit keeps a hostile document
 * from exhausting the stack. */
#define MAX_DEPTH 64

struct loader {
	yaml_parser_t parser;
	const char *path;
	char *error;
	size_t error_size;
};

static struct conf_node *parse_node(struct loader *ld, yaml_event_t *event,
    int depth);

static void
set_error(struct loader *ld, unsigned long line, const char *message)
{
	snprintf(ld->error, ld->error_size, "%s:%lu: %s", ld->path, line,
	    message);
}

static bool
next_event(struct loader *ld, yaml_event_t *event)
{
	if (yaml_parser_parse(&ld->parser, event))
		return true;
	set_error(ld, (unsigned long)ld->parser.problem_mark.line + 1,
	    ld->parser.problem != NULL ? ld->parser.problem : "invalid YAML");
	return false;
}

static struct conf_node *
new_node(enum conf_node_type type, const yaml_event_t *event)
{
	struct conf_node *node = calloc(1, sizeof *node);

	if (node == NULL)
		return NULL;
	node->type = type;
	node->line = (unsigned long)event->start_mark.line + 1;
	return node;
}

static bool
push_item(struct conf_node *parent, char *key, struct conf_node *item)
{
	struct conf_node **items;
	char **keys;

	items = realloc(parent->items, (parent->count + 1) * sizeof *items);
	if (items == NULL)
		return false;
	parent->items = items;
	if (parent->type == CONF_NODE_MAPPING) {
		keys = realloc(parent->keys, (parent->count + 1) * sizeof *keys);
		if (keys == NULL)
			return false;
		parent->keys = keys;
		keys[parent->count] = key;
	}
	items[parent->count++] = item;
	return true;
}

/* Reads the items of a sequence or the pairs of a mapping up to its end
 * event.  Keys must be scalars. */
static bool
parse_children(struct loader *ld, struct conf_node *parent, int depth)
{
	yaml_event_type_t end = parent->type == CONF_NODE_MAPPING ?
	    YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;

	for (;;) {
		yaml_event_t event;
		struct conf_node *item;
		char *key = NULL;

		if (!next_event(ld, &event))
			return false;
		if (event.type == end) {
			yaml_event_delete(&event);
			return true;
		}
		if (parent->type == CONF_NODE_MAPPING) {
			if (event.type != YAML_SCALAR_EVENT) {
				set_error(ld, (unsigned long)event.start_mark.line + 1,
				    "mapping keys must be plain scalars");
				yaml_event_delete(&event);
				return false;
			}
			key = strdup((const char *)event.data.scalar.value);
			yaml_event_delete(&event);
			if (key == NULL || !next_event(ld, &event)) {
				free(key);
				return false;
			}
		}
		item = parse_node(ld, &event, depth + 1);
		yaml_event_delete(&event);
		if (item == NULL || !push_item(parent, key, item)) {
			free(key);
			conf_node_free(item);
			return false;
		}
	}
}

static struct conf_node *
parse_node(struct loader *ld, yaml_event_t *event, int depth)
{
	struct conf_node *node;

	if (depth > MAX_DEPTH) {
		set_error(ld, (unsigned long)event->start_mark.line + 1,
		    "nested too deeply");
		return NULL;
	}
	switch (event->type) {
	case YAML_SCALAR_EVENT:
		node = new_node(CONF_NODE_SCALAR, event);
		if (node == NULL)
			return NULL;
		node->scalar = strdup((const char *)event->data.scalar.value);
		if (node->scalar == NULL) {
			free(node);
			return NULL;
		}
		return node;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		node = new_node(event->type == YAML_MAPPING_START_EVENT ?
		    CONF_NODE_MAPPING : CONF_NODE_SEQUENCE, event);
		if (node == NULL)
			return NULL;
		if (!parse_children(ld, node, depth)) {
			conf_node_free(node);
			return NULL;
		}
		return node;
	case YAML_ALIAS_EVENT:
		set_error(ld, (unsigned long)event->start_mark.line + 1,
		    "aliases are not supported: write the value out");
		return NULL;
	default:
		set_error(ld, (unsigned long)event->start_mark.line + 1,
		    "unexpected YAML event");
		return NULL;
	}
}

/* Skips the stream and document start events, then reads the root. */
static struct conf_node *
parse_document(struct loader *ld)
{
	yaml_event_t event;
	struct conf_node *root;

	for (;;) {
		if (!next_event(ld, &event))
			return NULL;
		if (event.type == YAML_STREAM_START_EVENT ||
		    event.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&event);
			continue;
		}
		break;
	}
	if (event.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&event);
		set_error(ld, 1, "empty document");
		return NULL;
	}
	root = parse_node(ld, &event, 0);
	yaml_event_delete(&event);
	return root;
}

/*
 * Loads the first document of a YAML file.  Returns the root, or NULL
 * with "path:line: reason" in error.
 */
struct conf_node *
conf_load_file(const char *path, char *error, size_t error_size)
{
	struct loader ld = { .path = path, .error = error, .error_size = error_size };
	struct conf_node *root;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!yaml_parser_initialize(&ld.parser)) {
		snprintf(error, error_size, "%s: out of memory", path);
		fclose(fp);
		return NULL;
	}
	yaml_parser_set_input_file(&ld.parser, fp);
	root = parse_document(&ld);
	if (root == NULL && error[0] == '\0')
		snprintf(error, error_size, "%s: out of memory", path);
	yaml_parser_delete(&ld.parser);
	fclose(fp);
	return root;
}

void
conf_node_free(struct conf_node *node)
{
	if (node == NULL)
		return;
	for (size_t i = 0; i < node->count; i++) {
		if (node->keys != NULL)
			free(node->keys[i]);
		conf_node_free(node->items[i]);
	}
	free(node->keys);
	free(node->items);
	free(node->scalar);
	free(node);
}

const struct conf_node *
conf_map_get(const struct conf_node *map, const char *key)
{
	if (map == NULL || map->type != CONF_NODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

/* Returns the scalar text under key, or NULL when absent or not a scalar. */
const char *
conf_map_scalar(const struct conf_node *map, const char *key)
{
	const struct conf_node *node = conf_map_get(map, key);

	return node != NULL && node->type == CONF_NODE_SCALAR ? node->scalar : NULL;
}

bool
conf_scalar_double(const struct conf_node *node, double *value)
{
	char *end;

	if (node == NULL || node->type != CONF_NODE_SCALAR || node->scalar[0] == '\0')
		return false;
	errno = 0;
	*value = strtod(node->scalar, &end);
	return *end == '\0' && errno == 0 && isfinite(*value);
}

bool
conf_scalar_long(const struct conf_node *node, long *value)
{
	char *end;

	if (node == NULL || node->type != CONF_NODE_SCALAR || node->scalar[0] == '\0')
		return false;
	errno = 0;
	*value = strtol(node->scalar, &end, 10);
	return *end == '\0' && errno == 0;
}

bool
conf_scalar_bool(const struct conf_node *node, bool *value)
{
	if (node == NULL || node->type != CONF_NODE_SCALAR)
		return false;
	if (strcmp(node->scalar, "true") == 0 || strcmp(node->scalar, "yes") == 0) {
		*value = true;
		return true;
	}
	if (strcmp(node->scalar, "false") == 0 || strcmp(node->scalar, "no") == 0) {
		*value = false;
		return true;
	}
	return false;
}

/* Sets one option from its node, unless the command line gave it.
 * Returns false when the value does not fit the option's type. */
static bool
apply_option(const struct conf_option *o, const struct conf_node *node)
{
	double ratio;
	long bytes;
	bool flag;

	switch (o->type) {
	case CONF_OPTION_TEXT:
		if (node->type != CONF_NODE_SCALAR || node->scalar[0] == '\0' ||
		    (o->valid != NULL && !o->valid(node->scalar)))
			return false;
		if (!o->given)
			*(const char **)o->value = node->scalar;
		return true;
	case CONF_OPTION_RATIO:
		if (!conf_scalar_double(node, &ratio) || ratio < 0 || ratio > 1)
			return false;
		if (!o->given)
			*(double *)o->value = ratio;
		return true;
	case CONF_OPTION_BYTES:
		if (!conf_scalar_long(node, &bytes) || bytes <= 0)
			return false;
		if (!o->given)
			*(size_t *)o->value = (size_t)bytes;
		return true;
	case CONF_OPTION_FLAG:
		if (!conf_scalar_bool(node, &flag))
			return false;
		if (!o->given)
			*(bool *)o->value = flag;
		return true;
	}
	return false;
}

/*
 * Applies the keys of one section of a --config file, such as
 *
 *   normalize:
 *     max-reject-ratio: 0.01
 *
 * to the options listed, except those the command line gave.  The text
 * values point into config.  A missing section changes nothing.  Returns
 * 0, or -1 after reporting an unknown key, a bad value or a section that
 * is not a mapping, with the file's name and the line.
 */
int
conf_apply_options(const struct conf_node *config, const char *path,
    const char *section_name, const struct conf_option *options, size_t count)
{
	const struct conf_node *section = conf_map_get(config, section_name);

	if (section == NULL)
		return 0;
	if (section->type != CONF_NODE_MAPPING) {
		log_error("%s:%lu: the %s section must be a mapping", path,
		    section->line, section_name);
		return -1;
	}
	for (size_t i = 0; i < section->count; i++) {
		const struct conf_node *node = section->items[i];
		const struct conf_option *o = NULL;

		for (size_t j = 0; j < count && o == NULL; j++)
			if (strcmp(options[j].key, section->keys[i]) == 0)
				o = &options[j];
		if (o == NULL) {
			log_error("%s:%lu: unknown %s option '%s'", path,
			    node->line, section_name, section->keys[i]);
			return -1;
		}
		if (!apply_option(o, node)) {
			log_error("%s:%lu: invalid value for '%s'", path,
			    node->line, section->keys[i]);
			return -1;
		}
	}
	return 0;
}
