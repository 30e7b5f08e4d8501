/*
 * transform: derive margins, free cash flow, growth rates and TTM sums
 * from metric records, and with --universe the comparison tables of the
 * universe's companies (mart_company_performance and
 * mart_competitive_landscape rows) and an HTML report of them.
 *
 * The whole input is read first, because a growth rate needs the prior
 * year, which may come later in the stream.  Only the metrics that
 * derivations read are kept, one per key (cik, metric, period_type,
 * period_end), the last one read winning.  The marts keep only the
 * latest value per company and metric.  At the end of the input the derived
 * metric records are written in order of cik, metric, period_type and
 * period_end, then the mart rows in the universe file's order.  With
 * --pass-through every valid input line is copied to the output as it is
 * read, ahead of the derived ones.
 */

#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "date.h"
#include "derive.h"
#include "inputs.h"
#include "jsonw.h"
#include "log.h"
#include "mart.h"
#include "ndjson.h"
#include "promfile.h"
#include "record.h"
#include "reject.h"

enum {
	OPT_REJECTS = CLI_OPT_TOOL_FIRST,
	OPT_MAX_REJECT_RATIO,
	OPT_MAX_LINE_BYTES,
	OPT_PASS_THROUGH,
	OPT_UNIVERSE,
	OPT_AS_OF,
	OPT_REPORT,
	OPT_RANK_CURRENCY,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "max-reject-ratio", required_argument, NULL, OPT_MAX_REJECT_RATIO },
	{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE_BYTES },
	{ "pass-through", no_argument, NULL, OPT_PASS_THROUGH },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "rank-currency", required_argument, NULL, OPT_RANK_CURRENCY },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct cli_common common;
	const char *rejects_path;
	double max_reject_ratio;
	size_t max_line_bytes;
	bool pass_through;
	const char *universe_path;
	const char *report_path;
	const char *rank_currency;
	bool has_as_of;
	long as_of;
	bool set_rejects;		/* given on the command line, which */
	bool set_max_reject_ratio;	/* takes precedence over --config */
	bool set_max_line_bytes;
	bool set_pass_through;
	bool set_universe;
	bool set_report;
	bool set_rank_currency;
};

/* Every input line is counted once: lines = metric_records +
 * other_kinds + rejected + blank. */
struct counts {
	unsigned long lines;
	unsigned long metric_records;
	unsigned long used;		/* stored for a derivation */
	unsigned long replaced;		/* used, then replaced by a later line */
	unsigned long not_needed;	/* metrics no derivation reads */
	unsigned long other_kinds;
	unsigned long rejected;
	unsigned long blank;
	unsigned long passed_through;
	unsigned long derived;
	unsigned long mart_rows;
	unsigned long absent[DERIVE_ABSENCE_COUNT];
};

struct run {
	struct options *opt;
	struct counts counts;
	struct derive_store *store;
	struct reject_stream *rejects;
	struct mart *mart;		/* NULL without --universe */
	struct jsonw out;
	FILE *report;			/* the temporary file of --report */
	char *report_tmp;		/* its name, beside the report */
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: transform [options] [FILE...]\n"
"\n"
"Read metric records (NDJSON) from the files or standard input and write\n"
"the derived metric records for annual, quarterly and TTM periods:\n"
"gross, operating, net and free-cash-flow margin, free_cash_flow,\n"
"revenue_growth_yoy, revenue_growth_qoq, eps_growth_yoy, and TTM sums of\n"
"four consecutive quarters where the input has none.  A value that cannot\n"
"be derived honestly is left out, never guessed.  With --universe, then\n"
"write one mart_company_performance row per company of the universe and\n"
"one mart_competitive_landscape row per category.  Input records are not\n"
"copied to the output unless --pass-through is given.\n"
"\n"
"Options:\n"
"      --pass-through       copy every valid input line to the output too\n"
"      --universe=FILE      write the mart rows of the companies in FILE\n"
"                           (pipelines/universe/edtech.yaml)\n"
"      --as-of=DATE         the marts' date, YYYY-MM-DD: later periods are\n"
"                           left out (default today)\n"
"      --report=FILE        write the marts as an HTML page to FILE\n"
"      --rank-currency=CODE rank and share revenues in this currency only\n"
"                           (default USD)\n"
"      --rejects=FILE       write rejected lines to FILE as reject records\n"
"      --max-reject-ratio=R exit 65 when more than this fraction of the\n"
"                           lines is rejected (0 to 1, default 1)\n"
"      --max-line-bytes=N   reject lines longer than N bytes (default %u)\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 too many rejects, 66 input file not found,\n"
"70 internal error, 74 read or write error, 78 invalid --config file\n",
	    NDJSON_DEFAULT_MAX_LINE);
}

/* An ISO 4217 currency code: three capital letters. */
static bool
valid_currency(const char *code)
{
	return strlen(code) == 3 && code[0] >= 'A' && code[0] <= 'Z' &&
	    code[1] >= 'A' && code[1] <= 'Z' && code[2] >= 'A' &&
	    code[2] <= 'Z';
}

static void
parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS,
	    long_options, NULL)) != -1) {
		switch (c) {
		case OPT_REJECTS:
			opt->rejects_path = optarg;
			opt->set_rejects = true;
			break;
		case OPT_MAX_REJECT_RATIO:
			opt->max_reject_ratio = cli_parse_ratio("--max-reject-ratio", optarg);
			opt->set_max_reject_ratio = true;
			break;
		case OPT_MAX_LINE_BYTES:
			opt->max_line_bytes = cli_parse_bytes("--max-line-bytes", optarg);
			opt->set_max_line_bytes = true;
			break;
		case OPT_PASS_THROUGH:
			opt->pass_through = true;
			opt->set_pass_through = true;
			break;
		case OPT_UNIVERSE:
			opt->universe_path = optarg;
			opt->set_universe = true;
			break;
		case OPT_AS_OF:
			if (!date_parse(optarg, &opt->as_of))
				cli_usage_error("invalid --as-of '%s': use a date "
				    "YYYY-MM-DD", optarg);
			opt->has_as_of = true;
			break;
		case OPT_REPORT:
			if (optarg[0] == '\0')
				cli_usage_error("--report needs a file name");
			opt->report_path = optarg;
			opt->set_report = true;
			break;
		case OPT_RANK_CURRENCY:
			if (!valid_currency(optarg))
				cli_usage_error("invalid --rank-currency '%s': use "
				    "an ISO 4217 code such as USD", optarg);
			opt->rank_currency = optarg;
			opt->set_rank_currency = true;
			break;
		default:
			if (!cli_handle_common(c, optarg, &opt->common, usage))
				cli_usage_error("unhandled option");
		}
	}
}

/*
 * Applies option defaults from the "transform" section of a YAML config
 * file, for the options not given on the command line:
 *
 *   transform:
 *     pass-through: true
 *     max-reject-ratio: 0.01
 *     universe: pipelines/universe/edtech.yaml
 *
 * Returns 0, or EXIT_CONFIG after reporting the error.
 */
static int
apply_config(struct options *opt, struct conf_node **config)
{
	const struct conf_option options[] = {
		{ "rejects", CONF_OPTION_TEXT, &opt->rejects_path,
		  opt->set_rejects, NULL },
		{ "max-reject-ratio", CONF_OPTION_RATIO, &opt->max_reject_ratio,
		  opt->set_max_reject_ratio, NULL },
		{ "max-line-bytes", CONF_OPTION_BYTES, &opt->max_line_bytes,
		  opt->set_max_line_bytes, NULL },
		{ "universe", CONF_OPTION_TEXT, &opt->universe_path,
		  opt->set_universe, NULL },
		{ "report", CONF_OPTION_TEXT, &opt->report_path,
		  opt->set_report, NULL },
		{ "rank-currency", CONF_OPTION_TEXT, &opt->rank_currency,
		  opt->set_rank_currency, valid_currency },
		{ "pass-through", CONF_OPTION_FLAG, &opt->pass_through,
		  opt->set_pass_through, NULL },
	};
	char error[512];

	*config = conf_load_file(opt->common.config_file, error, sizeof error);
	if (*config == NULL) {
		log_error("%s", error);
		return EXIT_CONFIG;
	}
	if (conf_apply_options(*config, opt->common.config_file, "transform",
	    options, sizeof options / sizeof options[0]) < 0)
		return EXIT_CONFIG;
	return 0;
}

/* A member that is absent or null, which the contract allows for the
 * optional members of a metric. */
static bool
missing(const cJSON *record, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(record, key);

	return item == NULL || cJSON_IsNull(item);
}

/* Rejects a member of the wrong type, naming its value and the type
 * the contract expects. */
static void
reject_value_type(struct reject_stream *rs, const cJSON *record,
    const char *key, const char *expected)
{
	char *text = cJSON_PrintUnformatted(
	    cJSON_GetObjectItemCaseSensitive(record, key));

	reject_add(rs, "type", "\"%s\" is %.40s%s, expected %s", key,
	    text != NULL ? text : "not printable",
	    text != NULL && strlen(text) > 40 ? "..." : "", expected);
	cJSON_free(text);
}

static void
check_required_string(const cJSON *record, const char *key,
    struct reject_stream *rs, int *errors)
{
	const char *value = record_string(record, key);

	if (value != NULL && *value != '\0')
		return;
	++*errors;
	if (missing(record, key))
		reject_add(rs, "required", "missing \"%s\": a metric record "
		    "needs it", key);
	else
		reject_value_type(rs, record, key, "a non-empty string");
}

static void
check_optional_string(const cJSON *record, const char *key,
    struct reject_stream *rs, int *errors)
{
	if (missing(record, key) || record_string(record, key) != NULL)
		return;
	++*errors;
	reject_value_type(rs, record, key, "a string or null");
}

static void
check_date(const cJSON *record, const char *key, bool required,
    struct reject_stream *rs, int *errors)
{
	const char *text = record_string(record, key);
	long days;

	if (missing(record, key)) {
		if (!required)
			return;
		++*errors;
		reject_add(rs, "required", "missing \"%s\": a metric record "
		    "needs it", key);
		return;
	}
	if (text == NULL) {
		++*errors;
		reject_add(rs, "type", "\"%s\" must be a date string "
		    "YYYY-MM-DD", key);
		return;
	}
	if (!date_parse(text, &days)) {
		++*errors;
		reject_add(rs, "date", "\"%s\" is \"%.40s\", not a valid "
		    "YYYY-MM-DD date", key, text);
	}
}

/*
 * Checks the members transform reads.  Rejects the line with every
 * problem found and returns false, or returns true.
 */
static bool
valid_metric(const cJSON *record, struct reject_stream *rs,
    unsigned long line, const char *text, size_t len)
{
	double value;
	long long year;
	int errors = 0;

	reject_begin(rs, line, text, len);
	/* A quote's metrics may name the company by ticker alone. */
	if (missing(record, "cik") && record_string(record, "ticker") != NULL)
		check_optional_string(record, "cik", rs, &errors);
	else
		check_required_string(record, "cik", rs, &errors);
	check_required_string(record, "metric", rs, &errors);
	check_required_string(record, "unit", rs, &errors);
	check_required_string(record, "period_type", rs, &errors);
	check_date(record, "period_end", true, rs, &errors);
	check_date(record, "period_start", false, rs, &errors);
	check_date(record, "filed", false, rs, &errors);
	check_optional_string(record, "ticker", rs, &errors);
	check_optional_string(record, "fiscal_period", rs, &errors);
	check_optional_string(record, "source_ref", rs, &errors);
	if (!record_number(record, "value", &value)) {
		errors++;
		if (missing(record, "value"))
			reject_add(rs, "required", "missing \"value\": a metric "
			    "record needs it");
		else
			reject_value_type(rs, record, "value", "a number");
	}
	if (!missing(record, "fiscal_year") &&
	    !record_integer(record, "fiscal_year", &year)) {
		errors++;
		reject_value_type(rs, record, "fiscal_year", "an integer or null");
	}
	if (errors == 0)
		return true;
	reject_end(rs);
	return false;
}

/* Fills m from a checked metric record.  Its strings point into the record. */
static void
read_metric(const cJSON *record, int input, struct derive_metric *m)
{
	memset(m, 0, sizeof *m);
	m->input = (enum derive_input)input;
	m->cik = record_string(record, "cik");
	m->ticker = record_string(record, "ticker");
	m->unit = record_string(record, "unit");
	m->period_type = record_string(record, "period_type");
	m->period_start = record_string(record, "period_start");
	date_parse(record_string(record, "period_end"), &m->period_end);
	record_number(record, "value", &m->value);
	m->has_fiscal_year = record_integer(record, "fiscal_year",
	    &m->fiscal_year);
	m->fiscal_period = record_string(record, "fiscal_period");
	m->source_ref = record_string(record, "source_ref");
	m->filed = record_string(record, "filed");
}

static void
pass_through(struct run *run, const char *line, size_t len)
{
	if (!run->opt->pass_through)
		return;
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		cli_exit_write_error();
	run->counts.passed_through++;
}

/*
 * Whether the record is a derived one of an earlier run, as the stored
 * history contains them.  Such a TTM sum is not taken as a reported TTM:
 * the sums are computed again from the quarters, so a rerun on the
 * history gives the same records.
 */
static bool
from_transform(const cJSON *record)
{
	const char *source = record_string(record, "source");

	return source != NULL && strcmp(source, "transform") == 0;
}

static void
observe_metric(struct mart *mart, const cJSON *record, const char *metric,
    const char *period_type)
{
	double value;
	long end;

	date_parse(record_string(record, "period_end"), &end);
	record_number(record, "value", &value);
	mart_observe(mart, record_string(record, "cik"),
	    record_string(record, "ticker"), metric, period_type, end, value,
	    record_string(record, "unit"));
}

static void
handle_metric(struct run *run, const cJSON *record, unsigned long line,
    const char *text, size_t len)
{
	struct derive_metric m;
	const char *metric, *period_type;
	int input;

	if (!valid_metric(record, run->rejects, line, text, len)) {
		run->counts.rejected++;
		return;
	}
	run->counts.metric_records++;
	pass_through(run, text, len);

	metric = record_string(record, "metric");
	period_type = record_string(record, "period_type");
	if (run->mart != NULL)
		observe_metric(run->mart, record, metric, period_type);
	input = derive_input_of(metric);
	if (input < 0 || !derive_period_type_used(period_type) ||
	    record_string(record, "cik") == NULL || from_transform(record)) {
		run->counts.not_needed++;
		return;
	}
	read_metric(record, input, &m);
	switch (derive_store_add(run->store, &m)) {
	case DERIVE_ADDED:
		break;
	case DERIVE_REPLACED:
		run->counts.replaced++;
		break;
	case DERIVE_NO_MEMORY:
		log_error("out of memory after %lu metrics", run->counts.used);
		exit(EXIT_SOFTWARE);
	}
	run->counts.used++;
}

static void
handle_line(struct run *run, unsigned long line, char *text, size_t len)
{
	enum record_error error;
	char why[256];
	cJSON *record;

	record = record_parse(text, len, &error, why, sizeof why);
	if (record == NULL) {
		if (error == RECORD_EMPTY) {
			run->counts.blank++;
			return;
		}
		reject_one(run->rejects, line, text, len,
		    record_error_rule(error), why);
		run->counts.rejected++;
		return;
	}
	if (strcmp(record_kind(record), "metric") == 0) {
		handle_metric(run, record, line, text, len);
	} else {
		run->counts.other_kinds++;
		pass_through(run, text, len);
	}
	cJSON_Delete(record);
}

/* Takes one line of the inputs, and never stops the reading. */
static bool
take_line(void *arg, unsigned long line, char *text, size_t len)
{
	handle_line(arg, line, text, len);
	return true;
}

static void
write_derived_record(struct jsonw *w, const struct derived_metric *d)
{
	char end[DATE_TEXT_SIZE];

	date_format(d->period_end, end);
	jsonw_begin(w);
	jsonw_string(w, "kind", "metric");
	jsonw_string(w, "cik", d->cik);
	jsonw_string(w, "ticker", d->ticker);
	jsonw_string(w, "metric", d->metric);
	jsonw_number(w, "value", d->value);
	jsonw_string(w, "unit", d->unit);
	jsonw_string(w, "period_type", d->period_type);
	jsonw_string(w, "period_start", d->period_start);
	jsonw_string(w, "period_end", end);
	if (d->has_fiscal_year)
		jsonw_int(w, "fiscal_year", d->fiscal_year);
	else
		jsonw_null(w, "fiscal_year");
	jsonw_string(w, "fiscal_period", d->fiscal_period);
	jsonw_string(w, "source", "transform");
	jsonw_string(w, "source_ref", d->source_ref);
	jsonw_string(w, "filed", d->filed);
	/* Only reported values are revised by a later filing. */
	jsonw_bool(w, "revised", 0);
	jsonw_null(w, "concept");
	jsonw_string(w, "derivation", d->derivation);
	jsonw_end(w);
}

static int
emit_derived(const struct derived_metric *d, void *arg)
{
	struct run *run = arg;

	write_derived_record(&run->out, d);
	if (jsonw_write(&run->out, stdout) < 0)
		cli_exit_write_error();
	run->counts.derived++;
	if (run->mart != NULL)
		mart_observe(run->mart, d->cik, d->ticker, d->metric,
		    d->period_type, d->period_end, d->value, d->unit);
	return 0;
}

/* Writes the mart rows: the companies with a cik in the universe's
 * order, then the categories. */
static void
write_marts(struct run *run)
{
	const struct mart *mart = run->mart;

	for (size_t i = 0; i < mart->company_count; i++) {
		if (mart->companies[i].cik == NULL)
			continue;
		mart_company_json(mart, &mart->companies[i], &run->out);
		if (jsonw_write(&run->out, stdout) < 0)
			cli_exit_write_error();
		run->counts.mart_rows++;
	}
	for (size_t i = 0; i < mart->category_count; i++) {
		mart_category_json(mart, &mart->categories[i], &run->out);
		if (jsonw_write(&run->out, stdout) < 0)
			cli_exit_write_error();
		run->counts.mart_rows++;
	}
}

/*
 * Opens the temporary file of the report, beside its path, before any
 * record is written: a report that cannot be written stops the run
 * before its records reach the next stage of a pipeline.  Returns 0 or
 * an exit status after reporting.
 */
static int
open_report(struct run *run, const char *path)
{
	size_t size = strlen(path) + 8;
	struct stat st;

	run->report_tmp = malloc(size);
	if (run->report_tmp == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	snprintf(run->report_tmp, size, "%s.tmp", path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a folder: give --report a file name, such as "
		    "%s/report.html", path, path);
		return EXIT_USAGE;
	}
	run->report = fopen(run->report_tmp, "w");
	if (run->report == NULL) {
		log_error("%s: cannot write the report: %s", path,
		    strerror(errno));
		return EXIT_IOERR;
	}
	return 0;
}

/* Writes the HTML report and renames its temporary file to path, so
 * that a reader never sees half a page.  Returns 0 or EXIT_IOERR after
 * reporting the error. */
static int
write_report(struct run *run, const char *path)
{
	int status = 0;

	if (mart_write_report(run->mart, run->report) < 0) {
		log_error("%s: write failed: %s", path, strerror(errno));
		status = EXIT_IOERR;
	}
	if (fclose(run->report) != 0 && status == 0) {
		log_error("%s: write failed: %s", path, strerror(errno));
		status = EXIT_IOERR;
	}
	run->report = NULL;
	if (status == 0 && rename(run->report_tmp, path) != 0) {
		log_error("%s: rename failed: %s", path, strerror(errno));
		status = EXIT_IOERR;
	}
	if (status == 0) {
		free(run->report_tmp);
		run->report_tmp = NULL;
	}
	return status;
}

/* Removes the temporary file of a report that was not completed. */
static void
drop_report(struct run *run)
{
	if (run->report != NULL)
		fclose(run->report);
	if (run->report_tmp != NULL)
		remove(run->report_tmp);
	free(run->report_tmp);
}

/* Computes the marts after the derivations and writes their rows and
 * the report. */
static int
finish_marts(struct run *run)
{
	if (mart_compute(run->mart) < 0) {
		log_error("out of memory while computing the marts");
		return EXIT_SOFTWARE;
	}
	mart_log_notes(run->mart);
	write_marts(run);
	if (run->opt->report_path != NULL)
		return write_report(run, run->opt->report_path);
	return 0;
}

/* Loads the universe of --universe, or reports why not. */
static int
open_mart(struct run *run)
{
	const struct options *opt = run->opt;
	char error[512];

	if (opt->universe_path == NULL) {
		if (opt->report_path != NULL) {
			log_error("--report needs --universe FILE: the report "
			    "shows the companies of a universe");
			return EXIT_USAGE;
		}
		return 0;
	}
	run->mart = mart_load_universe(opt->universe_path,
	    opt->has_as_of ? opt->as_of : date_today(),
	    opt->rank_currency != NULL ? opt->rank_currency : "USD", error,
	    sizeof error);
	if (run->mart == NULL) {
		log_error("%s", error);
		return EXIT_CONFIG;
	}
	return 0;
}

static void
log_summary(const struct counts *c)
{
	char absent[512] = "";
	size_t used = 0;

	log_info("%lu lines: %lu metric records (%lu used, of which %lu "
	    "replaced by a later line with the same key; %lu not needed), "
	    "%lu other kinds, %lu rejected, %lu blank; %lu derived records "
	    "out, %lu lines passed through", c->lines, c->metric_records,
	    c->used, c->replaced, c->not_needed, c->other_kinds, c->rejected,
	    c->blank, c->derived, c->passed_through);
	if (c->mart_rows > 0)
		log_info("%lu mart rows out", c->mart_rows);

	for (int i = 0; i < DERIVE_ABSENCE_COUNT; i++) {
		if (c->absent[i] == 0 || used >= sizeof absent)
			continue;
		used += (size_t)snprintf(absent + used, sizeof absent - used,
		    "%s%s %lu", used > 0 ? ", " : "",
		    derive_absence_name((enum derive_absence)i), c->absent[i]);
	}
	if (used > 0)
		log_info("derivations left out: %s", absent);
}

static int
write_metrics_file(const char *path, const struct counts *c)
{
	struct promfile *pf;
	char labels[64];
	int status;

	if (path == NULL)
		return 0;
	pf = promfile_new();
	promfile_counter(pf, "corpintel_lines_total", "Input lines read.", NULL,
	    (double)c->lines);
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records written to standard output.", NULL,
	    (double)(c->derived + c->passed_through + c->mart_rows));
	promfile_counter(pf, "corpintel_rejects_total", "Input lines rejected.",
	    NULL, (double)c->rejected);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Input lines that feed no derivation, by reason.",
	    "reason=\"blank\"", (double)c->blank);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Input lines that feed no derivation, by reason.",
	    "reason=\"other-kind\"", (double)c->other_kinds);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Input lines that feed no derivation, by reason.",
	    "reason=\"not-needed\"", (double)c->not_needed);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Input lines that feed no derivation, by reason.",
	    "reason=\"replaced\"", (double)c->replaced);
	promfile_counter(pf, "corpintel_derived_total",
	    "Derived metric records written.", NULL, (double)c->derived);
	promfile_counter(pf, "corpintel_mart_rows_total",
	    "Mart rows written.", NULL, (double)c->mart_rows);
	for (int i = 0; i < DERIVE_ABSENCE_COUNT; i++) {
		snprintf(labels, sizeof labels, "reason=\"%s\"",
		    derive_absence_name((enum derive_absence)i));
		promfile_counter(pf, "corpintel_derivations_absent_total",
		    "Derivations left out, by reason.", labels,
		    (double)c->absent[i]);
	}
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status < 0 ? EXIT_IOERR : 0;
}

int
main(int argc, char **argv)
{
	struct options opt = { .max_reject_ratio = 1,
	    .max_line_bytes = NDJSON_DEFAULT_MAX_LINE };
	struct run run = { .opt = &opt };
	struct conf_node *config = NULL;
	struct inputs inputs = { 0 };
	int status = EXIT_OK;

	cli_init(argc, argv);
	parse_options(argc, argv, &opt);
	if (opt.common.config_file != NULL &&
	    (status = apply_config(&opt, &config)) != 0) {
		conf_node_free(config);
		return status;
	}
	cli_check_output_path("--rejects", opt.rejects_path, argv + optind,
	    argc - optind);
	cli_check_output_path("--report", opt.report_path, argv + optind,
	    argc - optind);
	if ((status = open_mart(&run)) != 0) {
		conf_node_free(config);
		return status;
	}
	/* The marts of part of the input would mislead: a missing file
	 * stops the run before anything is written. */
	if ((status = inputs_check(argv + optind, argc - optind)) != 0 ||
	    (opt.report_path != NULL &&
	    (status = open_report(&run, opt.report_path)) != 0)) {
		drop_report(&run);
		mart_free(run.mart);
		conf_node_free(config);
		return status;
	}

	run.store = derive_store_new();
	run.rejects = reject_open(opt.rejects_path);
	if (run.store == NULL || run.rejects == NULL)
		return run.store == NULL ? EXIT_SOFTWARE : EXIT_IOERR;

	inputs = (struct inputs){
		.paths = argv + optind, .count = argc - optind,
		.max_line = opt.max_line_bytes, .rejects = run.rejects,
	};
	status = inputs_read(&inputs, take_line, &run);
	run.counts.lines = inputs.lines;
	run.counts.rejected += inputs.too_long;
	if (status == 0 && derive_run(run.store, emit_derived, &run,
	    run.counts.absent) < 0) {
		log_error("out of memory while deriving");
		status = EXIT_SOFTWARE;
	}
	if (status == 0 && run.mart != NULL)
		status = finish_marts(&run);

	log_summary(&run.counts);
	if (status == 0 && run.counts.lines > 0 &&
	    (double)run.counts.rejected / run.counts.lines >
	    opt.max_reject_ratio) {
		log_error("%lu of %lu lines rejected, more than "
		    "--max-reject-ratio %g", run.counts.rejected,
		    run.counts.lines, opt.max_reject_ratio);
		status = EXIT_DATAERR;
	}
	if (reject_close(run.rejects) < 0 && status == 0)
		status = EXIT_IOERR;
	if (write_metrics_file(opt.common.metrics_file, &run.counts) != 0 &&
	    status == 0)
		status = EXIT_IOERR;

	drop_report(&run);
	derive_store_free(run.store);
	mart_free(run.mart);
	jsonw_free(&run.out);
	conf_node_free(config);
	if (cli_finish_stdout() != 0 && status == 0)
		status = EXIT_IOERR;
	return status;
}
