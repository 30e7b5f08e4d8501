#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yahoo.h"

/* The records a call writes to standard output, captured in a buffer. */
static char captured[8192];
static int saved_stdout = -1;
static FILE *capture_file;

static void
capture_start(void)
{
	fflush(stdout);
	capture_file = tmpfile();
	ck_assert_ptr_nonnull(capture_file);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(fileno(capture_file), STDOUT_FILENO);
}

static const char *
capture_end(void)
{
	size_t n;

	fflush(stdout);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	rewind(capture_file);
	n = fread(captured, 1, sizeof captured - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}

static int
write_body(const char *body, long status, struct yahoo_counts *counts,
    enum yahoo_failure *failure)
{
	struct yahoo_request request = { .label = "TEST", .symbol = "TEST",
	    .interval = "1d" };
	struct jsonw w = { 0 };
	int rc;

	rc = yahoo_write_response(body, strlen(body), status, &request, counts,
	    &w, failure);
	jsonw_free(&w);
	return rc;
}

/* 1704322800 is 2024-01-03 23:00 UTC: 2024-01-04 in Sydney (UTC+11 in
 * January) and still 2024-01-03 in New York. */
START_TEST(clock_dates_in_zone)
{
	struct yahoo_clock clock;
	char date[DATE_TEXT_SIZE];

	ck_assert(yahoo_clock_start(&clock, "Australia/Sydney", false, 0, "t"));
	ck_assert(yahoo_clock_date(&clock, 1704322800, date));
	ck_assert_str_eq(date, "2024-01-04");
	yahoo_clock_stop(&clock);

	ck_assert(yahoo_clock_start(&clock, "America/New_York", false, 0, "t"));
	ck_assert(yahoo_clock_date(&clock, 1704322800, date));
	ck_assert_str_eq(date, "2024-01-03");
	yahoo_clock_stop(&clock);
}
END_TEST

START_TEST(clock_falls_back_to_offset)
{
	struct yahoo_clock clock;
	char date[DATE_TEXT_SIZE];

	ck_assert(yahoo_clock_start(&clock, "No/Such_Zone", true, 39600, "t"));
	ck_assert(yahoo_clock_date(&clock, 1704322800, date));
	ck_assert_str_eq(date, "2024-01-04");
	yahoo_clock_stop(&clock);
	ck_assert(!yahoo_clock_start(&clock, "No/Such_Zone", false, 0, "t"));
}
END_TEST

START_TEST(clock_rejects_absurd_timestamp)
{
	struct yahoo_clock clock;
	char date[DATE_TEXT_SIZE];

	ck_assert(yahoo_clock_start(&clock, "UTC", false, 0, "t"));
	ck_assert(!yahoo_clock_date(&clock, 1e300, date));
	yahoo_clock_stop(&clock);
}
END_TEST

START_TEST(invalid_crumb_recognized)
{
	struct yahoo_counts counts = { 0 };
	enum yahoo_failure failure;

	ck_assert_int_eq(write_body("{\"finance\":{\"result\":null,\"error\":"
	    "{\"code\":\"Unauthorized\",\"description\":\"Invalid Crumb\"}}}",
	    401, &counts, &failure), -1);
	ck_assert_int_eq(failure, YAHOO_INVALID_CRUMB);
}
END_TEST

START_TEST(too_many_requests_temporary)
{
	struct yahoo_counts counts = { 0 };
	enum yahoo_failure failure;

	ck_assert_int_eq(write_body("Too Many Requests\r\n", 429, &counts,
	    &failure), -1);
	ck_assert_int_eq(failure, YAHOO_RATE_LIMITED);
	ck_assert_int_eq(write_body("{\"chart\":{\"result\":null,\"error\":"
	    "{\"code\":\"Not Found\",\"description\":\"No data found\"}}}",
	    404, &counts, &failure), -1);
	ck_assert_int_eq(failure, YAHOO_FAILED);
}
END_TEST

/* A null close is skipped and counted, never written as 0. */
START_TEST(null_close_skipped)
{
	struct yahoo_counts counts = { 0 };
	enum yahoo_failure failure;
	const char *out;

	capture_start();
	ck_assert_int_eq(write_body("{\"chart\":{\"result\":[{\"meta\":{"
	    "\"symbol\":\"X\",\"exchangeTimezoneName\":\"UTC\"},"
	    "\"timestamp\":[86400,172800],\"indicators\":{\"quote\":[{"
	    "\"close\":[null,2.5],\"open\":[1,null]}]}}],\"error\":null}}",
	    200, &counts, &failure), 0);
	out = capture_end();
	ck_assert_uint_eq(counts.bars, 1);
	ck_assert_uint_eq(counts.null_bars, 1);
	ck_assert_ptr_nonnull(strstr(out, "\"date\":\"1970-01-03\""));
	ck_assert_ptr_nonnull(strstr(out, "\"open\":null"));
	ck_assert_ptr_null(strstr(out, "1970-01-02"));
}
END_TEST

/* {}, raw 0 without fmt, and 0 market cap are missing; raw 0 with fmt
 * "0" is a real zero. */
START_TEST(quote_missing_values_null)
{
	struct yahoo_counts counts = { 0 };
	enum yahoo_failure failure;
	const char *out;

	capture_start();
	ck_assert_int_eq(write_body("{\"quoteSummary\":{\"result\":[{"
	    "\"price\":{\"symbol\":\"X\",\"marketCap\":0},"
	    "\"summaryDetail\":{\"trailingPE\":{}},"
	    "\"defaultKeyStatistics\":{\"priceToBook\":{\"raw\":0,\"fmt\":null}},"
	    "\"financialData\":{\"freeCashflow\":{\"raw\":0,\"fmt\":\"0\"}}}],"
	    "\"error\":null}}", 200, &counts, &failure), 0);
	out = capture_end();
	ck_assert_uint_eq(counts.quotes, 1);
	ck_assert_ptr_nonnull(strstr(out, "\"market_cap\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"pe_trailing\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"price_to_book\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"free_cash_flow\":0,"));
	ck_assert_ptr_nonnull(strstr(out, "\"date\":null"));
}
END_TEST

/* With an output stream in the request, every kind of record goes there
 * and none to standard output, so that a worker can gather a symbol's
 * records apart. */
START_TEST(records_go_to_request_stream)
{
	static const char *const bodies[] = {
		"{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"X\","
		    "\"exchangeTimezoneName\":\"UTC\"},\"timestamp\":[86400],"
		    "\"events\":{\"splits\":{\"86400\":{\"date\":86400,"
		    "\"numerator\":2,\"denominator\":1}}},"
		    "\"indicators\":{\"quote\":[{\"close\":[3.5]}]}}],"
		    "\"error\":null}}",
		"{\"timeseries\":{\"result\":[{\"meta\":{\"symbol\":[\"X\"],"
		    "\"type\":[\"annualNetIncome\"]},\"annualNetIncome\":[{"
		    "\"asOfDate\":\"2023-12-31\",\"reportedValue\":{"
		    "\"raw\":7}}]}],\"error\":null}}",
		"{\"quoteSummary\":{\"result\":[{\"price\":{\"symbol\":\"X\"}}],"
		    "\"error\":null}}",
	};
	static const char *const kinds[] = {
		"\"kind\":\"yahoo_bar\"", "\"kind\":\"yahoo_event\"",
		"\"kind\":\"yahoo_fundamental\"", "\"kind\":\"yahoo_quote\"",
	};
	struct yahoo_counts counts = { 0 };
	struct yahoo_request request = { .label = "X", .symbol = "X",
	    .interval = "1d" };
	enum yahoo_failure failure;
	struct jsonw w = { 0 };
	char *records = NULL;
	size_t length = 0;
	const char *out;

	request.out = open_memstream(&records, &length);
	ck_assert_ptr_nonnull(request.out);
	capture_start();
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
		ck_assert_int_eq(yahoo_write_response(bodies[i],
		    strlen(bodies[i]), 200, &request, &counts, &w, &failure), 0);
	out = capture_end();
	ck_assert_int_eq(fclose(request.out), 0);
	jsonw_free(&w);

	ck_assert_str_eq(out, "");
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		ck_assert_ptr_nonnull(strstr(records, kinds[i]));
	ck_assert_ptr_nonnull(strstr(records, "\"close\":3.5"));
	ck_assert_ptr_nonnull(strstr(records, "\"value\":7"));
	free(records);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("yahoo");
	TCase *tc = tcase_create("responses");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, clock_dates_in_zone);
	tcase_add_test(tc, clock_falls_back_to_offset);
	tcase_add_test(tc, clock_rejects_absurd_timestamp);
	tcase_add_test(tc, invalid_crumb_recognized);
	tcase_add_test(tc, too_many_requests_temporary);
	tcase_add_test(tc, null_close_skipped);
	tcase_add_test(tc, quote_missing_values_null);
	tcase_add_test(tc, records_go_to_request_stream);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
