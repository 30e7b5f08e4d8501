#ifndef CORPINTEL_PERIOD_H
#define CORPINTEL_PERIOD_H

#include <stdbool.h>

/*
 * Reporting periods of XBRL facts and the fiscal calendar of a company.
 * Dates are days since 1970-01-01 (date.h).  A fact is an instant (a
 * balance at one date, no start) or a duration classified by its length
 * in days, end - start, as XBRL contexts give it:
 *
 *   quarter            80-100 days (13 or 14 weeks)
 *   6-month YTD       170-190 days
 *   9-month YTD       260-285 days
 *   annual            350-380 days (52- and 53-week years included)
 *
 * Any other length is unclassified and the fact is not used.  A
 * trailing-twelve-month period is never classified from a fact; it names
 * the sums of four quarters that quarters.c builds.
 */

enum period_class {
	PERIOD_UNCLASSIFIED,
	PERIOD_INSTANT,
	PERIOD_QUARTER,
	PERIOD_YTD_6M,
	PERIOD_YTD_9M,
	PERIOD_ANNUAL,
	PERIOD_TTM,		/* trailing twelve months: a sum of four
				   quarters, never a reported duration */
};

/* Votes for the month in which a company's fiscal year ends. */
struct fiscal_year_end_votes {
	unsigned long count[12];	/* annual durations per month */
	long latest_end[12];		/* latest end date per month */
};

/* A period placed in the company's fiscal calendar. */
struct fiscal_period {
	int year;		/* the fiscal year that contains the period end */
	const char *name;	/* FY, Q1..Q4, H1, 9M; NULL for an instant
				   that is not at a quarter end */
};

enum period_class period_classify(bool has_start, long start, long end);
const char *period_type_name(enum period_class class);

void fiscal_year_end_vote(struct fiscal_year_end_votes *votes, long start,
    long end);
int fiscal_year_end_month(const struct fiscal_year_end_votes *votes);

bool fiscal_period_of(enum period_class class, long end, int year_end_month,
    struct fiscal_period *out);
bool period_is_quarter_length(long days);

#endif
