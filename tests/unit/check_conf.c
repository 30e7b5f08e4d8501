#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "reject.h"

/* Writes text to a new temporary file and returns its path. */
static char *
temp_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/check_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(mapping_tree_loaded)
{
	char *path = temp_file(
	    "vocabulary: metrics.yaml\n"
	    "rules:\n"
	    "  - name: revenue-min\n"
	    "    min: 0\n"
	    "    enabled: false\n"
	    "  - name: shares\n"
	    "    min: 0.5\n");
	char error[256] = "";
	struct conf_node *root = conf_load_file(path, error, sizeof error);
	const struct conf_node *rules, *first;
	double min;
	bool enabled = true;

	ck_assert_msg(root != NULL, "%s", error);
	ck_assert_str_eq(conf_map_scalar(root, "vocabulary"), "metrics.yaml");
	rules = conf_map_get(root, "rules");
	ck_assert_ptr_nonnull(rules);
	ck_assert_int_eq(rules->type, CONF_NODE_SEQUENCE);
	ck_assert_uint_eq(rules->count, 2);
	first = rules->items[0];
	ck_assert_str_eq(conf_map_scalar(first, "name"), "revenue-min");
	ck_assert_uint_eq(first->line, 3);
	ck_assert(conf_scalar_bool(conf_map_get(first, "enabled"), &enabled));
	ck_assert(!enabled);
	ck_assert(conf_scalar_double(conf_map_get(rules->items[1], "min"), &min));
	ck_assert(min == 0.5);
	ck_assert_ptr_null(conf_map_get(root, "absent"));
	conf_node_free(root);
	unlink(path);
}
END_TEST

START_TEST(syntax_error_names_line)
{
	char *path = temp_file("a: 1\nb: [unclosed\nc: 3\n");
	char error[256] = "";
	struct conf_node *root = conf_load_file(path, error, sizeof error);

	ck_assert_ptr_null(root);
	ck_assert_msg(strstr(error, path) != NULL, "%s", error);
	ck_assert_msg(strstr(error, ":3:") != NULL || strstr(error, ":4:") != NULL,
	    "%s", error);
	unlink(path);
}
END_TEST

START_TEST(missing_file_reported)
{
	char error[256] = "";

	ck_assert_ptr_null(conf_load_file("/nonexistent/rules.yaml", error,
	    sizeof error));
	ck_assert_msg(strstr(error, "No such file") != NULL, "%s", error);
}
END_TEST

START_TEST(bad_scalars_refused)
{
	char *path = temp_file("n: 12x\nb: maybe\nx: nan\n");
	char error[256] = "";
	struct conf_node *root = conf_load_file(path, error, sizeof error);
	double d;
	long l;
	bool b;

	ck_assert_ptr_nonnull(root);
	ck_assert(!conf_scalar_long(conf_map_get(root, "n"), &l));
	ck_assert(!conf_scalar_double(conf_map_get(root, "n"), &d));
	ck_assert(!conf_scalar_bool(conf_map_get(root, "b"), &b));
	ck_assert(!conf_scalar_double(conf_map_get(root, "x"), &d));
	conf_node_free(root);
	unlink(path);
}
END_TEST

/* A reject carries every broken rule and the input as valid JSON, even
 * when the input itself is not valid UTF-8. */
START_TEST(reject_lines_written)
{
	char path[] = "/tmp/check_reject.XXXXXX";
	int fd = mkstemp(path);
	struct reject_stream *rs;
	char text[1024];
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	close(fd);
	rs = reject_open(path);
	ck_assert_ptr_nonnull(rs);
	reject_begin(rs, 7, "{\"kind\":\"metric\"}", 17);
	reject_add(rs, "required", "missing member \"%s\"", "cik");
	reject_add(rs, "range", "value %d is below the minimum 0", -5);
	ck_assert_int_eq(reject_end(rs), 0);
	reject_one(rs, 9, "bad \xff byte", 10, "utf8", "invalid UTF-8 at byte 5");
	ck_assert_uint_eq(reject_count(rs), 2);
	ck_assert_int_eq(reject_close(rs), 0);

	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	ck_assert_str_eq(text,
	    "{\"kind\":\"reject\",\"tool\":\"corpintel\",\"line\":7,"
	    "\"file\":null,\"file_line\":7,\"errors\":["
	    "{\"rule\":\"required\",\"reason\":\"missing member \\\"cik\\\"\"},"
	    "{\"rule\":\"range\",\"reason\":\"value -5 is below the minimum 0\"}],"
	    "\"input\":\"{\\\"kind\\\":\\\"metric\\\"}\"}\n");
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	ck_assert_msg(strstr(text, "\"input\":\"bad \xef\xbf\xbd byte\"") != NULL,
	    "%s", text);
	fclose(fp);
	unlink(path);
}
END_TEST

/* Rejects name the file of their line and the line in it, with the line
 * numbers of the whole input continuing across files. */
START_TEST(reject_names_file)
{
	char *path = strdup(temp_file(""));
	struct reject_stream *rs = reject_open(path);
	char text[512];
	FILE *fp;

	ck_assert_ptr_nonnull(rs);
	ck_assert_int_eq(reject_add_file(rs, "first.ndjson", 0), 0);
	ck_assert_int_eq(reject_add_file(rs, "-", 3), 0);
	ck_assert_int_eq(reject_add_file(rs, "third.ndjson", 5), 0);
	reject_one(rs, 2, "a", 1, "json", "invalid JSON");
	reject_one(rs, 4, "b", 1, "json", "invalid JSON");
	reject_one(rs, 9, "c", 1, "json", "invalid JSON");
	ck_assert_int_eq(reject_close(rs), 0);

	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	ck_assert_msg(strstr(text, "\"line\":2,\"file\":\"first.ndjson\","
	    "\"file_line\":2,") != NULL, "%s", text);
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	ck_assert_msg(strstr(text, "\"line\":4,\"file\":null,"
	    "\"file_line\":1,") != NULL, "%s", text);
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	ck_assert_msg(strstr(text, "\"line\":9,\"file\":\"third.ndjson\","
	    "\"file_line\":4,") != NULL, "%s", text);
	fclose(fp);
	unlink(path);
	free(path);
}
END_TEST

static bool
three_letters(const char *text)
{
	return strlen(text) == 3;
}

/* Loads text as a config file and applies its "tool" section. */
static int
apply_text(const char *text, struct conf_option *options, size_t count)
{
	char *path = temp_file(text);
	char error[256] = "";
	struct conf_node *root = conf_load_file(path, error, sizeof error);
	static struct conf_node *previous_root;
	int status;

	ck_assert_msg(root != NULL, "%s", error);
	status = conf_apply_options(root, path, "tool", options, count);
	unlink(path);
	/* The text values point into the tree, so it lives until the next
	 * call. */
	conf_node_free(previous_root);
	previous_root = root;
	return status;
}

START_TEST(config_options_applied)
{
	const char *rejects = NULL, *currency = "USD";
	double ratio = 0;
	size_t bytes = 100;
	bool flag = false;
	struct conf_option options[] = {
		{ "rejects", CONF_OPTION_TEXT, &rejects, false, NULL },
		{ "ratio", CONF_OPTION_RATIO, &ratio, false, NULL },
		{ "bytes", CONF_OPTION_BYTES, &bytes, true, NULL },
		{ "flag", CONF_OPTION_FLAG, &flag, false, NULL },
		{ "currency", CONF_OPTION_TEXT, &currency, false, three_letters },
	};
	size_t n = sizeof options / sizeof options[0];

	ck_assert_int_eq(apply_text("other:\n  x: 1\n", options, n), 0);
	ck_assert_ptr_null(rejects);

	ck_assert_int_eq(apply_text("tool:\n  rejects: bad.ndjson\n"
	    "  ratio: 0.25\n  bytes: 4096\n  flag: yes\n  currency: EUR\n",
	    options, n), 0);
	ck_assert_str_eq(rejects, "bad.ndjson");
	ck_assert_double_eq(ratio, 0.25);
	ck_assert_uint_eq(bytes, 100);	/* given on the command line */
	ck_assert(flag);
	ck_assert_str_eq(currency, "EUR");

	ck_assert_int_eq(apply_text("tool:\n  ratio: 1.5\n", options, n), -1);
	ck_assert_int_eq(apply_text("tool:\n  currency: EURO\n", options, n),
	    -1);
	ck_assert_int_eq(apply_text("tool:\n  rejects: \"\"\n", options, n),
	    -1);
	ck_assert_int_eq(apply_text("tool:\n  flag: maybe\n", options, n), -1);
	ck_assert_int_eq(apply_text("tool:\n  unknown: 1\n", options, n), -1);
	ck_assert_int_eq(apply_text("tool: [1, 2]\n", options, n), -1);
	ck_assert_double_eq(ratio, 0.25);
	ck_assert(flag);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("yaml and rejects");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, mapping_tree_loaded);
	tcase_add_test(tc, syntax_error_names_line);
	tcase_add_test(tc, missing_file_reported);
	tcase_add_test(tc, bad_scalars_refused);
	tcase_add_test(tc, reject_lines_written);
	tcase_add_test(tc, reject_names_file);
	tcase_add_test(tc, config_options_applied);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
