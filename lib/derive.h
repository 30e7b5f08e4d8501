#ifndef CORPINTEL_DERIVE_H
#define CORPINTEL_DERIVE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Derived metrics computed from reported ones: gross, operating, net and
 * free-cash-flow margin, free cash flow, revenue growth year over year
 * (annual, quarterly and trailing twelve months) and quarter over
 * quarter, and diluted EPS growth year over year.  Trailing-twelve-month
 * (TTM) sums of the flow metrics are computed from four consecutive
 * quarters where the input has no TTM record of its own.
 *
 * The store keeps only the metrics these need, for annual, quarterly and
 * TTM periods, and one record per key (cik, metric, period_type,
 * period_end).  A later record with the same key replaces the earlier
 * one, so memory grows with companies and periods, not with repeated
 * input.
 *
 * A value that cannot be derived honestly (no revenue, revenue not
 * positive, different units, no prior period, a gap, a unit or currency
 * change) is left out and counted by reason, never guessed.
 */

/* The reported metrics that derivations read. */
enum derive_input {
	DERIVE_REVENUE,
	DERIVE_GROSS_PROFIT,
	DERIVE_OPERATING_INCOME,
	DERIVE_NET_INCOME,
	DERIVE_OPERATING_CASH_FLOW,
	DERIVE_CAPITAL_EXPENDITURE,
	DERIVE_EPS_DILUTED,
	DERIVE_INPUT_COUNT,
};

/* Days between a period's end and the end of the same period one year
 * earlier: 52/53-week fiscal years end 364 or 371 days apart, calendar
 * years 365 or 366. */
#define DERIVE_PRIOR_YEAR_MIN_DAYS 350
#define DERIVE_PRIOR_YEAR_MAX_DAYS 380

/* Days between the ends of two consecutive quarters: 13 or 14 weeks, or
 * a calendar quarter of 90 to 92 days, with the same slack as period.h's
 * quarter length. */
#define DERIVE_PRIOR_QUARTER_MIN_DAYS 80
#define DERIVE_PRIOR_QUARTER_MAX_DAYS 100

/* One reported metric as the store keeps it.  Strings may be NULL where
 * the metric record has null; the store copies them. */
struct derive_metric {
	enum derive_input input;
	const char *cik;
	const char *ticker;
	const char *unit;
	const char *period_type;	/* "annual", "quarter" or "ttm" */
	const char *period_start;	/* YYYY-MM-DD */
	long period_end;		/* days since 1970-01-01 */
	double value;
	bool has_fiscal_year;
	long long fiscal_year;
	const char *fiscal_period;
	const char *source_ref;
	const char *filed;		/* YYYY-MM-DD */
	const char *derivation;		/* NULL for a reported metric */
};

/* One derived metric record, valid until the store is freed. */
struct derived_metric {
	const char *cik;
	const char *ticker;
	const char *metric;		/* "gross_margin", ... */
	double value;
	const char *unit;		/* "pure" for ratios, else the inputs' */
	const char *period_type;
	const char *period_start;
	long period_end;
	bool has_fiscal_year;
	long long fiscal_year;
	const char *fiscal_period;
	char *source_ref;		/* the inputs' refs joined with ';' */
	const char *filed;		/* the latest of the inputs' filed */
	const char *derivation;		/* the formula, for readers */
};

/* Reasons for leaving out a derivation that had some of its inputs. */
enum derive_absence {
	DERIVE_ABSENT_NO_REVENUE,	/* numerator without revenue */
	DERIVE_ABSENT_REVENUE_NOT_POSITIVE,
	DERIVE_ABSENT_UNIT_MISMATCH,	/* numerator and revenue units differ */
	DERIVE_ABSENT_PERIOD_START_MISMATCH,
	DERIVE_ABSENT_NO_PRIOR_PERIOD,	/* first year, or a gap */
	DERIVE_ABSENT_AMBIGUOUS_PRIOR,	/* two candidate prior periods */
	DERIVE_ABSENT_UNIT_CHANGE,	/* prior revenue in another unit */
	DERIVE_ABSENT_PRIOR_NOT_POSITIVE,	/* growth over a base <= 0 */
	DERIVE_ABSENT_NO_CAPITAL_EXPENDITURE,	/* cash flow without capex */
	DERIVE_ABSENT_OUT_OF_RANGE,	/* the ratio overflows a double */
	DERIVE_ABSENCE_COUNT,
};

enum derive_add_result {
	DERIVE_ADDED,
	DERIVE_REPLACED,		/* a record with the same key was dropped */
	DERIVE_NO_MEMORY,
};

struct derive_store;

/* Called once per derived record, in order of (cik, metric, period_type,
 * period_end).  A nonzero return stops the run and is returned. */
typedef int derive_emit_fn(const struct derived_metric *derived, void *arg);

struct derive_store *derive_store_new(void);
int derive_input_of(const char *metric);
bool derive_period_type_used(const char *period_type);
enum derive_add_result derive_store_add(struct derive_store *store,
    const struct derive_metric *metric);
size_t derive_store_count(const struct derive_store *store);
int derive_run(struct derive_store *store, derive_emit_fn *emit, void *arg,
    unsigned long absent[DERIVE_ABSENCE_COUNT]);
const char *derive_absence_name(enum derive_absence absence);
const char *derive_input_name(enum derive_input input);
void derive_store_free(struct derive_store *store);

#endif
