#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "quarters.h"
#include "xbrl.h"

/*
 * Records as xbrl_select() leaves them, for one fictional calendar-year
 * company, and the quarters and twelve-month sums derived from them.
 */

static struct xbrl_metric metrics[] = {
	{ "revenue", XBRL_FLOW, XBRL_CURRENCY },
	{ "eps_diluted", XBRL_FLOW, XBRL_PER_SHARE },
};
static const struct xbrl_mapping mapping = { metrics, 2, NULL, 0 };

static long
day(const char *text)
{
	long days;

	ck_assert_msg(date_parse(text, &days), "bad test date '%s'", text);
	return days;
}

static void
add(struct xbrl_records *r, size_t metric, enum period_class class,
    const char *start, const char *end, double value, const char *unit,
    const char *accn)
{
	struct xbrl_record *rec = xbrl_records_add(r);
	struct fiscal_period fp;

	ck_assert_ptr_nonnull(rec);
	ck_assert(fiscal_period_of(class, day(end), 12, &fp));
	rec->fiscal_year = fp.year;
	rec->fiscal_period = fp.name;
	rec->metric = metric;
	rec->class = class;
	rec->start = day(start);
	rec->end = day(end);
	rec->filed = rec->end + 30;
	rec->value = value;
	strcpy(rec->unit, unit);
	strcpy(rec->source_ref, accn);
}

/* The derived record of a period type that ends on end, or NULL. */
static const struct xbrl_record *
find(const struct xbrl_records *r, size_t metric, enum period_class class,
    const char *end)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].metric == metric && r->items[i].class == class &&
		    r->items[i].end == day(end))
			return &r->items[i];
	return NULL;
}

static void
derive(struct xbrl_records *r, unsigned long *quarters, unsigned long *ttm)
{
	*quarters = *ttm = 0;
	xbrl_records_sort(r);
	ck_assert(quarters_derive(&mapping, r, 12, quarters, ttm));
}

START_TEST(year_to_date_only)
{
	struct xbrl_records r = { 0 };
	const struct xbrl_record *q;
	unsigned long quarters, ttm;

	add(&r, 0, PERIOD_QUARTER, "2024-01-01", "2024-03-31", 50, "USD", "A1");
	add(&r, 0, PERIOD_YTD_6M, "2024-01-01", "2024-06-30", 120, "USD", "A2");
	add(&r, 0, PERIOD_YTD_9M, "2024-01-01", "2024-09-30", 150, "USD", "A3");
	add(&r, 0, PERIOD_ANNUAL, "2024-01-01", "2024-12-31", 260, "USD", "A4");
	derive(&r, &quarters, &ttm);
	ck_assert_uint_eq(quarters, 3);
	ck_assert_uint_eq(ttm, 1);

	q = find(&r, 0, PERIOD_QUARTER, "2024-06-30");
	ck_assert_ptr_nonnull(q);
	ck_assert(q->value == 70);	/* 120 - 50 */
	ck_assert_int_eq(q->start, day("2024-04-01"));
	ck_assert_str_eq(q->derivation, "H1 - Q1");
	ck_assert_str_eq(q->source_ref, "A2;A1");
	ck_assert_str_eq(q->fiscal_period, "Q2");
	ck_assert_ptr_null(q->concept);

	q = find(&r, 0, PERIOD_QUARTER, "2024-12-31");
	ck_assert_ptr_nonnull(q);
	ck_assert(q->value == 110);	/* 260 - 150 */
	ck_assert_str_eq(q->derivation, "annual - 9M");
	ck_assert_int_eq(q->fiscal_year, 2024);

	q = find(&r, 0, PERIOD_TTM, "2024-12-31");
	ck_assert_ptr_nonnull(q);
	ck_assert(q->value == 260);	/* 50 + 70 + 30 + 110 */
	ck_assert_str_eq(q->source_ref, "A1;A2;A3;A4");
	ck_assert_str_eq(q->derivation, "sum of 4 quarters");
	xbrl_records_free(&r);
}
END_TEST

START_TEST(three_quarters_and_a_year)
{
	struct xbrl_records r = { 0 };
	const struct xbrl_record *q;
	unsigned long quarters, ttm;

	add(&r, 0, PERIOD_QUARTER, "2024-01-01", "2024-03-31", 10, "EUR", "B1");
	add(&r, 0, PERIOD_QUARTER, "2024-04-01", "2024-06-30", 11, "EUR", "B2");
	add(&r, 0, PERIOD_QUARTER, "2024-07-01", "2024-09-30", 12, "EUR", "B3");
	add(&r, 0, PERIOD_ANNUAL, "2024-01-01", "2024-12-31", 46, "EUR", "B4");
	derive(&r, &quarters, &ttm);
	q = find(&r, 0, PERIOD_QUARTER, "2024-12-31");
	ck_assert_ptr_nonnull(q);
	ck_assert(q->value == 13);
	ck_assert_str_eq(q->derivation, "annual - Q1 - Q2 - Q3");
	ck_assert_str_eq(q->source_ref, "B4;B1;B2;B3");
	ck_assert_str_eq(q->unit, "EUR");
	ck_assert_uint_eq(ttm, 1);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(gap_blocks)
{
	struct xbrl_records r = { 0 };
	unsigned long quarters, ttm;

	/* Nine months from 2024-01-08, the year from 2024-01-01. */
	add(&r, 0, PERIOD_YTD_9M, "2024-01-08", "2024-09-30", 59, "USD", "C1");
	add(&r, 0, PERIOD_ANNUAL, "2024-01-01", "2024-12-31", 80, "USD", "C2");
	/* Q1 and Q3 without Q2 do not bridge the year either. */
	add(&r, 0, PERIOD_QUARTER, "2024-01-01", "2024-03-31", 15, "USD", "C3");
	add(&r, 0, PERIOD_QUARTER, "2024-07-01", "2024-09-30", 21, "USD", "C4");
	derive(&r, &quarters, &ttm);
	ck_assert_uint_eq(quarters, 0);
	ck_assert_uint_eq(ttm, 0);
	ck_assert_uint_eq(r.count, 4);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(unit_change_blocks)
{
	struct xbrl_records r = { 0 };
	unsigned long quarters, ttm;

	add(&r, 0, PERIOD_YTD_9M, "2024-01-01", "2024-09-30", 330, "USD", "D1");
	add(&r, 0, PERIOD_ANNUAL, "2024-01-01", "2024-12-31", 410, "EUR", "D2");
	derive(&r, &quarters, &ttm);
	ck_assert_uint_eq(quarters, 0);
	ck_assert_ptr_null(find(&r, 0, PERIOD_QUARTER, "2024-12-31"));
	xbrl_records_free(&r);
}
END_TEST

START_TEST(per_share_not_additive)
{
	struct xbrl_records r = { 0 };
	unsigned long quarters, ttm;

	add(&r, 1, PERIOD_QUARTER, "2024-01-01", "2024-03-31", 0.5, "USD/shares", "E1");
	add(&r, 1, PERIOD_YTD_6M, "2024-01-01", "2024-06-30", 1.1, "USD/shares", "E2");
	derive(&r, &quarters, &ttm);
	ck_assert_uint_eq(quarters, 0);
	ck_assert_uint_eq(r.count, 2);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(reported_quarter_kept)
{
	struct xbrl_records r = { 0 };
	unsigned long quarters, ttm;

	/* A reported fourth quarter (301) is not replaced by 260 - 150. */
	add(&r, 0, PERIOD_YTD_9M, "2024-01-01", "2024-09-30", 150, "USD", "F1");
	add(&r, 0, PERIOD_ANNUAL, "2024-01-01", "2024-12-31", 260, "USD", "F2");
	add(&r, 0, PERIOD_QUARTER, "2024-10-01", "2024-12-31", 111, "USD", "F3");
	derive(&r, &quarters, &ttm);
	ck_assert_uint_eq(quarters, 0);
	ck_assert(find(&r, 0, PERIOD_QUARTER, "2024-12-31")->value == 111);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(references_joined_once)
{
	char ref[XBRL_REF_SIZE] = "";

	ck_assert(xbrl_ref_join(ref, "0000320193-25-000079"));
	ck_assert(xbrl_ref_join(ref, "0000320193-24-000081;0000320193-25-000079"));
	ck_assert_str_eq(ref, "0000320193-25-000079;0000320193-24-000081");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("quarters");
	TCase *tc = tcase_create("derive");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, year_to_date_only);
	tcase_add_test(tc, three_quarters_and_a_year);
	tcase_add_test(tc, gap_blocks);
	tcase_add_test(tc, unit_change_blocks);
	tcase_add_test(tc, per_share_not_additive);
	tcase_add_test(tc, reported_quarter_kept);
	tcase_add_test(tc, references_joined_once);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
