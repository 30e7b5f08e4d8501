/*
 * load-timescale: loads canonical records (companies, metrics, filings,
 * prices, price events and the two marts) into PostgreSQL, TimescaleDB
 * when the server has it, applies the schema migrations, and exports
 * stored rows back as records.
 *
 * A reader checks each input line and stages it in the batch of one
 * worker connection.  A hash of the record's company (or ticker, or
 * category) chooses the connection, so every version of a key goes
 * through the same connection in input order.  A worker copies its batch into temporary
 * staging tables with COPY and merges each table with one
 * INSERT ... ON CONFLICT DO UPDATE that touches only rows whose values
 * changed.  Each batch is one transaction, so the database never contains
 * half a batch and loading the same input twice changes nothing.  When
 * the server refuses a batch, the worker loads it again row by row behind
 * savepoints and rejects only the rows the server refuses.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inputs.h"
#include "jsonw.h"
#include "load_kinds.h"
#include "log.h"
#include "migrate.h"
#include "ndjson.h"
#include "pg.h"
#include "promfile.h"
#include "record.h"
#include "reject.h"

#define DEFAULT_BATCH_SIZE 5000
#define MAX_BATCH_SIZE 10000000
#define MAX_JOBS 64
#define EXPORT_FETCH_ROWS "10000"

/* Per worker: one batch being filled, one queued, one being loaded. */
#define BATCH_BUFFERS 3

/* A batch that meets a deadlock or a serialization failure is tried
 * again whole this many times before it is loaded row by row. */
#define BATCH_TRIES 3

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
	OPT_JOBS,
	OPT_TO,
	OPT_DOWN,
	OPT_REQUIRE_TIMESCALEDB,
	OPT_COMPRESS_AFTER,
};

struct options {
	const char *dsn;
	const char *migrations;		/* NULL: the schema folder's */
	const char *rejects;
	int no_migrate;
	int reject_unknown;
	int export;			/* a kind, or -1 */
	int migrate_to;			/* MIGRATE_NEWEST or a version */
	int migrate_down;
	unsigned long batch_size;
	unsigned long jobs;
	size_t max_line;
	double max_reject_ratio;
	struct timescale_options timescale;
};

/* The outcome counts of the records of one kind. */
struct table_counts {
	unsigned long inserted;
	unsigned long updated;
	unsigned long unchanged;
	unsigned long superseded;	/* an earlier line of the batch, same key */
	unsigned long rejected;
};

/* A staged record: its COPY row and its input line, for a reject. */
struct staged_line {
	unsigned long line;
	size_t row_offset, row_len;	/* in the kind's COPY data */
	size_t text_offset, text_len;	/* in the batch's text */
};

struct staged_kind {
	struct pg_copy rows;
	struct staged_line *lines;	/* in line order */
	size_t count, cap;
};

struct batch {
	struct staged_kind kinds[KIND_COUNT];
	char *text;			/* the staged input lines */
	size_t text_len, text_cap;
	int input;			/* index of the input it came from */
	unsigned long first_line;	/* its first staged line */
	unsigned long last_line;
	unsigned long staged;
};

/* A row the server rejected, written to the reject stream only when the
 * rest of its batch has been committed. */
struct row_reject {
	int kind;
	unsigned long line;
	const char *rule;
	char *reason;
};

struct loader;

struct worker {
	struct loader *ld;
	int index;
	pthread_t thread;
	struct pg db;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch buffers[BATCH_BUFFERS];
	struct batch *free_batches[BATCH_BUFFERS];
	int free_count;
	struct batch *queued;		/* handed over, not yet taken */
	struct batch *filling;		/* owned by the reader */
	int closing;			/* the reader sends no more */
	int status;			/* an exit status */
	struct table_counts counts[KIND_COUNT];
	int copy_first[KIND_COUNT];	/* try COPY into the table first */
	struct row_reject *row_rejects;
	size_t row_reject_count, row_reject_cap;
};

/* The start of a rerun: the first line of the earliest input whose batch
 * was not committed. */
struct resume_point {
	int set;
	int input;
	unsigned long line;
};

struct loader {
	struct options *opt;
	struct pg db;			/* migrations, audit, export */
	struct reject_stream *rejects;
	struct pg_copy scratch;		/* the row being checked */
	struct worker *workers;
	unsigned long nworkers;
	char **inputs;			/* names of the inputs, for messages */
	int ninputs;
	unsigned long *lines_before;	/* per input: lines of those before */
	pthread_mutex_t lock;		/* rejects, stop and resume */
	int stop;			/* a batch failed or a signal came */
	struct resume_point resume;
	struct table_counts rejected[KIND_COUNT];	/* by the reader */
	unsigned long lines;
	unsigned long empty;
	unsigned long unknown;
	long long audit_id;
};

static volatile sig_atomic_t caught_signal;

static const char *
input_label(const struct loader *ld, int input)
{
	return strcmp(ld->inputs[input], "-") == 0 ? "stdin" : ld->inputs[input];
}

/* Rejects a line of an input.  Rejects count the lines of all inputs,
 * as the other tools do, while batches and resume points count the
 * lines of their own input.  Takes the lock. */
static void
reject_input_line(struct loader *ld, int input, unsigned long line,
    const char *text, size_t len, const char *rule, const char *reason)
{
	pthread_mutex_lock(&ld->lock);
	reject_one(ld->rejects, ld->lines_before[input] + line, text, len,
	    rule, reason);
	pthread_mutex_unlock(&ld->lock);
}

static void
usage(FILE *out)
{
	fprintf(out,
"usage: load-timescale [options] [FILE...]\n"
"       load-timescale migrate [--to=N] [--down] [--dsn=DSN] [--migrations=DIR]\n"
"       load-timescale --export=KIND [--dsn=DSN]\n"
"\n"
"Load canonical records (NDJSON, from the files or standard input) into\n"
"PostgreSQL: company, metric, filing, price, price_event,\n"
"mart_company_performance and mart_competitive_landscape.  Records go in\n"
"batches of one transaction each: rows are inserted, or updated when a value\n"
"changed, and loading the same input again changes nothing.  A row the\n"
"server refuses is rejected with the server's message and the rest of its\n"
"batch loads.  The schema migrations are applied first.  'migrate' only\n"
"migrates, to the newest version or to --to; --down reverts.  --export\n"
"writes the stored rows of one kind back as records.  The connection comes\n"
"from --dsn, else DATABASE_URL, else libpq's PG* variables.\n"
"\n"
"Options:\n"
"      --dsn=DSN            connection string (URI or key=value pairs)\n"
"      --migrations=DIR     migration files (default: the schema folder's\n"
"                           migrations/)\n"
"      --no-migrate         do not apply migrations: fail if any is pending\n"
"      --to=N               migrate: stop at (or with --down revert to)\n"
"                           schema version N\n"
"      --down               migrate: revert the migrations above --to (default:\n"
"                           the newest applied one)\n"
"      --require-timescaledb  fail (exit 69) when the server lacks TimescaleDB\n"
"      --compress-after=INTERVAL  with TimescaleDB, compress chunks older\n"
"                           than INTERVAL (for example '2 years')\n"
"      --export=KIND        write stored records of one kind\n"
"      --jobs=N             load through N connections (default 1)\n"
"      --batch-size=N       records per transaction and connection, and input\n"
"                           lines before a partial batch is sent (default %d)\n"
"      --rejects=FILE       write rejected lines there as NDJSON\n"
"      --reject-unknown     reject records of other kinds (default)\n"
"      --skip-unknown       count records of other kinds as skipped\n"
"      --max-line-bytes=N   reject longer lines (default %u)\n"
"      --max-reject-ratio=R exit 65 when more than this fraction of lines\n"
"                           is rejected (default 1: never)\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 success, 64 usage, 65 rejects beyond --max-reject-ratio or a\n"
"batch that failed as a whole, 66 missing input file, 69 TimescaleDB\n"
"required but missing, 70 internal error, 74 write error, 75 database\n"
"unreachable or connection lost (retry later), 78 database schema does not\n"
"match the migrations, 130 or 143 stopped by SIGINT or SIGTERM.\n",
	    DEFAULT_BATCH_SIZE, NDJSON_DEFAULT_MAX_LINE);
}

/* ---- options ---------------------------------------------------------- */

static unsigned long
parse_count(const char *option, const char *arg, unsigned long min,
    unsigned long max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    n < min || n > max)
		cli_usage_error("invalid %s '%s': use a whole number from %lu"
		    " to %lu", option, arg, min, max);
	return n;
}

static void
kind_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < KIND_COUNT && n < size; i++) {
		const char *separator = ", ";

		if (i == 0)
			separator = "";
		else if (i == KIND_COUNT - 1)
			separator = " or ";
		n += (size_t)snprintf(buf + n, size - n, "%s%s", separator,
		    load_kinds[i].kind);
	}
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
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "to", required_argument, NULL, OPT_TO },
		{ "down", no_argument, NULL, OPT_DOWN },
		{ "require-timescaledb", no_argument, NULL,
		  OPT_REQUIRE_TIMESCALEDB },
		{ "compress-after", required_argument, NULL, OPT_COMPRESS_AFTER },
		{ NULL, 0, NULL, 0 },
	};
	char kinds[256];
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
			opt->export = load_kind_find(optarg);
			if (opt->export < 0) {
				kind_list(kinds, sizeof kinds);
				cli_usage_error("invalid --export '%s': use %s",
				    optarg, kinds);
			}
			break;
		case OPT_BATCH_SIZE:
			opt->batch_size = parse_count("--batch-size", optarg, 1,
			    MAX_BATCH_SIZE);
			break;
		case OPT_JOBS:
			opt->jobs = parse_count("--jobs", optarg, 1, MAX_JOBS);
			break;
		case OPT_TO:
			opt->migrate_to = (int)parse_count("--to", optarg, 0,
			    999999999);
			break;
		case OPT_DOWN:
			opt->migrate_down = 1;
			break;
		case OPT_REQUIRE_TIMESCALEDB:
			opt->timescale.required = 1;
			break;
		case OPT_COMPRESS_AFTER:
			if (optarg[0] == '\0')
				cli_usage_error("invalid --compress-after '': use"
				    " an interval such as '2 years'");
			opt->timescale.compress_after = optarg;
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
			opt->max_line = parse_count("--max-line-bytes", optarg, 1,
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

/* ---- batches ---------------------------------------------------------------- */

static int
grow(void **items, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap == 0 ? first : *cap;
	void *grown;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	grown = realloc(*items, n * size);
	if (grown == NULL)
		return -1;
	*items = grown;
	*cap = n;
	return 0;
}

static void
reset_batch(struct batch *b)
{
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		pg_copy_reset(&b->kinds[kind].rows);
		b->kinds[kind].count = 0;
	}
	b->text_len = 0;
	b->staged = 0;
	b->first_line = 0;
	b->last_line = 0;
}

static void
free_batch(struct batch *b)
{
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		pg_copy_free(&b->kinds[kind].rows);
		free(b->kinds[kind].lines);
	}
	free(b->text);
}

/* Keeps the input line of the row just staged, for its reject. */
static int
keep_line(struct batch *b, int kind, unsigned long line, size_t row_offset,
    const char *text, size_t len)
{
	struct staged_kind *k = &b->kinds[kind];
	struct staged_line *s;

	if (grow((void **)&b->text, &b->text_cap, b->text_len + len, 1,
	    65536) < 0 ||
	    grow((void **)&k->lines, &k->cap, k->count + 1, sizeof *k->lines,
	    1024) < 0)
		return -1;
	memcpy(b->text + b->text_len, text, len);
	s = &k->lines[k->count++];
	s->line = line;
	s->row_offset = row_offset;
	s->row_len = k->rows.len - row_offset;
	s->text_offset = b->text_len;
	s->text_len = len;
	b->text_len += len;
	if (b->staged++ == 0)
		b->first_line = line;
	b->last_line = line;
	return 0;
}

static const struct staged_line *
find_line(const struct staged_kind *k, unsigned long line)
{
	size_t lo = 0, hi = k->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->lines[mid].line == line)
			return &k->lines[mid];
		if (k->lines[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- stopping and resuming -------------------------------------------------- */

/* The first SIGINT or SIGTERM stops the load after the batches already
 * sent; a second one ends the process at once, as the default action. */
static void
catch_signal(int signo)
{
	if (caught_signal != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	caught_signal = signo;
}

static int
stopped(struct loader *ld)
{
	int stop;

	pthread_mutex_lock(&ld->lock);
	stop = ld->stop || caught_signal != 0;
	pthread_mutex_unlock(&ld->lock);
	return stop;
}

/* Notes that the lines of a batch from line on were not loaded, so a
 * rerun must start there at the latest. */
static void
note_unloaded(struct loader *ld, int input, unsigned long line)
{
	struct resume_point *r = &ld->resume;

	pthread_mutex_lock(&ld->lock);
	if (!r->set || input < r->input ||
	    (input == r->input && line < r->line)) {
		r->set = 1;
		r->input = input;
		r->line = line;
	}
	pthread_mutex_unlock(&ld->lock);
}

static void
stop_loading(struct loader *ld)
{
	pthread_mutex_lock(&ld->lock);
	ld->stop = 1;
	pthread_mutex_unlock(&ld->lock);
}

/* ---- the batch transaction (worker threads) ---------------------------------- */

/* What to do about the refusals a record can cause, by SQLSTATE: the
 * server's message names the constraint and the value, not the fix. */
static const char *
refusal_hint(const char *sqlstate)
{
	if (strcmp(sqlstate, "23505") == 0)
		return ": a row of another key, stored or earlier in the batch,"
		    " already has this value, such as a ticker that another"
		    " company has; correct one of the two records";
	if (strcmp(sqlstate, "22003") == 0)
		return ": the value is out of the column's range";
	return "";
}

static int
note_row_reject(struct worker *w, int kind, unsigned long line, const char *rule,
    const char *reason)
{
	struct row_reject *r;

	if (grow((void **)&w->row_rejects, &w->row_reject_cap, w->row_reject_count + 1,
	    sizeof *w->row_rejects, 16) < 0)
		return -1;
	r = &w->row_rejects[w->row_reject_count];
	r->reason = strdup(reason);
	if (r->reason == NULL)
		return -1;
	r->kind = kind;
	r->line = line;
	r->rule = rule;
	w->row_reject_count++;
	return 0;
}

static void
forget_row_rejects(struct worker *w)
{
	for (size_t i = 0; i < w->row_reject_count; i++)
		free(w->row_rejects[i].reason);
	w->row_reject_count = 0;
}

/* Writes the row_rejects of a committed batch to the reject stream. */
static void
write_row_rejects(struct worker *w, const struct batch *b)
{
	struct loader *ld = w->ld;

	for (size_t i = 0; i < w->row_reject_count; i++) {
		const struct row_reject *r = &w->row_rejects[i];
		const struct staged_line *s = find_line(&b->kinds[r->kind], r->line);

		if (s != NULL)
			reject_input_line(ld, b->input, r->line,
			    b->text + s->text_offset, s->text_len, r->rule,
			    r->reason);
	}
	forget_row_rejects(w);
}

/* Adds what a merge statement returned (keys, inserted, updated) and
 * returns the keys merged. */
static unsigned long
count_merge(const PGresult *res, struct table_counts *c,
    unsigned long staged)
{
	unsigned long keys = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	unsigned long inserted = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	unsigned long updated = strtoul(PQgetvalue(res, 0, 2), NULL, 10);

	c->inserted += inserted;
	c->updated += updated;
	c->unchanged += keys - inserted - updated;
	c->superseded += staged - keys;
	return keys;
}

/* Rejects the staged rows whose company is neither stored nor merged
 * earlier in this batch.  Returns their number, or -1. */
static long
reject_orphans(struct worker *w, int kind)
{
	PGresult *res;
	long n;

	if (!load_kinds[kind].needs_company)
		return 0;
	res = pg_query(&w->db, load_kinds[kind].orphans_sql, 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (int row = 0; row < PQntuples(res); row++) {
		char why[200];

		snprintf(why, sizeof why, "no company with cik %s in the database"
		    " or in this batch: load its company record first",
		    PQgetvalue(res, row, 1));
		if (note_row_reject(w, kind, strtoul(PQgetvalue(res, row, 0), NULL, 10),
		    "company", why) < 0)
			n = -1;
	}
	PQclear(res);
	return n;
}

/* Copies a kind's rows straight into its table, without their line
 * numbers.  Returns 0, or -1 with the reason in w->db.error. */
static int
copy_into_table(struct worker *w, const struct staged_kind *k, int kind)
{
	int failed = 0;

	if (pg_copy_begin(&w->db, load_kinds[kind].copy_table_sql) < 0)
		return -1;
	for (size_t i = 0; i < k->count && !failed; i++) {
		const struct staged_line *s = &k->lines[i];
		const char *row = k->rows.buf + s->row_offset;
		const char *tab = memchr(row, '\t', s->row_len);
		size_t skip = tab != NULL ? (size_t)(tab - row) + 1 : 0;

		failed = pg_copy_put(&w->db, row + skip, s->row_len - skip) < 0;
	}
	return pg_copy_end(&w->db, failed);
}

/*
 * Inserts a kind's rows with one COPY into their table when every key is
 * new, which is as fast as loading gets.  A key already stored or
 * repeated in the batch, or any other failure, makes the COPY fail, and a
 * savepoint undoes it so that the merge takes over.  After a failure the worker merges that
 * kind until a merge inserts a whole batch again, so reloads do not pay
 * for a failing COPY each time.  Returns 1 inserted, 0 not, -1 with the
 * reason in w->db.error.
 */
static int
insert_new_rows(struct worker *w, const struct staged_kind *k, int kind,
    struct table_counts *c)
{
	if (!w->copy_first[kind])
		return 0;
	if (pg_exec(&w->db, "SAVEPOINT direct_copy", 0, NULL) < 0)
		return -1;
	if (copy_into_table(w, k, kind) == 0) {
		if (pg_exec(&w->db, "RELEASE SAVEPOINT direct_copy", 0, NULL) < 0)
			return -1;
		c->inserted += k->count;
		return 1;
	}
	if (pg_connection_lost(&w->db) ||
	    pg_exec(&w->db, "ROLLBACK TO SAVEPOINT direct_copy", 0, NULL) < 0)
		return -1;
	w->copy_first[kind] = 0;
	return 0;
}

/* Copies a kind's rows into staging and merges them into their table. */
static int
merge_kind(struct worker *w, const struct staged_kind *k, int kind,
    struct table_counts *c)
{
	unsigned long staged = k->count, keys;
	long orphans = 0;
	PGresult *res;

	if (pg_copy_send(&w->db, load_kinds[kind].copy_sql, &k->rows) < 0)
		return -1;
	res = pg_query(&w->db, load_kinds[kind].merge_sql, 0, NULL);
	if (res == NULL)
		return -1;
	keys = strtoul(PQgetvalue(res, 0, 0), NULL, 10);

	/* Every staged row merged or superseded by a later line of its key
	 * leaves no orphan to look for: the common case. */
	if (keys < staged)
		orphans = reject_orphans(w, kind);
	if (orphans < 0) {
		PQclear(res);
		return -1;
	}
	c->rejected += (unsigned long)orphans;
	count_merge(res, c, staged - (unsigned long)orphans);
	PQclear(res);
	if (c->inserted == staged)
		w->copy_first[kind] = 1;
	return 0;
}

/* Loads a whole batch in one transaction, companies first so that rows
 * of a company new in this batch find it.  Returns 0, or -1 with the
 * reason in w->db.error and the transaction still open. */
static int
load_batch(struct worker *w, const struct batch *b, struct table_counts *counts)
{
	if (pg_exec(&w->db, "BEGIN", 0, NULL) < 0)
		return -1;
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		const struct staged_kind *k = &b->kinds[kind];
		int st;

		if (k->count == 0)
			continue;
		st = insert_new_rows(w, k, kind, &counts[kind]);
		if (st < 0 || (st == 0 && merge_kind(w, k, kind,
		    &counts[kind]) < 0))
			return -1;
	}
	return pg_exec(&w->db, "COMMIT", 0, NULL);
}

/* Runs one statement behind a savepoint: on failure the reject of line
 * is noted and the transaction goes on.  Returns 1 done, 0 rejected, -1
 * when the savepoint itself failed. */
static int
guarded(struct worker *w, int kind, unsigned long line, const char *sql,
    const char *data, size_t len, PGresult **result)
{
	char number[24], why[PG_ERROR_SIZE + 256];
	const char *params[] = { number };
	int ok;

	if (pg_exec(&w->db, "SAVEPOINT row_load", 0, NULL) < 0)
		return -1;
	snprintf(number, sizeof number, "%lu", line);
	if (data != NULL) {
		ok = pg_copy_send_data(&w->db, sql, data, len) == 0;
	} else {
		*result = pg_query(&w->db, sql, 1, params);
		ok = *result != NULL;
	}
	if (ok)
		return pg_exec(&w->db, "RELEASE SAVEPOINT row_load", 0, NULL) < 0 ?
		    -1 : 1;
	if (pg_connection_lost(&w->db))
		return -1;
	snprintf(why, sizeof why, "the database rejected the row: %s%s",
	    w->db.error, refusal_hint(w->db.sqlstate));
	if (note_row_reject(w, kind, line, "database", why) < 0 ||
	    pg_exec(&w->db, "ROLLBACK TO SAVEPOINT row_load", 0, NULL) < 0)
		return -1;
	return 0;
}

/* Stages one kind's rows row by row when COPY of them all failed. */
static int
copy_rows(struct worker *w, const struct batch *b, int kind,
    unsigned long *copied)
{
	const struct staged_kind *k = &b->kinds[kind];

	*copied = 0;
	for (size_t i = 0; i < k->count; i++) {
		const struct staged_line *s = &k->lines[i];
		int st = guarded(w, kind, s->line, load_kinds[kind].copy_sql,
		    k->rows.buf + s->row_offset, s->row_len, NULL);

		if (st < 0)
			return -1;
		*copied += (unsigned long)st;
	}
	return 0;
}

/* Merges the staged rows that win for their key one at a time. */
static int
merge_rows(struct worker *w, int kind, unsigned long staged,
    struct table_counts *c)
{
	PGresult *latest = pg_query(&w->db, load_kinds[kind].latest_sql, 0, NULL);
	int status = 0;

	if (latest == NULL)
		return -1;
	c->superseded += staged - (unsigned long)PQntuples(latest);
	for (int row = 0; row < PQntuples(latest) && status == 0; row++) {
		unsigned long line = strtoul(PQgetvalue(latest, row, 0), NULL, 10);
		PGresult *res = NULL;
		int st = guarded(w, kind, line, load_kinds[kind].merge_line_sql,
		    NULL, 0, &res);

		if (st < 0)
			status = -1;
		else if (st == 0)
			c->rejected++;
		else
			count_merge(res, c, 1);
		PQclear(res);
	}
	PQclear(latest);
	return status;
}

/*
 * Loads a batch that failed as a whole, row by row.  Each COPY row and
 * each merge runs behind a savepoint, so a row the server rejects (a
 * constraint, a value out of range) is rolled back alone and rejected
 * with the server's message.  Returns 0, or -1 with the reason in
 * w->db.error.
 */
static int
load_rows(struct worker *w, const struct batch *b, struct table_counts *counts)
{
	if (pg_exec(&w->db, "BEGIN", 0, NULL) < 0)
		return -1;
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		const struct staged_kind *k = &b->kinds[kind];
		unsigned long copied = k->count;
		long orphans;
		int st;

		if (k->count == 0)
			continue;
		st = guarded(w, kind, 0, load_kinds[kind].copy_sql, k->rows.buf,
		    k->rows.len, NULL);
		if (st < 0)
			return -1;
		if (st == 0) {
			/* The rejection of the whole COPY names no row. */
			free(w->row_rejects[--w->row_reject_count].reason);
			if (copy_rows(w, b, kind, &copied) < 0)
				return -1;
			counts[kind].rejected += k->count - copied;
		}
		orphans = reject_orphans(w, kind);
		if (orphans < 0)
			return -1;
		counts[kind].rejected += (unsigned long)orphans;
		if (merge_rows(w, kind, copied - (unsigned long)orphans,
		    &counts[kind]) < 0)
			return -1;
	}
	return pg_exec(&w->db, "COMMIT", 0, NULL);
}

/* A failure that a second try of the same transaction may not meet. */
static int
transient(const struct pg *db)
{
	return strcmp(db->sqlstate, "40P01") == 0 ||
	    strcmp(db->sqlstate, "40001") == 0;
}

static void
roll_back(struct worker *w)
{
	if (PQstatus(w->db.conn) == CONNECTION_OK)
		PQclear(PQexec(w->db.conn, "ROLLBACK"));
	forget_row_rejects(w);
}

/*
 * Commits one batch, then counts it and writes the rejects of its rows,
 * so both describe only what the database kept.  A batch that fails is
 * loaded again row by row, unless the connection was lost, which rolls
 * it back.  Returns an exit status.
 */
static int
commit_batch(struct worker *w, const struct batch *b)
{
	struct loader *ld = w->ld;
	struct table_counts counts[KIND_COUNT];
	int tries = 0, st;

	do {
		memset(counts, 0, sizeof counts);
		st = load_batch(w, b, counts);
		if (st < 0)
			roll_back(w);
	} while (st < 0 && ++tries < BATCH_TRIES && transient(&w->db) &&
	    !pg_connection_lost(&w->db));
	if (st < 0 && !pg_connection_lost(&w->db)) {
		log_debug("%s: lines %lu-%lu: %s; loading them row by row",
		    input_label(ld, b->input), b->first_line, b->last_line,
		    w->db.error);
		memset(counts, 0, sizeof counts);
		st = load_rows(w, b, counts);
		if (st < 0)
			roll_back(w);
	}
	if (st < 0) {
		int lost = pg_connection_lost(&w->db);

		log_error("%s: lines %lu-%lu: %s, so this batch was rolled back: %s",
		    input_label(ld, b->input), b->first_line, b->last_line,
		    lost ? "connection to the database lost" :
		    "the server refused the batch", w->db.error);
		return lost ? EXIT_TEMPFAIL : EXIT_DATAERR;
	}

	write_row_rejects(w, b);
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		w->counts[kind].inserted += counts[kind].inserted;
		w->counts[kind].updated += counts[kind].updated;
		w->counts[kind].unchanged += counts[kind].unchanged;
		w->counts[kind].superseded += counts[kind].superseded;
		w->counts[kind].rejected += counts[kind].rejected;
	}
	log_debug("%s: lines %lu-%lu committed (%lu records, connection %d)",
	    input_label(ld, b->input), b->first_line, b->last_line, b->staged,
	    w->index + 1);
	return EXIT_OK;
}

/* Takes batches from the reader and commits them, until the reader
 * closes; after a failure anywhere, drops them as unloaded. */
static void *
run_worker(void *arg)
{
	struct worker *w = arg;
	struct batch *b;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->queued == NULL && !w->closing)
			pthread_cond_wait(&w->cond, &w->lock);
		b = w->queued;
		w->queued = NULL;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		if (b == NULL)
			break;

		if (stopped(w->ld)) {
			note_unloaded(w->ld, b->input, b->first_line);
		} else {
			int st = commit_batch(w, b);

			if (st != EXIT_OK) {
				w->status = st;
				note_unloaded(w->ld, b->input, b->first_line);
				stop_loading(w->ld);
			}
		}
		reset_batch(b);

		pthread_mutex_lock(&w->lock);
		w->free_batches[w->free_count++] = b;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

/* ---- handing batches over (reader thread) ------------------------------------- */

/* Hands the worker's filling batch over, waiting while one is queued. */
static void
dispatch(struct worker *w)
{
	if (w->filling == NULL)
		return;
	if (w->filling->staged == 0) {
		pthread_mutex_lock(&w->lock);
		w->free_batches[w->free_count++] = w->filling;
		pthread_mutex_unlock(&w->lock);
		w->filling = NULL;
		return;
	}
	pthread_mutex_lock(&w->lock);
	while (w->queued != NULL)
		pthread_cond_wait(&w->cond, &w->lock);
	w->queued = w->filling;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->filling = NULL;
}

static struct batch *
filling_batch(struct worker *w, int input)
{
	if (w->filling != NULL)
		return w->filling;
	pthread_mutex_lock(&w->lock);
	while (w->free_count == 0)
		pthread_cond_wait(&w->cond, &w->lock);
	w->filling = w->free_batches[--w->free_count];
	pthread_mutex_unlock(&w->lock);
	w->filling->input = input;
	return w->filling;
}

/* Drops the batches still being filled, as not loaded. */
static void
drop_filling(struct loader *ld)
{
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct worker *w = &ld->workers[i];

		if (w->filling == NULL)
			continue;
		if (w->filling->staged > 0)
			note_unloaded(ld, w->filling->input, w->filling->first_line);
		reset_batch(w->filling);
		dispatch(w);
	}
}

static int
start_workers(struct loader *ld)
{
	sigset_t all, old;
	int status = EXIT_OK;

	ld->workers = calloc(ld->nworkers, sizeof *ld->workers);
	if (ld->workers == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct worker *w = &ld->workers[i];

		w->ld = ld;
		w->index = (int)i;
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->cond, NULL);
		for (int j = 0; j < BATCH_BUFFERS; j++)
			w->free_batches[w->free_count++] = &w->buffers[j];
		for (int kind = 0; kind < KIND_COUNT; kind++)
			w->copy_first[kind] = 1;
	}

	/* Every connection opens before any input is read: a database
	 * that is down fails the run at once. */
	for (unsigned long i = 0; i < ld->nworkers && status == EXIT_OK; i++) {
		struct worker *w = &ld->workers[i];

		if (pg_open(&w->db, ld->opt->dsn) < 0) {
			log_error("connection %lu: %s", i + 1, w->db.error);
			status = EXIT_TEMPFAIL;
			break;
		}
		for (int kind = 0; kind < KIND_COUNT && status == EXIT_OK; kind++)
			if (pg_exec(&w->db, load_kinds[kind].staging_sql, 0,
			    NULL) < 0) {
				log_error("creating the staging tables: %s",
				    w->db.error);
				status = pg_connection_lost(&w->db) ?
				    EXIT_TEMPFAIL : EXIT_SOFTWARE;
			}
	}
	if (status != EXIT_OK)
		return status;

	/* Signals go to the reader, which decides when to stop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		if (pthread_create(&ld->workers[i].thread, NULL, run_worker,
		    &ld->workers[i]) != 0) {
			log_error("starting worker %lu: %s", i + 1,
			    strerror(errno));
			ld->nworkers = i;
			status = EXIT_SOFTWARE;
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

/* Closes the queues, waits for the workers and collects their status. */
static int
finish_workers(struct loader *ld)
{
	int status = EXIT_OK;

	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct worker *w = &ld->workers[i];

		pthread_mutex_lock(&w->lock);
		w->closing = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct worker *w = &ld->workers[i];

		pthread_join(w->thread, NULL);
		if (w->status == EXIT_TEMPFAIL || (w->status != EXIT_OK &&
		    status == EXIT_OK))
			status = w->status;
	}
	return status;
}

static void
free_workers(struct loader *ld)
{
	if (ld->workers == NULL)
		return;
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct worker *w = &ld->workers[i];

		for (int j = 0; j < BATCH_BUFFERS; j++)
			free_batch(&w->buffers[j]);
		forget_row_rejects(w);
		free(w->row_rejects);
		pg_close(&w->db);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
	}
	free(ld->workers);
	ld->workers = NULL;
}

/* ---- input (reader thread) ---------------------------------------------------- */

/* Checks a record of a stored kind and stages it in the batch of its
 * worker.  Returns -1 when out of memory. */
static int
stage(struct loader *ld, int kind, const cJSON *rec, int input,
    unsigned long line, const char *text, size_t len)
{
	struct pg_copy *scratch = &ld->scratch;
	struct pg_copy *rows;
	struct batch *b;
	unsigned long route;
	size_t offset;
	int st;

	/* The worker is known only once the record is checked, so the row
	 * is built apart and then appended to that worker's batch. */
	pg_copy_reset(scratch);
	pthread_mutex_lock(&ld->lock);
	st = load_stage_record(&load_kinds[kind], rec, &(struct load_line){
	    line, ld->lines_before[input] + line, text, len }, scratch, &route,
	    ld->rejects);
	pthread_mutex_unlock(&ld->lock);
	if (st == 0)
		ld->rejected[kind].rejected++;
	if (st != 1)
		return st;

	b = filling_batch(&ld->workers[route % ld->nworkers], input);
	rows = &b->kinds[kind].rows;
	offset = rows->len;
	pg_copy_append_rows(rows, scratch->buf, scratch->len, scratch->rows);
	if (rows->failed)
		return -1;
	return keep_line(b, kind, line, offset, text, len);
}

/* Sends one input line to the reject stream, the skip counts or a
 * batch.  Returns -1 when out of memory. */
static int
take_line(struct loader *ld, int input, unsigned long line, const char *text,
    size_t len)
{
	enum record_error error;
	char why[400], kinds[256];
	const char *kind;
	cJSON *rec;
	int known, status = 0;

	rec = record_parse(text, len, &error, why, sizeof why);
	if (rec == NULL) {
		if (error == RECORD_EMPTY) {
			ld->empty++;
			return 0;
		}
		reject_input_line(ld, input, line, text, len,
		    record_error_rule(error), why);
		return 0;
	}

	kind = record_kind(rec);
	known = load_kind_find(kind);
	if (known >= 0 && strcmp(kind, load_kinds[known].kind) == 0) {
		status = stage(ld, known, rec, input, line, text, len);
	} else if (ld->opt->reject_unknown) {
		kind_list(kinds, sizeof kinds);
		snprintf(why, sizeof why, "unknown kind \"%.40s\": load-timescale"
		    " loads %s records", kind, kinds);
		reject_input_line(ld, input, line, text, len, "kind", why);
	} else {
		ld->unknown++;
	}
	cJSON_Delete(rec);
	return status;
}

/* Sends every batch that has --batch-size records, or that began
 * --batch-size lines ago, so that a slow input does not delay them. */
static void
dispatch_full(struct loader *ld, unsigned long line)
{
	unsigned long size = ld->opt->batch_size;

	for (unsigned long i = 0; i < ld->nworkers; i++) {
		struct batch *b = ld->workers[i].filling;

		if (b != NULL && b->staged > 0 && (b->staged >= size ||
		    line - b->first_line + 1 >= size))
			dispatch(&ld->workers[i]);
	}
}

/* Reads one input to its end, or until a batch fails or a signal comes.
 * Returns an exit status. */
static int
load_stream(struct loader *ld, FILE *fp, int input)
{
	struct ndjson_reader *reader = ndjson_open(fp, ld->opt->max_line);
	const char *name = input_label(ld, input);
	enum ndjson_status st;
	char *line;
	size_t len;
	int status = EXIT_OK, added;

	pthread_mutex_lock(&ld->lock);
	ld->lines_before[input] = ld->lines;
	added = reject_add_file(ld->rejects, ld->inputs[input], ld->lines);
	pthread_mutex_unlock(&ld->lock);
	if (reader == NULL || added < 0) {
		log_error("out of memory");
		ndjson_close(reader);
		return EXIT_SOFTWARE;
	}
	ndjson_stop_on(reader, &caught_signal);
	while ((st = ndjson_next(reader, &line, &len)) != NDJSON_EOF) {
		unsigned long n = ndjson_line_number(reader);

		if (stopped(ld)) {
			/* The line was read, so the summary counts it among
			 * the lines not loaded. */
			if (st != NDJSON_READ_ERROR)
				ld->lines++;
			note_unloaded(ld, input, n);
			break;
		}
		if (st == NDJSON_READ_ERROR) {
			log_error("%s: read error after line %lu: %s", name, n,
			    strerror(errno));
			status = EXIT_IOERR;
			break;
		}
		ld->lines++;
		if (st == NDJSON_TOO_LONG) {
			pthread_mutex_lock(&ld->lock);
			inputs_reject_long(ld->rejects, ld->lines_before[input] + n,
			    line, len, ld->opt->max_line);
			pthread_mutex_unlock(&ld->lock);
		} else if (take_line(ld, input, n, line, len) < 0) {
			log_error("%s: line %lu: out of memory", name, n);
			status = EXIT_SOFTWARE;
			break;
		}
		dispatch_full(ld, n);
	}

	/* The lines read before a read error are loaded all the same. */
	if (status == EXIT_SOFTWARE || stopped(ld))
		drop_filling(ld);
	for (unsigned long i = 0; i < ld->nworkers; i++)
		dispatch(&ld->workers[i]);
	ndjson_close(reader);
	return status;
}

static int
load_inputs(struct loader *ld)
{
	int status = EXIT_OK;

	for (int i = 0; i < ld->ninputs && !stopped(ld) &&
	    (status == EXIT_OK || status == EXIT_NOINPUT); i++) {
		FILE *fp;
		int st;

		if (strcmp(ld->inputs[i], "-") == 0) {
			st = load_stream(ld, stdin, i);
		} else if ((fp = fopen(ld->inputs[i], "r")) == NULL) {
			log_error("%s: %s", ld->inputs[i], strerror(errno));
			st = EXIT_NOINPUT;
		} else {
			st = load_stream(ld, fp, i);
			fclose(fp);
		}
		if (st != EXIT_OK)
			status = st;
	}
	return status;
}

/* ---- audit and summary -------------------------------------------------- */

static char *
input_names(struct loader *ld)
{
	size_t size = 2;
	char *names;

	for (int i = 0; i < ld->ninputs; i++)
		size += strlen(ld->inputs[i]) + 1;
	names = malloc(size);
	if (names == NULL)
		return NULL;
	names[0] = '\0';
	for (int i = 0; i < ld->ninputs; i++) {
		if (i > 0)
			strcat(names, " ");
		strcat(names, ld->inputs[i]);
	}
	return names;
}

/* Marks the runs left "running" by a loader that died (kill -9, a crash,
 * a lost connection): their server process is gone, or is a later one
 * with the same process id. */
static int
mark_dead_runs(struct loader *ld)
{
	PGresult *res = pg_query(&ld->db, "UPDATE load_audit SET status ="
	    " 'interrupted', finished_at = now() WHERE status = 'running' AND"
	    " NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE"
	    " a.pid = load_audit.backend_pid AND"
	    " a.backend_start <= load_audit.started_at) RETURNING id", 0, NULL);

	if (res == NULL) {
		log_error("load_audit: %s", ld->db.error);
		return pg_connection_lost(&ld->db) ? EXIT_TEMPFAIL : EXIT_CONFIG;
	}
	for (int row = 0; row < PQntuples(res); row++)
		log_info("load_audit: run %s ended without finishing: marked"
		    " interrupted", PQgetvalue(res, row, 0));
	PQclear(res);
	return EXIT_OK;
}

static int
audit_start(struct loader *ld)
{
	char *input = input_names(ld);
	const char *params[] = { CORPINTEL_VERSION, input };
	PGresult *res;
	int status;

	if (input == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	status = mark_dead_runs(ld);
	if (status != EXIT_OK) {
		free(input);
		return status;
	}
	res = pg_query(&ld->db, "INSERT INTO load_audit (tool_version, input,"
	    " backend_pid) VALUES ($1, $2, pg_backend_pid()) RETURNING id", 2,
	    params);
	free(input);
	if (res == NULL) {
		log_error("load_audit: %s", ld->db.error);
		return pg_connection_lost(&ld->db) ? EXIT_TEMPFAIL : EXIT_CONFIG;
	}
	ld->audit_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return EXIT_OK;
}

static void
total_counts(const struct loader *ld, int kind, struct table_counts *c)
{
	*c = ld->rejected[kind];
	for (unsigned long i = 0; i < ld->nworkers; i++) {
		const struct table_counts *w = &ld->workers[i].counts[kind];

		c->inserted += w->inserted;
		c->updated += w->updated;
		c->unchanged += w->unchanged;
		c->superseded += w->superseded;
		c->rejected += w->rejected;
	}
}

static unsigned long
records(const struct table_counts *c)
{
	return c->inserted + c->updated + c->unchanged + c->superseded;
}

/* Records the run's counts; a connection already lost leaves the row
 * with status "running", for the next run to mark. */
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
		struct table_counts c;

		total_counts(ld, kind, &c);
		jsonw_open_object(&w, load_kinds[kind].kind);
		jsonw_int(&w, "inserted", (long long)c.inserted);
		jsonw_int(&w, "updated", (long long)c.updated);
		jsonw_int(&w, "unchanged", (long long)c.unchanged);
		jsonw_int(&w, "superseded", (long long)c.superseded);
		jsonw_int(&w, "rejected", (long long)c.rejected);
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
	params[5] = status == EXIT_OK ? "ok" : caught_signal != 0 ?
	    "interrupted" : "failed";
	if (pg_exec(&ld->db, "UPDATE load_audit SET finished_at = now(),"
	    " lines = $2, skipped = $3, rejected = $4, counts = $5, status = $6"
	    " WHERE id = $1", 6, params) < 0)
		log_warn("load_audit: %s", ld->db.error);
	jsonw_free(&w);
}

/* Prints the totals, then one line per table that any record reached. */
static unsigned long
stored_records(const struct loader *ld)
{
	unsigned long total = 0;

	for (int kind = 0; kind < KIND_COUNT; kind++) {
		struct table_counts c;

		total_counts(ld, kind, &c);
		total += records(&c);
	}
	return total;
}

/* Counts the lines read whose batch was never committed because a
 * signal or a lost server stopped the run.  A whole load leaves none. */
static unsigned long
lines_not_loaded(const struct loader *ld)
{
	unsigned long accounted = stored_records(ld) + ld->empty + ld->unknown +
	    reject_count(ld->rejects);

	return ld->lines > accounted ? ld->lines - accounted : 0;
}

static void
summarize(const struct loader *ld)
{
	unsigned long total = stored_records(ld);
	unsigned long unloaded = lines_not_loaded(ld);
	char stopped[96] = "";

	if (unloaded > 0)
		snprintf(stopped, sizeof stopped, ", %lu not loaded (the run"
		    " stopped before storing them)", unloaded);
	log_info("%lu lines: %lu records, %lu skipped (empty %lu, unknown kind"
	    " %lu), %lu rejected%s", ld->lines, total, ld->empty + ld->unknown,
	    ld->empty, ld->unknown, reject_count(ld->rejects), stopped);
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		struct table_counts c;

		total_counts(ld, kind, &c);
		if (records(&c) + c.rejected == 0)
			continue;
		log_info("%s: %lu inserted, %lu updated, %lu unchanged,"
		    " %lu superseded, %lu rejected", load_kinds[kind].table,
		    c.inserted, c.updated, c.unchanged, c.superseded,
		    c.rejected);
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
		struct table_counts c;

		total_counts(ld, kind, &c);
		const unsigned long values[] = {
			c.inserted, c.updated, c.unchanged, c.superseded,
			c.rejected,
		};

		total += records(&c);
		for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
			char labels[128];

			snprintf(labels, sizeof labels, "table=\"%s\",result=\"%s\"",
			    load_kinds[kind].table, results[i]);
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
	promfile_counter(pf, "corpintel_not_loaded_total",
	    "Lines read but not stored because the run stopped", NULL,
	    (double)lines_not_loaded(ld));
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status;
}

/* ---- export --------------------------------------------------------------- */

/* Writes the stored rows of one kind as records, ordered by key, fetching
 * them through a cursor so memory stays constant in the table's size. */
static int
export_rows(struct pg *db, int kind, unsigned long *written)
{
	struct jsonw w = { 0 };
	PGresult *res = NULL;
	int rows;

	if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
	    NULL) < 0 || pg_exec(db, load_kinds[kind].export_sql, 0, NULL) < 0)
		goto fail;
	do {
		res = pg_query(db, "FETCH " EXPORT_FETCH_ROWS " FROM export_rows",
		    0, NULL);
		if (res == NULL)
			goto fail;
		rows = PQntuples(res);
		for (int row = 0; row < rows; row++) {
			jsonw_begin(&w);
			load_export_row(&load_kinds[kind], &w, res, row);
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
	log_error("export of %s: %s", load_kinds[kind].table, db->error);
	return pg_connection_lost(db) ? EXIT_TEMPFAIL : EXIT_SOFTWARE;
}

/* ---- main ----------------------------------------------------------------- */

/* Tells where a rerun must start to load what this run did not. */
static void
report_resume(const struct loader *ld, int status)
{
	const struct resume_point *r = &ld->resume;

	if (!r->set)
		return;
	log_error("%s: the lines before line %lu are stored or rejected; %s,"
	    " load again from line %lu%s", input_label(ld, r->input), r->line,
	    status == EXIT_TEMPFAIL ? "when the database is back" :
	    caught_signal != 0 ? "to finish" : "after fixing the cause",
	    r->line, r->input + 1 < ld->ninputs ? ", then the inputs after it" :
	    "");
}

static int
exit_status(int reader, int workers)
{
	if (workers == EXIT_TEMPFAIL || reader == EXIT_TEMPFAIL)
		return EXIT_TEMPFAIL;
	if (caught_signal != 0)
		return 128 + caught_signal;
	return workers != EXIT_OK ? workers : reader;
}

/* Starts the workers with SIGINT and SIGTERM blocked, so that a signal
 * reaches the reader, whose read it interrupts, and never a worker. */
static int
start_workers_quiet(struct loader *ld)
{
	sigset_t signals, old;
	int status;

	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, &old);
	status = start_workers(ld);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

static int
run_load(struct loader *ld)
{
	struct sigaction sa;
	int status, workers;

	status = audit_start(ld);
	if (status == EXIT_OK)
		status = start_workers_quiet(ld);
	if (status != EXIT_OK) {
		audit_finish(ld, status);
		return status;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = catch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	status = load_inputs(ld);
	workers = finish_workers(ld);
	status = exit_status(status, workers);
	if (caught_signal != 0)
		log_error("stopped by signal %d: the batch each connection was"
		    " loading was committed, the others were not loaded",
		    (int)caught_signal);
	report_resume(ld, status);
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

/* Migrates, or only checks the migrations, by mode.  Returns an exit
 * status. */
static int
prepare_schema(struct pg *db, const struct options *opt, enum migrate_mode mode,
    int target)
{
	char dir[4096];
	int status;

	if (opt->migrations != NULL)
		snprintf(dir, sizeof dir, "%s", opt->migrations);
	else if (cli_schema_path(dir, sizeof dir, "migrations") < 0) {
		log_error("schema folder path too long");
		return EXIT_SOFTWARE;
	}
	/* A required extension that is missing stops the run before any
	 * migration changes the database. */
	if (mode == MIGRATE_APPLY && opt->timescale.required) {
		int available;

		status = migrate_timescaledb_check(db, &opt->timescale,
		    &available);
		if (status != EXIT_OK)
			return status;
	}
	status = migrate_run(db, dir, mode, target);
	if (status == EXIT_OK && mode == MIGRATE_APPLY)
		status = migrate_timescaledb(db, &opt->timescale);
	return status;
}

static int
run_migrate(struct loader *ld)
{
	const struct options *opt = ld->opt;

	return prepare_schema(&ld->db, opt, opt->migrate_down ? MIGRATE_DOWN :
	    MIGRATE_APPLY, opt->migrate_to);
}

static int
run_export(struct loader *ld)
{
	unsigned long exported = 0;
	int status;

	status = prepare_schema(&ld->db, ld->opt, MIGRATE_CHECK, MIGRATE_NEWEST);
	if (status == EXIT_OK)
		status = export_rows(&ld->db, ld->opt->export, &exported);
	log_info("%lu %s records written", exported,
	    load_kinds[ld->opt->export].kind);
	return status;
}

static int
run_loader(struct loader *ld, struct cli_common *common)
{
	int status, rejects_status;

	status = prepare_schema(&ld->db, ld->opt, ld->opt->no_migrate ?
	    MIGRATE_CHECK : MIGRATE_APPLY, MIGRATE_NEWEST);
	if (status != EXIT_OK)
		return status;
	ld->rejects = reject_open(ld->opt->rejects);
	if (ld->rejects == NULL)
		return EXIT_IOERR;
	status = run_load(ld);
	if (common->metrics_file != NULL &&
	    write_metrics(ld, common->metrics_file) < 0 && status == EXIT_OK)
		status = EXIT_IOERR;
	rejects_status = reject_close(ld->rejects);
	if (rejects_status < 0 && status == EXIT_OK)
		status = EXIT_IOERR;
	return status;
}

static void
check_arguments(const struct options *opt, int migrate_only, int argc,
    char **argv)
{
	if (migrate_only && argc > 1)
		cli_usage_error("migrate takes no file: '%s'", argv[1]);
	if (migrate_only && opt->export >= 0)
		cli_usage_error("migrate and --export exclude each other");
	if (!migrate_only && (opt->migrate_down ||
	    opt->migrate_to != MIGRATE_NEWEST))
		cli_usage_error("--to and --down go with 'migrate'");
	if (opt->export >= 0 && argc > 0)
		cli_usage_error("--export takes no input file: '%s'", argv[0]);
}

int
main(int argc, char **argv)
{
	static char *standard_input[] = { "-" };
	struct options opt = {
		.export = -1,
		.migrate_to = MIGRATE_NEWEST,
		.batch_size = DEFAULT_BATCH_SIZE,
		.jobs = 1,
		.max_line = NDJSON_DEFAULT_MAX_LINE,
		.max_reject_ratio = 1,
		.reject_unknown = 1,
	};
	struct cli_common common = { 0 };
	struct loader ld = { 0 };
	int migrate_only, status;

	cli_init(argc, argv);
	if (load_kinds_init() < 0) {
		log_error("building the SQL statements: out of memory");
		return EXIT_SOFTWARE;
	}
	parse_options(argc, argv, &opt, &common);
	argc -= optind;
	argv += optind;
	migrate_only = argc > 0 && strcmp(argv[0], "migrate") == 0;
	check_arguments(&opt, migrate_only, argc, argv);
	ld.opt = &opt;
	ld.nworkers = opt.jobs;
	ld.inputs = argc > 0 ? argv : standard_input;
	ld.ninputs = argc > 0 ? argc : 1;
	ld.lines_before = calloc((size_t)ld.ninputs, sizeof *ld.lines_before);
	if (ld.lines_before == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	pthread_mutex_init(&ld.lock, NULL);

	/* Connect before reading any input: a database that is down fails
	 * the run at once, and nothing is consumed from a pipe. */
	if (pg_open(&ld.db, opt.dsn) < 0) {
		log_error("cannot connect to the database (settings from %s): %s",
		    pg_dsn_origin(opt.dsn), ld.db.error);
		pg_close(&ld.db);
		load_kinds_free();
		free(ld.lines_before);
		return ld.db.invalid_settings ? EXIT_CONFIG : EXIT_TEMPFAIL;
	}

	if (migrate_only)
		status = run_migrate(&ld);
	else if (opt.export >= 0)
		status = run_export(&ld);
	else
		status = run_loader(&ld, &common);

	free_workers(&ld);
	pg_copy_free(&ld.scratch);
	pg_close(&ld.db);
	pthread_mutex_destroy(&ld.lock);
	load_kinds_free();
	free(ld.lines_before);
	if (cli_finish_stdout() != EXIT_OK && status == EXIT_OK)
		status = EXIT_IOERR;
	return status;
}
