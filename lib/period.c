#include <stddef.h>

#include "date.h"
#include "period.h"

/*
 * The fiscal calendar rule.
 *
 * Companies with 52/53-week years end their fiscal year on a weekday
 * near a month end, so the end date drifts by up to a week either side.
 * Apple's years end on the last Saturday of September, NVIDIA's on the
 * last Sunday of January, and a year ending on the Saturday nearest
 * December 31 can end on January 3.  Moving every end date back by
 * DRIFT_DAYS puts each of them in the month the company names its year
 * after (September, January, December).  An end on the last day of a
 * month stays in that month.
 *
 * The fiscal year end month of a company is the most frequent such month
 * among its annual durations.  The fiscal year of a period is the
 * calendar year of (end - DRIFT_DAYS) when that month is at or before the
 * year end month, else the next year: Microsoft's quarter ending
 * 2023-09-30 belongs to fiscal 2024, NVIDIA's ending 2023-04-30 too.
 * The filing's own fy and fp members are never used, because they
 * describe the filing (a 10-K for 2023 repeats 2021 and 2022 figures
 * under fy 2023), not the period of each fact.
 */
#define DRIFT_DAYS 7

#define QUARTER_MIN 80
#define QUARTER_MAX 100
#define YTD_6M_MIN 170
#define YTD_6M_MAX 190
#define YTD_9M_MIN 260
#define YTD_9M_MAX 285
#define ANNUAL_MIN 350
#define ANNUAL_MAX 380

enum period_class
period_classify(bool has_start, long start, long end)
{
	long days;

	if (!has_start)
		return PERIOD_INSTANT;

	days = end - start;
	if (period_is_quarter_length(days))
		return PERIOD_QUARTER;
	if (days >= YTD_6M_MIN && days <= YTD_6M_MAX)
		return PERIOD_YTD_6M;
	if (days >= YTD_9M_MIN && days <= YTD_9M_MAX)
		return PERIOD_YTD_9M;
	if (days >= ANNUAL_MIN && days <= ANNUAL_MAX)
		return PERIOD_ANNUAL;
	return PERIOD_UNCLASSIFIED;
}

/* Whether a duration of this many days (end - start) is a quarter. */
bool
period_is_quarter_length(long days)
{
	return days >= QUARTER_MIN && days <= QUARTER_MAX;
}

/* The period_type member of a metric record. */
const char *
period_type_name(enum period_class class)
{
	switch (class) {
	case PERIOD_INSTANT:	return "instant";
	case PERIOD_QUARTER:	return "quarter";
	case PERIOD_YTD_6M:	return "ytd";
	case PERIOD_YTD_9M:	return "ytd";
	case PERIOD_ANNUAL:	return "annual";
	case PERIOD_TTM:	return "ttm";
	case PERIOD_UNCLASSIFIED: break;
	}
	return NULL;
}

/* The calendar year and month of a period end moved back by the drift. */
static void
drifted_month(long end, int *year, int *month)
{
	int day;

	date_from_days(end - DRIFT_DAYS, year, month, &day);
}

/* Counts an annual duration towards its end month; other durations and
 * instants do not vote. */
void
fiscal_year_end_vote(struct fiscal_year_end_votes *votes, long start, long end)
{
	int year, month;

	if (period_classify(true, start, end) != PERIOD_ANNUAL)
		return;

	drifted_month(end, &year, &month);
	if (votes->count[month - 1] == 0 || end > votes->latest_end[month - 1])
		votes->latest_end[month - 1] = end;
	votes->count[month - 1]++;
}

/*
 * Returns the month (1-12) that received the most votes.  A tie goes to
 * the month of the most recent annual period, so a company that moved its
 * year end is placed on its current calendar.  Without any annual period
 * the calendar year (12) is assumed.
 */
int
fiscal_year_end_month(const struct fiscal_year_end_votes *votes)
{
	int best = 0;

	for (int i = 1; i < 12; i++) {
		if (votes->count[i] > votes->count[best] ||
		    (votes->count[i] == votes->count[best] &&
		    votes->latest_end[i] > votes->latest_end[best]))
			best = i;
	}
	return votes->count[best] == 0 ? 12 : best + 1;
}

/*
 * Places a period in the fiscal calendar that ends in year_end_month.
 * Months since the year end count 1 to 12, so a quarter ending 3 months
 * after it is Q1 and one ending 12 months after it is Q4.  An instant is
 * FY at the year end, Q1-Q3 at the other quarter ends and has no period
 * name between them (a cover-page share count, for example).
 *
 * Returns false for a year-to-date duration that does not end 6 or 9
 * months into the fiscal year, such as a second half.  Calling it H1 or
 * 9M would be wrong, so such a fact is not used.
 */
bool
fiscal_period_of(enum period_class class, long end, int year_end_month,
    struct fiscal_period *out)
{
	static const char *const quarter_names[] = { "Q1", "Q2", "Q3", "Q4" };
	int year, month, months_since;

	drifted_month(end, &year, &month);
	out->year = month <= year_end_month ? year : year + 1;
	months_since = (month - year_end_month + 12) % 12;
	if (months_since == 0)
		months_since = 12;

	switch (class) {
	case PERIOD_QUARTER:
		out->name = quarter_names[(months_since + 2) / 3 - 1];
		return true;
	case PERIOD_INSTANT:
		if (months_since == 12)
			out->name = "FY";
		else if (months_since % 3 == 0)
			out->name = quarter_names[months_since / 3 - 1];
		else
			out->name = NULL;
		return true;
	case PERIOD_YTD_6M:
		out->name = "H1";
		return months_since == 6;
	case PERIOD_YTD_9M:
		out->name = "9M";
		return months_since == 9;
	case PERIOD_ANNUAL:
		out->name = "FY";
		return true;
	case PERIOD_TTM:
		out->name = "TTM";
		return true;
	case PERIOD_UNCLASSIFIED:
		break;
	}
	out->name = NULL;
	return false;
}
