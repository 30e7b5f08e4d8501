/*
 * validate-quality: the data quality gate before the database.  It checks
 * each canonical NDJSON record against the rules of its kind in a YAML
 * rules file.  Records that pass go to stdout exactly as they came in.
 * Every other line goes to the reject stream with each rule it broke.
 */

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "inputs.h"
#include "jsonw.h"
#include "log.h"
#include "ndjson.h"
#include "promfile.h"
#include "quality.h"
#include "record.h"
#include "reject.h"

/* Bytes of stdout kept before a write: a run passes millions of valid
 * records, and stdio's default of a few KiB means a write per ten. */
#define OUTPUT_BUFFER_SIZE (256 * 1024)

/* The buffer is ours because glibc's setvbuf ignores the size when
 * given no buffer and keeps its default.  It lives until stdout is
 * closed at exit. */
static char output_buffer[OUTPUT_BUFFER_SIZE];

enum {
	OPT_RULES = CLI_OPT_TOOL_FIRST,
	OPT_REJECTS,
	OPT_REPORT,
	OPT_MAX_REJECT_RATIO,
	OPT_STRICT,
	OPT_MAX_LINE_BYTES,
	OPT_REJECT_UNKNOWN_KINDS,
	OPT_WARNINGS,
	OPT_ANNOTATE,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "max-reject-ratio", required_argument, NULL, OPT_MAX_REJECT_RATIO },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE_BYTES },
	{ "reject-unknown-kinds", no_argument, NULL, OPT_REJECT_UNKNOWN_KINDS },
	{ "warnings", required_argument, NULL, OPT_WARNINGS },
	{ "annotate", no_argument, NULL, OPT_ANNOTATE },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct cli_common common;
	const char *rules_file;		/* NULL: quality.yaml in the schema folder */
	const char *rejects_file;
	const char *report_file;
	const char *warnings_file;
	bool annotate;
	double max_reject_ratio;
	bool strict;
	bool reject_unknown_kinds;
	size_t max_line_bytes;
	bool set_max_reject_ratio;	/* given on the command line, which */
	bool set_max_line_bytes;	/* takes precedence over --config */
};

/*
 * Checks made on the line itself before any rule of the rules file: the
 * names are those of record_error_rule, so that the reject stream and the
 * report use one name per cause.
 */
enum input_check {
	INPUT_LINE_LENGTH,
	INPUT_UTF8,
	INPUT_JSON,
	INPUT_NUMBER,
	INPUT_KIND,
	INPUT_UNKNOWN_KIND,
	INPUT_CHECKS,
};

static const char *const input_check_names[] = {
	"line-length", "utf8", "json", "number", "kind", "unknown-kind",
};

struct input_stats {
	unsigned long failed;
	size_t example_count;
	unsigned long examples[QUALITY_EXAMPLES_MAX];
};

struct counts {
	unsigned long lines;		/* lines read, blank ones included */
	unsigned long passed;		/* written to stdout */
	unsigned long warned;		/* passed with failed warn rules */
	unsigned long unchecked;	/* passed: no rules for their kind */
	unsigned long rejected;
	unsigned long blank;		/* skipped */
	unsigned long late;		/* warnings found after the input ended */
	struct input_stats input[INPUT_CHECKS];
};

struct validator {
	const struct options *options;
	struct quality_rules *rules;
	const char *rules_path;
	struct reject_stream *rejects;
	struct quality_result result;
	struct qrec record;
	FILE *warnings;			/* --warnings, or NULL */
	struct jsonw out;		/* a warning line, or an annotation */
	struct counts counts;
	bool stopped;			/* --strict met a reject */
};

static void
usage(FILE *out)
{
	fputs(
"usage: validate-quality [--rules FILE] [--rejects FILE] [--report FILE]\n"
"                        [--warnings FILE] [--annotate]\n"
"                        [--max-reject-ratio R] [--strict]\n"
"                        [--reject-unknown-kinds] [--max-line-bytes N]\n"
"                        [options] [FILE ...]\n"
"\n"
"Check canonical records (NDJSON, from the files or standard input) against\n"
"the data quality rules of their kind: the record contract of its JSON\n"
"Schema, vocabularies, value ranges, dates, period lengths, duplicate keys,\n"
"jumps from the previous period and accounting identities.  Records that\n"
"pass are written to standard output byte for byte (or with their warnings\n"
"added, --annotate); every other line goes to the reject stream with its\n"
"line number and each rule it broke.  Records of a kind without rules pass\n"
"unchecked.\n"
"\n"
"Options:\n"
"      --rules=FILE         rules file (default: quality.yaml in the schema\n"
"                           folder, CORPINTEL_SCHEMA_DIR)\n"
"      --rejects=FILE       write rejected lines to FILE as NDJSON\n"
"                           (default: one warning per reject on stderr)\n"
"      --report=FILE        write a JSON summary per rule to FILE\n"
"      --warnings=FILE      write the failures of warn rules to FILE as NDJSON\n"
"      --annotate           add a \"quality_warnings\" member to each record\n"
"                           that passed with warnings\n"
"      --max-reject-ratio=R exit 65 when more than R (0 to 1) of the lines\n"
"                           are rejected (default 0)\n"
"      --strict             stop at the first rejected line, exit 65\n"
"      --reject-unknown-kinds\n"
"                           reject records of a kind without rules\n"
"      --max-line-bytes=N   reject lines longer than N bytes\n"
"                           (default 16777216)\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 rejects above the allowed ratio or a\n"
"reject under --strict, 66 missing input or rules file, 74 read or write\n"
"error, 78 invalid rules or --config file.\n", out);
}



static void
parse_options(struct options *opts, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS,
	    long_options, NULL)) != -1) {
		switch (c) {
		case OPT_RULES:
			opts->rules_file = optarg;
			break;
		case OPT_REJECTS:
			opts->rejects_file = optarg;
			break;
		case OPT_REPORT:
			opts->report_file = optarg;
			break;
		case OPT_MAX_REJECT_RATIO:
			opts->max_reject_ratio = cli_parse_ratio("--max-reject-ratio", optarg);
			opts->set_max_reject_ratio = true;
			break;
		case OPT_STRICT:
			opts->strict = true;
			break;
		case OPT_MAX_LINE_BYTES:
			opts->max_line_bytes = cli_parse_bytes("--max-line-bytes", optarg);
			opts->set_max_line_bytes = true;
			break;
		case OPT_REJECT_UNKNOWN_KINDS:
			opts->reject_unknown_kinds = true;
			break;
		case OPT_WARNINGS:
			opts->warnings_file = optarg;
			break;
		case OPT_ANNOTATE:
			opts->annotate = true;
			break;
		default:
			if (!cli_handle_common(c, optarg, &opts->common, usage))
				cli_usage_error("unhandled option");
			break;
		}
	}
}

/*
 * Applies option defaults from the "validate-quality" section of a YAML
 * config file, for the options not given on the command line:
 *
 *   validate-quality:
 *     rules: /etc/corpintel/quality.yaml
 *     max-reject-ratio: 0.001
 *
 * Returns the loaded file, which the options point into, or exits with
 * EXIT_CONFIG after reporting the error.
 */
static struct conf_node *
apply_config(struct options *opts)
{
	const struct conf_option options[] = {
		{ "rules", CONF_OPTION_TEXT, &opts->rules_file,
		  opts->rules_file != NULL, NULL },
		{ "rejects", CONF_OPTION_TEXT, &opts->rejects_file,
		  opts->rejects_file != NULL, NULL },
		{ "report", CONF_OPTION_TEXT, &opts->report_file,
		  opts->report_file != NULL, NULL },
		{ "warnings", CONF_OPTION_TEXT, &opts->warnings_file,
		  opts->warnings_file != NULL, NULL },
		{ "max-reject-ratio", CONF_OPTION_RATIO, &opts->max_reject_ratio,
		  opts->set_max_reject_ratio, NULL },
		{ "max-line-bytes", CONF_OPTION_BYTES, &opts->max_line_bytes,
		  opts->set_max_line_bytes, NULL },
		/* A flag given on the command line stays on, and the file
		 * may turn on one that is not given. */
		{ "strict", CONF_OPTION_FLAG, &opts->strict, opts->strict,
		  NULL },
		{ "annotate", CONF_OPTION_FLAG, &opts->annotate, opts->annotate,
		  NULL },
		{ "reject-unknown-kinds", CONF_OPTION_FLAG,
		  &opts->reject_unknown_kinds, opts->reject_unknown_kinds,
		  NULL },
	};
	const char *path = opts->common.config_file;
	struct conf_node *config;
	char error[512];

	config = conf_load_file(path, error, sizeof error);
	if (config == NULL) {
		log_error("%s", error);
		exit(EXIT_CONFIG);
	}
	if (conf_apply_options(config, path, "validate-quality", options,
	    sizeof options / sizeof options[0]) < 0)
		exit(EXIT_CONFIG);
	return config;
}

/* Loads the rules, or exits: 66 when the file cannot be read, 78 when it
 * is not a valid rules file. */
static struct quality_rules *
load_rules(const char *path)
{
	struct quality_rules *rules;
	char error[1024];

	if (access(path, R_OK) != 0) {
		log_error("%s: cannot read rules file: %s", path, strerror(errno));
		exit(EXIT_NOINPUT);
	}
	rules = quality_load(path, error, sizeof error);
	if (rules == NULL) {
		log_error("invalid rules file: %s", error);
		exit(EXIT_CONFIG);
	}
	return rules;
}

static void
count_input_failure(struct validator *v, enum input_check check,
    unsigned long line)
{
	struct input_stats *stats = &v->counts.input[check];

	stats->failed++;
	if (stats->example_count < QUALITY_EXAMPLES_MAX)
		stats->examples[stats->example_count++] = line;
}

static enum input_check
input_check_of(enum record_error error)
{
	switch (error) {
	case RECORD_INVALID_UTF8:
		return INPUT_UTF8;
	case RECORD_NUMBER_OVERFLOW:
		return INPUT_NUMBER;
	case RECORD_NO_KIND:
		return INPUT_KIND;
	default:
		return INPUT_JSON;
	}
}

/* Rejects a line for one check made on the line itself. */
static void
reject_input(struct validator *v, enum input_check check, unsigned long line,
    const char *text, size_t len, const char *reason)
{
	count_input_failure(v, check, line);
	reject_one(v->rejects, line, text, len, input_check_names[check],
	    reason);
	v->counts.rejected++;
}

static void
reject_record(struct validator *v, unsigned long line, const char *text,
    size_t len)
{
	const struct quality_result *result = &v->result;
	struct quality_rule_info info;

	reject_begin(v->rejects, line, text, len);
	for (size_t i = 0; i < result->count; i++) {
		const struct quality_finding *f = &result->findings[i];

		if (f->severity != QUALITY_ERROR)
			continue;
		quality_rule_info(v->rules, f->rule, &info);
		reject_add(v->rejects, info.name, "%s", f->reason);
	}
	reject_end(v->rejects);
	v->counts.rejected++;
}

/* Adds the warnings of the record just checked to the writer as an
 * array of rule and reason. */
static void
add_warnings(struct validator *v, const char *key)
{
	const struct quality_result *result = &v->result;
	struct quality_rule_info info;

	jsonw_open_array(&v->out, key);
	for (size_t i = 0; i < result->count; i++) {
		if (result->findings[i].severity != QUALITY_WARN)
			continue;
		quality_rule_info(v->rules, result->findings[i].rule, &info);
		jsonw_open_object(&v->out, NULL);
		jsonw_string(&v->out, "rule", info.name);
		jsonw_string(&v->out, "reason", result->findings[i].reason);
		jsonw_close_object(&v->out);
	}
	jsonw_close_array(&v->out);
}

static void
write_warning_line(struct validator *v)
{
	if (jsonw_write(&v->out, v->warnings) != 0) {
		log_error("%s: write error on warnings: %s",
		    v->options->warnings_file, strerror(errno));
		exit(EXIT_IOERR);
	}
}

/*
 * Sends the warnings of a record that passed to the --warnings stream,
 * one line per record:
 *
 *   {"kind":"quality_warning","tool":"validate-quality","line":7,
 *    "warnings":[{"rule":"metric-jump","reason":"..."}]}
 *
 * Without that stream and without --annotate, they are logged with -v.
 */
static void
report_warnings(struct validator *v, unsigned long line)
{
	const struct quality_result *result = &v->result;
	struct quality_rule_info info;
	char where[REJECT_WHERE_SIZE];

	if (v->warnings != NULL) {
		jsonw_begin(&v->out);
		jsonw_string(&v->out, "kind", "quality_warning");
		jsonw_string(&v->out, "tool", log_progname());
		jsonw_int(&v->out, "line", (long long)line);
		reject_write_position(v->rejects, &v->out, line);
		add_warnings(v, "warnings");
		jsonw_end(&v->out);
		write_warning_line(v);
	}
	if (v->options->annotate || v->warnings != NULL ||
	    !log_enabled(LOG_LEVEL_DEBUG))
		return;
	for (size_t i = 0; i < result->count; i++) {
		if (result->findings[i].severity != QUALITY_WARN)
			continue;
		quality_rule_info(v->rules, result->findings[i].rule, &info);
		log_debug("%s: warning %s: %s", reject_where(v->rejects, line,
		    where, sizeof where), info.name, result->findings[i].reason);
	}
}

static void
pass(struct validator *v, const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || putchar('\n') == EOF)
		cli_exit_write_error();
	v->counts.passed++;
}

/*
 * Writes a record with its warnings as a last member, "quality_warnings".
 * The line is a valid object with at least "kind", so the member goes
 * before its closing brace and the rest stays byte for byte.
 */
static void
pass_annotated(struct validator *v, const char *text, size_t len)
{
	size_t end = len;

	while (end > 0 && text[end - 1] != '}')
		end--;
	jsonw_begin(&v->out);
	add_warnings(v, "quality_warnings");
	jsonw_end(&v->out);
	if (v->out.failed) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	/* The writer's text is {"quality_warnings":[...]}\n: its inside
	 * follows a comma in place of the record's closing brace. */
	if (fwrite(text, 1, end - 1, stdout) != end - 1 ||
	    putchar(',') == EOF ||
	    fwrite(v->out.buf + 1, 1, v->out.len - 1, stdout) != v->out.len - 1)
		cli_exit_write_error();
	v->counts.passed++;
}

/* Writes the reason for a record of a kind without rules.  A long kind is
 * cut at a UTF-8 character boundary, so the reason stays valid UTF-8. */
static void
unknown_kind_reason(const char *kind, const char *rules_path, char *reason,
    size_t size)
{
	size_t len = strlen(kind), shown = len;

	if (shown > 100) {
		shown = 100;
		while (shown > 0 && ((unsigned char)kind[shown] & 0xc0) == 0x80)
			shown--;
	}
	snprintf(reason, size, "kind \"%.*s%s\" has no rules in %s",
	    (int)shown, kind, shown < len ? "..." : "", rules_path);
}

/* Checks one parsed record and sends it where it belongs. */
static void
check_record(struct validator *v, struct qrec *record, unsigned long line,
    const char *text, size_t len)
{
	char reason[512];

	switch (quality_check(v->rules, record, line, &v->result)) {
	case QUALITY_UNCHECKED:
		if (v->options->reject_unknown_kinds) {
			unknown_kind_reason(record->kind->string, v->rules_path,
			    reason, sizeof reason);
			reject_input(v, INPUT_UNKNOWN_KIND, line, text, len,
			    reason);
			break;
		}
		v->counts.unchecked++;
		pass(v, text, len);
		break;
	case QUALITY_FAILED:
		reject_record(v, line, text, len);
		break;
	case QUALITY_WARNED:
		v->counts.warned++;
		report_warnings(v, line);
		if (v->options->annotate)
			pass_annotated(v, text, len);
		else
			pass(v, text, len);
		break;
	case QUALITY_PASSED:
		pass(v, text, len);
		break;
	}
}

/* Ends the run at the first reject under --strict. */
static bool
go_on(struct validator *v, unsigned long rejected, unsigned long line)
{
	char where[REJECT_WHERE_SIZE];

	if (v->options->strict && v->counts.rejected > rejected) {
		log_error("%s rejected: stopping (--strict)",
		    reject_where(v->rejects, line, where, sizeof where));
		v->stopped = true;
	}
	return !v->stopped;
}

/* Names another line in a rule's reason as the rejects name lines. */
static const char *
name_line(void *arg, unsigned long line, char *buf, size_t size)
{
	const struct validator *v = arg;

	return reject_where(v->rejects, line, buf, size);
}

static bool
take_line(void *arg, unsigned long line, char *text, size_t len)
{
	struct validator *v = arg;
	unsigned long rejected = v->counts.rejected;
	enum record_error error;
	char why[256];

	v->counts.lines++;
	error = qrec_parse(&v->record, text, len, why, sizeof why);
	if (error == RECORD_OK)
		check_record(v, &v->record, line, text, len);
	else if (error == RECORD_EMPTY)
		v->counts.blank++;
	else
		reject_input(v, input_check_of(error), line, text, len, why);
	return go_on(v, rejected, line);
}

/* Rejects a line longer than --max-line-bytes, counted by its check. */
static bool
take_long_line(void *arg, unsigned long line, char *text, size_t len)
{
	struct validator *v = arg;
	unsigned long rejected = v->counts.rejected;
	char why[256];

	v->counts.lines++;
	reject_input(v, INPUT_LINE_LENGTH, line, text, len,
	    inputs_long_reason(why, sizeof why, v->options->max_line_bytes));
	return go_on(v, rejected, line);
}

/* Validates each input in turn, as inputs_read describes. */
static int
validate_inputs(struct validator *v, char **paths, int count)
{
	struct inputs inputs = {
		.paths = paths, .count = count,
		.max_line = v->options->max_line_bytes, .rejects = v->rejects,
		.long_line = take_long_line,
	};

	return inputs_read(&inputs, take_line, v);
}

/*
 * Reports a failure found after the input ended (an accounting identity
 * over several records).  Those records are already written, so the
 * failure can only be a warning: to the --warnings stream, else to the
 * log.
 */
static void
late_warning(void *arg, unsigned long line, size_t rule,
    enum quality_severity severity, const char *reason)
{
	struct validator *v = arg;
	struct quality_rule_info info;

	(void)severity;
	v->counts.late++;
	quality_rule_info(v->rules, rule, &info);
	if (v->warnings == NULL) {
		char where[REJECT_WHERE_SIZE];

		log_warn("%s: %s: %s", reject_where(v->rejects, line, where,
		    sizeof where), info.name, reason);
		return;
	}
	jsonw_begin(&v->out);
	jsonw_string(&v->out, "kind", "quality_warning");
	jsonw_string(&v->out, "tool", log_progname());
	jsonw_int(&v->out, "line", (long long)line);
	reject_write_position(v->rejects, &v->out, line);
	jsonw_open_array(&v->out, "warnings");
	jsonw_open_object(&v->out, NULL);
	jsonw_string(&v->out, "rule", info.name);
	jsonw_string(&v->out, "reason", reason);
	jsonw_close_object(&v->out);
	jsonw_close_array(&v->out);
	jsonw_end(&v->out);
	write_warning_line(v);
}

/* Lists the rules that failed at least once, in one summary line. */
static void
log_rule_failures(const struct validator *v)
{
	char text[3000];
	size_t len = 0;
	struct quality_rule_info info;

	text[0] = '\0';
	for (int i = 0; i < INPUT_CHECKS; i++) {
		if (v->counts.input[i].failed > 0 && len < sizeof text)
			len += (size_t)snprintf(text + len, sizeof text - len,
			    "%s%s %lu", len > 0 ? ", " : "",
			    input_check_names[i], v->counts.input[i].failed);
	}
	for (size_t i = 0; i < quality_rule_count(v->rules); i++) {
		quality_rule_info(v->rules, i, &info);
		if (info.failed > 0 && len < sizeof text)
			len += (size_t)snprintf(text + len, sizeof text - len,
			    "%s%s %lu%s", len > 0 ? ", " : "", info.name,
			    info.failed,
			    info.severity == QUALITY_WARN ? " (warn)" : "");
	}
	if (len > 0)
		log_info("rule failures: %s", text);
}

static void
log_summary(const struct validator *v)
{
	const struct counts *c = &v->counts;

	log_info("%lu lines: %lu passed (%lu with warnings, %lu of a kind "
	    "without rules), %lu rejected, %lu blank skipped", c->lines,
	    c->passed, c->warned, c->unchecked, c->rejected, c->blank);
	if (c->late > 0)
		log_info("%lu warnings over several records (identities)",
		    c->late);
	log_rule_failures(v);
}

/* The share of checked records that failed, in percent, as Great
 * Expectations reports unexpected_percent. */
static double
percent(unsigned long failed, unsigned long checked)
{
	return checked == 0 ? 0 : 100.0 * (double)failed / (double)checked;
}

static void
write_examples(struct jsonw *w, const unsigned long *examples, size_t count)
{
	jsonw_open_array(w, "examples");
	for (size_t i = 0; i < count; i++)
		jsonw_int(w, NULL, (long long)examples[i]);
	jsonw_close_array(w);
}

/* The checks on the line itself appear in the report as rules of no
 * kind; each looked at every line that was not blank. */
static void
write_input_checks(struct jsonw *w, const struct validator *v)
{
	unsigned long looked_at = v->counts.lines - v->counts.blank;

	for (int i = 0; i < INPUT_CHECKS; i++) {
		const struct input_stats *stats = &v->counts.input[i];
		bool enabled = i != INPUT_UNKNOWN_KIND ||
		    v->options->reject_unknown_kinds;

		jsonw_open_object(w, NULL);
		jsonw_string(w, "rule", input_check_names[i]);
		jsonw_null(w, "kind");
		jsonw_string(w, "check", "input");
		jsonw_string(w, "severity", "error");
		jsonw_bool(w, "enabled", enabled);
		jsonw_int(w, "checked", enabled ? (long long)looked_at : 0);
		jsonw_int(w, "failed", (long long)stats->failed);
		write_examples(w, stats->examples, stats->example_count);
		jsonw_bool(w, "success", stats->failed == 0);
		jsonw_number(w, "failed_percent",
		    percent(stats->failed, enabled ? looked_at : 0));
		jsonw_close_object(w);
	}
}

static void
write_rules(struct jsonw *w, const struct validator *v)
{
	struct quality_rule_info info;

	for (size_t i = 0; i < quality_rule_count(v->rules); i++) {
		quality_rule_info(v->rules, i, &info);
		jsonw_open_object(w, NULL);
		jsonw_string(w, "rule", info.name);
		jsonw_string(w, "kind", info.kind);
		jsonw_string(w, "check", info.check);
		jsonw_string(w, "severity", quality_severity_name(info.severity));
		jsonw_bool(w, "enabled", info.enabled);
		jsonw_int(w, "checked", (long long)info.checked);
		jsonw_int(w, "failed", (long long)info.failed);
		write_examples(w, info.examples, info.example_count);
		jsonw_bool(w, "success", info.failed == 0);
		jsonw_number(w, "failed_percent",
		    percent(info.failed, info.checked));
		jsonw_close_object(w);
	}
}

/*
 * The counts of rules in the manner of a Great Expectations validation
 * result: evaluated are the enabled rules, successful those that no
 * record broke (a warn rule that failed counts as unsuccessful without
 * failing the run).
 */
static void
write_statistics(struct jsonw *w, const struct validator *v)
{
	struct quality_rule_info info;
	unsigned long evaluated = 0, successful = 0;

	for (int i = 0; i < INPUT_CHECKS; i++) {
		if (i == INPUT_UNKNOWN_KIND && !v->options->reject_unknown_kinds)
			continue;
		evaluated++;
		successful += v->counts.input[i].failed == 0;
	}
	for (size_t i = 0; i < quality_rule_count(v->rules); i++) {
		quality_rule_info(v->rules, i, &info);
		if (!info.enabled)
			continue;
		evaluated++;
		successful += info.failed == 0;
	}
	jsonw_open_object(w, "statistics");
	jsonw_int(w, "evaluated_rules", (long long)evaluated);
	jsonw_int(w, "successful_rules", (long long)successful);
	jsonw_int(w, "unsuccessful_rules", (long long)(evaluated - successful));
	jsonw_number(w, "success_percent",
	    evaluated == 0 ? 100 : 100.0 * (double)successful / (double)evaluated);
	jsonw_close_object(w);
}

/* Writes the --report document.  Returns 0, or -1 after reporting. */
static int
write_report(const struct validator *v, const char *path, bool success)
{
	const struct counts *c = &v->counts;
	struct jsonw w = { 0 };
	FILE *fp;
	int result = 0;

	jsonw_begin(&w);
	jsonw_string(&w, "tool", log_progname());
	jsonw_string(&w, "version", CORPINTEL_VERSION);
	jsonw_string(&w, "rules_file", v->rules_path);
	jsonw_bool(&w, "success", success);
	jsonw_int(&w, "lines", (long long)c->lines);
	jsonw_int(&w, "passed", (long long)c->passed);
	jsonw_int(&w, "warned", (long long)c->warned);
	jsonw_int(&w, "unchecked", (long long)c->unchecked);
	jsonw_int(&w, "rejected", (long long)c->rejected);
	jsonw_int(&w, "blank", (long long)c->blank);
	jsonw_bool(&w, "stopped", v->stopped);
	jsonw_int(&w, "late_warnings", (long long)c->late);
	write_statistics(&w, v);
	jsonw_open_array(&w, "rules");
	write_input_checks(&w, v);
	write_rules(&w, v);
	jsonw_close_array(&w);
	jsonw_end(&w);

	fp = fopen(path, "w");
	if (fp == NULL) {
		log_error("%s: cannot write report: %s", path, strerror(errno));
		jsonw_free(&w);
		return -1;
	}
	if (jsonw_write(&w, fp) != 0 || fclose(fp) != 0) {
		log_error("%s: write error on report: %s", path, strerror(errno));
		result = -1;
	}
	jsonw_free(&w);
	return result;
}

static void
add_rule_metrics(struct promfile *pf, const char *name, const char *severity,
    unsigned long checked, unsigned long failed)
{
	char labels[200];

	snprintf(labels, sizeof labels, "rule=\"%s\",severity=\"%s\"", name,
	    severity);
	promfile_counter(pf, "corpintel_quality_checked_total",
	    "Records a quality rule applied to.", labels, (double)checked);
	promfile_counter(pf, "corpintel_quality_failed_total",
	    "Records that broke a quality rule.", labels, (double)failed);
}

/* Writes the --metrics-file counters.  Returns 0, or -1 after reporting. */
static int
write_metrics(const struct validator *v, const char *path)
{
	const struct counts *c = &v->counts;
	struct quality_rule_info info;
	struct promfile *pf = promfile_new();
	int result;

	promfile_counter(pf, "corpintel_lines_total", "Input lines read.", NULL,
	    (double)c->lines);
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records written to standard output.", NULL, (double)c->passed);
	promfile_counter(pf, "corpintel_rejects_total",
	    "Lines sent to the reject stream.", NULL, (double)c->rejected);
	promfile_counter(pf, "corpintel_skipped_total", "Lines skipped.",
	    "reason=\"blank\"", (double)c->blank);
	promfile_counter(pf, "corpintel_quality_warned_total",
	    "Records passed with failed warn rules.", NULL, (double)c->warned);
	promfile_counter(pf, "corpintel_quality_unchecked_total",
	    "Records passed because their kind has no rules.", NULL,
	    (double)c->unchecked);
	promfile_counter(pf, "corpintel_quality_late_warnings_total",
	    "Warnings over several records, found after the input ended.",
	    NULL, (double)c->late);
	for (int i = 0; i < INPUT_CHECKS; i++)
		add_rule_metrics(pf, input_check_names[i], "error",
		    c->lines - c->blank, c->input[i].failed);
	for (size_t i = 0; i < quality_rule_count(v->rules); i++) {
		quality_rule_info(v->rules, i, &info);
		add_rule_metrics(pf, info.name,
		    quality_severity_name(info.severity), info.checked,
		    info.failed);
	}
	result = promfile_write(pf, path);
	promfile_free(pf);
	return result;
}

/* Returns EXIT_DATAERR when --strict stopped the run or more lines were
 * rejected than --max-reject-ratio allows, else EXIT_OK. */
static int
reject_status(const struct validator *v)
{
	const struct counts *c = &v->counts;
	double ratio;

	if (v->stopped)
		return EXIT_DATAERR;
	if (c->rejected == 0)
		return EXIT_OK;
	ratio = (double)c->rejected / (double)c->lines;
	if (ratio <= v->options->max_reject_ratio)
		return EXIT_OK;
	log_error("%lu of %lu lines rejected (ratio %.4g), above "
	    "--max-reject-ratio %g", c->rejected, c->lines, ratio,
	    v->options->max_reject_ratio);
	return EXIT_DATAERR;
}

int
main(int argc, char **argv)
{
	struct options opts = { .max_line_bytes = NDJSON_DEFAULT_MAX_LINE };
	struct validator v = { .options = &opts };
	struct conf_node *config = NULL;
	char default_rules[4096];
	int status, data_status, stdout_status;

	cli_init(argc, argv);
	parse_options(&opts, argc, argv);
	if (opts.common.config_file != NULL)
		config = apply_config(&opts);

	v.rules_path = opts.rules_file;
	cli_check_output_path("--rejects", opts.rejects_file, argv + optind,
	    argc - optind);
	cli_check_output_path("--report", opts.report_file, argv + optind,
	    argc - optind);
	cli_check_output_path("--warnings", opts.warnings_file, argv + optind,
	    argc - optind);
	if (v.rules_path == NULL) {
		if (cli_schema_path(default_rules, sizeof default_rules,
		    "quality.yaml") < 0)
			cli_usage_error("schema folder path too long: %s",
			    cli_schema_dir());
		v.rules_path = default_rules;
	}
	v.rules = load_rules(v.rules_path);
	v.rejects = reject_open(opts.rejects_file);
	if (v.rejects == NULL)
		exit(EXIT_IOERR);
	if (opts.warnings_file != NULL) {
		v.warnings = fopen(opts.warnings_file, "w");
		if (v.warnings == NULL) {
			log_error("%s: cannot write warnings: %s",
			    opts.warnings_file, strerror(errno));
			exit(EXIT_IOERR);
		}
	}
	qrec_init(&v.record);
	quality_set_where(v.rules, name_line, &v);

	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, output_buffer, _IOFBF,
		    sizeof output_buffer);

	status = validate_inputs(&v, argv + optind, argc - optind);
	quality_finish(v.rules, late_warning, &v);
	if (v.warnings != NULL && fclose(v.warnings) != 0) {
		log_error("%s: write error on warnings: %s", opts.warnings_file,
		    strerror(errno));
		if (status == EXIT_OK)
			status = EXIT_IOERR;
	}

	log_summary(&v);
	data_status = reject_status(&v);
	if (reject_close(v.rejects) != 0 && status == EXIT_OK)
		status = EXIT_IOERR;
	if (opts.report_file != NULL &&
	    write_report(&v, opts.report_file, data_status == EXIT_OK) != 0 &&
	    status == EXIT_OK)
		status = EXIT_IOERR;
	if (opts.common.metrics_file != NULL &&
	    write_metrics(&v, opts.common.metrics_file) != 0 &&
	    status == EXIT_OK)
		status = EXIT_IOERR;
	quality_free(v.rules);
	qrec_free(&v.record);
	jsonw_free(&v.out);
	conf_node_free(config);

	stdout_status = cli_finish_stdout();
	if (stdout_status != EXIT_OK)
		return stdout_status;
	return status != EXIT_OK ? status : data_status;
}
