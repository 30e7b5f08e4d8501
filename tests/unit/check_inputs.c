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

/* What the line functions saw: each line as "NUMBER:TEXT", or as
 * "NUMBER:too long (BYTES KEPT)", one per row. */
struct seen {
	char rows[16][64];
	int count;
	int stop_after;		/* 0: never stop */
};

static bool
remember(void *arg, unsigned long line, char *text, size_t len)
{
	struct seen *seen = arg;

	ck_assert_int_lt(seen->count, 16);
	snprintf(seen->rows[seen->count], 64, "%lu:%.*s", line, (int)len, text);
	seen->count++;
	return seen->stop_after == 0 || seen->count < seen->stop_after;
}

static bool
remember_long(void *arg, unsigned long line, char *text, size_t len)
{
	struct seen *seen = arg;

	(void)text;
	ck_assert_int_lt(seen->count, 16);
	snprintf(seen->rows[seen->count], 64, "%lu:too long (%zu)", line, len);
	seen->count++;
	return true;
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

	/* Without a long_line function, the long line is rejected here. */
	ck_assert_int_eq(inputs_read(&in, remember, &seen), EXIT_OK);
	ck_assert_int_eq(seen.count, 4);
	ck_assert_str_eq(seen.rows[0], "1:a");
	ck_assert_str_eq(seen.rows[1], "2:b");
	ck_assert_str_eq(seen.rows[2], "3:c");
	ck_assert_str_eq(seen.rows[3], "5:e");
	ck_assert_uint_eq(in.lines, 5);
	ck_assert_uint_eq(in.too_long, 1);
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

START_TEST(long_line_to_its_function)
{
	char path[64];
	char *paths[] = { path };
	struct seen seen = { .count = 0 };
	struct inputs in = { .paths = paths, .count = 1, .max_line = 4,
	    .long_line = remember_long };

	temp_file(path, "abcdefgh\nx\n");
	ck_assert_int_eq(inputs_read(&in, remember, &seen), EXIT_OK);
	ck_assert_int_eq(seen.count, 2);
	ck_assert_str_eq(seen.rows[0], "1:too long (8)");
	ck_assert_str_eq(seen.rows[1], "2:x");
	ck_assert_uint_eq(in.too_long, 0);
	unlink(path);
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
	tcase_add_test(tc, long_line_to_its_function);
	tcase_add_test(tc, missing_file_left_out);
	tcase_add_test(tc, line_function_stops_reading);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
