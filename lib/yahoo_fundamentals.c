/*
 * The fundamentals time series (yahoo_fundamental records) and
 * quoteSummary (yahoo_quote records).
 *
 * A value Yahoo does not have stays null.  Besides null and absent
 * members, Yahoo marks a missing value with an empty object {} and, in
 * the statement modules since 2024, with {"raw": 0, "fmt": null}; a
 * plain 0 is a missing value too for the fields that cannot be zero
 * (market capitalization, price, P/E, price to book, employees).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "yahoo.h"

/* ---- fundamentals time series ---- */

/* The period a series covers, from the prefix Yahoo gives its type. */
static const char *
period_of_type(const char *type)
{
	static const char *const prefixes[] = {
		"quarterly", "annual", "trailing", NULL,
	};

	for (const char *const *p = prefixes; *p != NULL; p++)
		if (strncmp(type, *p, strlen(*p)) == 0)
			return *p;
	return NULL;
}

/*
 * The value of a {raw, fmt} pair, or NULL when it stands for a missing
 * value: absent, null, {} or raw 0 without fmt.
 */
static const cJSON *
raw_value(const cJSON *pair)
{
	const cJSON *raw = yahoo_member(pair, "raw");
	const cJSON *fmt = yahoo_member(pair, "fmt");

	if (!cJSON_IsNumber(raw))
		return NULL;
	if (raw->valuedouble == 0 && !cJSON_IsString(fmt))
		return NULL;
	return raw;
}

static void
write_point(const struct yahoo_request *r, struct jsonw *w,
    const char *symbol, const char *type, const char *period,
    const char *date, const cJSON *point, const cJSON *value)
{
	const cJSON *pair = yahoo_member(point, "reportedValue");

	jsonw_begin(w);
	jsonw_string(w, "kind", "yahoo_fundamental");
	jsonw_string(w, "symbol", symbol);
	jsonw_string(w, "type", type);
	jsonw_string(w, "period_type", period);
	jsonw_string(w, "as_of_date", date);
	jsonw_number(w, "value", value->valuedouble);
	yahoo_string_or_null(w, "currency", yahoo_string(point, "currencyCode"));
	yahoo_string_or_null(w, "reported_value_fmt", yahoo_string(pair, "fmt"));
	jsonw_end(w);
	yahoo_emit(r, w);
}

/* Writes the points of one series; a point without a date or a value
 * is counted, and a series without points too. */
static void
write_series(const cJSON *series, const struct yahoo_request *r,
    struct yahoo_counts *counts, struct jsonw *w)
{
	const cJSON *meta = yahoo_member(series, "meta");
	const cJSON *symbols = yahoo_first(meta, "symbol");
	const cJSON *types = yahoo_first(meta, "type");
	const char *symbol = cJSON_IsString(symbols) ? symbols->valuestring :
	    r->symbol;
	const char *type = cJSON_IsString(types) ? types->valuestring : NULL;
	const char *period;
	const cJSON *points, *point;

	if (symbol == NULL || type == NULL) {
		log_warn("%s: time series entry without meta.symbol or "
		    "meta.type skipped", r->label);
		counts->empty_series++;
		return;
	}
	points = yahoo_member(series, type);
	if (!cJSON_IsArray(points) || points->child == NULL) {
		counts->empty_series++;
		return;
	}
	period = period_of_type(type);
	cJSON_ArrayForEach(point, points) {
		const char *date = yahoo_string(point, "asOfDate");
		const cJSON *value = raw_value(yahoo_member(point,
		    "reportedValue"));
		long days;

		if (period == NULL || date == NULL || !date_parse(date, &days) ||
		    value == NULL) {
			counts->null_points++;
			continue;
		}
		write_point(r, w, symbol, type, period, date, point, value);
		counts->fundamentals++;
	}
	if (period == NULL)
		log_warn("%s: time series type '%s' is neither quarterly, "
		    "annual nor trailing: its points are skipped", r->label,
		    type);
}

int
yahoo_write_timeseries(const cJSON *timeseries,
    const struct yahoo_request *r, struct yahoo_counts *counts,
    struct jsonw *w)
{
	const cJSON *result = yahoo_member(timeseries, "result");
	const cJSON *series;

	if (!cJSON_IsArray(result)) {
		log_error("%s: time series response without a result",
		    r->label);
		return -1;
	}
	cJSON_ArrayForEach(series, result)
		write_series(series, r, counts, w);
	return 0;
}

/* ---- quoteSummary ---- */

/* A field of a module: a plain number or a {raw, fmt} pair. */
static const cJSON *
field(const cJSON *module, const char *key, bool zero_is_missing)
{
	const cJSON *item = yahoo_member(module, key);

	if (cJSON_IsObject(item))
		item = raw_value(item);
	if (!cJSON_IsNumber(item))
		return NULL;
	if (zero_is_missing && item->valuedouble == 0)
		return NULL;
	return item;
}

/* The first of two fields that has a value. */
static const cJSON *
field2(const cJSON *first, const cJSON *second, const char *key,
    bool zero_is_missing)
{
	const cJSON *item = field(first, key, zero_is_missing);

	return item != NULL ? item : field(second, key, zero_is_missing);
}

static const char *
text2(const cJSON *first, const cJSON *second, const char *key)
{
	const char *s = yahoo_string(first, key);

	return s != NULL && *s != '\0' ? s : yahoo_string(second, key);
}

/* The modules a yahoo_quote record is built from. */
struct modules {
	const cJSON *price, *summary, *statistics, *financial, *profile,
	    *summary_profile, *quote_type;
};

/* Dates the quote's regularMarketTime in the exchange's zone, from the
 * quoteType module.  Returns false when it cannot. */
static bool
quote_date(const struct modules *m, const char *label,
    char date[DATE_TEXT_SIZE])
{
	const cJSON *time = field(m->price, "regularMarketTime", true);
	const cJSON *offset_ms = field(m->quote_type, "gmtOffSetMilliseconds",
	    false);
	const char *zone = yahoo_string(m->quote_type, "timeZoneFullName");
	struct yahoo_clock clock;
	bool ok;

	if (time == NULL || (zone == NULL && offset_ms == NULL))
		return false;
	if (!yahoo_clock_start(&clock, zone, offset_ms != NULL,
	    offset_ms != NULL ? (long)(offset_ms->valuedouble / 1000) : 0,
	    label))
		return false;
	ok = yahoo_clock_date(&clock, time->valuedouble, date);
	yahoo_clock_stop(&clock);
	return ok;
}

static void
write_quote(const struct yahoo_request *r, struct jsonw *w,
    const char *symbol, const char *date, const struct modules *m)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "yahoo_quote");
	jsonw_string(w, "symbol", symbol);
	yahoo_string_or_null(w, "date", date);
	yahoo_string_or_null(w, "name", text2(m->price, m->quote_type,
	    "longName") != NULL ? text2(m->price, m->quote_type, "longName") :
	    text2(m->price, m->quote_type, "shortName"));
	yahoo_string_or_null(w, "currency", text2(m->price, m->summary,
	    "currency"));
	yahoo_string_or_null(w, "financial_currency",
	    yahoo_string(m->financial, "financialCurrency"));
	yahoo_string_or_null(w, "exchange", text2(m->price, m->quote_type,
	    "exchange"));
	yahoo_string_or_null(w, "timezone",
	    yahoo_string(m->quote_type, "timeZoneFullName"));
	yahoo_number_or_null(w, "price",
	    field(m->price, "regularMarketPrice", true));
	yahoo_number_or_null(w, "market_cap",
	    field2(m->summary, m->price, "marketCap", true));
	yahoo_number_or_null(w, "pe_trailing",
	    field(m->summary, "trailingPE", true));
	yahoo_number_or_null(w, "pe_forward",
	    field2(m->summary, m->statistics, "forwardPE", true));
	yahoo_number_or_null(w, "price_to_book",
	    field(m->statistics, "priceToBook", true));
	yahoo_number_or_null(w, "return_on_equity",
	    field(m->financial, "returnOnEquity", false));
	yahoo_number_or_null(w, "profit_margin",
	    field2(m->financial, m->statistics, "profitMargins", false));
	yahoo_number_or_null(w, "earnings_growth",
	    field(m->financial, "earningsGrowth", false));
	yahoo_number_or_null(w, "revenue_growth",
	    field(m->financial, "revenueGrowth", false));
	yahoo_number_or_null(w, "free_cash_flow",
	    field(m->financial, "freeCashflow", false));
	yahoo_number_or_null(w, "employees",
	    field2(m->profile, m->summary_profile, "fullTimeEmployees", true));
	yahoo_string_or_null(w, "sector", text2(m->profile, m->summary_profile,
	    "sector"));
	yahoo_string_or_null(w, "industry", text2(m->profile,
	    m->summary_profile, "industry"));
	jsonw_end(w);
	yahoo_emit(r, w);
}

int
yahoo_write_quote_summary(const cJSON *summary,
    const struct yahoo_request *r, struct yahoo_counts *counts,
    struct jsonw *w)
{
	const cJSON *result = yahoo_first(summary, "result");
	char date[DATE_TEXT_SIZE];
	const char *symbol;
	struct modules m;

	if (!cJSON_IsObject(result)) {
		log_error("%s: quoteSummary response without a result",
		    r->label);
		return -1;
	}
	m = (struct modules){
		.price = yahoo_member(result, "price"),
		.summary = yahoo_member(result, "summaryDetail"),
		.statistics = yahoo_member(result, "defaultKeyStatistics"),
		.financial = yahoo_member(result, "financialData"),
		.profile = yahoo_member(result, "assetProfile"),
		.summary_profile = yahoo_member(result, "summaryProfile"),
		.quote_type = yahoo_member(result, "quoteType"),
	};
	symbol = text2(m.price, m.quote_type, "symbol");
	if (symbol == NULL)
		symbol = r->symbol;
	if (symbol == NULL) {
		log_error("%s: quoteSummary response without a symbol: ask "
		    "for the price or quoteType module", r->label);
		return -1;
	}
	if (!quote_date(&m, r->label, date)) {
		log_warn("%s: no market time and exchange time zone in the "
		    "price and quoteType modules: the quote has no date",
		    r->label);
		date[0] = '\0';
	}
	write_quote(r, w, symbol, date[0] != '\0' ? date : NULL, &m);
	counts->quotes++;
	return 0;
}
