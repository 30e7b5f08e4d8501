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
	    "{\"kind\":\"reject\",\"tool\":\"corpintel\",\"line\":7,\"errors\":["
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
