#ifndef CORPINTEL_CONF_H
#define CORPINTEL_CONF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A YAML document (mapping files, quality rules, the universe, --config)
 * loaded with libyaml into a small tree.  Scalars stay text: each reader
 * converts and checks the values it expects, and names the line of a bad
 * one with yaml_node_line.
 */

enum conf_node_type {
	CONF_NODE_SCALAR,
	CONF_NODE_SEQUENCE,
	CONF_NODE_MAPPING,
};

struct conf_node {
	enum conf_node_type type;
	char *scalar;			/* scalars only */
	size_t count;			/* items, or key/value pairs */
	char **keys;			/* mappings only: count keys */
	struct conf_node **items;	/* count values */
	unsigned long line;		/* 1-based line in the file */
};

struct conf_node *conf_load_file(const char *path, char *error,
    size_t error_size);
void conf_node_free(struct conf_node *node);

const struct conf_node *conf_map_get(const struct conf_node *map,
    const char *key);
const char *conf_map_scalar(const struct conf_node *map, const char *key);
bool conf_scalar_double(const struct conf_node *node, double *value);
bool conf_scalar_long(const struct conf_node *node, long *value);
bool conf_scalar_bool(const struct conf_node *node, bool *value);

/* The types of a --config option, and what value points to. */
enum conf_option_type {
	CONF_OPTION_TEXT,	/* a non-empty string: const char * */
	CONF_OPTION_RATIO,	/* a number from 0 to 1: double */
	CONF_OPTION_BYTES,	/* a positive whole number: size_t */
	CONF_OPTION_FLAG,	/* true or false (yes, no): bool */
};

/* One option a section of a --config file may set. */
struct conf_option {
	const char *key;
	enum conf_option_type type;
	void *value;
	bool given;			/* on the command line, which wins */
	bool (*valid)(const char *text);	/* text only; NULL: any */
};

int conf_apply_options(const struct conf_node *config, const char *path,
    const char *section_name, const struct conf_option *options,
    size_t count);

#endif
