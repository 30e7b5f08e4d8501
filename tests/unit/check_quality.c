#include <check.h>
#include <stdbool.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quality.h"
#include "record.h"

static char folder[64];
static char rules_path[128];
static char vocabulary_path[128];

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
make_folder(void)
{
	snprintf(folder, sizeof folder, "/tmp/check_quality.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(folder));
	snprintf(rules_path, sizeof rules_path, "%s/rules.yaml", folder);
	snprintf(vocabulary_path, sizeof vocabulary_path, "%s/metrics.yaml",
	    folder);
	write_file(vocabulary_path,
	    "metrics:\n"
	    "  - name: revenue\n"
	    "  - name: shares_outstanding\n"
	    "  - name: net_margin\n");
}

static void
remove_folder(void)
{
	unlink(rules_path);
	unlink(vocabulary_path);
	rmdir(folder);
}

/* Loads rules from text; the vocabulary file sits beside them. */
static struct quality_rules *
load(const char *text)
{
	char error[512] = "";
	struct quality_rules *rules;

	write_file(rules_path, text);
	rules = quality_load(rules_path, error, sizeof error);
	ck_assert_msg(rules != NULL, "load failed: %s", error);
	return rules;
}

/* Returns the load error for text, which must not load. */
static const char *
load_error(const char *text)
{
	static char error[512];
	struct quality_rules *rules;

	write_file(rules_path, text);
	error[0] = '\0';
	rules = quality_load(rules_path, error, sizeof error);
	ck_assert_msg(rules == NULL, "rules loaded that should not: %s", text);
	return error;
}

static enum quality_outcome
check_line(struct quality_rules *rules, const char *json, unsigned long line,
    struct quality_result *result)
{
	struct qrec record;
	enum quality_outcome outcome;
	char why[256];

	qrec_init(&record);
	ck_assert_msg(qrec_parse(&record, json, strlen(json), why,
	    sizeof why) == RECORD_OK, "test record is not one: %s: %s", json,
	    why);
	outcome = quality_check(rules, &record, line, result);
	qrec_free(&record);
	return outcome;
}

static const char *
rule_name(struct quality_rules *rules, const struct quality_finding *f)
{
	struct quality_rule_info info;

	quality_rule_info(rules, f->rule, &info);
	return info.name;
}

START_TEST(rules_loaded_in_order)
{
	struct quality_rules *rules = load(
	    "version: 1\n"
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: req\n"
	    "      check: required\n"
	    "      members: [cik, value]\n"
	    "    - name: soft\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      maximum: 1\n"
	    "      severity: warn\n"
	    "      enabled: false\n"
	    "  company:\n"
	    "    - name: company-req\n"
	    "      check: required\n"
	    "      members: name\n");
	struct quality_rule_info info;

	ck_assert_uint_eq(quality_rule_count(rules), 3);
	quality_rule_info(rules, 0, &info);
	ck_assert_str_eq(info.name, "req");
	ck_assert_str_eq(info.kind, "metric");
	ck_assert_str_eq(info.check, "required");
	ck_assert_int_eq(info.severity, QUALITY_ERROR);
	ck_assert(info.enabled);
	quality_rule_info(rules, 1, &info);
	ck_assert_str_eq(info.name, "soft");
	ck_assert_str_eq(quality_severity_name(info.severity), "warn");
	ck_assert(!info.enabled);
	quality_rule_info(rules, 2, &info);
	ck_assert_str_eq(info.kind, "company");
	ck_assert(quality_has_kind(rules, "company"));
	ck_assert(!quality_has_kind(rules, "price"));
	quality_free(rules);
}
END_TEST

START_TEST(required_names_missing_and_null)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: req\n"
	    "      check: required\n"
	    "      members: [cik, value, unit]\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"cik\":\"0000000001\",\"value\":null}", 1,
	    &result), QUALITY_FAILED);
	ck_assert_uint_eq(result.count, 2);
	ck_assert_uint_eq(result.errors, 2);
	ck_assert_str_eq(result.findings[0].reason, "member \"value\" is null");
	ck_assert_str_eq(result.findings[1].reason, "missing member \"unit\"");
	ck_assert_str_eq(rule_name(rules, &result.findings[0]), "req");

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"cik\":\"0000000001\",\"value\":0,\"unit\":\"USD\"}",
	    2, &result), QUALITY_PASSED);
	ck_assert_uint_eq(result.count, 0);
	quality_free(rules);
}
END_TEST

START_TEST(types_checked_and_null_allowed)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: types\n"
	    "      check: type\n"
	    "      types:\n"
	    "        value: number\n"
	    "        fiscal_year: integer\n"
	    "        ticker: string\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"value\":\"12\",\"fiscal_year\":2023.5,"
	    "\"ticker\":7}", 1, &result), QUALITY_FAILED);
	ck_assert_uint_eq(result.count, 3);
	ck_assert_str_eq(result.findings[0].reason,
	    "value is a string (\"12\"), expected a number");
	ck_assert_str_eq(result.findings[1].reason,
	    "fiscal_year 2023.5 is not an integer");
	ck_assert_str_eq(result.findings[2].reason,
	    "ticker is a number (7), expected a string");

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"value\":-1.5,\"fiscal_year\":2023,"
	    "\"ticker\":null}", 2, &result), QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

START_TEST(pattern_reason_has_hint)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  company:\n"
	    "    - name: cik\n"
	    "      check: pattern\n"
	    "      member: cik\n"
	    "      pattern: \"^[0-9]{10}$\"\n"
	    "      hint: ten digits\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"company\",\"cik\":\"320193\"}", 1, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "cik \"320193\" does not match the pattern ^[0-9]{10}$ (ten digits)");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"company\",\"cik\":\"00003201930\"}", 2, &result),
	    QUALITY_FAILED);
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"company\",\"cik\":\"0000320193\"}", 3, &result),
	    QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

/*
 * Simple anchored patterns are matched by a scan of their own, the
 * others by regexec.  Both must give what regexec gives for the POSIX
 * form of the pattern, on texts at the edges of each pattern.
 */
static const struct {
	const char *yaml;	/* as written in the rules, single-quoted */
	const char *posix;	/* the same for regcomp */
} patterns[] = {
	{ "^[0-9]{10}$", "^[0-9]{10}$" },
	{ "^\\d{4}-\\d{2}-\\d{2}$", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
	{ "^[A-Z0-9][A-Z0-9.-]*$", "^[A-Z0-9][A-Z0-9.-]*$" },
	{ "^[A-Za-z0-9.^=_-]{1,32}$", "^[A-Za-z0-9.^=_-]{1,32}$" },
	{ "^[A-Za-z][A-Za-z0-9-]*:[A-Za-z_][A-Za-z0-9_.-]*$",
	  "^[A-Za-z][A-Za-z0-9-]*:[A-Za-z_][A-Za-z0-9_.-]*$" },
	{ "^[0-9]{3,4}$", "^[0-9]{3,4}$" },
	{ "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}",
	  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}" },
	{ "^CY[0-9]{4}(Q[1-4]I?)?$", "^CY[0-9]{4}(Q[1-4]I?)?$" },
	{ "^a*a$", "^a*a$" },
	{ "^[0-9]+x?$", "^[0-9]+x?$" },
	{ "^ab?c\\.$", "^ab?c\\.$" },
	{ "^[a-c]{2,}$", "^[a-c]{2,}$" },
	{ "[0-9]$", "[0-9]$" },
};

static const struct {
	const char *json;	/* the text as a JSON string */
	const char *text;	/* the text itself */
} texts[] = {
	{ "", "" }, { "0000320193", "0000320193" },
	{ "000032019", "000032019" }, { "00003201930", "00003201930" },
	{ "0000320193\\n", "0000320193\n" }, { "2024-01-31", "2024-01-31" },
	{ "2024-1-31", "2024-1-31" }, { "AAPL", "AAPL" }, { "BRK.B", "BRK.B" },
	{ "-A", "-A" }, { "^GSPC", "^GSPC" }, { "us-gaap:Revenues",
	"us-gaap:Revenues" }, { "us-gaap:", "us-gaap:" }, { ":x", ":x" },
	{ "dei:EntityCommonStockSharesOutstanding",
	"dei:EntityCommonStockSharesOutstanding" }, { "123", "123" },
	{ "12345", "12345" }, { "2024-01-31T10:00:00Z",
	"2024-01-31T10:00:00Z" }, { "CY2023", "CY2023" },
	{ "CY2023Q1I", "CY2023Q1I" }, { "CY2023Q5", "CY2023Q5" },
	{ "a", "a" }, { "aaa", "aaa" }, { "12x", "12x" }, { "12xx", "12xx" },
	{ "ac.", "ac." }, { "abc.", "abc." }, { "abbc.", "abbc." },
	{ "abc", "abc" }, { "cabba", "cabba" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" },
	{ "caf\\u00e9", "caf\xc3\xa9" }, { "x9", "x9" },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* Whether the record with code text broke rule p<index>. */
static bool
broke(struct quality_rules *rules, const struct quality_result *result,
    size_t index)
{
	char name[16];

	snprintf(name, sizeof name, "p%zu", index);
	for (size_t i = 0; i < result->count; i++)
		if (strcmp(rule_name(rules, &result->findings[i]), name) == 0)
			return true;
	return false;
}

START_TEST(patterns_match_as_regexec)
{
	char yaml[8192] = "kinds:\n  t:\n", json[256];
	regex_t posix[COUNT(patterns)];
	struct quality_rules *rules;
	struct quality_result result;
	size_t len = strlen(yaml);

	for (size_t i = 0; i < COUNT(patterns); i++) {
		len += (size_t)snprintf(yaml + len, sizeof yaml - len,
		    "    - name: p%zu\n      check: pattern\n"
		    "      member: code\n      pattern: '%s'\n", i,
		    patterns[i].yaml);
		ck_assert_int_eq(regcomp(&posix[i], patterns[i].posix,
		    REG_EXTENDED | REG_NOSUB), 0);
	}
	ck_assert_uint_lt(len, sizeof yaml);
	rules = load(yaml);

	for (size_t t = 0; t < COUNT(texts); t++) {
		snprintf(json, sizeof json, "{\"kind\":\"t\",\"code\":\"%s\"}",
		    texts[t].json);
		check_line(rules, json, t + 1, &result);
		for (size_t i = 0; i < COUNT(patterns); i++) {
			bool match = regexec(&posix[i], texts[t].text, 0, NULL,
			    0) == 0;

			ck_assert_msg(broke(rules, &result, i) == !match,
			    "pattern %s on \"%s\": regexec says %s",
			    patterns[i].yaml, texts[t].json,
			    match ? "match" : "no match");
		}
	}

	/* A few by hand, so that the test does not trust regexec alone. */
	check_line(rules, "{\"kind\":\"t\",\"code\":\"0000320193\"}", 1, &result);
	ck_assert(!broke(rules, &result, 0));
	ck_assert(broke(rules, &result, 1));
	check_line(rules, "{\"kind\":\"t\",\"code\":\"0000320193\\n\"}", 2,
	    &result);
	ck_assert(broke(rules, &result, 0));
	check_line(rules, "{\"kind\":\"t\",\"code\":\"us-gaap:Revenues\"}", 3,
	    &result);
	ck_assert(!broke(rules, &result, 4));
	check_line(rules, "{\"kind\":\"t\",\"code\":\"aaa\"}", 4, &result);
	ck_assert(!broke(rules, &result, 8));
	check_line(rules, "{\"kind\":\"t\",\"code\":\"a\"}", 5, &result);
	ck_assert(!broke(rules, &result, 8));
	ck_assert(broke(rules, &result, 11));

	for (size_t i = 0; i < COUNT(patterns); i++)
		regfree(&posix[i]);
	quality_free(rules);
}
END_TEST

START_TEST(enum_lists_allowed_values)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: period-type\n"
	    "      check: enum\n"
	    "      member: period_type\n"
	    "      values: [instant, annual]\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_type\":\"yearly\"}", 1, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "period_type \"yearly\" is not one of instant, annual");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_type\":\"annual\"}", 2, &result),
	    QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

START_TEST(vocabulary_read_beside_rules)
{
	struct quality_rules *rules = load(
	    "vocabulary: metrics.yaml\n"
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: vocabulary\n"
	    "      check: vocabulary\n"
	    "      member: metric\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"revenues\"}", 1, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "metric \"revenues\" is not in the vocabulary of metrics.yaml");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"shares_outstanding\"}", 2,
	    &result), QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

START_TEST(range_bounds_and_scope)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: nonnegative\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      minimum: 0\n"
	    "      where: {metric: revenue}\n"
	    "    - name: positive\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      exclusive_minimum: 0\n"
	    "      maximum: 1e12\n"
	    "      where: {metric: [shares_outstanding]}\n");
	struct quality_result result;
	struct quality_rule_info info;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"revenue\",\"value\":-5}", 1,
	    &result), QUALITY_FAILED);
	ck_assert_uint_eq(result.count, 1);
	ck_assert_str_eq(result.findings[0].reason,
	    "revenue value -5 is below the minimum 0");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"revenue\",\"value\":0}", 2,
	    &result), QUALITY_PASSED);
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"shares_outstanding\",\"value\":0}",
	    3, &result), QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "shares_outstanding value 0 is not greater than 0");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"shares_outstanding\","
	    "\"value\":2e12}", 4, &result), QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "shares_outstanding value 2000000000000 is above the maximum "
	    "1000000000000");
	/* Out of scope of both rules: a negative net income is normal. */
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"net_income\",\"value\":-5}", 5,
	    &result), QUALITY_PASSED);

	quality_rule_info(rules, 0, &info);
	ck_assert_uint_eq(info.checked, 2);
	ck_assert_uint_eq(info.failed, 1);
	ck_assert_uint_eq(info.example_count, 1);
	ck_assert_uint_eq(info.examples[0], 1);
	quality_rule_info(rules, 1, &info);
	ck_assert_uint_eq(info.checked, 2);
	ck_assert_uint_eq(info.failed, 2);
	quality_free(rules);
}
END_TEST

START_TEST(dates_valid_and_bounded)
{
	struct quality_rules *rules;
	struct quality_result result;

	setenv("CORPINTEL_TODAY", "2024-06-30", 1);
	rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: end\n"
	    "      check: date\n"
	    "      member: period_end\n"
	    "      earliest: 1993-01-01\n"
	    "      latest: today\n");
	unsetenv("CORPINTEL_TODAY");

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_end\":\"2023-02-29\"}", 1, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason, "period_end \"2023-02-29\" "
	    "is not a valid date in the form YYYY-MM-DD");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_end\":\"2024-07-01\"}", 2, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "period_end 2024-07-01 is in the future (today is 2024-06-30)");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_end\":\"1992-12-31\"}", 3, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason, "period_end 1992-12-31 is "
	    "before the earliest allowed date 1993-01-01");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_end\":\"2024-06-30\"}", 4, &result),
	    QUALITY_PASSED);
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_end\":\"1993-01-01\"}", 5, &result),
	    QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

START_TEST(date_order_strict_and_equal)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: order\n"
	    "      check: date-order\n"
	    "      earlier: period_start\n"
	    "      later: period_end\n"
	    "    - name: filed\n"
	    "      check: date-order\n"
	    "      earlier: period_end\n"
	    "      later: filed\n"
	    "      allow_equal: true\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_start\":\"2023-09-30\","
	    "\"period_end\":\"2023-09-30\",\"filed\":\"2023-09-29\"}", 1,
	    &result), QUALITY_FAILED);
	ck_assert_uint_eq(result.count, 2);
	ck_assert_str_eq(result.findings[0].reason,
	    "period_start 2023-09-30 is not before period_end 2023-09-30");
	ck_assert_str_eq(result.findings[1].reason,
	    "filed 2023-09-29 is before period_end 2023-09-30");
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"period_start\":null,"
	    "\"period_end\":\"2023-09-30\",\"filed\":\"2023-09-30\"}", 2,
	    &result), QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

START_TEST(duplicates_name_first_line)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: nonnegative\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      minimum: 0\n"
	    "    - name: duplicate\n"
	    "      check: unique\n"
	    "      key: [cik, period_end]\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"period_end\":\"2023-09-30\",\"value\":-1}", 1, &result),
	    QUALITY_FAILED);
	/* The first record was rejected, so this one is the first to pass. */
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"period_end\":\"2023-09-30\",\"value\":1}", 2, &result),
	    QUALITY_PASSED);
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"period_end\":\"2023-09-30\",\"value\":-2}", 3, &result),
	    QUALITY_FAILED);
	ck_assert_uint_eq(result.count, 2);
	ck_assert_str_eq(rule_name(rules, &result.findings[1]), "duplicate");
	ck_assert_str_eq(result.findings[1].reason, "duplicate key (cik 1, "
	    "period_end 2023-09-30): first seen on line 2");
	/* Keys that differ only in how members split do not collide. */
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"12\","
	    "\"period_end\":\"023-09-30\",\"value\":1}", 4, &result),
	    QUALITY_PASSED);
	/* Without the whole key there is nothing to compare. */
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"value\":1}", 5, &result), QUALITY_PASSED);
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"value\":1}", 6, &result), QUALITY_PASSED);
	quality_free(rules);
}
END_TEST

/* Parses json into record, which the caller reuses, and checks it. */
static enum quality_outcome
check_in(struct quality_rules *rules, struct qrec *record, const char *json,
    unsigned long line, struct quality_result *result)
{
	char why[256];

	ck_assert_msg(qrec_parse(record, json, strlen(json), why,
	    sizeof why) == RECORD_OK, "test record is not one: %s: %s", json,
	    why);
	return quality_check(rules, record, line, result);
}

/* One struct qrec for many lines, as validate-quality reads them: the
 * keys and fields of one line are reused for the next of its shape, and
 * must not be when the keys differ. */
START_TEST(shape_reused_only_when_same)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: nonnegative\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      minimum: 0\n"
	    "      where: {metric: revenue}\n"
	    "    - name: duplicate\n"
	    "      check: unique\n"
	    "      key: [cik, period_end]\n");
	struct quality_result result;
	struct qrec record;
	char why[256];
	const char *twice = "{\"kind\":\"metric\",\"cik\":\"1\","
	    "\"value\":1,\"value\":-1}";

	qrec_init(&record);
	ck_assert_int_eq(check_in(rules, &record, "{\"kind\":\"metric\","
	    "\"cik\":\"1\",\"metric\":\"revenue\",\"period_end\":"
	    "\"2023-09-30\",\"value\":5}", 1, &result), QUALITY_PASSED);
	ck_assert_int_eq(check_in(rules, &record, "{\"kind\":\"metric\","
	    "\"cik\":\"1\",\"metric\":\"revenue\",\"period_end\":"
	    "\"2023-12-31\",\"value\":-1}", 2, &result), QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "revenue value -1 is below the minimum 0");

	/* The same keys in another order. */
	ck_assert_int_eq(check_in(rules, &record, "{\"value\":-2,"
	    "\"period_end\":\"2024-03-31\",\"metric\":\"revenue\","
	    "\"cik\":\"1\",\"kind\":\"metric\"}", 3, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "revenue value -2 is below the minimum 0");

	/* A key written with an escape is the key it spells. */
	ck_assert_int_eq(check_in(rules, &record, "{\"value\":-3,"
	    "\"period_end\":\"2024-06-30\",\"m\\u0065tric\":\"revenue\","
	    "\"cik\":\"1\",\"kind\":\"metric\"}", 4, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "revenue value -3 is below the minimum 0");

	/* One key renamed: the rule reads no "value" here. */
	ck_assert_int_eq(check_in(rules, &record, "{\"amount\":-4,"
	    "\"period_end\":\"2024-09-30\",\"metric\":\"revenue\","
	    "\"cik\":\"1\",\"kind\":\"metric\"}", 5, &result),
	    QUALITY_PASSED);

	/* A record of the shape before, then a duplicate of line 1. */
	ck_assert_int_eq(check_in(rules, &record, "{\"amount\":-4,"
	    "\"period_end\":\"2024-12-31\",\"metric\":\"revenue\","
	    "\"cik\":\"1\",\"kind\":\"metric\"}", 6, &result),
	    QUALITY_PASSED);
	ck_assert_int_eq(check_in(rules, &record, "{\"kind\":\"metric\","
	    "\"cik\":\"1\",\"metric\":\"revenue\",\"period_end\":"
	    "\"2023-09-30\",\"value\":7}", 7, &result), QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason, "duplicate key (cik 1, "
	    "period_end 2023-09-30): first seen on line 1");

	/* A key given twice is found after a record without, and in the
	 * records of its shape after it. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(qrec_parse(&record, twice, strlen(twice), why,
		    sizeof why), RECORD_DUPLICATE_MEMBER);
	qrec_free(&record);
	quality_free(rules);
}
END_TEST

START_TEST(many_keys_kept)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: duplicate\n"
	    "      check: unique\n"
	    "      key: [cik]\n");
	struct quality_result result;
	char json[64];

	/* Enough keys to grow the table several times. */
	for (int i = 1; i <= 5000; i++) {
		snprintf(json, sizeof json, "{\"kind\":\"metric\",\"cik\":\"%d\"}",
		    i);
		ck_assert_int_eq(check_line(rules, json, (unsigned long)i,
		    &result), QUALITY_PASSED);
	}
	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"cik\":\"4321\"}", 5001, &result),
	    QUALITY_FAILED);
	ck_assert_str_eq(result.findings[0].reason,
	    "duplicate key (cik 4321): first seen on line 4321");
	quality_free(rules);
}
END_TEST

/* Builds {"kind":"metric","cik":"<length times letter>"}. */
static char *
record_with_cik(char letter, size_t length)
{
	const char *head = "{\"kind\":\"metric\",\"cik\":\"", *tail = "\"}";
	char *json = malloc(strlen(head) + length + strlen(tail) + 1);

	ck_assert_ptr_nonnull(json);
	strcpy(json, head);
	memset(json + strlen(head), letter, length);
	strcpy(json + strlen(head) + length, tail);
	return json;
}

START_TEST(keys_longer_than_a_block)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: duplicate\n"
	    "      check: unique\n"
	    "      key: [cik]\n");
	struct quality_result result;
	/* Keys are kept in blocks of up to 2 MiB: a 3 MiB key needs a
	 * block of its own, and the keys after it a new one. */
	size_t lengths[] = { 3 << 20, 1, (3 << 20) / 2, 5 };
	char letters[] = { 'a', 'b', 'c', 'd' };
	char *json[4];

	for (size_t i = 0; i < 4; i++) {
		json[i] = record_with_cik(letters[i], lengths[i]);
		ck_assert_int_eq(check_line(rules, json[i], i + 1, &result),
		    QUALITY_PASSED);
	}
	for (size_t i = 0; i < 4; i++) {
		char first[40];

		ck_assert_int_eq(check_line(rules, json[i], i + 10, &result),
		    QUALITY_FAILED);
		snprintf(first, sizeof first, "first seen on line %zu", i + 1);
		ck_assert_msg(strstr(result.findings[0].reason, first) != NULL,
		    "reason: %.100s", result.findings[0].reason);
	}

	/* Keys that share a prefix with a kept one are new keys. */
	for (size_t i = 0; i < 4; i++) {
		char *longer = record_with_cik(letters[i], lengths[i] + 1);

		ck_assert_int_eq(check_line(rules, longer, i + 20, &result),
		    QUALITY_PASSED);
		free(longer);
		free(json[i]);
	}
	quality_free(rules);
}
END_TEST

struct late_failures {
	unsigned long count;
	unsigned long last_line;
	bool in_order;
};

static void
collect_late(void *arg, unsigned long line, size_t rule,
    enum quality_severity severity, const char *reason)
{
	struct late_failures *late = arg;

	(void)rule;
	(void)severity;
	ck_assert_ptr_nonnull(strstr(reason, "is not"));
	if (line <= late->last_line)
		late->in_order = false;
	late->last_line = line;
	late->count++;
}

START_TEST(identity_groups_in_input_order)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: sum\n"
	    "      check: identity\n"
	    "      severity: warn\n"
	    "      total: total\n"
	    "      plus: [part]\n"
	    "      key: [cik]\n");
	struct quality_result result;
	struct late_failures late = { 0, 0, true };
	char json[128];
	unsigned long line = 0;

	/* Enough groups to fill several blocks of the key set.  Each has a
	 * total of 2 and one part of 1, so each identity fails, reported
	 * on the line of its total. */
	for (int i = 1; i <= 40000; i++) {
		snprintf(json, sizeof json, "{\"kind\":\"metric\",\"cik\":\"%d\","
		    "\"metric\":\"total\",\"value\":2}", i);
		ck_assert_int_eq(check_line(rules, json, ++line, &result),
		    QUALITY_PASSED);
		snprintf(json, sizeof json, "{\"kind\":\"metric\",\"cik\":\"%d\","
		    "\"metric\":\"part\",\"value\":1}", i);
		ck_assert_int_eq(check_line(rules, json, ++line, &result),
		    QUALITY_PASSED);
	}
	/* A group with the part only is not complete, so not checked. */
	ck_assert_int_eq(check_line(rules, "{\"kind\":\"metric\",\"cik\":\"x\","
	    "\"metric\":\"part\",\"value\":1}", ++line, &result),
	    QUALITY_PASSED);

	ck_assert_uint_eq(quality_finish(rules, collect_late, &late), 40000);
	ck_assert_uint_eq(late.count, 40000);
	ck_assert_msg(late.in_order, "failures out of input order");
	ck_assert_uint_eq(late.last_line, 79999);
	quality_free(rules);
}
END_TEST

START_TEST(warn_passes_and_disabled_skips)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: plausible\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      maximum: 1\n"
	    "      severity: warn\n"
	    "    - name: off\n"
	    "      check: required\n"
	    "      members: [unit]\n"
	    "      enabled: false\n");
	struct quality_result result;
	struct quality_rule_info info;

	ck_assert_int_eq(check_line(rules,
	    "{\"kind\":\"metric\",\"metric\":\"net_margin\",\"value\":3.5}", 1,
	    &result), QUALITY_WARNED);
	ck_assert_uint_eq(result.errors, 0);
	ck_assert_uint_eq(result.warnings, 1);
	ck_assert_int_eq(result.findings[0].severity, QUALITY_WARN);
	ck_assert_str_eq(result.findings[0].reason,
	    "net_margin value 3.5 is above the maximum 1");
	quality_rule_info(rules, 0, &info);
	ck_assert_uint_eq(info.failed, 1);
	quality_rule_info(rules, 1, &info);
	ck_assert_uint_eq(info.checked, 0);
	quality_free(rules);
}
END_TEST

START_TEST(unknown_kind_unchecked)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: req\n"
	    "      check: required\n"
	    "      members: [value]\n");
	struct quality_result result;

	ck_assert_int_eq(check_line(rules, "{\"kind\":\"sec_fact\"}", 1,
	    &result), QUALITY_UNCHECKED);
	ck_assert_uint_eq(result.count, 0);
	quality_free(rules);
}
END_TEST

START_TEST(examples_capped)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: req\n"
	    "      check: required\n"
	    "      members: [value]\n");
	struct quality_result result;
	struct quality_rule_info info;

	for (unsigned long line = 10; line < 15; line++)
		check_line(rules, "{\"kind\":\"metric\"}", line, &result);
	quality_rule_info(rules, 0, &info);
	ck_assert_uint_eq(info.checked, 5);
	ck_assert_uint_eq(info.failed, 5);
	ck_assert_uint_eq(info.example_count, QUALITY_EXAMPLES_MAX);
	ck_assert_uint_eq(info.examples[0], 10);
	ck_assert_uint_eq(info.examples[2], 12);
	quality_free(rules);
}
END_TEST

START_TEST(long_values_shortened)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: period-type\n"
	    "      check: enum\n"
	    "      member: period_type\n"
	    "      values: [annual]\n");
	struct quality_result result;
	char json[600];

	/* 200 two-byte characters: the cut must not split one. */
	strcpy(json, "{\"kind\":\"metric\",\"period_type\":\"");
	for (int i = 0; i < 200; i++)
		strcat(json, "\xc3\xa9");
	strcat(json, "\"}");
	ck_assert_int_eq(check_line(rules, json, 1, &result), QUALITY_FAILED);
	ck_assert_msg(strlen(result.findings[0].reason) < 200, "reason: %s",
	    result.findings[0].reason);
	ck_assert_ptr_nonnull(strstr(result.findings[0].reason, "\xc3\xa9..."));
	quality_free(rules);
}
END_TEST

START_TEST(long_keys_stay_utf8)
{
	struct quality_rules *rules = load(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: nonnegative\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      minimum: 0\n"
	    "    - name: duplicate\n"
	    "      check: unique\n"
	    "      key: [cik, metric, unit, source]\n");
	struct quality_result result;
	const char *reason;
	char json[3000], name[700] = "";

	/* Three-byte characters, so a cut at any byte count but a multiple
	 * of three would split one. */
	for (int i = 0; i < 200; i++)
		strcat(name, "\xe2\x82\xac");
	snprintf(json, sizeof json, "{\"kind\":\"metric\",\"cik\":\"%s\","
	    "\"metric\":\"%s\",\"unit\":\"%s\",\"source\":\"%s\",\"value\":1}",
	    name, name, name, name);
	ck_assert_int_eq(check_line(rules, json, 1, &result), QUALITY_PASSED);
	ck_assert_int_eq(check_line(rules, json, 2, &result), QUALITY_FAILED);
	reason = result.findings[0].reason;
	ck_assert_msg(utf8_valid(reason, strlen(reason), NULL), "reason: %s",
	    reason);
	ck_assert_ptr_nonnull(strstr(reason, "duplicate key (cik "));

	snprintf(json, sizeof json, "{\"kind\":\"metric\",\"metric\":\"%s\","
	    "\"value\":-1}", name);
	ck_assert_int_eq(check_line(rules, json, 3, &result), QUALITY_FAILED);
	reason = result.findings[0].reason;
	ck_assert_msg(utf8_valid(reason, strlen(reason), NULL), "reason: %s",
	    reason);
	ck_assert_ptr_nonnull(strstr(reason, "... value -1 is below the minimum 0"));
	quality_free(rules);
}
END_TEST

START_TEST(load_errors_name_line)
{
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: sometimes\n"), ":4: unknown check \"sometimes\""));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: required\n"
	    "      members: [a]\n"
	    "      severty: warn\n"), ":6: unknown key \"severty\""));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: required\n"
	    "      members: [a]\n"
	    "      severity: fatal\n"), "severity must be error or warn"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: pattern\n"
	    "      member: cik\n"
	    "      pattern: \"([0-9\"\n"), ":6: rule x: invalid pattern"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: required\n"
	    "      members: [a]\n"
	    "    - name: x\n"
	    "      check: required\n"
	    "      members: [b]\n"), "rule x is defined twice"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: vocabulary\n"
	    "      member: metric\n"), "without a top-level \"vocabulary\""));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "vocabulary: absent.yaml\n"
	    "kinds: {}\n"), "absent.yaml"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: range\n"
	    "      member: value\n"), "needs a minimum or a maximum"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: range\n"
	    "      member: value\n"
	    "      minimum: 0\n"
	    "      exclusive_minimum: 0\n"), "not both"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: x\n"
	    "      check: date\n"
	    "      member: period_end\n"
	    "      earliest: 1993-02-30\n"), "earliest must be a date"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "version: 2\n"
	    "kinds: {}\n"), ":1: unsupported version"));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "rules: []\n"), "unknown top-level key \"rules\""));
	ck_assert_ptr_nonnull(strstr(load_error(
	    "kinds:\n"
	    "  metric:\n"
	    "    - name: has space\n"
	    "      check: required\n"
	    "      members: [a]\n"), "needs a \"name\""));
}
END_TEST

static Suite *
quality_suite(void)
{
	Suite *s = suite_create("quality");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, make_folder, remove_folder);
	tcase_add_test(tc, rules_loaded_in_order);
	tcase_add_test(tc, required_names_missing_and_null);
	tcase_add_test(tc, types_checked_and_null_allowed);
	tcase_add_test(tc, pattern_reason_has_hint);
	tcase_add_test(tc, patterns_match_as_regexec);
	tcase_add_test(tc, enum_lists_allowed_values);
	tcase_add_test(tc, vocabulary_read_beside_rules);
	tcase_add_test(tc, range_bounds_and_scope);
	tcase_add_test(tc, dates_valid_and_bounded);
	tcase_add_test(tc, date_order_strict_and_equal);
	tcase_add_test(tc, duplicates_name_first_line);
	tcase_add_test(tc, keys_longer_than_a_block);
	tcase_add_test(tc, identity_groups_in_input_order);
	tcase_add_test(tc, shape_reused_only_when_same);
	tcase_add_test(tc, many_keys_kept);
	tcase_add_test(tc, warn_passes_and_disabled_skips);
	tcase_add_test(tc, unknown_kind_unchecked);
	tcase_add_test(tc, examples_capped);
	tcase_add_test(tc, long_values_shortened);
	tcase_add_test(tc, long_keys_stay_utf8);
	tcase_add_test(tc, load_errors_name_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *runner = srunner_create(quality_suite());
	int failed;

	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
