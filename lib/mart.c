#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "mart.h"
#include "universe.h"

/* Metric names the mart reads, indexed by enum mart_metric. */
static const char *const metric_names[MART_METRIC_COUNT] = {
	"revenue", "revenue_growth_yoy", "gross_margin", "operating_margin",
	"net_margin",
};

/* Period type names, indexed by enum mart_period. */
static const char *const period_names[MART_PERIOD_COUNT] = {
	"quarter", "annual", "ttm",
};

/* Valuation metrics of a quote, one value per trading day. */
#define MARKET_CAP_METRIC "market_cap"
#define PE_TRAILING_METRIC "pe_trailing"

static void
set_error(char *error, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, size, fmt, ap);
	va_end(ap);
}

static int
add_category(struct mart *mart, const char *name)
{
	struct mart_category *grown;

	for (size_t i = 0; i < mart->category_count; i++)
		if (strcmp(mart->categories[i].name, name) == 0)
			return 0;
	grown = realloc(mart->categories,
	    (mart->category_count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	mart->categories = grown;
	memset(&grown[mart->category_count], 0, sizeof *grown);
	grown[mart->category_count].name = strdup(name);
	if (grown[mart->category_count].name == NULL)
		return -1;
	mart->category_count++;
	return 0;
}

/*
 * Takes one company of the universe into c.  A mart row needs a ticker,
 * a name and a category besides what every universe entry has.  Returns
 * false with the reason in error.
 */
static bool
take_company(const struct universe_company *u, const char *path,
    struct mart_company *c, char *error, size_t size)
{
	const char *missing = u->ticker == NULL ? "ticker" : u->name == NULL ?
	    "name" : u->category == NULL ? "category" : NULL;

	if (missing != NULL) {
		set_error(error, size, "%s:%lu: company without \"%s\": the "
		    "marts need a ticker, a name and a category for each "
		    "company", path, u->line, missing);
		return false;
	}
	c->ticker = strdup(u->ticker);
	c->name = strdup(u->name);
	c->category = strdup(u->category);
	c->cik = u->cik[0] != '\0' ? strdup(u->cik) : NULL;
	c->listed = u->listed;
	c->line = u->line;
	if (c->ticker == NULL || c->name == NULL || c->category == NULL ||
	    (u->cik[0] != '\0' && c->cik == NULL)) {
		set_error(error, size, "out of memory");
		return false;
	}
	return true;
}

static bool
take_universe(struct mart *mart, const struct universe *u, const char *path,
    char *error, size_t size)
{
	mart->companies = calloc(u->count > 0 ? u->count : 1,
	    sizeof *mart->companies);
	if (mart->companies == NULL) {
		set_error(error, size, "out of memory");
		return false;
	}
	for (size_t i = 0; i < u->count; i++) {
		struct mart_company *c = &mart->companies[i];

		mart->company_count++;
		if (!take_company(&u->companies[i], path, c, error, size))
			return false;
		if (add_category(mart, c->category) < 0) {
			set_error(error, size, "out of memory");
			return false;
		}
	}
	return true;
}

/*
 * Loads the companies of a universe file, such as
 * pipelines/universe/edtech.yaml.
 * Returns NULL with the reason in error.
 */
struct mart *
mart_load_universe(const char *path, long as_of, const char *rank_unit,
    char *error, size_t size)
{
	struct universe *u = universe_load(path, error, size);
	struct mart *mart;

	if (u == NULL)
		return NULL;
	mart = calloc(1, sizeof *mart);
	if (mart == NULL) {
		set_error(error, size, "out of memory");
		universe_free(u);
		return NULL;
	}
	mart->as_of = as_of;
	snprintf(mart->rank_unit, sizeof mart->rank_unit, "%s", rank_unit);
	if (!take_universe(mart, u, path, error, size)) {
		mart_free(mart);
		mart = NULL;
	}
	universe_free(u);
	return mart;
}

/* Whether the mart reads a metric of this name, reported or derived. */
bool
mart_reads_metric(const char *metric)
{
	for (int i = 0; i < MART_METRIC_COUNT; i++)
		if (strcmp(metric, metric_names[i]) == 0)
			return true;
	return strcmp(metric, MARKET_CAP_METRIC) == 0 ||
	    strcmp(metric, PE_TRAILING_METRIC) == 0;
}

/* The company of a record: by cik, or by ticker when the record has no
 * cik (quotes may carry only the symbol). */
static struct mart_company *
find_company(struct mart *mart, const char *cik, const char *ticker)
{
	for (size_t i = 0; i < mart->company_count; i++) {
		struct mart_company *c = &mart->companies[i];

		if (cik != NULL ? c->cik != NULL && strcmp(c->cik, cik) == 0 :
		    ticker != NULL && strcmp(c->ticker, ticker) == 0)
			return c;
	}
	return NULL;
}

static int
index_of(const char *const *names, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Keeps the value when its period is the latest so far.  A later record
 * for the same period end replaces the earlier one, as in the store. */
static void
keep_latest(struct mart_point *p, long period_end, double value,
    const char *unit)
{
	if (p->set && period_end < p->period_end)
		return;
	p->set = true;
	p->period_end = period_end;
	p->value = value;
	snprintf(p->unit, sizeof p->unit, "%s", unit);
}

/*
 * Takes one metric record into account.  Records of companies outside
 * the universe, of other metrics or period types, and of periods that
 * end after the as-of date are ignored.
 */
void
mart_observe(struct mart *mart, const char *cik, const char *ticker,
    const char *metric, const char *period_type, long period_end,
    double value, const char *unit)
{
	struct mart_company *c = find_company(mart, cik, ticker);
	int m, p;

	if (c == NULL)
		return;
	c->records++;
	if (period_end > mart->as_of)
		return;

	if (strcmp(period_type, "day") == 0) {
		if (strcmp(metric, MARKET_CAP_METRIC) == 0)
			keep_latest(&c->market_cap, period_end, value, unit);
		else if (strcmp(metric, PE_TRAILING_METRIC) == 0)
			keep_latest(&c->pe_trailing, period_end, value, unit);
		return;
	}
	m = index_of(metric_names, MART_METRIC_COUNT, metric);
	p = index_of(period_names, MART_PERIOD_COUNT, period_type);
	if (m < 0 || p < 0)
		return;
	keep_latest(&c->points[p][m], period_end, value, unit);
}

/* A score from 0 at low to 100 at high, linear between, clamped and
 * rounded; NAN stays NAN. */
static double
score(double value, double low, double high)
{
	double s;

	if (isnan(value))
		return NAN;
	s = (value - low) / (high - low) * 100;
	if (s < 0)
		s = 0;
	if (s > 100)
		s = 100;
	return round(s);
}

static const char *
health_of(double overall)
{
	if (isnan(overall))
		return NULL;
	if (overall >= MART_STRONG_MIN)
		return "strong";
	if (overall >= MART_STABLE_MIN)
		return "stable";
	if (overall >= MART_WEAK_MIN)
		return "weak";
	return "at risk";
}

/* The value of a point when it is set and in the unit, else NAN. */
static double
value_in(const struct mart_point *p, const char *unit)
{
	if (!p->set || unit == NULL || strcmp(p->unit, unit) != 0)
		return NAN;
	return p->value;
}

/* The value of a ratio of the same period as the basis revenue, else
 * NAN: an older margin would describe another year. */
static double
ratio_at(const struct mart_point *p, const struct mart_point *basis)
{
	if (!p->set || !basis->set || p->period_end != basis->period_end)
		return NAN;
	return p->value;
}

/* The period of the twelve-month revenue: TTM when it ends after the
 * latest annual period, else annual; -1 when neither is known. */
static int
basis_period(const struct mart_company *c)
{
	const struct mart_point *annual = &c->points[MART_ANNUAL][MART_REVENUE];
	const struct mart_point *ttm = &c->points[MART_TTM][MART_REVENUE];

	if (ttm->set && (!annual->set || ttm->period_end > annual->period_end))
		return MART_TTM;
	return annual->set ? MART_ANNUAL : -1;
}

static void
compute_company(struct mart_company *c, const char *rank_unit)
{
	const struct mart_point *basis = NULL;
	double sum = 0;
	int period = basis_period(c), scores = 0;

	c->unit = NULL;
	if (period >= 0) {
		basis = &c->points[period][MART_REVENUE];
		c->unit = basis->unit;
	} else if (c->points[MART_QUARTER][MART_REVENUE].set) {
		c->unit = c->points[MART_QUARTER][MART_REVENUE].unit;
	}

	c->revenue_quarter = value_in(&c->points[MART_QUARTER][MART_REVENUE],
	    c->unit);
	c->revenue_annual = value_in(&c->points[MART_ANNUAL][MART_REVENUE],
	    c->unit);
	c->revenue_ttm = value_in(&c->points[MART_TTM][MART_REVENUE], c->unit);
	if (period == MART_ANNUAL && c->points[MART_TTM][MART_REVENUE].set &&
	    c->points[MART_TTM][MART_REVENUE].period_end < basis->period_end)
		c->revenue_ttm = NAN;
	c->twelve_month_revenue = basis != NULL ? basis->value : NAN;
	c->revenue_growth_yoy = c->gross_margin = c->operating_margin =
	    c->net_margin = NAN;
	if (basis != NULL) {
		c->revenue_growth_yoy = ratio_at(&c->points[period][MART_GROWTH],
		    basis);
		c->gross_margin = ratio_at(&c->points[period][MART_GROSS_MARGIN],
		    basis);
		c->operating_margin = ratio_at(
		    &c->points[period][MART_OPERATING_MARGIN], basis);
		c->net_margin = ratio_at(&c->points[period][MART_NET_MARGIN],
		    basis);
	}
	c->market_cap_value = c->market_cap.set ? c->market_cap.value : NAN;
	c->pe_ratio = c->pe_trailing.set ? c->pe_trailing.value : NAN;

	c->has_latest = false;
	for (int p = 0; p < MART_PERIOD_COUNT; p++) {
		const struct mart_point *r = &c->points[p][MART_REVENUE];

		if (r->set && (!c->has_latest ||
		    r->period_end > c->latest_period_end)) {
			c->has_latest = true;
			c->latest_period_end = r->period_end;
		}
	}

	c->growth_score = score(c->revenue_growth_yoy, -0.20, 0.40);
	c->margin_score = score(c->gross_margin, 0, 0.80);
	c->profitability_score = score(c->net_margin, -0.20, 0.20);
	if (!isnan(c->growth_score))
		sum += c->growth_score, scores++;
	if (!isnan(c->margin_score))
		sum += c->margin_score, scores++;
	if (!isnan(c->profitability_score))
		sum += c->profitability_score, scores++;
	c->overall_score = scores > 0 ? round(sum / scores) : NAN;
	c->health = health_of(c->overall_score);

	c->ranked = basis != NULL && strcmp(basis->unit, rank_unit) == 0 &&
	    basis->value > 0;
	c->rank_in_category = c->rank_overall = NAN;
}

/* Competition ranking ("1224"): one more than the number of ranked
 * companies of the group with a larger twelve-month revenue. */
static void
rank_companies(struct mart *mart)
{
	for (size_t i = 0; i < mart->company_count; i++) {
		struct mart_company *c = &mart->companies[i];
		int overall = 1, in_category = 1;

		if (!c->ranked)
			continue;
		for (size_t j = 0; j < mart->company_count; j++) {
			const struct mart_company *o = &mart->companies[j];

			if (!o->ranked ||
			    !(o->twelve_month_revenue > c->twelve_month_revenue))
				continue;
			overall++;
			if (strcmp(o->category, c->category) == 0)
				in_category++;
		}
		c->rank_overall = overall;
		c->rank_in_category = in_category;
	}
}

static int
compare_doubles(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

static int
compare_descending(const void *pa, const void *pb)
{
	return compare_doubles(pb, pa);
}

/*
 * Fills one category's landscape from its ranked companies: the
 * Herfindahl-Hirschman index is the sum of the squared revenue shares
 * in percent (10000 for a monopoly), top3_share the fraction of the
 * three largest.
 */
static int
compute_category(struct mart *mart, struct mart_category *cat)
{
	double *revenues, *growth;
	size_t n = 0, ngrowth = 0;
	double total = 0, growth_sum = 0, hhi = 0, top = 0;

	revenues = malloc((mart->company_count + 1) * sizeof *revenues);
	growth = malloc((mart->company_count + 1) * sizeof *growth);
	if (revenues == NULL || growth == NULL) {
		free(revenues);
		free(growth);
		return -1;
	}

	for (size_t i = 0; i < mart->company_count; i++) {
		const struct mart_company *c = &mart->companies[i];

		if (!c->ranked || strcmp(c->category, cat->name) != 0)
			continue;
		revenues[n++] = c->twelve_month_revenue;
		total += c->twelve_month_revenue;
		if (!isnan(c->revenue_growth_yoy)) {
			growth[ngrowth++] = c->revenue_growth_yoy;
			growth_sum += c->revenue_growth_yoy;
		}
	}
	cat->companies = n;
	cat->total_revenue = n > 0 ? total : NAN;
	cat->hhi = cat->top3_share = NAN;
	cat->average_growth = cat->median_growth = NAN;
	if (ngrowth > 0) {
		qsort(growth, ngrowth, sizeof growth[0], compare_doubles);
		cat->average_growth = growth_sum / (double)ngrowth;
		cat->median_growth = ngrowth % 2 == 1 ? growth[ngrowth / 2] :
		    (growth[ngrowth / 2 - 1] + growth[ngrowth / 2]) / 2;
	}
	free(growth);
	if (n == 0) {
		free(revenues);
		return 0;
	}

	qsort(revenues, n, sizeof revenues[0], compare_descending);
	for (size_t i = 0; i < n; i++) {
		double share = revenues[i] / total * 100;

		hhi += share * share;
		if (i < 3)
			top += revenues[i];
	}
	cat->hhi = hhi;
	cat->top3_share = top / total;
	free(revenues);
	return 0;
}

/* Fills the computed columns of every row, once all input is read.
 * Returns -1 when out of memory. */
int
mart_compute(struct mart *mart)
{
	for (size_t i = 0; i < mart->company_count; i++)
		compute_company(&mart->companies[i], mart->rank_unit);
	rank_companies(mart);
	for (size_t i = 0; i < mart->category_count; i++)
		if (compute_category(mart, &mart->categories[i]) < 0)
			return -1;
	return 0;
}

/*
 * Reports on stderr, one line each, the companies whose row is missing
 * or partly empty for a reason the reader should know: no cik, no
 * longer listed, no metric records, revenue in another currency than
 * the ranking one.
 */
void
mart_log_notes(const struct mart *mart)
{
	for (size_t i = 0; i < mart->company_count; i++) {
		const struct mart_company *c = &mart->companies[i];
		const char *delisted = c->listed ? "" : "no longer listed; ";

		if (c->cik == NULL)
			log_warn("%s (%s): %sno cik in the universe file, so no "
			    "mart row; add its ten-digit cik to list it",
			    c->ticker, c->name, delisted);
		else if (c->records == 0)
			log_warn("%s (%s): %sno metric records in the input, "
			    "so its row has null values", c->ticker, c->name,
			    delisted);
		else if (!c->listed)
			log_warn("%s (%s): no longer listed; its row shows the "
			    "stored history and no current quote", c->ticker,
			    c->name);
		else if (c->unit != NULL && !c->ranked &&
		    !isnan(c->twelve_month_revenue) &&
		    strcmp(c->unit, mart->rank_unit) != 0)
			log_info("%s (%s): revenue in %s, not ranked or counted "
			    "in its category against %s without an exchange "
			    "rate", c->ticker, c->name, c->unit, mart->rank_unit);
		else if (c->unit != NULL && !c->ranked &&
		    !isnan(c->twelve_month_revenue))
			log_info("%s (%s): twelve-month revenue %g is not above "
			    "zero, so it is not ranked or counted in its "
			    "category", c->ticker, c->name,
			    c->twelve_month_revenue + 0.0);
	}
}

static void
number_or_null(struct jsonw *w, const char *key, double value)
{
	if (isnan(value))
		jsonw_null(w, key);
	else
		jsonw_number(w, key, value);
}

static void
date_or_null(struct jsonw *w, const char *key, bool known, long days)
{
	char text[DATE_TEXT_SIZE];

	if (!known) {
		jsonw_null(w, key);
		return;
	}
	date_format(days, text);
	jsonw_string(w, key, text);
}

/* Builds the mart_company_performance row of a company with a cik. */
void
mart_company_json(const struct mart *mart, const struct mart_company *c,
    struct jsonw *w)
{
	char as_of[DATE_TEXT_SIZE];

	date_format(mart->as_of, as_of);
	jsonw_begin(w);
	jsonw_string(w, "kind", "mart_company_performance");
	jsonw_string(w, "as_of", as_of);
	jsonw_string(w, "cik", c->cik);
	jsonw_string(w, "ticker", c->ticker);
	jsonw_string(w, "name", c->name);
	jsonw_string(w, "category", c->category);
	jsonw_string(w, "unit", c->unit);
	number_or_null(w, "revenue_quarter", c->revenue_quarter);
	number_or_null(w, "revenue_annual", c->revenue_annual);
	number_or_null(w, "revenue_ttm", c->revenue_ttm);
	number_or_null(w, "revenue_growth_yoy", c->revenue_growth_yoy);
	number_or_null(w, "gross_margin", c->gross_margin);
	number_or_null(w, "operating_margin", c->operating_margin);
	number_or_null(w, "net_margin", c->net_margin);
	number_or_null(w, "market_cap", c->market_cap_value);
	number_or_null(w, "pe_ratio", c->pe_ratio);
	number_or_null(w, "rank_in_category", c->rank_in_category);
	number_or_null(w, "rank_overall", c->rank_overall);
	number_or_null(w, "growth_score", c->growth_score);
	number_or_null(w, "margin_score", c->margin_score);
	number_or_null(w, "profitability_score", c->profitability_score);
	number_or_null(w, "overall_score", c->overall_score);
	jsonw_string(w, "health", c->health);
	date_or_null(w, "latest_period_end", c->has_latest,
	    c->latest_period_end);
	if (c->has_latest)
		jsonw_int(w, "data_age_days", mart->as_of - c->latest_period_end);
	else
		jsonw_null(w, "data_age_days");
	jsonw_end(w);
}

/* Builds the mart_competitive_landscape row of a category. */
void
mart_category_json(const struct mart *mart, const struct mart_category *cat,
    struct jsonw *w)
{
	char as_of[DATE_TEXT_SIZE];

	date_format(mart->as_of, as_of);
	jsonw_begin(w);
	jsonw_string(w, "kind", "mart_competitive_landscape");
	jsonw_string(w, "as_of", as_of);
	jsonw_string(w, "category", cat->name);
	jsonw_string(w, "unit", mart->rank_unit);
	number_or_null(w, "total_revenue", cat->total_revenue);
	jsonw_int(w, "companies", (long long)cat->companies);
	number_or_null(w, "average_growth", cat->average_growth);
	number_or_null(w, "median_growth", cat->median_growth);
	number_or_null(w, "hhi", cat->hhi);
	number_or_null(w, "top3_share", cat->top3_share);
	jsonw_end(w);
}

void
mart_free(struct mart *mart)
{
	if (mart == NULL)
		return;
	for (size_t i = 0; i < mart->company_count; i++) {
		free(mart->companies[i].ticker);
		free(mart->companies[i].name);
		free(mart->companies[i].category);
		free(mart->companies[i].cik);
	}
	for (size_t i = 0; i < mart->category_count; i++)
		free(mart->categories[i].name);
	free(mart->companies);
	free(mart->categories);
	free(mart);
}
