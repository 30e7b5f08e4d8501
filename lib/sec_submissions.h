#ifndef CORPINTEL_SEC_SUBMISSIONS_H
#define CORPINTEL_SEC_SUBMISSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "jsonw.h"

/*
 * SEC EDGAR's submissions documents (data.sec.gov/submissions/
 * CIK##########.json): the company profile, and the filing index as
 * parallel arrays, one per column ("accessionNumber", "form",
 * "filingDate", ...).  The main document keeps the latest filings under
 * filings.recent and lists older pages in filings.files[]; each older
 * page is a bare column object.
 */

#define SEC_CIK_SIZE		11	/* ten digits and the NUL */
#define SEC_MAX_FORMS		32

/* One row of the filing index.  Empty strings in SEC's columns stand for
 * "no value" and come out as NULL. */
struct sec_filing {
	const char *accession;
	const char *form;
	const char *filed;
	const char *report_date;
	const char *accepted;
	const char *primary_document;
	const char *primary_doc_description;
	const char *items;
	double size;
	bool has_size;
	int is_xbrl;			/* 1, 0, or -1 when unknown */
};

/* A cursor over the rows of a column object. */
struct sec_filing_columns {
	const cJSON *accession, *form, *filed, *report_date, *accepted,
	    *primary_document, *primary_doc_description, *items, *size,
	    *is_xbrl;
	size_t row;
	size_t rows;
};

/* A page of older filings listed in filings.files[]. */
struct sec_history_page {
	const char *name;		/* "CIK0001318605-submissions-001.json" */
	const char *filing_from;	/* NULL when absent */
	const char *filing_to;
};

/* The filings to keep, by form and by filing date. */
struct sec_filing_filter {
	char *forms[SEC_MAX_FORMS];	/* upper case; no entry: every form */
	size_t form_count;
	bool amendments;		/* FORM/A too, for each listed FORM */
	long since;			/* days since 1970; LONG_MIN: no bound */
	long until;			/* LONG_MAX: no bound */
};

enum sec_filing_verdict {
	SEC_FILING_KEEP,
	SEC_FILING_OTHER_FORM,
	SEC_FILING_OUT_OF_RANGE,
	SEC_FILING_INCOMPLETE,		/* no accession, form or valid date */
};

int sec_filing_columns_open(struct sec_filing_columns *columns,
    const cJSON *object, char *why, size_t why_size);
bool sec_filing_columns_next(struct sec_filing_columns *columns,
    struct sec_filing *filing);

void sec_filing_filter_init(struct sec_filing_filter *filter);
int sec_filing_filter_add_forms(struct sec_filing_filter *filter,
    const char *list, char *why, size_t why_size);
bool sec_filing_filter_form(const struct sec_filing_filter *filter,
    const char *form);
enum sec_filing_verdict sec_filing_check(const struct sec_filing_filter *filter,
    const struct sec_filing *filing);
bool sec_history_page_wanted(const struct sec_filing_filter *filter,
    const struct sec_history_page *page);
void sec_filing_filter_free(struct sec_filing_filter *filter);

void sec_filing_build(struct jsonw *w, const char *cik,
    const struct sec_filing *filing);
void sec_company_build(struct jsonw *w, const cJSON *root, const char *cik,
    const char *ticker);

size_t sec_history_pages(const cJSON *root, struct sec_history_page *pages,
    size_t max_pages);
bool sec_history_page_name_valid(const char *name);

bool sec_accession_valid(const char *text);

#endif
