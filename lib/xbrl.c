#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xbrl.h"

/*
 * The mapping file, the unit rules and the choice of one fact per key.
 * See xbrl.h for the data and corpintel-metrics(5) and normalize(1) for
 * the rules as users read them.
 */

/* ---- the mapping ---- */

static int
compare_concepts(const void *a, const void *b)
{
	const struct xbrl_concept *x = a, *y = b;
	int c = strcmp(x->taxonomy, y->taxonomy);

	return c != 0 ? c : strcmp(x->concept, y->concept);
}

/* Adds "taxonomy:Concept" to the table.  Returns false after reporting a
 * malformed name. */
static bool
add_concept(struct xbrl_mapping *m, const char *path,
    const struct conf_node *node, size_t metric, size_t priority)
{
	struct xbrl_concept *grown, *c;
	const char *colon;

	colon = node->type == CONF_NODE_SCALAR ? strchr(node->scalar, ':') : NULL;
	if (colon == NULL || colon == node->scalar || colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL) {
		log_error("%s:%lu: metric '%s': a concept must be written "
		    "taxonomy:Concept, as in us-gaap:Revenues", path, node->line,
		    m->metrics[metric].name);
		return false;
	}
	grown = realloc(m->concepts, (m->concept_count + 1) * sizeof *grown);
	if (grown == NULL) {
		log_error("out of memory");
		return false;
	}
	m->concepts = grown;
	c = &m->concepts[m->concept_count];
	c->taxonomy = strndup(node->scalar, (size_t)(colon - node->scalar));
	c->concept = strdup(colon + 1);
	c->qualified = strdup(node->scalar);
	c->metric = metric;
	c->priority = priority;
	if (c->taxonomy == NULL || c->concept == NULL || c->qualified == NULL) {
		free(c->taxonomy);
		free(c->concept);
		free(c->qualified);
		log_error("out of memory");
		return false;
	}
	m->concept_count++;
	return true;
}

static bool
parse_kinds(const char *path, const struct conf_node *entry,
    struct xbrl_metric *def)
{
	const char *kind = conf_map_scalar(entry, "kind");
	const char *unit = conf_map_scalar(entry, "unit_kind");

	if (kind != NULL && strcmp(kind, "flow") == 0) {
		def->kind = XBRL_FLOW;
	} else if (kind != NULL && strcmp(kind, "instant") == 0) {
		def->kind = XBRL_INSTANT;
	} else {
		log_error("%s:%lu: metric '%s': kind must be flow or instant",
		    path, entry->line, def->name);
		return false;
	}

	if (unit != NULL && strcmp(unit, "currency") == 0) {
		def->unit_kind = XBRL_CURRENCY;
	} else if (unit != NULL && strcmp(unit, "per-share") == 0) {
		def->unit_kind = XBRL_PER_SHARE;
	} else if (unit != NULL && strcmp(unit, "shares") == 0) {
		def->unit_kind = XBRL_SHARES;
	} else {
		log_error("%s:%lu: metric '%s': unit_kind must be currency, "
		    "per-share or shares for a mapped metric", path, entry->line,
		    def->name);
		return false;
	}
	return true;
}

/* Reads one entry of the metrics sequence.  Derived metrics are part of
 * the vocabulary but have no concepts, so they are left to transform. */
static bool
parse_metric(struct xbrl_mapping *m, const char *path,
    const struct conf_node *entry)
{
	const struct conf_node *concepts;
	struct xbrl_metric *def;
	const char *name;
	bool derived = false;

	name = conf_map_scalar(entry, "name");
	if (entry->type != CONF_NODE_MAPPING || name == NULL || *name == '\0') {
		log_error("%s:%lu: each metric needs a name", path, entry->line);
		return false;
	}
	/* Metrics of another source, such as yahoo, are mapped by that
	 * source's module (lib/yahoo_map.c); here they are only names. */
	if (conf_map_scalar(entry, "source") != NULL &&
	    strcmp(conf_map_scalar(entry, "source"), "sec") != 0)
		return true;
	if (conf_map_get(entry, "derived") != NULL &&
	    !conf_scalar_bool(conf_map_get(entry, "derived"), &derived)) {
		log_error("%s:%lu: metric '%s': derived must be true or false",
		    path, entry->line, name);
		return false;
	}
	concepts = conf_map_get(entry, "concepts");
	if (derived) {
		if (concepts != NULL) {
			log_error("%s:%lu: metric '%s': a derived metric lists no "
			    "concepts", path, entry->line, name);
			return false;
		}
		if (conf_map_scalar(entry, "derivation") == NULL) {
			log_error("%s:%lu: metric '%s': a derived metric needs its "
			    "derivation formula", path, entry->line, name);
			return false;
		}
		return true;
	}
	if (concepts == NULL || concepts->type != CONF_NODE_SEQUENCE ||
	    concepts->count == 0) {
		log_error("%s:%lu: metric '%s': concepts must be a list of "
		    "taxonomy:Concept names", path, entry->line, name);
		return false;
	}

	def = &m->metrics[m->metric_count];
	def->name = strdup(name);
	if (def->name == NULL) {
		log_error("out of memory");
		return false;
	}
	m->metric_count++;
	if (!parse_kinds(path, entry, def))
		return false;
	for (size_t i = 0; i < concepts->count; i++)
		if (!add_concept(m, path, concepts->items[i], m->metric_count - 1,
		    i))
			return false;
	return true;
}

/* Rejects a concept listed twice, which would make its metric ambiguous. */
static bool
concepts_unique(const struct xbrl_mapping *m, const char *path)
{
	for (size_t i = 1; i < m->concept_count; i++) {
		if (compare_concepts(&m->concepts[i - 1], &m->concepts[i]) != 0)
			continue;
		log_error("%s: concept %s is listed twice (metrics '%s' and "
		    "'%s')", path, m->concepts[i].qualified,
		    m->metrics[m->concepts[i - 1].metric].name,
		    m->metrics[m->concepts[i].metric].name);
		return false;
	}
	return true;
}

/*
 * Reads the mapping from the root of metrics.yaml; path names the file in
 * messages.  Returns false after reporting what is wrong with it.
 */
bool
xbrl_mapping_read(struct xbrl_mapping *m, const struct conf_node *root,
    const char *path)
{
	const struct conf_node *list;

	list = conf_map_get(root, "metrics");
	if (list == NULL || list->type != CONF_NODE_SEQUENCE) {
		log_error("%s: a top-level 'metrics' list is required", path);
		return false;
	}
	m->metrics = calloc(list->count + 1, sizeof *m->metrics);
	if (m->metrics == NULL) {
		log_error("out of memory");
		return false;
	}
	for (size_t i = 0; i < list->count; i++)
		if (!parse_metric(m, path, list->items[i]))
			return false;
	if (m->concept_count == 0) {
		log_error("%s: no metric lists any concept", path);
		return false;
	}
	qsort(m->concepts, m->concept_count, sizeof *m->concepts,
	    compare_concepts);
	return concepts_unique(m, path);
}

void
xbrl_mapping_free(struct xbrl_mapping *m)
{
	for (size_t i = 0; i < m->metric_count; i++)
		free(m->metrics[i].name);
	for (size_t i = 0; i < m->concept_count; i++) {
		free(m->concepts[i].taxonomy);
		free(m->concepts[i].concept);
		free(m->concepts[i].qualified);
	}
	free(m->metrics);
	free(m->concepts);
	memset(m, 0, sizeof *m);
}

const struct xbrl_concept *
xbrl_find_concept(const struct xbrl_mapping *m, const char *taxonomy,
    const char *concept)
{
	struct xbrl_concept key;

	key.taxonomy = (char *)taxonomy;
	key.concept = (char *)concept;
	return bsearch(&key, m->concepts, m->concept_count, sizeof key,
	    compare_concepts);
}

/* ---- units ---- */

static bool
currency_code(const char *s)
{
	for (int i = 0; i < XBRL_CURRENCY_LENGTH; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

/*
 * Checks the unit against the metric's unit kind: "USD" for currency,
 * "USD/shares" for per-share, "shares" for shares.  Copies the currency
 * code, or "" for shares, into currency.
 */
bool
xbrl_unit_fits(enum xbrl_unit_kind kind, const char *unit,
    char currency[XBRL_CURRENCY_LENGTH + 1])
{
	size_t n = strlen(unit);

	currency[0] = '\0';
	switch (kind) {
	case XBRL_CURRENCY:
		if (n != XBRL_CURRENCY_LENGTH || !currency_code(unit))
			return false;
		break;
	case XBRL_PER_SHARE:
		if (n != XBRL_CURRENCY_LENGTH + 7 || !currency_code(unit) ||
		    strcmp(unit + XBRL_CURRENCY_LENGTH, "/shares") != 0)
			return false;
		break;
	case XBRL_SHARES:
		return strcmp(unit, "shares") == 0;
	}
	memcpy(currency, unit, XBRL_CURRENCY_LENGTH);
	currency[XBRL_CURRENCY_LENGTH] = '\0';
	return true;
}

/*
 * Whether quarters can be added up and subtracted: amounts of money over
 * a period.  Per-share amounts cannot: a year's earnings per share is the
 * year's income over the year's weighted average share count, not the
 * sum of four quarterly figures computed on four other share counts.
 */
bool
xbrl_additive(const struct xbrl_metric *metric)
{
	return metric->kind == XBRL_FLOW && metric->unit_kind == XBRL_CURRENCY;
}

/*
 * The reporting currency of a company: the most frequent currency among
 * its facts, the alphabetically first on a tie.  Empty when no fact
 * carries a currency.
 * NOTE: currencies past the 32nd distinct one of a company are not
 * counted; filers use one to four.
 */
void
xbrl_reporting_currency(const struct xbrl_fact *facts, size_t count,
    char out[XBRL_CURRENCY_LENGTH + 1])
{
	char seen[32][XBRL_CURRENCY_LENGTH + 1];
	unsigned long votes[32];
	size_t distinct = 0, best = 0;

	for (size_t i = 0; i < count; i++) {
		const char *currency = facts[i].currency;
		size_t j;

		if (currency[0] == '\0')
			continue;
		for (j = 0; j < distinct; j++)
			if (strcmp(seen[j], currency) == 0)
				break;
		if (j == distinct) {
			if (distinct == 32)
				continue;
			memcpy(seen[distinct], currency, sizeof seen[0]);
			votes[distinct++] = 0;
		}
		votes[j]++;
	}

	out[0] = '\0';
	for (size_t j = 0; j < distinct; j++) {
		if (j == 0 || votes[j] > votes[best] ||
		    (votes[j] == votes[best] && strcmp(seen[j], seen[best]) < 0))
			best = j;
	}
	if (distinct > 0)
		memcpy(out, seen[best], XBRL_CURRENCY_LENGTH + 1);
}

/* ---- records ---- */

struct xbrl_record *
xbrl_records_add(struct xbrl_records *r)
{
	if (r->count == r->cap) {
		size_t cap = r->cap == 0 ? 64 : r->cap * 2;
		struct xbrl_record *grown = realloc(r->items, cap * sizeof *grown);

		if (grown == NULL)
			return NULL;
		r->items = grown;
		r->cap = cap;
	}
	memset(&r->items[r->count], 0, sizeof r->items[0]);
	return &r->items[r->count++];
}

void
xbrl_records_free(struct xbrl_records *r)
{
	free(r->items);
	memset(r, 0, sizeof *r);
}

/*
 * Appends the accessions of more (one, or several joined by ';') that
 * ref does not hold yet.  Returns false when they do not fit, which
 * XBRL_REF_SIZE rules out for the derivations quarters.c makes.
 */
bool
xbrl_ref_join(char ref[XBRL_REF_SIZE], const char *more)
{
	size_t used = strlen(ref);

	while (*more != '\0') {
		size_t n = strcspn(more, ";");
		bool known = false;

		for (const char *p = ref; *p != '\0'; p += strcspn(p, ";"),
		    p += *p == ';') {
			if (strncmp(p, more, n) == 0 &&
			    (p[n] == ';' || p[n] == '\0')) {
				known = true;
				break;
			}
		}
		if (!known) {
			if (used + (used > 0) + n >= XBRL_REF_SIZE)
				return false;
			if (used > 0)
				ref[used++] = ';';
			memcpy(ref + used, more, n);
			used += n;
			ref[used] = '\0';
		}
		more += n;
		more += *more == ';';
	}
	return true;
}

/* Output order of period types: instant, quarter, ytd, annual, ttm. */
static int
period_type_rank(enum period_class class)
{
	switch (class) {
	case PERIOD_INSTANT:	return 0;
	case PERIOD_QUARTER:	return 1;
	case PERIOD_YTD_6M:	return 2;
	case PERIOD_YTD_9M:	return 2;
	case PERIOD_ANNUAL:	return 3;
	case PERIOD_TTM:	return 4;
	case PERIOD_UNCLASSIFIED: break;
	}
	return 5;
}

/* Orders by key: metric, period type, period end. */
static int
compare_records(const void *a, const void *b)
{
	const struct xbrl_record *x = a, *y = b;

	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	if (period_type_rank(x->class) != period_type_rank(y->class))
		return period_type_rank(x->class) - period_type_rank(y->class);
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

/* Sorts records into the output order; keys are unique, so the order is
 * complete. */
void
xbrl_records_sort(struct xbrl_records *r)
{
	/* No records may mean no array, which qsort must not be given. */
	if (r->count > 0)
		qsort(r->items, r->count, sizeof *r->items, compare_records);
}

/* ---- one fact per key ---- */

static int
compare_keys(const struct xbrl_fact *x, const struct xbrl_fact *y)
{
	if ((x->fate == XBRL_UNCLASSIFIED) != (y->fate == XBRL_UNCLASSIFIED))
		return x->fate == XBRL_UNCLASSIFIED ? 1 : -1;
	if (x->concept->metric != y->concept->metric)
		return x->concept->metric < y->concept->metric ? -1 : 1;
	if (period_type_rank(x->class) != period_type_rank(y->class))
		return period_type_rank(x->class) - period_type_rank(y->class);
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->concept->priority != y->concept->priority)
		return x->concept->priority < y->concept->priority ? -1 : 1;
	return 0;
}

/* Within a key and concept: the latest filing first, then the greater
 * accession number, then input order. */
static int
compare_latest(const void *a, const void *b)
{
	const struct xbrl_fact *x = a, *y = b;
	int c = compare_keys(x, y);

	if (c != 0)
		return c;
	if (x->filed != y->filed)
		return x->filed > y->filed ? -1 : 1;
	c = strcmp(x->accn, y->accn);
	if (c != 0)
		return -c;
	return x->sequence < y->sequence ? -1 : 1;
}

/* Within a key and concept: the first filing first, then the smaller
 * accession number, then input order. */
static int
compare_first(const void *a, const void *b)
{
	const struct xbrl_fact *x = a, *y = b;
	int c = compare_keys(x, y);

	if (c != 0)
		return c;
	if (x->filed != y->filed)
		return x->filed < y->filed ? -1 : 1;
	c = strcmp(x->accn, y->accn);
	if (c != 0)
		return c;
	return x->sequence < y->sequence ? -1 : 1;
}

static bool
same_key(const struct xbrl_fact *x, const struct xbrl_fact *y)
{
	return x->concept->metric == y->concept->metric &&
	    period_type_rank(x->class) == period_type_rank(y->class) &&
	    x->end == y->end;
}

/*
 * The winner among facts[0..n), the best first: the first in the
 * reporting currency (or without a currency), else the first of all, for
 * a key that only another currency reports.
 */
static size_t
pick_winner(const struct xbrl_fact *facts, size_t n, const char *currency)
{
	for (size_t i = 0; i < n; i++)
		if (facts[i].currency[0] == '\0' ||
		    strcmp(facts[i].currency, currency) == 0)
			return i;
	return 0;
}

/*
 * Whether the filings that report the winner's period under its concept,
 * in its unit, disagree on the value: then a later filing changed the
 * value first reported.
 */
static bool
was_revised(const struct xbrl_fact *facts, size_t n, const struct xbrl_fact *w)
{
	for (size_t i = 0; i < n; i++) {
		const struct xbrl_fact *f = &facts[i];

		if (f->concept == w->concept && f->start == w->start &&
		    strcmp(f->unit, w->unit) == 0 && f->value != w->value)
			return true;
	}
	return false;
}

/* Marks the facts of one key and writes the record of its winner. */
static bool
settle_key(struct xbrl_fact *facts, size_t n, const char *currency,
    int year_end_month, struct xbrl_records *out)
{
	size_t w = pick_winner(facts, n, currency);
	struct xbrl_fact *win = &facts[w];
	struct xbrl_record *r;
	struct fiscal_period fp;

	for (size_t i = 0; i < n; i++) {
		if (i == w)
			facts[i].fate = XBRL_USED;
		else if (strcmp(facts[i].currency, win->currency) != 0)
			facts[i].fate = XBRL_OTHER_CURRENCY;
		else
			facts[i].fate = XBRL_SUPERSEDED;
	}

	r = xbrl_records_add(out);
	if (r == NULL)
		return false;
	fiscal_period_of(win->class, win->end, year_end_month, &fp);
	r->metric = win->concept->metric;
	r->class = win->class;
	r->start = win->start;
	r->end = win->end;
	r->filed = win->filed;
	r->value = win->value;
	memcpy(r->unit, win->unit, sizeof r->unit);
	r->fiscal_year = fp.year;
	r->fiscal_period = fp.name;
	memcpy(r->source_ref, win->accn, sizeof win->accn);
	r->concept = win->concept;
	r->revised = was_revised(facts, n, win);
	return true;
}

/*
 * Places a company's facts in its fiscal calendar and keeps one per key
 * (metric, period type, period end), appending its record to out in key
 * order.  Among the facts of a key, the one in the reporting currency
 * wins, then the concept listed first, then the latest (or, with
 * XBRL_FIRST_FILED, the first) filing, then the greater (smaller)
 * accession number.  Sets the fate of every fact.  The facts are
 * reordered.  Returns false when out of memory.
 */
bool
xbrl_select(struct xbrl_fact *facts, size_t count, int year_end_month,
    enum xbrl_choice choice, struct xbrl_records *out)
{
	char currency[XBRL_CURRENCY_LENGTH + 1];
	size_t i, j;

	/* A company without mapped facts has no array at all, and qsort must
	 * not be given a null pointer even for no elements. */
	if (count == 0)
		return true;
	xbrl_reporting_currency(facts, count, currency);
	for (i = 0; i < count; i++) {
		struct fiscal_period fp;

		facts[i].fate = fiscal_period_of(facts[i].class, facts[i].end,
		    year_end_month, &fp) ? XBRL_USED : XBRL_UNCLASSIFIED;
	}
	qsort(facts, count, sizeof *facts, choice == XBRL_FIRST_FILED ?
	    compare_first : compare_latest);

	for (i = 0; i < count && facts[i].fate != XBRL_UNCLASSIFIED; i = j) {
		for (j = i + 1; j < count && facts[j].fate != XBRL_UNCLASSIFIED &&
		    same_key(&facts[i], &facts[j]); j++)
			continue;
		if (!settle_key(facts + i, j - i, currency, year_end_month, out))
			return false;
	}
	return true;
}
