#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

static char *
copy_text(struct pg_copy *c)
{
	char *text = malloc(c->len + 1);

	memcpy(text, c->buf, c->len);
	text[c->len] = '\0';
	return text;
}

/* COPY's text format: tab between fields, \N for NULL, and a backslash
 * before the backslash, tab, newline and carriage return. */
START_TEST(copy_escapes_separators)
{
	struct pg_copy c = { 0 };
	char *text;

	pg_copy_field(&c, "a\tb");
	pg_copy_field(&c, NULL);
	pg_copy_field(&c, "back\\slash");
	pg_copy_field(&c, "two\nlines\r");
	pg_copy_end_row(&c);
	text = copy_text(&c);
	ck_assert_str_eq(text, "a\\tb\t\\N\tback\\\\slash\ttwo\\nlines\\r\n");
	ck_assert_uint_eq(c.rows, 1);
	free(text);
	pg_copy_free(&c);
}
END_TEST

/* "\N" as data must not read back as NULL: its backslash is doubled. */
START_TEST(copy_keeps_literal_null_marker)
{
	struct pg_copy c = { 0 };
	char *text;

	pg_copy_field(&c, "\\N");
	pg_copy_field(&c, "");
	pg_copy_end_row(&c);
	pg_copy_field(&c, "Zürich");
	pg_copy_end_row(&c);
	text = copy_text(&c);
	ck_assert_str_eq(text, "\\\\N\t\nZürich\n");
	ck_assert_uint_eq(c.rows, 2);
	free(text);
	pg_copy_free(&c);
}
END_TEST

START_TEST(copy_reset_empties)
{
	struct pg_copy c = { 0 };

	pg_copy_field(&c, "x");
	pg_copy_end_row(&c);
	pg_copy_reset(&c);
	ck_assert_uint_eq(c.len, 0);
	ck_assert_uint_eq(c.rows, 0);
	pg_copy_field(&c, "y");
	pg_copy_end_row(&c);
	ck_assert_uint_eq(c.len, 2);
	ck_assert(memcmp(c.buf, "y\n", 2) == 0);
	pg_copy_free(&c);
}
END_TEST

START_TEST(mask_uri_password)
{
	char out[256];

	pg_mask_dsn("postgresql://loader:s3cret@db.example:5432/corp", out,
	    sizeof out);
	ck_assert_str_eq(out, "postgresql://loader:***@db.example:5432/corp");
	pg_mask_dsn("postgres://loader@db/corp?sslmode=require&password=s3cret",
	    out, sizeof out);
	ck_assert_str_eq(out,
	    "postgres://loader@db/corp?sslmode=require&password=***");
	pg_mask_dsn("postgresql:///corp?host=/tmp/pg", out, sizeof out);
	ck_assert_str_eq(out, "postgresql:///corp?host=/tmp/pg");
}
END_TEST

START_TEST(mask_keyword_password)
{
	char out[256];

	pg_mask_dsn("host=/tmp/pg password=s3cret dbname=corp", out, sizeof out);
	ck_assert_str_eq(out, "host=/tmp/pg password=*** dbname=corp");
	pg_mask_dsn("password = 'with \\' quote' user=a", out, sizeof out);
	ck_assert_str_eq(out, "password = *** user=a");
	pg_mask_dsn("dbname=corp", out, sizeof out);
	ck_assert_str_eq(out, "dbname=corp");
}
END_TEST

START_TEST(mask_truncates_safely)
{
	char out[12];

	pg_mask_dsn("host=a password=s3cretpassword", out, sizeof out);
	ck_assert_uint_eq(strlen(out), sizeof out - 1);
	ck_assert_ptr_null(strstr(out, "s3cret"));
}
END_TEST

/* libpq's connection failure, as PostgreSQL 15 words it. */
START_TEST(trim_joins_lines)
{
	char out[256];

	pg_trim_message(out, sizeof out,
	    "connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed:"
	    " No such file or directory\n\tIs the server running locally and"
	    " accepting connections on that socket?\n");
	ck_assert_str_eq(out,
	    "connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed:"
	    " No such file or directory; Is the server running locally and"
	    " accepting connections on that socket?");
	pg_trim_message(out, sizeof out,
	    "ERROR:  relation \"nothing\" does not exist\n");
	ck_assert_str_eq(out, "relation \"nothing\" does not exist");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pg");
	TCase *tc = tcase_create("text");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, copy_escapes_separators);
	tcase_add_test(tc, copy_keeps_literal_null_marker);
	tcase_add_test(tc, copy_reset_empties);
	tcase_add_test(tc, mask_uri_password);
	tcase_add_test(tc, mask_keyword_password);
	tcase_add_test(tc, mask_truncates_safely);
	tcase_add_test(tc, trim_joins_lines);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
