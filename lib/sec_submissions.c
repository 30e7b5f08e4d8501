#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "sec_submissions.h"

static const cJSON *
member(const cJSON *object, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(object, key);
}

/* Returns the string of a member, or NULL when it is absent, not a
 * string or empty: SEC writes "" for "no value". */
static const char *
nonempty_string(const cJSON *item)
{
	const char *s = cJSON_GetStringValue(item);

	return s != NULL && *s != '\0' ? s : NULL;
}

static void
put_string(struct jsonw *w, const char *key, const char *value)
{
	if (value != NULL)
		jsonw_string(w, key, value);
	else
		jsonw_null(w, key);
}

/*
 * Writes the date part of an ISO 8601 timestamp such as SEC's
 * "2005-02-17T00:00:00.000Z", or null when it does not start with a
 * valid date.
 */
static void
put_date_part(struct jsonw *w, const char *key, const char *timestamp)
{
	char day[DATE_TEXT_SIZE];
	long days;

	if (timestamp == NULL || strlen(timestamp) < DATE_TEXT_SIZE - 1) {
		jsonw_null(w, key);
		return;
	}
	memcpy(day, timestamp, DATE_TEXT_SIZE - 1);
	day[DATE_TEXT_SIZE - 1] = '\0';
	if (date_parse(day, &days))
		jsonw_string(w, key, day);
	else
		jsonw_null(w, key);
}

/* An accession number as EDGAR writes it: filer-agent CIK, year, sequence,
 * as in "0000320193-23-000106". */
bool
sec_accession_valid(const char *text)
{
	static const char pattern[] = "dddddddddd-dd-dddddd";

	if (text == NULL || strlen(text) != sizeof pattern - 1)
		return false;
	for (size_t i = 0; pattern[i] != '\0'; i++) {
		if (pattern[i] == 'd' && !isdigit((unsigned char)text[i]))
			return false;
		if (pattern[i] == '-' && text[i] != '-')
			return false;
	}
	return true;
}

/* Advances a column cursor, which may be NULL for a column the page
 * lacks. */
static const cJSON *
next_cell(const cJSON **column)
{
	const cJSON *cell = *column;

	if (cell != NULL)
		*column = cell->next;
	return cell;
}

static const cJSON *
first_cell(const cJSON *object, const char *key)
{
	const cJSON *column = member(object, key);

	return cJSON_IsArray(column) ? column->child : NULL;
}

/*
 * Opens a column object: "recent" of a main document, or an older page.
 * cJSON arrays are linked lists, so the cursor walks every column one
 * cell per row instead of indexing, which would be quadratic.  Returns
 * 0, or -1 with the reason in why.
 */
int
sec_filing_columns_open(struct sec_filing_columns *columns,
    const cJSON *object, char *why, size_t why_size)
{
	const cJSON *accession = member(object, "accessionNumber");

	memset(columns, 0, sizeof *columns);
	if (!cJSON_IsObject(object) || !cJSON_IsArray(accession)) {
		snprintf(why, why_size, "no \"accessionNumber\" column");
		return -1;
	}
	columns->rows = (size_t)cJSON_GetArraySize(accession);
	columns->accession = accession->child;
	columns->form = first_cell(object, "form");
	columns->filed = first_cell(object, "filingDate");
	columns->report_date = first_cell(object, "reportDate");
	columns->accepted = first_cell(object, "acceptanceDateTime");
	columns->primary_document = first_cell(object, "primaryDocument");
	columns->primary_doc_description = first_cell(object,
	    "primaryDocDescription");
	columns->items = first_cell(object, "items");
	columns->size = first_cell(object, "size");
	columns->is_xbrl = first_cell(object, "isXBRL");
	return 0;
}

/* Reads the next row.  Returns false after the last one.  A column
 * shorter than "accessionNumber" gives NULL cells. */
bool
sec_filing_columns_next(struct sec_filing_columns *columns,
    struct sec_filing *filing)
{
	const cJSON *size, *is_xbrl;

	if (columns->row >= columns->rows)
		return false;
	columns->row++;

	memset(filing, 0, sizeof *filing);
	filing->accession = nonempty_string(next_cell(&columns->accession));
	filing->form = nonempty_string(next_cell(&columns->form));
	filing->filed = nonempty_string(next_cell(&columns->filed));
	filing->report_date = nonempty_string(next_cell(&columns->report_date));
	filing->accepted = nonempty_string(next_cell(&columns->accepted));
	filing->primary_document = nonempty_string(
	    next_cell(&columns->primary_document));
	filing->primary_doc_description = nonempty_string(
	    next_cell(&columns->primary_doc_description));
	filing->items = nonempty_string(next_cell(&columns->items));

	size = next_cell(&columns->size);
	if (cJSON_IsNumber(size) && isfinite(size->valuedouble) &&
	    size->valuedouble >= 0) {
		filing->size = size->valuedouble;
		filing->has_size = true;
	}
	is_xbrl = next_cell(&columns->is_xbrl);
	filing->is_xbrl = -1;
	if (cJSON_IsNumber(is_xbrl) && (is_xbrl->valuedouble == 0 ||
	    is_xbrl->valuedouble == 1))
		filing->is_xbrl = (int)is_xbrl->valuedouble;
	return true;
}

void
sec_filing_filter_init(struct sec_filing_filter *filter)
{
	memset(filter, 0, sizeof *filter);
	filter->since = LONG_MIN;
	filter->until = LONG_MAX;
}

void
sec_filing_filter_free(struct sec_filing_filter *filter)
{
	for (size_t i = 0; i < filter->form_count; i++)
		free(filter->forms[i]);
	filter->form_count = 0;
}

/*
 * Adds the forms of a comma-separated list such as "10-K,10-Q,8-K".
 * Forms are compared in upper case, as EDGAR spells them.  Returns 0,
 * or -1 with the reason in why.
 */
int
sec_filing_filter_add_forms(struct sec_filing_filter *filter,
    const char *list, char *why, size_t why_size)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char *form;

		while (n > 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0 || n > 20) {
			snprintf(why, why_size, "invalid form '%.*s' in '%s': "
			    "expected names such as 10-K,10-Q", (int)n, p, list);
			return -1;
		}
		if (filter->form_count == SEC_MAX_FORMS) {
			snprintf(why, why_size, "more than %d forms",
			    SEC_MAX_FORMS);
			return -1;
		}
		form = strndup(p, n);
		if (form == NULL) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		for (char *c = form; *c != '\0'; c++)
			*c = (char)toupper((unsigned char)*c);
		filter->forms[filter->form_count++] = form;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Returns true when form is listed, or is "FORM/A" of a listed form and
 * amendments are wanted.  No list means every form. */
bool
sec_filing_filter_form(const struct sec_filing_filter *filter,
    const char *form)
{
	size_t n;

	if (filter->form_count == 0)
		return true;
	for (size_t i = 0; i < filter->form_count; i++) {
		if (strcasecmp(form, filter->forms[i]) == 0)
			return true;
		n = strlen(filter->forms[i]);
		if (filter->amendments && strncasecmp(form, filter->forms[i],
		    n) == 0 && strcasecmp(form + n, "/A") == 0)
			return true;
	}
	return false;
}

enum sec_filing_verdict
sec_filing_check(const struct sec_filing_filter *filter,
    const struct sec_filing *filing)
{
	long filed;

	if (filing->accession == NULL || filing->form == NULL ||
	    filing->filed == NULL || !date_parse(filing->filed, &filed))
		return SEC_FILING_INCOMPLETE;
	if (!sec_filing_filter_form(filter, filing->form))
		return SEC_FILING_OTHER_FORM;
	if (filed < filter->since || filed > filter->until)
		return SEC_FILING_OUT_OF_RANGE;
	return SEC_FILING_KEEP;
}

/*
 * Returns false when an older page cannot hold a filing in the date
 * range: its "filingTo" is before --since or its "filingFrom" after
 * --until.  A page without those dates is read.
 */
bool
sec_history_page_wanted(const struct sec_filing_filter *filter,
    const struct sec_history_page *page)
{
	long from, to;

	if (page->filing_to != NULL && date_parse(page->filing_to, &to) &&
	    to < filter->since)
		return false;
	if (page->filing_from != NULL &&
	    date_parse(page->filing_from, &from) && from > filter->until)
		return false;
	return true;
}

/* Writes a sec_filing record; the row has passed sec_filing_check. */
void
sec_filing_build(struct jsonw *w, const char *cik,
    const struct sec_filing *filing)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "sec_filing");
	jsonw_string(w, "cik", cik);
	jsonw_string(w, "accession", filing->accession);
	jsonw_string(w, "form", filing->form);
	jsonw_string(w, "filed", filing->filed);
	put_string(w, "report_date", filing->report_date);
	put_string(w, "accepted", filing->accepted);
	put_string(w, "primary_document", filing->primary_document);
	put_string(w, "primary_doc_description",
	    filing->primary_doc_description);
	put_string(w, "items", filing->items);
	if (filing->has_size)
		jsonw_number(w, "size", filing->size);
	else
		jsonw_null(w, "size");
	if (filing->is_xbrl >= 0)
		jsonw_bool(w, "is_xbrl", filing->is_xbrl);
	else
		jsonw_null(w, "is_xbrl");
	jsonw_end(w);
}

/* Writes an array of strings, keeping null entries in place because
 * "exchanges" pairs with "tickers" by position. */
static void
put_string_array(struct jsonw *w, const char *key, const cJSON *array)
{
	const cJSON *item;

	if (!cJSON_IsArray(array)) {
		jsonw_null(w, key);
		return;
	}
	jsonw_open_array(w, key);
	cJSON_ArrayForEach(item, array)
		put_string(w, NULL, cJSON_GetStringValue(item));
	jsonw_close_array(w);
}

static void
put_former_names(struct jsonw *w, const cJSON *names)
{
	const cJSON *name;

	if (!cJSON_IsArray(names)) {
		jsonw_null(w, "former_names");
		return;
	}
	jsonw_open_array(w, "former_names");
	cJSON_ArrayForEach(name, names) {
		jsonw_open_object(w, NULL);
		put_string(w, "name", nonempty_string(member(name, "name")));
		put_date_part(w, "from", cJSON_GetStringValue(member(name, "from")));
		put_date_part(w, "to", cJSON_GetStringValue(member(name, "to")));
		jsonw_close_object(w);
	}
	jsonw_close_array(w);
}

/* SEC writes the fiscal year end as "MMDD" ("0926" for Apple). */
static const char *
fiscal_year_end(const cJSON *item)
{
	const char *s = nonempty_string(item);
	int month, day;

	if (s == NULL || strlen(s) != 4 || strspn(s, "0123456789") != 4)
		return NULL;
	month = (s[0] - '0') * 10 + (s[1] - '0');
	day = (s[2] - '0') * 10 + (s[3] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return NULL;
	return s;
}

/*
 * Writes the sec_company record of a main submissions document.  ticker
 * is the one the company was requested by; without it, the first of the
 * document's "tickers" names the company.
 */
void
sec_company_build(struct jsonw *w, const cJSON *root, const char *cik,
    const char *ticker)
{
	const cJSON *tickers = member(root, "tickers");

	if (ticker == NULL && cJSON_IsArray(tickers))
		ticker = nonempty_string(cJSON_GetArrayItem(tickers, 0));

	jsonw_begin(w);
	jsonw_string(w, "kind", "sec_company");
	jsonw_string(w, "cik", cik);
	put_string(w, "ticker", ticker);
	put_string_array(w, "tickers", tickers);
	put_string(w, "name", nonempty_string(member(root, "name")));
	put_string(w, "entity_type", nonempty_string(member(root,
	    "entityType")));
	put_string(w, "sic", nonempty_string(member(root, "sic")));
	put_string(w, "sic_description", nonempty_string(member(root,
	    "sicDescription")));
	put_string(w, "filer_category", nonempty_string(member(root,
	    "category")));
	put_string(w, "fiscal_year_end", fiscal_year_end(member(root,
	    "fiscalYearEnd")));
	put_string_array(w, "exchanges", member(root, "exchanges"));
	put_string(w, "state_of_incorporation", nonempty_string(member(root,
	    "stateOfIncorporation")));
	put_former_names(w, member(root, "formerNames"));
	jsonw_end(w);
}

/* Older pages are fetched by name next to the main document, so a name
 * must not be able to leave that folder or change the URL. */
bool
sec_history_page_name_valid(const char *name)
{
	if (name == NULL || *name == '\0' || name[0] == '.' ||
	    strlen(name) > 128)
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.')
			return false;
	return true;
}

/* Lists filings.files[] of a main document.  Returns the number of
 * pages, which may exceed max_pages; only max_pages are stored. */
size_t
sec_history_pages(const cJSON *root, struct sec_history_page *pages,
    size_t max_pages)
{
	const cJSON *files = member(member(root, "filings"), "files");
	const cJSON *file;
	size_t n = 0;

	if (!cJSON_IsArray(files))
		return 0;
	cJSON_ArrayForEach(file, files) {
		if (n < max_pages) {
			pages[n].name = cJSON_GetStringValue(member(file, "name"));
			pages[n].filing_from = nonempty_string(member(file,
			    "filingFrom"));
			pages[n].filing_to = nonempty_string(member(file,
			    "filingTo"));
		}
		n++;
	}
	return n;
}
