#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "load_kinds.h"

#define K (LOAD_KEY | LOAD_REQUIRED)
#define R LOAD_REQUIRED

static const char *const period_types[] = {
	"instant", "quarter", "ytd", "annual", "ttm", "day", NULL,
};
static const char *const intervals[] = { "1d", "1wk", "1mo", NULL };
/* The sources a metric may come from, in the order of source_ranks. */
static const char *const metric_sources[] = {
	"sec", "transform", "yahoo", NULL,
};
static const char *const event_types[] = {
	"dividend", "split", "capital_gain", NULL,
};

/* SEC data is a weaker source of the ticker and the category than the
 * company universe, so a null in a company record keeps the stored ones. */
static const struct load_column company_columns[] = {
	{ "cik", LOAD_CIK, K | LOAD_ROUTE, NULL, NULL },
	{ "ticker", LOAD_TEXT, LOAD_KEEP, NULL, NULL },
	{ "name", LOAD_TEXT, R, NULL, NULL },
	{ "category", LOAD_TEXT, LOAD_KEEP, NULL, NULL },
	{ "sic", LOAD_TEXT, LOAD_KEEP, NULL, NULL },
	{ "sic_description", LOAD_TEXT, LOAD_KEEP, NULL, NULL },
	{ "fiscal_year_end", LOAD_TEXT, LOAD_KEEP, NULL, NULL },
	{ "exchanges", LOAD_TEXT_ARRAY, LOAD_KEEP, NULL, NULL },
	{ "listed", LOAD_BOOL, LOAD_KEEP, NULL, NULL },
	{ "source", LOAD_TEXT, 0, NULL, NULL },
};

static const struct load_column metric_columns[] = {
	{ "cik", LOAD_CIK, K | LOAD_ROUTE, NULL, NULL },
	{ "ticker", LOAD_TEXT, LOAD_VIRTUAL, NULL,
	  "(SELECT c.ticker FROM companies c WHERE c.cik = t.cik)" },
	{ "metric", LOAD_TEXT, K, NULL, NULL },
	{ "value", LOAD_NUMBER, R, NULL, NULL },
	{ "unit", LOAD_TEXT, R, NULL, NULL },
	{ "period_type", LOAD_TEXT, K, period_types, NULL },
	{ "period_start", LOAD_DATE, 0, NULL, NULL },
	{ "period_end", LOAD_DATE, K, NULL, NULL },
	{ "fiscal_year", LOAD_INTEGER, 0, NULL, NULL },
	{ "fiscal_period", LOAD_TEXT, 0, NULL, NULL },
	{ "source", LOAD_TEXT, R | LOAD_RANK, metric_sources, NULL },
	{ "source_ref", LOAD_TEXT, 0, NULL, NULL },
	{ "filed", LOAD_DATE, 0, NULL, NULL },
	{ "revised", LOAD_BOOL, 0, NULL, NULL },
	{ "concept", LOAD_TEXT, 0, NULL, NULL },
	{ "derivation", LOAD_TEXT, 0, NULL, NULL },
};

static const struct load_column filing_columns[] = {
	{ "cik", LOAD_CIK, R | LOAD_ROUTE, NULL, NULL },
	{ "accession", LOAD_TEXT, K, NULL, NULL },
	{ "form", LOAD_TEXT, R, NULL, NULL },
	{ "filed", LOAD_DATE, R, NULL, NULL },
	{ "report_date", LOAD_DATE, 0, NULL, NULL },
	{ "accepted", LOAD_TIMESTAMP, 0, NULL, NULL },
	{ "primary_document", LOAD_TEXT, 0, NULL, NULL },
	{ "source", LOAD_TEXT, R, NULL, NULL },
};

static const struct load_column price_columns[] = {
	{ "ticker", LOAD_TEXT, K | LOAD_ROUTE, NULL, NULL },
	{ "cik", LOAD_CIK, 0, NULL, NULL },
	{ "date", LOAD_DATE, K, NULL, NULL },
	{ "interval", LOAD_TEXT, K, intervals, NULL },
	{ "open", LOAD_NUMBER, 0, NULL, NULL },
	{ "high", LOAD_NUMBER, 0, NULL, NULL },
	{ "low", LOAD_NUMBER, 0, NULL, NULL },
	{ "close", LOAD_NUMBER, 0, NULL, NULL },
	{ "adjclose", LOAD_NUMBER, 0, NULL, NULL },
	{ "volume", LOAD_INTEGER, 0, NULL, NULL },
	{ "currency", LOAD_TEXT, 0, NULL, NULL },
	{ "source", LOAD_TEXT, R, NULL, NULL },
	{ "source_ref", LOAD_TEXT, 0, NULL, NULL },
};

static const struct load_column price_event_columns[] = {
	{ "ticker", LOAD_TEXT, K | LOAD_ROUTE, NULL, NULL },
	{ "cik", LOAD_CIK, 0, NULL, NULL },
	{ "date", LOAD_DATE, K, NULL, NULL },
	{ "type", LOAD_TEXT, K, event_types, NULL },
	{ "amount", LOAD_NUMBER, 0, NULL, NULL },
	{ "numerator", LOAD_NUMBER, 0, NULL, NULL },
	{ "denominator", LOAD_NUMBER, 0, NULL, NULL },
	{ "currency", LOAD_TEXT, 0, NULL, NULL },
	{ "source", LOAD_TEXT, R, NULL, NULL },
	{ "source_ref", LOAD_TEXT, 0, NULL, NULL },
};

static const struct load_column performance_columns[] = {
	{ "as_of", LOAD_DATE, K, NULL, NULL },
	{ "cik", LOAD_CIK, K | LOAD_ROUTE, NULL, NULL },
	{ "ticker", LOAD_TEXT, 0, NULL, NULL },
	{ "name", LOAD_TEXT, 0, NULL, NULL },
	{ "category", LOAD_TEXT, 0, NULL, NULL },
	{ "unit", LOAD_TEXT, 0, NULL, NULL },
	{ "revenue_quarter", LOAD_NUMBER, 0, NULL, NULL },
	{ "revenue_annual", LOAD_NUMBER, 0, NULL, NULL },
	{ "revenue_ttm", LOAD_NUMBER, 0, NULL, NULL },
	{ "revenue_growth_yoy", LOAD_NUMBER, 0, NULL, NULL },
	{ "gross_margin", LOAD_NUMBER, 0, NULL, NULL },
	{ "operating_margin", LOAD_NUMBER, 0, NULL, NULL },
	{ "net_margin", LOAD_NUMBER, 0, NULL, NULL },
	{ "market_cap", LOAD_NUMBER, 0, NULL, NULL },
	{ "pe_ratio", LOAD_NUMBER, 0, NULL, NULL },
	{ "rank_in_category", LOAD_INTEGER, 0, NULL, NULL },
	{ "rank_overall", LOAD_INTEGER, 0, NULL, NULL },
	{ "growth_score", LOAD_NUMBER, 0, NULL, NULL },
	{ "margin_score", LOAD_NUMBER, 0, NULL, NULL },
	{ "profitability_score", LOAD_NUMBER, 0, NULL, NULL },
	{ "overall_score", LOAD_NUMBER, 0, NULL, NULL },
	{ "health", LOAD_TEXT, 0, NULL, NULL },
	{ "latest_period_end", LOAD_DATE, 0, NULL, NULL },
	{ "data_age_days", LOAD_INTEGER, 0, NULL, NULL },
};

static const struct load_column landscape_columns[] = {
	{ "as_of", LOAD_DATE, K, NULL, NULL },
	{ "category", LOAD_TEXT, K | LOAD_ROUTE, NULL, NULL },
	{ "unit", LOAD_TEXT, 0, NULL, NULL },
	{ "total_revenue", LOAD_NUMBER, 0, NULL, NULL },
	{ "companies", LOAD_INTEGER, 0, NULL, NULL },
	{ "average_growth", LOAD_NUMBER, 0, NULL, NULL },
	{ "median_growth", LOAD_NUMBER, 0, NULL, NULL },
	{ "hhi", LOAD_NUMBER, 0, NULL, NULL },
	{ "top3_share", LOAD_NUMBER, 0, NULL, NULL },
};

#define KIND(kind_name, table_name, stamp_column, columns_array, company) \
	{ .kind = kind_name, .table = table_name, .stamp = stamp_column, \
	  .columns = columns_array, \
	  .ncolumns = sizeof columns_array / sizeof columns_array[0], \
	  .needs_company = company }

struct load_kind load_kinds[KIND_COUNT] = {
	KIND("company", "companies", "updated_at", company_columns, false),
	KIND("metric", "financial_metrics", "loaded_at", metric_columns, true),
	KIND("filing", "sec_filings", "loaded_at", filing_columns, false),
	KIND("price", "stock_prices", "loaded_at", price_columns, false),
	KIND("price_event", "price_events", "loaded_at", price_event_columns,
	    false),
	KIND("mart_company_performance", "mart_company_performance",
	    "loaded_at", performance_columns, false),
	KIND("mart_competitive_landscape", "mart_competitive_landscape",
	    "loaded_at", landscape_columns, false),
};

/* ---- SQL text ------------------------------------------------------------ */

struct sql {
	char *buf;
	size_t len, cap;
	int failed;
};

static void
sql_add(struct sql *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			s->failed = 1;
			return;
		}
		if ((size_t)n < s->cap - s->len) {
			s->len += (size_t)n;
			return;
		}

		size_t cap = s->cap == 0 ? 1024 : s->cap * 2;
		char *grown;

		while (cap < s->len + (size_t)n + 1)
			cap *= 2;
		grown = realloc(s->buf, cap);
		if (grown == NULL) {
			s->failed = 1;
			return;
		}
		s->buf = grown;
		s->cap = cap;
	}
}

static char *
sql_finish(struct sql *s)
{
	if (s->failed || s->buf == NULL) {
		free(s->buf);
		return NULL;
	}
	return s->buf;
}

static const char *
staging_type(enum load_type type)
{
	switch (type) {
	case LOAD_DATE: return "date";
	case LOAD_TIMESTAMP: return "timestamptz";
	case LOAD_NUMBER: return "numeric";
	case LOAD_INTEGER: return "bigint";
	case LOAD_BOOL: return "boolean";
	case LOAD_TEXT_ARRAY: return "text[]";
	case LOAD_TEXT:
	case LOAD_CIK:
		break;
	}
	return "text";
}

static bool
stored(const struct load_column *c)
{
	return (c->flags & LOAD_VIRTUAL) == 0;
}

/* Adds the stored columns: "a", "b" with prefix before each name. */
static void
add_columns(struct sql *s, const struct load_kind *k, const char *prefix,
    unsigned with, unsigned without)
{
	int n = 0;

	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];

		if (!stored(c) || (c->flags & with) != with ||
		    (c->flags & without) != 0)
			continue;
		sql_add(s, "%s%s\"%s\"", n++ > 0 ? ", " : "", prefix, c->name);
	}
}

/* The value a changed row gets: the record's, or for LOAD_KEEP columns
 * the stored one when the record's is null. */
static void
add_new_values(struct sql *s, const struct load_kind *k)
{
	int n = 0;

	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];

		if (!stored(c) || (c->flags & LOAD_KEY) != 0)
			continue;
		if (c->flags & LOAD_KEEP)
			sql_add(s, "%scoalesce(excluded.\"%s\", t.\"%s\")",
			    n++ > 0 ? ", " : "", c->name, c->name);
		else
			sql_add(s, "%sexcluded.\"%s\"", n++ > 0 ? ", " : "",
			    c->name);
	}
}

static void
add_company_filter(struct sql *s, const struct load_kind *k, bool exists)
{
	if (k->needs_company)
		sql_add(s, " WHERE %sEXISTS (SELECT 1 FROM companies c"
		    " WHERE c.cik = s.cik)", exists ? "" : "NOT ");
}

/*
 * The values of the latest line of a key in the batch.  A LOAD_KEEP
 * column takes the latest non-null value of the key instead, so that a
 * later record without, say, the SIC code (a company record built from
 * facts) does not erase the one an earlier record of the batch gave.
 */
static void
add_latest_values(struct sql *s, const struct load_kind *k)
{
	sql_add(s, "s.line");
	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];
		int n = 0;

		if (!stored(c))
			continue;
		if ((c->flags & LOAD_KEEP) == 0) {
			sql_add(s, ", s.\"%s\"", c->name);
			continue;
		}
		sql_add(s, ", (SELECT x.\"%s\" FROM \"load_%s\" x WHERE ",
		    c->name, k->table);
		for (size_t j = 0; j < k->ncolumns; j++) {
			const struct load_column *key = &k->columns[j];

			if (!stored(key) || (key->flags & LOAD_KEY) == 0)
				continue;
			sql_add(s, "%sx.\"%s\" = s.\"%s\"", n++ > 0 ? " AND " : "",
			    key->name, key->name);
		}
		sql_add(s, " AND x.\"%s\" IS NOT NULL ORDER BY x.line DESC"
		    " LIMIT 1) AS \"%s\"", c->name, c->name);
	}
}

/*
 * Sources of a LOAD_RANK column, best first.  A filing is the primary
 * record, a value transform derives from filings comes next, and a
 * figure a data vendor publishes (Yahoo) only fills the keys the others
 * leave empty.  The column allows these sources only, so none ranks by
 * the ELSE branch.
 */
static const char *const source_ranks[] = { "sec", "transform", "yahoo" };

static const struct load_column *
rank_column(const struct load_kind *k)
{
	for (size_t i = 0; i < k->ncolumns; i++)
		if (k->columns[i].flags & LOAD_RANK)
			return &k->columns[i];
	return NULL;
}

/* Adds the rank of the source in the row named by prefix: 0 for the
 * best.  The names are the constants above, never input. */
static void
add_rank(struct sql *s, const struct load_kind *k, const char *prefix)
{
	const size_t count = sizeof source_ranks / sizeof source_ranks[0];

	sql_add(s, "CASE %s\"%s\"", prefix, rank_column(k)->name);
	for (size_t i = 0; i < count; i++)
		sql_add(s, " WHEN '%s' THEN %zu", source_ranks[i], i);
	sql_add(s, " ELSE %zu END", count);
}

/* Adds the order that picks the line that wins for its key: the best
 * source, then the latest line. */
static void
add_winner_order(struct sql *s, const struct load_kind *k)
{
	sql_add(s, " ORDER BY ");
	add_columns(s, k, "", LOAD_KEY, 0);
	if (rank_column(k) != NULL) {
		sql_add(s, ", ");
		add_rank(s, k, "");
	}
	sql_add(s, ", line DESC");
}

/*
 * The merge of one kind: the staged rows (the latest line of each key,
 * or one line), inserted, or updated only where a value differs.  It
 * returns the keys merged, the rows inserted and the rows updated: an
 * inserted row has no xmax, an updated one carries the transaction's.
 */
static char *
merge_sql(const struct load_kind *k, bool one_line)
{
	struct sql s = { 0 };
	int n = 0;

	if (one_line) {
		sql_add(&s, "WITH latest AS (SELECT * FROM \"load_%s\" s"
		    " WHERE line = $1)", k->table);
	} else {
		sql_add(&s, "WITH latest AS (SELECT DISTINCT ON (");
		add_columns(&s, k, "", LOAD_KEY, 0);
		sql_add(&s, ") ");
		add_latest_values(&s, k);
		sql_add(&s, " FROM \"load_%s\" s", k->table);
		add_company_filter(&s, k, true);
		add_winner_order(&s, k);
		sql_add(&s, ")");
	}

	sql_add(&s, ", merged AS (INSERT INTO \"%s\" AS t (", k->table);
	add_columns(&s, k, "", 0, 0);
	sql_add(&s, ", \"%s\") SELECT ", k->stamp);
	add_columns(&s, k, "", 0, 0);
	sql_add(&s, ", now() FROM latest ON CONFLICT (");
	add_columns(&s, k, "", LOAD_KEY, 0);
	sql_add(&s, ") DO UPDATE SET ");
	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];

		if (!stored(c) || (c->flags & LOAD_KEY) != 0)
			continue;
		if (c->flags & LOAD_KEEP)
			sql_add(&s, "%s\"%s\" = coalesce(excluded.\"%s\", t.\"%s\")",
			    n++ > 0 ? ", " : "", c->name, c->name, c->name);
		else
			sql_add(&s, "%s\"%s\" = excluded.\"%s\"",
			    n++ > 0 ? ", " : "", c->name, c->name);
	}
	sql_add(&s, ", \"%s\" = excluded.\"%s\" WHERE (", k->stamp, k->stamp);
	add_columns(&s, k, "t.", 0, LOAD_KEY);
	sql_add(&s, ") IS DISTINCT FROM (");
	add_new_values(&s, k);
	sql_add(&s, ")");
	if (rank_column(k) != NULL) {
		sql_add(&s, " AND ");
		add_rank(&s, k, "excluded.");
		sql_add(&s, " <= ");
		add_rank(&s, k, "t.");
	}
	sql_add(&s, " RETURNING t.xmax = 0 AS inserted)"
	    " SELECT (SELECT count(*) FROM latest),"
	    " count(*) FILTER (WHERE inserted),"
	    " count(*) FILTER (WHERE NOT inserted) FROM merged");
	return sql_finish(&s);
}

static char *
staging_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	sql_add(&s, "CREATE TEMP TABLE \"load_%s\" (line bigint NOT NULL",
	    k->table);
	for (size_t i = 0; i < k->ncolumns; i++)
		if (stored(&k->columns[i]))
			sql_add(&s, ", \"%s\" %s", k->columns[i].name,
			    staging_type(k->columns[i].type));
	sql_add(&s, ") ON COMMIT DELETE ROWS");
	return sql_finish(&s);
}

static char *
copy_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	sql_add(&s, "COPY \"load_%s\" (line, ", k->table);
	add_columns(&s, k, "", 0, 0);
	sql_add(&s, ") FROM STDIN");
	return sql_finish(&s);
}

static char *
copy_table_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	sql_add(&s, "COPY \"%s\" (", k->table);
	add_columns(&s, k, "", 0, 0);
	sql_add(&s, ") FROM STDIN");
	return sql_finish(&s);
}

static char *
latest_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	sql_add(&s, "SELECT line FROM (SELECT DISTINCT ON (");
	add_columns(&s, k, "", LOAD_KEY, 0);
	sql_add(&s, ") line FROM \"load_%s\" s", k->table);
	add_company_filter(&s, k, true);
	add_winner_order(&s, k);
	sql_add(&s, ") l ORDER BY line");
	return sql_finish(&s);
}

static char *
orphans_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	if (!k->needs_company)
		return strdup("");
	sql_add(&s, "SELECT line, cik FROM \"load_%s\" s", k->table);
	add_company_filter(&s, k, false);
	sql_add(&s, " ORDER BY line");
	return sql_finish(&s);
}

/* Timestamps come back in the form SEC's acceptanceDateTime has. */
static char *
export_sql(const struct load_kind *k)
{
	struct sql s = { 0 };

	sql_add(&s, "DECLARE export_rows NO SCROLL CURSOR FOR SELECT ");
	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];
		const char *sep = i > 0 ? ", " : "";

		if (!stored(c))
			sql_add(&s, "%s%s", sep, c->export_sql);
		else if (c->type == LOAD_TIMESTAMP)
			sql_add(&s, "%sto_char(t.\"%s\" AT TIME ZONE 'UTC',"
			    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')", sep, c->name);
		else if (c->type == LOAD_TEXT_ARRAY)
			sql_add(&s, "%sarray_to_json(t.\"%s\")::text", sep,
			    c->name);
		else
			sql_add(&s, "%st.\"%s\"", sep, c->name);
	}
	sql_add(&s, " FROM \"%s\" t ORDER BY ", k->table);
	add_columns(&s, k, "t.", LOAD_KEY, 0);
	return sql_finish(&s);
}

/* Builds every kind's statements.  Returns 0, or -1 when out of memory or
 * when a description exceeds what load_stage_record holds. */
int
load_kinds_init(void)
{
	for (int i = 0; i < KIND_COUNT; i++) {
		struct load_kind *k = &load_kinds[i];
		int arrays = 0;

		for (size_t c = 0; c < k->ncolumns; c++)
			arrays += k->columns[c].type == LOAD_TEXT_ARRAY;
		/* load_stage_record has room for this much. */
		if (k->ncolumns > LOAD_MAX_COLUMNS || arrays > 1)
			return -1;
		k->staging_sql = staging_sql(k);
		k->copy_sql = copy_sql(k);
		k->copy_table_sql = copy_table_sql(k);
		k->merge_sql = merge_sql(k, false);
		k->merge_line_sql = merge_sql(k, true);
		k->latest_sql = latest_sql(k);
		k->orphans_sql = orphans_sql(k);
		k->export_sql = export_sql(k);
		if (k->staging_sql == NULL || k->copy_sql == NULL ||
		    k->copy_table_sql == NULL ||
		    k->merge_sql == NULL || k->merge_line_sql == NULL ||
		    k->latest_sql == NULL || k->orphans_sql == NULL ||
		    k->export_sql == NULL)
			return -1;
	}
	return 0;
}

void
load_kinds_free(void)
{
	for (int i = 0; i < KIND_COUNT; i++) {
		struct load_kind *k = &load_kinds[i];

		free(k->staging_sql);
		free(k->copy_sql);
		free(k->copy_table_sql);
		free(k->merge_sql);
		free(k->merge_line_sql);
		free(k->latest_sql);
		free(k->orphans_sql);
		free(k->export_sql);
		k->staging_sql = k->copy_sql = k->merge_sql = NULL;
		k->copy_table_sql = NULL;
		k->merge_line_sql = k->latest_sql = k->orphans_sql = NULL;
		k->export_sql = NULL;
	}
}

/* Returns the kind of that record kind or table name, or -1. */
int
load_kind_find(const char *name)
{
	for (int i = 0; i < KIND_COUNT; i++)
		if (strcmp(name, load_kinds[i].kind) == 0 ||
		    strcmp(name, load_kinds[i].table) == 0)
			return i;
	if (strcmp(name, "metrics") == 0)
		return KIND_METRIC;
	return -1;
}

/* ---- checking and staging ------------------------------------------------- */

/* The rejection of one line, begun at its first broken member. */
struct check {
	struct reject_stream *rs;
	unsigned long line;
	const char *input;
	size_t len;
	int errors;
};

static void check_fail(struct check *ck, const char *rule, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
check_fail(struct check *ck, const char *rule, const char *key,
    const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (ck->errors++ == 0)
		reject_begin(ck->rs, ck->line, ck->input, ck->len);
	reject_add(ck->rs, rule, "member \"%s\": %s", key, reason);
}

static bool
allowed(const struct load_column *c, const char *text)
{
	if (c->allowed == NULL)
		return true;
	for (size_t i = 0; c->allowed[i] != NULL; i++)
		if (strcmp(text, c->allowed[i]) == 0)
			return true;
	return false;
}

static void
check_allowed(struct check *ck, const struct load_column *c, const char *text)
{
	char list[160] = "";

	for (size_t i = 0; c->allowed[i] != NULL; i++) {
		size_t n = strlen(list);
		const char *separator = ", ";

		if (i == 0)
			separator = "";
		else if (c->allowed[i + 1] == NULL)
			separator = " or ";
		snprintf(list + n, sizeof list - n, "%s%s", separator,
		    c->allowed[i]);
	}
	if (ck->errors++ == 0)
		reject_begin(ck->rs, ck->line, ck->input, ck->len);
	reject_add(ck->rs, "format", "member \"%s\": invalid value \"%.40s\":"
	    " use %s", c->name, text, list);
}

/* Formats a JSON array of strings as a PostgreSQL array literal, each
 * element double-quoted with its quotes and backslashes escaped. */
static bool
format_array(const cJSON *item, char *buf, size_t size)
{
	const cJSON *e;
	size_t n = 0;

	buf[n++] = '{';
	cJSON_ArrayForEach(e, item) {
		if (!cJSON_IsString(e))
			return false;
		if (n + 2 >= size)
			return false;
		if (e != item->child)
			buf[n++] = ',';
		buf[n++] = '"';
		for (const char *p = e->valuestring; *p != '\0'; p++) {
			if (n + 4 >= size)
				return false;
			if (*p == '"' || *p == '\\')
				buf[n++] = '\\';
			buf[n++] = *p;
		}
		buf[n++] = '"';
	}
	if (n + 2 > size)
		return false;
	buf[n++] = '}';
	buf[n] = '\0';
	return true;
}

/* Checks one member and formats it as COPY text in buf.  Returns the
 * text, or NULL for a null value or a failure (counted in ck). */
static const char *
check_member(struct check *ck, const struct load_column *c,
    const cJSON *item, char *buf, size_t size)
{
	long long whole;
	long days;

	if (item == NULL || cJSON_IsNull(item)) {
		if (c->flags & LOAD_REQUIRED)
			check_fail(ck, "required", c->name, "%s", "missing or null");
		return NULL;
	}

	switch (c->type) {
	case LOAD_NUMBER:
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) {
			check_fail(ck, "type", c->name, "%s", "not a number");
			return NULL;
		}
		json_format_number(buf, size, item->valuedouble);
		return buf;
	case LOAD_INTEGER:
		/* Whole numbers up to 2^53, which a double represents exactly. */
		if (!cJSON_IsNumber(item) ||
		    fabs(item->valuedouble) > 9007199254740992.0 ||
		    floor(item->valuedouble) != item->valuedouble) {
			check_fail(ck, "type", c->name, "%s", "not a whole number");
			return NULL;
		}
		whole = (long long)item->valuedouble;
		snprintf(buf, size, "%lld", whole);
		return buf;
	case LOAD_BOOL:
		if (!cJSON_IsBool(item)) {
			check_fail(ck, "type", c->name, "%s",
			    "not true or false");
			return NULL;
		}
		return cJSON_IsTrue(item) ? "t" : "f";
	case LOAD_TEXT_ARRAY:
		if (!cJSON_IsArray(item) || !format_array(item, buf, size)) {
			check_fail(ck, "type", c->name, "%s",
			    "not an array of strings");
			return NULL;
		}
		return buf;
	default:
		break;
	}

	if (!cJSON_IsString(item)) {
		check_fail(ck, "type", c->name, "%s", "not a string");
		return NULL;
	}
	if ((c->flags & LOAD_REQUIRED) && item->valuestring[0] == '\0') {
		check_fail(ck, "required", c->name, "%s", "empty string");
		return NULL;
	}
	if (c->type == LOAD_CIK && (strlen(item->valuestring) != 10 ||
	    strspn(item->valuestring, "0123456789") != 10)) {
		check_fail(ck, "format", c->name, "invalid CIK \"%.20s\": use 10"
		    " digits, zero-padded", item->valuestring);
		return NULL;
	}
	if (c->type == LOAD_DATE && !date_parse(item->valuestring, &days)) {
		check_fail(ck, "format", c->name, "invalid date \"%.20s\": use an"
		    " existing date as YYYY-MM-DD", item->valuestring);
		return NULL;
	}
	if (!allowed(c, item->valuestring)) {
		check_allowed(ck, c, item->valuestring);
		return NULL;
	}
	return item->valuestring;
}

/*
 * Finds a member, looking first where the record's member order puts it:
 * at the cursor, or one further when the record has a member the kind
 * does not store (its "kind", a metric's "ticker").  Records written in
 * the contract's order thus cost one comparison per member.
 */
static const cJSON *
find_member(const cJSON *rec, const cJSON **cursor, const char *name)
{
	const cJSON *item = *cursor;

	for (int step = 0; step < 2 && item != NULL; step++, item = item->next)
		if (item->string != NULL && strcmp(item->string, name) == 0)
			break;
	if (item == NULL || item->string == NULL ||
	    strcmp(item->string, name) != 0)
		item = cJSON_GetObjectItemCaseSensitive(rec, name);
	if (item != NULL)
		*cursor = item->next;
	return item;
}

/* FNV-1a: the same text always goes to the same connection. */
static unsigned long
route_hash(const char *text)
{
	unsigned long h = 2166136261u;

	for (; text != NULL && *text != '\0'; text++)
		h = (h ^ (unsigned char)*text) * 16777619u;
	return h;
}

/*
 * Checks a record of kind k and appends it to copy as one COPY row led by
 * its line number, or writes its reject.  *route receives the hash that
 * picks its connection.  Returns 1 staged, 0 rejected, -1 out of memory.
 */
int
load_stage_record(const struct load_kind *k, const cJSON *rec,
    const struct load_line *src, struct pg_copy *copy, unsigned long *route,
    struct reject_stream *rs)
{
	struct check ck = { rs, src->input_line, src->text, src->len, 0 };
	const char *values[LOAD_MAX_COLUMNS];
	char numbers[LOAD_MAX_COLUMNS][40], array[4096], text[24];

	const cJSON *cursor = rec->child;

	*route = 0;
	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];
		const cJSON *item;

		values[i] = NULL;
		if (!stored(c))
			continue;
		item = find_member(rec, &cursor, c->name);
		if (c->type == LOAD_TEXT_ARRAY)
			values[i] = check_member(&ck, c, item, array, sizeof array);
		else
			values[i] = check_member(&ck, c, item, numbers[i],
			    sizeof numbers[i]);
		if (c->flags & LOAD_ROUTE)
			*route = route_hash(values[i]);
	}
	if (ck.errors > 0) {
		reject_end(rs);
		return 0;
	}

	snprintf(text, sizeof text, "%lu", src->line);
	pg_copy_field(copy, text);
	for (size_t i = 0; i < k->ncolumns; i++)
		if (stored(&k->columns[i]))
			pg_copy_field(copy, values[i]);
	pg_copy_end_row(copy);
	return copy->failed ? -1 : 1;
}

/* ---- export ---------------------------------------------------------------- */

/* Writes the members of one stored row of kind k, as its export query
 * selected them. */
void
load_export_row(const struct load_kind *k, struct jsonw *w,
    const PGresult *res, int row)
{
	jsonw_string(w, "kind", k->kind);
	for (size_t i = 0; i < k->ncolumns; i++) {
		const struct load_column *c = &k->columns[i];
		const char *value = PQgetisnull(res, row, (int)i) ? NULL :
		    PQgetvalue(res, row, (int)i);

		if (value == NULL) {
			jsonw_null(w, c->name);
			continue;
		}
		switch (c->type) {
		case LOAD_NUMBER:
			jsonw_number(w, c->name, strtod(value, NULL));
			break;
		case LOAD_INTEGER:
			jsonw_int(w, c->name, strtoll(value, NULL, 10));
			break;
		case LOAD_BOOL:
			jsonw_bool(w, c->name, value[0] == 't');
			break;
		case LOAD_TEXT_ARRAY:
			jsonw_raw(w, c->name, value);
			break;
		default:
			jsonw_string(w, c->name, value);
		}
	}
}
