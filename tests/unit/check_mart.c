#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "mart.h"

/* Four companies in two categories; E has no cik. */
static const char universe_text[] =
"companies:\n"
"  - {ticker: A, name: \"A Inc.\", category: one, cik: \"0000000001\", listed: true}\n"
"  - {ticker: B, name: \"B Inc.\", category: one, cik: \"0000000002\"}\n"
"  - {ticker: C, name: \"C Inc.\", category: one, cik: \"0000000003\", listed: false}\n"
"  - {ticker: D, name: \"D Inc.\", category: two, cik: \"0000000004\"}\n"
"  - {ticker: E, name: \"E Inc.\", category: two}\n";

static long
day(const char *text)
{
	long days;

	ck_assert(date_parse(text, &days));
	return days;
}

static struct mart *
load(const char *text, const char *as_of)
{
	char path[] = "/tmp/check_mart.XXXXXX";
	char error[256] = "";
	struct mart *mart;
	int fd = mkstemp(path);
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	mart = mart_load_universe(path, day(as_of), "USD", error, sizeof error);
	unlink(path);
	ck_assert_msg(mart != NULL, "%s", error);
	return mart;
}

static void
annual(struct mart *mart, const char *cik, const char *metric,
    const char *end, double value, const char *unit)
{
	mart_observe(mart, cik, NULL, metric, "annual", day(end), value, unit);
}

START_TEST(universe_read)
{
	struct mart *mart = load(universe_text, "2024-06-30");

	ck_assert_uint_eq(mart->company_count, 5);
	ck_assert_uint_eq(mart->category_count, 2);
	ck_assert_str_eq(mart->categories[0].name, "one");
	ck_assert_str_eq(mart->categories[1].name, "two");
	ck_assert(mart->companies[1].listed);	/* listed defaults to true */
	ck_assert(!mart->companies[2].listed);
	ck_assert_ptr_null(mart->companies[4].cik);
	ck_assert_uint_eq(mart->companies[0].line, 2);
	mart_free(mart);
}
END_TEST

START_TEST(universe_errors)
{
	char path[] = "/tmp/check_mart.XXXXXX";
	char error[256];
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs("companies:\n  - {ticker: A, name: A, category: one}\n"
	    "  - {ticker: A, name: B, category: one}\n", fp);
	fclose(fp);
	ck_assert_ptr_null(mart_load_universe(path, 0, "USD", error,
	    sizeof error));
	ck_assert_ptr_nonnull(strstr(error, ":3: A repeats the ticker of "
	    "line 2"));
	unlink(path);
}
END_TEST

/*
 * Revenues A 300, B 300, C 100 in category one and D 50 in two:
 * ranks overall 1, 1, 3, 4 (equal revenues share a rank); in one 1, 1,
 * 3; in two 1.  HHI of one: shares 300/700, 300/700, 100/700, so
 * 10000 * (90000 + 90000 + 10000) / 490000 = 3877.55...; top three 1.
 * Growth of one: A 0.1, B 0.3 (C has none): mean 0.2, median of two
 * (0.1 + 0.3) / 2 = 0.2.
 */
START_TEST(ranks_and_landscape)
{
	struct mart *mart = load(universe_text, "2024-06-30");

	annual(mart, "0000000001", "revenue", "2023-12-31", 300, "USD");
	annual(mart, "0000000002", "revenue", "2023-12-31", 300, "USD");
	annual(mart, "0000000003", "revenue", "2023-12-31", 100, "USD");
	annual(mart, "0000000004", "revenue", "2023-12-31", 50, "USD");
	annual(mart, "0000000001", "revenue_growth_yoy", "2023-12-31", 0.1,
	    "pure");
	annual(mart, "0000000002", "revenue_growth_yoy", "2023-12-31", 0.3,
	    "pure");
	ck_assert_int_eq(mart_compute(mart), 0);

	ck_assert_double_eq(mart->companies[0].rank_overall, 1);
	ck_assert_double_eq(mart->companies[1].rank_overall, 1);
	ck_assert_double_eq(mart->companies[2].rank_overall, 3);
	ck_assert_double_eq(mart->companies[3].rank_overall, 4);
	ck_assert_double_eq(mart->companies[2].rank_in_category, 3);
	ck_assert_double_eq(mart->companies[3].rank_in_category, 1);
	ck_assert(isnan(mart->companies[4].rank_overall));

	ck_assert_double_eq(mart->categories[0].total_revenue, 700);
	ck_assert_uint_eq(mart->categories[0].companies, 3);
	ck_assert_double_eq_tol(mart->categories[0].hhi, 3877.5510204, 1e-6);
	ck_assert_double_eq(mart->categories[0].top3_share, 1);
	ck_assert_double_eq_tol(mart->categories[0].average_growth, 0.2, 1e-12);
	ck_assert_double_eq_tol(mart->categories[0].median_growth, 0.2, 1e-12);
	ck_assert_double_eq(mart->categories[1].hhi, 10000);
	mart_free(mart);
}
END_TEST

/*
 * Scores clamp at their ends: growth 1.0 (above +40%) is 100, net
 * margin -0.5 (below -20%) is 0, gross margin 0.4 is 0.4 / 0.8 = 50;
 * overall (100 + 50 + 0) / 3 = 50: stable, the lowest stable score.
 */
START_TEST(scores_clamp_and_health)
{
	struct mart *mart = load(universe_text, "2024-06-30");
	const struct mart_company *a = &mart->companies[0];

	annual(mart, "0000000001", "revenue", "2023-12-31", 100, "USD");
	annual(mart, "0000000001", "revenue_growth_yoy", "2023-12-31", 1.0,
	    "pure");
	annual(mart, "0000000001", "gross_margin", "2023-12-31", 0.4, "pure");
	annual(mart, "0000000001", "net_margin", "2023-12-31", -0.5, "pure");
	/* A margin of an older year is not mixed into the row. */
	annual(mart, "0000000001", "operating_margin", "2022-12-31", 0.3,
	    "pure");
	ck_assert_int_eq(mart_compute(mart), 0);

	ck_assert_double_eq(a->growth_score, 100);
	ck_assert_double_eq(a->margin_score, 50);
	ck_assert_double_eq(a->profitability_score, 0);
	ck_assert_double_eq(a->overall_score, 50);
	ck_assert_str_eq(a->health, "stable");
	ck_assert(isnan(a->operating_margin));
	ck_assert_ptr_null(mart->companies[1].health);
	mart_free(mart);
}
END_TEST

/* A TTM ending with the fiscal year is the same twelve months: the
 * annual figures are the basis; a later TTM replaces them. */
START_TEST(twelve_month_basis)
{
	struct mart *mart = load(universe_text, "2024-06-30");

	annual(mart, "0000000001", "revenue", "2023-12-31", 100, "USD");
	mart_observe(mart, "0000000001", NULL, "revenue", "ttm",
	    day("2023-12-31"), 100, "USD");
	annual(mart, "0000000002", "revenue", "2023-12-31", 100, "USD");
	mart_observe(mart, "0000000002", NULL, "revenue", "ttm",
	    day("2024-03-31"), 120, "USD");
	/* After the as-of date: ignored. */
	mart_observe(mart, "0000000002", NULL, "revenue", "ttm",
	    day("2024-09-30"), 999, "USD");
	ck_assert_int_eq(mart_compute(mart), 0);

	ck_assert_double_eq(mart->companies[0].twelve_month_revenue, 100);
	ck_assert_double_eq(mart->companies[1].twelve_month_revenue, 120);
	ck_assert_int_eq(mart->companies[1].latest_period_end,
	    day("2024-03-31"));
	mart_free(mart);
}
END_TEST

/* Reads the report of mart into a string the caller frees. */
static char *
report_text(const struct mart *mart)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(mart_write_report(mart, fp), 0);
	fclose(fp);
	return text;
}

/*
 * Amounts and percentages in the report.  0.00012 dollars is below the
 * last decimal of millions, so it reads "<0.000001" and not zero.  A
 * growth of -0.04% rounds to 0.0%, without a minus sign.  Growth of a
 * few hundredths of a point draws a bar of at most a pixel.
 */
START_TEST(report_small_values)
{
	struct mart *mart = load(universe_text, "2024-06-30");
	char *text;

	annual(mart, "0000000001", "revenue", "2023-12-31", 0.00012, "USD");
	annual(mart, "0000000001", "revenue_growth_yoy", "2023-12-31",
	    -0.0004, "pure");
	annual(mart, "0000000002", "revenue", "2023-12-31", 50, "USD");
	annual(mart, "0000000002", "revenue_growth_yoy", "2023-12-31",
	    0.0002, "pure");
	annual(mart, "0000000004", "revenue", "2023-12-31", -0.0, "USD");
	ck_assert_int_eq(mart_compute(mart), 0);
	text = report_text(mart);

	/* A revenue of -0.0 is zero. */
	ck_assert_ptr_null(strstr(text, ">-0.0<"));
	ck_assert_ptr_nonnull(strstr(text, "<td class=\"n\">0.0</td>"));

	ck_assert_ptr_nonnull(strstr(text, "<td class=\"n\">&lt;0.000001</td>"));
	ck_assert_ptr_nonnull(strstr(text, "<td class=\"n\">0.0%</td>"));
	ck_assert_ptr_null(strstr(text, "-0.0%"));
	/* 0.0004 of a half of 225 pixels on a scale of 0.10: 0.9 pixels. */
	ck_assert_ptr_nonnull(strstr(text, "width=\"0.9\" height"));
	free(text);
	mart_free(mart);
}
END_TEST

static Suite *
mart_suite(void)
{
	Suite *s = suite_create("mart");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, universe_read);
	tcase_add_test(tc, universe_errors);
	tcase_add_test(tc, ranks_and_landscape);
	tcase_add_test(tc, scores_clamp_and_health);
	tcase_add_test(tc, twelve_month_basis);
	tcase_add_test(tc, report_small_values);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mart_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
