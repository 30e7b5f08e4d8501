#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "record.h"

static enum record_error
parse_error(const char *line)
{
	enum record_error error;
	char why[256];
	cJSON *record = record_parse(line, strlen(line), &error, why, sizeof why);

	cJSON_Delete(record);
	return error;
}

START_TEST(valid_record_parsed)
{
	const char *line = "{\"kind\":\"metric\",\"value\":6.11,\"fiscal_year\":2023}";
	enum record_error error;
	char why[256];
	cJSON *record = record_parse(line, strlen(line), &error, why, sizeof why);
	double value;
	long long year;

	ck_assert_ptr_nonnull(record);
	ck_assert_int_eq(error, RECORD_OK);
	ck_assert_str_eq(record_kind(record), "metric");
	ck_assert(record_number(record, "value", &value));
	ck_assert(value == 6.11);
	ck_assert(record_integer(record, "fiscal_year", &year));
	ck_assert_int_eq(year, 2023);
	ck_assert(!record_integer(record, "value", &year));
	ck_assert_ptr_null(record_string(record, "value"));
	cJSON_Delete(record);
}
END_TEST

START_TEST(malformed_lines_classified)
{
	ck_assert_int_eq(parse_error(""), RECORD_EMPTY);
	ck_assert_int_eq(parse_error("   "), RECORD_EMPTY);
	ck_assert_int_eq(parse_error("{\"kind\":"), RECORD_INVALID_JSON);
	ck_assert_int_eq(parse_error("{\"kind\":\"x\"} trailing"), RECORD_INVALID_JSON);
	ck_assert_int_eq(parse_error("{\"kind\":\"x\",\"value\":NaN}"), RECORD_INVALID_JSON);
	ck_assert_int_eq(parse_error("[1,2]"), RECORD_NOT_OBJECT);
	ck_assert_int_eq(parse_error("{\"kind\":\"x\",\"value\":1e400}"), RECORD_NUMBER_OVERFLOW);
	ck_assert_int_eq(parse_error("{\"value\":1}"), RECORD_NO_KIND);
	ck_assert_int_eq(parse_error("{\"kind\":7}"), RECORD_NO_KIND);
	ck_assert_int_eq(parse_error("{\"kind\":\"\xff\"}"), RECORD_INVALID_UTF8);
	ck_assert_int_eq(parse_error("{\"kind\":\"m\",\"value\":1,\"value\":-2}"),
	    RECORD_DUPLICATE_MEMBER);
	ck_assert_int_eq(parse_error("{\"kind\":\"m\",\"a\":{\"b\":1,\"b\":2}}"),
	    RECORD_DUPLICATE_MEMBER);
}
END_TEST

START_TEST(error_reason_names_position)
{
	const char *line = "{\"kind\":\"x\",}";
	enum record_error error;
	char why[256];

	ck_assert_ptr_null(record_parse(line, strlen(line), &error, why, sizeof why));
	ck_assert_msg(strstr(why, "invalid JSON at byte") != NULL, "reason: %s", why);
	ck_assert_str_eq(record_error_rule(error), "json");
}
END_TEST

START_TEST(reasons_name_member_and_fix)
{
	static const struct {
		const char *line;
		const char *reason;
	} cases[] = {
		{ "{\"kind\":\"m\",\"value\":NaN}",
		  "invalid JSON at byte 21: NaN is not a JSON number; write null for a missing value" },
		{ "{\"kind\":\"m\",\"value\":-Infinity}",
		  "invalid JSON at byte 21: -Infinity is not a JSON number; write null for a missing value" },
		{ "{\"kind\":\"m\",\"value\":1e400}",
		  "member \"value\" is a number out of the range of a double (about 1.8e308)" },
		{ "{\"kind\":\"m\",\"value\":1,\"value\":2}",
		  "member \"value\" appears twice: keep one" },
	};
	enum record_error error;
	char why[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *record = record_parse(cases[i].line, strlen(cases[i].line),
		    &error, why, sizeof why);

		ck_assert_ptr_null(record);
		ck_assert_str_eq(why, cases[i].reason);
	}
}
END_TEST

START_TEST(utf8_sequences_checked)
{
	size_t at;

	ck_assert(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88", 14, NULL));
	ck_assert(!utf8_valid("ab\xc0\xaf", 4, &at));	/* overlong '/' */
	ck_assert_uint_eq(at, 2);
	ck_assert(!utf8_valid("\xed\xa0\x80", 3, &at));	/* a surrogate */
	ck_assert(!utf8_valid("\xf4\x90\x80\x80", 4, &at));	/* above U+10FFFF */
	ck_assert(!utf8_valid("x\xe2\x82", 3, &at));	/* cut short */
	ck_assert_uint_eq(at, 1);
}
END_TEST

START_TEST(writer_orders_and_escapes)
{
	struct jsonw w = { 0 };

	jsonw_begin(&w);
	jsonw_string(&w, "kind", "metric");
	jsonw_string(&w, "name", "a \"quoted\"\\ name\n\x01");
	jsonw_number(&w, "eps", 6.11);
	jsonw_number(&w, "revenue", 383285000000.0);
	jsonw_int(&w, "year", 2023);
	jsonw_null(&w, "start");
	jsonw_open_array(&w, "list");
	jsonw_open_object(&w, NULL);
	jsonw_bool(&w, "ok", 1);
	jsonw_close_object(&w);
	jsonw_number(&w, NULL, 0.1);
	jsonw_close_array(&w);
	jsonw_end(&w);
	ck_assert_str_eq(w.buf,
	    "{\"kind\":\"metric\",\"name\":\"a \\\"quoted\\\"\\\\ name\\n\\u0001\","
	    "\"eps\":6.11,\"revenue\":383285000000,\"year\":2023,\"start\":null,"
	    "\"list\":[{\"ok\":true},0.1]}\n");
	jsonw_free(&w);
}
END_TEST

/* Integers are written as %lld writes them, to both ends of the range. */
START_TEST(writer_integers_exact)
{
	struct jsonw w = { 0 };

	jsonw_begin(&w);
	jsonw_int(&w, "zero", 0);
	jsonw_int(&w, "year", 2023);
	jsonw_int(&w, "negative", -7);
	jsonw_int(&w, "min", LLONG_MIN);
	jsonw_int(&w, "max", LLONG_MAX);
	jsonw_end(&w);
	ck_assert_str_eq(w.buf,
	    "{\"zero\":0,\"year\":2023,\"negative\":-7,"
	    "\"min\":-9223372036854775808,\"max\":9223372036854775807}\n");
	jsonw_free(&w);
}
END_TEST

/* The shortest form must read back as the very same double. */
START_TEST(numbers_round_trip)
{
	static const double values[] = {
		0.1, 6.11, -1.5, 1.0 / 3.0, 2.0 / 3.0, 1e21, 123456789.125,
		9007199254740993.0, -0.0, 5e-324,
	};
	char text[40];

	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		json_format_number(text, sizeof text, values[i]);
		ck_assert_msg(strtod(text, NULL) == values[i], "%s", text);
	}
	json_format_number(text, sizeof text, 0.1);
	ck_assert_str_eq(text, "0.1");
	json_format_number(text, sizeof text, -383285000000.0);
	ck_assert_str_eq(text, "-383285000000");
	json_format_number(text, sizeof text, 0.0);
	ck_assert_str_eq(text, "0");
	json_format_number(text, sizeof text, -0.0);
	ck_assert_str_eq(text, "-0");
	json_format_number(text, sizeof text, 9007199254740991.0);
	ck_assert_str_eq(text, "9007199254740991");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("parse and write");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, valid_record_parsed);
	tcase_add_test(tc, malformed_lines_classified);
	tcase_add_test(tc, error_reason_names_position);
	tcase_add_test(tc, reasons_name_member_and_fix);
	tcase_add_test(tc, utf8_sequences_checked);
	tcase_add_test(tc, writer_orders_and_escapes);
	tcase_add_test(tc, writer_integers_exact);
	tcase_add_test(tc, numbers_round_trip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
