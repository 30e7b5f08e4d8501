#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "universe.h"

/* Loads text as a universe file; error receives the reason. */
static struct universe *
load_text(const char *text, char *error, size_t size)
{
	char path[] = "/tmp/check_universe.XXXXXX";
	int fd = mkstemp(path);
	struct universe *u;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	u = universe_load(path, error, size);
	unlink(path);
	return u;
}

START_TEST(companies_read)
{
	char error[256] = "";
	struct universe *u = load_text(
	    "companies:\n"
	    "  - ticker: DUOL\n"
	    "    cik: \"0001562088\"\n"
	    "    name: Duolingo, Inc.\n"
	    "    category: online learning\n"
	    "  - {ticker: CHGG, cik: 1364954, listed: false}\n"
	    "  - {ticker: NOCIK}\n"
	    "  - {cik: \"42\"}\n", error, sizeof error);

	ck_assert_msg(u != NULL, "%s", error);
	ck_assert_uint_eq(u->count, 4);
	ck_assert_str_eq(u->companies[0].cik, "0001562088");
	ck_assert_str_eq(u->companies[0].name, "Duolingo, Inc.");
	ck_assert_str_eq(u->companies[0].category, "online learning");
	ck_assert(u->companies[0].listed);
	ck_assert_uint_eq(u->companies[0].line, 2);
	/* A short cik is padded to the ten digits SEC uses. */
	ck_assert_str_eq(u->companies[1].cik, "0001364954");
	ck_assert(!u->companies[1].listed);
	ck_assert_ptr_null(u->companies[1].name);
	ck_assert_str_eq(u->companies[2].cik, "");
	ck_assert_ptr_null(u->companies[3].ticker);

	ck_assert_ptr_eq(universe_find(u, "0001364954", NULL), &u->companies[1]);
	ck_assert_ptr_eq(universe_find(u, "0009999999", "nocik"),
	    &u->companies[2]);
	/* A ticker alone matches a company listed with a cik only when no
	 * cik is given to compare. */
	ck_assert_ptr_null(universe_find(u, "0009999999", "DUOL"));
	ck_assert_ptr_eq(universe_find(u, NULL, "duol"), &u->companies[0]);
	ck_assert_ptr_null(universe_find(u, NULL, "NONE"));
	universe_free(u);
}
END_TEST

START_TEST(bad_files_named)
{
	static const struct {
		const char *text;
		const char *reason;
	} cases[] = {
		{ "tickers: []\n", "a top-level 'companies' list is required" },
		{ "companies:\n  - {name: X}\n",
		  ":2: each company needs a ticker or a cik" },
		{ "companies:\n  - {ticker: X, cik: 12345678901}\n",
		  ":2: invalid cik '12345678901': use 1 to 10 digits" },
		{ "companies:\n  - {ticker: X, cik: \"000\"}\n",
		  ":2: invalid cik '000': use 1 to 10 digits, not all zero" },
		{ "companies:\n  - {ticker: X, cik: [1]}\n",
		  ":2: cik must be a single value" },
		{ "companies:\n  - {ticker: X, categroy: c}\n",
		  ":2: unknown key 'categroy': a company has ticker, cik" },
		{ "companies:\n  - {ticker: X, listed: maybe}\n",
		  ":2: listed must be true or false, not 'maybe'" },
		{ "companies:\n  - X\n", ":2: a company must be a mapping" },
		{ "companies:\n  - {ticker: A, cik: 21, cik: 22}\n",
		  ":2: cik given twice for one company" },
		{ "companies:\n  - {ticker: \"\", cik: 21}\n",
		  ":2: ticker is empty: give it a value or leave the key out" },
		{ "companies:\n  - {ticker: AAA}\n  - {ticker: aaa}\n",
		  ":3: aaa repeats the ticker of line 2" },
		{ "companies:\n  - {cik: \"7\"}\n  - {cik: \"0000000007\"}\n",
		  ":3: 0000000007 repeats the cik of line 2" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char error[256] = "";

		ck_assert_ptr_null(load_text(cases[i].text, error, sizeof error));
		ck_assert_msg(strstr(error, cases[i].reason) != NULL,
		    "case %zu: %s", i, error);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("universe");
	TCase *tc = tcase_create("universe file");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, companies_read);
	tcase_add_test(tc, bad_files_named);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
