/*
 * normalize's Yahoo mapping: yahoo_bar to price, yahoo_event to
 * price_event, yahoo_fundamental and yahoo_quote to metric.
 *
 * Yahoo gives a series point's end date but neither its start nor the
 * fiscal year it belongs to, nor a filing date, so those members of the
 * metric records stay null rather than guessed.  Quote figures are the
 * values of one trading day: period_type "day", period_start and
 * period_end the quote's exchange-local date.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "log.h"
#include "record.h"
#include "universe.h"
#include "yahoo_map.h"

#define REF_SIZE 512

enum metric_unit {
	UNIT_CURRENCY,		/* the record's currency, such as USD */
	UNIT_PER_SHARE,		/* currency per share, such as USD/shares */
	UNIT_SHARES,
	UNIT_PURE,		/* a ratio, as a fraction */
	UNIT_EMPLOYEES,
};

/* A time series, named without its quarterly/annual/trailing prefix. */
struct series_map {
	const char *series;
	const char *metric;
	bool instant;		/* a balance at a date, not a flow */
	enum metric_unit unit;
};

/* These metrics share their key (cik, metric, period type, period end)
 * with the values normalize takes from SEC filings, and with
 * free_cash_flow as transform derives it.  The loader ranks the sources,
 * so a Yahoo value only fills a period that neither of those gives. */
static const struct series_map series_maps[] = {
	{ "TotalRevenue", "revenue", false, UNIT_CURRENCY },
	{ "CostOfRevenue", "cost_of_revenue", false, UNIT_CURRENCY },
	{ "GrossProfit", "gross_profit", false, UNIT_CURRENCY },
	{ "OperatingIncome", "operating_income", false, UNIT_CURRENCY },
	{ "NetIncome", "net_income", false, UNIT_CURRENCY },
	{ "DilutedEPS", "eps_diluted", false, UNIT_PER_SHARE },
	{ "OperatingCashFlow", "operating_cash_flow", false, UNIT_CURRENCY },
	{ "FreeCashFlow", "free_cash_flow", false, UNIT_CURRENCY },
	{ "TotalAssets", "total_assets", true, UNIT_CURRENCY },
	{ "TotalLiabilitiesNetMinorityInterest", "total_liabilities", true,
	    UNIT_CURRENCY },
	{ "StockholdersEquity", "stockholders_equity", true, UNIT_CURRENCY },
	{ "CashAndCashEquivalents", "cash", true, UNIT_CURRENCY },
	{ "OrdinarySharesNumber", "shares_outstanding", true, UNIT_SHARES },
};

/* A member of yahoo_quote, with the Yahoo field it comes from. */
struct quote_map {
	const char *member;
	const char *metric;
	const char *concept;
	enum metric_unit unit;
};

static const struct quote_map quote_maps[] = {
	{ "market_cap", "market_cap", "yahoo:marketCap", UNIT_CURRENCY },
	{ "pe_trailing", "pe_trailing", "yahoo:trailingPE", UNIT_PURE },
	{ "pe_forward", "pe_forward", "yahoo:forwardPE", UNIT_PURE },
	{ "price_to_book", "price_to_book", "yahoo:priceToBook", UNIT_PURE },
	{ "return_on_equity", "return_on_equity", "yahoo:returnOnEquity",
	    UNIT_PURE },
	{ "profit_margin", "profit_margin", "yahoo:profitMargins", UNIT_PURE },
	{ "earnings_growth", "earnings_growth", "yahoo:earningsGrowth",
	    UNIT_PURE },
	{ "employees", "employees", "yahoo:fullTimeEmployees",
	    UNIT_EMPLOYEES },
};

struct yahoo_map {
	const struct universe *universe;	/* ticker to cik, or NULL */
	unsigned long lines;		/* = mapped + skipped + rejected */
	unsigned long mapped;
	unsigned long skipped;
	unsigned long rejected;
	unsigned long prices;
	unsigned long events;
	unsigned long metrics;
};

/* The reason a line is rejected, with the rule it broke. */
struct problem {
	const char *rule;
	char reason[384];
};

bool
yahoo_map_handles(const char *kind)
{
	return strcmp(kind, "yahoo_bar") == 0 ||
	    strcmp(kind, "yahoo_event") == 0 ||
	    strcmp(kind, "yahoo_fundamental") == 0 ||
	    strcmp(kind, "yahoo_quote") == 0;
}

/* ---- the universe: ticker to cik ---- */

/* Returns NULL after reporting when out of memory.  The universe, which
 * may be NULL, must outlive the map. */
struct yahoo_map *
yahoo_map_new(const struct universe *universe)
{
	struct yahoo_map *map = calloc(1, sizeof *map);

	if (map == NULL) {
		log_error("out of memory");
		return NULL;
	}
	map->universe = universe;
	return map;
}

void
yahoo_map_free(struct yahoo_map *map)
{
	free(map);
}

/* The cik of a Yahoo symbol, from a universe company listed with both. */
static const char *
find_cik(const struct yahoo_map *map, const char *ticker)
{
	const struct universe_company *c = universe_find(map->universe, NULL,
	    ticker);

	return c != NULL && c->cik[0] != '\0' ? c->cik : NULL;
}

/* ---- checking members ---- */

static bool set_problem(struct problem *p, const char *rule,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records why a line is rejected; returns false for the caller's
 * check to return. */
static bool
set_problem(struct problem *p, const char *rule, const char *fmt, ...)
{
	va_list ap;

	p->rule = rule;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof p->reason, fmt, ap);
	va_end(ap);
	return false;
}

static const cJSON *
member(const cJSON *record, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(record, key);
}

/* A member that is a number or null; absent or another type breaks
 * the record's schema. */
static bool
number_or_null(const cJSON *record, const char *key, struct problem *p)
{
	const cJSON *item = member(record, key);

	if (cJSON_IsNumber(item) || cJSON_IsNull(item))
		return true;
	return set_problem(p, "type", "'%s' must be a number or null%s", key,
	    item == NULL ? ", and is missing" : "");
}

static bool
need_number(const cJSON *record, const char *key, struct problem *p)
{
	if (cJSON_IsNumber(member(record, key)))
		return true;
	return set_problem(p, "required", "'%s' must be a number%s", key,
	    member(record, key) == NULL ? ", and is missing" : "");
}

static bool
string_or_null(const cJSON *record, const char *key, struct problem *p)
{
	const cJSON *item = member(record, key);

	if (cJSON_IsString(item) || cJSON_IsNull(item))
		return true;
	return set_problem(p, "type", "'%s' must be a string or null%s", key,
	    item == NULL ? ", and is missing" : "");
}

static const char *
need_string(const cJSON *record, const char *key, struct problem *p)
{
	const char *s = record_string(record, key);

	if (s == NULL || *s == '\0')
		set_problem(p, "required", "'%s' must be a non-empty string%s",
		    key, member(record, key) == NULL ? ", and is missing" : "");
	return s;
}

static const char *
need_date(const cJSON *record, const char *key, struct problem *p)
{
	const char *s = need_string(record, key, p);
	long days;

	if (s == NULL)
		return NULL;
	if (!date_parse(s, &days)) {
		set_problem(p, "date", "'%s' is not a valid date YYYY-MM-DD: "
		    "'%s'", key, s);
		return NULL;
	}
	return s;
}

/* The symbol as Yahoo spells it: letters, digits and . - ^ = _. */
static const char *
need_symbol(const cJSON *record, struct problem *p)
{
	const char *s = need_string(record, "symbol", p);

	if (s != NULL && (strlen(s) > 32 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789.-^=_") != strlen(s))) {
		set_problem(p, "symbol", "invalid symbol '%s'", s);
		return NULL;
	}
	return s;
}

static bool
one_of(const char *value, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(value, *list) == 0)
			return true;
	return false;
}

/* ---- writing ---- */

static void
copy_number(struct jsonw *w, const cJSON *record, const char *key)
{
	const cJSON *item = member(record, key);

	if (cJSON_IsNumber(item))
		jsonw_number(w, key, item->valuedouble);
	else
		jsonw_null(w, key);
}

static void
string_or_null_out(struct jsonw *w, const char *key, const char *value)
{
	if (value != NULL)
		jsonw_string(w, key, value);
	else
		jsonw_null(w, key);
}

static void
emit(struct jsonw *w)
{
	if (jsonw_write(w, stdout) < 0)
		cli_exit_write_error();
}

/* ---- yahoo_bar to price ---- */

static bool
check_bar(const cJSON *r, struct problem *p, const char **symbol,
    const char **date, const char **interval)
{
	static const char *const intervals[] = { "1d", "1wk", "1mo", NULL };
	static const char *const prices[] = {
		"open", "high", "low", "adjclose", "volume", NULL,
	};

	if ((*symbol = need_symbol(r, p)) == NULL ||
	    (*date = need_date(r, "date", p)) == NULL ||
	    (*interval = need_string(r, "interval", p)) == NULL)
		return false;
	if (!one_of(*interval, intervals))
		return set_problem(p, "interval", "interval '%s' is not 1d, 1wk "
		    "or 1mo", *interval);
	if (!need_number(r, "close", p))
		return false;
	for (const char *const *k = prices; *k != NULL; k++)
		if (!number_or_null(r, *k, p))
			return false;
	return string_or_null(r, "currency", p);
}

/*
 * Writes one record of a symbol's chart, price or price_event: the
 * members both kinds start with, then the given numbers of the line
 * (NULL-terminated), then the members both end with.
 */
static void
write_chart_record(struct yahoo_map *map, struct jsonw *w, const cJSON *r,
    const char *kind, const char *symbol, const char *date,
    const char *type_key, const char *type, const char *const *numbers,
    const char *ref)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", kind);
	jsonw_string(w, "ticker", symbol);
	string_or_null_out(w, "cik", find_cik(map, symbol));
	jsonw_string(w, "date", date);
	jsonw_string(w, type_key, type);
	for (const char *const *key = numbers; *key != NULL; key++)
		copy_number(w, r, *key);
	string_or_null_out(w, "currency", record_string(r, "currency"));
	jsonw_string(w, "source", "yahoo");
	jsonw_string(w, "source_ref", ref);
	jsonw_end(w);
	emit(w);
}

static enum yahoo_map_result
map_bar(struct yahoo_map *map, const cJSON *r, struct jsonw *w,
    struct problem *p)
{
	static const char *const prices[] = {
		"open", "high", "low", "close", "adjclose", "volume", NULL,
	};
	const char *symbol, *date, *interval;
	char ref[REF_SIZE];

	if (!check_bar(r, p, &symbol, &date, &interval))
		return YAHOO_MAP_REJECTED;
	snprintf(ref, sizeof ref, "v8/finance/chart/%s?interval=%s", symbol,
	    interval);
	write_chart_record(map, w, r, "price", symbol, date, "interval",
	    interval, prices, ref);
	map->prices++;
	return YAHOO_MAP_WRITTEN;
}

/* ---- yahoo_event to price_event ---- */

static bool
check_event(const cJSON *r, struct problem *p, const char **symbol,
    const char **date, const char **type)
{
	static const char *const types[] = {
		"dividend", "split", "capital_gain", NULL,
	};

	if ((*symbol = need_symbol(r, p)) == NULL ||
	    (*date = need_date(r, "date", p)) == NULL ||
	    (*type = need_string(r, "type", p)) == NULL)
		return false;
	if (!one_of(*type, types))
		return set_problem(p, "type", "event type '%s' is not dividend, "
		    "split or capital_gain", *type);
	if (!number_or_null(r, "amount", p) ||
	    !number_or_null(r, "numerator", p) ||
	    !number_or_null(r, "denominator", p) ||
	    !string_or_null(r, "currency", p))
		return false;
	if (strcmp(*type, "split") != 0)
		return need_number(r, "amount", p);
	if (!need_number(r, "numerator", p) ||
	    !need_number(r, "denominator", p))
		return false;
	if (!(member(r, "numerator")->valuedouble > 0) ||
	    !(member(r, "denominator")->valuedouble > 0))
		return set_problem(p, "split", "a split needs a positive "
		    "numerator and denominator");
	return true;
}

static enum yahoo_map_result
map_event(struct yahoo_map *map, const cJSON *r, struct jsonw *w,
    struct problem *p)
{
	static const char *const amounts[] = {
		"amount", "numerator", "denominator", NULL,
	};
	const char *symbol, *date, *type;
	char ref[REF_SIZE];

	if (!check_event(r, p, &symbol, &date, &type))
		return YAHOO_MAP_REJECTED;
	snprintf(ref, sizeof ref, "v8/finance/chart/%s?events=div|split|"
	    "capitalGain", symbol);
	write_chart_record(map, w, r, "price_event", symbol, date, "type",
	    type, amounts, ref);
	map->events++;
	return YAHOO_MAP_WRITTEN;
}

/* ---- metrics ---- */

/* The members of one metric record that differ between Yahoo sources. */
struct metric_out {
	const char *cik;
	const char *ticker;
	const char *metric;
	double value;
	const char *unit;
	const char *period_type;
	const char *period_start;
	const char *period_end;
	const char *fiscal_period;
	const char *source_ref;
	const char *concept;
};

static void
write_metric(struct yahoo_map *map, struct jsonw *w,
    const struct metric_out *m)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "metric");
	jsonw_string(w, "cik", m->cik);
	jsonw_string(w, "ticker", m->ticker);
	jsonw_string(w, "metric", m->metric);
	jsonw_number(w, "value", m->value);
	jsonw_string(w, "unit", m->unit);
	jsonw_string(w, "period_type", m->period_type);
	string_or_null_out(w, "period_start", m->period_start);
	jsonw_string(w, "period_end", m->period_end);
	jsonw_null(w, "fiscal_year");
	string_or_null_out(w, "fiscal_period", m->fiscal_period);
	jsonw_string(w, "source", "yahoo");
	jsonw_string(w, "source_ref", m->source_ref);
	jsonw_null(w, "filed");
	jsonw_bool(w, "revised", 0);
	jsonw_string(w, "concept", m->concept);
	jsonw_null(w, "derivation");
	jsonw_end(w);
	emit(w);
	map->metrics++;
}

/* The unit of a value: "" and a problem when the record lacks the
 * currency that a currency unit needs. */
static bool
unit_text(enum metric_unit unit, const char *currency, char *out,
    size_t size, struct problem *p)
{
	bool needs_currency = unit == UNIT_CURRENCY || unit == UNIT_PER_SHARE;

	if (needs_currency && (currency == NULL || strlen(currency) != 3 ||
	    strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		return set_problem(p, "currency", "a currency amount needs an "
		    "ISO 4217 currency code, not %s", currency != NULL ?
		    currency : "null");
	switch (unit) {
	case UNIT_CURRENCY:
		snprintf(out, size, "%s", currency);
		break;
	case UNIT_PER_SHARE:
		snprintf(out, size, "%s/shares", currency);
		break;
	case UNIT_SHARES:
		snprintf(out, size, "shares");
		break;
	case UNIT_PURE:
		snprintf(out, size, "pure");
		break;
	case UNIT_EMPLOYEES:
		snprintf(out, size, "employees");
		break;
	}
	return true;
}

static const char *
need_cik(const struct yahoo_map *map, const char *symbol, struct problem *p)
{
	const char *cik = find_cik(map, symbol);

	if (cik == NULL)
		set_problem(p, "cik", "no cik for ticker '%s': add the company "
		    "with its cik to the universe file given with "
		    "--universe", symbol);
	return cik;
}

static const struct series_map *
find_series(const char *type, const char **period)
{
	static const char *const prefixes[] = {
		"quarterly", "annual", "trailing", NULL,
	};

	for (const char *const *pre = prefixes; *pre != NULL; pre++) {
		size_t n = strlen(*pre);

		if (strncmp(type, *pre, n) != 0)
			continue;
		*period = *pre;
		for (size_t i = 0; i < sizeof series_maps / sizeof *series_maps;
		    i++)
			if (strcmp(type + n, series_maps[i].series) == 0)
				return &series_maps[i];
	}
	return NULL;
}

static enum yahoo_map_result
map_fundamental(struct yahoo_map *map, const cJSON *r, struct jsonw *w,
    struct problem *p)
{
	const char *symbol, *type, *period = NULL, *date, *cik;
	const struct series_map *s;
	struct metric_out m = { 0 };
	char unit[32], ref[REF_SIZE], concept[160];

	if ((symbol = need_symbol(r, p)) == NULL ||
	    (type = need_string(r, "type", p)) == NULL ||
	    (date = need_date(r, "as_of_date", p)) == NULL ||
	    !need_number(r, "value", p) || !string_or_null(r, "currency", p))
		return YAHOO_MAP_REJECTED;
	s = find_series(type, &period);
	/* A trailing balance is not a thing; Yahoo sends none. */
	if (s == NULL || (s->instant && strcmp(period, "trailing") == 0))
		return YAHOO_MAP_SKIPPED;
	if ((cik = need_cik(map, symbol, p)) == NULL ||
	    !unit_text(s->unit, record_string(r, "currency"), unit,
	    sizeof unit, p))
		return YAHOO_MAP_REJECTED;

	snprintf(ref, sizeof ref,
	    "ws/fundamentals-timeseries/v1/finance/timeseries/%s?type=%s",
	    symbol, type);
	snprintf(concept, sizeof concept, "yahoo:%s", type);
	m = (struct metric_out){
		.cik = cik, .ticker = symbol, .metric = s->metric,
		.value = member(r, "value")->valuedouble, .unit = unit,
		.period_end = date, .source_ref = ref, .concept = concept,
	};
	if (s->instant)
		m.period_type = "instant";
	else if (strcmp(period, "quarterly") == 0)
		m.period_type = "quarter";
	else if (strcmp(period, "annual") == 0)
		m.period_type = "annual";
	else {
		m.period_type = "ttm";
		m.fiscal_period = "TTM";
	}
	write_metric(map, w, &m);
	return YAHOO_MAP_WRITTEN;
}

static bool
check_quote(const cJSON *r, struct problem *p)
{
	for (size_t i = 0; i < sizeof quote_maps / sizeof *quote_maps; i++)
		if (!number_or_null(r, quote_maps[i].member, p))
			return false;
	return string_or_null(r, "currency", p);
}

static enum yahoo_map_result
map_quote(struct yahoo_map *map, const cJSON *r, struct jsonw *w,
    struct problem *p)
{
	const char *symbol, *date, *cik;
	char ref[REF_SIZE];
	size_t present = 0;

	if ((symbol = need_symbol(r, p)) == NULL || !check_quote(r, p))
		return YAHOO_MAP_REJECTED;
	for (size_t i = 0; i < sizeof quote_maps / sizeof *quote_maps; i++)
		if (cJSON_IsNumber(member(r, quote_maps[i].member)))
			present++;
	if (present == 0)
		return YAHOO_MAP_SKIPPED;
	if (cJSON_IsNull(member(r, "date"))) {
		set_problem(p, "date", "the quote of '%s' has no date, so its "
		    "figures have no day", symbol);
		return YAHOO_MAP_REJECTED;
	}
	if ((date = need_date(r, "date", p)) == NULL ||
	    (cik = need_cik(map, symbol, p)) == NULL)
		return YAHOO_MAP_REJECTED;

	/* Check every unit before writing, so that a line is either
	 * mapped whole or rejected. */
	for (size_t i = 0; i < sizeof quote_maps / sizeof *quote_maps; i++) {
		char unit[32];

		if (cJSON_IsNumber(member(r, quote_maps[i].member)) &&
		    !unit_text(quote_maps[i].unit, record_string(r, "currency"),
		    unit, sizeof unit, p))
			return YAHOO_MAP_REJECTED;
	}

	snprintf(ref, sizeof ref, "v10/finance/quoteSummary/%s", symbol);
	for (size_t i = 0; i < sizeof quote_maps / sizeof *quote_maps; i++) {
		const struct quote_map *q = &quote_maps[i];
		const cJSON *value = member(r, q->member);
		char unit[32];

		if (!cJSON_IsNumber(value))
			continue;
		unit_text(q->unit, record_string(r, "currency"), unit,
		    sizeof unit, p);
		write_metric(map, w, &(struct metric_out){
		    .cik = cik, .ticker = symbol, .metric = q->metric,
		    .value = value->valuedouble, .unit = unit,
		    .period_type = "day", .period_start = date,
		    .period_end = date, .source_ref = ref,
		    .concept = q->concept });
	}
	return YAHOO_MAP_WRITTEN;
}

/* ---- one line ---- */

/*
 * Maps one yahoo_* record.  A line that breaks the record's schema, or
 * a metric without a cik, goes to the reject stream with the rule and
 * the reason.
 */
enum yahoo_map_result
yahoo_map_record(struct yahoo_map *map, const cJSON *record,
    unsigned long line, const char *text, size_t len,
    struct reject_stream *rejects, struct jsonw *w)
{
	const char *kind = record_kind(record);
	struct problem problem = { "internal", "unmapped kind" };
	enum yahoo_map_result result;

	if (strcmp(kind, "yahoo_bar") == 0)
		result = map_bar(map, record, w, &problem);
	else if (strcmp(kind, "yahoo_event") == 0)
		result = map_event(map, record, w, &problem);
	else if (strcmp(kind, "yahoo_fundamental") == 0)
		result = map_fundamental(map, record, w, &problem);
	else if (strcmp(kind, "yahoo_quote") == 0)
		result = map_quote(map, record, w, &problem);
	else
		result = YAHOO_MAP_REJECTED;

	map->lines++;
	switch (result) {
	case YAHOO_MAP_WRITTEN:
		map->mapped++;
		break;
	case YAHOO_MAP_SKIPPED:
		map->skipped++;
		break;
	case YAHOO_MAP_REJECTED:
		map->rejected++;
		reject_one(rejects, line, text, len, problem.rule,
		    problem.reason);
		break;
	}
	return result;
}

void
yahoo_map_log_summary(const struct yahoo_map *map)
{
	if (map == NULL || map->lines == 0)
		return;
	log_info("yahoo: %lu lines: %lu mapped, %lu skipped (unmapped series "
	    "or no figure), %lu rejected; %lu price, %lu price_event, %lu "
	    "metric records out", map->lines, map->mapped, map->skipped,
	    map->rejected, map->prices, map->events, map->metrics);
}

void
yahoo_map_add_metrics(const struct yahoo_map *map, struct promfile *pf)
{
	if (map == NULL)
		return;
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"price\"", (double)map->prices);
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"price_event\"", (double)map->events);
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"metric\",source=\"yahoo\"", (double)map->metrics);
	promfile_counter(pf, "corpintel_yahoo_lines_total",
	    "Lines of Yahoo kinds read, by outcome.", "outcome=\"mapped\"",
	    (double)map->mapped);
	promfile_counter(pf, "corpintel_yahoo_lines_total",
	    "Lines of Yahoo kinds read, by outcome.", "outcome=\"skipped\"",
	    (double)map->skipped);
	promfile_counter(pf, "corpintel_yahoo_lines_total",
	    "Lines of Yahoo kinds read, by outcome.", "outcome=\"rejected\"",
	    (double)map->rejected);
}
