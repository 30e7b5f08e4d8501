#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

/* Metric names of the vocabulary, indexed by enum derive_input. */
static const char *const input_names[DERIVE_INPUT_COUNT] = {
	"revenue", "gross_profit", "operating_income", "net_income",
	"operating_cash_flow", "capital_expenditure", "eps_diluted",
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

/* Year-over-year growth of these inputs, for every period type. */
static const struct {
	enum derive_input input;
	const char *metric;
	const char *derivation;
} yearly_growth[] = {
	{ DERIVE_REVENUE, "revenue_growth_yoy",
	    "revenue / revenue[prior year] - 1" },
	{ DERIVE_EPS_DILUTED, "eps_growth_yoy",
	    "eps_diluted / eps_diluted[prior year] - 1" },
};

#define TTM_DERIVATION "sum of 4 consecutive quarters"

static const char *const absence_names[DERIVE_ABSENCE_COUNT] = {
	"no-revenue", "revenue-not-positive", "unit-mismatch",
	"period-start-mismatch", "no-prior-period", "ambiguous-prior-period",
	"unit-change", "prior-not-positive", "no-capital-expenditure",
	"out-of-range",
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

/* Margins and growth are derived for annual, quarterly and TTM periods
 * only: a ratio over year-to-date or instant values would mislead. */
bool
derive_period_type_used(const char *period_type)
{
	return strcmp(period_type, "annual") == 0 ||
	    strcmp(period_type, "quarter") == 0 ||
	    strcmp(period_type, "ttm") == 0;
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
	    text_size(m->source_ref) + text_size(m->filed) +
	    text_size(m->derivation);
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
	e->m.derivation = copy_text(&cursor, m->derivation);
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

/*
 * Joins the inputs' source references with ';' in the order given,
 * skipping unknown ones and repeats.  Returns NULL when none is known,
 * and sets *failed when out of memory.
 */
static char *
join_refs(const struct derive_metric *const *inputs, size_t count,
    bool *failed)
{
	size_t size = 1, len = 0;
	char *joined;

	for (size_t i = 0; i < count; i++)
		if (inputs[i]->source_ref != NULL)
			size += strlen(inputs[i]->source_ref) + 1;
	if (size == 1)
		return NULL;
	joined = malloc(size);
	if (joined == NULL) {
		*failed = true;
		return NULL;
	}
	joined[0] = '\0';

	for (size_t i = 0; i < count; i++) {
		const char *ref = inputs[i]->source_ref;
		bool seen = false;

		if (ref == NULL)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = inputs[j]->source_ref != NULL &&
			    strcmp(inputs[j]->source_ref, ref) == 0;
		if (seen)
			continue;
		if (len > 0)
			joined[len++] = ';';
		memcpy(joined + len, ref, strlen(ref) + 1);
		len += strlen(ref);
	}
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
 * Appends a derived record dated like base, with the references of the
 * inputs in the formula's order.  unit NULL means "pure", a ratio.
 * Returns -1 when out of memory.
 */
static int
add_derived(struct derived_list *list, const char *metric,
    const char *derivation, const char *unit, double value,
    const struct derive_metric *base,
    const struct derive_metric *const *inputs, size_t count,
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
	memset(d, 0, sizeof *d);
	d->cik = base->cik;
	d->metric = metric;
	d->value = value;
	d->unit = unit != NULL ? unit : "pure";
	d->period_type = base->period_type;
	d->period_start = base->period_start;
	d->period_end = base->period_end;
	d->has_fiscal_year = base->has_fiscal_year;
	d->fiscal_year = base->fiscal_year;
	d->fiscal_period = base->fiscal_period;
	d->derivation = derivation;
	for (size_t i = 0; i < count; i++) {
		if (d->ticker == NULL)
			d->ticker = inputs[i]->ticker;
		d->filed = latest_date(d->filed, inputs[i]->filed);
	}
	d->source_ref = join_refs(inputs, count, &failed);
	if (failed)
		return -1;
	list->count++;
	return 0;
}

/* Whether two metrics of one period cover the same days, as far as their
 * starts are known. */
static bool
same_start(const struct derive_metric *a, const struct derive_metric *b)
{
	return a->period_start == NULL || b->period_start == NULL ||
	    strcmp(a->period_start, b->period_start) == 0;
}

/*
 * Checks that part can be divided by revenue of the same period, and
 * counts the reason when not.
 */
static bool
divisible_by_revenue(const struct derive_metric *part,
    const struct derive_metric *revenue,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	if (revenue == NULL) {
		absent[DERIVE_ABSENT_NO_REVENUE]++;
		return false;
	}
	if (!(revenue->value > 0)) {
		absent[DERIVE_ABSENT_REVENUE_NOT_POSITIVE]++;
		return false;
	}
	if (strcmp(part->unit, revenue->unit) != 0) {
		absent[DERIVE_ABSENT_UNIT_MISMATCH]++;
		return false;
	}
	if (!same_start(part, revenue)) {
		absent[DERIVE_ABSENT_PERIOD_START_MISMATCH]++;
		return false;
	}
	return true;
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
		const struct derive_metric *inputs[2] = { part, revenue };

		if (part == NULL || !divisible_by_revenue(part, revenue, absent))
			continue;
		if (add_derived(list, margins[i].metric, margins[i].derivation,
		    NULL, part->value / revenue->value, revenue, inputs, 2,
		    absent) < 0)
			return -1;
	}
	return 0;
}

/*
 * Derives free cash flow, operating cash flow less capital expenditure,
 * and its margin over revenue.  Capital expenditure is reported as a
 * positive payment (PaymentsToAcquirePropertyPlantAndEquipment), so it is
 * subtracted as it is.
 */
static int
derive_free_cash_flow(struct derived_list *list,
    const struct derive_metric *group[DERIVE_INPUT_COUNT],
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *cash = group[DERIVE_OPERATING_CASH_FLOW];
	const struct derive_metric *capex = group[DERIVE_CAPITAL_EXPENDITURE];
	const struct derive_metric *revenue = group[DERIVE_REVENUE];
	const struct derive_metric *inputs[3] = { cash, capex, revenue };
	double fcf;

	if (cash == NULL)
		return 0;
	if (capex == NULL) {
		absent[DERIVE_ABSENT_NO_CAPITAL_EXPENDITURE]++;
		return 0;
	}
	if (strcmp(cash->unit, capex->unit) != 0) {
		absent[DERIVE_ABSENT_UNIT_MISMATCH]++;
		return 0;
	}
	if (!same_start(cash, capex)) {
		absent[DERIVE_ABSENT_PERIOD_START_MISMATCH]++;
		return 0;
	}
	fcf = cash->value - capex->value;
	if (add_derived(list, "free_cash_flow",
	    "operating_cash_flow - capital_expenditure", cash->unit, fcf, cash,
	    inputs, 2, absent) < 0)
		return -1;

	if (!divisible_by_revenue(cash, revenue, absent))
		return 0;
	return add_derived(list, "free_cash_flow_margin",
	    "(operating_cash_flow - capital_expenditure) / revenue", NULL,
	    fcf / revenue->value, revenue, inputs, 3, absent);
}

/*
 * Finds the metric of the same company, period type and input as
 * sorted[at] whose period ended min_days to max_days earlier.  Returns
 * NULL with the reason in *why when there is none or more than one.
 */
static const struct derive_metric *
find_prior(struct entry **sorted, size_t at, long min_days, long max_days,
    enum derive_absence *why)
{
	const struct derive_metric *current = &sorted[at]->m, *prior = NULL;
	int candidates = 0;

	for (size_t j = at; j-- > 0;) {
		const struct derive_metric *m = &sorted[j]->m;
		long days = current->period_end - m->period_end;

		if (!same_series(current, m) || days > max_days)
			break;
		if (m->input != current->input || days < min_days)
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
 * Derives growth of sorted[at] over the prior period found in the window.
 * Computed as (current - prior) / prior, which equals current / prior - 1
 * but keeps 120 over 100 at 0.2 instead of 0.19999999999999996.  A prior
 * value of zero or less gives no meaningful rate and is left out.
 */
static int
derive_growth(struct derived_list *list, struct entry **sorted, size_t at,
    long min_days, long max_days, const char *metric, const char *derivation,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *current = &sorted[at]->m, *prior;
	const struct derive_metric *inputs[2];
	enum derive_absence why = DERIVE_ABSENT_NO_PRIOR_PERIOD;

	prior = find_prior(sorted, at, min_days, max_days, &why);
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
	inputs[0] = current;
	inputs[1] = prior;
	return add_derived(list, metric, derivation, NULL,
	    (current->value - prior->value) / prior->value, current, inputs, 2,
	    absent);
}

/* Derives every growth rate that sorted[at] is the current period of. */
static int
derive_growth_of(struct derived_list *list, struct entry **sorted,
    size_t at, unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *m = &sorted[at]->m;

	for (size_t i = 0; i < sizeof yearly_growth / sizeof yearly_growth[0];
	    i++) {
		if (m->input != yearly_growth[i].input)
			continue;
		if (derive_growth(list, sorted, at, DERIVE_PRIOR_YEAR_MIN_DAYS,
		    DERIVE_PRIOR_YEAR_MAX_DAYS, yearly_growth[i].metric,
		    yearly_growth[i].derivation, absent) < 0)
			return -1;
	}
	if (m->input == DERIVE_REVENUE && strcmp(m->period_type, "quarter") == 0)
		return derive_growth(list, sorted, at,
		    DERIVE_PRIOR_QUARTER_MIN_DAYS, DERIVE_PRIOR_QUARTER_MAX_DAYS,
		    "revenue_growth_qoq", "revenue / revenue[prior quarter] - 1",
		    absent);
	return 0;
}

/* Writes a TTM sum the store computed as a derived record, in the unit
 * of its quarters. */
static int
add_computed(struct derived_list *list, const struct derive_metric *m,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	const struct derive_metric *inputs[1] = { m };

	return add_derived(list, input_names[m->input], m->derivation, m->unit,
	    m->value, m, inputs, 1, absent);
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
		if (derive_margins(list, group, absent) < 0 ||
		    derive_free_cash_flow(list, group, absent) < 0)
			return -1;
		for (size_t i = start; i < end; i++) {
			if (sorted[i]->m.derivation != NULL &&
			    add_computed(list, &sorted[i]->m, absent) < 0)
				return -1;
			if (derive_growth_of(list, sorted, i, absent) < 0)
				return -1;
		}
		start = end;
	}
	return 0;
}

/* Whether the store contains a metric with this key. */
static bool
store_has(const struct derive_store *store, const struct derive_metric *m)
{
	return store->slot_count > 0 && store->slots[find_slot(store, m)] != 0;
}

struct pending_ttm {
	struct derive_metric m;
	char *source_ref;
};

/*
 * Builds the TTM sum ending with the quarter sorted[at], when the three
 * quarters before it are each found 80 to 100 days apart, in the same
 * unit.  Returns 1 with the sum in *out, 0 when there is none, or -1
 * when out of memory.
 */
static int
sum_four_quarters(struct entry **sorted, size_t at, struct pending_ttm *out)
{
	const struct derive_metric *quarters[4];
	enum derive_absence why;
	bool failed = false;
	size_t index = at;
	double sum;

	quarters[3] = &sorted[at]->m;
	for (int k = 3; k > 0; k--) {
		quarters[k - 1] = find_prior(sorted, index,
		    DERIVE_PRIOR_QUARTER_MIN_DAYS, DERIVE_PRIOR_QUARTER_MAX_DAYS,
		    &why);
		if (quarters[k - 1] == NULL ||
		    strcmp(quarters[k - 1]->unit, quarters[3]->unit) != 0)
			return 0;
		while (&sorted[index]->m != quarters[k - 1])
			index--;
	}

	sum = quarters[0]->value + quarters[1]->value + quarters[2]->value +
	    quarters[3]->value;
	out->m = *quarters[3];
	out->m.value = sum;
	out->m.period_type = "ttm";
	out->m.period_start = quarters[0]->period_start;
	out->m.fiscal_period = "TTM";
	out->m.derivation = TTM_DERIVATION;
	out->m.filed = NULL;
	for (int k = 0; k < 4; k++)
		out->m.filed = latest_date(out->m.filed, quarters[k]->filed);
	out->source_ref = join_refs(quarters, 4, &failed);
	out->m.source_ref = out->source_ref;
	return failed ? -1 : 1;
}

/*
 * Adds a TTM sum for every run of four consecutive quarters of a flow
 * metric, unless the input carried a TTM record for that period end.
 * Diluted EPS is left out: the quarters' share counts differ, so their
 * sum is not the year's EPS.  The sums are collected first because
 * adding to the store moves its entries.
 */
static int
add_ttm_sums(struct derive_store *store, struct entry **sorted, size_t count)
{
	struct pending_ttm *pending = NULL;
	size_t npending = 0, cap = 0;
	int status = 0;

	for (size_t i = 0; i < count && status == 0; i++) {
		struct pending_ttm sum;
		struct derive_metric key;
		int found;

		if (strcmp(sorted[i]->m.period_type, "quarter") != 0 ||
		    sorted[i]->m.input == DERIVE_EPS_DILUTED)
			continue;
		key = sorted[i]->m;
		key.period_type = "ttm";
		if (store_has(store, &key))
			continue;
		found = sum_four_quarters(sorted, i, &sum);
		if (found <= 0) {
			status = found;
			continue;
		}
		if (npending == cap) {
			struct pending_ttm *grown;

			cap = cap == 0 ? 64 : cap * 2;
			grown = realloc(pending, cap * sizeof *grown);
			if (grown == NULL) {
				free(sum.source_ref);
				status = -1;
				continue;
			}
			pending = grown;
		}
		pending[npending++] = sum;
	}

	for (size_t i = 0; i < npending; i++) {
		if (status == 0 &&
		    derive_store_add(store, &pending[i].m) == DERIVE_NO_MEMORY)
			status = -1;
		free(pending[i].source_ref);
	}
	free(pending);
	return status;
}

static struct entry **
sort_entries(struct derive_store *store)
{
	struct entry **sorted;

	sorted = malloc((store->count > 0 ? store->count : 1) * sizeof *sorted);
	if (sorted == NULL)
		return NULL;
	for (size_t i = 0; i < store->count; i++)
		sorted[i] = &store->entries[i];
	qsort(sorted, store->count, sizeof *sorted, compare_entries);
	return sorted;
}

/*
 * Derives every metric the store allows and passes each to emit in
 * order.  TTM sums are added to the store first, so that margins and
 * growth are derived over them too.  Adds the derivations left out to
 * absent[reason].  Returns 0, emit's nonzero result, or -1 when out of
 * memory.
 */
int
derive_run(struct derive_store *store, derive_emit_fn *emit, void *arg,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	struct derived_list list = { NULL, 0, 0 };
	struct entry **sorted;
	int status = 0;

	sorted = sort_entries(store);
	if (sorted == NULL)
		return -1;
	status = add_ttm_sums(store, sorted, store->count);
	free(sorted);
	if (status < 0)
		return -1;

	sorted = sort_entries(store);
	if (sorted == NULL)
		return -1;
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

const char *
derive_input_name(enum derive_input input)
{
	return input_names[input];
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
