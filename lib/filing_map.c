#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "date.h"
#include "filing_map.h"
#include "log.h"
#include "record.h"
#include "sec_submissions.h"

/* The rules a record breaks, collected before any reject is written so
 * that a valid record costs no reject bookkeeping. */
struct problems {
	const char *kind;
	const char *key[16];
	const char *expected[16];
	int count;
};

static void
problem(struct problems *p, const char *key, const char *expected)
{
	if (p->count < 16) {
		p->key[p->count] = key;
		p->expected[p->count] = expected;
	}
	p->count++;
}

static const cJSON *
member(const cJSON *record, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(record, key);
}

static bool
absent(const cJSON *item)
{
	return item == NULL || cJSON_IsNull(item);
}

static bool
is_cik(const char *s)
{
	return s != NULL && strlen(s) == 10 && strspn(s, "0123456789") == 10;
}

static bool
is_date(const char *s)
{
	long days;

	return date_parse(s, &days);
}

/* An ISO 8601 timestamp as SEC writes acceptance times,
 * "2023-11-02T18:08:27.000Z": a valid date, 'T', then hh:mm. */
static bool
is_timestamp(const char *s)
{
	char day[DATE_TEXT_SIZE];

	if (s == NULL || strlen(s) < 16 || s[10] != 'T' || s[13] != ':' ||
	    !isdigit((unsigned char)s[11]) || !isdigit((unsigned char)s[12]) ||
	    !isdigit((unsigned char)s[14]) || !isdigit((unsigned char)s[15]))
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	return is_date(day);
}

/* A member that must be a non-empty string. */
static const char *
need_string(struct problems *p, const cJSON *record, const char *key)
{
	const char *value = cJSON_GetStringValue(member(record, key));

	if (value == NULL || *value == '\0') {
		problem(p, key, "a non-empty string");
		return NULL;
	}
	return value;
}

/* A member that is null, absent or a string; "" reads as null. */
static const char *
optional_string(struct problems *p, const cJSON *record, const char *key)
{
	const cJSON *item = member(record, key);

	if (absent(item))
		return NULL;
	if (!cJSON_IsString(item)) {
		problem(p, key, "a string or null");
		return NULL;
	}
	return *item->valuestring != '\0' ? item->valuestring : NULL;
}

static void
put_string(struct jsonw *w, const char *key, const char *value)
{
	if (value != NULL)
		jsonw_string(w, key, value);
	else
		jsonw_null(w, key);
}

static void
write_rejects(const struct problems *p, const cJSON *record,
    struct reject_stream *rs, unsigned long line, const char *input,
    size_t len)
{
	char value[64];

	reject_begin(rs, line, input, len);
	for (int i = 0; i < p->count && i < 16; i++) {
		const cJSON *item = member(record, p->key[i]);

		if (absent(item)) {
			reject_add(rs, p->kind, "missing member \"%s\": a %s "
			    "needs %s", p->key[i], p->kind, p->expected[i]);
			continue;
		}
		if (cJSON_IsString(item))
			snprintf(value, sizeof value, "\"%.40s\"",
			    item->valuestring);
		else
			snprintf(value, sizeof value, "of type %s",
			    cJSON_IsNumber(item) ? "number" :
			    cJSON_IsBool(item) ? "boolean" :
			    cJSON_IsArray(item) ? "array" : "object");
		reject_add(rs, p->kind, "member \"%s\" is %s, expected %s",
		    p->key[i], value, p->expected[i]);
	}
	reject_end(rs);
}

bool
filing_map_handles(const char *kind)
{
	return kind != NULL && (strcmp(kind, "sec_filing") == 0 ||
	    strcmp(kind, "sec_company") == 0);
}

static bool
map_filing(const cJSON *record, struct jsonw *w, struct problems *p)
{
	const char *cik = need_string(p, record, "cik");
	const char *accession = need_string(p, record, "accession");
	const char *form = need_string(p, record, "form");
	const char *filed = need_string(p, record, "filed");
	const char *report_date = optional_string(p, record, "report_date");
	const char *accepted = optional_string(p, record, "accepted");
	const char *document = optional_string(p, record, "primary_document");

	if (cik != NULL && !is_cik(cik))
		problem(p, "cik", "a 10-digit string such as \"0000320193\"");
	if (accession != NULL && !sec_accession_valid(accession))
		problem(p, "accession", "an accession number such as "
		    "\"0000320193-23-000106\"");
	if (filed != NULL && !is_date(filed))
		problem(p, "filed", "a valid date YYYY-MM-DD");
	if (report_date != NULL && !is_date(report_date))
		problem(p, "report_date", "a valid date YYYY-MM-DD or null");
	if (accepted != NULL && !is_timestamp(accepted))
		problem(p, "accepted", "an ISO 8601 timestamp or null");
	if (p->count > 0)
		return false;

	jsonw_begin(w);
	jsonw_string(w, "kind", "filing");
	jsonw_string(w, "cik", cik);
	jsonw_string(w, "accession", accession);
	jsonw_string(w, "form", form);
	jsonw_string(w, "filed", filed);
	put_string(w, "report_date", report_date);
	put_string(w, "accepted", accepted);
	put_string(w, "primary_document", document);
	jsonw_string(w, "source", "sec");
	jsonw_end(w);
	return true;
}

/* SEC lists over-the-counter quotation as the exchange "OTC"; that is
 * not a listing. */
static bool
is_listing_exchange(const cJSON *item)
{
	const char *name = cJSON_GetStringValue(item);

	return name != NULL && *name != '\0' && strcasecmp(name, "OTC") != 0;
}

/*
 * Checks "exchanges" (null, or an array of strings and nulls) and sets
 * listed: true when a stock exchange other than OTC is named, false
 * when the array names none, -1 when exchanges is null.
 */
static const cJSON *
check_exchanges(struct problems *p, const cJSON *record, int *listed)
{
	const cJSON *exchanges = member(record, "exchanges"), *item;

	*listed = -1;
	if (absent(exchanges))
		return NULL;
	if (!cJSON_IsArray(exchanges)) {
		problem(p, "exchanges", "an array of strings or null");
		return NULL;
	}
	*listed = 0;
	cJSON_ArrayForEach(item, exchanges) {
		if (!cJSON_IsString(item) && !cJSON_IsNull(item)) {
			problem(p, "exchanges", "an array of strings or null");
			return NULL;
		}
		if (is_listing_exchange(item))
			*listed = 1;
	}
	return exchanges;
}

static bool
map_company(const cJSON *record, const char *category, struct jsonw *w,
    struct problems *p)
{
	const char *cik = need_string(p, record, "cik");
	const char *ticker = optional_string(p, record, "ticker");
	const char *name = need_string(p, record, "name");
	const char *sic = optional_string(p, record, "sic");
	const char *sic_description = optional_string(p, record,
	    "sic_description");
	const char *year_end = optional_string(p, record, "fiscal_year_end");
	const cJSON *exchanges, *item;
	int listed;

	exchanges = check_exchanges(p, record, &listed);
	if (cik != NULL && !is_cik(cik))
		problem(p, "cik", "a 10-digit string such as \"0000320193\"");
	if (sic != NULL && strspn(sic, "0123456789") != strlen(sic))
		problem(p, "sic", "a string of digits or null");
	if (year_end != NULL && (strlen(year_end) != 4 ||
	    strspn(year_end, "0123456789") != 4))
		problem(p, "fiscal_year_end", "a month and day as \"MMDD\" or "
		    "null");
	if (p->count > 0)
		return false;

	jsonw_begin(w);
	jsonw_string(w, "kind", "company");
	jsonw_string(w, "cik", cik);
	put_string(w, "ticker", ticker);
	jsonw_string(w, "name", name);
	put_string(w, "category", category);
	put_string(w, "sic", sic);
	put_string(w, "sic_description", sic_description);
	put_string(w, "fiscal_year_end", year_end);
	if (exchanges != NULL) {
		jsonw_open_array(w, "exchanges");
		cJSON_ArrayForEach(item, exchanges)
			put_string(w, NULL, cJSON_GetStringValue(item));
		jsonw_close_array(w);
	} else {
		jsonw_null(w, "exchanges");
	}
	if (listed >= 0)
		jsonw_bool(w, "listed", listed);
	else
		jsonw_null(w, "listed");
	jsonw_string(w, "source", "sec");
	jsonw_end(w);
	return true;
}

/*
 * Maps a sec_filing or sec_company record and writes the canonical
 * record to standard output, built in w.  category, when not NULL, is
 * the analyst's category of the company (from the universe), which
 * SEC's profile lacks.  Returns true when the record was written, or
 * false after writing the reject with every rule the record broke.  A
 * write error ends the program through cli_exit_write_error().
 */
bool
filing_map_record(const cJSON *record, const char *category,
    struct jsonw *w, struct reject_stream *rs, unsigned long line,
    const char *input, size_t len, struct filing_map_counts *counts)
{
	struct problems p = { .kind = record_kind(record) };
	bool is_filing = strcmp(p.kind, "sec_filing") == 0;
	bool ok;

	if (is_filing)
		ok = map_filing(record, w, &p);
	else
		ok = map_company(record, category, w, &p);
	if (!ok) {
		write_rejects(&p, record, rs, line, input, len);
		counts->rejected++;
		return false;
	}
	if (jsonw_write(w, stdout) != 0)
		cli_exit_write_error();
	if (is_filing)
		counts->filings++;
	else
		counts->companies++;
	return true;
}

void
filing_map_log_summary(const struct filing_map_counts *counts)
{
	if (counts->filings + counts->companies + counts->rejected == 0)
		return;
	log_info("submissions records: %lu filing and %lu company records "
	    "out, %lu rejected", counts->filings, counts->companies,
	    counts->rejected);
}

void
filing_map_add_metrics(const struct filing_map_counts *counts,
    struct promfile *pf)
{
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"filing\"", (double)counts->filings);
	promfile_counter(pf, "corpintel_company_hints_total",
	    "Company records mapped from SEC submissions profiles.", "",
	    (double)counts->companies);
}
