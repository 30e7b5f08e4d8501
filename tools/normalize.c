/*
 * normalize: turn SEC XBRL facts (sec_fact records) into canonical company
 * and metric records, driven by the metric mapping in schemas/metrics.yaml.
 *
 * Facts arrive grouped by company, as fetch-sec writes them.  The facts of
 * one company that map onto a metric are kept in memory until the cik
 * changes or the input ends.  Then the company's fiscal year end and
 * reporting currency are known, and one fact wins for each key (cik,
 * metric, period_type, period_end).  The winner has the concept listed
 * first in the mapping, then the latest filing date, then the greater
 * accession number.
 * The company record comes first, then its metric records in vocabulary
 * order, period type order and period end order.  Records of other kinds
 * pass through untouched as they are read.
 *
 * Every input line is counted once: as the source of a metric record, as
 * a skip with a reason, as passed through, or as rejected.
 */

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "date.h"
#include "jsonw.h"
#include "log.h"
#include "ndjson.h"
#include "period.h"
#include "promfile.h"
#include "record.h"
#include "reject.h"

#define CIK_DIGITS 10
#define ACCESSION_LENGTH 20	/* 0000320193-23-000106 */
#define CURRENCY_LENGTH 3	/* ISO 4217 */
#define UNIT_SIZE 16		/* "USD/shares" and its NUL, with room */

enum {
	OPT_MAPPING = CLI_OPT_TOOL_FIRST,
	OPT_UNIVERSE,
	OPT_REJECTS,
	OPT_MAX_REJECT_RATIO,
	OPT_MAX_LINE_BYTES,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "mapping", required_argument, NULL, OPT_MAPPING },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "max-reject-ratio", required_argument, NULL, OPT_MAX_REJECT_RATIO },
	{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE_BYTES },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct cli_common common;
	const char *mapping_path;
	const char *universe_path;
	const char *rejects_path;
	double max_reject_ratio;
	size_t max_line_bytes;
	bool set_mapping;		/* given on the command line, which */
	bool set_universe;		/* takes precedence over --config */
	bool set_rejects;
	bool set_max_reject_ratio;
	bool set_max_line_bytes;
};

/* Reasons for a line that produced no record, named as in the summary
 * and the skipped_total metric. */
enum skip_reason {
	SKIP_BLANK,
	SKIP_UNMAPPED,		/* concept not in the mapping */
	SKIP_UNIT_MISMATCH,	/* unit not of the metric's unit kind */
	SKIP_PERIOD_MISMATCH,	/* instant for a flow metric or the reverse */
	SKIP_UNCLASSIFIED,	/* duration of no known length or position */
	SKIP_OTHER_CURRENCY,	/* not the company's reporting currency */
	SKIP_SUPERSEDED,	/* another fact won the same key */
	SKIP_REASON_COUNT,
};

static const char *const skip_names[SKIP_REASON_COUNT] = {
	"blank", "unmapped", "unit-mismatch", "period-mismatch",
	"unclassified-period", "other-currency", "superseded",
};

enum metric_kind {
	METRIC_FLOW,
	METRIC_INSTANT,
};

enum unit_kind {
	UNIT_CURRENCY,
	UNIT_PER_SHARE,
	UNIT_SHARES,
};

struct metric_def {
	char *name;
	enum metric_kind kind;
	enum unit_kind unit_kind;
};

/* One mapped concept; the table is sorted by taxonomy and concept. */
struct concept_map {
	char *taxonomy;
	char *concept;
	char *qualified;	/* "taxonomy:Concept", as metric records name it */
	size_t metric;
	size_t priority;	/* 0 is preferred */
};

struct mapping {
	struct metric_def *metrics;
	size_t metric_count;
	struct concept_map *concepts;
	size_t concept_count;
};

struct universe_entry {
	char cik[CIK_DIGITS + 1];	/* "" when the entry has none */
	char *ticker;
	char *category;
};

struct universe {
	struct universe_entry *entries;
	size_t count;
};

/* The members of a valid sec_fact line that normalize reads.  Strings
 * point into the parsed line. */
struct sec_fact {
	const char *cik;
	const char *ticker;
	const char *entity;
	const char *taxonomy;
	const char *concept;
	const char *unit;
	const char *accn;
	double value;
	bool has_start;
	long start;
	long end;
	long filed;
};

/* A fact kept for its company until the company is complete. */
struct fact {
	const struct concept_map *map;
	enum period_class class;
	long start;
	long end;
	long filed;
	double value;
	char unit[UNIT_SIZE];
	char currency[CURRENCY_LENGTH + 1];	/* "" for shares */
	char accn[ACCESSION_LENGTH + 1];
	unsigned long sequence;		/* input order, the last tie-break */
	int fiscal_year;
	const char *fiscal_period;
	bool dropped;			/* counted as skipped at the flush */
};

/* The run of consecutive sec_fact lines of one company. */
struct company {
	bool open;
	char cik[CIK_DIGITS + 1];
	char *ticker;
	char *name;
	struct fiscal_year_end_votes votes;
	struct fact *facts;
	size_t count;
	size_t cap;
};

/* Every input line is counted once: lines = metric_records + skipped +
 * passed_through + rejected. */
struct counts {
	unsigned long lines;
	unsigned long metric_records;
	unsigned long company_records;
	unsigned long passed_through;
	unsigned long rejected;
	unsigned long skipped[SKIP_REASON_COUNT];
};

struct run {
	const struct options *opt;
	struct mapping mapping;
	struct universe universe;
	struct company company;
	char (*done_ciks)[CIK_DIGITS + 1];	/* companies already written */
	size_t done_count;
	unsigned long sequence;
	unsigned long line_offset;	/* lines of the inputs read before */
	struct counts counts;
	struct reject_stream *rejects;
	struct jsonw out;
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
"latest filing.  Records of other kinds pass through untouched.\n"
"\n"
"options:\n"
"      --mapping=FILE       metric mapping (default: metrics.yaml in the\n"
"                           schema folder)\n"
"      --universe=FILE      company universe YAML that supplies categories\n"
"      --rejects=FILE       write rejected lines to FILE as reject records\n"
"      --max-reject-ratio=R exit 65 when more than this fraction of the\n"
"                           lines is rejected (0 to 1, default 1)\n"
"      --max-line-bytes=N   reject lines longer than N bytes (default %u)\n"
CLI_COMMON_HELP
"\n"
"exit status: 0 ok, 64 usage, 65 too many rejects, 66 input or YAML file\n"
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
 *
 * The strings stay in *config.  Returns 0 or an exit status.
 */
static int
apply_config(struct options *opt, struct conf_node **config)
{
	const struct conf_node *section;
	int status = 0;

	*config = load_yaml(opt->common.config_file, "config file", &status);
	if (*config == NULL)
		return status;
	section = conf_map_get(*config, "normalize");
	if (section == NULL)
		return 0;
	if (section->type != CONF_NODE_MAPPING) {
		log_error("%s:%lu: the normalize section must be a mapping",
		    opt->common.config_file, section->line);
		return EXIT_CONFIG;
	}

	for (size_t i = 0; i < section->count; i++) {
		const char *key = section->keys[i];
		const struct conf_node *node = section->items[i];
		const char *text = node->type == CONF_NODE_SCALAR ?
		    node->scalar : NULL;
		bool ok = text != NULL;
		double ratio;
		long bytes;

		if (strcmp(key, "mapping") == 0) {
			if (ok && !opt->set_mapping)
				opt->mapping_path = text;
		} else if (strcmp(key, "universe") == 0) {
			if (ok && !opt->set_universe)
				opt->universe_path = text;
		} else if (strcmp(key, "rejects") == 0) {
			if (ok && !opt->set_rejects)
				opt->rejects_path = text;
		} else if (strcmp(key, "max-reject-ratio") == 0) {
			ok = conf_scalar_double(node, &ratio) && ratio >= 0 &&
			    ratio <= 1;
			if (ok && !opt->set_max_reject_ratio)
				opt->max_reject_ratio = ratio;
		} else if (strcmp(key, "max-line-bytes") == 0) {
			ok = conf_scalar_long(node, &bytes) && bytes > 0;
			if (ok && !opt->set_max_line_bytes)
				opt->max_line_bytes = (size_t)bytes;
		} else {
			log_error("%s:%lu: unknown normalize option '%s'",
			    opt->common.config_file, node->line, key);
			return EXIT_CONFIG;
		}
		if (!ok) {
			log_error("%s:%lu: invalid value for '%s'",
			    opt->common.config_file, node->line, key);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

/* ---- the mapping file ---- */

static int
compare_concepts(const void *a, const void *b)
{
	const struct concept_map *x = a, *y = b;
	int c = strcmp(x->taxonomy, y->taxonomy);

	return c != 0 ? c : strcmp(x->concept, y->concept);
}

/* Adds "taxonomy:Concept" to the table.  Returns false after reporting a
 * malformed name. */
static bool
add_concept(struct mapping *m, const char *path, const struct conf_node *node,
    size_t metric, size_t priority)
{
	struct concept_map *grown, *c;
	const char *colon;

	colon = node->type == CONF_NODE_SCALAR ? strchr(node->scalar, ':') : NULL;
	if (colon == NULL || colon == node->scalar || colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL) {
		log_error("%s:%lu: metric '%s': a concept must be written "
		    "taxonomy:Concept, as in us-gaap:Revenues", path, node->line,
		    m->metrics[metric].name);
		return false;
	}
	grown = realloc(m->concepts, (m->concept_count + 1) * sizeof *grown);
	if (grown == NULL) {
		log_error("out of memory");
		return false;
	}
	m->concepts = grown;
	c = &m->concepts[m->concept_count];
	c->taxonomy = strndup(node->scalar, (size_t)(colon - node->scalar));
	c->concept = strdup(colon + 1);
	c->qualified = strdup(node->scalar);
	c->metric = metric;
	c->priority = priority;
	if (c->taxonomy == NULL || c->concept == NULL || c->qualified == NULL) {
		free(c->taxonomy);
		free(c->concept);
		free(c->qualified);
		log_error("out of memory");
		return false;
	}
	m->concept_count++;
	return true;
}

static bool
parse_kinds(const char *path, const struct conf_node *entry,
    struct metric_def *def)
{
	const char *kind = conf_map_scalar(entry, "kind");
	const char *unit = conf_map_scalar(entry, "unit_kind");

	if (kind != NULL && strcmp(kind, "flow") == 0) {
		def->kind = METRIC_FLOW;
	} else if (kind != NULL && strcmp(kind, "instant") == 0) {
		def->kind = METRIC_INSTANT;
	} else {
		log_error("%s:%lu: metric '%s': kind must be flow or instant",
		    path, entry->line, def->name);
		return false;
	}

	if (unit != NULL && strcmp(unit, "currency") == 0) {
		def->unit_kind = UNIT_CURRENCY;
	} else if (unit != NULL && strcmp(unit, "per-share") == 0) {
		def->unit_kind = UNIT_PER_SHARE;
	} else if (unit != NULL && strcmp(unit, "shares") == 0) {
		def->unit_kind = UNIT_SHARES;
	} else {
		log_error("%s:%lu: metric '%s': unit_kind must be currency, "
		    "per-share or shares for a mapped metric", path, entry->line,
		    def->name);
		return false;
	}
	return true;
}

/* Reads one entry of the metrics sequence.  Derived metrics are part of
 * the vocabulary but have no concepts, so they are left to transform. */
static bool
parse_metric(struct mapping *m, const char *path, const struct conf_node *entry)
{
	const struct conf_node *concepts;
	struct metric_def *def;
	const char *name;
	bool derived = false;

	name = conf_map_scalar(entry, "name");
	if (entry->type != CONF_NODE_MAPPING || name == NULL || *name == '\0') {
		log_error("%s:%lu: each metric needs a name", path, entry->line);
		return false;
	}
	if (conf_map_get(entry, "derived") != NULL &&
	    !conf_scalar_bool(conf_map_get(entry, "derived"), &derived)) {
		log_error("%s:%lu: metric '%s': derived must be true or false",
		    path, entry->line, name);
		return false;
	}
	concepts = conf_map_get(entry, "concepts");
	if (derived) {
		if (concepts != NULL) {
			log_error("%s:%lu: metric '%s': a derived metric lists no "
			    "concepts", path, entry->line, name);
			return false;
		}
		if (conf_map_scalar(entry, "derivation") == NULL) {
			log_error("%s:%lu: metric '%s': a derived metric needs its "
			    "derivation formula", path, entry->line, name);
			return false;
		}
		return true;
	}
	if (concepts == NULL || concepts->type != CONF_NODE_SEQUENCE ||
	    concepts->count == 0) {
		log_error("%s:%lu: metric '%s': concepts must be a list of "
		    "taxonomy:Concept names", path, entry->line, name);
		return false;
	}

	def = &m->metrics[m->metric_count];
	def->name = strdup(name);
	if (def->name == NULL) {
		log_error("out of memory");
		return false;
	}
	m->metric_count++;
	if (!parse_kinds(path, entry, def))
		return false;
	for (size_t i = 0; i < concepts->count; i++)
		if (!add_concept(m, path, concepts->items[i], m->metric_count - 1,
		    i))
			return false;
	return true;
}

/* Rejects a concept listed twice, which would make its metric ambiguous. */
static bool
concepts_unique(const struct mapping *m, const char *path)
{
	for (size_t i = 1; i < m->concept_count; i++) {
		if (compare_concepts(&m->concepts[i - 1], &m->concepts[i]) != 0)
			continue;
		log_error("%s: concept %s is listed twice (metrics '%s' and "
		    "'%s')", path, m->concepts[i].qualified,
		    m->metrics[m->concepts[i - 1].metric].name,
		    m->metrics[m->concepts[i].metric].name);
		return false;
	}
	return true;
}

/* Loads the mapping.  Returns 0 or an exit status after reporting. */
static int
load_mapping(struct mapping *m, const char *path)
{
	const struct conf_node *list;
	struct conf_node *root;
	int status = 0;

	root = load_yaml(path, "mapping file", &status);
	if (root == NULL)
		return status;

	list = conf_map_get(root, "metrics");
	if (list == NULL || list->type != CONF_NODE_SEQUENCE) {
		log_error("%s: a top-level 'metrics' list is required", path);
		status = EXIT_CONFIG;
		goto done;
	}
	m->metrics = calloc(list->count + 1, sizeof *m->metrics);
	if (m->metrics == NULL) {
		log_error("out of memory");
		status = EXIT_SOFTWARE;
		goto done;
	}
	for (size_t i = 0; i < list->count; i++) {
		if (!parse_metric(m, path, list->items[i])) {
			status = EXIT_CONFIG;
			goto done;
		}
	}
	if (m->concept_count == 0) {
		log_error("%s: no metric lists any concept", path);
		status = EXIT_CONFIG;
		goto done;
	}
	qsort(m->concepts, m->concept_count, sizeof *m->concepts,
	    compare_concepts);
	if (!concepts_unique(m, path))
		status = EXIT_CONFIG;
done:
	conf_node_free(root);
	return status;
}

static void
free_mapping(struct mapping *m)
{
	for (size_t i = 0; i < m->metric_count; i++)
		free(m->metrics[i].name);
	for (size_t i = 0; i < m->concept_count; i++) {
		free(m->concepts[i].taxonomy);
		free(m->concepts[i].concept);
		free(m->concepts[i].qualified);
	}
	free(m->metrics);
	free(m->concepts);
}

static const struct concept_map *
find_concept(const struct mapping *m, const char *taxonomy, const char *concept)
{
	struct concept_map key;

	key.taxonomy = (char *)taxonomy;
	key.concept = (char *)concept;
	return bsearch(&key, m->concepts, m->concept_count, sizeof key,
	    compare_concepts);
}

/* ---- the universe file ---- */

/* Writes a CIK of 1 to 10 digits as the 10-digit string SEC uses. */
static bool
pad_cik(const char *text, char out[CIK_DIGITS + 1])
{
	size_t n = strlen(text);

	if (n == 0 || n > CIK_DIGITS || strspn(text, "0123456789") != n)
		return false;
	memset(out, '0', CIK_DIGITS - n);
	memcpy(out + CIK_DIGITS - n, text, n + 1);
	return true;
}

static bool
parse_universe_entry(struct universe_entry *e, const char *path,
    const struct conf_node *node)
{
	const char *ticker = conf_map_scalar(node, "ticker");
	const char *cik = conf_map_scalar(node, "cik");
	const char *category = conf_map_scalar(node, "category");

	if (node->type != CONF_NODE_MAPPING || (ticker == NULL && cik == NULL)) {
		log_error("%s:%lu: each company needs a ticker or a cik", path,
		    node->line);
		return false;
	}
	if (cik != NULL && !pad_cik(cik, e->cik)) {
		log_error("%s:%lu: invalid cik '%s': use up to 10 digits", path,
		    node->line, cik);
		return false;
	}
	if (ticker != NULL && (e->ticker = strdup(ticker)) == NULL)
		return false;
	if (category != NULL && (e->category = strdup(category)) == NULL)
		return false;
	return true;
}

/* Loads the universe.  Returns 0 or an exit status after reporting. */
static int
load_universe(struct universe *u, const char *path)
{
	const struct conf_node *list;
	struct conf_node *root;
	int status = 0;

	root = load_yaml(path, "universe file", &status);
	if (root == NULL)
		return status;

	list = conf_map_get(root, "companies");
	if (list == NULL || list->type != CONF_NODE_SEQUENCE) {
		log_error("%s: a top-level 'companies' list is required", path);
		status = EXIT_CONFIG;
		goto done;
	}
	u->entries = calloc(list->count + 1, sizeof *u->entries);
	if (u->entries == NULL) {
		status = EXIT_SOFTWARE;
		goto done;
	}
	for (size_t i = 0; i < list->count; i++) {
		u->count++;
		if (!parse_universe_entry(&u->entries[i], path, list->items[i])) {
			status = EXIT_CONFIG;
			goto done;
		}
	}
done:
	conf_node_free(root);
	return status;
}

static void
free_universe(struct universe *u)
{
	for (size_t i = 0; i < u->count; i++) {
		free(u->entries[i].ticker);
		free(u->entries[i].category);
	}
	free(u->entries);
}

/* Finds a company by cik, or by ticker for entries without a cik. */
static const struct universe_entry *
find_in_universe(const struct universe *u, const char *cik, const char *ticker)
{
	for (size_t i = 0; i < u->count; i++)
		if (strcmp(u->entries[i].cik, cik) == 0)
			return &u->entries[i];
	if (ticker == NULL)
		return NULL;
	for (size_t i = 0; i < u->count; i++)
		if (u->entries[i].cik[0] == '\0' && u->entries[i].ticker != NULL &&
		    strcasecmp(u->entries[i].ticker, ticker) == 0)
			return &u->entries[i];
	return NULL;
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

static bool
digits_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* SEC accession numbers read NNNNNNNNNN-YY-NNNNNN: the filer agent's CIK,
 * the year, and a sequence number. */
static bool
accession_valid(const char *s)
{
	return strlen(s) == ACCESSION_LENGTH && digits_only(s, 10) &&
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
	if (f->accn == NULL || !accession_valid(f->accn)) {
		bad_member(rs, record, "accn", "an accession number such as "
		    "\"0000320193-23-000106\"");
		errors++;
	}
	if (errors == 0)
		return true;
	reject_end(rs);
	run->counts.rejected++;
	return false;
}

/* ---- units ---- */

static bool
currency_code(const char *s)
{
	for (int i = 0; i < CURRENCY_LENGTH; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

/*
 * Checks the unit against the metric's unit kind: "USD" for currency,
 * "USD/shares" for per-share, "shares" for shares.  Copies the currency
 * code, or "" for shares, into currency.
 */
static bool
unit_fits(enum unit_kind kind, const char *unit, char currency[4])
{
	size_t n = strlen(unit);

	currency[0] = '\0';
	switch (kind) {
	case UNIT_CURRENCY:
		if (n != CURRENCY_LENGTH || !currency_code(unit))
			return false;
		break;
	case UNIT_PER_SHARE:
		if (n != CURRENCY_LENGTH + 7 || !currency_code(unit) ||
		    strcmp(unit + CURRENCY_LENGTH, "/shares") != 0)
			return false;
		break;
	case UNIT_SHARES:
		return strcmp(unit, "shares") == 0;
	}
	memcpy(currency, unit, CURRENCY_LENGTH);
	currency[CURRENCY_LENGTH] = '\0';
	return true;
}

/*
 * The reporting currency of the company: the most frequent currency
 * among its kept facts, the alphabetically first on a tie.  Empty when
 * no fact carries a currency.
 */
static void
reporting_currency(const struct company *c, char out[4])
{
	unsigned long best_count = 0;

	out[0] = '\0';
	for (size_t i = 0; i < c->count; i++) {
		const char *currency = c->facts[i].currency;
		unsigned long count = 0;

		if (currency[0] == '\0' || strcmp(currency, out) == 0)
			continue;
		for (size_t j = 0; j < c->count; j++)
			if (strcmp(c->facts[j].currency, currency) == 0)
				count++;
		if (count > best_count ||
		    (count == best_count && strcmp(currency, out) < 0)) {
			best_count = count;
			memcpy(out, currency, CURRENCY_LENGTH + 1);
		}
	}
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
    const struct universe_entry *entry)
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
    const struct fact *f)
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
	jsonw_string(w, "metric", run->mapping.metrics[f->map->metric].name);
	jsonw_number(w, "value", f->value);
	jsonw_string(w, "unit", f->unit);
	jsonw_string(w, "period_type", period_type_name(f->class));
	if (f->class == PERIOD_INSTANT) {
		jsonw_null(w, "period_start");
	} else {
		date_format(f->start, date);
		jsonw_string(w, "period_start", date);
	}
	date_format(f->end, date);
	jsonw_string(w, "period_end", date);
	jsonw_int(w, "fiscal_year", f->fiscal_year);
	if (f->fiscal_period != NULL)
		jsonw_string(w, "fiscal_period", f->fiscal_period);
	else
		jsonw_null(w, "fiscal_period");
	jsonw_string(w, "source", "sec");
	jsonw_string(w, "source_ref", f->accn);
	date_format(f->filed, date);
	jsonw_string(w, "filed", date);
	jsonw_string(w, "concept", f->map->qualified);
	jsonw_null(w, "derivation");
	jsonw_end(w);
	write_out(run);
	run->counts.metric_records++;
}

/* ---- choosing one fact per key ---- */

/* Output order of period types: instant, quarter, ytd, annual. */
static int
period_type_rank(enum period_class class)
{
	switch (class) {
	case PERIOD_INSTANT:	return 0;
	case PERIOD_QUARTER:	return 1;
	case PERIOD_YTD_6M:	return 2;
	case PERIOD_YTD_9M:	return 2;
	case PERIOD_ANNUAL:	return 3;
	case PERIOD_UNCLASSIFIED: break;
	}
	return 4;
}

/* Orders by key (metric, period type, period end), then best first:
 * dropped facts last, the concept listed first, the latest filing date,
 * the greater accession number, and input order. */
static int
compare_facts(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	int c;

	if (x->dropped != y->dropped)
		return x->dropped ? 1 : -1;
	if (x->map->metric != y->map->metric)
		return x->map->metric < y->map->metric ? -1 : 1;
	if (period_type_rank(x->class) != period_type_rank(y->class))
		return period_type_rank(x->class) - period_type_rank(y->class);
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->map->priority != y->map->priority)
		return x->map->priority < y->map->priority ? -1 : 1;
	if (x->filed != y->filed)
		return x->filed > y->filed ? -1 : 1;
	c = strcmp(x->accn, y->accn);
	if (c != 0)
		return -c;
	return x->sequence < y->sequence ? -1 : 1;
}

static bool
same_key(const struct fact *x, const struct fact *y)
{
	return x->map->metric == y->map->metric &&
	    period_type_rank(x->class) == period_type_rank(y->class) &&
	    x->end == y->end;
}

/*
 * Drops the facts that cannot be placed now that the whole company is
 * known: those in another currency than the reporting one, and the
 * year-to-date durations that do not end 6 or 9 months into the fiscal
 * year.  Sets the fiscal year and period of the others.
 */
static void
place_facts(struct run *run, struct company *c)
{
	int year_end = fiscal_year_end_month(&c->votes);
	char currency[4];

	reporting_currency(c, currency);
	for (size_t i = 0; i < c->count; i++) {
		struct fact *f = &c->facts[i];
		struct fiscal_period fp;

		if (f->currency[0] != '\0' &&
		    strcmp(f->currency, currency) != 0) {
			f->dropped = true;
			run->counts.skipped[SKIP_OTHER_CURRENCY]++;
			continue;
		}
		if (!fiscal_period_of(f->class, f->end, year_end, &fp)) {
			f->dropped = true;
			run->counts.skipped[SKIP_UNCLASSIFIED]++;
			continue;
		}
		f->fiscal_year = fp.year;
		f->fiscal_period = fp.name;
	}
	log_debug("%s: fiscal year ends in month %d, reporting currency %s",
	    c->cik, year_end, currency[0] != '\0' ? currency : "none");
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
	c->open = false;
	memset(&c->votes, 0, sizeof c->votes);
}

/* Writes the company record and one metric record per key, then empties
 * the buffer for the next company. */
static void
flush_company(struct run *run)
{
	struct company *c = &run->company;
	const struct universe_entry *entry;
	const char *ticker;

	if (!c->open)
		return;

	place_facts(run, c);
	qsort(c->facts, c->count, sizeof *c->facts, compare_facts);

	/* The universe supplies the category, and the ticker when no fact
	 * carried one. */
	entry = find_in_universe(&run->universe, c->cik, c->ticker);
	ticker = c->ticker;
	if (ticker == NULL && entry != NULL)
		ticker = entry->ticker;
	write_company(run, c, ticker, entry);

	for (size_t i = 0; i < c->count && !c->facts[i].dropped; i++) {
		if (i > 0 && same_key(&c->facts[i - 1], &c->facts[i])) {
			run->counts.skipped[SKIP_SUPERSEDED]++;
			continue;
		}
		write_metric(run, c, ticker, &c->facts[i]);
	}

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

	if (company_done_before(run, f->cik))
		log_warn("line %lu: cik %s appears again after other companies, "
		    "so keys written for it before may be written again: group "
		    "the input by cik", line, f->cik);
	memcpy(c->cik, f->cik, CIK_DIGITS + 1);
	c->name = strdup(f->entity);
	c->open = c->name != NULL;
	return c->open;
}

/* Keeps a mapped fact for the company.  Returns false when out of memory. */
static bool
keep_fact(struct run *run, const struct sec_fact *sf,
    const struct concept_map *map, enum period_class class,
    const char *currency)
{
	struct company *c = &run->company;
	struct fact *f;

	if (c->count == c->cap) {
		size_t cap = c->cap == 0 ? 256 : c->cap * 2;
		struct fact *grown = realloc(c->facts, cap * sizeof *grown);

		if (grown == NULL)
			return false;
		c->facts = grown;
		c->cap = cap;
	}
	f = &c->facts[c->count++];
	memset(f, 0, sizeof *f);
	f->map = map;
	f->class = class;
	f->start = sf->has_start ? sf->start : 0;
	f->end = sf->end;
	f->filed = sf->filed;
	f->value = sf->value;
	snprintf(f->unit, sizeof f->unit, "%s", sf->unit);
	snprintf(f->currency, sizeof f->currency, "%s", currency);
	memcpy(f->accn, sf->accn, ACCESSION_LENGTH + 1);
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
	const struct concept_map *map;
	const struct metric_def *def;
	enum period_class class;
	char currency[4];

	if (c->open && strcmp(c->cik, sf->cik) != 0)
		flush_company(run);
	if (!c->open && !open_company(run, sf, line))
		return false;
	if (c->ticker == NULL && sf->ticker != NULL &&
	    (c->ticker = strdup(sf->ticker)) == NULL)
		return false;
	if (sf->has_start)
		fiscal_year_end_vote(&c->votes, sf->start, sf->end);

	map = find_concept(&run->mapping, sf->taxonomy, sf->concept);
	if (map == NULL) {
		run->counts.skipped[SKIP_UNMAPPED]++;
		return true;
	}
	def = &run->mapping.metrics[map->metric];
	if (!unit_fits(def->unit_kind, sf->unit, currency)) {
		run->counts.skipped[SKIP_UNIT_MISMATCH]++;
		log_debug("line %lu: %s in %s does not fit %s", line,
		    map->qualified, sf->unit, def->name);
		return true;
	}
	class = period_classify(sf->has_start, sf->start, sf->end);
	if ((def->kind == METRIC_INSTANT) != (class == PERIOD_INSTANT)) {
		run->counts.skipped[SKIP_PERIOD_MISMATCH]++;
		return true;
	}
	if (class == PERIOD_UNCLASSIFIED) {
		run->counts.skipped[SKIP_UNCLASSIFIED]++;
		return true;
	}
	return keep_fact(run, sf, map, class, currency);
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

	if (strcmp(record_kind(record), "sec_fact") != 0) {
		pass_through(run, line, len);
	} else if (check_sec_fact(run, record, number, line, len, &fact) &&
	    !take_fact(run, &fact, number)) {
		log_error("out of memory at line %lu", number);
		exit(EXIT_SOFTWARE);
	}
	cJSON_Delete(record);
}

/* Reads one input.  Line numbers continue across inputs, as if they
 * were concatenated.  Returns 0, or EXIT_IOERR after a read error. */
static int
read_input(struct run *run, FILE *fp, const char *name)
{
	struct ndjson_reader *reader = ndjson_open(fp, run->opt->max_line_bytes);
	enum ndjson_status status;
	char *line;
	size_t len;

	if (reader == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	while ((status = ndjson_next(reader, &line, &len)) != NDJSON_EOF) {
		unsigned long number = run->line_offset +
		    ndjson_line_number(reader);

		if (status == NDJSON_READ_ERROR) {
			log_error("%s: read error after line %lu: %s", name,
			    number, strerror(errno));
			ndjson_close(reader);
			return EXIT_IOERR;
		}
		run->counts.lines++;
		if (status == NDJSON_TOO_LONG) {
			char why[128];

			snprintf(why, sizeof why, "line longer than %zu bytes; "
			    "raise --max-line-bytes if it is valid",
			    run->opt->max_line_bytes);
			reject_one(run->rejects, number, line, len, "line-length",
			    why);
			run->counts.rejected++;
			continue;
		}
		process_line(run, line, len, number);
	}
	run->line_offset += ndjson_line_number(reader);
	ndjson_close(reader);
	return 0;
}

/* Reads the files named on the command line, or standard input ("-" is
 * standard input too).  A file that cannot be opened is reported and
 * skipped; the status remembers it. */
static int
read_inputs(struct run *run, int argc, char **argv)
{
	int status = 0;

	if (argc == 0)
		return read_input(run, stdin, "standard input");

	for (int i = 0; i < argc; i++) {
		FILE *fp;
		int s;

		if (strcmp(argv[i], "-") == 0) {
			s = read_input(run, stdin, "standard input");
		} else if ((fp = fopen(argv[i], "r")) == NULL) {
			log_error("%s: %s", argv[i], strerror(errno));
			s = EXIT_NOINPUT;
		} else {
			s = read_input(run, fp, argv[i]);
			fclose(fp);
		}
		if (status == 0)
			status = s;
	}
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

static void
log_summary(const struct counts *n)
{
	char reasons[512];
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
	    "%lu passed through, %lu rejected; company records out: %lu",
	    n->lines, n->metric_records, skipped_total(n),
	    used > 0 ? " (" : "", reasons, used > 0 ? ")" : "",
	    n->passed_through, n->rejected, n->company_records);
}

static int
write_metrics_file(const struct counts *n, const char *path)
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
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status == 0 ? 0 : EXIT_IOERR;
}

/* Every line must be accounted for; a gap is a bug in this program. */
static bool
counts_reconcile(const struct counts *n)
{
	unsigned long total = n->metric_records + skipped_total(n) +
	    n->passed_through + n->rejected;

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
	if (opt->universe_path != NULL &&
	    (status = load_universe(&run->universe, opt->universe_path)) != 0)
		return status;
	run->rejects = reject_open(opt->rejects_path);
	return run->rejects == NULL ? EXIT_IOERR : 0;
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

	status = set_up(&run, &opt, &config);
	if (status != 0)
		goto done;

	status = read_inputs(&run, argc - optind, argv + optind);
	flush_company(&run);

	log_summary(&run.counts);
	if (!counts_reconcile(&run.counts))
		status = EXIT_SOFTWARE;
	if (write_metrics_file(&run.counts, opt.common.metrics_file) != 0 &&
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
	free(run.done_ciks);
	free_mapping(&run.mapping);
	free_universe(&run.universe);
	jsonw_free(&run.out);
	conf_node_free(config);
	out_status = cli_finish_stdout();
	return status != 0 ? status : out_status;
}
