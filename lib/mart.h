#ifndef CORPINTEL_MART_H
#define CORPINTEL_MART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "jsonw.h"

/*
 * The comparison tables ("marts") of the companies of a universe file:
 * one mart_company_performance row per company and one
 * mart_competitive_landscape row per category, as of one date.
 *
 * The mart reads the metric stream (reported and derived records).  Per
 * company, it keeps only the latest value of each metric it reads whose
 * period ended on or before the as-of date, so memory grows with the
 * universe, not with the input.  Numeric columns that cannot be
 * filled are NAN and written as null.
 *
 * The choices, documented in transform(1):
 *   twelve-month revenue  the TTM revenue when its period ends after the
 *                         latest annual one, else the annual revenue; the
 *                         growth and margins of the row are those of the
 *                         same period; a TTM revenue older than the
 *                         latest annual one is superseded and left out
 *   ranks                 by twelve-month revenue, descending, among the
 *                         companies whose revenue is in the ranking
 *                         currency (no exchange rates are applied); equal
 *                         revenues share a rank
 *   growth_score          growth -20% -> 0 to +40% -> 100
 *   margin_score          gross margin 0% -> 0 to 80% -> 100
 *   profitability_score   net margin -20% -> 0 to +20% -> 100
 *   overall_score         the mean of the scores present
 *   health                strong >= 70, stable >= 50, weak >= 30,
 *                         else at risk
 * Scores are linear between their ends, clamped to 0-100 and rounded to
 * an integer.
 */

#define MART_UNIT_SIZE 16

#define MART_STRONG_MIN 70
#define MART_STABLE_MIN 50
#define MART_WEAK_MIN 30

/* The period types the mart reads revenue, margins and growth of. */
enum mart_period {
	MART_QUARTER,
	MART_ANNUAL,
	MART_TTM,
	MART_PERIOD_COUNT,
};

/* The metrics the mart reads, per period type. */
enum mart_metric {
	MART_REVENUE,
	MART_GROWTH,
	MART_GROSS_MARGIN,
	MART_OPERATING_MARGIN,
	MART_NET_MARGIN,
	MART_METRIC_COUNT,
};

/* The latest value of one metric, period type and company. */
struct mart_point {
	bool set;
	long period_end;		/* days since 1970-01-01 */
	double value;
	char unit[MART_UNIT_SIZE];
};

struct mart_company {
	/* From the universe file. */
	char *ticker;
	char *name;
	char *category;
	char *cik;			/* NULL when the universe has none */
	bool listed;
	unsigned long line;		/* of its entry in the universe file */

	/* Observed in the input. */
	unsigned long records;		/* metric records of this company */
	struct mart_point points[MART_PERIOD_COUNT][MART_METRIC_COUNT];
	struct mart_point market_cap;
	struct mart_point pe_trailing;

	/* Filled by mart_compute. */
	const char *unit;		/* of the twelve-month revenue */
	double revenue_quarter;
	double revenue_annual;
	double revenue_ttm;
	double twelve_month_revenue;
	double revenue_growth_yoy;
	double gross_margin;
	double operating_margin;
	double net_margin;
	double market_cap_value;
	double pe_ratio;
	double rank_in_category;
	double rank_overall;
	double growth_score;
	double margin_score;
	double profitability_score;
	double overall_score;
	const char *health;
	bool has_latest;
	long latest_period_end;
	bool ranked;			/* revenue in the ranking currency */
};

struct mart_category {
	char *name;
	double total_revenue;
	size_t companies;
	double average_growth;
	double median_growth;
	double hhi;			/* 0 to 10000 */
	double top3_share;		/* a fraction */
};

struct mart {
	long as_of;
	char rank_unit[MART_UNIT_SIZE];
	struct mart_company *companies;	/* in the universe file's order */
	size_t company_count;
	struct mart_category *categories;	/* in order of first use */
	size_t category_count;
};

struct mart *mart_load_universe(const char *path, long as_of,
    const char *rank_unit, char *error, size_t error_size);
bool mart_reads_metric(const char *metric);
void mart_observe(struct mart *mart, const char *cik, const char *ticker,
    const char *metric, const char *period_type, long period_end,
    double value, const char *unit);
int mart_compute(struct mart *mart);
void mart_log_notes(const struct mart *mart);
void mart_company_json(const struct mart *mart,
    const struct mart_company *company, struct jsonw *w);
void mart_category_json(const struct mart *mart,
    const struct mart_category *category, struct jsonw *w);
int mart_write_report(const struct mart *mart, FILE *fp);
void mart_free(struct mart *mart);

#endif
