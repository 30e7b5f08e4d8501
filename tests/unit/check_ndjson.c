#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndjson.h"

/* A reader over an in-memory copy of text, so each case states its input. */
static struct ndjson_reader *
reader_for(const char *text, size_t max_line, FILE **fp)
{
	*fp = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(*fp);
	return ndjson_open(*fp, max_line);
}

START_TEST(lines_split_on_newline)
{
	FILE *fp;
	struct ndjson_reader *r = reader_for("{\"a\":1}\n{\"b\":2}\n", 0, &fp);
	char *line;
	size_t len;

	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "{\"a\":1}");
	ck_assert_uint_eq(len, 7);
	ck_assert_uint_eq(ndjson_line_number(r), 1);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "{\"b\":2}");
	ck_assert_uint_eq(ndjson_line_number(r), 2);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_EOF);
	ndjson_close(r);
	fclose(fp);
}
END_TEST

START_TEST(last_line_without_newline)
{
	FILE *fp;
	struct ndjson_reader *r = reader_for("one\ntwo", 0, &fp);
	char *line;
	size_t len;

	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "two");
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_EOF);
	ndjson_close(r);
	fclose(fp);
}
END_TEST

START_TEST(empty_lines_and_crlf)
{
	FILE *fp;
	struct ndjson_reader *r = reader_for("\n\r\nx\r\n", 0, &fp);
	char *line;
	size_t len;

	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "x");
	ck_assert_uint_eq(ndjson_line_number(r), 3);
	ndjson_close(r);
	fclose(fp);
}
END_TEST

START_TEST(overlong_line_skipped_whole)
{
	FILE *fp;
	struct ndjson_reader *r = reader_for("short\n0123456789abcdef\nnext\n", 8, &fp);
	char *line;
	size_t len;

	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "short");
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_TOO_LONG);
	ck_assert_uint_eq(ndjson_line_number(r), 2);
	/* The start kept for the reject is the line's own, without the
	 * next line's bytes. */
	ck_assert_str_eq(line, "0123456789abcdef");
	ck_assert_uint_eq(len, 16);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_str_eq(line, "next");
	ck_assert_uint_eq(ndjson_line_number(r), 3);
	ndjson_close(r);
	fclose(fp);
}
END_TEST

START_TEST(line_at_limit_accepted)
{
	FILE *fp;
	struct ndjson_reader *r = reader_for("12345678\n", 8, &fp);
	char *line;
	size_t len;

	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_uint_eq(len, 8);
	ndjson_close(r);
	fclose(fp);
}
END_TEST

/* Lines longer than the reader's first buffer make it grow, and a final
 * overlong line without a newline is still reported. */
START_TEST(long_lines_cross_buffer)
{
	size_t big = 200 * 1024;
	char *text = malloc(2 * big + 8);
	FILE *fp;
	struct ndjson_reader *r;
	char *line;
	size_t len;

	memset(text, 'a', big);
	text[big] = '\n';
	memset(text + big + 1, 'b', big);
	text[2 * big + 1] = '\0';
	r = reader_for(text, big, &fp);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_uint_eq(len, big);
	ck_assert_int_eq(line[big - 1], 'a');
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_LINE);
	ck_assert_uint_eq(len, big);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_EOF);
	ndjson_close(r);
	fclose(fp);

	r = reader_for(text + big + 1, 1000, &fp);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_TOO_LONG);
	ck_assert_int_eq(ndjson_next(r, &line, &len), NDJSON_EOF);
	ndjson_close(r);
	fclose(fp);
	free(text);
}
END_TEST

static Suite *
ndjson_suite(void)
{
	Suite *s = suite_create("ndjson");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, lines_split_on_newline);
	tcase_add_test(tc, last_line_without_newline);
	tcase_add_test(tc, empty_lines_and_crlf);
	tcase_add_test(tc, overlong_line_skipped_whole);
	tcase_add_test(tc, line_at_limit_accepted);
	tcase_add_test(tc, long_lines_cross_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ndjson_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
