#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xbrl.h"

/*
 * Choosing one fact per key for one fictional calendar-year company.
 * Concepts: revenue has the ASC 606 concept first and Revenues second.
 */

static struct xbrl_concept concepts[] = {
	{ "us-gaap", "RevenueFromContractWithCustomerExcludingAssessedTax",
	  "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", 0, 0 },
	{ "us-gaap", "Revenues", "us-gaap:Revenues", 0, 1 },
};

static long
day(const char *text)
{
	long days;

	ck_assert_msg(date_parse(text, &days), "bad test date '%s'", text);
	return days;
}

static void
fact(struct xbrl_fact *f, size_t concept, const char *start, const char *end,
    double value, const char *unit, const char *filed, const char *accn)
{
	static unsigned long sequence;

	memset(f, 0, sizeof *f);
	f->concept = &concepts[concept];
	f->start = day(start);
	f->end = day(end);
	f->class = period_classify(true, f->start, f->end);
	f->value = value;
	f->filed = day(filed);
	strcpy(f->unit, unit);
	ck_assert(xbrl_unit_fits(XBRL_CURRENCY, unit, f->currency));
	strcpy(f->accn, accn);
	f->sequence = sequence++;
}

START_TEST(latest_and_first_filed)
{
	struct xbrl_fact facts[3];
	struct xbrl_records r = { 0 };

	fact(&facts[0], 1, "2024-01-01", "2024-03-31", 100, "USD", "2024-05-01",
	    "0000000301-24-000010");
	fact(&facts[1], 1, "2024-01-01", "2024-03-31", 105, "USD", "2025-05-01",
	    "0000000301-25-000010");
	fact(&facts[2], 1, "2024-01-01", "2024-03-31", 105, "USD", "2025-08-01",
	    "0000000301-25-000020");
	ck_assert(xbrl_select(facts, 3, 12, XBRL_LATEST_FILED, &r));
	ck_assert_uint_eq(r.count, 1);
	ck_assert(r.items[0].value == 105);
	ck_assert_str_eq(r.items[0].source_ref, "0000000301-25-000020");
	ck_assert(r.items[0].revised);
	ck_assert_str_eq(r.items[0].fiscal_period, "Q1");

	r.count = 0;
	ck_assert(xbrl_select(facts, 3, 12, XBRL_FIRST_FILED, &r));
	ck_assert(r.items[0].value == 100);
	ck_assert_str_eq(r.items[0].source_ref, "0000000301-24-000010");
	ck_assert(r.items[0].revised);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(facts[i].fate, facts[i].value == 100 ?
		    XBRL_USED : XBRL_SUPERSEDED);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(concept_priority_not_a_revision)
{
	struct xbrl_fact facts[2];
	struct xbrl_records r = { 0 };

	/* Revenues 600 filed later loses to the ASC 606 concept's 610. */
	fact(&facts[0], 0, "2018-01-01", "2018-12-31", 610, "USD", "2019-02-20",
	    "0000000302-19-000005");
	fact(&facts[1], 1, "2018-01-01", "2018-12-31", 600, "USD", "2020-02-20",
	    "0000000302-20-000005");
	ck_assert(xbrl_select(facts, 2, 12, XBRL_LATEST_FILED, &r));
	ck_assert_uint_eq(r.count, 1);
	ck_assert(r.items[0].value == 610);
	ck_assert(!r.items[0].revised);
	ck_assert_ptr_eq(r.items[0].concept, &concepts[0]);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(currency_per_key)
{
	struct xbrl_fact facts[4];
	struct xbrl_records r = { 0 };

	/* TWD is the reporting currency; the USD translation of 2024 is
	 * dropped, the USD-only 2023 is kept. */
	fact(&facts[0], 0, "2024-01-01", "2024-12-31", 2894, "TWD", "2025-04-17",
	    "0001193125-25-083423");
	fact(&facts[1], 0, "2024-01-01", "2024-12-31", 88, "USD", "2025-04-17",
	    "0001193125-25-083423");
	fact(&facts[2], 0, "2022-01-01", "2022-12-31", 2263, "TWD", "2023-04-20",
	    "0001193125-23-000001");
	fact(&facts[3], 0, "2023-01-01", "2023-12-31", 70, "USD", "2024-04-18",
	    "0001193125-24-099840");
	ck_assert(xbrl_select(facts, 4, 12, XBRL_LATEST_FILED, &r));
	ck_assert_uint_eq(r.count, 3);
	ck_assert_str_eq(r.items[0].unit, "TWD");
	ck_assert_str_eq(r.items[1].unit, "USD");
	ck_assert_str_eq(r.items[2].unit, "TWD");
	ck_assert(r.items[2].value == 2894);
	for (int i = 0; i < 4; i++)
		if (facts[i].value == 88)
			ck_assert_int_eq(facts[i].fate, XBRL_OTHER_CURRENCY);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(second_half_unclassified)
{
	struct xbrl_fact facts[1];
	struct xbrl_records r = { 0 };

	fact(&facts[0], 0, "2024-07-01", "2024-12-31", 5, "USD", "2025-02-01",
	    "0000000101-25-000001");
	ck_assert(xbrl_select(facts, 1, 12, XBRL_LATEST_FILED, &r));
	ck_assert_uint_eq(r.count, 0);
	ck_assert_int_eq(facts[0].fate, XBRL_UNCLASSIFIED);
	xbrl_records_free(&r);
}
END_TEST

START_TEST(units)
{
	char currency[XBRL_CURRENCY_LENGTH + 1];
	struct xbrl_metric eps = { "eps_diluted", XBRL_FLOW, XBRL_PER_SHARE };
	struct xbrl_metric revenue = { "revenue", XBRL_FLOW, XBRL_CURRENCY };
	struct xbrl_metric assets = { "total_assets", XBRL_INSTANT, XBRL_CURRENCY };

	ck_assert(xbrl_unit_fits(XBRL_PER_SHARE, "TWD/shares", currency));
	ck_assert_str_eq(currency, "TWD");
	ck_assert(!xbrl_unit_fits(XBRL_PER_SHARE, "USD", currency));
	ck_assert(!xbrl_unit_fits(XBRL_CURRENCY, "usd", currency));
	ck_assert(xbrl_unit_fits(XBRL_SHARES, "shares", currency));
	ck_assert_str_eq(currency, "");
	ck_assert(xbrl_additive(&revenue));
	ck_assert(!xbrl_additive(&eps));
	ck_assert(!xbrl_additive(&assets));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xbrl");
	TCase *tc = tcase_create("select");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, latest_and_first_filed);
	tcase_add_test(tc, concept_priority_not_a_revision);
	tcase_add_test(tc, currency_per_key);
	tcase_add_test(tc, second_half_unclassified);
	tcase_add_test(tc, units);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
