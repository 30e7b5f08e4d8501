#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "derive.h"

/* Derived records copied out of the callback, because their strings
 * are valid only while derive_run runs. */
struct collected {
	int count;
	char metric[32][32];
	char period_type[32][16];
	char unit[32][16];
	double value[32];
	long period_end[32];
	char source_ref[32][64];
	char filed[32][16];
};

static int
collect(const struct derived_metric *d, void *arg)
{
	struct collected *c = arg;

	ck_assert_int_lt(c->count, 32);
	snprintf(c->metric[c->count], sizeof c->metric[0], "%s", d->metric);
	snprintf(c->period_type[c->count], sizeof c->period_type[0], "%s",
	    d->period_type);
	snprintf(c->unit[c->count], sizeof c->unit[0], "%s", d->unit);
	c->value[c->count] = d->value;
	c->period_end[c->count] = d->period_end;
	snprintf(c->source_ref[c->count], sizeof c->source_ref[0], "%s",
	    d->source_ref != NULL ? d->source_ref : "(null)");
	snprintf(c->filed[c->count], sizeof c->filed[0], "%s",
	    d->filed != NULL ? d->filed : "(null)");
	c->count++;
	return 0;
}

static long
day(const char *text)
{
	long days;

	ck_assert(date_parse(text, &days));
	return days;
}

static void
add(struct derive_store *store, enum derive_input input, const char *type,
    const char *end, double value, const char *unit, const char *ref,
    const char *filed)
{
	struct derive_metric m = {
		.input = input, .cik = "0000000001", .ticker = "EXA",
		.unit = unit, .period_type = type, .period_end = day(end),
		.value = value, .source_ref = ref, .filed = filed,
	};

	ck_assert_int_ne(derive_store_add(store, &m), DERIVE_NO_MEMORY);
}

static void
run(struct derive_store *store, struct collected *c,
    unsigned long absent[DERIVE_ABSENCE_COUNT])
{
	memset(c, 0, sizeof *c);
	memset(absent, 0, DERIVE_ABSENCE_COUNT * sizeof absent[0]);
	ck_assert_int_eq(derive_run(store, collect, c, absent), 0);
}

START_TEST(input_names)
{
	ck_assert_int_eq(derive_input_of("revenue"), DERIVE_REVENUE);
	ck_assert_int_eq(derive_input_of("net_income"), DERIVE_NET_INCOME);
	ck_assert_int_eq(derive_input_of("total_assets"), -1);
	ck_assert(derive_period_type_used("annual"));
	ck_assert(derive_period_type_used("quarter"));
	ck_assert(derive_period_type_used("ttm"));
	ck_assert_int_eq(derive_input_of("capital_expenditure"),
	    DERIVE_CAPITAL_EXPENDITURE);
	ck_assert_int_eq(derive_input_of("eps_diluted"), DERIVE_EPS_DILUTED);
	ck_assert_str_eq(derive_input_name(DERIVE_OPERATING_CASH_FLOW),
	    "operating_cash_flow");
	ck_assert(!derive_period_type_used("ytd"));
	ck_assert(!derive_period_type_used("instant"));
}
END_TEST

START_TEST(margins_of_one_period)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "annual", "2023-12-31", 200, "USD", "R",
	    "2024-02-01");
	add(store, DERIVE_GROSS_PROFIT, "annual", "2023-12-31", 80, "USD", "G",
	    "2024-03-01");
	add(store, DERIVE_OPERATING_INCOME, "annual", "2023-12-31", 30, "USD",
	    "R", "2024-01-15");
	add(store, DERIVE_NET_INCOME, "annual", "2023-12-31", -10, "USD",
	    NULL, NULL);
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 3);
	/* Output order is by metric name. */
	ck_assert_str_eq(c.metric[0], "gross_margin");
	ck_assert_double_eq(c.value[0], 80.0 / 200.0);	/* 0.4 */
	ck_assert_str_eq(c.source_ref[0], "G;R");
	ck_assert_str_eq(c.filed[0], "2024-03-01");
	ck_assert_str_eq(c.metric[1], "net_margin");
	ck_assert_double_eq(c.value[1], -10.0 / 200.0);	/* -0.05 */
	ck_assert_str_eq(c.source_ref[1], "R");
	ck_assert_str_eq(c.filed[1], "2024-02-01");
	ck_assert_str_eq(c.metric[2], "operating_margin");
	ck_assert_double_eq(c.value[2], 30.0 / 200.0);	/* 0.15 */
	ck_assert_str_eq(c.source_ref[2], "R");
	ck_assert_str_eq(c.filed[2], "2024-02-01");
	derive_store_free(store);
}
END_TEST

START_TEST(margin_needs_positive_revenue_same_unit)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "quarter", "2023-03-31", 0, "USD", "A", NULL);
	add(store, DERIVE_GROSS_PROFIT, "quarter", "2023-03-31", 5, "USD", "A",
	    NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-06-30", 100, "USD", "B",
	    NULL);
	add(store, DERIVE_GROSS_PROFIT, "quarter", "2023-06-30", 5, "EUR", "B",
	    NULL);
	add(store, DERIVE_NET_INCOME, "quarter", "2023-09-30", 5, "USD", "C",
	    NULL);
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 0);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_REVENUE_NOT_POSITIVE], 1);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_UNIT_MISMATCH], 1);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_NO_REVENUE], 1);
	/* No prior year for either revenue, no prior quarter for the first;
	 * the second quarter's prior revenue is 0. */
	ck_assert_uint_eq(absent[DERIVE_ABSENT_NO_PRIOR_PERIOD], 3);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_PRIOR_NOT_POSITIVE], 1);
	derive_store_free(store);
}
END_TEST

/* 2023-01-01 is 365 days after 2022-01-01; the window is 350 to 380. */
START_TEST(growth_window_bounds)
{
	static const struct {
		const char *prior_end;
		int derived;
	} cases[] = {
		{ "2022-01-17", 0 },	/* 349 days earlier */
		{ "2022-01-16", 1 },	/* 350 days earlier */
		{ "2021-12-17", 1 },	/* 380 days earlier */
		{ "2021-12-16", 0 },	/* 381 days earlier */
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct derive_store *store = derive_store_new();
		unsigned long absent[DERIVE_ABSENCE_COUNT];
		struct collected c;

		add(store, DERIVE_REVENUE, "annual", cases[i].prior_end, 80,
		    "USD", "P", "2022-03-01");
		add(store, DERIVE_REVENUE, "annual", "2023-01-01", 100, "USD",
		    "C", "2023-03-01");
		run(store, &c, absent);
		ck_assert_int_eq(c.count, cases[i].derived);
		if (cases[i].derived) {
			ck_assert_str_eq(c.metric[0], "revenue_growth_yoy");
			/* (100 - 80) / 80 = 0.25 */
			ck_assert_double_eq(c.value[0], 0.25);
			ck_assert_str_eq(c.source_ref[0], "C;P");
			ck_assert_str_eq(c.filed[0], "2023-03-01");
		}
		derive_store_free(store);
	}
}
END_TEST

START_TEST(growth_ambiguous_or_unit_change)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	/* Two annual revenues within the window: no way to choose. */
	add(store, DERIVE_REVENUE, "annual", "2021-12-31", 80, "USD", "A", NULL);
	add(store, DERIVE_REVENUE, "annual", "2022-01-07", 81, "USD", "B", NULL);
	add(store, DERIVE_REVENUE, "annual", "2022-12-31", 90, "USD", "C", NULL);
	/* A quarter series that changes currency. */
	add(store, DERIVE_REVENUE, "quarter", "2022-03-31", 10, "USD", "D",
	    NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-03-31", 12, "EUR", "E",
	    NULL);
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 0);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_AMBIGUOUS_PRIOR], 1);
	ck_assert_uint_eq(absent[DERIVE_ABSENT_UNIT_CHANGE], 1);
	derive_store_free(store);
}
END_TEST

START_TEST(repeated_key_replaces)
{
	struct derive_store *store = derive_store_new();
	struct derive_metric m = {
		.input = DERIVE_REVENUE, .cik = "0000000001", .unit = "USD",
		.period_type = "annual", .period_end = day("2023-12-31"),
		.value = 100,
	};
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	ck_assert_int_eq(derive_store_add(store, &m), DERIVE_ADDED);
	m.value = 50;
	ck_assert_int_eq(derive_store_add(store, &m), DERIVE_REPLACED);
	m.period_type = "quarter";
	ck_assert_int_eq(derive_store_add(store, &m), DERIVE_ADDED);
	ck_assert_uint_eq(derive_store_count(store), 2);

	add(store, DERIVE_GROSS_PROFIT, "annual", "2023-12-31", 10, "USD", NULL,
	    NULL);
	run(store, &c, absent);
	ck_assert_int_eq(c.count, 1);
	ck_assert_double_eq(c.value[0], 10.0 / 50.0);	/* the later 50 wins */
	derive_store_free(store);
}
END_TEST

/* Four quarters 91, 92 and 92 days apart make one TTM sum; growth
 * quarter over quarter for the last three. */
START_TEST(ttm_sum_and_quarter_growth)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "quarter", "2023-03-31", 10, "USD", "A",
	    "2023-05-01");
	add(store, DERIVE_REVENUE, "quarter", "2023-06-30", 20, "USD", "B",
	    "2023-08-01");
	add(store, DERIVE_REVENUE, "quarter", "2023-09-30", 30, "USD", "C",
	    "2023-11-01");
	add(store, DERIVE_REVENUE, "quarter", "2023-12-31", 40, "USD", "D",
	    "2024-02-01");
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 4);
	ck_assert_str_eq(c.metric[0], "revenue");
	ck_assert_str_eq(c.period_type[0], "ttm");
	ck_assert_str_eq(c.unit[0], "USD");
	ck_assert_double_eq(c.value[0], 100);	/* 10 + 20 + 30 + 40 */
	ck_assert_int_eq(c.period_end[0], day("2023-12-31"));
	ck_assert_str_eq(c.source_ref[0], "A;B;C;D");
	ck_assert_str_eq(c.filed[0], "2024-02-01");
	ck_assert_str_eq(c.metric[1], "revenue_growth_qoq");
	ck_assert_double_eq(c.value[1], 1);	/* (20 - 10) / 10 */
	ck_assert_double_eq(c.value[2], 0.5);	/* (30 - 20) / 20 */
	ck_assert_double_eq(c.value[3], 10.0 / 30.0);
	derive_store_free(store);
}
END_TEST

/* A missing quarter or a change of unit breaks the run of four. */
START_TEST(ttm_needs_consecutive_quarters)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "quarter", "2023-03-31", 10, "USD", "A", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-06-30", 20, "USD", "B", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-12-31", 40, "USD", "D", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2024-03-31", 50, "USD", "E", NULL);
	add(store, DERIVE_NET_INCOME, "quarter", "2023-03-31", 1, "USD", "A",
	    NULL);
	add(store, DERIVE_NET_INCOME, "quarter", "2023-06-30", 1, "EUR", "B",
	    NULL);
	add(store, DERIVE_NET_INCOME, "quarter", "2023-09-30", 1, "USD", "C",
	    NULL);
	add(store, DERIVE_NET_INCOME, "quarter", "2023-12-31", 1, "USD", "D",
	    NULL);
	run(store, &c, absent);

	for (int i = 0; i < c.count; i++)
		ck_assert_str_ne(c.period_type[i], "ttm");
	derive_store_free(store);
}
END_TEST

/* A TTM record of the input is used as it is, not recomputed. */
START_TEST(ttm_of_input_wins)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "quarter", "2023-03-31", 10, "USD", "A", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-06-30", 20, "USD", "B", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-09-30", 30, "USD", "C", NULL);
	add(store, DERIVE_REVENUE, "quarter", "2023-12-31", 40, "USD", "D", NULL);
	add(store, DERIVE_REVENUE, "ttm", "2023-12-31", 101, "USD", "T", NULL);
	add(store, DERIVE_NET_INCOME, "ttm", "2023-12-31", 10.1, "USD", "T",
	    NULL);
	run(store, &c, absent);

	for (int i = 0; i < c.count; i++)
		ck_assert(strcmp(c.metric[i], "revenue") != 0);
	ck_assert_str_eq(c.metric[0], "net_margin");
	ck_assert_str_eq(c.period_type[0], "ttm");
	ck_assert_double_eq(c.value[0], 10.1 / 101);	/* over 101, not 100 */
	derive_store_free(store);
}
END_TEST

START_TEST(free_cash_flow_and_margin)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_REVENUE, "annual", "2023-12-31", 400, "USD", "R",
	    "2024-02-01");
	add(store, DERIVE_OPERATING_CASH_FLOW, "annual", "2023-12-31", 90,
	    "USD", "R", "2024-02-01");
	add(store, DERIVE_CAPITAL_EXPENDITURE, "annual", "2023-12-31", 30,
	    "USD", "K", "2024-03-01");
	/* A cash flow in another currency than its capex gives nothing. */
	add(store, DERIVE_OPERATING_CASH_FLOW, "annual", "2022-12-31", 90,
	    "USD", "S", NULL);
	add(store, DERIVE_CAPITAL_EXPENDITURE, "annual", "2022-12-31", 30,
	    "EUR", "S", NULL);
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 2);
	ck_assert_str_eq(c.metric[0], "free_cash_flow");
	ck_assert_str_eq(c.unit[0], "USD");
	ck_assert_double_eq(c.value[0], 60);		/* 90 - 30 */
	ck_assert_str_eq(c.source_ref[0], "R;K");
	ck_assert_str_eq(c.filed[0], "2024-03-01");
	ck_assert_str_eq(c.metric[1], "free_cash_flow_margin");
	ck_assert_str_eq(c.unit[1], "pure");
	ck_assert_double_eq(c.value[1], 0.15);		/* 60 / 400 */
	ck_assert_uint_eq(absent[DERIVE_ABSENT_UNIT_MISMATCH], 1);
	derive_store_free(store);
}
END_TEST

START_TEST(eps_growth_needs_positive_prior)
{
	struct derive_store *store = derive_store_new();
	unsigned long absent[DERIVE_ABSENCE_COUNT];
	struct collected c;

	add(store, DERIVE_EPS_DILUTED, "annual", "2021-12-31", -1, "USD/shares",
	    "A", NULL);
	add(store, DERIVE_EPS_DILUTED, "annual", "2022-12-31", 2, "USD/shares",
	    "B", NULL);
	add(store, DERIVE_EPS_DILUTED, "annual", "2023-12-31", 3, "USD/shares",
	    "C", NULL);
	run(store, &c, absent);

	ck_assert_int_eq(c.count, 1);
	ck_assert_str_eq(c.metric[0], "eps_growth_yoy");
	ck_assert_double_eq(c.value[0], 0.5);		/* (3 - 2) / 2 */
	ck_assert_uint_eq(absent[DERIVE_ABSENT_PRIOR_NOT_POSITIVE], 1);
	derive_store_free(store);
}
END_TEST

/* Enough keys to grow the hash table several times. */
START_TEST(many_keys)
{
	struct derive_store *store = derive_store_new();
	char cik[16];

	for (int i = 0; i < 5000; i++) {
		struct derive_metric m = {
			.input = DERIVE_REVENUE, .cik = cik, .unit = "USD",
			.period_type = "annual", .period_end = 19000, .value = i,
		};

		snprintf(cik, sizeof cik, "%010d", i % 2500);
		m.period_end += i / 2500;
		ck_assert_int_eq(derive_store_add(store, &m), DERIVE_ADDED);
	}
	ck_assert_uint_eq(derive_store_count(store), 5000);
	derive_store_free(store);
}
END_TEST

static Suite *
derive_suite(void)
{
	Suite *s = suite_create("derive");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, input_names);
	tcase_add_test(tc, margins_of_one_period);
	tcase_add_test(tc, margin_needs_positive_revenue_same_unit);
	tcase_add_test(tc, growth_window_bounds);
	tcase_add_test(tc, growth_ambiguous_or_unit_change);
	tcase_add_test(tc, repeated_key_replaces);
	tcase_add_test(tc, ttm_sum_and_quarter_growth);
	tcase_add_test(tc, ttm_needs_consecutive_quarters);
	tcase_add_test(tc, ttm_of_input_wins);
	tcase_add_test(tc, free_cash_flow_and_margin);
	tcase_add_test(tc, eps_growth_needs_positive_prior);
	tcase_add_test(tc, many_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(derive_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
