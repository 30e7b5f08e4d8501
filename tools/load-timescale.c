/*
 * load-timescale: loads company and metric records into PostgreSQL
 * (TimescaleDB when the server has it), applies the schema migrations,
 * and exports stored rows back as records.
 *
 * Input lines are checked, then staged per batch with COPY into temporary
 * tables and merged into companies and financial_metrics with one
 * INSERT ... ON CONFLICT DO UPDATE per table that touches only rows whose
 * values changed.  Each batch is one transaction, so the database never
 * holds half a batch and loading the same input twice changes nothing.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "jsonw.h"
#include "log.h"
#include "migrate.h"
#include "ndjson.h"
#include "pg.h"
#include "promfile.h"
#include "record.h"
#include "reject.h"

#define DEFAULT_BATCH_SIZE 5000
#define MAX_BATCH_SIZE 10000000
#define EXPORT_FETCH_ROWS "10000"

enum load_option {
	OPT_DSN = CLI_OPT_TOOL_FIRST,
	OPT_MIGRATIONS,
	OPT_NO_MIGRATE,
	OPT_EXPORT,
	OPT_BATCH_SIZE,
	OPT_REJECTS,
	OPT_SKIP_UNKNOWN,
	OPT_REJECT_UNKNOWN,
	OPT_MAX_LINE_BYTES,
	OPT_MAX_REJECT_RATIO,
};

enum kind {
	KIND_COMPANY,
	KIND_METRIC,
	KIND_COUNT,
};

static const char *const table_names[KIND_COUNT] = {
	"companies", "financial_metrics",
};

static const char *const kind_names[KIND_COUNT] = { "company", "metric" };

struct options {
	const char *dsn;
	const char *migrations;		/* NULL: the schema folder's */
	const char *rejects;
	int no_migrate;
	int reject_unknown;
	int export;			/* a kind, or -1 */
	unsigned long batch_size;
	size_t max_line;
	double max_reject_ratio;
};

/* What became of the records of one kind. */
struct table_counts {
	unsigned long inserted;
	unsigned long updated;
	unsigned long unchanged;
	unsigned long superseded;	/* an earlier line of the batch, same key */
	unsigned long rejected;
};

/* A staged metric line, kept to reject it if its company is unknown. */
struct staged_line {
	unsigned long line;
	size_t offset;
	size_t len;
};

struct batch {
	struct pg_copy rows[KIND_COUNT];
	unsigned long staged[KIND_COUNT];
	unsigned long first_line;
	unsigned long last_line;
	unsigned long lines;
	char *text;			/* the staged metric lines */
	size_t text_len, text_cap;
	struct staged_line *metric_lines;
	size_t metric_count, metric_cap;
};

struct loader {
	struct options *opt;
	struct pg db;
	struct reject_stream *rejects;
	struct batch batch;
	struct table_counts counts[KIND_COUNT];
	unsigned long lines;
	unsigned long empty;
	unsigned long unknown;
	long long audit_id;
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: load-timescale [options] [FILE...]\n"
"       load-timescale migrate [--dsn=DSN] [--migrations=DIR]\n"
"       load-timescale --export=KIND [--dsn=DSN]\n"
"\n"
"Load company and metric records (NDJSON, from the files or standard input)\n"
"into PostgreSQL, in batches of one transaction each: rows are inserted, or\n"
"updated when a value changed, and loading the same input again changes\n"
"nothing.  The schema migrations are applied first.  'migrate' only applies\n"
"them; --export writes the stored rows of one kind back as records.  The\n"
"connection comes from --dsn, else DATABASE_URL, else libpq's PG* variables.\n"
"\n"
"Options:\n"
"      --dsn=DSN            connection string (URI or key=value pairs)\n"
"      --migrations=DIR     migration files (default: the schema folder's\n"
"                           migrations/)\n"
"      --no-migrate         do not apply migrations: fail if any is pending\n"
"      --export=KIND        write stored records: metric or company\n"
"      --batch-size=N       input lines per transaction (default %d)\n"
"      --rejects=FILE       write rejected lines there as NDJSON\n"
"      --skip-unknown       count records of other kinds as skipped (default)\n"
"      --reject-unknown     reject records of other kinds\n"
"      --max-line-bytes=N   reject longer lines (default %u)\n"
"      --max-reject-ratio=R exit 65 when more than this fraction of lines\n"
"                           is rejected (default 1: never)\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 success, 64 usage, 65 rejects beyond --max-reject-ratio or a\n"
"batch the server refused, 66 missing input file, 70 internal error,\n"
"74 write error, 75 database unreachable or connection lost (retry later),\n"
"78 database schema does not match the migrations.\n",
	    DEFAULT_BATCH_SIZE, NDJSON_DEFAULT_MAX_LINE);
}

/* ---- options ---------------------------------------------------------- */

static int
parse_kind(const char *name)
{
	if (strcmp(name, "metric") == 0 || strcmp(name, "metrics") == 0)
		return KIND_METRIC;
	if (strcmp(name, "company") == 0 || strcmp(name, "companies") == 0)
		return KIND_COMPANY;
	return -1;
}

static unsigned long
parse_count(const char *option, const char *arg, unsigned long max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    n == 0 || n > max)
		cli_usage_error("invalid %s '%s': use a whole number from 1 to %lu",
		    option, arg, max);
	return n;
}


static void
parse_options(int argc, char **argv, struct options *opt,
    struct cli_common *common)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "dsn", required_argument, NULL, OPT_DSN },
		{ "migrations", required_argument, NULL, OPT_MIGRATIONS },
		{ "no-migrate", no_argument, NULL, OPT_NO_MIGRATE },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "skip-unknown", no_argument, NULL, OPT_SKIP_UNKNOWN },
		{ "reject-unknown", no_argument, NULL, OPT_REJECT_UNKNOWN },
		{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE_BYTES },
		{ "max-reject-ratio", required_argument, NULL, OPT_MAX_REJECT_RATIO },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_DSN:
			opt->dsn = optarg;
			break;
		case OPT_MIGRATIONS:
			opt->migrations = optarg;
			break;
		case OPT_NO_MIGRATE:
			opt->no_migrate = 1;
			break;
		case OPT_EXPORT:
			opt->export = parse_kind(optarg);
			if (opt->export < 0)
				cli_usage_error("invalid --export '%s': use metric"
				    " or company", optarg);
			break;
		case OPT_BATCH_SIZE:
			opt->batch_size = parse_count("--batch-size", optarg,
			    MAX_BATCH_SIZE);
			break;
		case OPT_REJECTS:
			opt->rejects = optarg;
			break;
		case OPT_SKIP_UNKNOWN:
			opt->reject_unknown = 0;
			break;
		case OPT_REJECT_UNKNOWN:
			opt->reject_unknown = 1;
			break;
		case OPT_MAX_LINE_BYTES:
			opt->max_line = parse_count("--max-line-bytes", optarg,
			    1024UL * 1024 * 1024);
			break;
		case OPT_MAX_REJECT_RATIO:
			opt->max_reject_ratio = cli_parse_ratio("--max-reject-ratio", optarg);
			break;
		default:
			if (!cli_handle_common(c, optarg, common, usage))
				cli_usage_error("unhandled option");
		}
	}
}

/* ---- validation --------------------------------------------------------- */

/* The rejection of one line, begun at its first broken member. */
struct check {
	struct reject_stream *rs;
	unsigned long line;
	const char *input;
	size_t len;
	int errors;
};

static void
check_fail(struct check *ck, const char *rule, const char *key,
    const char *reason)
{
	if (ck->errors++ == 0)
		reject_begin(ck->rs, ck->line, ck->input, ck->len);
	reject_add(ck->rs, rule, "member \"%s\": %s", key, reason);
}

/* Returns the string member, or NULL when it is null or absent (a
 * failure when required) or not a string (always a failure). */
static const char *
check_text(struct check *ck, const cJSON *rec, const char *key, int required)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(rec, key);

	if (item == NULL || cJSON_IsNull(item)) {
		if (required)
			check_fail(ck, "required", key, "missing or null");
		return NULL;
	}
	if (!cJSON_IsString(item)) {
		check_fail(ck, "type", key, "not a string");
		return NULL;
	}
	if (required && item->valuestring[0] == '\0') {
		check_fail(ck, "required", key, "empty string");
		return NULL;
	}
	return item->valuestring;
}

static const char *
check_cik(struct check *ck, const cJSON *rec)
{
	const char *cik = check_text(ck, rec, "cik", 1);
	char reason[128];

	if (cik == NULL)
		return NULL;
	if (strlen(cik) == 10 && strspn(cik, "0123456789") == 10)
		return cik;
	snprintf(reason, sizeof reason, "invalid CIK \"%.20s\": use 10 digits,"
	    " zero-padded", cik);
	check_fail(ck, "format", "cik", reason);
	return NULL;
}

static const char *
check_date(struct check *ck, const cJSON *rec, const char *key, int required)
{
	const char *text = check_text(ck, rec, key, required);
	char reason[128];
	long days;

	if (text == NULL || date_parse(text, &days))
		return text;
	snprintf(reason, sizeof reason, "invalid date \"%.20s\": use an existing"
	    " date as YYYY-MM-DD", text);
	check_fail(ck, "format", key, reason);
	return NULL;
}

static const char *
check_period_type(struct check *ck, const cJSON *rec)
{
	static const char *const types[] = {
		"instant", "quarter", "ytd", "annual", "ttm", "day",
	};
	const char *text = check_text(ck, rec, "period_type", 1);
	char reason[160];

	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(text, types[i]) == 0)
			return text;
	snprintf(reason, sizeof reason, "invalid period type \"%.20s\": use"
	    " instant, quarter, ytd, annual, ttm or day", text);
	check_fail(ck, "format", "period_type", reason);
	return NULL;
}

/* Formats the value as the shortest decimal that reads back as the same
 * double, which numeric stores exactly. */
static const char *
check_value(struct check *ck, const cJSON *rec, char *buf, size_t size)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(rec, "value");

	if (item == NULL || cJSON_IsNull(item)) {
		check_fail(ck, "required", "value", "missing or null");
		return NULL;
	}
	if (!cJSON_IsNumber(item)) {
		check_fail(ck, "type", "value", "not a number");
		return NULL;
	}
	json_format_number(buf, size, item->valuedouble);
	return buf;
}

static const char *
check_fiscal_year(struct check *ck, const cJSON *rec, char *buf, size_t size)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(rec, "fiscal_year");
	long long year;

	if (item == NULL || cJSON_IsNull(item))
		return NULL;
	if (!record_integer(rec, "fiscal_year", &year) || year < 1 ||
	    year > 9999) {
		check_fail(ck, "type", "fiscal_year",
		    "not a whole number from 1 to 9999");
		return NULL;
	}
	snprintf(buf, size, "%lld", year);
	return buf;
}

/* ---- staging ---------------------------------------------------------- */

static int
keep_metric_line(struct batch *b, unsigned long line, const char *text,
    size_t len)
{
	struct staged_line *s;

	if (b->text_len + len > b->text_cap) {
		size_t cap = b->text_cap == 0 ? 65536 : b->text_cap;
		char *grown;

		while (cap < b->text_len + len)
			cap *= 2;
		grown = realloc(b->text, cap);
		if (grown == NULL)
			return -1;
		b->text = grown;
		b->text_cap = cap;
	}
	if (b->metric_count == b->metric_cap) {
		size_t cap = b->metric_cap == 0 ? 1024 : b->metric_cap * 2;
		struct staged_line *grown = realloc(b->metric_lines,
		    cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		b->metric_lines = grown;
		b->metric_cap = cap;
	}
	memcpy(b->text + b->text_len, text, len);
	s = &b->metric_lines[b->metric_count++];
	s->line = line;
	s->offset = b->text_len;
	s->len = len;
	b->text_len += len;
	return 0;
}

static void
copy_line_number(struct pg_copy *c, unsigned long line)
{
	char text[24];

	snprintf(text, sizeof text, "%lu", line);
	pg_copy_field(c, text);
}

/* Stages a company record, or rejects it.  Returns -1 when out of memory. */
static int
stage_company(struct loader *ld, struct check *ck, const cJSON *rec)
{
	struct pg_copy *c = &ld->batch.rows[KIND_COMPANY];
	const char *cik = check_cik(ck, rec);
	const char *name = check_text(ck, rec, "name", 1);
	const char *ticker = check_text(ck, rec, "ticker", 0);
	const char *category = check_text(ck, rec, "category", 0);
	const char *source = check_text(ck, rec, "source", 0);

	if (ck->errors > 0) {
		reject_end(ck->rs);
		ld->counts[KIND_COMPANY].rejected++;
		return 0;
	}
	copy_line_number(c, ck->line);
	pg_copy_field(c, cik);
	pg_copy_field(c, ticker);
	pg_copy_field(c, name);
	pg_copy_field(c, category);
	pg_copy_field(c, source);
	pg_copy_end_row(c);
	ld->batch.staged[KIND_COMPANY]++;
	return c->failed ? -1 : 0;
}

/* Stages a metric record, or rejects it.  Returns -1 when out of memory. */
static int
stage_metric(struct loader *ld, struct check *ck, const cJSON *rec)
{
	struct pg_copy *c = &ld->batch.rows[KIND_METRIC];
	char value_text[40], year_text[24];
	const char *cik = check_cik(ck, rec);
	const char *metric = check_text(ck, rec, "metric", 1);
	const char *period_type = check_period_type(ck, rec);
	const char *period_end = check_date(ck, rec, "period_end", 1);
	const char *period_start = check_date(ck, rec, "period_start", 0);
	const char *value = check_value(ck, rec, value_text, sizeof value_text);
	const char *unit = check_text(ck, rec, "unit", 1);
	const char *fiscal_year = check_fiscal_year(ck, rec, year_text,
	    sizeof year_text);
	const char *fiscal_period = check_text(ck, rec, "fiscal_period", 0);
	const char *source = check_text(ck, rec, "source", 1);
	const char *source_ref = check_text(ck, rec, "source_ref", 0);
	const char *filed = check_date(ck, rec, "filed", 0);
	const char *concept = check_text(ck, rec, "concept", 0);
	const char *derivation = check_text(ck, rec, "derivation", 0);

	if (ck->errors > 0) {
		reject_end(ck->rs);
		ld->counts[KIND_METRIC].rejected++;
		return 0;
	}
	copy_line_number(c, ck->line);
	pg_copy_field(c, cik);
	pg_copy_field(c, metric);
	pg_copy_field(c, period_type);
	pg_copy_field(c, period_end);
	pg_copy_field(c, period_start);
	pg_copy_field(c, value);
	pg_copy_field(c, unit);
	pg_copy_field(c, fiscal_year);
	pg_copy_field(c, fiscal_period);
	pg_copy_field(c, source);
	pg_copy_field(c, source_ref);
	pg_copy_field(c, filed);
	pg_copy_field(c, concept);
	pg_copy_field(c, derivation);
	pg_copy_end_row(c);
	ld->batch.staged[KIND_METRIC]++;
	if (keep_metric_line(&ld->batch, ck->line, ck->input, ck->len) < 0)
		return -1;
	return c->failed ? -1 : 0;
}

/* Sends one input line to the reject stream, the skip counts or the
 * batch.  Returns -1 when out of memory. */
static int
take_line(struct loader *ld, unsigned long line, const char *text, size_t len)
{
	struct check ck = { ld->rejects, line, text, len, 0 };
	enum record_error error;
	char why[256];
	const char *kind;
	cJSON *rec;
	int status = 0;

	rec = record_parse(text, len, &error, why, sizeof why);
	if (rec == NULL) {
		if (error == RECORD_EMPTY)
			ld->empty++;
		else
			reject_one(ld->rejects, line, text, len,
			    record_error_rule(error), why);
		return 0;
	}

	kind = record_kind(rec);
	if (strcmp(kind, "company") == 0) {
		status = stage_company(ld, &ck, rec);
	} else if (strcmp(kind, "metric") == 0) {
		status = stage_metric(ld, &ck, rec);
	} else if (ld->opt->reject_unknown) {
		snprintf(why, sizeof why, "unknown kind \"%.40s\": load-timescale"
		    " loads company and metric records", kind);
		reject_one(ld->rejects, line, text, len, "kind", why);
	} else {
		ld->unknown++;
	}
	cJSON_Delete(rec);
	return status;
}

/* ---- the batch transaction --------------------------------------------- */

static const char create_staging_sql[] =
	"CREATE TEMP TABLE load_companies ("
	" line bigint NOT NULL, cik text NOT NULL, ticker text,"
	" name text NOT NULL, category text, source text)"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE load_metrics ("
	" line bigint NOT NULL, cik text NOT NULL, metric text NOT NULL,"
	" period_type text NOT NULL, period_end date NOT NULL,"
	" period_start date, value numeric NOT NULL, unit text NOT NULL,"
	" fiscal_year integer, fiscal_period text, source text NOT NULL,"
	" source_ref text, filed date, concept text, derivation text)"
	" ON COMMIT DELETE ROWS";

static const char *const copy_sql[KIND_COUNT] = {
	"COPY load_companies (line, cik, ticker, name, category, source)"
	" FROM STDIN",
	"COPY load_metrics (line, cik, metric, period_type, period_end,"
	" period_start, value, unit, fiscal_year, fiscal_period, source,"
	" source_ref, filed, concept, derivation) FROM STDIN",
};

/*
 * The merges return the keys staged after duplicates were resolved (the
 * latest line wins), then the rows inserted and updated: a row that was
 * inserted has no xmax, an updated one carries the updating transaction's.
 * A null ticker or category keeps the stored one, because a record from
 * SEC data knows neither as well as the company universe does.
 */
static const char *const merge_sql[KIND_COUNT] = {
	"WITH latest AS ("
	"  SELECT DISTINCT ON (cik) cik, ticker, name, category, source"
	"  FROM load_companies ORDER BY cik, line DESC"
	"), merged AS ("
	"  INSERT INTO companies AS t (cik, ticker, name, category, source,"
	"   updated_at)"
	"  SELECT cik, ticker, name, category, source, now() FROM latest"
	"  ON CONFLICT (cik) DO UPDATE SET"
	"   ticker = coalesce(excluded.ticker, t.ticker),"
	"   name = excluded.name,"
	"   category = coalesce(excluded.category, t.category),"
	"   source = excluded.source,"
	"   updated_at = excluded.updated_at"
	"  WHERE (t.ticker, t.name, t.category, t.source) IS DISTINCT FROM"
	"   (coalesce(excluded.ticker, t.ticker), excluded.name,"
	"    coalesce(excluded.category, t.category), excluded.source)"
	"  RETURNING t.xmax = 0 AS inserted"
	") SELECT (SELECT count(*) FROM latest),"
	"  count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
	" FROM merged",

	"WITH latest AS ("
	"  SELECT DISTINCT ON (cik, metric, period_type, period_end) *"
	"  FROM load_metrics s"
	"  WHERE EXISTS (SELECT 1 FROM companies c WHERE c.cik = s.cik)"
	"  ORDER BY cik, metric, period_type, period_end, line DESC"
	"), merged AS ("
	"  INSERT INTO financial_metrics AS t (cik, metric, period_type,"
	"   period_end, period_start, value, unit, fiscal_year, fiscal_period,"
	"   source, source_ref, filed, concept, derivation)"
	"  SELECT cik, metric, period_type, period_end, period_start, value,"
	"   unit, fiscal_year, fiscal_period, source, source_ref, filed,"
	"   concept, derivation FROM latest"
	"  ON CONFLICT (cik, metric, period_type, period_end) DO UPDATE SET"
	"   period_start = excluded.period_start, value = excluded.value,"
	"   unit = excluded.unit, fiscal_year = excluded.fiscal_year,"
	"   fiscal_period = excluded.fiscal_period, source = excluded.source,"
	"   source_ref = excluded.source_ref, filed = excluded.filed,"
	"   concept = excluded.concept, derivation = excluded.derivation,"
	"   loaded_at = now()"
	"  WHERE (t.period_start, t.value, t.unit, t.fiscal_year,"
	"   t.fiscal_period, t.source, t.source_ref, t.filed, t.concept,"
	"   t.derivation) IS DISTINCT FROM (excluded.period_start,"
	"   excluded.value, excluded.unit, excluded.fiscal_year,"
	"   excluded.fiscal_period, excluded.source, excluded.source_ref,"
	"   excluded.filed, excluded.concept, excluded.derivation)"
	"  RETURNING t.xmax = 0 AS inserted"
	") SELECT (SELECT count(*) FROM latest),"
	"  count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
	" FROM merged",
};

/* Metric lines whose company is neither stored nor staged. */
static const char orphans_sql[] =
	"SELECT s.line, s.cik FROM load_metrics s"
	" WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.cik = s.cik)"
	" ORDER BY s.line";

/* Merges one kind's staged rows and adds what happened to counts. */
static int
merge(struct loader *ld, enum kind kind, unsigned long staged,
    struct table_counts *counts)
{
	PGresult *res = pg_query(&ld->db, merge_sql[kind], 0, NULL);
	unsigned long keys;

	if (res == NULL)
		return -1;
	keys = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	counts->inserted += strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	counts->updated += strtoul(PQgetvalue(res, 0, 2), NULL, 10);
	counts->unchanged += keys - strtoul(PQgetvalue(res, 0, 1), NULL, 10) -
	    strtoul(PQgetvalue(res, 0, 2), NULL, 10);
	counts->superseded += staged - keys;
	PQclear(res);
	return 0;
}

static const struct staged_line *
find_metric_line(const struct batch *b, unsigned long line)
{
	size_t lo = 0, hi = b->metric_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->metric_lines[mid].line == line)
			return &b->metric_lines[mid];
		if (b->metric_lines[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Rejects the batch's metric lines whose company is unknown; they stay in
 * staging but the metric merge leaves them out. */
static int
reject_orphans(struct loader *ld, PGresult *orphans)
{
	struct batch *b = &ld->batch;

	for (int row = 0; row < PQntuples(orphans); row++) {
		unsigned long line = strtoul(PQgetvalue(orphans, row, 0), NULL, 10);
		const struct staged_line *s = find_metric_line(b, line);
		char why[200];

		if (s == NULL)
			return -1;
		snprintf(why, sizeof why, "no company with cik %s in the database"
		    " or in this batch: load its company record first",
		    PQgetvalue(orphans, row, 1));
		reject_one(ld->rejects, line, b->text + s->offset, s->len,
		    "company", why);
	}
	return 0;
}

/* Runs the batch's statements inside its transaction.  Returns 0, or -1
 * with the reason in ld->db.error. */
static int
run_batch(struct loader *ld, struct table_counts *counts, PGresult **orphans)
{
	struct batch *b = &ld->batch;
	unsigned long metrics_staged;

	if (pg_exec(&ld->db, "BEGIN", 0, NULL) < 0)
		return -1;
	for (int kind = 0; kind < KIND_COUNT; kind++)
		if (b->staged[kind] > 0 &&
		    pg_copy_send(&ld->db, copy_sql[kind], &b->rows[kind]) < 0)
			return -1;

	/* Companies first, so metrics of a company new in this batch find it. */
	if (b->staged[KIND_COMPANY] > 0 &&
	    merge(ld, KIND_COMPANY, b->staged[KIND_COMPANY],
	    &counts[KIND_COMPANY]) < 0)
		return -1;
	if (b->staged[KIND_METRIC] > 0) {
		*orphans = pg_query(&ld->db, orphans_sql, 0, NULL);
		if (*orphans == NULL)
			return -1;
		metrics_staged = b->staged[KIND_METRIC] -
		    (unsigned long)PQntuples(*orphans);
		counts[KIND_METRIC].rejected += (unsigned long)PQntuples(*orphans);
		if (merge(ld, KIND_METRIC, metrics_staged, &counts[KIND_METRIC]) < 0)
			return -1;
	}
	return pg_exec(&ld->db, "COMMIT", 0, NULL);
}

static void
reset_batch(struct batch *b)
{
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		pg_copy_reset(&b->rows[kind]);
		b->staged[kind] = 0;
	}
	b->lines = 0;
	b->text_len = 0;
	b->metric_count = 0;
}

/*
 * Commits the batch, then counts it and writes its rejects, so both
 * describe only what the database kept.  On failure the transaction is
 * rolled back and the message names the batch's lines, from where a rerun
 * may resume.  Returns an exit status.
 */
static int
flush_batch(struct loader *ld, const char *input)
{
	struct batch *b = &ld->batch;
	struct table_counts counts[KIND_COUNT];
	PGresult *orphans = NULL;
	int status = EXIT_OK;

	if (b->staged[KIND_COMPANY] + b->staged[KIND_METRIC] == 0) {
		reset_batch(b);
		return EXIT_OK;
	}
	memset(counts, 0, sizeof counts);
	if (run_batch(ld, counts, &orphans) < 0) {
		int lost = pg_connection_lost(&ld->db);

		log_error("%s: lines %lu-%lu: %s, so this batch was rolled back: %s;"
		    " %s and load again from line %lu",
		    input, b->first_line, b->last_line,
		    lost ? "connection to the database lost" : "the server"
		    " refused the batch", ld->db.error,
		    lost ? "when the database is back, keep the lines before"
		    " this batch" : "fix the input", b->first_line);
		if (!lost)
			PQclear(PQexec(ld->db.conn, "ROLLBACK"));
		status = lost ? EXIT_TEMPFAIL : EXIT_DATAERR;
	} else if (orphans != NULL && reject_orphans(ld, orphans) < 0) {
		log_error("%s: a rejected line is missing from the batch", input);
		status = EXIT_SOFTWARE;
	}
	PQclear(orphans);
	if (status == EXIT_OK) {
		for (int kind = 0; kind < KIND_COUNT; kind++) {
			ld->counts[kind].inserted += counts[kind].inserted;
			ld->counts[kind].updated += counts[kind].updated;
			ld->counts[kind].unchanged += counts[kind].unchanged;
			ld->counts[kind].superseded += counts[kind].superseded;
			ld->counts[kind].rejected += counts[kind].rejected;
		}
		log_debug("%s: lines %lu-%lu committed", input, b->first_line,
		    b->last_line);
	}
	reset_batch(b);
	return status;
}

/* ---- input ---------------------------------------------------------------- */

/* Loads one input stream batch by batch.  Returns an exit status. */
static int
load_stream(struct loader *ld, FILE *fp, const char *input)
{
	struct ndjson_reader *reader = ndjson_open(fp, ld->opt->max_line);
	struct batch *b = &ld->batch;
	enum ndjson_status st;
	char *line, why[128];
	size_t len;
	int status = EXIT_OK;

	if (reader == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	while (status == EXIT_OK &&
	    (st = ndjson_next(reader, &line, &len)) != NDJSON_EOF) {
		unsigned long n = ndjson_line_number(reader);

		if (st == NDJSON_READ_ERROR) {
			log_error("%s: read error after line %lu: %s", input, n,
			    strerror(errno));
			status = EXIT_IOERR;
			break;
		}
		if (b->lines++ == 0)
			b->first_line = n;
		b->last_line = n;
		ld->lines++;
		if (st == NDJSON_TOO_LONG) {
			snprintf(why, sizeof why, "line longer than %zu bytes",
			    ld->opt->max_line);
			reject_one(ld->rejects, n, line, len, "line-length", why);
		} else if (take_line(ld, n, line, len) < 0) {
			log_error("%s: line %lu: out of memory", input, n);
			status = EXIT_SOFTWARE;
			break;
		}
		if (b->lines >= ld->opt->batch_size)
			status = flush_batch(ld, input);
	}
	/* The lines read before a read error are loaded all the same. */
	if (status == EXIT_OK || status == EXIT_IOERR) {
		int flushed = flush_batch(ld, input);

		if (flushed != EXIT_OK)
			status = flushed;
	}
	ndjson_close(reader);
	return status;
}

/* ---- audit and summary -------------------------------------------------- */

static char *
input_names(int argc, char **argv)
{
	size_t size = 2;
	char *names;

	for (int i = 0; i < argc; i++)
		size += strlen(argv[i]) + 1;
	names = malloc(size);
	if (names == NULL)
		return NULL;
	strcpy(names, argc == 0 ? "-" : "");
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(names, " ");
		strcat(names, argv[i]);
	}
	return names;
}

static int
audit_start(struct loader *ld, const char *input)
{
	const char *params[] = { CORPINTEL_VERSION, input };
	PGresult *res;

	res = pg_query(&ld->db, "INSERT INTO load_audit (tool_version, input)"
	    " VALUES ($1, $2) RETURNING id", 2, params);
	if (res == NULL) {
		log_error("load_audit: %s", ld->db.error);
		return pg_connection_lost(&ld->db) ? EXIT_TEMPFAIL : EXIT_CONFIG;
	}
	ld->audit_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return EXIT_OK;
}

/* Records the run's counts; a connection already lost leaves the row
 * with status "running", which is what is known of it. */
static void
audit_finish(struct loader *ld, int status)
{
	char id[24], lines[24], skipped[24], rejected[24];
	const char *params[6];
	struct jsonw w = { 0 };

	if (ld->audit_id == 0 || pg_connection_lost(&ld->db))
		return;
	jsonw_begin(&w);
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		const struct table_counts *c = &ld->counts[kind];

		jsonw_open_object(&w, kind_names[kind]);
		jsonw_int(&w, "inserted", (long long)c->inserted);
		jsonw_int(&w, "updated", (long long)c->updated);
		jsonw_int(&w, "unchanged", (long long)c->unchanged);
		jsonw_int(&w, "superseded", (long long)c->superseded);
		jsonw_int(&w, "rejected", (long long)c->rejected);
		jsonw_close_object(&w);
	}
	jsonw_end(&w);

	snprintf(id, sizeof id, "%lld", ld->audit_id);
	snprintf(lines, sizeof lines, "%lu", ld->lines);
	snprintf(skipped, sizeof skipped, "%lu", ld->empty + ld->unknown);
	snprintf(rejected, sizeof rejected, "%lu", reject_count(ld->rejects));
	params[0] = id;
	params[1] = lines;
	params[2] = skipped;
	params[3] = rejected;
	params[4] = w.failed ? "{}" : w.buf;
	params[5] = status == EXIT_OK ? "ok" : "failed";
	if (pg_exec(&ld->db, "UPDATE load_audit SET finished_at = now(),"
	    " lines = $2, skipped = $3, rejected = $4, counts = $5, status = $6"
	    " WHERE id = $1", 6, params) < 0)
		log_warn("load_audit: %s", ld->db.error);
	jsonw_free(&w);
}

static unsigned long
records(const struct table_counts *c)
{
	return c->inserted + c->updated + c->unchanged + c->superseded;
}

static void
summarize(const struct loader *ld)
{
	unsigned long total = 0;

	for (int kind = 0; kind < KIND_COUNT; kind++)
		total += records(&ld->counts[kind]);
	log_info("%lu lines: %lu records, %lu skipped (empty %lu, unknown kind"
	    " %lu), %lu rejected", ld->lines, total, ld->empty + ld->unknown,
	    ld->empty, ld->unknown, reject_count(ld->rejects));
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		const struct table_counts *c = &ld->counts[kind];

		log_info("%s: %lu inserted, %lu updated, %lu unchanged,"
		    " %lu superseded, %lu rejected", table_names[kind],
		    c->inserted, c->updated, c->unchanged, c->superseded,
		    c->rejected);
	}
}

static int
write_metrics(const struct loader *ld, const char *path)
{
	static const char *const results[] = {
		"inserted", "updated", "unchanged", "superseded", "rejected",
	};
	struct promfile *pf = promfile_new();
	unsigned long total = 0;
	int status;

	for (int kind = 0; kind < KIND_COUNT; kind++) {
		const struct table_counts *c = &ld->counts[kind];
		const unsigned long values[] = {
			c->inserted, c->updated, c->unchanged, c->superseded,
			c->rejected,
		};

		total += records(c);
		for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
			char labels[96];

			snprintf(labels, sizeof labels, "table=\"%s\",result=\"%s\"",
			    table_names[kind], results[i]);
			promfile_counter(pf, "corpintel_rows_total",
			    "Records per table and what the load did with them",
			    labels, (double)values[i]);
		}
	}
	promfile_counter(pf, "corpintel_lines_total", "Input lines read", NULL,
	    (double)ld->lines);
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records merged into the database", NULL, (double)total);
	promfile_counter(pf, "corpintel_rejects_total", "Lines rejected", NULL,
	    (double)reject_count(ld->rejects));
	promfile_counter(pf, "corpintel_skipped_total", "Lines skipped",
	    "reason=\"empty\"", (double)ld->empty);
	promfile_counter(pf, "corpintel_skipped_total", "Lines skipped",
	    "reason=\"unknown_kind\"", (double)ld->unknown);
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status;
}

/* ---- export --------------------------------------------------------------- */

static const char *const export_sql[KIND_COUNT] = {
	"DECLARE export_rows NO SCROLL CURSOR FOR"
	" SELECT cik, ticker, name, category, source FROM companies ORDER BY cik",
	"DECLARE export_rows NO SCROLL CURSOR FOR"
	" SELECT m.cik, c.ticker, m.metric, m.value, m.unit, m.period_type,"
	" m.period_start, m.period_end, m.fiscal_year, m.fiscal_period,"
	" m.source, m.source_ref, m.filed, m.concept, m.derivation"
	" FROM financial_metrics m JOIN companies c ON c.cik = m.cik"
	" ORDER BY m.cik, m.metric, m.period_type, m.period_end",
};

static const char *
field(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static void
write_company(struct jsonw *w, const PGresult *res, int row)
{
	jsonw_string(w, "kind", "company");
	jsonw_string(w, "cik", field(res, row, 0));
	jsonw_string(w, "ticker", field(res, row, 1));
	jsonw_string(w, "name", field(res, row, 2));
	jsonw_string(w, "category", field(res, row, 3));
	jsonw_string(w, "source", field(res, row, 4));
}

static void
write_metric(struct jsonw *w, const PGresult *res, int row)
{
	const char *year = field(res, row, 8);

	jsonw_string(w, "kind", "metric");
	jsonw_string(w, "cik", field(res, row, 0));
	jsonw_string(w, "ticker", field(res, row, 1));
	jsonw_string(w, "metric", field(res, row, 2));
	jsonw_number(w, "value", strtod(field(res, row, 3), NULL));
	jsonw_string(w, "unit", field(res, row, 4));
	jsonw_string(w, "period_type", field(res, row, 5));
	jsonw_string(w, "period_start", field(res, row, 6));
	jsonw_string(w, "period_end", field(res, row, 7));
	if (year != NULL)
		jsonw_int(w, "fiscal_year", strtoll(year, NULL, 10));
	else
		jsonw_null(w, "fiscal_year");
	jsonw_string(w, "fiscal_period", field(res, row, 9));
	jsonw_string(w, "source", field(res, row, 10));
	jsonw_string(w, "source_ref", field(res, row, 11));
	jsonw_string(w, "filed", field(res, row, 12));
	jsonw_string(w, "concept", field(res, row, 13));
	jsonw_string(w, "derivation", field(res, row, 14));
}

/* Writes the stored rows of one kind as records, ordered by key, fetching
 * them through a cursor so memory stays constant in the table's size. */
static int
export_rows(struct pg *db, enum kind kind, unsigned long *written)
{
	struct jsonw w = { 0 };
	PGresult *res = NULL;
	int rows;

	if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
	    NULL) < 0 || pg_exec(db, export_sql[kind], 0, NULL) < 0)
		goto fail;
	do {
		res = pg_query(db, "FETCH " EXPORT_FETCH_ROWS " FROM export_rows",
		    0, NULL);
		if (res == NULL)
			goto fail;
		rows = PQntuples(res);
		for (int row = 0; row < rows; row++) {
			jsonw_begin(&w);
			if (kind == KIND_COMPANY)
				write_company(&w, res, row);
			else
				write_metric(&w, res, row);
			jsonw_end(&w);
			if (jsonw_write(&w, stdout) != 0)
				cli_exit_write_error();
			(*written)++;
		}
		PQclear(res);
	} while (rows > 0);
	jsonw_free(&w);
	if (pg_exec(db, "COMMIT", 0, NULL) < 0)
		goto fail;
	return EXIT_OK;
fail:
	jsonw_free(&w);
	log_error("export of %s: %s", table_names[kind], db->error);
	return pg_connection_lost(db) ? EXIT_TEMPFAIL : EXIT_SOFTWARE;
}

/* ---- main ----------------------------------------------------------------- */

static int
load_inputs(struct loader *ld, int argc, char **argv)
{
	int status = EXIT_OK;

	if (argc == 0)
		return load_stream(ld, stdin, "stdin");
	for (int i = 0; i < argc && (status == EXIT_OK ||
	    status == EXIT_NOINPUT); i++) {
		FILE *fp;
		int st;

		if (strcmp(argv[i], "-") == 0) {
			st = load_stream(ld, stdin, "stdin");
		} else if ((fp = fopen(argv[i], "r")) == NULL) {
			log_error("%s: %s", argv[i], strerror(errno));
			st = EXIT_NOINPUT;
		} else {
			st = load_stream(ld, fp, argv[i]);
			fclose(fp);
		}
		if (st != EXIT_OK)
			status = st;
	}
	return status;
}

/* Applies or checks the migrations, as the run asks.  Returns an exit
 * status. */
static int
prepare_schema(struct pg *db, const struct options *opt, enum migrate_mode mode)
{
	char dir[4096];
	int status;

	if (opt->migrations != NULL)
		snprintf(dir, sizeof dir, "%s", opt->migrations);
	else if (cli_schema_path(dir, sizeof dir, "migrations") < 0) {
		log_error("schema folder path too long");
		return EXIT_SOFTWARE;
	}
	status = migrate_run(db, dir, mode);
	if (status == EXIT_OK && mode == MIGRATE_APPLY)
		status = migrate_timescaledb(db);
	return status;
}

static int
run_load(struct loader *ld, int argc, char **argv)
{
	char *names;
	int status;

	if (pg_exec_script(&ld->db, create_staging_sql) < 0) {
		log_error("creating the staging tables: %s", ld->db.error);
		return pg_connection_lost(&ld->db) ? EXIT_TEMPFAIL : EXIT_SOFTWARE;
	}
	names = input_names(argc, argv);
	if (names == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	status = audit_start(ld, names);
	free(names);
	if (status != EXIT_OK)
		return status;

	status = load_inputs(ld, argc, argv);
	audit_finish(ld, status);
	summarize(ld);
	if (status == EXIT_OK && ld->lines > 0 &&
	    (double)reject_count(ld->rejects) / (double)ld->lines >
	    ld->opt->max_reject_ratio) {
		log_error("%lu of %lu lines rejected, more than --max-reject-ratio"
		    " %g", reject_count(ld->rejects), ld->lines,
		    ld->opt->max_reject_ratio);
		status = EXIT_DATAERR;
	}
	return status;
}

static void
free_loader(struct loader *ld)
{
	for (int kind = 0; kind < KIND_COUNT; kind++)
		pg_copy_free(&ld->batch.rows[kind]);
	free(ld->batch.text);
	free(ld->batch.metric_lines);
	pg_close(&ld->db);
}

int
main(int argc, char **argv)
{
	struct options opt = {
		.export = -1,
		.batch_size = DEFAULT_BATCH_SIZE,
		.max_line = NDJSON_DEFAULT_MAX_LINE,
		.max_reject_ratio = 1,
	};
	struct cli_common common = { 0 };
	struct loader ld = { 0 };
	int migrate_only = 0, status, rejects_status = 0;
	unsigned long exported = 0;

	cli_init(argc, argv);
	parse_options(argc, argv, &opt, &common);
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "migrate") == 0) {
		migrate_only = 1;
		if (argc > 1)
			cli_usage_error("migrate takes no file: '%s'", argv[1]);
		if (opt.export >= 0)
			cli_usage_error("migrate and --export exclude each other");
	}
	if (opt.export >= 0 && argc > 0)
		cli_usage_error("--export takes no input file: '%s'", argv[0]);
	ld.opt = &opt;

	/* Connect before reading any input: a database that is down fails
	 * the run at once, and nothing is consumed from a pipe. */
	if (pg_open(&ld.db, opt.dsn) < 0) {
		log_error("cannot connect to the database (settings from %s): %s",
		    pg_dsn_origin(opt.dsn), ld.db.error);
		pg_close(&ld.db);
		return EXIT_TEMPFAIL;
	}

	if (migrate_only) {
		status = prepare_schema(&ld.db, &opt, MIGRATE_APPLY);
	} else if (opt.export >= 0) {
		status = prepare_schema(&ld.db, &opt, MIGRATE_CHECK);
		if (status == EXIT_OK)
			status = export_rows(&ld.db, opt.export, &exported);
		log_info("%lu %s records written", exported,
		    kind_names[opt.export]);
	} else {
		status = prepare_schema(&ld.db, &opt,
		    opt.no_migrate ? MIGRATE_CHECK : MIGRATE_APPLY);
		if (status == EXIT_OK) {
			ld.rejects = reject_open(opt.rejects);
			status = ld.rejects != NULL ? run_load(&ld, argc, argv) :
			    EXIT_IOERR;
			if (ld.rejects != NULL && common.metrics_file != NULL &&
			    write_metrics(&ld, common.metrics_file) < 0 &&
			    status == EXIT_OK)
				status = EXIT_IOERR;
			rejects_status = reject_close(ld.rejects);
		}
	}
	free_loader(&ld);

	if (rejects_status < 0 && status == EXIT_OK)
		status = EXIT_IOERR;
	if (cli_finish_stdout() != EXIT_OK && status == EXIT_OK)
		status = EXIT_IOERR;
	return status;
}
