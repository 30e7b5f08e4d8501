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

#endif
