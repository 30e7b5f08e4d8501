#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "universe.h"

static bool set_error(char *error, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the reason into error.  Returns false for the caller to pass on. */
static bool
set_error(char *error, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, size, fmt, ap);
	va_end(ap);
	return false;
}

/* Writes a CIK of 1 to 10 digits as the 10-digit string SEC uses, since
 * YAML readers differ on whether an unquoted 0001562088 keeps its
 * zeros. */
bool
universe_pad_cik(const char *text, char out[UNIVERSE_CIK_DIGITS + 1])
{
	size_t n = strlen(text);

	/* A cik of all zeros names no company. */
	if (n == 0 || n > UNIVERSE_CIK_DIGITS ||
	    strspn(text, "0123456789") != n || strspn(text, "0") == n)
		return false;
	memset(out, '0', UNIVERSE_CIK_DIGITS - n);
	memcpy(out + UNIVERSE_CIK_DIGITS - n, text, n + 1);
	return true;
}

/* Copies a scalar member, or leaves *out NULL when it is absent. */
static bool
copy_member(const struct conf_node *node, const char *key, char **out)
{
	const char *value = conf_map_scalar(node, key);

	*out = NULL;
	return value == NULL || (*out = strdup(value)) != NULL;
}

/* Fails on a key a company does not have, such as a misspelt one, which
 * would otherwise leave its member absent silently. */
static bool
check_keys(const struct conf_node *node, const char *path, char *error,
    size_t size)
{
	static const char *const keys[] = {
		"ticker", "cik", "name", "category", "listed",
	};

	for (size_t i = 0; i < node->count; i++) {
		size_t k = 0;

		while (k < sizeof keys / sizeof keys[0] &&
		    strcmp(node->keys[i], keys[k]) != 0)
			k++;
		if (k == sizeof keys / sizeof keys[0])
			return set_error(error, size, "%s:%lu: unknown key '%s': "
			    "a company has ticker, cik, name, category and "
			    "listed", path, node->items[i]->line, node->keys[i]);
		if (node->items[i]->type != CONF_NODE_SCALAR)
			return set_error(error, size, "%s:%lu: %s must be a "
			    "single value, not a list or a mapping", path,
			    node->items[i]->line, node->keys[i]);
		if (node->items[i]->scalar[0] == '\0')
			return set_error(error, size, "%s:%lu: %s is empty: give "
			    "it a value or leave the key out", path,
			    node->items[i]->line, node->keys[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(node->keys[i], node->keys[j]) == 0)
				return set_error(error, size, "%s:%lu: %s given "
				    "twice for one company", path,
				    node->items[i]->line, node->keys[i]);
	}
	return true;
}

static bool
read_company(struct universe_company *c, const struct conf_node *node,
    const char *path, char *error, size_t size)
{
	const char *ticker = conf_map_scalar(node, "ticker");
	const char *cik = conf_map_scalar(node, "cik");
	const struct conf_node *listed;

	c->line = node->line;
	c->listed = true;
	if (node->type != CONF_NODE_MAPPING)
		return set_error(error, size, "%s:%lu: a company must be a "
		    "mapping of ticker, cik, name, category and listed", path,
		    node->line);
	if (!check_keys(node, path, error, size))
		return false;
	if (ticker == NULL && cik == NULL)
		return set_error(error, size, "%s:%lu: each company needs a "
		    "ticker or a cik", path, node->line);
	if (cik != NULL && !universe_pad_cik(cik, c->cik))
		return set_error(error, size, "%s:%lu: invalid cik '%s': use "
		    "1 to 10 digits, not all zero", path, node->line, cik);
	listed = conf_map_get(node, "listed");
	if (listed != NULL && !conf_scalar_bool(listed, &c->listed))
		return set_error(error, size, "%s:%lu: listed must be true or "
		    "false, not '%s'", path, listed->line, listed->scalar);
	if (!copy_member(node, "ticker", &c->ticker) ||
	    !copy_member(node, "name", &c->name) ||
	    !copy_member(node, "category", &c->category))
		return set_error(error, size, "out of memory");
	return true;
}

/* Fails when company i repeats the ticker or the cik of an earlier one:
 * either would then decide which company a record belongs to. */
static bool
check_repeats(const struct universe *u, size_t i, const char *path,
    char *error, size_t size)
{
	const struct universe_company *c = &u->companies[i];

	for (size_t j = 0; j < i; j++) {
		const struct universe_company *earlier = &u->companies[j];
		bool same_cik = c->cik[0] != '\0' &&
		    strcmp(c->cik, earlier->cik) == 0;
		bool same_ticker = c->ticker != NULL && earlier->ticker != NULL &&
		    strcasecmp(c->ticker, earlier->ticker) == 0;

		if (same_cik || same_ticker)
			return set_error(error, size, "%s:%lu: %s repeats the %s "
			    "of line %lu: list each company once", path, c->line,
			    same_ticker ? c->ticker : c->cik,
			    same_ticker ? "ticker" : "cik", earlier->line);
	}
	return true;
}

static bool
read_companies(struct universe *u, const struct conf_node *root,
    const char *path, char *error, size_t size)
{
	const struct conf_node *list = conf_map_get(root, "companies");

	if (list == NULL || list->type != CONF_NODE_SEQUENCE)
		return set_error(error, size, "%s: a top-level 'companies' list "
		    "is required", path);
	u->companies = calloc(list->count + 1, sizeof *u->companies);
	if (u->companies == NULL)
		return set_error(error, size, "out of memory");
	for (size_t i = 0; i < list->count; i++) {
		u->count++;
		if (!read_company(&u->companies[i], list->items[i], path, error,
		    size) || !check_repeats(u, i, path, error, size))
			return false;
	}
	return true;
}

/*
 * Loads a universe file.  Each company needs a ticker or a cik, a cik has
 * 1 to 10 digits, and no two companies share a ticker (in any case) or a
 * cik.  Returns NULL with the reason, naming the file and the line, in
 * error.
 */
struct universe *
universe_load(const char *path, char *error, size_t size)
{
	struct conf_node *root = conf_load_file(path, error, size);
	struct universe *u;

	if (root == NULL)
		return NULL;
	u = calloc(1, sizeof *u);
	if (u == NULL)
		set_error(error, size, "out of memory");
	else if (!read_companies(u, root, path, error, size)) {
		universe_free(u);
		u = NULL;
	}
	conf_node_free(root);
	return u;
}

void
universe_free(struct universe *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->count; i++) {
		free(u->companies[i].ticker);
		free(u->companies[i].name);
		free(u->companies[i].category);
	}
	free(u->companies);
	free(u);
}

/*
 * Finds a company by cik, else by ticker (in any case) among the
 * companies listed without a cik.  cik may be NULL, to find a ticker
 * alone among every company.
 */
const struct universe_company *
universe_find(const struct universe *u, const char *cik, const char *ticker)
{
	if (u == NULL)
		return NULL;
	for (size_t i = 0; cik != NULL && i < u->count; i++)
		if (strcmp(u->companies[i].cik, cik) == 0)
			return &u->companies[i];
	for (size_t i = 0; ticker != NULL && i < u->count; i++) {
		const struct universe_company *c = &u->companies[i];

		if ((cik == NULL || c->cik[0] == '\0') && c->ticker != NULL &&
		    strcasecmp(c->ticker, ticker) == 0)
			return c;
	}
	return NULL;
}
