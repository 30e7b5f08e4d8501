#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "jsonw.h"
#include "sec_docs.h"
#include "sec_feed.h"
#include "sec_submissions.h"

/* The columns of SEC's filing index, two rows: the second has the
 * empty strings SEC writes for "no value". */
static const char columns_text[] =
    "{\"accessionNumber\":[\"0000999001-24-000008\",\"0000999001-24-000009\"],"
    "\"filingDate\":[\"2024-03-01\",\"2024-03-05\"],"
    "\"reportDate\":[\"2023-12-31\",\"\"],"
    "\"acceptanceDateTime\":[\"2024-03-01T16:31:45.000Z\",\"\"],"
    "\"form\":[\"10-K\",\"10-K/A\"],"
    "\"items\":[\"\",\"\"],"
    "\"size\":[8123776,1200],"
    "\"isXBRL\":[1,0],"
    "\"primaryDocument\":[\"exlc-20231231.htm\",\"\"],"
    "\"primaryDocDescription\":[\"10-K\",\"\"]}";

static char *
built(struct jsonw *w)
{
	char *line = strndup(w->buf, w->len);

	ck_assert_ptr_nonnull(line);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

START_TEST(columns_read_row_by_row)
{
	cJSON *object = cJSON_Parse(columns_text);
	struct sec_filing_columns columns;
	struct sec_filing filing;
	struct jsonw w = { 0 };
	char why[128], *line;

	ck_assert_int_eq(sec_filing_columns_open(&columns, object, why,
	    sizeof why), 0);
	ck_assert(sec_filing_columns_next(&columns, &filing));
	sec_filing_build(&w, "0000999001", &filing);
	line = built(&w);
	ck_assert_str_eq(line, "{\"kind\":\"sec_filing\",\"cik\":\"0000999001\","
	    "\"accession\":\"0000999001-24-000008\",\"form\":\"10-K\","
	    "\"filed\":\"2024-03-01\",\"report_date\":\"2023-12-31\","
	    "\"accepted\":\"2024-03-01T16:31:45.000Z\","
	    "\"primary_document\":\"exlc-20231231.htm\","
	    "\"primary_doc_description\":\"10-K\",\"items\":null,"
	    "\"size\":8123776,\"is_xbrl\":true}");
	free(line);

	ck_assert(sec_filing_columns_next(&columns, &filing));
	ck_assert_ptr_null(filing.report_date);
	ck_assert_ptr_null(filing.accepted);
	ck_assert_ptr_null(filing.primary_document);
	ck_assert_int_eq(filing.is_xbrl, 0);
	ck_assert(!sec_filing_columns_next(&columns, &filing));
	jsonw_free(&w);
	cJSON_Delete(object);
}
END_TEST

START_TEST(short_column_gives_null_cells)
{
	cJSON *object = cJSON_Parse("{\"accessionNumber\":[\"0000999001-24-"
	    "000008\",\"0000999001-24-000009\"],\"form\":[\"10-K\"],"
	    "\"filingDate\":[\"2024-03-01\",\"2024-03-05\"]}");
	struct sec_filing_filter filter;
	struct sec_filing_columns columns;
	struct sec_filing filing;
	char why[128];

	sec_filing_filter_init(&filter);
	ck_assert_int_eq(sec_filing_columns_open(&columns, object, why,
	    sizeof why), 0);
	ck_assert(sec_filing_columns_next(&columns, &filing));
	ck_assert_int_eq(sec_filing_check(&filter, &filing), SEC_FILING_KEEP);
	ck_assert(sec_filing_columns_next(&columns, &filing));
	ck_assert_ptr_null(filing.form);
	ck_assert_int_eq(sec_filing_check(&filter, &filing),
	    SEC_FILING_INCOMPLETE);
	cJSON_Delete(object);
}
END_TEST

START_TEST(object_without_accessions_rejected)
{
	cJSON *object = cJSON_Parse("{\"form\":[\"10-K\"]}");
	struct sec_filing_columns columns;
	char why[128];

	ck_assert_int_eq(sec_filing_columns_open(&columns, object, why,
	    sizeof why), -1);
	ck_assert_str_eq(why, "no \"accessionNumber\" column");
	cJSON_Delete(object);
}
END_TEST

START_TEST(filter_forms_and_amendments)
{
	struct sec_filing_filter filter;
	char why[128];

	sec_filing_filter_init(&filter);
	ck_assert(sec_filing_filter_form(&filter, "SC 13G"));
	ck_assert_int_eq(sec_filing_filter_add_forms(&filter, " 10-k, 20-F",
	    why, sizeof why), 0);
	ck_assert(sec_filing_filter_form(&filter, "10-K"));
	ck_assert(sec_filing_filter_form(&filter, "20-F"));
	ck_assert(!sec_filing_filter_form(&filter, "10-K/A"));
	ck_assert(!sec_filing_filter_form(&filter, "10-KT"));
	ck_assert(!sec_filing_filter_form(&filter, "NT 10-K"));
	filter.amendments = true;
	ck_assert(sec_filing_filter_form(&filter, "10-K/A"));
	ck_assert(sec_filing_filter_form(&filter, "20-F/A"));
	ck_assert(!sec_filing_filter_form(&filter, "10-Q/A"));
	ck_assert_int_eq(sec_filing_filter_add_forms(&filter, "10-Q,,8-K",
	    why, sizeof why), -1);
	sec_filing_filter_free(&filter);
}
END_TEST

START_TEST(filter_dates_inclusive)
{
	struct sec_filing_filter filter;
	struct sec_filing filing = {
		.accession = "0000999001-24-000008", .form = "10-K",
		.filed = "2024-03-01",
	};
	struct sec_history_page page = {
		.name = "CIK0000999001-submissions-001.json",
		.filing_from = "2021-03-15", .filing_to = "2023-05-09",
	};

	sec_filing_filter_init(&filter);
	ck_assert(date_parse("2024-03-01", &filter.since));
	ck_assert_int_eq(sec_filing_check(&filter, &filing), SEC_FILING_KEEP);
	ck_assert(sec_history_page_wanted(&filter, &page) == false);
	ck_assert(date_parse("2024-02-29", &filter.until));
	ck_assert_int_eq(sec_filing_check(&filter, &filing),
	    SEC_FILING_OUT_OF_RANGE);
	filter.since = LONG_MIN;
	ck_assert(date_parse("2021-03-14", &filter.until));
	ck_assert(sec_history_page_wanted(&filter, &page) == false);
	filter.until = LONG_MAX;
	ck_assert(sec_history_page_wanted(&filter, &page));
	filing.filed = "2024-02-30";
	ck_assert_int_eq(sec_filing_check(&filter, &filing),
	    SEC_FILING_INCOMPLETE);
}
END_TEST

START_TEST(history_page_names_checked)
{
	ck_assert(sec_history_page_name_valid(
	    "CIK0001318605-submissions-001.json"));
	ck_assert(!sec_history_page_name_valid("../etc/passwd"));
	ck_assert(!sec_history_page_name_valid("a/b.json"));
	ck_assert(!sec_history_page_name_valid("x.json?y=1"));
	ck_assert(!sec_history_page_name_valid(""));
	ck_assert(!sec_history_page_name_valid(NULL));
}
END_TEST

START_TEST(accession_format)
{
	ck_assert(sec_accession_valid("0000320193-23-000106"));
	ck_assert(!sec_accession_valid("000032019323000106"));
	ck_assert(!sec_accession_valid("0000320193-23-00010"));
	ck_assert(!sec_accession_valid("0000320193-2X-000106"));
}
END_TEST

START_TEST(company_profile_members)
{
	cJSON *root = cJSON_Parse("{\"cik\":\"0000999001\",\"name\":\"Example"
	    " Learning Corp\",\"entityType\":\"operating\",\"sic\":\"8200\","
	    "\"sicDescription\":\"Services-Educational Services\","
	    "\"category\":\"\",\"fiscalYearEnd\":\"1399\","
	    "\"tickers\":[\"EXLC\",\"EXLCP\"],\"exchanges\":[\"Nasdaq\",null],"
	    "\"formerNames\":[{\"name\":\"EXAMPLE TUTORS INC\","
	    "\"from\":\"2015-06-01T00:00:00.000Z\",\"to\":null}]}");
	struct jsonw w = { 0 };
	char *line;

	sec_company_build(&w, root, "0000999001", NULL);
	line = built(&w);
	ck_assert_str_eq(line, "{\"kind\":\"sec_company\",\"cik\":"
	    "\"0000999001\",\"ticker\":\"EXLC\",\"tickers\":[\"EXLC\","
	    "\"EXLCP\"],\"name\":\"Example Learning Corp\",\"entity_type\":"
	    "\"operating\",\"sic\":\"8200\",\"sic_description\":"
	    "\"Services-Educational Services\",\"filer_category\":null,"
	    "\"fiscal_year_end\":null,\"exchanges\":[\"Nasdaq\",null],"
	    "\"state_of_incorporation\":null,\"former_names\":[{\"name\":"
	    "\"EXAMPLE TUTORS INC\",\"from\":\"2015-06-01\",\"to\":null}]}");
	free(line);
	jsonw_free(&w);
	cJSON_Delete(root);
}
END_TEST

static const char feed_head[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
    "<title>Latest Filings</title>\n";

static char *
feed_entry(const char *title, const char *accession, const char *filed,
    const char *term)
{
	static char text[2048];

	snprintf(text, sizeof text, "<entry>\n<title>%s</title>\n"
	    "<summary type=\"html\">\n &lt;b&gt;Filed:&lt;/b&gt; %s "
	    "&lt;b&gt;AccNo:&lt;/b&gt; %s\n</summary>\n"
	    "<category scheme=\"https://www.sec.gov/\" label=\"form type\" "
	    "term=\"%s\"/>\n<id>urn:tag:sec.gov,2008:accession-number=%s</id>\n"
	    "</entry>\n", title, filed, accession, term, accession);
	return text;
}

START_TEST(feed_entries_parsed_and_deduplicated)
{
	struct sec_feed feed = { 0 };
	struct sec_feed_page page;
	char text[8192], why[256];
	long day;

	snprintf(text, sizeof text, "%s", feed_head);
	strcat(text, feed_entry("10-K - Example (Learning) - Corp (0000999001) "
	    "(Filer)", "0000999001-24-000008", "2024-03-01", "10-K"));
	strcat(text, feed_entry("4 - Doe Jane (0000999777) (Reporting)",
	    "0000999777-24-000001", "2024-02-29", "4"));
	strcat(text, feed_entry("10-K - Example (Learning) - Corp (0000999001) "
	    "(Filer)", "0000999001-24-000008", "2024-03-01", "10-K"));
	strcat(text, feed_entry("no parentheses here", "0000999002-24-000001",
	    "2024-03-01", "10-Q"));
	strcat(text, "</feed>\n");

	ck_assert_int_eq(sec_feed_add_page(&feed, text, strlen(text), "test",
	    &page, why, sizeof why), 0);
	ck_assert_uint_eq(page.entries, 4);
	ck_assert_uint_eq(page.added, 2);
	ck_assert_uint_eq(feed.duplicates, 1);
	ck_assert_uint_eq(feed.incomplete, 1);
	ck_assert(date_parse("2024-02-29", &day));
	ck_assert_int_eq(page.oldest_filed, day);
	ck_assert_str_eq(feed.entries[0].cik, "0000999001");
	ck_assert_str_eq(feed.entries[0].name, "Example (Learning) - Corp");
	ck_assert_str_eq(feed.entries[0].role, "Filer");
	ck_assert_str_eq(feed.entries[0].form, "10-K");
	ck_assert_str_eq(feed.entries[0].filed, "2024-03-01");
	ck_assert(sec_feed_role_is_company(feed.entries[0].role));
	ck_assert(!sec_feed_role_is_company(feed.entries[1].role));

	/* The same entry on a later page is a repeat too. */
	ck_assert_int_eq(sec_feed_add_page(&feed, text, strlen(text), "test",
	    &page, why, sizeof why), 0);
	ck_assert_uint_eq(page.added, 0);
	ck_assert_uint_eq(feed.count, 2);
	sec_feed_free(&feed);
}
END_TEST

START_TEST(feed_rejects_other_documents)
{
	static const char html[] = "<html><body>busy</body></html>";
	static const char broken[] = "<feed xmlns=\"http://www.w3.org/2005/"
	    "Atom\"><entry>";
	struct sec_feed feed = { 0 };
	struct sec_feed_page page;
	char why[256];

	ck_assert_int_eq(sec_feed_add_page(&feed, html, strlen(html), "test",
	    &page, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "not an Atom feed"));
	ck_assert_int_eq(sec_feed_add_page(&feed, broken, strlen(broken),
	    "test", &page, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "not an XML document"));
	sec_feed_free(&feed);
}
END_TEST

/* Splits text written to a temporary stream; returns the documents
 * joined by '|' or "error" at the first error. */
static void
split(const char *input, size_t max_bytes, char *out, size_t size)
{
	struct sec_doc_reader reader;
	unsigned long long offset;
	FILE *fp = tmpfile();
	char *text, why[256];
	size_t length;
	int rc;

	ck_assert_ptr_nonnull(fp);
	fputs(input, fp);
	rewind(fp);
	memset(out, 0, size);
	sec_doc_reader_init(&reader, fp, max_bytes);
	while ((rc = sec_doc_next(&reader, &text, &length, &offset, why,
	    sizeof why)) > 0) {
		if (out[0] != '\0')
			strcat(out, "|");
		ck_assert_uint_lt(strlen(out) + length + 8, size);
		strncat(out, text, length);
	}
	if (rc < 0)
		strcat(out, out[0] != '\0' ? "|error" : "error");
	sec_doc_reader_free(&reader);
	fclose(fp);
}

START_TEST(documents_split_on_brackets)
{
	char out[512];

	split("{\"a\":1}{\"b\":[1,{}]}\n\n {\"c\":\"}{\\\"\"}\n", 1024, out,
	    sizeof out);
	ck_assert_str_eq(out, "{\"a\":1}|{\"b\":[1,{}]}|{\"c\":\"}{\\\"\"}");
	split("", 1024, out, sizeof out);
	ck_assert_str_eq(out, "");
	split("{\"a\":1} x", 1024, out, sizeof out);
	ck_assert_str_eq(out, "{\"a\":1}|error");
	split("{\"a\":[1}]", 1024, out, sizeof out);
	ck_assert_str_eq(out, "error");
	split("{\"a\":\"cut", 1024, out, sizeof out);
	ck_assert_str_eq(out, "error");
	split("{\"a\":\"0123456789012345678901234567890123456789\"}", 16, out,
	    sizeof out);
	ck_assert_str_eq(out, "error");
}
END_TEST

static Suite *
sec_suite(void)
{
	Suite *s = suite_create("sec");
	TCase *submissions = tcase_create("submissions");
	TCase *feed = tcase_create("feed");
	TCase *docs = tcase_create("docs");

	tcase_add_test(submissions, columns_read_row_by_row);
	tcase_add_test(submissions, short_column_gives_null_cells);
	tcase_add_test(submissions, object_without_accessions_rejected);
	tcase_add_test(submissions, filter_forms_and_amendments);
	tcase_add_test(submissions, filter_dates_inclusive);
	tcase_add_test(submissions, history_page_names_checked);
	tcase_add_test(submissions, accession_format);
	tcase_add_test(submissions, company_profile_members);
	suite_add_tcase(s, submissions);
	tcase_add_test(feed, feed_entries_parsed_and_deduplicated);
	tcase_add_test(feed, feed_rejects_other_documents);
	suite_add_tcase(s, feed);
	tcase_add_test(docs, documents_split_on_brackets);
	suite_add_tcase(s, docs);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sec_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
