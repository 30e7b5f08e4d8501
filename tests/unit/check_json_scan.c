#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "record.h"

/*
 * The scanner must never accept a line that record_parse rejects, and
 * for a line it accepts it must find what cJSON finds: each test below
 * compares both readings of the same line.
 */

static const char fact_line[] =
    "{\"kind\":\"sec_fact\",\"cik\":\"0000320193\",\"ticker\":null,"
    "\"entity\":\"Apple Inc.\",\"taxonomy\":\"dei\",\"concept\":"
    "\"EntityCommonStockSharesOutstanding\",\"unit\":\"shares\",\"value\":"
    "895816758,\"start\":null,\"end\":\"2009-06-27\",\"fy\":2009,\"fp\":"
    "\"Q3\",\"form\":\"10-Q\",\"filed\":\"2009-07-22\",\"accn\":"
    "\"0001193125-09-153165\",\"frame\":\"CY2009Q2I\"}";

/*
 * Copies text into a buffer of its length and a NUL, as an NDJSON line
 * ends, so that the address sanitizer catches a read past the NUL.  The
 * copy lives until the next call, since scanned members point into it.
 */
static char *
line_copy(const char *text, size_t len)
{
	static char *line;

	free(line);
	line = malloc(len + 1);
	ck_assert_ptr_nonnull(line);
	memcpy(line, text, len);
	line[len] = '\0';
	return line;
}

static bool
scan(struct json_scan *js, const char *text, size_t len)
{
	return json_scan_flat(js, line_copy(text, len), len, NULL);
}

static bool
scan_text(struct json_scan *js, const char *text)
{
	return scan(js, text, strlen(text));
}

/* Checks that every member the scanner found has the value cJSON gives
 * it, and that both find the same number of members. */
static void
agrees_with_cjson(const struct json_scan *js, const char *text)
{
	enum record_error error;
	char why[256];
	cJSON *record = record_parse(text, strlen(text), &error, why, sizeof why);
	int members = 0;

	ck_assert_msg(record != NULL, "scanner took what cJSON rejects: %s: %s",
	    text, why);
	for (const cJSON *c = record->child; c != NULL; c = c->next)
		members++;
	ck_assert_uint_eq(js->count, (size_t)members);
	for (size_t i = 0; i < js->count; i++) {
		const struct json_scan_member *m = &js->members[i];
		char name[256];
		const cJSON *item;

		ck_assert_uint_lt(m->name_len, sizeof name);
		memcpy(name, m->name, m->name_len);
		name[m->name_len] = '\0';
		item = cJSON_GetObjectItemCaseSensitive(record, name);
		ck_assert_msg(item != NULL, "member \"%s\" unknown to cJSON", name);
		switch (m->type) {
		case JSON_SCAN_STRING:
			ck_assert(cJSON_IsString(item));
			ck_assert_uint_eq(strlen(item->valuestring), m->len);
			ck_assert(memcmp(item->valuestring, m->text, m->len) == 0);
			break;
		case JSON_SCAN_NUMBER:
			ck_assert(cJSON_IsNumber(item));
			ck_assert_msg(item->valuedouble == m->number &&
			    signbit(item->valuedouble) == signbit(m->number),
			    "%s: cJSON %.17g, scanner %.17g", name,
			    item->valuedouble, m->number);
			break;
		case JSON_SCAN_NULL:
			ck_assert(cJSON_IsNull(item));
			break;
		case JSON_SCAN_TRUE:
			ck_assert(cJSON_IsTrue(item));
			break;
		case JSON_SCAN_FALSE:
			ck_assert(cJSON_IsFalse(item));
			break;
		}
	}
	cJSON_Delete(record);
}

static void
read_like_cjson(const char *text)
{
	struct json_scan js;

	ck_assert_msg(scan_text(&js, text), "scanner left to cJSON: %s", text);
	agrees_with_cjson(&js, text);
}

static void
left_to_cjson(const char *text)
{
	struct json_scan js;

	ck_assert_msg(!scan_text(&js, text), "scanner took: %s", text);
}

/* A line the scanner leaves to cJSON and cJSON rejects with error. */
static void
invalid(const char *text, enum record_error expected)
{
	enum record_error error;
	char why[256];
	cJSON *record;

	left_to_cjson(text);
	record = record_parse(text, strlen(text), &error, why, sizeof why);
	ck_assert_msg(record == NULL, "cJSON took: %s", text);
	ck_assert_int_eq(error, expected);
}

START_TEST(sec_fact_read)
{
	struct json_scan js;
	const struct json_scan_member *m;

	ck_assert(scan_text(&js, fact_line));
	ck_assert_uint_eq(js.count, 16);
	ck_assert(json_scan_is(json_scan_get(&js, "kind"), "sec_fact"));
	ck_assert(json_scan_is(json_scan_get(&js, "concept"),
	    "EntityCommonStockSharesOutstanding"));
	m = json_scan_get(&js, "value");
	ck_assert(m != NULL && m->type == JSON_SCAN_NUMBER);
	ck_assert(m->number == 895816758.0);
	m = json_scan_get(&js, "start");
	ck_assert(m != NULL && m->type == JSON_SCAN_NULL);
	ck_assert(json_scan_get(&js, "revised") == NULL);
	ck_assert(!json_scan_is(json_scan_get(&js, "cik"), "320193"));
	agrees_with_cjson(&js, fact_line);
}
END_TEST

START_TEST(truncated_lines_left_to_cjson)
{
	/* Every proper prefix of a record is incomplete. */
	size_t len = strlen(fact_line);
	struct json_scan js;

	for (size_t n = 0; n < len; n++)
		ck_assert_msg(!scan(&js, fact_line, n), "took %zu bytes", n);
	invalid("{\"kind\":\"x\"", RECORD_INVALID_JSON);
	left_to_cjson("{\"kind\":");
	left_to_cjson("{\"kind\"");
	left_to_cjson("{\"kind");
	left_to_cjson("{");
	left_to_cjson("");
	left_to_cjson("   ");
}
END_TEST

START_TEST(escapes_left_to_cjson)
{
	/* Invalid escapes are invalid JSON, and valid ones are for cJSON to
	 * decode, so the scanner leaves both to cJSON. */
	invalid("{\"kind\":\"a\\x\"}", RECORD_INVALID_JSON);
	left_to_cjson("{\"kind\":\"a\\\"}");
	left_to_cjson("{\"kind\":\"a\\u12\"}");
	left_to_cjson("{\"kind\":\"a\\n\"}");
	left_to_cjson("{\"kind\":\"Procter \\u0026 Gamble\"}");
	left_to_cjson("{\"ki\\u006ed\":\"a\"}");
}
END_TEST

START_TEST(invalid_utf8_left_to_cjson)
{
	invalid("{\"kind\":\"\xff\"}", RECORD_INVALID_UTF8);
	left_to_cjson("{\"kind\":\"\xc0\xaf\"}");		/* overlong "/" */
	invalid("{\"kind\":\"\xed\xa0\x80\"}", RECORD_INVALID_UTF8);	/* a surrogate */
	left_to_cjson("{\"kind\":\"\xf4\x90\x80\x80\"}");	/* above U+10FFFF */
	left_to_cjson("{\"kind\":\"Nestl\xc3\"}");		/* cut short */
	read_like_cjson("{\"kind\":\"Nestl\xc3\xa9 S.A.\"}");
	read_like_cjson("{\"kind\":\"x\",\"entity\":\"\xe6\x97\xa5\xe7\xab\x8b\"}");
}
END_TEST

START_TEST(control_characters_and_nul_left_to_cjson)
{
	struct json_scan js;
	static const char with_nul[] = "{\"kind\":\"a\0b\"}";

	left_to_cjson("{\"kind\":\"tab\there\"}");
	left_to_cjson("{\"kind\":\"line\nbreak\"}");
	ck_assert(!scan(&js, with_nul, sizeof with_nul - 1));
	left_to_cjson("{\"kind\":\"a\"}\v");
}
END_TEST

START_TEST(non_numbers_left_to_cjson)
{
	invalid("{\"kind\":\"x\",\"value\":NaN}", RECORD_INVALID_JSON);
	left_to_cjson("{\"kind\":\"x\",\"value\":nan}");
	left_to_cjson("{\"kind\":\"x\",\"value\":Infinity}");
	left_to_cjson("{\"kind\":\"x\",\"value\":-Infinity}");
	invalid("{\"kind\":\"x\",\"value\":1e400}", RECORD_NUMBER_OVERFLOW);
	invalid("{\"kind\":\"x\",\"value\":-1e400}", RECORD_NUMBER_OVERFLOW);
	left_to_cjson("{\"kind\":\"x\",\"value\":01}");
	left_to_cjson("{\"kind\":\"x\",\"value\":-}");
	left_to_cjson("{\"kind\":\"x\",\"value\":1.}");
	left_to_cjson("{\"kind\":\"x\",\"value\":.5}");
	left_to_cjson("{\"kind\":\"x\",\"value\":1e}");
	left_to_cjson("{\"kind\":\"x\",\"value\":+1}");
	left_to_cjson("{\"kind\":\"x\",\"value\":0x10}");
}
END_TEST

START_TEST(numbers_read_as_cjson_reads_them)
{
	char line[256];

	read_like_cjson("{\"kind\":\"x\",\"value\":0}");
	read_like_cjson("{\"kind\":\"x\",\"value\":-0}");
	read_like_cjson("{\"kind\":\"x\",\"value\":-383285000000}");
	read_like_cjson("{\"kind\":\"x\",\"value\":999999999999999}");
	read_like_cjson("{\"kind\":\"x\",\"value\":123456789012345678901}");
	read_like_cjson("{\"kind\":\"x\",\"value\":0.1}");
	read_like_cjson("{\"kind\":\"x\",\"value\":-2.54e-3}");
	read_like_cjson("{\"kind\":\"x\",\"value\":1E+2}");
	read_like_cjson("{\"kind\":\"x\",\"value\":1e-400}");
	read_like_cjson("{\"kind\":\"x\",\"value\":1.7976931348623157e308}");

	/* Numbers longer than some cJSON releases read are left to cJSON. */
	snprintf(line, sizeof line, "{\"kind\":\"x\",\"value\":1.%061d}", 5);
	ck_assert_uint_eq(strlen(line) - strlen("{\"kind\":\"x\",\"value\":}"),
	    JSON_SCAN_NUMBER_MAX);
	read_like_cjson(line);
	snprintf(line, sizeof line, "{\"kind\":\"x\",\"value\":1.%062d}", 5);
	left_to_cjson(line);
}
END_TEST

START_TEST(duplicate_members_left_to_cjson)
{
	invalid("{\"kind\":\"a\",\"kind\":\"b\"}", RECORD_DUPLICATE_MEMBER);
	left_to_cjson("{\"kind\":\"a\",\"value\":1,\"unit\":\"USD\",\"value\":2}");
	left_to_cjson("{\"kind\":\"a\",\"\":1,\"\":2}");
	/* Names that share a bit of the scanner's filter are still distinguished. */
	read_like_cjson("{\"kind\":\"a\",\"ab\":1,\"bb\":2,\"axb\":3,\"acb\":4}");
}
END_TEST

START_TEST(nested_values_left_to_cjson)
{
	left_to_cjson("{\"kind\":\"a\",\"x\":{\"y\":1}}");
	left_to_cjson("{\"kind\":\"a\",\"x\":{}}");
	left_to_cjson("{\"kind\":\"a\",\"x\":[1,2]}");
	left_to_cjson("{\"kind\":\"a\",\"x\":[]}");
	left_to_cjson("[{\"kind\":\"a\"}]");
	left_to_cjson("\"kind\"");
	left_to_cjson("42");
	left_to_cjson("null");
}
END_TEST

START_TEST(object_shape_checked)
{
	char line[2048];
	size_t used;

	read_like_cjson(" \t{ \"kind\" : \"a\" , \"b\" : true , \"c\" : false ,"
	    " \"d\" : null }\r");
	left_to_cjson("{\"kind\":\"a\",}");
	left_to_cjson("{\"kind\":\"a\" \"b\":1}");
	left_to_cjson("{\"kind\" \"a\"}");
	left_to_cjson("{kind:\"a\"}");
	left_to_cjson("{\"kind\":\"a\"} x");
	left_to_cjson("{\"kind\":\"a\"}{}");
	left_to_cjson("{\"kind\":nul}");
	left_to_cjson("{\"kind\":truex}");
	left_to_cjson("{\"kind\":'a'}");

	/* As many members as fit, and one more. */
	used = (size_t)snprintf(line, sizeof line, "{\"kind\":\"a\"");
	for (int i = 1; i < JSON_SCAN_MEMBERS_MAX; i++)
		used += (size_t)snprintf(line + used, sizeof line - used,
		    ",\"m%d\":%d", i, i);
	snprintf(line + used, sizeof line - used, "}");
	read_like_cjson(line);
	snprintf(line + used, sizeof line - used, ",\"extra\":1}");
	left_to_cjson(line);
}
END_TEST

START_TEST(long_strings_scanned_by_word)
{
	char line[1024];

	/* Quotes, backslashes and control characters at every offset of
	 * the eight-byte words the scanner reads. */
	for (int at = 0; at < 24; at++) {
		char text[64];

		memset(text, 'x', 40);
		text[40] = '\0';
		text[at] = '\t';
		snprintf(line, sizeof line, "{\"kind\":\"%s\"}", text);
		left_to_cjson(line);
		text[at] = '\\';
		snprintf(line, sizeof line, "{\"kind\":\"%s\"}", text);
		left_to_cjson(line);
		text[at] = '\0';
		snprintf(line, sizeof line, "{\"kind\":\"%s\",\"v\":%d}", text, at);
		read_like_cjson(line);
	}
}
END_TEST

/* The names of fact_line, in their order. */
static const char *const fact_names[] = {
	"kind", "cik", "ticker", "entity", "taxonomy", "concept", "unit",
	"value", "start", "end", "fy", "fp", "form", "filed", "accn", "frame",
};

#define FACT_NAMES (sizeof fact_names / sizeof fact_names[0])

/* Scans a copy of text with the layout of fact_line. */
static bool
scan_fact_layout(struct json_scan *js, const char *text)
{
	struct json_scan_layout layout;
	size_t len = strlen(text);

	ck_assert(json_scan_layout_init(&layout, fact_names, FACT_NAMES));
	return json_scan_flat(js, line_copy(text, len), len, &layout);
}

/* Scans text with and without the layout: both readings must agree with
 * cJSON, and the layout must hold for the first in_layout members. */
static void
read_with_layout(const char *text, size_t in_layout)
{
	struct json_scan js;

	ck_assert_msg(scan_fact_layout(&js, text), "left to cJSON: %s", text);
	ck_assert_uint_eq(js.in_layout, in_layout);
	agrees_with_cjson(&js, text);
	read_like_cjson(text);
}

START_TEST(layout_read_as_cjson_reads_it)
{
	struct json_scan js;

	read_with_layout(fact_line, FACT_NAMES);
	ck_assert(scan_fact_layout(&js, fact_line));
	ck_assert(json_scan_is(&js.members[5], "EntityCommonStockSharesOutstanding"));
	ck_assert(js.members[7].type == JSON_SCAN_NUMBER &&
	    js.members[7].number == 895816758.0);

	/* A short last member, close to the end of the line. */
	read_with_layout("{\"kind\":\"sec_fact\",\"cik\":\"0000320193\","
	    "\"ticker\":null,\"entity\":\"E\",\"taxonomy\":\"dei\","
	    "\"concept\":\"C\",\"unit\":\"USD\",\"value\":1,\"start\":null,"
	    "\"end\":\"2009-06-27\",\"fy\":null,\"fp\":null,\"form\":\"10-Q\","
	    "\"filed\":\"2009-07-22\",\"accn\":\"0001193125-09-153165\","
	    "\"frame\":null}", FACT_NAMES);
}
END_TEST

START_TEST(layout_departures_read_in_general)
{
	/* White space before the first name is skipped, but elsewhere it
	 * ends the layout, as do another order, a longer name sharing the
	 * expected one's first letters and a missing member.  A member after
	 * the layout's last one is read the general way. */
	read_with_layout(" { \"kind\":\"a\",\"cik\":\"b\"}", 2);
	read_with_layout("{\"kind\":\"a\", \"cik\":\"b\"}", 1);
	read_with_layout("{\"kind\" :\"a\",\"cik\":\"b\"}", 0);
	read_with_layout("{\"cik\":\"b\",\"kind\":\"a\"}", 0);
	read_with_layout("{\"kind\":\"a\",\"cikx\":\"b\",\"cik\":\"c\"}", 1);
	read_with_layout("{\"kind\":\"a\",\"ticker\":null}", 1);
	read_with_layout("{\"kinds\":\"a\",\"kind\":\"b\"}", 0);
	read_with_layout("{\"kind\":\"a\",\"cik\":\"b\",\"x\":1}", 2);
}
END_TEST

START_TEST(layout_repeated_names_left_to_cjson)
{
	struct json_scan js;
	static const char *const lines[] = {
		"{\"kind\":\"a\",\"cik\":\"b\",\"kind\":\"c\"}",
		"{\"kind\":\"a\",\"x\":1,\"kind\":\"c\"}",
		"{\"kind\":\"a\",\"x\":1,\"x\":2}",
		"{\"kind\":\"a\",\"cik\":\"b\", \"cik\":\"c\"}",
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		enum record_error error;
		char why[256];

		ck_assert_msg(!scan_fact_layout(&js, lines[i]), "took %s",
		    lines[i]);
		ck_assert(record_parse(lines[i], strlen(lines[i]), &error, why,
		    sizeof why) == NULL);
		ck_assert_int_eq(error, RECORD_DUPLICATE_MEMBER);
	}
}
END_TEST

START_TEST(layout_truncated_lines_left_to_cjson)
{
	size_t len = strlen(fact_line);
	struct json_scan js;
	char prefix[sizeof fact_line];

	for (size_t n = 0; n < len; n++) {
		memcpy(prefix, fact_line, n);
		prefix[n] = '\0';
		ck_assert_msg(!scan_fact_layout(&js, prefix), "took %zu bytes", n);
	}
}
END_TEST

START_TEST(layout_names_checked)
{
	struct json_scan_layout layout;
	static const char *const repeated[] = { "kind", "cik", "kind" };
	static const char *const too_long[] = { "kind", "thirteen_char" };
	static const char *const longest[] = { "kind", "twelve_chars" };
	static const char *const quote[] = { "a\"b" };
	static const char *const backslash[] = { "a\\b" };
	static const char *const control[] = { "a\tb" };
	static const char *const wide[] = { "caf\xc3\xa9" };
	const char *many[JSON_SCAN_MEMBERS_MAX + 1];
	char names[JSON_SCAN_MEMBERS_MAX + 1][8];

	ck_assert(!json_scan_layout_init(&layout, repeated, 3));
	ck_assert(!json_scan_layout_init(&layout, too_long, 2));
	ck_assert(json_scan_layout_init(&layout, longest, 2));
	ck_assert(!json_scan_layout_init(&layout, quote, 1));
	ck_assert(!json_scan_layout_init(&layout, backslash, 1));
	ck_assert(!json_scan_layout_init(&layout, control, 1));
	ck_assert(!json_scan_layout_init(&layout, wide, 1));
	for (size_t i = 0; i <= JSON_SCAN_MEMBERS_MAX; i++) {
		snprintf(names[i], sizeof names[i], "m%zu", i);
		many[i] = names[i];
	}
	ck_assert(json_scan_layout_init(&layout, many, JSON_SCAN_MEMBERS_MAX));
	ck_assert(!json_scan_layout_init(&layout, many,
	    JSON_SCAN_MEMBERS_MAX + 1));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json_scan");
	TCase *tc = tcase_create("flat records");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sec_fact_read);
	tcase_add_test(tc, truncated_lines_left_to_cjson);
	tcase_add_test(tc, escapes_left_to_cjson);
	tcase_add_test(tc, invalid_utf8_left_to_cjson);
	tcase_add_test(tc, control_characters_and_nul_left_to_cjson);
	tcase_add_test(tc, non_numbers_left_to_cjson);
	tcase_add_test(tc, numbers_read_as_cjson_reads_them);
	tcase_add_test(tc, duplicate_members_left_to_cjson);
	tcase_add_test(tc, nested_values_left_to_cjson);
	tcase_add_test(tc, object_shape_checked);
	tcase_add_test(tc, long_strings_scanned_by_word);
	tcase_add_test(tc, layout_read_as_cjson_reads_it);
	tcase_add_test(tc, layout_departures_read_in_general);
	tcase_add_test(tc, layout_repeated_names_left_to_cjson);
	tcase_add_test(tc, layout_truncated_lines_left_to_cjson);
	tcase_add_test(tc, layout_names_checked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
