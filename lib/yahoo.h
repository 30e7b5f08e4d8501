#ifndef CORPINTEL_YAHOO_H
#define CORPINTEL_YAHOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "jsonw.h"

/*
 * Reading Yahoo Finance responses into records: the v8 chart endpoint
 * (yahoo_bar and yahoo_event), the fundamentals time series
 * (yahoo_fundamental) and quoteSummary (yahoo_quote).  The endpoint of
 * a response is recognized by its top-level member, so saved files need
 * no label.
 * Records go to standard output, or to the request's stream, one per
 * line.
 */

/* Record and skip counts of the responses read.  For a chart,
 * timestamps = bars + null_bars, and for a time series, points =
 * fundamentals + null_points. */
struct yahoo_counts {
	unsigned long bars;
	unsigned long null_bars;	/* no timestamp or a null close */
	unsigned long events;
	unsigned long bad_events;	/* no date or no amount or ratio */
	unsigned long fundamentals;
	unsigned long null_points;	/* null entries, no reportedValue */
	unsigned long empty_series;	/* types Yahoo returned no data for */
	unsigned long quotes;
};

/* Reasons a response gave no records. */
enum yahoo_failure {
	YAHOO_FAILED,			/* reported; the symbol failed */
	YAHOO_RATE_LIMITED,		/* HTTP 429 after the retries */
	YAHOO_INVALID_CRUMB,		/* quoteSummary wants a new crumb */
};

/* The request behind a response, for labels and defaults. */
struct yahoo_request {
	const char *label;		/* symbol or file name in messages */
	const char *symbol;		/* NULL for a saved file */
	const char *interval;		/* asked for; chart meta may omit it */
	FILE *out;			/* where the records go; NULL:
					   standard output */
};

/*
 * Writes the records of one response.  status is the HTTP status, 200
 * for a saved file.  Returns 0, or -1 after one diagnostic naming the
 * request, with the reason in *failure.
 */
int yahoo_write_response(const char *body, size_t length, long status,
    const struct yahoo_request *request, struct yahoo_counts *counts,
    struct jsonw *w, enum yahoo_failure *failure);

/* ---- for the readers in lib/yahoo_*.c ---- */

const cJSON *yahoo_member(const cJSON *object, const char *key);
const char *yahoo_string(const cJSON *object, const char *key);
const cJSON *yahoo_first(const cJSON *object, const char *key);

/* Dates timestamps in an exchange's calendar: in its IANA zone when
 * installed, else shifted by a fixed offset. */
struct yahoo_clock {
	bool use_offset;
	long offset;			/* seconds east of UTC */
	bool zone_set;
	char *saved_tz;
};

bool yahoo_clock_start(struct yahoo_clock *clock, const char *zone,
    bool has_offset, long offset, const char *label);
bool yahoo_clock_date(const struct yahoo_clock *clock, double timestamp,
    char date[DATE_TEXT_SIZE]);
void yahoo_clock_stop(struct yahoo_clock *clock);

void yahoo_emit(const struct yahoo_request *r, struct jsonw *w);
void yahoo_number_or_null(struct jsonw *w, const char *key,
    const cJSON *item);
void yahoo_string_or_null(struct jsonw *w, const char *key,
    const char *value);

int yahoo_write_chart(const cJSON *chart, const struct yahoo_request *r,
    struct yahoo_counts *counts, struct jsonw *w);
int yahoo_write_timeseries(const cJSON *timeseries,
    const struct yahoo_request *r, struct yahoo_counts *counts,
    struct jsonw *w);
int yahoo_write_quote_summary(const cJSON *summary,
    const struct yahoo_request *r, struct yahoo_counts *counts,
    struct jsonw *w);

#endif
