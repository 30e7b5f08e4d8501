#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "period.h"

/*
 * Most dates below are period ends from the XBRL company facts of three
 * filers.  Apple's 52/53-week year ends on the last Saturday of September,
 * Microsoft's year on June 30, and NVIDIA's 52/53-week year on the last
 * Sunday of January.
 */

static long
day(const char *text)
{
	long days;

	ck_assert_msg(date_parse(text, &days), "bad test date '%s'", text);
	return days;
}

static enum period_class
classify(const char *start, const char *end)
{
	return period_classify(start != NULL, start != NULL ? day(start) : 0,
	    day(end));
}

static int
year_end_of(const char *const *annual, size_t n)
{
	struct fiscal_year_end_votes votes;

	memset(&votes, 0, sizeof votes);
	for (size_t i = 0; i < n; i += 2)
		fiscal_year_end_vote(&votes, day(annual[i]), day(annual[i + 1]));
	return fiscal_year_end_month(&votes);
}

/* Checks the fiscal year and period name of a period. */
static void
check_fiscal(enum period_class class, const char *end, int year_end_month,
    int year, const char *name)
{
	struct fiscal_period fp;

	ck_assert_msg(fiscal_period_of(class, day(end), year_end_month, &fp),
	    "period ending %s not placed", end);
	ck_assert_msg(fp.year == year, "period ending %s: fiscal year %d, "
	    "expected %d", end, fp.year, year);
	if (name == NULL)
		ck_assert_msg(fp.name == NULL, "period ending %s: name %s, "
		    "expected none", end, fp.name);
	else
		ck_assert_msg(fp.name != NULL && strcmp(fp.name, name) == 0,
		    "period ending %s: name %s, expected %s", end,
		    fp.name != NULL ? fp.name : "(none)", name);
}

START_TEST(lengths_classified)
{
	/* Apple: fiscal 2023 had 53 weeks, fiscal 2024 52. */
	ck_assert_int_eq(classify("2022-09-25", "2023-09-30"), PERIOD_ANNUAL);
	ck_assert_int_eq(classify("2023-10-01", "2024-09-28"), PERIOD_ANNUAL);
	/* Apple's 14-week first quarter of fiscal 2023. */
	ck_assert_int_eq(classify("2022-09-25", "2022-12-31"), PERIOD_QUARTER);
	ck_assert_int_eq(classify("2023-10-01", "2023-12-30"), PERIOD_QUARTER);
	ck_assert_int_eq(classify("2023-10-01", "2024-03-30"), PERIOD_YTD_6M);
	ck_assert_int_eq(classify("2023-10-01", "2024-06-29"), PERIOD_YTD_9M);
	/* Microsoft: calendar-month quarters. */
	ck_assert_int_eq(classify("2023-01-01", "2023-03-31"), PERIOD_QUARTER);
	ck_assert_int_eq(classify("2022-07-01", "2023-06-30"), PERIOD_ANNUAL);
	ck_assert_int_eq(classify(NULL, "2023-06-30"), PERIOD_INSTANT);
}
END_TEST

START_TEST(length_boundaries)
{
	static const struct {
		long days;
		enum period_class class;
	} cases[] = {
		{ 0, PERIOD_UNCLASSIFIED }, { 30, PERIOD_UNCLASSIFIED },
		{ 79, PERIOD_UNCLASSIFIED }, { 80, PERIOD_QUARTER },
		{ 100, PERIOD_QUARTER }, { 101, PERIOD_UNCLASSIFIED },
		{ 169, PERIOD_UNCLASSIFIED }, { 170, PERIOD_YTD_6M },
		{ 190, PERIOD_YTD_6M }, { 191, PERIOD_UNCLASSIFIED },
		{ 259, PERIOD_UNCLASSIFIED }, { 260, PERIOD_YTD_9M },
		{ 285, PERIOD_YTD_9M }, { 286, PERIOD_UNCLASSIFIED },
		{ 349, PERIOD_UNCLASSIFIED }, { 350, PERIOD_ANNUAL },
		{ 380, PERIOD_ANNUAL }, { 381, PERIOD_UNCLASSIFIED },
		{ 730, PERIOD_UNCLASSIFIED }, { -90, PERIOD_UNCLASSIFIED },
	};
	long start = day("2020-01-01");

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(period_classify(true, start, start + cases[i].days) ==
		    cases[i].class, "%ld days misclassified", cases[i].days);
}
END_TEST

START_TEST(period_type_names)
{
	ck_assert_str_eq(period_type_name(PERIOD_INSTANT), "instant");
	ck_assert_str_eq(period_type_name(PERIOD_QUARTER), "quarter");
	ck_assert_str_eq(period_type_name(PERIOD_YTD_6M), "ytd");
	ck_assert_str_eq(period_type_name(PERIOD_YTD_9M), "ytd");
	ck_assert_str_eq(period_type_name(PERIOD_ANNUAL), "annual");
	ck_assert_ptr_null(period_type_name(PERIOD_UNCLASSIFIED));
}
END_TEST

/* Apple's annual periods as its 10-K filings report them, of 52 and 53
 * weeks. */
START_TEST(apple_year_ends_september)
{
	static const char *const annual[] = {
		"2010-09-26", "2011-09-24",
		"2011-09-25", "2012-09-29",
		"2015-09-27", "2016-09-24",
		"2016-09-25", "2017-09-30",
		"2021-09-26", "2022-09-24",
		"2022-09-25", "2023-09-30",
		"2023-10-01", "2024-09-28",
	};

	ck_assert_int_eq(year_end_of(annual, 14), 9);
}
END_TEST

/* A hypothetical 52/53-week year ending on the Saturday nearest September
 * 30 can end on October 1; it still counts as a September year end. */
START_TEST(october_first_is_september)
{
	static const char *const annual[] = {
		"2021-10-03", "2022-10-01",
		"2022-10-02", "2023-09-30",
		"2023-10-01", "2024-09-28",
	};

	ck_assert_int_eq(year_end_of(annual, 6), 9);
	check_fiscal(PERIOD_ANNUAL, "2022-10-01", 9, 2022, "FY");
	check_fiscal(PERIOD_INSTANT, "2022-10-01", 9, 2022, "FY");
	check_fiscal(PERIOD_QUARTER, "2022-12-31", 9, 2023, "Q1");
}
END_TEST

START_TEST(apple_fiscal_periods)
{
	check_fiscal(PERIOD_ANNUAL, "2023-09-30", 9, 2023, "FY");
	check_fiscal(PERIOD_INSTANT, "2023-09-30", 9, 2023, "FY");
	check_fiscal(PERIOD_QUARTER, "2023-07-01", 9, 2023, "Q3");
	check_fiscal(PERIOD_QUARTER, "2023-09-30", 9, 2023, "Q4");
	check_fiscal(PERIOD_QUARTER, "2023-12-30", 9, 2024, "Q1");
	check_fiscal(PERIOD_QUARTER, "2022-12-31", 9, 2023, "Q1");
	check_fiscal(PERIOD_QUARTER, "2024-03-30", 9, 2024, "Q2");
	check_fiscal(PERIOD_INSTANT, "2024-03-30", 9, 2024, "Q2");
	check_fiscal(PERIOD_YTD_6M, "2024-03-30", 9, 2024, "H1");
	check_fiscal(PERIOD_YTD_9M, "2024-06-29", 9, 2024, "9M");
	/* The cover-page share count date of the fiscal 2023 10-K. */
	check_fiscal(PERIOD_INSTANT, "2023-10-20", 9, 2024, NULL);
}
END_TEST

START_TEST(microsoft_year_ends_june)
{
	static const char *const annual[] = {
		"2020-07-01", "2021-06-30",
		"2021-07-01", "2022-06-30",
		"2022-07-01", "2023-06-30",
	};

	ck_assert_int_eq(year_end_of(annual, 6), 6);
	check_fiscal(PERIOD_ANNUAL, "2023-06-30", 6, 2023, "FY");
	check_fiscal(PERIOD_INSTANT, "2023-06-30", 6, 2023, "FY");
	check_fiscal(PERIOD_QUARTER, "2023-06-30", 6, 2023, "Q4");
	check_fiscal(PERIOD_QUARTER, "2023-09-30", 6, 2024, "Q1");
	check_fiscal(PERIOD_QUARTER, "2023-12-31", 6, 2024, "Q2");
	check_fiscal(PERIOD_QUARTER, "2024-03-31", 6, 2024, "Q3");
	check_fiscal(PERIOD_YTD_6M, "2023-12-31", 6, 2024, "H1");
	check_fiscal(PERIOD_YTD_9M, "2024-03-31", 6, 2024, "9M");
	check_fiscal(PERIOD_INSTANT, "2024-03-31", 6, 2024, "Q3");
}
END_TEST

/* NVIDIA names its year after the January in which it ends: the year
 * ending 2024-01-28 is fiscal 2024, and its first quarter ended
 * 2023-04-30. */
START_TEST(nvidia_year_ends_january)
{
	static const char *const annual[] = {
		"2021-02-01", "2022-01-30",
		"2022-01-31", "2023-01-29",
		"2023-01-30", "2024-01-28",
		"2019-01-28", "2020-01-26",
		"2020-01-27", "2021-01-31",
	};

	ck_assert_int_eq(year_end_of(annual, 10), 1);
	check_fiscal(PERIOD_ANNUAL, "2024-01-28", 1, 2024, "FY");
	check_fiscal(PERIOD_ANNUAL, "2021-01-31", 1, 2021, "FY");
	check_fiscal(PERIOD_QUARTER, "2023-04-30", 1, 2024, "Q1");
	check_fiscal(PERIOD_QUARTER, "2023-07-30", 1, 2024, "Q2");
	check_fiscal(PERIOD_QUARTER, "2023-10-29", 1, 2024, "Q3");
	check_fiscal(PERIOD_QUARTER, "2024-01-28", 1, 2024, "Q4");
	check_fiscal(PERIOD_YTD_6M, "2023-07-30", 1, 2024, "H1");
	check_fiscal(PERIOD_YTD_9M, "2023-10-29", 1, 2024, "9M");
	check_fiscal(PERIOD_INSTANT, "2023-01-29", 1, 2023, "FY");
}
END_TEST

/* A 52/53-week calendar year that ends on January 3 belongs to the
 * December before it. */
START_TEST(january_third_is_december)
{
	static const char *const annual[] = {
		"2019-12-29", "2021-01-02",
		"2021-01-03", "2022-01-01",
		"2015-12-28", "2017-01-03",
	};

	ck_assert_int_eq(year_end_of(annual, 6), 12);
	check_fiscal(PERIOD_ANNUAL, "2021-01-02", 12, 2020, "FY");
	check_fiscal(PERIOD_QUARTER, "2021-01-02", 12, 2020, "Q4");
	check_fiscal(PERIOD_QUARTER, "2021-04-03", 12, 2021, "Q1");
}
END_TEST

START_TEST(year_end_without_annual_is_december)
{
	static const char *const quarters[] = {
		"2023-01-30", "2023-04-30",
		"2023-05-01", "2023-07-30",
	};

	ck_assert_int_eq(year_end_of(quarters, 4), 12);
	ck_assert_int_eq(year_end_of(quarters, 0), 12);
}
END_TEST

/* Two votes each: the month of the more recent year wins. */
START_TEST(year_end_tie_goes_to_latest)
{
	static const char *const moved[] = {
		"2017-01-01", "2017-12-31",
		"2018-01-01", "2018-12-31",
		"2019-07-01", "2020-06-30",
		"2020-07-01", "2021-06-30",
	};
	static const char *const reordered[] = {
		"2020-07-01", "2021-06-30",
		"2018-01-01", "2018-12-31",
		"2019-07-01", "2020-06-30",
		"2017-01-01", "2017-12-31",
	};

	ck_assert_int_eq(year_end_of(moved, 8), 6);
	ck_assert_int_eq(year_end_of(reordered, 8), 6);
}
END_TEST

START_TEST(majority_beats_recent)
{
	static const char *const annual[] = {
		"2016-01-01", "2016-12-31",
		"2017-01-01", "2017-12-31",
		"2018-01-01", "2018-12-31",
		"2019-07-01", "2020-06-30",
	};

	ck_assert_int_eq(year_end_of(annual, 8), 12);
}
END_TEST

/* A 6-month period ending at the year end is a second half, and a 9-month
 * period ending 12 months in is not year-to-date either. */
START_TEST(ytd_off_calendar_not_placed)
{
	struct fiscal_period fp;

	ck_assert(!fiscal_period_of(PERIOD_YTD_6M, day("2023-12-31"), 12, &fp));
	ck_assert(!fiscal_period_of(PERIOD_YTD_9M, day("2023-06-30"), 6, &fp));
	ck_assert(!fiscal_period_of(PERIOD_UNCLASSIFIED, day("2023-06-30"), 6,
	    &fp));
	ck_assert(fiscal_period_of(PERIOD_YTD_6M, day("2023-06-30"), 12, &fp));
	ck_assert_str_eq(fp.name, "H1");
}
END_TEST

/* An instant between quarter ends has no period name, while a quarter
 * ending in the first or second month of a fiscal quarter is named after
 * the quarter in progress. */
START_TEST(instants_between_quarter_ends)
{
	check_fiscal(PERIOD_INSTANT, "2023-01-31", 12, 2023, NULL);
	check_fiscal(PERIOD_INSTANT, "2023-02-28", 12, 2023, NULL);
	check_fiscal(PERIOD_INSTANT, "2023-03-31", 12, 2023, "Q1");
	check_fiscal(PERIOD_INSTANT, "2023-12-31", 12, 2023, "FY");
	check_fiscal(PERIOD_QUARTER, "2023-02-28", 12, 2023, "Q1");
	check_fiscal(PERIOD_QUARTER, "2023-11-30", 12, 2023, "Q4");
}
END_TEST

static Suite *
period_suite(void)
{
	Suite *s = suite_create("period");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lengths_classified);
	tcase_add_test(tc, length_boundaries);
	tcase_add_test(tc, period_type_names);
	tcase_add_test(tc, apple_year_ends_september);
	tcase_add_test(tc, october_first_is_september);
	tcase_add_test(tc, apple_fiscal_periods);
	tcase_add_test(tc, microsoft_year_ends_june);
	tcase_add_test(tc, nvidia_year_ends_january);
	tcase_add_test(tc, january_third_is_december);
	tcase_add_test(tc, year_end_without_annual_is_december);
	tcase_add_test(tc, year_end_tie_goes_to_latest);
	tcase_add_test(tc, majority_beats_recent);
	tcase_add_test(tc, ytd_off_calendar_not_placed);
	tcase_add_test(tc, instants_between_quarter_ends);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(period_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
