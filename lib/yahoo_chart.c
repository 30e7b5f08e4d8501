/*
 * The v8 chart endpoint: one yahoo_bar record per bar and one
 * yahoo_event record per dividend, split or capital gain.
 *
 * Bars and events are dated in the exchange's local calendar: the
 * timestamp converted in meta.exchangeTimezoneName, or shifted by
 * meta.gmtoffset when that zone is not installed.  A bar whose close is
 * null is skipped and counted, never written as zero.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "yahoo.h"

/* The members of a chart response's meta that every record carries. */
struct chart_meta {
	const char *symbol;
	const char *currency;
	const char *exchange;
	const char *timezone;
	const char *interval;
	bool has_gmtoffset;
	long gmtoffset;			/* seconds east of UTC */
};

/* The price arrays of one response, walked in step with the timestamps. */
struct bar_cursor {
	const cJSON *timestamp, *open, *high, *low, *close, *adjclose, *volume;
};

/* Yahoo's names of the event groups, and ours. */
static const struct {
	const char *group;
	const char *type;
} event_groups[] = {
	{ "dividends", "dividend" },
	{ "splits", "split" },
	{ "capitalGains", "capital_gain" },
};

static void
read_meta(const cJSON *meta, const char *requested_interval,
    struct chart_meta *m)
{
	const cJSON *offset = yahoo_member(meta, "gmtoffset");

	m->symbol = yahoo_string(meta, "symbol");
	m->currency = yahoo_string(meta, "currency");
	m->exchange = yahoo_string(meta, "exchangeName");
	m->timezone = yahoo_string(meta, "exchangeTimezoneName");
	m->interval = yahoo_string(meta, "dataGranularity");
	if (m->interval == NULL)
		m->interval = requested_interval;
	m->has_gmtoffset = cJSON_IsNumber(offset);
	m->gmtoffset = m->has_gmtoffset ? (long)offset->valuedouble : 0;
}

static const cJSON *
step(const cJSON *item)
{
	return item != NULL ? item->next : NULL;
}

static void
cursor_next(struct bar_cursor *c)
{
	c->timestamp = step(c->timestamp);
	c->open = step(c->open);
	c->high = step(c->high);
	c->low = step(c->low);
	c->close = step(c->close);
	c->adjclose = step(c->adjclose);
	c->volume = step(c->volume);
}

static void
write_bar(const struct yahoo_request *r, struct jsonw *w,
    const struct chart_meta *m, const char *date, const struct bar_cursor *c)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "yahoo_bar");
	jsonw_string(w, "symbol", m->symbol);
	jsonw_string(w, "date", date);
	yahoo_string_or_null(w, "interval", m->interval);
	yahoo_number_or_null(w, "open", c->open);
	yahoo_number_or_null(w, "high", c->high);
	yahoo_number_or_null(w, "low", c->low);
	yahoo_number_or_null(w, "close", c->close);
	yahoo_number_or_null(w, "adjclose", c->adjclose);
	yahoo_number_or_null(w, "volume", c->volume);
	yahoo_string_or_null(w, "currency", m->currency);
	yahoo_string_or_null(w, "exchange", m->exchange);
	yahoo_string_or_null(w, "timezone", m->timezone);
	jsonw_end(w);
	yahoo_emit(r, w);
}

static void
write_bars(const struct yahoo_request *r, const cJSON *result,
    const struct chart_meta *m,
    const struct yahoo_clock *clock, struct yahoo_counts *counts,
    struct jsonw *w)
{
	const cJSON *indicators = yahoo_member(result, "indicators");
	const cJSON *quote = yahoo_first(indicators, "quote");
	const cJSON *adjclose = yahoo_first(indicators, "adjclose");
	struct bar_cursor c = {
		.timestamp = yahoo_first(result, "timestamp"),
		.open = yahoo_first(quote, "open"),
		.high = yahoo_first(quote, "high"),
		.low = yahoo_first(quote, "low"),
		.close = yahoo_first(quote, "close"),
		.adjclose = yahoo_first(adjclose, "adjclose"),
		.volume = yahoo_first(quote, "volume"),
	};
	char date[DATE_TEXT_SIZE];

	for (; c.timestamp != NULL; cursor_next(&c)) {
		if (!cJSON_IsNumber(c.timestamp) || !cJSON_IsNumber(c.close) ||
		    !yahoo_clock_date(clock, c.timestamp->valuedouble, date)) {
			counts->null_bars++;
			continue;
		}
		write_bar(r, w, m, date, &c);
		counts->bars++;
	}
}

static const cJSON *
number_member(const cJSON *object, const char *key)
{
	const cJSON *item = yahoo_member(object, key);

	return cJSON_IsNumber(item) ? item : NULL;
}

/*
 * Checks one event: a date, and an amount for a dividend or capital
 * gain, or a positive numerator and denominator for a split.  Returns
 * NULL or the reason it cannot be written.
 */
static const char *
event_problem(const cJSON *event, const char *type, double *timestamp)
{
	const cJSON *date = number_member(event, "date");
	const cJSON *numerator = number_member(event, "numerator");
	const cJSON *denominator = number_member(event, "denominator");

	/* The group is keyed by the timestamp too, as a string. */
	if (date != NULL)
		*timestamp = date->valuedouble;
	else if (event->string != NULL && *event->string != '\0')
		*timestamp = strtod(event->string, NULL);
	else
		return "no date";
	if (strcmp(type, "split") != 0)
		return number_member(event, "amount") != NULL ? NULL :
		    "no amount";
	if (numerator == NULL || denominator == NULL ||
	    !(numerator->valuedouble > 0) || !(denominator->valuedouble > 0))
		return "no positive numerator and denominator";
	return NULL;
}

static void
write_event(const struct yahoo_request *r, struct jsonw *w,
    const struct chart_meta *m, const char *type, const char *date,
    const cJSON *event)
{
	bool split = strcmp(type, "split") == 0;

	jsonw_begin(w);
	jsonw_string(w, "kind", "yahoo_event");
	jsonw_string(w, "symbol", m->symbol);
	jsonw_string(w, "date", date);
	jsonw_string(w, "type", type);
	yahoo_number_or_null(w, "amount",
	    split ? NULL : number_member(event, "amount"));
	yahoo_number_or_null(w, "numerator",
	    split ? number_member(event, "numerator") : NULL);
	yahoo_number_or_null(w, "denominator",
	    split ? number_member(event, "denominator") : NULL);
	yahoo_string_or_null(w, "currency", m->currency);
	yahoo_string_or_null(w, "exchange", m->exchange);
	yahoo_string_or_null(w, "timezone", m->timezone);
	jsonw_end(w);
	yahoo_emit(r, w);
}

/* Writes the events group by group (dividends, splits, capital gains),
 * each in the response's order, which is by date. */
static void
write_events(const cJSON *events, const struct chart_meta *m,
    const struct yahoo_clock *clock, const struct yahoo_request *r,
    struct yahoo_counts *counts, struct jsonw *w)
{
	for (size_t i = 0; i < sizeof event_groups / sizeof *event_groups; i++) {
		const cJSON *group = yahoo_member(events, event_groups[i].group);
		const char *type = event_groups[i].type;
		const cJSON *event;

		if (!cJSON_IsObject(group))
			continue;
		cJSON_ArrayForEach(event, group) {
			char date[DATE_TEXT_SIZE];
			double timestamp = 0;
			const char *problem = event_problem(event, type,
			    &timestamp);

			if (problem == NULL && !yahoo_clock_date(clock,
			    timestamp, date))
				problem = "a date out of range";
			if (problem != NULL) {
				log_warn("%s: %s event '%s' skipped: %s", r->label,
				    type, event->string != NULL ?
				    event->string : "?", problem);
				counts->bad_events++;
				continue;
			}
			write_event(r, w, m, type, date, event);
			counts->events++;
		}
	}
}

static bool
has_events(const cJSON *events)
{
	for (size_t i = 0; i < sizeof event_groups / sizeof *event_groups; i++) {
		const cJSON *group = yahoo_member(events, event_groups[i].group);

		if (cJSON_IsObject(group) && group->child != NULL)
			return true;
	}
	return false;
}

/*
 * Writes the bars and events of a chart response.  Returns 0, or -1
 * after reporting why they cannot be read or dated.
 */
int
yahoo_write_chart(const cJSON *chart, const struct yahoo_request *r,
    struct yahoo_counts *counts, struct jsonw *w)
{
	const cJSON *result = yahoo_first(chart, "result");
	const cJSON *events;
	struct yahoo_clock clock;
	struct chart_meta meta;
	unsigned long bars = counts->bars, skipped = counts->null_bars;

	if (!cJSON_IsObject(result) ||
	    !cJSON_IsObject(yahoo_member(result, "meta"))) {
		log_error("%s: chart response without a result", r->label);
		return -1;
	}
	read_meta(yahoo_member(result, "meta"), r->interval, &meta);
	if (meta.symbol == NULL) {
		log_error("%s: chart response without meta.symbol", r->label);
		return -1;
	}
	events = yahoo_member(result, "events");
	if (yahoo_first(result, "timestamp") == NULL && !has_events(events))
		return 0;

	if (!yahoo_clock_start(&clock, meta.timezone, meta.has_gmtoffset,
	    meta.gmtoffset, r->label))
		return -1;
	write_bars(r, result, &meta, &clock, counts, w);
	write_events(events, &meta, &clock, r, counts, w);
	yahoo_clock_stop(&clock);

	log_debug("%s: %lu bars, %lu null bars skipped", r->label,
	    counts->bars - bars, counts->null_bars - skipped);
	return 0;
}
