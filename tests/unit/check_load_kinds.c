#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "load_kinds.h"
#include "log.h"

/* Stages one record of kind; returns what load_stage_record returned and
 * the COPY row in row (caller frees). */
static int
stage(int kind, const char *json, char **row, unsigned long *route)
{
	struct reject_stream *rs = reject_open("/dev/null");
	struct pg_copy copy = { 0 };
	cJSON *rec = cJSON_Parse(json);
	struct load_line src = { 7, 7, json, strlen(json) };
	int st;

	ck_assert_ptr_nonnull(rec);
	ck_assert_ptr_nonnull(rs);
	st = load_stage_record(&load_kinds[kind], rec, &src, &copy, route, rs);
	*row = calloc(1, copy.len + 1);
	if (copy.len > 0)
		memcpy(*row, copy.buf, copy.len);
	pg_copy_free(&copy);
	cJSON_Delete(rec);
	reject_close(rs);
	return st;
}

START_TEST(find_by_kind_or_table)
{
	ck_assert_int_eq(load_kind_find("price"), KIND_PRICE);
	ck_assert_int_eq(load_kind_find("stock_prices"), KIND_PRICE);
	ck_assert_int_eq(load_kind_find("metrics"), KIND_METRIC);
	ck_assert_int_eq(load_kind_find("filing"), KIND_FILING);
	ck_assert_int_eq(load_kind_find("sec_fact"), -1);
}
END_TEST

/* Members in column order, line number first, \N for null, booleans as
 * t/f, an array as a PostgreSQL literal whose quotes and backslashes are
 * escaped once for the array and once more for COPY. */
START_TEST(company_row_in_copy_format)
{
	char *row;
	unsigned long route;

	ck_assert_int_eq(stage(KIND_COMPANY,
	    "{\"kind\":\"company\",\"cik\":\"0000320193\",\"ticker\":\"AAPL\","
	    "\"name\":\"Apple\\tInc.\",\"category\":null,\"sic\":\"3571\","
	    "\"sic_description\":null,\"fiscal_year_end\":\"0928\","
	    "\"exchanges\":[\"Nasdaq\",\"a\\\"b\\\\c\"],\"listed\":true,"
	    "\"source\":\"sec\"}", &row, &route), 1);
	ck_assert_str_eq(row, "7\t0000320193\tAAPL\tApple\\tInc.\t\\N\t3571\t"
	    "\\N\t0928\t{\"Nasdaq\",\"a\\\\\"b\\\\\\\\c\"}\tt\tsec\n");
	free(row);
}
END_TEST

/* A metric's ticker is not stored; integers and numbers are written
 * as the shortest decimal. */
START_TEST(metric_row_skips_ticker)
{
	char *row;
	unsigned long route;

	ck_assert_int_eq(stage(KIND_METRIC,
	    "{\"kind\":\"metric\",\"cik\":\"0000320193\",\"ticker\":\"AAPL\","
	    "\"metric\":\"revenue\",\"value\":383285000000,\"unit\":\"USD\","
	    "\"period_type\":\"annual\",\"period_start\":\"2022-09-25\","
	    "\"period_end\":\"2023-09-30\",\"fiscal_year\":2023,"
	    "\"fiscal_period\":\"FY\",\"source\":\"sec\","
	    "\"source_ref\":\"0000320193-23-000106\",\"filed\":\"2023-11-03\","
	    "\"revised\":false,\"concept\":\"us-gaap:Revenues\","
	    "\"derivation\":null}", &row, &route), 1);
	ck_assert_str_eq(row, "7\t0000320193\trevenue\t383285000000\tUSD\t"
	    "annual\t2022-09-25\t2023-09-30\t2023\tFY\tsec\t"
	    "0000320193-23-000106\t2023-11-03\tf\tus-gaap:Revenues\t\\N\n");
	free(row);
}
END_TEST

/* Members out of the contract's order are found all the same. */
START_TEST(members_in_any_order)
{
	char *row;
	unsigned long route, route2;

	ck_assert_int_eq(stage(KIND_MART_LANDSCAPE,
	    "{\"top3_share\":1,\"hhi\":10000,\"kind\":\"mart_competitive_landscape\","
	    "\"category\":\"devices\",\"as_of\":\"2024-03-31\",\"unit\":\"USD\","
	    "\"total_revenue\":5.5,\"companies\":1,\"average_growth\":null,"
	    "\"median_growth\":null}", &row, &route), 1);
	ck_assert_str_eq(row, "7\t2024-03-31\tdevices\tUSD\t5.5\t1\t\\N\t\\N\t"
	    "10000\t1\n");
	free(row);

	/* The route depends on the category alone. */
	ck_assert_int_eq(stage(KIND_MART_LANDSCAPE,
	    "{\"kind\":\"mart_competitive_landscape\",\"as_of\":\"2020-01-01\","
	    "\"category\":\"devices\",\"unit\":null,\"total_revenue\":null,"
	    "\"companies\":null,\"average_growth\":null,\"median_growth\":null,"
	    "\"hhi\":null,\"top3_share\":null}", &row, &route2), 1);
	ck_assert_uint_eq(route, route2);
	free(row);
}
END_TEST

/* Each broken member is a reject, and nothing is staged. */
START_TEST(bad_members_rejected)
{
	static const char *const bad[] = {
		/* interval outside its list */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":null,"
		"\"date\":\"2024-01-02\",\"interval\":\"1h\",\"source\":\"yahoo\"}",
		/* impossible date */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":null,"
		"\"date\":\"2024-02-30\",\"interval\":\"1d\",\"source\":\"yahoo\"}",
		/* volume not whole */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":null,"
		"\"date\":\"2024-01-02\",\"interval\":\"1d\",\"volume\":1.5,"
		"\"source\":\"yahoo\"}",
		/* volume beyond 2^53 */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":null,"
		"\"date\":\"2024-01-02\",\"interval\":\"1d\",\"volume\":1e300,"
		"\"source\":\"yahoo\"}",
		/* short CIK */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":\"320193\","
		"\"date\":\"2024-01-02\",\"interval\":\"1d\",\"source\":\"yahoo\"}",
		/* missing key member */
		"{\"kind\":\"price\",\"cik\":null,\"date\":\"2024-01-02\","
		"\"interval\":\"1d\",\"source\":\"yahoo\"}",
		/* number as a string */
		"{\"kind\":\"price\",\"ticker\":\"A\",\"cik\":null,"
		"\"date\":\"2024-01-02\",\"interval\":\"1d\",\"close\":\"1.5\","
		"\"source\":\"yahoo\"}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *row;
		unsigned long route;

		ck_assert_msg(stage(KIND_PRICE, bad[i], &row, &route) == 0,
		    "case %zu staged", i);
		ck_assert_str_eq(row, "");
		free(row);
	}
}
END_TEST

/* The merge of a kind names its conflict key, keeps stored values for
 * LOAD_KEEP columns, and the export orders by the key. */
START_TEST(generated_statements)
{
	const struct load_kind *company = &load_kinds[KIND_COMPANY];
	const struct load_kind *price = &load_kinds[KIND_PRICE];

	ck_assert_ptr_nonnull(strstr(price->merge_sql,
	    "ON CONFLICT (\"ticker\", \"date\", \"interval\") DO UPDATE"));
	ck_assert_ptr_nonnull(strstr(company->merge_sql,
	    "\"ticker\" = coalesce(excluded.\"ticker\", t.\"ticker\")"));
	ck_assert_ptr_nonnull(strstr(company->merge_sql,
	    "\"name\" = excluded.\"name\""));
	ck_assert_ptr_nonnull(strstr(load_kinds[KIND_METRIC].orphans_sql,
	    "NOT EXISTS (SELECT 1 FROM companies c WHERE c.cik = s.cik)"));
	ck_assert_str_eq(load_kinds[KIND_PRICE].orphans_sql, "");
	ck_assert_ptr_nonnull(strstr(price->export_sql,
	    "FROM \"stock_prices\" t ORDER BY t.\"ticker\", t.\"date\","
	    " t.\"interval\""));
	ck_assert_ptr_null(strstr(load_kinds[KIND_METRIC].staging_sql,
	    "\"ticker\""));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("load_kinds");
	TCase *tc = tcase_create("kinds");
	SRunner *sr;
	int failed;

	log_init("check_load_kinds");
	log_set_level(LOG_LEVEL_ERROR);
	if (load_kinds_init() != 0)
		return EXIT_FAILURE;
	tcase_add_test(tc, find_by_kind_or_table);
	tcase_add_test(tc, company_row_in_copy_format);
	tcase_add_test(tc, metric_row_skips_ticker);
	tcase_add_test(tc, members_in_any_order);
	tcase_add_test(tc, bad_members_rejected);
	tcase_add_test(tc, generated_statements);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	load_kinds_free();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
