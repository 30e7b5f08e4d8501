#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "filing_map.h"
#include "jsonw.h"
#include "reject.h"

static char reject_path[256];
static struct reject_stream *rejects;
static struct jsonw writer;
static struct filing_map_counts counts;
static int saved_stdout;

static void
setup(void)
{
	int fd;

	snprintf(reject_path, sizeof reject_path, "%s/check_filing_map.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(reject_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	rejects = reject_open(reject_path);
	ck_assert_ptr_nonnull(rejects);
	memset(&writer, 0, sizeof writer);
	memset(&counts, 0, sizeof counts);

	/* Mapped records go to standard output; the cases read them from
	 * the writer's buffer instead. */
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved_stdout, 0);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
}

static void
teardown(void)
{
	fflush(stdout);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	reject_close(rejects);
	jsonw_free(&writer);
	unlink(reject_path);
}

/* Maps one line; returns the canonical line, or NULL when rejected. */
static char *
map(const char *line, const char *category)
{
	cJSON *record = cJSON_Parse(line);
	char *out = NULL;

	ck_assert_ptr_nonnull(record);
	if (filing_map_record(record, category, &writer, rejects, 7, line,
	    strlen(line), &counts)) {
		out = strndup(writer.buf, writer.len);
		ck_assert_ptr_nonnull(out);
		out[strcspn(out, "\n")] = '\0';
	}
	cJSON_Delete(record);
	return out;
}

/* Returns the reject file's contents after closing it. */
static char *
rejected(void)
{
	static char text[4096];
	size_t n;
	FILE *fp;

	reject_close(rejects);
	rejects = NULL;
	fp = fopen(reject_path, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(text, 1, sizeof text - 1, fp);
	text[n] = '\0';
	fclose(fp);
	rejects = reject_open(reject_path);
	return text;
}

START_TEST(kinds_handled)
{
	ck_assert(filing_map_handles("sec_filing"));
	ck_assert(filing_map_handles("sec_company"));
	ck_assert(!filing_map_handles("sec_fact"));
	ck_assert(!filing_map_handles("filing"));
	ck_assert(!filing_map_handles(NULL));
}
END_TEST

START_TEST(filing_to_canonical)
{
	char *out = map("{\"kind\":\"sec_filing\",\"cik\":\"0001318605\","
	    "\"accession\":\"0001628280-26-003952\",\"form\":\"10-K\","
	    "\"filed\":\"2026-01-29\",\"report_date\":\"2025-12-31\","
	    "\"accepted\":\"2026-01-29T01:55:03.000Z\","
	    "\"primary_document\":\"tsla-20251231.htm\","
	    "\"primary_doc_description\":\"10-K\",\"items\":null,"
	    "\"size\":15755490,\"is_xbrl\":true}", NULL);

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "{\"kind\":\"filing\",\"cik\":\"0001318605\","
	    "\"accession\":\"0001628280-26-003952\",\"form\":\"10-K\","
	    "\"filed\":\"2026-01-29\",\"report_date\":\"2025-12-31\","
	    "\"accepted\":\"2026-01-29T01:55:03.000Z\","
	    "\"primary_document\":\"tsla-20251231.htm\",\"source\":\"sec\"}");
	ck_assert_uint_eq(counts.filings, 1);
	ck_assert_uint_eq(counts.companies, 0);
	free(out);
}
END_TEST

START_TEST(filing_nulls_stay_null)
{
	char *out = map("{\"kind\":\"sec_filing\",\"cik\":\"0001318605\","
	    "\"accession\":\"0001950047-26-001763\",\"form\":\"144\","
	    "\"filed\":\"2026-02-25\",\"report_date\":null,\"accepted\":null,"
	    "\"primary_document\":null}", NULL);

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "\"report_date\":null,"
	    "\"accepted\":null,\"primary_document\":null,\"source\":\"sec\""));
	free(out);
}
END_TEST

START_TEST(filing_rejected_with_every_reason)
{
	char *out = map("{\"kind\":\"sec_filing\",\"cik\":\"1318605\","
	    "\"accession\":\"0001628280-26-3952\",\"form\":\"\","
	    "\"filed\":\"2026-02-30\",\"report_date\":20251231,"
	    "\"accepted\":\"yesterday\"}", NULL);
	const char *text;

	ck_assert_ptr_null(out);
	ck_assert_uint_eq(counts.rejected, 1);
	ck_assert_uint_eq(counts.filings, 0);
	text = rejected();
	ck_assert_ptr_nonnull(strstr(text, "\"line\":7"));
	ck_assert_ptr_nonnull(strstr(text, "\\\"cik\\\" is \\\"1318605\\\", "
	    "expected a 10-digit string"));
	ck_assert_ptr_nonnull(strstr(text, "\\\"accession\\\" is"));
	ck_assert_ptr_nonnull(strstr(text, "\\\"form\\\" is \\\"\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\\\"filed\\\" is \\\"2026-02-30\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\\\"report_date\\\" is of type "
	    "number"));
	ck_assert_ptr_nonnull(strstr(text, "\\\"accepted\\\" is "
	    "\\\"yesterday\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\"rule\":\"sec_filing\""));
}
END_TEST

START_TEST(company_to_canonical)
{
	char *out = map("{\"kind\":\"sec_company\",\"cik\":\"0000999001\","
	    "\"ticker\":\"EXLC\",\"tickers\":[\"EXLC\",\"EXLCP\"],"
	    "\"name\":\"Example Learning Corp\",\"entity_type\":\"operating\","
	    "\"sic\":\"8200\",\"sic_description\":\"Services-Educational "
	    "Services\",\"filer_category\":null,\"fiscal_year_end\":\"1231\","
	    "\"exchanges\":[\"Nasdaq\",\"OTC\"],\"state_of_incorporation\":"
	    "\"DE\",\"former_names\":[]}", "online learning");

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "{\"kind\":\"company\",\"cik\":\"0000999001\","
	    "\"ticker\":\"EXLC\",\"name\":\"Example Learning Corp\","
	    "\"category\":\"online learning\",\"sic\":\"8200\","
	    "\"sic_description\":\"Services-Educational Services\","
	    "\"fiscal_year_end\":\"1231\",\"exchanges\":[\"Nasdaq\",\"OTC\"],"
	    "\"listed\":true,\"source\":\"sec\"}");
	ck_assert_uint_eq(counts.companies, 1);
	free(out);
}
END_TEST

START_TEST(company_listing)
{
	char *otc = map("{\"kind\":\"sec_company\",\"cik\":\"0000310522\","
	    "\"ticker\":\"FNMA\",\"name\":\"FANNIE MAE\",\"exchanges\":[\"OTC\","
	    "\"OTC\"]}", NULL);
	char *none = map("{\"kind\":\"sec_company\",\"cik\":\"0001033331\","
	    "\"ticker\":null,\"name\":\"HASTINGS REED\",\"exchanges\":[]}", NULL);
	char *unknown = map("{\"kind\":\"sec_company\",\"cik\":\"0001033331\","
	    "\"ticker\":null,\"name\":\"HASTINGS REED\",\"exchanges\":null}",
	    NULL);

	ck_assert_ptr_nonnull(strstr(otc, "\"listed\":false"));
	ck_assert_ptr_nonnull(strstr(none, "\"exchanges\":[],\"listed\":false"));
	ck_assert_ptr_nonnull(strstr(unknown, "\"exchanges\":null,"
	    "\"listed\":null"));
	ck_assert_ptr_nonnull(strstr(unknown, "\"category\":null,\"sic\":null"));
	free(otc);
	free(none);
	free(unknown);
}
END_TEST

START_TEST(company_rejected)
{
	char *out = map("{\"kind\":\"sec_company\",\"cik\":\"0000999001\","
	    "\"ticker\":7,\"name\":null,\"sic\":\"82A0\","
	    "\"fiscal_year_end\":\"December\",\"exchanges\":\"Nasdaq\"}", NULL);
	const char *text;

	ck_assert_ptr_null(out);
	text = rejected();
	ck_assert_ptr_nonnull(strstr(text, "missing member \\\"name\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\\\"ticker\\\" is of type number"));
	ck_assert_ptr_nonnull(strstr(text, "\\\"sic\\\" is \\\"82A0\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\\\"fiscal_year_end\\\" is "
	    "\\\"December\\\""));
	ck_assert_ptr_nonnull(strstr(text, "\\\"exchanges\\\" is \\\"Nasdaq\\\""));
}
END_TEST

static Suite *
filing_map_suite(void)
{
	Suite *s = suite_create("filing_map");
	TCase *tc = tcase_create("map");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kinds_handled);
	tcase_add_test(tc, filing_to_canonical);
	tcase_add_test(tc, filing_nulls_stay_null);
	tcase_add_test(tc, filing_rejected_with_every_reason);
	tcase_add_test(tc, company_to_canonical);
	tcase_add_test(tc, company_listing);
	tcase_add_test(tc, company_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(filing_map_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
