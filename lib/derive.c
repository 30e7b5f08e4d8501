#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

/* Reported metric names, indexed by enum derive_input. */
static const char *const input_names[DERIVE_INPUT_COUNT] = {
	"revenue", "gross_profit", "operating_income", "net_income",
};

/* The margins: each divides one reported metric by revenue. */
static const struct {
	enum derive_input numerator;
	const char *metric;
	const char *derivation;
} margins[] = {
	{ DERIVE_GROSS_PROFIT, "gross_margin", "gross_profit / revenue" },
	{ DERIVE_OPERATING_INCOME, "operating_margin",
	    "operating_income / revenue" },
	{ DERIVE_NET_INCOME, "net_margin", "net_income / revenue" },
};

static const char *const absence_names[DERIVE_ABSENCE_COUNT] = {
	"no-revenue", "revenue-not-positive", "unit-mismatch",
	"period-start-mismatch", "no-prior-period", "ambiguous-prior-period",
	"unit-change", "prior-revenue-not-positive", "out-of-range",
};

/* A stored metric: the caller's record with its strings copied into one
 * block, so that replacing it is one free. */
struct entry {
	struct derive_metric m;
	char *strings;
};

struct derive_store {
	struct entry *entries;
	size_t count;
	size_t cap;
	size_t *slots;		/* open addressing: entry index + 1, 0 empty */
	size_t slot_count;	/* a power of two */
};

struct derived_list {
	struct derived_metric *items;
	size_t count;
	size_t cap;
};

struct derive_store *
derive_store_new(void)
{
	return calloc(1, sizeof(struct derive_store));
}

/* Returns the input a metric name feeds, or -1 when no derivation reads it. */
int
derive_input_of(const char *metric)
{
	for (int i = 0; i < DERIVE_INPUT_COUNT; i++)
		if (strcmp(metric, input_names[i]) == 0)
			return i;
	return -1;
}

/* Margins and growth are derived for annual and quarterly periods only:
 * a ratio over year-to-date or instant values would mislead. */
bool
derive_period_type_used(const char *period_type)
{
	return strcmp(period_type, "annual") == 0 ||
	    strcmp(period_type, "quarter") == 0;
}

/* FNV-1a over the fields of the key. */
static uint64_t
hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211u;
	}
	return h;
}

static uint64_t
key_hash(const struct derive_metric *m)
{
	uint64_t h = 14695981039346656037u;
	int input = (int)m->input;

	h = hash_bytes(h, m->cik, strlen(m->cik) + 1);
	h = hash_bytes(h, m->period_type, strlen(m->period_type) + 1);
	h = hash_bytes(h, &m->period_end, sizeof m->period_end);
	return hash_bytes(h, &input, sizeof input);
}

static bool
key_equal(const struct derive_metric *a, const struct derive_metric *b)
{
	return a->input == b->input && a->period_end == b->period_end &&
	    strcmp(a->cik, b->cik) == 0 &&
	    strcmp(a->period_type, b->period_type) == 0;
}

/* Returns the slot of the key: the one holding it, or the empty one
 * where it goes. */
static size_t
find_slot(const struct derive_store *store, const struct derive_metric *m)
{
	size_t mask = store->slot_count - 1;
	size_t i = (size_t)key_hash(m) & mask;

	while (store->slots[i] != 0 &&
	    !key_equal(&store->entries[store->slots[i] - 1].m, m))
		i = (i + 1) & mask;
	return i;
}

/* Keeps the table at most half full, so probes stay short. */
static int
grow_slots(struct derive_store *store)
{
	size_t old_count = store->slot_count;
	size_t *old = store->slots;

	if (store->count + 1 <= old_count / 2)
		return 0;
	store->slot_count = old_count == 0 ? 1024 : old_count * 2;
	store->slots = calloc(store->slot_count, sizeof *store->slots);
	if (store->slots == NULL) {
		store->slots = old;
		store->slot_count = old_count;
		return -1;
	}
	for (size_t e = 0; e < store->count; e++)
		store->slots[find_slot(store, &store->entries[e].m)] = e + 1;
	free(old);
	return 0;
}

static int
grow_entries(struct derive_store *store)
{
	struct entry *grown;
	size_t cap;

	if (store->count < store->cap)
		return 0;
	cap = store->cap == 0 ? 1024 : store->cap * 2;
	grown = realloc(store->entries, cap * sizeof *grown);
	if (grown == NULL)
		return -1;
	store->entries = grown;
	store->cap = cap;
	return 0;
}

static size_t
text_size(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

static const char *
copy_text(char **cursor, const char *s)
{
	char *copy;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	copy = memcpy(*cursor, s, n);
	*cursor += n;
	return copy;
}

/* Copies the metric's strings into one allocation owned by the entry. */
static int
fill_entry(struct entry *e, const struct derive_metric *m)
{
	size_t size = text_size(m->cik) + text_size(m->ticker) +
	    text_size(m->unit) + text_size(m->period_type) +
	    text_size(m->period_start) + text_size(m->fiscal_period) +
	    text_size(m->source_ref) + text_size(m->filed);
	char *cursor = malloc(size > 0 ? size : 1);

	if (cursor == NULL)
		return -1;
	e->strings = cursor;
	e->m = *m;
	e->m.cik = copy_text(&cursor, m->cik);
	e->m.ticker = copy_text(&cursor, m->ticker);
	e->m.unit = copy_text(&cursor, m->unit);
	e->m.period_type = copy_text(&cursor, m->period_type);
	e->m.period_start = copy_text(&cursor, m->period_start);
	e->m.fiscal_period = copy_text(&cursor, m->fiscal_period);
	e->m.source_ref = copy_text(&cursor, m->source_ref);
	e->m.filed = copy_text(&cursor, m->filed);
	return 0;
}

/*
 * Stores a metric, whose cik, unit and period_type must not be NULL.  A
 * stored metric with the same key is replaced, as a later filing
 * supersedes an earlier one in a stream sorted by time.
 */
enum derive_add_result
derive_store_add(struct derive_store *store, const struct derive_metric *m)
{
	struct entry fresh;
	size_t slot;

	if (grow_slots(store) < 0 || grow_entries(store) < 0)
		return DERIVE_NO_MEMORY;
	if (fill_entry(&fresh, m) < 0)
		return DERIVE_NO_MEMORY;

	slot = find_slot(store, m);
	if (store->slots[slot] != 0) {
		struct entry *old = &store->entries[store->slots[slot] - 1];

		free(old->strings);
		*old = fresh;
		return DERIVE_REPLACED;
	}
	store->entries[store->count] = fresh;
	store->slots[slot] = ++store->count;
	return DERIVE_ADDED;
}

size_t
derive_store_count(const struct derive_store *store)
{
	return store->count;
}

/* Order of the walk: company, period type, period end, then input. */
static int
compare_entries(const void *pa, const void *pb)
{
	const struct derive_metric *a = &(*(const struct entry *const *)pa)->m;
	const struct derive_metric *b = &(*(const struct entry *const *)pb)->m;
	int c;

	if ((c = strcmp(a->cik, b->cik)) != 0)
		return c;
	if ((c = strcmp(a->period_type, b->period_type)) != 0)
		return c;
	if (a->period_end != b->period_end)
		return a->period_end < b->period_end ? -1 : 1;
	return (int)a->input - (int)b->input;
}

/* Order of the output: company, metric, period type, period end. */
static int
compare_derived(const void *pa, const void *pb)
{
	const struct derived_metric *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->cik, b->cik)) != 0)
		return c;
	if ((c = strcmp(a->metric, b->metric)) != 0)
		return c;
	if ((c = strcmp(a->period_type, b->period_type)) != 0)
		return c;
	if (a->period_end != b->period_end)
		return a->period_end < b->period_end ? -1 : 1;
	return 0;
}

static bool
same_series(const struct derive_metric *a, const struct derive_metric *b)
{
	return strcmp(a->cik, b->cik) == 0 &&
	    strcmp(a->period_type, b->period_type) == 0;
}

/* Joins two source references: one when they agree, "A;B" when they
 * differ, NULL when neither is known.  Sets *failed when out of memory. */
static char *
join_refs(const char *a, const char *b, bool *failed)
{
	char *joined;
	size_t na, nb;

	if (a == NULL || (b != NULL && strcmp(a, b) == 0))
		a = b, b = NULL;
	if (a == NULL)
		return NULL;
	na = strlen(a);
	nb = b != NULL ? strlen(b) + 1 : 0;
	joined = malloc(na + nb + 1);
	if (joined == NULL) {
		*failed = true;
		return NULL;
	}
	memcpy(joined, a, na);
	if (b != NULL) {
		joined[na] = ';';
		memcpy(joined + na + 1, b, nb - 1);
	}
	joined[na + nb] = '\0';
	return joined;
}

/* The later of two ISO dates, either of which may be unknown. */
static const char *
latest_date(const char *a, const char *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return strcmp(a, b) >= 0 ? a : b;
}

/*
 * Appends numerator / denominator's derived record, dated like the base
 * revenue record, with the references of both inputs in the formula's
 * order.  Returns -1 when out of memory.
 */
static int
add_derived(struct derived_list *list, const char *metric,
    const char *derivation, double value, const struct derive_metric *base,
    const struct derive_metric *numerator,
    const struct derive_metric *denominator,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	struct derived_metric *d;
	bool failed = false;

	if (!isfinite(value)) {
		absent[DERIVE_ABSENT_OUT_OF_RANGE]++;
		return 0;
	}

	if (list->count == list->cap) {
		size_t cap = list->cap == 0 ? 256 : list->cap * 2;
		struct derived_metric *grown;

		grown = realloc(list->items, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		list->items = grown;
		list->cap = cap;
	}
	d = &list->items[list->count];
	d->cik = base->cik;
	d->ticker = numerator->ticker != NULL ? numerator->ticker :
	    denominator->ticker;
	d->metric = metric;
	d->value = value;
	d->period_type = base->period_type;
	d->period_start = base->period_start;
	d->period_end = base->period_end;
	d->has_fiscal_year = base->has_fiscal_year;
	d->fiscal_year = base->fiscal_year;
	d->fiscal_period = base->fiscal_period;
	d->filed = latest_date(numerator->filed, denominator->filed);
	d->derivation = derivation;
	d->source_ref = join_refs(numerator->source_ref,
	    denominator->source_ref, &failed);
	if (failed)
		return -1;
	list->count++;
	return 0;
}

/*
 * Derives the margins of one period from the entries of one (cik,
 * period_type, period_end) group, indexed by input.
 */
static int
derive_margins(struct derived_list *list,
    const struct derive_metric *group[DERIVE_INPUT_COUNT],
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *revenue = group[DERIVE_REVENUE];

	for (size_t i = 0; i < sizeof margins / sizeof margins[0]; i++) {
		const struct derive_metric *part = group[margins[i].numerator];

		if (part == NULL)
			continue;
		if (revenue == NULL) {
			absent[DERIVE_ABSENT_NO_REVENUE]++;
			continue;
		}
		if (!(revenue->value > 0)) {
			absent[DERIVE_ABSENT_REVENUE_NOT_POSITIVE]++;
			continue;
		}
		if (strcmp(part->unit, revenue->unit) != 0) {
			absent[DERIVE_ABSENT_UNIT_MISMATCH]++;
			continue;
		}
		if (part->period_start != NULL && revenue->period_start != NULL &&
		    strcmp(part->period_start, revenue->period_start) != 0) {
			absent[DERIVE_ABSENT_PERIOD_START_MISMATCH]++;
			continue;
		}
		if (add_derived(list, margins[i].metric, margins[i].derivation,
		    part->value / revenue->value, revenue, part, revenue,
		    absent) < 0)
			return -1;
	}
	return 0;
}

/*
 * Finds the revenue of the same period one year before sorted[at]: the
 * one revenue of the same company and period type whose period ended
 * DERIVE_PRIOR_YEAR_MIN_DAYS to _MAX_DAYS earlier.  Returns NULL with the
 * reason in *why when there is none or more than one.
 */
static const struct derive_metric *
find_prior_year(struct entry **sorted, size_t at, enum derive_absence *why)
{
	const struct derive_metric *current = &sorted[at]->m, *prior = NULL;
	int candidates = 0;

	for (size_t j = at; j-- > 0;) {
		const struct derive_metric *m = &sorted[j]->m;
		long days = current->period_end - m->period_end;

		if (!same_series(current, m) || days > DERIVE_PRIOR_YEAR_MAX_DAYS)
			break;
		if (m->input != DERIVE_REVENUE || days < DERIVE_PRIOR_YEAR_MIN_DAYS)
			continue;
		prior = m;
		candidates++;
	}
	if (candidates == 1)
		return prior;
	*why = candidates == 0 ? DERIVE_ABSENT_NO_PRIOR_PERIOD :
	    DERIVE_ABSENT_AMBIGUOUS_PRIOR;
	return NULL;
}

/*
 * Derives year-over-year growth for the revenue at sorted[at].  Computed
 * as (current - prior) / prior, which equals current / prior - 1 but
 * keeps 120 over 100 at 0.2 instead of 0.19999999999999996.
 */
static int
derive_growth(struct derived_list *list, struct entry **sorted, size_t at,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *current = &sorted[at]->m, *prior;
	enum derive_absence why = DERIVE_ABSENT_NO_PRIOR_PERIOD;

	prior = find_prior_year(sorted, at, &why);
	if (prior == NULL) {
		absent[why]++;
		return 0;
	}
	if (strcmp(prior->unit, current->unit) != 0) {
		absent[DERIVE_ABSENT_UNIT_CHANGE]++;
		return 0;
	}
	if (!(prior->value > 0)) {
		absent[DERIVE_ABSENT_PRIOR_NOT_POSITIVE]++;
		return 0;
	}
	return add_derived(list, "revenue_growth_yoy",
	    "revenue / revenue[prior year] - 1",
	    (current->value - prior->value) / prior->value, current, current,
	    prior, absent);
}

/* Walks the sorted entries one (cik, period_type, period_end) group at a
 * time. */
static int
derive_all(struct derived_list *list, struct entry **sorted, size_t count,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	size_t start = 0;

	while (start < count) {
		const struct derive_metric *group[DERIVE_INPUT_COUNT] = { NULL };
		size_t end = start;

		while (end < count && same_series(&sorted[start]->m,
		    &sorted[end]->m) &&
		    sorted[end]->m.period_end == sorted[start]->m.period_end) {
			group[sorted[end]->m.input] = &sorted[end]->m;
			end++;
		}
		if (derive_margins(list, group, absent) < 0)
			return -1;
		for (size_t i = start; i < end; i++)
			if (sorted[i]->m.input == DERIVE_REVENUE &&
			    derive_growth(list, sorted, i, absent) < 0)
				return -1;
		start = end;
	}
	return 0;
}

/*
 * Derives every metric the store allows and passes each to emit in
 * order.  Adds the derivations left out to absent[reason].  Returns 0,
 * emit's nonzero result, or -1 when out of memory.
 */
int
derive_run(struct derive_store *store, derive_emit_fn *emit, void *arg,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	struct derived_list list = { NULL, 0, 0 };
	struct entry **sorted;
	int status = 0;

	sorted = malloc((store->count > 0 ? store->count : 1) * sizeof *sorted);
	if (sorted == NULL)
		return -1;
	for (size_t i = 0; i < store->count; i++)
		sorted[i] = &store->entries[i];
	qsort(sorted, store->count, sizeof *sorted, compare_entries);

	if (derive_all(&list, sorted, store->count, absent) < 0)
		status = -1;
	if (status == 0 && list.count > 0)
		qsort(list.items, list.count, sizeof *list.items,
		    compare_derived);
	for (size_t i = 0; status == 0 && i < list.count; i++)
		status = emit(&list.items[i], arg);

	for (size_t i = 0; i < list.count; i++)
		free(list.items[i].source_ref);
	free(list.items);
	free(sorted);
	return status;
}

const char *
derive_absence_name(enum derive_absence absence)
{
	return absence_names[absence];
}

void
derive_store_free(struct derive_store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->count; i++)
		free(store->entries[i].strings);
	free(store->entries);
	free(store->slots);
	free(store);
}
