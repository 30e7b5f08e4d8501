#include <check.h>
#include <stdlib.h>

#include "date.h"

START_TEST(epoch_is_day_zero)
{
	long days = -1;

	ck_assert(date_parse("1970-01-01", &days));
	ck_assert_int_eq(days, 0);
}
END_TEST

/* Known day counts: 2000-03-01 is 11017 days after the epoch (30 years of
 * 365 days, 7 leap days, then 31 + 29 days of 2000). */
START_TEST(leap_century_counted)
{
	long days;

	ck_assert(date_parse("2000-03-01", &days));
	ck_assert_int_eq(days, 30 * 365 + 7 + 31 + 29);
}
END_TEST

START_TEST(fiscal_year_lengths)
{
	long start, end;

	/* Apple's fiscal 2023: 53 weeks less a day after 2022-09-25. */
	ck_assert(date_parse("2022-09-25", &start));
	ck_assert(date_parse("2023-09-30", &end));
	ck_assert_int_eq(end - start, 370);
	/* A leap year has 366 days: 2024-01-01 to 2025-01-01. */
	ck_assert(date_parse("2024-01-01", &start));
	ck_assert(date_parse("2025-01-01", &end));
	ck_assert_int_eq(end - start, 366);
}
END_TEST

START_TEST(impossible_dates_rejected)
{
	static const char *const bad[] = {
		"2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
		"2024-1-01", "2024/01/01", "20240101", "2024-01-01T00:00:00",
		"", "abcd-ef-gh", "1900-02-29",
	};
	long days;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!date_parse(bad[i], &days), "accepted '%s'", bad[i]);
	ck_assert(!date_parse(NULL, &days));
	ck_assert(date_parse("2024-02-29", &days));
	ck_assert(date_parse("2000-02-29", &days));
}
END_TEST

START_TEST(format_round_trips)
{
	static const char *const dates[] = {
		"1970-01-01", "1993-01-01", "1999-12-31", "2000-02-29",
		"2023-09-30", "2100-03-01", "0001-01-01",
	};
	char text[DATE_TEXT_SIZE];
	long days;

	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		ck_assert(date_parse(dates[i], &days));
		date_format(days, text);
		ck_assert_str_eq(text, dates[i]);
	}
}
END_TEST

/* A date inside a longer text, as in a JSON line, read by its length. */
START_TEST(date_read_by_length)
{
	static const char text[] = "\"2024-02-29\",\"2023-02-29\"";
	long days = -1;

	ck_assert(date_parse_len(text + 1, 10, &days));
	ck_assert_int_eq(days, 19782);
	ck_assert(!date_parse_len(text + 1, 9, &days));
	ck_assert(!date_parse_len(text + 1, 11, &days));
	ck_assert(!date_parse_len(text + 14, 10, &days));
}
END_TEST

START_TEST(today_follows_override)
{
	long expected;

	setenv("CORPINTEL_TODAY", "2025-06-30", 1);
	ck_assert(date_parse("2025-06-30", &expected));
	ck_assert_int_eq(date_today(), expected);
	unsetenv("CORPINTEL_TODAY");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("calendar");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, epoch_is_day_zero);
	tcase_add_test(tc, leap_century_counted);
	tcase_add_test(tc, fiscal_year_lengths);
	tcase_add_test(tc, impossible_dates_rejected);
	tcase_add_test(tc, format_round_trips);
	tcase_add_test(tc, date_read_by_length);
	tcase_add_test(tc, today_follows_override);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
