/*
 * normalize: turn SEC XBRL facts (sec_fact records) into canonical company
 * and metric records, driven by the metric mapping in schemas/metrics.yaml.
 *
 * Facts arrive grouped by company, as fetch-sec writes them.  The facts of
 * one company that map onto a metric are kept in memory until the cik
 * changes or the input ends, so memory is bounded by the largest company.
 * Then the company's fiscal year end and reporting currency are known:
 * xbrl_select() keeps one fact per key (cik, metric, period_type,
 * period_end), quarters_derive() adds the quarters and trailing twelve
 * months that no filing reports, and the company record is written,
 * followed by its metric records in vocabulary order, period type order
 * and period end order.  Records of other kinds pass through untouched as
 * they are read.
 *
 * Every input line is counted once: as the source of a metric record, as
 * a skip with a reason, as passed through, or as rejected.  Derived
 * records come from no line of their own and are counted apart.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "date.h"
#include "filing_map.h"
#include "inputs.h"
#include "json_scan.h"
#include "jsonw.h"
#include "log.h"
#include "ndjson.h"
#include "period.h"
#include "promfile.h"
#include "quarters.h"
#include "record.h"
#include "reject.h"
#include "universe.h"
#include "xbrl.h"
#include "yahoo_map.h"

#define CIK_DIGITS 10
#define CONCEPT_BITS 2048
#define DATE_MEMO_SLOTS 512
#define OUTPUT_BUFFER_SIZE (64 * 1024)

enum {
	OPT_MAPPING = CLI_OPT_TOOL_FIRST,
	OPT_UNIVERSE,
	OPT_REJECTS,
	OPT_MAX_REJECT_RATIO,
	OPT_MAX_LINE_BYTES,
	OPT_AS_REPORTED,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "mapping", required_argument, NULL, OPT_MAPPING },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "max-reject-ratio", required_argument, NULL, OPT_MAX_REJECT_RATIO },
	{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE_BYTES },
	{ "as-reported", no_argument, NULL, OPT_AS_REPORTED },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct cli_common common;
	const char *mapping_path;
	const char *universe_path;
	const char *rejects_path;
	double max_reject_ratio;
	size_t max_line_bytes;
	bool as_reported;		/* keep the first filed value */
	char **inputs;			/* the input file arguments */
	int input_count;
	bool set_mapping;		/* given on the command line, which */
	bool set_universe;		/* takes precedence over --config */
	bool set_rejects;
	bool set_max_reject_ratio;
	bool set_max_line_bytes;
	bool set_as_reported;
};

/* Reasons for a line that produced no record, named as in the summary
 * and the skipped_total metric. */
enum skip_reason {
	SKIP_BLANK,
	SKIP_UNMAPPED,		/* concept not in the mapping */
	SKIP_UNIT_MISMATCH,	/* unit not of the metric's unit kind */
	SKIP_PERIOD_MISMATCH,	/* instant for a flow metric or the reverse */
	SKIP_UNCLASSIFIED,	/* duration of no known length or position */
	SKIP_OTHER_CURRENCY,	/* its key is reported in the reporting currency */
	SKIP_SUPERSEDED,	/* another fact won the same key */
	SKIP_REASON_COUNT,
};

static const char *const skip_names[SKIP_REASON_COUNT] = {
	"blank", "unmapped", "unit-mismatch", "period-mismatch",
	"unclassified-period", "other-currency", "superseded",
};

/* The members of a valid sec_fact line that normalize reads.  Strings
 * point into the parsed line. */
struct sec_fact {
	const char *cik;
	const char *ticker;
	const char *entity;
	const char *taxonomy;
	const char *concept;
	size_t concept_len;
	const char *unit;
	const char *accn;
	double value;
	bool has_start;
	long start;
	long end;
	long filed;
};

/*
 * A date read before, kept by the slot its text hashes to.  In the
 * recorded companyfacts, a company's facts use 70 to 311 distinct dates,
 * each on hundreds of lines, and finding one here costs less than
 * checking and converting its text again.
 */
struct date_memo {
	char text[DATE_TEXT_SIZE - 1];	/* all NULs while the slot is empty */
	long days;
};

/* The run of consecutive sec_fact lines of one company. */
struct company {
	bool open;
	char cik[CIK_DIGITS + 1];
	char *ticker;
	char *name;
	struct fiscal_year_end_votes votes;
	struct xbrl_fact *facts;
	size_t count;
	size_t cap;
	struct xbrl_records records;	/* reused from company to company */
};

/* Every input line is counted once: lines = metric_records + skipped +
 * passed_through + rejected.  Derived records are counted apart. */
struct counts {
	unsigned long lines;
	unsigned long metric_records;
	unsigned long derived_quarters;
	unsigned long ttm_records;
	unsigned long non_usd_records;	/* metric records in another currency */
	unsigned long company_records;
	unsigned long passed_through;
	unsigned long rejected;
	unsigned long skipped[SKIP_REASON_COUNT];
	unsigned long yahoo_lines;	/* mapped or skipped by yahoo_map */
	struct filing_map_counts sec_filings;	/* sec_filing, sec_company */
};

struct run {
	const struct options *opt;
	struct xbrl_mapping mapping;
	struct universe *universe;	/* NULL without --universe */
	struct company company;
	char (*done_ciks)[CIK_DIGITS + 1];	/* companies already written */
	size_t done_count;
	unsigned long sequence;
	struct counts counts;
	struct reject_stream *rejects;
	struct jsonw out;
	struct yahoo_map *yahoo;
	struct json_scan scan;		/* the line read without building a tree */
	struct json_scan_layout fact_layout;	/* see sec_fact_names */
	struct date_memo dates[DATE_MEMO_SLOTS];
	uint64_t concept_bits[CONCEPT_BITS / 64];	/* see concept_bit */
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: normalize [options] [FILE...]\n"
"\n"
"Read sec_fact records (NDJSON) from the files or standard input, grouped\n"
"by company as fetch-sec writes them, and write one company record per\n"
"company followed by its metric records: one per metric, period type and\n"
"period end, from the XBRL concepts the mapping file lists.  Periods are\n"
"classified from their dates and placed in the company's fiscal calendar;\n"
"among facts for the same period, the concept listed first wins, then the\n"
"latest filing.  Quarters that are reported only inside a year-to-date or\n"
"annual figure are derived, and four consecutive quarters give a trailing\n"
"twelve months.  Records of other kinds pass through untouched.\n"
"\n"
"Options:\n"
"      --as-reported        keep the value first filed for a period instead\n"
"                           of the latest (restated) one\n"
"      --mapping=FILE       metric mapping (default: metrics.yaml in the\n"
"                           schema folder)\n"
"      --universe=FILE      company universe YAML that supplies categories\n"
"      --rejects=FILE       write rejected lines to FILE as reject records\n"
"      --max-reject-ratio=R exit 65 when more than this fraction of the\n"
"                           lines is rejected (0 to 1, default 1)\n"
"      --max-line-bytes=N   reject lines longer than N bytes (default %u)\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 too many rejects, 66 input or YAML file\n"
"not found, 70 internal error, 74 read or write error, 78 invalid mapping,\n"
"universe or --config file\n",
	    NDJSON_DEFAULT_MAX_LINE);
}



static void
parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS,
	    long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MAPPING:
			opt->mapping_path = optarg;
			opt->set_mapping = true;
			break;
		case OPT_UNIVERSE:
			opt->universe_path = optarg;
			opt->set_universe = true;
			break;
		case OPT_REJECTS:
			opt->rejects_path = optarg;
			opt->set_rejects = true;
			break;
		case OPT_MAX_REJECT_RATIO:
			opt->max_reject_ratio = cli_parse_ratio("--max-reject-ratio", optarg);
			opt->set_max_reject_ratio = true;
			break;
		case OPT_AS_REPORTED:
			opt->as_reported = true;
			opt->set_as_reported = true;
			break;
		case OPT_MAX_LINE_BYTES:
			opt->max_line_bytes = cli_parse_bytes("--max-line-bytes", optarg);
			opt->set_max_line_bytes = true;
			break;
		default:
			if (!cli_handle_common(c, optarg, &opt->common, usage))
				cli_usage_error("unhandled option");
		}
	}
}

/*
 * Loads a YAML file.  Returns the root, or NULL with *status set to
 * EXIT_NOINPUT when the file cannot be read and EXIT_CONFIG when it is
 * not valid YAML, after reporting the error.
 */
static struct conf_node *
load_yaml(const char *path, const char *what, int *status)
{
	struct conf_node *root;
	char error[512];

	if (access(path, R_OK) != 0) {
		log_error("%s: cannot read %s: %s", path, what, strerror(errno));
		*status = EXIT_NOINPUT;
		return NULL;
	}
	root = conf_load_file(path, error, sizeof error);
	if (root == NULL) {
		log_error("%s", error);
		*status = EXIT_CONFIG;
	}
	return root;
}

/*
 * Applies option defaults from the "normalize" section of a YAML config
 * file, for the options not given on the command line:
 *
 *   normalize:
 *     mapping: /etc/corpintel/metrics.yaml
 *     universe: /etc/corpintel/universe.yaml
 *     max-reject-ratio: 0.01
 *     as-reported: false
 *
 * The strings stay in *config.  Returns 0 or an exit status.
 */
static int
apply_config(struct options *opt, struct conf_node **config)
{
	const struct conf_option options[] = {
		{ "mapping", CONF_OPTION_TEXT, &opt->mapping_path,
		  opt->set_mapping, NULL },
		{ "universe", CONF_OPTION_TEXT, &opt->universe_path,
		  opt->set_universe, NULL },
		{ "rejects", CONF_OPTION_TEXT, &opt->rejects_path,
		  opt->set_rejects, NULL },
		{ "max-reject-ratio", CONF_OPTION_RATIO, &opt->max_reject_ratio,
		  opt->set_max_reject_ratio, NULL },
		{ "max-line-bytes", CONF_OPTION_BYTES, &opt->max_line_bytes,
		  opt->set_max_line_bytes, NULL },
		{ "as-reported", CONF_OPTION_FLAG, &opt->as_reported,
		  opt->set_as_reported, NULL },
	};
	int status = 0;

	*config = load_yaml(opt->common.config_file, "config file", &status);
	if (*config == NULL)
		return status;
	if (conf_apply_options(*config, opt->common.config_file, "normalize",
	    options, sizeof options / sizeof options[0]) < 0)
		return EXIT_CONFIG;
	return 0;
}

/* Loads the mapping.  Returns 0 or an exit status after reporting. */
static int
load_mapping(struct xbrl_mapping *m, const char *path)
{
	struct conf_node *root;
	int status = 0;

	root = load_yaml(path, "mapping file", &status);
	if (root == NULL)
		return status;
	if (!xbrl_mapping_read(m, root, path))
		status = EXIT_CONFIG;
	conf_node_free(root);
	return status;
}

/* ---- the universe file ---- */

/* Loads the universe.  Returns 0 or an exit status after reporting. */
static int
load_universe(struct run *run, const char *path)
{
	char error[512];

	if (access(path, R_OK) != 0) {
		log_error("%s: cannot read universe file: %s", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	run->universe = universe_load(path, error, sizeof error);
	if (run->universe == NULL) {
		log_error("%s", error);
		return EXIT_CONFIG;
	}
	return 0;
}

/* ---- checking a sec_fact line ---- */

/* The value of a member, shortened for a reject reason. */
static void
describe_value(const cJSON *item, char *buf, size_t size)
{
	char *text = cJSON_PrintUnformatted(item);

	if (text == NULL) {
		snprintf(buf, size, "(unprintable)");
		return;
	}
	if (strlen(text) > 60)
		snprintf(buf, size, "%.57s...", text);
	else
		snprintf(buf, size, "%s", text);
	cJSON_free(text);
}

/* Reports a member that is missing or of the wrong form. */
static void
bad_member(struct reject_stream *rs, const cJSON *record, const char *key,
    const char *expected)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(record, key);
	char value[64];

	if (item == NULL || cJSON_IsNull(item)) {
		reject_add(rs, "sec_fact", "missing member \"%s\": a sec_fact "
		    "needs %s", key, expected);
		return;
	}
	describe_value(item, value, sizeof value);
	reject_add(rs, "sec_fact", "member \"%s\" is %s, expected %s", key,
	    value, expected);
}

static const char *
need_string(struct reject_stream *rs, const cJSON *record, const char *key,
    int *errors)
{
	const char *value = record_string(record, key);

	if (value != NULL && *value != '\0')
		return value;
	bad_member(rs, record, key, "a non-empty string");
	++*errors;
	return NULL;
}

static bool
need_date(struct reject_stream *rs, const cJSON *record, const char *key,
    long *days, int *errors)
{
	if (date_parse(record_string(record, key), days))
		return true;
	bad_member(rs, record, key, "a valid date YYYY-MM-DD");
	++*errors;
	return false;
}

/* ASCII digits only: isdigit would consult the locale for every byte. */
static bool
digits_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* SEC accession numbers read NNNNNNNNNN-YY-NNNNNN: the filer agent's CIK,
 * the year, and a sequence number.  The len bytes at s need no NUL. */
static bool
accession_valid(const char *s, size_t len)
{
	return len == XBRL_ACCESSION_LENGTH && digits_only(s, 10) &&
	    s[10] == '-' && digits_only(s + 11, 2) && s[13] == '-' &&
	    digits_only(s + 14, 6);
}

static void
check_identity(struct reject_stream *rs, const cJSON *record,
    struct sec_fact *f, int *errors)
{
	const cJSON *ticker = cJSON_GetObjectItemCaseSensitive(record, "ticker");

	f->cik = record_string(record, "cik");
	if (f->cik == NULL || strlen(f->cik) != CIK_DIGITS ||
	    !digits_only(f->cik, CIK_DIGITS)) {
		bad_member(rs, record, "cik", "a 10-digit string such as "
		    "\"0000320193\"");
		++*errors;
	}
	f->ticker = record_string(record, "ticker");
	if (ticker != NULL && !cJSON_IsNull(ticker) && f->ticker == NULL) {
		bad_member(rs, record, "ticker", "a string or null");
		++*errors;
	}
	if (f->ticker != NULL && *f->ticker == '\0')
		f->ticker = NULL;
	f->entity = need_string(rs, record, "entity", errors);
}

static void
check_dates(struct reject_stream *rs, const cJSON *record, struct sec_fact *f,
    int *errors)
{
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(record, "start");
	bool end_ok;

	end_ok = need_date(rs, record, "end", &f->end, errors);
	need_date(rs, record, "filed", &f->filed, errors);
	f->has_start = start != NULL && !cJSON_IsNull(start);
	if (!f->has_start)
		return;
	if (!need_date(rs, record, "start", &f->start, errors) || !end_ok)
		return;
	if (f->start > f->end) {
		reject_add(rs, "sec_fact", "member \"start\" %s is after \"end\" "
		    "%s", record_string(record, "start"),
		    record_string(record, "end"));
		++*errors;
	}
}

/*
 * Checks the members normalize reads and fills *f.  Rejects the line
 * with every problem found and returns false, or returns true.
 */
static bool
check_sec_fact(struct run *run, const cJSON *record, unsigned long line,
    const char *text, size_t len, struct sec_fact *f)
{
	struct reject_stream *rs = run->rejects;
	int errors = 0;

	reject_begin(rs, line, text, len);
	check_identity(rs, record, f, &errors);
	f->taxonomy = need_string(rs, record, "taxonomy", &errors);
	f->concept = need_string(rs, record, "concept", &errors);
	f->unit = need_string(rs, record, "unit", &errors);
	if (!record_number(record, "value", &f->value)) {
		bad_member(rs, record, "value", "a number");
		errors++;
	}
	check_dates(rs, record, f, &errors);
	f->accn = record_string(record, "accn");
	if (f->accn == NULL || !accession_valid(f->accn, strlen(f->accn))) {
		bad_member(rs, record, "accn", "an accession number such as "
		    "\"0000320193-23-000106\"");
		errors++;
	}
	if (errors == 0) {
		f->concept_len = strlen(f->concept);
		return true;
	}
	reject_end(rs);
	run->counts.rejected++;
	return false;
}

/* ---- the fast path for a valid sec_fact line ---- */

/* The members of a plain sec_fact line, by name. */
struct fact_members {
	const struct json_scan_member *kind, *cik, *ticker, *entity, *taxonomy,
	    *concept, *unit, *value, *start, *end, *filed, *accn;
};

/* Where a member of this name goes, or NULL for one normalize ignores.
 * The sizes are constant so that the compiler inlines the comparisons. */
static const struct json_scan_member **
fact_slot(struct fact_members *fm, const char *name, size_t len)
{
#define IS(word) (len == sizeof word - 1 && memcmp(name, word, len) == 0)
	switch (name[0]) {
	case 'a':
		return IS("accn") ? &fm->accn : NULL;
	case 'c':
		return IS("cik") ? &fm->cik : IS("concept") ? &fm->concept :
		    NULL;
	case 'e':
		return IS("end") ? &fm->end : IS("entity") ? &fm->entity : NULL;
	case 'f':
		return IS("filed") ? &fm->filed : NULL;
	case 'k':
		return IS("kind") ? &fm->kind : NULL;
	case 's':
		return IS("start") ? &fm->start : NULL;
	case 't':
		return IS("taxonomy") ? &fm->taxonomy : IS("ticker") ?
		    &fm->ticker : NULL;
	case 'u':
		return IS("unit") ? &fm->unit : NULL;
	case 'v':
		return IS("value") ? &fm->value : NULL;
	}
	return NULL;
#undef IS
}

/*
 * The members of a sec_fact in the order fetch-sec writes them.  A line
 * that keeps to it has each member at a known place, and needs no search
 * by name.
 */
static const char *const sec_fact_names[] = {
	"kind", "cik", "ticker", "entity", "taxonomy", "concept", "unit",
	"value", "start", "end", "fy", "fp", "form", "filed", "accn", "frame",
};

#define SEC_FACT_MEMBERS (sizeof sec_fact_names / sizeof sec_fact_names[0])

/* Takes the members of a line whose names follow sec_fact_names: the
 * indexes below are their places in that list. */
static void
take_fact_members(const struct json_scan *scan, struct fact_members *fm)
{
	const struct json_scan_member *m = scan->members;

	fm->kind = &m[0];
	fm->cik = &m[1];
	fm->ticker = &m[2];
	fm->entity = &m[3];
	fm->taxonomy = &m[4];
	fm->concept = &m[5];
	fm->unit = &m[6];
	fm->value = &m[7];
	fm->start = &m[8];
	fm->end = &m[9];
	fm->filed = &m[13];
	fm->accn = &m[14];
}

/* The scanner lets no name through twice, so each slot is set once. */
static void
find_fact_members(const struct json_scan *scan, struct fact_members *fm)
{
	if (scan->in_layout == SEC_FACT_MEMBERS) {
		take_fact_members(scan, fm);
		return;
	}
	memset(fm, 0, sizeof *fm);
	for (size_t i = 0; i < scan->count; i++) {
		const struct json_scan_member *m = &scan->members[i];
		const struct json_scan_member **slot;

		if (m->name_len == 0)
			continue;
		slot = fact_slot(fm, m->name, m->name_len);
		if (slot != NULL)
			*slot = m;
	}
}

/* Whether a member is a non-empty string, whose text in the line is not
 * NUL-terminated yet. */
static bool
nonempty_string(const struct json_scan_member *m)
{
	return m != NULL && m->type == JSON_SCAN_STRING && m->len > 0;
}

/* The slot of a YYYY-MM-DD text: from the last digit of the year, the
 * month and the day, so that the dates of ten years spread over it. */
static size_t
date_slot(const char *text)
{
	size_t year = (size_t)(text[3] & 15);
	size_t month = (size_t)(text[5] & 15) * 10 + (size_t)(text[6] & 15);
	size_t day = (size_t)(text[8] & 15) * 10 + (size_t)(text[9] & 15);

	return (year * 372 + month * 31 + day) % DATE_MEMO_SLOTS;
}

/* Reads a date member, first looking for its text among the dates read
 * before.  Only valid dates are kept there. */
static bool
member_date(struct date_memo *dates, const struct json_scan_member *m,
    long *days)
{
	struct date_memo *memo;

	if (m == NULL || m->type != JSON_SCAN_STRING ||
	    m->len != sizeof memo->text)
		return false;
	memo = &dates[date_slot(m->text)];
	if (memcmp(memo->text, m->text, sizeof memo->text) == 0) {
		*days = memo->days;
		return true;
	}
	if (!date_parse_len(m->text, m->len, days))
		return false;
	memcpy(memo->text, m->text, sizeof memo->text);
	memo->days = *days;
	return true;
}

/* Ends a string member's text in the line, over its closing quote. */
static const char *
terminate(char *line, const struct json_scan_member *m)
{
	line[m->text - line + (ptrdiff_t)m->len] = '\0';
	return m->text;
}

/*
 * Reads a sec_fact from a plain line, making every check check_sec_fact
 * makes.  Returns false when the line is no sec_fact or any check fails:
 * the caller then takes the path through cJSON, which rejects the line
 * with the same reasons as ever.  Most lines are valid facts of concepts
 * that are not mapped, and this spares them building a tree.  On success
 * the strings of *f point into the line, whose quotes became NULs.
 */
static bool
scan_sec_fact(const struct json_scan *scan, struct date_memo *dates,
    char *line, struct sec_fact *f)
{
	struct fact_members fm;

	find_fact_members(scan, &fm);
	if (!json_scan_is(fm.kind, "sec_fact"))
		return false;
	if (fm.cik == NULL || fm.cik->type != JSON_SCAN_STRING ||
	    fm.cik->len != CIK_DIGITS || !digits_only(fm.cik->text, CIK_DIGITS))
		return false;
	if (fm.ticker != NULL && fm.ticker->type != JSON_SCAN_NULL &&
	    fm.ticker->type != JSON_SCAN_STRING)
		return false;
	if (!nonempty_string(fm.entity) || !nonempty_string(fm.taxonomy) ||
	    !nonempty_string(fm.concept) || !nonempty_string(fm.unit))
		return false;
	if (fm.value == NULL || fm.value->type != JSON_SCAN_NUMBER)
		return false;
	if (!member_date(dates, fm.end, &f->end) ||
	    !member_date(dates, fm.filed, &f->filed))
		return false;
	f->has_start = fm.start != NULL && fm.start->type != JSON_SCAN_NULL;
	if (f->has_start && (!member_date(dates, fm.start, &f->start) ||
	    f->start > f->end))
		return false;
	if (fm.accn == NULL || fm.accn->type != JSON_SCAN_STRING ||
	    !accession_valid(fm.accn->text, fm.accn->len))
		return false;

	/* Every check passed: nothing reads the line as JSON any more. */
	f->cik = terminate(line, fm.cik);
	f->ticker = NULL;
	if (fm.ticker != NULL && fm.ticker->type == JSON_SCAN_STRING &&
	    fm.ticker->len > 0)
		f->ticker = terminate(line, fm.ticker);
	f->entity = terminate(line, fm.entity);
	f->taxonomy = terminate(line, fm.taxonomy);
	f->concept = terminate(line, fm.concept);
	f->concept_len = fm.concept->len;
	f->unit = terminate(line, fm.unit);
	f->accn = terminate(line, fm.accn);
	f->value = fm.value->number;
	return true;
}

/* ---- writing records ---- */

static void
write_out(struct run *run)
{
	if (jsonw_write(&run->out, stdout) != 0)
		cli_exit_write_error();
}

static void
write_company(struct run *run, const struct company *c, const char *ticker,
    const struct universe_company *entry)
{
	jsonw_begin(&run->out);
	jsonw_string(&run->out, "kind", "company");
	jsonw_string(&run->out, "cik", c->cik);
	if (ticker != NULL)
		jsonw_string(&run->out, "ticker", ticker);
	else
		jsonw_null(&run->out, "ticker");
	jsonw_string(&run->out, "name", c->name);
	if (entry != NULL && entry->category != NULL)
		jsonw_string(&run->out, "category", entry->category);
	else
		jsonw_null(&run->out, "category");
	jsonw_string(&run->out, "source", "sec");
	jsonw_end(&run->out);
	write_out(run);
	run->counts.company_records++;
}

static void
write_metric(struct run *run, const struct company *c, const char *ticker,
    const struct xbrl_record *r)
{
	struct jsonw *w = &run->out;
	char date[DATE_TEXT_SIZE];

	jsonw_begin(w);
	jsonw_string(w, "kind", "metric");
	jsonw_string(w, "cik", c->cik);
	if (ticker != NULL)
		jsonw_string(w, "ticker", ticker);
	else
		jsonw_null(w, "ticker");
	jsonw_string(w, "metric", run->mapping.metrics[r->metric].name);
	jsonw_number(w, "value", r->value);
	jsonw_string(w, "unit", r->unit);
	jsonw_string(w, "period_type", period_type_name(r->class));
	if (r->class == PERIOD_INSTANT) {
		jsonw_null(w, "period_start");
	} else {
		date_format(r->start, date);
		jsonw_string(w, "period_start", date);
	}
	date_format(r->end, date);
	jsonw_string(w, "period_end", date);
	jsonw_int(w, "fiscal_year", r->fiscal_year);
	if (r->fiscal_period != NULL)
		jsonw_string(w, "fiscal_period", r->fiscal_period);
	else
		jsonw_null(w, "fiscal_period");
	jsonw_string(w, "source", "sec");
	jsonw_string(w, "source_ref", r->source_ref);
	date_format(r->filed, date);
	jsonw_string(w, "filed", date);
	jsonw_bool(w, "revised", r->revised);
	if (r->concept != NULL)
		jsonw_string(w, "concept", r->concept->qualified);
	else
		jsonw_null(w, "concept");
	if (r->derivation[0] != '\0')
		jsonw_string(w, "derivation", r->derivation);
	else
		jsonw_null(w, "derivation");
	jsonw_end(w);
	write_out(run);
}

/* ---- one company ---- */

/* Counts the fate of every fact: used facts became records, the others
 * are skipped. */
static void
count_fates(struct run *run, const struct company *c)
{
	for (size_t i = 0; i < c->count; i++) {
		switch (c->facts[i].fate) {
		case XBRL_USED:
			run->counts.metric_records++;
			break;
		case XBRL_SUPERSEDED:
			run->counts.skipped[SKIP_SUPERSEDED]++;
			break;
		case XBRL_OTHER_CURRENCY:
			run->counts.skipped[SKIP_OTHER_CURRENCY]++;
			break;
		case XBRL_UNCLASSIFIED:
			run->counts.skipped[SKIP_UNCLASSIFIED]++;
			break;
		}
	}
}

/*
 * Warns once per company whose records are in a currency other than US
 * dollars: they keep their ISO code, and a reader who adds them up with
 * dollar figures, or compares them, would be wrong.
 */
static void
flag_currencies(struct run *run, const struct company *c)
{
	char codes[64] = "";
	unsigned long count = 0;

	for (size_t i = 0; i < c->records.count; i++) {
		const char *unit = c->records.items[i].unit;
		char code[XBRL_CURRENCY_LENGTH + 2];

		if (strcmp(unit, "shares") == 0 || strncmp(unit, "USD", 3) == 0)
			continue;
		count++;
		snprintf(code, sizeof code, "%.3s", unit);
		if (strstr(codes, code) == NULL && strlen(codes) + 5 < sizeof codes)
			snprintf(codes + strlen(codes), sizeof codes - strlen(codes),
			    "%s%s", codes[0] != '\0' ? ", " : "", code);
	}
	if (count == 0)
		return;
	run->counts.non_usd_records += count;
	log_warn("cik %s (%s): %lu metric records in %s, not USD; convert "
	    "them before comparing them with other companies", c->cik, c->name,
	    count, codes);
}

static bool
company_done_before(const struct run *run, const char *cik)
{
	for (size_t i = 0; i < run->done_count; i++)
		if (strcmp(run->done_ciks[i], cik) == 0)
			return true;
	return false;
}

static void
remember_company(struct run *run, const char *cik)
{
	char (*grown)[CIK_DIGITS + 1];

	if (company_done_before(run, cik))
		return;
	grown = realloc(run->done_ciks, (run->done_count + 1) * sizeof *grown);
	if (grown == NULL)
		return;	/* only the repeat warning is lost */
	run->done_ciks = grown;
	memcpy(run->done_ciks[run->done_count++], cik, CIK_DIGITS + 1);
}

static void
reset_company(struct company *c)
{
	free(c->ticker);
	free(c->name);
	c->ticker = NULL;
	c->name = NULL;
	c->count = 0;
	c->records.count = 0;
	c->open = false;
	memset(&c->votes, 0, sizeof c->votes);
}

/* Chooses, derives and orders the company's records.  Exits when out of
 * memory, as the record loop does. */
static void
settle_company(struct run *run, struct company *c)
{
	int year_end = fiscal_year_end_month(&c->votes);

	if (!xbrl_select(c->facts, c->count, year_end, run->opt->as_reported ?
	    XBRL_FIRST_FILED : XBRL_LATEST_FILED, &c->records) ||
	    !quarters_derive(&run->mapping, &c->records, year_end,
	    &run->counts.derived_quarters, &run->counts.ttm_records)) {
		log_error("out of memory normalizing cik %s", c->cik);
		exit(EXIT_SOFTWARE);
	}
	xbrl_records_sort(&c->records);
	count_fates(run, c);
	log_debug("%s: fiscal year ends in month %d, %zu facts, %zu records",
	    c->cik, year_end, c->count, c->records.count);
}

/* Writes the company record and its metric records, then empties the
 * buffer for the next company. */
static void
flush_company(struct run *run)
{
	struct company *c = &run->company;
	const struct universe_company *entry;
	const char *ticker;

	if (!c->open)
		return;

	settle_company(run, c);

	/* The universe supplies the category, and the ticker when no fact
	 * carried one. */
	entry = universe_find(run->universe, c->cik, c->ticker);
	ticker = c->ticker;
	if (ticker == NULL && entry != NULL)
		ticker = entry->ticker;
	write_company(run, c, ticker, entry);
	for (size_t i = 0; i < c->records.count; i++)
		write_metric(run, c, ticker, &c->records.items[i]);
	flag_currencies(run, c);

	remember_company(run, c->cik);
	reset_company(c);
}

/*
 * Starts the run of a company.
 * NOTE: input must be grouped by cik for one record per key.  When a cik
 * comes back after another company, its second run is written on its own,
 * so a key can appear twice in the output.  A warning reports it.
 */
static bool
open_company(struct run *run, const struct sec_fact *f, unsigned long line)
{
	struct company *c = &run->company;
	char where[REJECT_WHERE_SIZE];

	if (company_done_before(run, f->cik))
		log_warn("%s: cik %s appears again after other companies, so "
		    "keys written for it before may be written again: group "
		    "the input by cik", reject_where(run->rejects, line, where,
		    sizeof where), f->cik);
	memcpy(c->cik, f->cik, CIK_DIGITS + 1);
	c->name = strdup(f->entity);
	c->open = c->name != NULL;
	return c->open;
}

/*
 * A bit for a concept name from its length, first letter and last two
 * letters.  With the bits of the mapped concepts set, seven facts in eight
 * of the recorded companyfacts skip the search of the mapping, and six in
 * seven of the facts that search it find their concept there.
 */
static size_t
concept_bit(const char *concept, size_t len)
{
	size_t first, last, before_last;

	if (len < 2)
		return len == 0 ? 0 : (unsigned char)concept[0];
	first = (unsigned char)concept[0];
	last = (unsigned char)concept[len - 1];
	before_last = (unsigned char)concept[len - 2];
	return (len * 31 + first * 131 + before_last * 7 + last) % CONCEPT_BITS;
}

static void
set_concept_bits(struct run *run)
{
	for (size_t i = 0; i < run->mapping.concept_count; i++) {
		const char *concept = run->mapping.concepts[i].concept;
		size_t bit = concept_bit(concept, strlen(concept));

		run->concept_bits[bit / 64] |= 1ULL << bit % 64;
	}
}

static const struct xbrl_concept *
find_concept(const struct run *run, const struct sec_fact *sf)
{
	size_t bit = concept_bit(sf->concept, sf->concept_len);

	if ((run->concept_bits[bit / 64] & 1ULL << bit % 64) == 0)
		return NULL;
	return xbrl_find_concept(&run->mapping, sf->taxonomy, sf->concept);
}

/* Copies src into dst of size bytes, cut short as snprintf would cut it,
 * without the cost of formatting. */
static void
copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Keeps a mapped fact for the company.  Returns false when out of memory. */
static bool
keep_fact(struct run *run, const struct sec_fact *sf,
    const struct xbrl_concept *concept, enum period_class class,
    const char *currency)
{
	struct company *c = &run->company;
	struct xbrl_fact *f;

	if (c->count == c->cap) {
		size_t cap = c->cap == 0 ? 256 : c->cap * 2;
		struct xbrl_fact *grown = realloc(c->facts, cap * sizeof *grown);

		if (grown == NULL)
			return false;
		c->facts = grown;
		c->cap = cap;
	}
	f = &c->facts[c->count++];
	memset(f, 0, sizeof *f);
	f->concept = concept;
	f->class = class;
	f->start = sf->has_start ? sf->start : 0;
	f->end = sf->end;
	f->filed = sf->filed;
	f->value = sf->value;
	copy_string(f->unit, sizeof f->unit, sf->unit);
	copy_string(f->currency, sizeof f->currency, currency);
	memcpy(f->accn, sf->accn, XBRL_ACCESSION_LENGTH + 1);
	f->sequence = run->sequence++;
	return true;
}

/*
 * Takes a valid sec_fact: joins it to its company (closing the previous
 * one when the cik changes), then keeps it when it maps onto a metric in a
 * fitting unit and period, or counts why not.
 */
static bool
take_fact(struct run *run, const struct sec_fact *sf, unsigned long line)
{
	struct company *c = &run->company;
	const struct xbrl_concept *concept;
	const struct xbrl_metric *def;
	enum period_class class;
	char currency[XBRL_CURRENCY_LENGTH + 1];

	/* Both ciks are 10 digits, as the checks of a fact make sure. */
	if (c->open && memcmp(c->cik, sf->cik, CIK_DIGITS) != 0)
		flush_company(run);
	if (!c->open && !open_company(run, sf, line))
		return false;
	if (c->ticker == NULL && sf->ticker != NULL &&
	    (c->ticker = strdup(sf->ticker)) == NULL)
		return false;
	if (sf->has_start)
		fiscal_year_end_vote(&c->votes, sf->start, sf->end);

	concept = find_concept(run, sf);
	if (concept == NULL) {
		run->counts.skipped[SKIP_UNMAPPED]++;
		return true;
	}
	def = &run->mapping.metrics[concept->metric];
	if (!xbrl_unit_fits(def->unit_kind, sf->unit, currency)) {
		run->counts.skipped[SKIP_UNIT_MISMATCH]++;
		log_debug("line %lu: %s in %s does not fit %s", line,
		    concept->qualified, sf->unit, def->name);
		return true;
	}
	class = period_classify(sf->has_start, sf->start, sf->end);
	if ((def->kind == XBRL_INSTANT) != (class == PERIOD_INSTANT)) {
		run->counts.skipped[SKIP_PERIOD_MISMATCH]++;
		return true;
	}
	if (class == PERIOD_UNCLASSIFIED) {
		run->counts.skipped[SKIP_UNCLASSIFIED]++;
		return true;
	}
	return keep_fact(run, sf, concept, class, currency);
}

/* ---- the record loop ---- */

static void
pass_through(struct run *run, const char *line, size_t len)
{
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		cli_exit_write_error();
	run->counts.passed_through++;
}

static void
process_line(struct run *run, char *line, size_t len, unsigned long number)
{
	enum record_error error;
	struct sec_fact fact;
	char why[256];
	cJSON *record;

	/* The common line, a valid sec_fact, is read in one pass. */
	if (json_scan_flat(&run->scan, line, len, &run->fact_layout) &&
	    scan_sec_fact(&run->scan, run->dates, line, &fact)) {
		if (!take_fact(run, &fact, number)) {
			log_error("out of memory at line %lu", number);
			exit(EXIT_SOFTWARE);
		}
		return;
	}

	record = record_parse(line, len, &error, why, sizeof why);
	if (record == NULL) {
		if (error == RECORD_EMPTY) {
			run->counts.skipped[SKIP_BLANK]++;
			return;
		}
		reject_one(run->rejects, number, line, len,
		    record_error_rule(error), why);
		run->counts.rejected++;
		return;
	}

	if (yahoo_map_handles(record_kind(record))) {
		if (yahoo_map_record(run->yahoo, record, number, line, len,
		    run->rejects, &run->out) == YAHOO_MAP_REJECTED)
			run->counts.rejected++;
		else
			run->counts.yahoo_lines++;
	} else if (filing_map_handles(record_kind(record))) {
		const char *cik = record_string(record, "cik");
		const struct universe_company *entry = cik == NULL ? NULL :
		    universe_find(run->universe, cik,
		    record_string(record, "ticker"));

		if (!filing_map_record(record, entry != NULL ? entry->category :
		    NULL, &run->out, run->rejects, number, line, len,
		    &run->counts.sec_filings))
			run->counts.rejected++;
	} else if (strcmp(record_kind(record), "sec_fact") != 0) {
		pass_through(run, line, len);
	} else if (check_sec_fact(run, record, number, line, len, &fact) &&
	    !take_fact(run, &fact, number)) {
		log_error("out of memory at line %lu", number);
		exit(EXIT_SOFTWARE);
	}
	cJSON_Delete(record);
}

/* Takes one line of the inputs, and never stops the reading. */
static bool
take_line(void *arg, unsigned long number, char *line, size_t len)
{
	process_line(arg, line, len, number);
	return true;
}

/* Reads the files named on the command line, or standard input. */
static int
read_inputs(struct run *run)
{
	struct inputs inputs = {
		.paths = run->opt->inputs, .count = run->opt->input_count,
		.max_line = run->opt->max_line_bytes, .rejects = run->rejects,
	};
	int status = inputs_read(&inputs, take_line, run);

	run->counts.lines = inputs.lines;
	run->counts.rejected += inputs.too_long;
	return status;
}

/* ---- the summary ---- */

static unsigned long
skipped_total(const struct counts *n)
{
	unsigned long total = 0;

	for (int i = 0; i < SKIP_REASON_COUNT; i++)
		total += n->skipped[i];
	return total;
}

/*
 * Writes the lines of Yahoo and submissions records that were mapped or
 * skipped, which the lines of their own summaries detail, so that the
 * first summary line adds up to the lines read.  Their rejects are among
 * the rejected lines already.
 */
static const char *
other_sources(const struct counts *n, char *buf, size_t size)
{
	unsigned long submissions = n->sec_filings.filings +
	    n->sec_filings.companies;

	buf[0] = '\0';
	if (n->yahoo_lines > 0)
		snprintf(buf, size, ", %lu Yahoo lines", n->yahoo_lines);
	if (submissions > 0)
		snprintf(buf + strlen(buf), size - strlen(buf),
		    ", %lu submissions lines", submissions);
	return buf;
}

static void
log_summary(const struct counts *n)
{
	char reasons[512], others[128];
	size_t used = 0;

	reasons[0] = '\0';
	for (int i = 0; i < SKIP_REASON_COUNT; i++) {
		int w;

		if (n->skipped[i] == 0)
			continue;
		w = snprintf(reasons + used, sizeof reasons - used, "%s%s %lu",
		    used > 0 ? ", " : "", skip_names[i], n->skipped[i]);
		if (w < 0 || (size_t)w >= sizeof reasons - used)
			break;
		used += (size_t)w;
	}
	log_info("%lu lines: %lu metric records out, %lu skipped%s%s%s, "
	    "%lu passed through, %lu rejected%s; company records out: %lu; "
	    "derived records out: %lu (quarters %lu, ttm %lu); records not in "
	    "USD: %lu",
	    n->lines, n->metric_records, skipped_total(n),
	    used > 0 ? " (" : "", reasons, used > 0 ? ")" : "",
	    n->passed_through, n->rejected, other_sources(n, others,
	    sizeof others), n->company_records,
	    n->derived_quarters + n->ttm_records, n->derived_quarters,
	    n->ttm_records, n->non_usd_records);
}

static int
write_metrics_file(const struct counts *n, const struct yahoo_map *yahoo,
    const char *path)
{
	struct promfile *pf;
	char labels[64];
	int status;

	if (path == NULL)
		return 0;
	pf = promfile_new();
	promfile_counter(pf, "corpintel_lines_total", "Input lines read.", "",
	    (double)n->lines);
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"metric\"", (double)n->metric_records);
	promfile_counter(pf, "corpintel_records_out_total", "Records written.",
	    "kind=\"company\"", (double)n->company_records);
	promfile_counter(pf, "corpintel_derived_records_total",
	    "Metric records derived from other records, by period type.",
	    "period_type=\"quarter\"", (double)n->derived_quarters);
	promfile_counter(pf, "corpintel_derived_records_total",
	    "Metric records derived from other records, by period type.",
	    "period_type=\"ttm\"", (double)n->ttm_records);
	promfile_counter(pf, "corpintel_non_usd_records_total",
	    "Metric records, reported or derived, in a currency other than "
	    "USD.", "", (double)n->non_usd_records);
	promfile_counter(pf, "corpintel_passed_through_total",
	    "Lines of other kinds copied to the output.", "",
	    (double)n->passed_through);
	promfile_counter(pf, "corpintel_rejects_total", "Input lines rejected.",
	    "", (double)n->rejected);
	for (int i = 0; i < SKIP_REASON_COUNT; i++) {
		snprintf(labels, sizeof labels, "reason=\"%s\"", skip_names[i]);
		promfile_counter(pf, "corpintel_skipped_total",
		    "Input lines that produced no record, by reason.", labels,
		    (double)n->skipped[i]);
	}
	yahoo_map_add_metrics(yahoo, pf);
	filing_map_add_metrics(&n->sec_filings, pf);
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status == 0 ? 0 : EXIT_IOERR;
}

/* Every line must be accounted for; a gap is a bug in this program. */
static bool
counts_reconcile(const struct counts *n)
{
	unsigned long total = n->metric_records + skipped_total(n) +
	    n->passed_through + n->rejected + n->yahoo_lines +
	    n->sec_filings.filings + n->sec_filings.companies;

	if (total == n->lines)
		return true;
	log_error("internal error: %lu lines read but %lu accounted for",
	    n->lines, total);
	return false;
}

static int
set_up(struct run *run, struct options *opt, struct conf_node **config)
{
	static char default_mapping[4096];
	int status;

	if (opt->common.config_file != NULL &&
	    (status = apply_config(opt, config)) != 0)
		return status;
	if (opt->mapping_path == NULL) {
		if (cli_schema_path(default_mapping, sizeof default_mapping,
		    "metrics.yaml") != 0) {
			log_error("schema folder path too long: %s",
			    cli_schema_dir());
			return EXIT_CONFIG;
		}
		opt->mapping_path = default_mapping;
	}
	if ((status = load_mapping(&run->mapping, opt->mapping_path)) != 0)
		return status;
	set_concept_bits(run);
	if (!json_scan_layout_init(&run->fact_layout, sec_fact_names,
	    SEC_FACT_MEMBERS)) {
		log_error("internal error: invalid sec_fact layout");
		return EXIT_SOFTWARE;
	}
	if (opt->universe_path != NULL &&
	    (status = load_universe(run, opt->universe_path)) != 0)
		return status;
	if ((run->yahoo = yahoo_map_new(run->universe)) == NULL)
		return EXIT_CONFIG;
	cli_check_output_path("--rejects", opt->rejects_path, opt->inputs,
	    opt->input_count);
	run->rejects = reject_open(opt->rejects_path);
	return run->rejects == NULL ? EXIT_IOERR : 0;
}

/*
 * Gives stdout a buffer of OUTPUT_BUFFER_SIZE bytes unless it is a
 * terminal, which keeps its line buffering.  The default of glibc for
 * files and pipes is one block (st_blksize, 4 KiB for a pipe on Linux),
 * which makes a write(2) for about every ten metric records.  The buffer
 * is passed in because glibc ignores the size when setvbuf allocates it.
 */
static void
set_output_buffer(void)
{
	static char buffer[OUTPUT_BUFFER_SIZE];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
}

int
main(int argc, char **argv)
{
	struct options opt = { .max_reject_ratio = 1,
	    .max_line_bytes = NDJSON_DEFAULT_MAX_LINE };
	struct conf_node *config = NULL;
	struct run run = { .opt = &opt };
	int status, out_status;

	cli_init(argc, argv);
	parse_options(argc, argv, &opt);
	set_output_buffer();

	opt.inputs = argv + optind;
	opt.input_count = argc - optind;
	status = set_up(&run, &opt, &config);
	if (status != 0)
		goto done;

	status = read_inputs(&run);
	flush_company(&run);

	log_summary(&run.counts);
	yahoo_map_log_summary(run.yahoo);
	filing_map_log_summary(&run.counts.sec_filings);
	if (!counts_reconcile(&run.counts))
		status = EXIT_SOFTWARE;
	if (write_metrics_file(&run.counts, run.yahoo,
	    opt.common.metrics_file) != 0 &&
	    status == 0)
		status = EXIT_IOERR;
	if (reject_close(run.rejects) != 0 && status == 0)
		status = EXIT_IOERR;
	run.rejects = NULL;
	if (status == 0 && run.counts.rejected > 0 &&
	    (double)run.counts.rejected >
	    opt.max_reject_ratio * (double)run.counts.lines) {
		log_error("%lu of %lu lines rejected, more than "
		    "--max-reject-ratio %g allows", run.counts.rejected,
		    run.counts.lines, opt.max_reject_ratio);
		status = EXIT_DATAERR;
	}
done:
	reject_close(run.rejects);
	reset_company(&run.company);
	free(run.company.facts);
	xbrl_records_free(&run.company.records);
	free(run.done_ciks);
	xbrl_mapping_free(&run.mapping);
	universe_free(run.universe);
	yahoo_map_free(run.yahoo);
	jsonw_free(&run.out);
	conf_node_free(config);
	out_status = cli_finish_stdout();
	return status != 0 ? status : out_status;
}

