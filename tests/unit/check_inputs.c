#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "inputs.h"

/* Writes text to a new temporary file; path must hold 64 bytes. */
static void
temp_file(char *path, const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/check_inputs.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* What the line function saw: each line as "NUMBER:TEXT" or
 * "NUMBER:too long", one per row. */
struct seen {
	char rows[16][64];
	int count;
	int stop_after;		/* 0: never stop */
};

static bool
remember(void *arg, unsigned long line, enum ndjson_status status,
    char *text, size_t len)
{
	struct seen *seen = arg;

	ck_assert_int_lt(seen->count, 16);
	if (status == NDJSON_TOO_LONG)
		snprintf(seen->rows[seen->count], 64, "%lu:too long", line);
	else
		snprintf(seen->rows[seen->count], 64, "%lu:%.*s", line,
		    (int)len, text);
	seen->count++;
	return seen->stop_after == 0 || seen->count < seen->stop_after;
}

START_TEST(lines_continue_across_files)
{
	char first[64], second[64], rejects[64];
	char *paths[] = { first, second };
	struct seen seen = { .count = 0 };
	struct inputs in = { .paths = paths, .count = 2, .max_line = 8 };
	char text[512];
	FILE *fp;

	temp_file(first, "a\nb\n");
	temp_file(second, "c\n0123456789\ne");
	temp_file(rejects, "");
	in.rejects = reject_open(rejects);
	ck_assert_ptr_nonnull(in.rejects);

	ck_assert_int_eq(inputs_read(&in, remember, &seen), EXIT_OK);
	ck_assert_int_eq(seen.count, 5);
	ck_assert_str_eq(seen.rows[0], "1:a");
	ck_assert_str_eq(seen.rows[1], "2:b");
	ck_assert_str_eq(seen.rows[2], "3:c");
	ck_assert_str_eq(seen.rows[3], "4:too long");
	ck_assert_str_eq(seen.rows[4], "5:e");
	ck_assert_uint_eq(in.lines, 5);

	/* Line 4 of the whole input is line 2 of the second file. */
	inputs_reject_long(in.rejects, 4, "01234567", 8, in.max_line);
	ck_assert_int_eq(reject_close(in.rejects), 0);
	fp = fopen(rejects, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(text, sizeof text, fp));
	fclose(fp);
	ck_assert_msg(strstr(text, "\"line\":4,") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"file_line\":2,") != NULL, "%s", text);
	ck_assert_msg(strstr(text, second) != NULL, "%s", text);
	ck_assert_msg(strstr(text, "line longer than 8 bytes (raise "
	    "--max-line-bytes if such lines are expected)") != NULL, "%s", text);
	unlink(first);
	unlink(second);
	unlink(rejects);
}
END_TEST

START_TEST(missing_file_left_out)
{
	char present[64];
	char absent[] = "/tmp/check_inputs.absent.ndjson";
	char *paths[] = { absent, present };
	struct seen seen = { .count = 0 };
	struct inputs in = { .paths = paths, .count = 2, .max_line = 64 };

	temp_file(present, "x\n");
	unlink(absent);
	ck_assert_int_eq(inputs_check(paths, 2), EXIT_NOINPUT);
	ck_assert_int_eq(inputs_check(paths + 1, 1), EXIT_OK);
	ck_assert_int_eq(inputs_read(&in, remember, &seen), EXIT_NOINPUT);
	ck_assert_int_eq(seen.count, 1);
	ck_assert_str_eq(seen.rows[0], "1:x");
	unlink(present);
}
END_TEST

START_TEST(line_function_stops_reading)
{
	char first[64], second[64];
	char *paths[] = { first, second };
	struct seen seen = { .count = 0, .stop_after = 2 };
	struct inputs in = { .paths = paths, .count = 2, .max_line = 64 };

	temp_file(first, "a\nb\nc\n");
	temp_file(second, "d\n");
	ck_assert_int_eq(inputs_read(&in, remember, &seen), EXIT_OK);
	ck_assert_int_eq(seen.count, 2);
	ck_assert_str_eq(seen.rows[1], "2:b");
	unlink(first);
	unlink(second);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("inputs");
	TCase *tc = tcase_create("files in turn");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, lines_continue_across_files);
	tcase_add_test(tc, missing_file_left_out);
	tcase_add_test(tc, line_function_stops_reading);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
