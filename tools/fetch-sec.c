/*
 * fetch-sec: emits SEC EDGAR's data on companies as NDJSON records:
 * sec_fact (one per XBRL fact of a companyfacts document), and from the
 * submissions documents sec_company (the company's profile) and
 * sec_filing (one per filing of the index, older pages included).  The
 * documents are downloaded for companies named by CIK or ticker, for
 * every company of SEC's ticker table, or for those with new filings in
 * EDGAR's current-filings feed.  They can also be read without network
 * from saved files, unpacked bulk archives or standard input.
 *
 * SEC's fair-access policy requires automated clients to declare who
 * they are in the User-Agent, with a contact address, and to send at
 * most 10 requests per second.  fetch-sec enforces both.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "conf.h"
#include "date.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"
#include "promfile.h"
#include "record.h"
#include "sec_docs.h"
#include "sec_facts.h"
#include "sec_feed.h"
#include "sec_instance.h"
#include "sec_submissions.h"
#include "sec_tickers.h"

#define DEFAULT_BASE_URL	"https://data.sec.gov"
#define DEFAULT_TICKERS_URL	"https://www.sec.gov/files/company_tickers.json"
#define DEFAULT_FEED_URL	"https://www.sec.gov/cgi-bin/browse-edgar"
#define DEFAULT_RATE		10.0
#define MAX_RATE		10.0	/* SEC's fair-access limit */
#define DEFAULT_RETRIES		4
#define MAX_RETRIES		20
#define DEFAULT_TIMEOUT_S	60.0
#define DEFAULT_TICKERS_TTL_S	86400L	/* SEC refreshes the file daily */
#define DEFAULT_FEED_FORMS	"10-K,10-Q"
#define FEED_PAGE_SIZE		100	/* the largest page EDGAR serves */
#define MAX_FEED_PAGES		20	/* per form: 2000 entries */
#define MAX_HISTORY_PAGES	64
#define MAX_DOCUMENT_BYTES	((size_t)512 * 1024 * 1024)
#define USER_AGENT_EXAMPLE	"SEC_USER_AGENT='Jane Analyst jane@example.com'"

enum {
	OPT_CIK = CLI_OPT_TOOL_FIRST,
	OPT_TICKER,
	OPT_TICKERS_FILE,
	OPT_TICKERS_URL,
	OPT_TICKERS_TTL,
	OPT_ALL_COMPANIES,
	OPT_BASE_URL,
	OPT_FEED_URL,
	OPT_USER_AGENT,
	OPT_RATE,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_RETRIES,
	OPT_TIMEOUT,
	OPT_WHAT,
	OPT_FORM,
	OPT_AMENDMENTS,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_CHANGED_SINCE,
	OPT_BULK_DIR,
	OPT_SHARD,
	OPT_PROGRESS,
	OPT_LIST,
	OPT_XBRL_INSTANCE,
	OPT_ACCESSION,
	OPT_FILED,
};

/* The documents to fetch for each company. */
enum {
	WHAT_COMPANYFACTS = 1 << 0,
	WHAT_SUBMISSIONS = 1 << 1,
};

/* The kind of document a request or a file should hold. */
enum document_kind {
	DOC_ANY,		/* a saved file: companyfacts unless it
				   looks like submissions */
	DOC_COMPANYFACTS,
	DOC_SUBMISSIONS,
	DOC_HISTORY_PAGE,	/* an older page of the filing index */
};

/* Filings not emitted, by reason. */
enum filing_skip {
	FILING_OTHER_FORM,
	FILING_OUT_OF_RANGE,
	FILING_INCOMPLETE,
	FILING_SKIP_COUNT,
};

static const char *const filing_skip_names[FILING_SKIP_COUNT] = {
	"other-form", "out-of-range", "incomplete",
};

/* Reasons for a company (or a saved file) without records, each with the
 * exit status it calls for. */
enum failure {
	FAIL_NONE,
	FAIL_NOT_FOUND,
	FAIL_FORBIDDEN,
	FAIL_HTTP_ERROR,
	FAIL_TOO_LARGE,
	FAIL_RATE_LIMITED,
	FAIL_NETWORK,
	FAIL_NOT_CACHED,
	FAIL_MISSING_FILE,
	FAIL_BAD_DOCUMENT,
	FAIL_UNKNOWN_TICKER,
	FAIL_INTERNAL,
	FAIL_COUNT,
};

static const struct {
	const char *name;
	int exit_status;
} failure_kinds[FAIL_COUNT] = {
	[FAIL_NONE] = { "none", EXIT_OK },
	[FAIL_NOT_FOUND] = { "not-found", EXIT_UNAVAILABLE },
	[FAIL_FORBIDDEN] = { "forbidden", EXIT_UNAVAILABLE },
	[FAIL_HTTP_ERROR] = { "http-error", EXIT_UNAVAILABLE },
	[FAIL_TOO_LARGE] = { "too-large", EXIT_UNAVAILABLE },
	[FAIL_RATE_LIMITED] = { "rate-limited", EXIT_TEMPFAIL },
	[FAIL_NETWORK] = { "network", EXIT_TEMPFAIL },
	[FAIL_NOT_CACHED] = { "not-cached", EXIT_NOINPUT },
	[FAIL_MISSING_FILE] = { "missing-file", EXIT_NOINPUT },
	[FAIL_BAD_DOCUMENT] = { "bad-document", EXIT_DATAERR },
	[FAIL_UNKNOWN_TICKER] = { "unknown-ticker", EXIT_DATAERR },
	[FAIL_INTERNAL] = { "internal", EXIT_SOFTWARE },
};

/* When several failures happened, the exit status is the first of these
 * that applies: a permanent upstream problem is reported over a
 * temporary one, so that a timer does not retry what cannot succeed. */
static const int exit_priority[] = {
	EXIT_SOFTWARE, EXIT_UNAVAILABLE, EXIT_TEMPFAIL, EXIT_NOINPUT,
	EXIT_DATAERR,
};

/* A company to fetch, from --cik, --ticker, --all-companies or the feed. */
struct company {
	long cik;
	char *ticker;		/* NULL when unknown */
};

/* A --cik or --ticker argument, kept in command-line order. */
struct selector {
	bool is_ticker;
	const char *list;
};

struct settings {
	struct cli_common common;
	struct selector *selectors;
	size_t selector_count;
	bool all_companies;
	const char *tickers_file;
	const char *tickers_url;
	long tickers_ttl_s;
	const char *base_url;
	const char *feed_url;
	const char *user_agent;
	const char *cache_dir;
	double rate;
	int retries;
	double timeout_s;
	bool offline;
	unsigned what;			/* WHAT_* bits */
	struct sec_filing_filter filter;
	bool forms_given;
	long changed_since;		/* days; LONG_MIN: not given */
	const char *bulk_dir;
	unsigned long shard_index;	/* 1 to shard_count */
	unsigned long shard_count;	/* 0: no sharding */
	bool progress;
	bool list_only;
	const char *xbrl_instance;	/* a filing's instance document */
	const char *accession;		/* of that filing */
	const char *filed;
	char **files;
	int file_count;
	struct conf_node *config;	/* --config; settings point into it */
};

/* Progress on stderr for long runs. */
struct progress {
	bool enabled;
	bool terminal;			/* redraw one line with '\r' */
	const char *unit;		/* "companies", "files", "documents" */
	unsigned long total;		/* 0: unknown */
	unsigned long done;
	double started;
	double last_shown;
};

struct run {
	struct settings *settings;
	struct http_client *http;
	struct sec_ticker_table tickers;
	bool tickers_loaded;
	enum failure tickers_failure;	/* why the download failed */
	struct jsonw writer;
	struct sec_fact_writer facts;
	unsigned long companies_ok;
	unsigned long failures[FAIL_COUNT];
	unsigned long profiles_out;	/* sec_company records */
	unsigned long filings_out;
	unsigned long filing_skips[FILING_SKIP_COUNT];
	unsigned long pages_read;	/* older pages of filing indexes */
	unsigned long pages_not_needed;	/* outside --since/--until */
	unsigned long other_shard;	/* companies left to other shards */
	unsigned long not_company_files; /* --bulk-dir entries not read */
	struct sec_instance_counts instance;
	bool submissions_seen;
	struct progress progress;
};

/* The source of a document, which names it in messages, gives the CIK
 * of an older page and locates the older pages a main document lists. */
struct origin {
	const char *source;		/* path, URL or "stdin" */
	long cik;			/* requested or from the file name; 0 */
	const char *ticker;		/* requested ticker, or NULL */
	const char *folder;		/* folder of older pages, or NULL */
	bool online;			/* older pages come from --base-url */
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: fetch-sec [--cik LIST] [--ticker LIST] [--all-companies]\n"
"                 [--changed-since DATE] [--shard K/N] [--list]\n"
"                 [--what LIST] [--form LIST] [--amendments]\n"
"                 [--since DATE] [--until DATE]\n"
"                 [--tickers-file FILE] [--tickers-url URL] [--tickers-ttl TIME]\n"
"                 [--user-agent TEXT] [--base-url URL] [--feed-url URL]\n"
"                 [--rate N] [--retries N] [--timeout SECONDS]\n"
"                 [--cache-dir DIR] [--offline] [--bulk-dir DIR] [--progress]\n"
"                 [--xbrl-instance FILE --accession ACCN --filed DATE]\n"
"                 [FILE ...]\n"
"\n"
"Write SEC EDGAR's data on companies as NDJSON: one sec_fact record per\n"
"XBRL fact of the companyfacts documents, and from the submissions\n"
"documents one sec_company record (the profile) and one sec_filing record\n"
"per filing, older pages included.  Documents are downloaded for each CIK\n"
"or ticker, or read without network from saved FILEs ('-' reads documents\n"
"written one after another on standard input) and from --bulk-dir.\n"
"Requests to SEC need a User-Agent that names you and a contact e-mail\n"
"address, and are sent at most 10 a second.\n"
"\n"
"Companies:\n"
"      --cik=LIST           companies by CIK, comma-separated (repeatable)\n"
"      --ticker=LIST        companies by ticker, comma-separated (repeatable)\n"
"      --all-companies      every company of SEC's ticker table\n"
"      --changed-since=DATE only companies with a filing of the --form forms\n"
"                           (default " DEFAULT_FEED_FORMS ") on or after DATE in\n"
"                           EDGAR's current-filings feed; with --cik,\n"
"                           --ticker or --all-companies, only those of them\n"
"      --shard=K/N          only the companies whose CIK falls into shard K\n"
"                           of N (1 <= K <= N), also for files\n"
"      --list               write the selected companies as 'CIK<TAB>TICKER'\n"
"                           lines and fetch nothing else\n"
"Documents and records:\n"
"      --what=LIST          companyfacts and/or submissions (default\n"
"                           companyfacts)\n"
"      --form=LIST          filings of these forms only, as 10-K,10-Q,8-K\n"
"      --amendments         also the amendments (10-K/A) of the listed forms\n"
"      --since=DATE         filings filed on or after DATE (YYYY-MM-DD)\n"
"      --until=DATE         filings filed on or before DATE\n"
"Sources:\n"
"      --tickers-file=FILE  ticker/CIK table (company_tickers.json or\n"
"                           company_tickers_exchange.json format)\n"
"      --tickers-url=URL    where to download the table when tickers are\n"
"                           given without --tickers-file\n"
"                           (default " DEFAULT_TICKERS_URL ")\n"
"      --tickers-ttl=TIME   reuse a table in --cache-dir younger than TIME:\n"
"                           seconds, or a number with s, m, h or d (default 1d)\n"
"      --base-url=URL       companyfacts and submissions host\n"
"                           (default " DEFAULT_BASE_URL ")\n"
"      --feed-url=URL       current-filings feed (default\n"
"                           " DEFAULT_FEED_URL ")\n"
"      --bulk-dir=DIR       read every CIK##########.json of DIR, as unpacked\n"
"                           from SEC's companyfacts.zip or submissions.zip\n"
"      --xbrl-instance=FILE sec_fact records from one filing's XBRL instance\n"
"                           document, with --accession and --filed\n"
"      --accession=ACCN     accession number of that filing\n"
"      --filed=DATE         filing date of that filing (YYYY-MM-DD)\n"
"Network:\n"
"      --user-agent=TEXT    User-Agent with a contact e-mail address\n"
"                           (default: $SEC_USER_AGENT)\n"
"      --rate=N             at most N requests per second (default 10, max 10)\n"
"      --retries=N          retries on 429, 5xx and network errors (default 4)\n"
"      --timeout=SECONDS    limit for one transfer (default 60)\n"
"      --cache-dir=DIR      keep every downloaded document in DIR\n"
"      --offline            read documents from --cache-dir only, no network\n"
"      --progress           show progress on stderr even when it is not a\n"
"                           terminal\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 a document of the wrong kind or an\n"
"unknown ticker, 66 a missing file or cache entry, 69 SEC answered 403, 404\n"
"or 5xx, 70 internal error, 75 429 or network errors after the retries.\n");
}

static void
add_selector(struct settings *s, bool is_ticker, const char *list)
{
	struct selector *grown;

	grown = realloc(s->selectors, (s->selector_count + 1) * sizeof *grown);
	if (grown == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	s->selectors = grown;
	s->selectors[s->selector_count].is_ticker = is_ticker;
	s->selectors[s->selector_count].list = list;
	s->selector_count++;
}

static double
parse_positive(const char *option, const char *text)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 || !isfinite(value) ||
	    value <= 0)
		cli_usage_error("invalid %s '%s': expected a positive number",
		    option, text);
	return value;
}

static double
parse_rate(const char *text)
{
	double rate = parse_positive("--rate", text);

	if (rate > MAX_RATE)
		cli_usage_error("--rate %s is too high: SEC's fair-access policy "
		    "allows at most 10 requests per second", text);
	return rate;
}

static int
parse_retries(const char *text)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || value < 0 ||
	    value > MAX_RETRIES)
		cli_usage_error("invalid --retries '%s': expected 0 to %d", text,
		    MAX_RETRIES);
	return (int)value;
}

static long
parse_date_option(const char *option, const char *text)
{
	long days;

	if (!date_parse(text, &days))
		cli_usage_error("invalid %s '%s': expected a date as YYYY-MM-DD",
		    option, text);
	return days;
}

/* Reads a time to live: seconds, or a number followed by s, m, h or d. */
static long
parse_duration(const char *option, const char *text)
{
	char *end;
	long value, unit = 1;

	errno = 0;
	value = strtol(text, &end, 10);
	if (end != text && end[0] != '\0' && end[1] == '\0') {
		switch (end[0]) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: unit = 0; break;
		}
		end++;
	}
	if (end == text || *end != '\0' || errno != 0 || unit == 0 ||
	    value < 0 || value > LONG_MAX / 86400)
		cli_usage_error("invalid %s '%s': expected seconds, or a number "
		    "with s, m, h or d as in 12h", option, text);
	return value * unit;
}

static void
parse_shard(struct settings *s, const char *text)
{
	unsigned long k, n;
	char tail;

	if (sscanf(text, "%lu/%lu%c", &k, &n, &tail) != 2 || n == 0 ||
	    k == 0 || k > n || n > 1000000 || strchr(text, '-') != NULL)
		cli_usage_error("invalid --shard '%s': expected K/N with "
		    "1 <= K <= N, as in 2/4", text);
	s->shard_index = k;
	s->shard_count = n;
}

static unsigned
parse_what(const char *list)
{
	unsigned what = 0;
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == strlen("companyfacts") &&
		    strncmp(p, "companyfacts", n) == 0)
			what |= WHAT_COMPANYFACTS;
		else if (n == strlen("submissions") &&
		    strncmp(p, "submissions", n) == 0)
			what |= WHAT_SUBMISSIONS;
		else
			cli_usage_error("invalid --what '%s': expected "
			    "companyfacts, submissions or both, comma-separated",
			    list);
		p += n;
		if (*p == ',')
			p++;
	}
	if (what == 0)
		cli_usage_error("invalid --what '%s': name at least one document",
		    list);
	return what;
}

static void
parse_forms(struct settings *s, const char *list)
{
	char why[256];

	if (sec_filing_filter_add_forms(&s->filter, list, why, sizeof why) < 0)
		cli_usage_error("invalid --form: %s", why);
	s->forms_given = true;
}

static void
parse_options(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "cik", required_argument, NULL, OPT_CIK },
		{ "ticker", required_argument, NULL, OPT_TICKER },
		{ "tickers-file", required_argument, NULL, OPT_TICKERS_FILE },
		{ "tickers-url", required_argument, NULL, OPT_TICKERS_URL },
		{ "tickers-ttl", required_argument, NULL, OPT_TICKERS_TTL },
		{ "all-companies", no_argument, NULL, OPT_ALL_COMPANIES },
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "feed-url", required_argument, NULL, OPT_FEED_URL },
		{ "user-agent", required_argument, NULL, OPT_USER_AGENT },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "what", required_argument, NULL, OPT_WHAT },
		{ "form", required_argument, NULL, OPT_FORM },
		{ "amendments", no_argument, NULL, OPT_AMENDMENTS },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
		{ "bulk-dir", required_argument, NULL, OPT_BULK_DIR },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "xbrl-instance", required_argument, NULL, OPT_XBRL_INSTANCE },
		{ "accession", required_argument, NULL, OPT_ACCESSION },
		{ "filed", required_argument, NULL, OPT_FILED },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_CIK: add_selector(s, false, optarg); break;
		case OPT_TICKER: add_selector(s, true, optarg); break;
		case OPT_TICKERS_FILE: s->tickers_file = optarg; break;
		case OPT_TICKERS_URL: s->tickers_url = optarg; break;
		case OPT_TICKERS_TTL:
			s->tickers_ttl_s = parse_duration("--tickers-ttl", optarg);
			break;
		case OPT_ALL_COMPANIES: s->all_companies = true; break;
		case OPT_BASE_URL: s->base_url = optarg; break;
		case OPT_FEED_URL: s->feed_url = optarg; break;
		case OPT_USER_AGENT: s->user_agent = optarg; break;
		case OPT_RATE: s->rate = parse_rate(optarg); break;
		case OPT_CACHE_DIR: s->cache_dir = optarg; break;
		case OPT_OFFLINE: s->offline = true; break;
		case OPT_RETRIES: s->retries = parse_retries(optarg); break;
		case OPT_TIMEOUT:
			s->timeout_s = parse_positive("--timeout", optarg);
			break;
		case OPT_WHAT: s->what = parse_what(optarg); break;
		case OPT_FORM: parse_forms(s, optarg); break;
		case OPT_AMENDMENTS: s->filter.amendments = true; break;
		case OPT_SINCE:
			s->filter.since = parse_date_option("--since", optarg);
			break;
		case OPT_UNTIL:
			s->filter.until = parse_date_option("--until", optarg);
			break;
		case OPT_CHANGED_SINCE:
			s->changed_since = parse_date_option("--changed-since",
			    optarg);
			break;
		case OPT_BULK_DIR: s->bulk_dir = optarg; break;
		case OPT_SHARD: parse_shard(s, optarg); break;
		case OPT_PROGRESS: s->progress = true; break;
		case OPT_LIST: s->list_only = true; break;
		case OPT_XBRL_INSTANCE: s->xbrl_instance = optarg; break;
		case OPT_ACCESSION: s->accession = optarg; break;
		case OPT_FILED:
			parse_date_option("--filed", optarg);
			s->filed = optarg;
			break;
		default:
			if (!cli_handle_common(c, optarg, &s->common, usage))
				cli_usage_error("unhandled option");
			break;
		}
	}
	s->files = argv + optind;
	s->file_count = argc - optind;
}

/*
 * Fills what the command line and the environment left unset from the
 * --config file, which may carry user-agent, base-url, feed-url,
 * tickers-url, cache-dir and rate.  Other keys belong to other tools
 * sharing the file and are ignored.
 */
static void
apply_config(struct settings *s, bool rate_given)
{
	const struct conf_node *config, *rate_node;
	const char *value;
	char error[512];
	double rate;

	if (s->common.config_file == NULL)
		return;
	s->config = conf_load_file(s->common.config_file, error, sizeof error);
	if (s->config == NULL) {
		log_error("%s", error);
		exit(EXIT_CONFIG);
	}
	config = s->config;
	if (s->user_agent == NULL &&
	    (value = conf_map_scalar(config, "user-agent")) != NULL)
		s->user_agent = value;
	if (s->base_url == NULL &&
	    (value = conf_map_scalar(config, "base-url")) != NULL)
		s->base_url = value;
	if (s->feed_url == NULL &&
	    (value = conf_map_scalar(config, "feed-url")) != NULL)
		s->feed_url = value;
	if (s->tickers_url == NULL &&
	    (value = conf_map_scalar(config, "tickers-url")) != NULL)
		s->tickers_url = value;
	if (s->cache_dir == NULL &&
	    (value = conf_map_scalar(config, "cache-dir")) != NULL)
		s->cache_dir = value;
	rate_node = conf_map_get(config, "rate");
	if (!rate_given && rate_node != NULL) {
		if (!conf_scalar_double(rate_node, &rate) || rate <= 0 ||
		    rate > MAX_RATE) {
			log_error("%s:%lu: invalid rate: expected a number above 0 "
			    "and at most 10 (SEC's fair-access limit)",
			    s->common.config_file, rate_node->line);
			exit(EXIT_CONFIG);
		}
		s->rate = rate;
	}
}

/* Checks the combinations getopt cannot, and fills the defaults. */
/* Accepts the schemes the HTTP client speaks; anything else is a typo
 * that retries would only repeat. */
static void
check_url(const char *option, const char *url)
{
	if (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0 ||
	    strncasecmp(url, "file://", 7) == 0)
		return;
	cli_usage_error("invalid %s '%s': use an https:// URL (http:// and "
	    "file:// for tests)", option, url);
}

static void
check_settings(struct settings *s)
{
	bool selects = s->selector_count > 0 || s->all_companies ||
	    s->changed_since != LONG_MIN;

	if (s->rate == 0)
		s->rate = DEFAULT_RATE;
	if (s->base_url == NULL)
		s->base_url = DEFAULT_BASE_URL;
	if (s->tickers_url == NULL)
		s->tickers_url = DEFAULT_TICKERS_URL;
	if (s->feed_url == NULL)
		s->feed_url = DEFAULT_FEED_URL;
	if (s->what == 0)
		s->what = WHAT_COMPANYFACTS;
	check_url("--base-url", s->base_url);
	check_url("--tickers-url", s->tickers_url);
	check_url("--feed-url", s->feed_url);
	if (!selects && s->file_count == 0 && s->bulk_dir == NULL &&
	    s->xbrl_instance == NULL)
		cli_usage_error("nothing to fetch: give --cik, --ticker, "
		    "--all-companies, --changed-since, --bulk-dir, "
		    "--xbrl-instance or a saved FILE");
	if (s->xbrl_instance != NULL && (s->accession == NULL ||
	    s->filed == NULL))
		cli_usage_error("--xbrl-instance needs --accession and --filed: "
		    "an instance document carries neither");
	if (s->xbrl_instance == NULL && (s->accession != NULL ||
	    s->filed != NULL))
		cli_usage_error("--accession and --filed describe the filing of "
		    "--xbrl-instance");
	if (s->accession != NULL && !sec_accession_valid(s->accession))
		cli_usage_error("invalid --accession '%s': expected ten digits, "
		    "two and six, as in 0000320193-23-000077", s->accession);
	if (s->offline && s->cache_dir == NULL && selects)
		cli_usage_error("--offline needs --cache-dir: it reads documents "
		    "saved by an earlier run");
	if (s->filter.since > s->filter.until)
		cli_usage_error("--since is after --until: no filing can match");
	if (s->list_only && !selects)
		cli_usage_error("--list needs companies to list: give --cik, "
		    "--ticker, --all-companies or --changed-since");
	if (s->filter.amendments && !s->forms_given)
		cli_usage_error("--amendments needs --form: without it every "
		    "form, amendments included, is written");
}

/*
 * Returns true when text contains an e-mail address: a word with
 * something before the '@' and a domain after it that has a dot with
 * letters on both sides, as in "Jane Analyst jane@example.com".
 */
static bool
has_contact_address(const char *text)
{
	const char *at, *word_start, *p, *dot;

	for (at = strchr(text, '@'); at != NULL; at = strchr(at + 1, '@')) {
		dot = NULL;
		word_start = at;
		while (word_start > text && !isspace((unsigned char)word_start[-1]) &&
		    word_start[-1] != '<' && word_start[-1] != '(')
			word_start--;
		if (word_start == at)
			continue;
		for (p = at + 1; isalnum((unsigned char)*p) || *p == '-' ||
		    *p == '.'; p++)
			if (*p == '.' && p > at + 1 && isalnum((unsigned char)p[-1]))
				dot = p;
		if (dot != NULL && isalpha((unsigned char)dot[1]))
			return true;
	}
	return false;
}

static bool
is_network_url(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

static bool
selects_tickers(const struct settings *s)
{
	if (s->all_companies)
		return true;
	for (size_t i = 0; i < s->selector_count; i++)
		if (s->selectors[i].is_ticker)
			return true;
	return false;
}

/* Stops with status 64 when a request to an http(s) URL is planned and
 * the User-Agent does not name a contact. */
static void
check_user_agent(const struct settings *s)
{
	bool needs_network = false;

	if (!s->offline && (s->selector_count > 0 || s->all_companies) &&
	    !s->list_only && is_network_url(s->base_url))
		needs_network = true;
	if (!s->offline && selects_tickers(s) && s->tickers_file == NULL &&
	    is_network_url(s->tickers_url))
		needs_network = true;
	if (!s->offline && s->changed_since != LONG_MIN &&
	    (is_network_url(s->feed_url) || is_network_url(s->base_url)))
		needs_network = true;
	if (!needs_network)
		return;

	if (s->user_agent == NULL || *s->user_agent == '\0') {
		log_error("a User-Agent with your name and e-mail address is "
		    "required: SEC's fair-access policy rejects undeclared "
		    "automated requests");
	} else if (!has_contact_address(s->user_agent)) {
		log_error("User-Agent '%s' has no contact e-mail address: SEC's "
		    "fair-access policy asks automated clients to declare one",
		    s->user_agent);
	} else {
		return;
	}
	log_error("hint: use --user-agent, or set %s", USER_AGENT_EXAMPLE);
	exit(EXIT_USAGE);
}

static void
count_failure(struct run *run, enum failure failure)
{
	run->failures[failure]++;
}

static unsigned long
failed_total(const struct run *run)
{
	unsigned long total = 0;

	for (int i = FAIL_NONE + 1; i < FAIL_COUNT; i++)
		total += run->failures[i];
	return total;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress goes to a terminal by default, elsewhere only on request. */
static void
progress_start(struct run *run, const char *unit, unsigned long total)
{
	struct progress *p = &run->progress;

	p->terminal = isatty(STDERR_FILENO) != 0;
	p->enabled = p->terminal || run->settings->progress;
	p->unit = unit;
	p->total = total;
	p->done = 0;
	p->started = p->last_shown = now_seconds();
}

/*
 * Shows documents done, records out, the rate and the time left: at
 * most once a second on a terminal, where the line is redrawn, and once
 * every ten seconds elsewhere, where each report is a line of its own.
 */
static void
progress_show(struct run *run, bool last)
{
	struct progress *p = &run->progress;
	unsigned long records = run->facts.out_count + run->filings_out +
	    run->profiles_out;
	double now = now_seconds(), elapsed, rate;
	char eta[64] = "";

	if (!p->enabled)
		return;
	if (!last && now - p->last_shown < (p->terminal ? 1.0 : 10.0))
		return;
	p->last_shown = now;
	elapsed = now - p->started;
	rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	if (p->total > 0 && rate > 0 && p->done < p->total) {
		long left = (long)((double)(p->total - p->done) / rate);

		snprintf(eta, sizeof eta, ", %ld:%02ld:%02ld left", left / 3600,
		    left / 60 % 60, left % 60);
	}
	if (p->total > 0)
		fprintf(stderr, "%s%s: %lu of %lu %s, %lu records, %.1f %s/s%s%s",
		    p->terminal ? "\r" : "", log_progname(), p->done, p->total,
		    p->unit, records, rate, p->unit, eta,
		    p->terminal && !last ? "\033[K" : "\n");
	else
		fprintf(stderr, "%s%s: %lu %s, %lu records, %.1f %s/s%s",
		    p->terminal ? "\r" : "", log_progname(), p->done, p->unit,
		    records, rate, p->unit,
		    p->terminal && !last ? "\033[K" : "\n");
}

static void
progress_step(struct run *run)
{
	run->progress.done++;
	progress_show(run, false);
}

/*
 * Returns true when a CIK belongs to this run's --shard.  The shard is
 * the 64-bit FNV-1a hash of the ten-digit CIK modulo N, so that every
 * host that is given the same N splits any list the same way.
 */
static bool
in_shard(const struct run *run, long cik)
{
	const struct settings *s = run->settings;
	char text[SEC_CIK_TEXT_SIZE];
	uint64_t hash = 0xcbf29ce484222325ULL;

	if (s->shard_count == 0)
		return true;
	sec_cik_format(cik, text);
	for (const char *p = text; *p != '\0'; p++) {
		hash ^= (unsigned char)*p;
		hash *= 0x100000001b3ULL;
	}
	return hash % s->shard_count == s->shard_index - 1;
}

/* Loads the ticker table from text.  Returns 0, or -1 after the error. */
static int
load_tickers_text(struct run *run, const char *text, size_t length,
    const char *source)
{
	char why[256];
	cJSON *root;
	int rc;

	root = cJSON_ParseWithLength(text, length);
	if (root == NULL) {
		log_error("%s: not a company tickers file: invalid JSON near "
		    "byte %ld", source, (long)(cJSON_GetErrorPtr() - text));
		return -1;
	}
	run->tickers.source = strdup(source);
	rc = sec_tickers_parse(&run->tickers, root, why, sizeof why);
	cJSON_Delete(root);
	if (rc < 0) {
		log_error("%s: not a company tickers file: %s", source, why);
		return -1;
	}
	run->tickers_loaded = true;
	log_debug("%s: %zu tickers", source, run->tickers.count);
	return 0;
}

/* Reads a whole file.  Returns NULL after reporting the error, with
 * *missing set when the file does not exist or cannot be opened. */
static char *
read_file(const char *path, size_t *length, bool *missing)
{
	char *data = NULL, *grown;
	size_t capacity = 0, n;
	FILE *fp;

	*missing = false;
	*length = 0;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		log_error("%s: %s", path, strerror(errno));
		*missing = true;
		return NULL;
	}
	do {
		if (capacity - *length < 65536) {
			capacity = capacity == 0 ? 1 << 20 : capacity * 2;
			grown = realloc(data, capacity + 1);
			if (grown == NULL) {
				log_error("%s: out of memory", path);
				free(data);
				fclose(fp);
				return NULL;
			}
			data = grown;
		}
		n = fread(data + *length, 1, capacity - *length, fp);
		*length += n;
	} while (n > 0);
	if (ferror(fp)) {
		log_error("%s: read error: %s", path, strerror(errno));
		free(data);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	data[*length] = '\0';
	return data;
}

static void
load_tickers_file(struct run *run, const char *path)
{
	size_t length;
	bool missing;
	char *text = read_file(path, &length, &missing);

	if (text == NULL)
		exit(missing ? EXIT_NOINPUT : EXIT_IOERR);
	if (load_tickers_text(run, text, length, path) < 0) {
		free(text);
		exit(EXIT_DATAERR);
	}
	free(text);
}

/* Creates the HTTP client on first use, so that runs on saved files
 * never set up libcurl. */
static struct http_client *
http_client(struct run *run)
{
	const struct settings *s = run->settings;
	struct http_options options = {
		.user_agent = s->user_agent,
		.timeout_ms = (long)(s->timeout_s * 1000),
		.max_retries = s->retries,
		.max_requests_per_second = s->rate,
		.max_body_bytes = MAX_DOCUMENT_BYTES,
		.cache_dir = s->cache_dir,
		.offline = s->offline,
	};

	if (run->http == NULL) {
		run->http = http_client_new(&options);
		if (run->http == NULL)
			exit(EXIT_SOFTWARE);
	}
	return run->http;
}

/* Turns a result of lib/http into a failure, reporting it. */
static enum failure
transfer_failure(enum http_result result, const char *what,
    const char *error)
{
	log_error("%s: %s", what, error);
	switch (result) {
	case HTTP_NETWORK_ERROR:
		return FAIL_NETWORK;
	case HTTP_TOO_LARGE:
		return FAIL_TOO_LARGE;
	case HTTP_NOT_CACHED:
		return FAIL_NOT_CACHED;
	case HTTP_INTERNAL_ERROR:
	default:
		return FAIL_INTERNAL;
	}
}

/* Turns an HTTP status other than 2xx into a failure, reporting it. */
static enum failure
status_failure(long status, const char *what, const char *url)
{
	log_error("%s: GET %s: HTTP %ld%s", what, url, status,
	    status == 404 ? " (not found)" : "");
	switch (status) {
	case 404:
		return FAIL_NOT_FOUND;
	case 403:
		log_error("hint: SEC returns 403 for requests whose User-Agent "
		    "does not name a contact; check --user-agent or "
		    "SEC_USER_AGENT (for example %s)", USER_AGENT_EXAMPLE);
		return FAIL_FORBIDDEN;
	case 429:
		return FAIL_RATE_LIMITED;
	default:
		return FAIL_HTTP_ERROR;
	}
}

/*
 * Downloads url.  Returns FAIL_NONE with a 2xx response, or the failure
 * after reporting it, prefixed with what (e.g. "CIK 0000320193").  A
 * max_age_s above 0 returns a cached copy younger than that instead.
 */
static enum failure
download(struct run *run, const char *what, const char *url, long max_age_s,
    struct http_response *response)
{
	char error[1024];
	enum http_result result;
	long status;

	result = http_get_fresh(http_client(run), url, max_age_s, response,
	    error, sizeof error);
	if (result != HTTP_OK)
		return transfer_failure(result, what, error);
	if (response->status >= 200 && response->status <= 299)
		return FAIL_NONE;
	status = response->status;
	http_response_free(response);
	return status_failure(status, what, url);
}

/* Downloads the ticker table from --tickers-url, or takes it from the
 * cache while younger than --tickers-ttl.  A failure is recorded in
 * run->tickers_failure and charged to each ticker later. */
static void
download_tickers(struct run *run)
{
	const char *url = run->settings->tickers_url;
	struct http_response response;
	enum failure failure;

	failure = download(run, "company tickers", url,
	    run->settings->tickers_ttl_s, &response);
	if (failure == FAIL_NONE) {
		if (load_tickers_text(run, response.body, response.length,
		    url) < 0)
			failure = FAIL_BAD_DOCUMENT;
		http_response_free(&response);
	}
	run->tickers_failure = failure;
}

static void
write_record(struct run *run)
{
	if (jsonw_write(&run->writer, stdout) < 0)
		cli_exit_write_error();
}

static const char *
document_name(enum document_kind kind)
{
	switch (kind) {
	case DOC_SUBMISSIONS:
		return "submissions document";
	case DOC_HISTORY_PAGE:
		return "page of older filings";
	case DOC_COMPANYFACTS:
	case DOC_ANY:
	default:
		return "companyfacts document";
	}
}

/* Emits the filings of a column object that passes the filter. */
static enum failure
emit_filings(struct run *run, const cJSON *object, const char *cik,
    const char *source, enum document_kind kind)
{
	const struct sec_filing_filter *filter = &run->settings->filter;
	struct sec_filing_columns columns;
	struct sec_filing filing;
	unsigned long before = run->filings_out;
	char why[256];

	if (sec_filing_columns_open(&columns, object, why, sizeof why) < 0) {
		log_error("%s: not a %s: %s", source, document_name(kind), why);
		return FAIL_BAD_DOCUMENT;
	}
	while (sec_filing_columns_next(&columns, &filing)) {
		switch (sec_filing_check(filter, &filing)) {
		case SEC_FILING_KEEP:
			sec_filing_build(&run->writer, cik, &filing);
			write_record(run);
			run->filings_out++;
			break;
		case SEC_FILING_OTHER_FORM:
			run->filing_skips[FILING_OTHER_FORM]++;
			break;
		case SEC_FILING_OUT_OF_RANGE:
			run->filing_skips[FILING_OUT_OF_RANGE]++;
			break;
		case SEC_FILING_INCOMPLETE:
		default:
			run->filing_skips[FILING_INCOMPLETE]++;
			log_debug("%s: filing %zu of %zu has no accession, form or "
			    "valid filing date", source, columns.row,
			    columns.rows);
			break;
		}
	}
	run->submissions_seen = true;
	log_debug("%s: %lu of %zu filings written", source,
	    run->filings_out - before, columns.rows);
	return FAIL_NONE;
}

static enum failure process_document(struct run *run, const char *text,
    size_t length, const struct origin *origin, enum document_kind kind);

/* Fetches or reads one older page of a filing index and emits it. */
static enum failure
read_history_page(struct run *run, const struct sec_history_page *page,
    const struct origin *origin)
{
	struct origin page_origin = *origin;
	struct http_response response;
	char location[4096], what[64];
	enum failure failure;
	size_t length;
	bool missing;
	char *text;

	page_origin.folder = NULL;
	page_origin.online = false;
	page_origin.source = location;
	if (origin->online) {
		snprintf(what, sizeof what, "CIK %010ld", origin->cik);
		if (snprintf(location, sizeof location, "%s/submissions/%s",
		    run->settings->base_url, page->name) >= (int)sizeof location)
			return FAIL_INTERNAL;
		failure = download(run, what, location, 0, &response);
		if (failure != FAIL_NONE)
			return failure;
		failure = process_document(run, response.body, response.length,
		    &page_origin, DOC_HISTORY_PAGE);
		http_response_free(&response);
		return failure;
	}

	if (snprintf(location, sizeof location, "%s/%s", origin->folder,
	    page->name) >= (int)sizeof location)
		return FAIL_INTERNAL;
	text = read_file(location, &length, &missing);
	if (text == NULL) {
		log_error("%s: older filings page listed in %s", location,
		    origin->source);
		return missing ? FAIL_MISSING_FILE : FAIL_INTERNAL;
	}
	failure = process_document(run, text, length, &page_origin,
	    DOC_HISTORY_PAGE);
	free(text);
	return failure;
}

/*
 * Reads the older pages that filings.files[] lists, skipping those that
 * --since and --until rule out by their date range.  Returns the first
 * failure, after trying every page.
 */
static enum failure
follow_history_pages(struct run *run, const cJSON *root,
    const struct origin *origin)
{
	struct sec_history_page pages[MAX_HISTORY_PAGES];
	enum failure first = FAIL_NONE, failure;
	size_t count;

	count = sec_history_pages(root, pages, MAX_HISTORY_PAGES);
	if (count == 0)
		return FAIL_NONE;
	if (count > MAX_HISTORY_PAGES) {
		log_error("%s: %zu pages of older filings, more than the %d "
		    "this version reads", origin->source, count,
		    MAX_HISTORY_PAGES);
		return FAIL_BAD_DOCUMENT;
	}
	if (!origin->online && origin->folder == NULL) {
		log_warn("%s: %zu pages of older filings not read: documents on "
		    "standard input have no folder to find them in; use "
		    "--bulk-dir", origin->source, count);
		return FAIL_NONE;
	}

	for (size_t i = 0; i < count; i++) {
		if (!sec_history_page_name_valid(pages[i].name)) {
			log_error("%s: invalid name of an older filings page: "
			    "'%s'", origin->source,
			    pages[i].name != NULL ? pages[i].name : "(none)");
			failure = FAIL_BAD_DOCUMENT;
		} else if (!sec_history_page_wanted(&run->settings->filter,
		    &pages[i])) {
			log_debug("%s: %s not read: filed %s to %s, outside "
			    "--since/--until", origin->source, pages[i].name,
			    pages[i].filing_from, pages[i].filing_to);
			run->pages_not_needed++;
			continue;
		} else {
			failure = read_history_page(run, &pages[i], origin);
			if (failure == FAIL_NONE)
				run->pages_read++;
		}
		if (first == FAIL_NONE)
			first = failure;
	}
	return first;
}

/* The CIK of a document, given as a JSON number or string; -1 if none. */
static long
document_cik(const cJSON *root)
{
	return sec_cik_json(cJSON_GetObjectItemCaseSensitive(root, "cik"));
}

static void
warn_other_cik(const struct origin *origin, long cik)
{
	char cik_text[SEC_CIK_TEXT_SIZE];

	sec_cik_format(cik, cik_text);
	if (origin->online && origin->cik != 0 && cik != origin->cik)
		log_warn("%s: the document is for CIK %s, not the requested "
		    "%010ld; its records keep the document's CIK",
		    origin->source, cik_text, origin->cik);
}

static enum failure
emit_companyfacts(struct run *run, const cJSON *root,
    const struct origin *origin)
{
	const cJSON *facts = cJSON_GetObjectItemCaseSensitive(root, "facts");
	unsigned long before = run->facts.out_count;
	char cik_text[SEC_CIK_TEXT_SIZE];
	const char *entity, *ticker = origin->ticker;
	long cik = document_cik(root);

	if (cik < 0 || !cJSON_IsObject(facts)) {
		log_error("%s: not a companyfacts document: %s", origin->source,
		    cik < 0 ? "no valid \"cik\" member" : "no \"facts\" object");
		return FAIL_BAD_DOCUMENT;
	}
	sec_cik_format(cik, cik_text);
	warn_other_cik(origin, cik);
	entity = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(root, "entityName"));
	if (ticker == NULL)
		ticker = sec_ticker_for_cik(&run->tickers, cik);

	sec_facts_write(&run->facts, facts, cik_text, ticker, entity,
	    origin->source);
	log_info("CIK %s (%s): %lu facts", cik_text,
	    entity != NULL ? entity : "no entity name",
	    run->facts.out_count - before);
	return FAIL_NONE;
}

static enum failure
emit_submissions(struct run *run, const cJSON *root,
    const struct origin *origin)
{
	const cJSON *filings = cJSON_GetObjectItemCaseSensitive(root, "filings");
	const cJSON *recent = cJSON_GetObjectItemCaseSensitive(filings, "recent");
	char cik_text[SEC_CIK_TEXT_SIZE];
	struct origin pages_origin = *origin;
	const char *ticker = origin->ticker;
	enum failure failure;
	long cik = document_cik(root);

	if (cik < 0 || !cJSON_IsObject(recent)) {
		log_error("%s: not a submissions document: %s", origin->source,
		    cik < 0 ? "no valid \"cik\" member" :
		    "no \"filings.recent\" object");
		return FAIL_BAD_DOCUMENT;
	}
	sec_cik_format(cik, cik_text);
	warn_other_cik(origin, cik);
	if (ticker == NULL)
		ticker = sec_ticker_for_cik(&run->tickers, cik);

	sec_company_build(&run->writer, root, cik_text, ticker);
	write_record(run);
	run->profiles_out++;

	failure = emit_filings(run, recent, cik_text, origin->source,
	    DOC_SUBMISSIONS);
	if (failure != FAIL_NONE)
		return failure;
	pages_origin.cik = cik;
	return follow_history_pages(run, root, &pages_origin);
}

/* An older page carries no CIK of its own; it comes from the request or
 * from the file name, as in CIK0001318605-submissions-001.json. */
static enum failure
emit_history_page(struct run *run, const cJSON *root,
    const struct origin *origin)
{
	char cik_text[SEC_CIK_TEXT_SIZE];

	if (origin->cik <= 0) {
		log_error("%s: a page of older filings without its company: "
		    "give it as a file named CIK##########-submissions-NNN.json "
		    "or read the folder with --bulk-dir", origin->source);
		return FAIL_BAD_DOCUMENT;
	}
	sec_cik_format(origin->cik, cik_text);
	return emit_filings(run, root, cik_text, origin->source,
	    DOC_HISTORY_PAGE);
}

/* Tells a saved document's kind by its members. */
static enum document_kind
detect_kind(const cJSON *root)
{
	if (cJSON_GetObjectItemCaseSensitive(root, "filings") != NULL &&
	    cJSON_GetObjectItemCaseSensitive(root, "facts") == NULL)
		return DOC_SUBMISSIONS;
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root,
	    "accessionNumber")))
		return DOC_HISTORY_PAGE;
	return DOC_COMPANYFACTS;
}

/*
 * Emits the records of one document: companyfacts, submissions or an
 * older page of a filing index, as kind requires or, for DOC_ANY, as
 * its members show.  Returns FAIL_NONE, or the failure after reporting it.
 */
static enum failure
process_document(struct run *run, const char *text, size_t length,
    const struct origin *origin, enum document_kind kind)
{
	enum failure failure;
	size_t bad_offset;
	cJSON *root;
	long cik;

	if (!utf8_valid(text, length, &bad_offset)) {
		log_error("%s: not a %s: invalid UTF-8 at byte %zu",
		    origin->source, document_name(kind), bad_offset);
		return FAIL_BAD_DOCUMENT;
	}
	root = cJSON_ParseWithLength(text, length);
	if (root == NULL) {
		log_error("%s: not a %s: invalid JSON near byte %ld",
		    origin->source, document_name(kind),
		    (long)(cJSON_GetErrorPtr() - text));
		return FAIL_BAD_DOCUMENT;
	}
	if (kind == DOC_ANY)
		kind = detect_kind(root);

	cik = kind == DOC_HISTORY_PAGE ? origin->cik : document_cik(root);
	if (cik > 0 && !in_shard(run, cik)) {
		log_debug("%s: CIK %010ld belongs to another shard",
		    origin->source, cik);
		run->other_shard++;
		cJSON_Delete(root);
		return FAIL_NONE;
	}

	switch (kind) {
	case DOC_SUBMISSIONS:
		failure = emit_submissions(run, root, origin);
		break;
	case DOC_HISTORY_PAGE:
		failure = emit_history_page(run, root, origin);
		break;
	case DOC_COMPANYFACTS:
	case DOC_ANY:
	default:
		failure = emit_companyfacts(run, root, origin);
		break;
	}
	cJSON_Delete(root);
	return failure;
}

/* Returns the CIK of a file named as SEC names them, "CIK##########..."
 * (other text may follow), or 0. */
static long
cik_of_file_name(const char *path)
{
	const char *name = strrchr(path, '/');
	char digits[11];

	name = name != NULL ? name + 1 : path;
	if (strncmp(name, "CIK", 3) != 0 || strspn(name + 3, "0123456789") < 10)
		return 0;
	memcpy(digits, name + 3, 10);
	digits[10] = '\0';
	return sec_cik_parse(digits) > 0 ? sec_cik_parse(digits) : 0;
}

/* Returns the folder part of a path, in a buffer the caller frees. */
static char *
folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static void
count_result(struct run *run, enum failure failure)
{
	if (failure == FAIL_NONE)
		run->companies_ok++;
	else
		count_failure(run, failure);
}

/*
 * Emits the facts of one filing's XBRL instance document.  The ticker
 * comes from the ticker table when one is loaded, as for companyfacts.
 */
static void
process_instance(struct run *run, const char *path)
{
	const struct settings *s = run->settings;
	unsigned long before = run->instance.out;
	struct sec_instance *instance;
	char why[256];
	size_t length;
	bool missing;
	char *text = read_file(path, &length, &missing);

	if (text == NULL) {
		count_failure(run, missing ? FAIL_MISSING_FILE : FAIL_INTERNAL);
		return;
	}
	instance = sec_instance_parse(text, length, path, why, sizeof why);
	free(text);
	if (instance == NULL) {
		log_error("%s: %s", path, why);
		count_failure(run, FAIL_BAD_DOCUMENT);
		return;
	}
	if (in_shard(run, sec_instance_cik(instance))) {
		sec_instance_write(instance, sec_ticker_for_cik(&run->tickers,
		    sec_instance_cik(instance)), s->accession, s->filed,
		    &run->writer, stdout, &run->instance);
		log_info("%s: CIK %010ld: %lu facts of filing %s", path,
		    sec_instance_cik(instance), run->instance.out - before,
		    s->accession);
	} else {
		run->other_shard++;
	}
	sec_instance_free(instance);
	run->companies_ok++;
}

/* Emits the records of a saved document: path names the file. */
static void
process_file(struct run *run, const char *path)
{
	struct origin origin = { .source = path };
	enum failure failure;
	size_t length;
	bool missing;
	char *text = read_file(path, &length, &missing);

	if (text == NULL) {
		count_failure(run, missing ? FAIL_MISSING_FILE : FAIL_INTERNAL);
		return;
	}
	origin.cik = cik_of_file_name(path);
	origin.folder = folder_of(path);
	if (origin.folder == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	failure = process_document(run, text, length, &origin, DOC_ANY);
	free(text);
	free((char *)origin.folder);
	count_result(run, failure);
}

/*
 * Emits the documents written one after another on standard input.  A
 * document that is not valid JSON is reported and the next one read.
 * A stream that cannot be split into documents any more ends the input.
 */
static void
process_stdin(struct run *run)
{
	struct sec_doc_reader reader;
	struct origin origin = { .source = "stdin" };
	unsigned long long offset;
	char why[256], source[64];
	size_t length;
	char *text;
	int rc;

	progress_start(run, "documents", 0);
	sec_doc_reader_init(&reader, stdin, MAX_DOCUMENT_BYTES);
	while ((rc = sec_doc_next(&reader, &text, &length, &offset, why,
	    sizeof why)) > 0) {
		snprintf(source, sizeof source, "stdin: document at byte %llu",
		    offset);
		origin.source = source;
		count_result(run, process_document(run, text, length, &origin,
		    DOC_ANY));
		progress_step(run);
	}
	if (rc < 0) {
		log_error("stdin: %s", why);
		count_failure(run, FAIL_BAD_DOCUMENT);
	}
	progress_show(run, true);
	sec_doc_reader_free(&reader);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A company's own document in a bulk folder: "CIK##########.json".  Its
 * older pages, "CIK##########-submissions-001.json", are read through
 * the main document that lists them. */
static bool
is_company_file(const char *name)
{
	return strlen(name) == strlen("CIK0000000000.json") &&
	    cik_of_file_name(name) > 0 && strcmp(name + 13, ".json") == 0;
}

/* Lists the company files of a folder, sorted so that runs repeat. */
static char **
list_company_files(struct run *run, const char *folder, size_t *count)
{
	char **names = NULL, **grown;
	size_t n = 0, capacity = 0;
	struct dirent *entry;
	DIR *dir = opendir(folder);

	if (dir == NULL) {
		log_error("%s: %s", folder, strerror(errno));
		exit(errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR);
	}
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		if (!is_company_file(entry->d_name)) {
			if (strstr(entry->d_name, "-submissions-") == NULL) {
				log_debug("%s/%s: not a company file; not read",
				    folder, entry->d_name);
				run->not_company_files++;
			}
			continue;
		}
		if (n == capacity) {
			capacity = capacity == 0 ? 1024 : capacity * 2;
			grown = realloc(names, capacity * sizeof *grown);
			if (grown == NULL)
				goto out_of_memory;
			names = grown;
		}
		names[n] = strdup(entry->d_name);
		if (names[n] == NULL)
			goto out_of_memory;
		n++;
	}
	closedir(dir);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	*count = n;
	return names;

out_of_memory:
	log_error("out of memory");
	exit(EXIT_SOFTWARE);
}

/* Emits every company file of --bulk-dir, one document in memory at a
 * time.  The CIK in the name selects the shard before the file is read. */
static void
process_bulk_dir(struct run *run, const char *folder)
{
	size_t count = 0;
	char **names = list_company_files(run, folder, &count);
	char path[4096];

	log_info("%s: %zu company files", folder, count);
	progress_start(run, "files", count);
	for (size_t i = 0; i < count; i++) {
		struct origin origin = { .source = path, .folder = folder };
		enum failure failure;
		size_t length;
		bool missing;
		char *text;

		snprintf(path, sizeof path, "%s/%s", folder, names[i]);
		origin.cik = cik_of_file_name(names[i]);
		if (!in_shard(run, origin.cik)) {
			run->other_shard++;
		} else if ((text = read_file(path, &length, &missing)) == NULL) {
			count_failure(run, missing ? FAIL_MISSING_FILE :
			    FAIL_INTERNAL);
		} else {
			failure = process_document(run, text, length, &origin,
			    DOC_ANY);
			free(text);
			count_result(run, failure);
		}
		free(names[i]);
		progress_step(run);
	}
	progress_show(run, true);
	free(names);
}

/* Appends text to buf with every byte but letters, digits and "-._~"
 * percent-encoded, for a query parameter such as a form "SC 13D/A". */
static void
append_encoded(char *buf, size_t size, const char *text)
{
	size_t n = strlen(buf);

	for (const unsigned char *p = (const unsigned char *)text;
	    *p != '\0' && n + 4 < size; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			buf[n++] = (char)*p;
		else
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", *p);
	}
	buf[n] = '\0';
}

/* Returns true when form is an amendment whose base form is also in the
 * list: EDGAR's "type" parameter matches by prefix, so the base form's
 * pages already hold it. */
static bool
covered_by_base_form(const struct sec_filing_filter *filter, const char *form)
{
	size_t n = strlen(form);

	if (n < 3 || strcmp(form + n - 2, "/A") != 0)
		return false;
	for (size_t i = 0; i < filter->form_count; i++)
		if (strlen(filter->forms[i]) == n - 2 &&
		    strncmp(filter->forms[i], form, n - 2) == 0)
			return true;
	return false;
}

/*
 * Reads the feed pages of one form, newest first, until a page ends
 * before the date, a page is not full, or MAX_FEED_PAGES were read.
 */
static enum failure
read_feed_form(struct run *run, struct sec_feed *feed, const char *form)
{
	const struct settings *s = run->settings;
	struct http_response response;
	struct sec_feed_page page;
	char url[4096], why[512], what[64];
	enum failure failure;
	int rc;

	snprintf(what, sizeof what, "feed of %s filings", form);
	for (int start = 0; start < MAX_FEED_PAGES * FEED_PAGE_SIZE;
	    start += FEED_PAGE_SIZE) {
		snprintf(url, sizeof url, "%s?action=getcurrent&type=",
		    s->feed_url);
		append_encoded(url, sizeof url, form);
		snprintf(url + strlen(url), sizeof url - strlen(url),
		    "&company=&dateb=&owner=include&start=%d&count=%d"
		    "&output=atom", start, FEED_PAGE_SIZE);

		failure = download(run, what, url, 0, &response);
		if (failure != FAIL_NONE)
			return failure;
		rc = sec_feed_add_page(feed, response.body, response.length, url,
		    &page, why, sizeof why);
		http_response_free(&response);
		if (rc < 0) {
			log_error("%s: %s", url, why);
			return FAIL_BAD_DOCUMENT;
		}
		log_debug("%s: %zu entries, %zu new", url, page.entries,
		    page.added);
		if (page.entries < FEED_PAGE_SIZE ||
		    page.oldest_filed < s->changed_since)
			return FAIL_NONE;
	}
	log_warn("%s: stopped after %d pages; filings older than those may "
	    "be missed, so run more often or use an earlier full run",
	    what, MAX_FEED_PAGES);
	return FAIL_NONE;
}

static void
add_cik(long **ciks, size_t *count, long cik)
{
	long *grown;

	for (size_t i = 0; i < *count; i++)
		if ((*ciks)[i] == cik)
			return;
	grown = realloc(*ciks, (*count + 1) * sizeof *grown);
	if (grown == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	*ciks = grown;
	(*ciks)[(*count)++] = cik;
}

/* Returns true when entry i is the first selected entry of its filing:
 * a filing with co-registrants has one entry per company. */
static bool
first_of_accession(const struct sec_feed *feed, size_t i,
    const struct sec_filing_filter *forms, long since)
{
	long filed;

	for (size_t j = 0; j < i; j++) {
		const struct sec_feed_entry *e = &feed->entries[j];

		if (strcmp(e->accession, feed->entries[i].accession) == 0 &&
		    sec_filing_filter_form(forms, e->form) &&
		    sec_feed_role_is_company(e->role) &&
		    date_parse(e->filed, &filed) && filed >= since)
			return false;
	}
	return true;
}

/*
 * Finds the companies with filings of the selected forms (default
 * 10-K and 10-Q) filed on or after --changed-since in EDGAR's
 * current-filings feed.  Returns their CIKs in feed order (newest
 * first), or NULL with *failure set when the feed could not be read.
 */
static long *
changed_companies(struct run *run, const struct sec_filing_filter *forms,
    size_t *count, enum failure *failure)
{
	struct sec_feed feed = { 0 };
	char since[DATE_TEXT_SIZE];
	long *ciks = NULL, filed;
	size_t filings = 0;

	*count = 0;
	*failure = FAIL_NONE;
	for (size_t i = 0; i < forms->form_count; i++) {
		if (covered_by_base_form(forms, forms->forms[i]))
			continue;
		*failure = read_feed_form(run, &feed, forms->forms[i]);
		if (*failure != FAIL_NONE) {
			sec_feed_free(&feed);
			return NULL;
		}
	}

	for (size_t i = 0; i < feed.count; i++) {
		const struct sec_feed_entry *e = &feed.entries[i];

		if (!sec_filing_filter_form(forms, e->form) ||
		    !sec_feed_role_is_company(e->role) ||
		    !date_parse(e->filed, &filed) ||
		    filed < run->settings->changed_since)
			continue;
		if (first_of_accession(&feed, i, forms, run->settings->changed_since))
			filings++;
		add_cik(&ciks, count, sec_cik_parse(e->cik));
	}
	date_format(run->settings->changed_since, since);
	log_info("feed: %zu entries after %lu repeats (%lu incomplete); %zu "
	    "filings since %s by %zu companies", feed.count, feed.duplicates,
	    feed.incomplete, filings, since, *count);
	sec_feed_free(&feed);
	return ciks;
}

static bool
already_listed(const struct company *companies, size_t count, long cik)
{
	for (size_t i = 0; i < count; i++)
		if (companies[i].cik == cik)
			return true;
	return false;
}

static void
append_company(struct company **companies, size_t *count, long cik,
    const char *ticker)
{
	struct company *grown;

	if (already_listed(*companies, *count, cik))
		return;
	grown = realloc(*companies, (*count + 1) * sizeof *grown);
	if (grown == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	*companies = grown;
	grown[*count].cik = cik;
	grown[*count].ticker = ticker != NULL ? strdup(ticker) : NULL;
	(*count)++;
}

/*
 * Resolves one item of a --ticker list.  Returns its CIK, or -1 after
 * reporting why and counting the failure.
 */
static long
resolve_ticker(struct run *run, const char *ticker,
    const struct sec_ticker_entry **entry)
{
	if (!run->tickers_loaded) {
		log_error("ticker %s: not resolved: the company tickers file "
		    "could not be loaded", ticker);
		count_failure(run, run->tickers_failure != FAIL_NONE ?
		    run->tickers_failure : FAIL_INTERNAL);
		return -1;
	}
	*entry = sec_ticker_find(&run->tickers, ticker);
	if (*entry == NULL) {
		log_error("ticker %s: not found in %s; check the spelling (SEC "
		    "writes class shares with '-', as in BRK-B) or pass --cik",
		    ticker, run->tickers.source);
		count_failure(run, FAIL_UNKNOWN_TICKER);
		return -1;
	}
	return (*entry)->cik;
}

/* Adds the companies of one --cik or --ticker list. */
static void
add_selected(struct run *run, const struct selector *selector,
    struct company **companies, size_t *count)
{
	char *list = strdup(selector->list), *save = NULL, *item;

	if (list == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		const struct sec_ticker_entry *entry = NULL;
		const char *ticker;
		long cik;

		while (isspace((unsigned char)*item))
			item++;
		if (*item == '\0')
			continue;
		if (selector->is_ticker) {
			cik = resolve_ticker(run, item, &entry);
			if (cik < 0)
				continue;
			ticker = entry->ticker;
		} else {
			cik = sec_cik_parse(item);
			if (cik < 0)
				cli_usage_error("invalid CIK '%s': expected 1 to 10 "
				    "digits", item);
			ticker = sec_ticker_for_cik(&run->tickers, cik);
		}
		append_company(companies, count, cik, ticker);
	}
	free(list);
}

/* Keeps the companies for which keep() holds, counting the others. */
static size_t
keep_companies(struct company *companies, size_t count,
    bool (*keep)(const struct run *, long, const void *),
    const struct run *run, const void *context)
{
	size_t kept = 0;

	for (size_t i = 0; i < count; i++) {
		if (keep(run, companies[i].cik, context))
			companies[kept++] = companies[i];
		else
			free(companies[i].ticker);
	}
	return kept;
}

struct cik_set {
	const long *ciks;
	size_t count;
};

static bool
in_cik_set(const struct run *run, long cik, const void *context)
{
	const struct cik_set *set = context;

	(void)run;
	for (size_t i = 0; i < set->count; i++)
		if (set->ciks[i] == cik)
			return true;
	return false;
}

static bool
in_run_shard(const struct run *run, long cik, const void *context)
{
	(void)context;
	return in_shard(run, cik);
}

/*
 * Turns the selection into companies, each CIK once: the --cik and
 * --ticker lists in command-line order, then --all-companies in table
 * order.  --changed-since keeps those with new filings, or takes every
 * company of the feed when nothing else selects.  --shard comes last.
 */
static struct company *
list_companies(struct run *run, const struct sec_filing_filter *feed_forms,
    size_t *count)
{
	const struct settings *s = run->settings;
	struct company *companies = NULL;
	size_t n = 0, before;
	enum failure failure;

	for (size_t i = 0; i < s->selector_count; i++)
		add_selected(run, &s->selectors[i], &companies, &n);
	if (s->all_companies && run->tickers_loaded)
		for (size_t i = 0; i < run->tickers.count; i++)
			append_company(&companies, &n, run->tickers.entries[i].cik,
			    run->tickers.entries[i].ticker);
	else if (s->all_companies)
		count_failure(run, run->tickers_failure != FAIL_NONE ?
		    run->tickers_failure : FAIL_INTERNAL);

	if (s->changed_since != LONG_MIN) {
		struct cik_set changed;
		size_t changed_count;
		long *ciks = changed_companies(run, feed_forms, &changed_count,
		    &failure);

		if (failure != FAIL_NONE)
			count_failure(run, failure);
		changed.ciks = ciks;
		changed.count = changed_count;
		if (s->selector_count > 0 || s->all_companies)
			n = keep_companies(companies, n, in_cik_set, run,
			    &changed);
		else
			for (size_t i = 0; i < changed_count; i++)
				append_company(&companies, &n, ciks[i],
				    sec_ticker_for_cik(&run->tickers, ciks[i]));
		free(ciks);
	}

	before = n;
	n = keep_companies(companies, n, in_run_shard, run, NULL);
	run->other_shard += before - n;
	*count = n;
	return companies;
}

/* Fetches the documents --what names for one company: the profile and
 * filings first, then the facts. */
static void
fetch_company(struct run *run, const struct company *company)
{
	struct http_response response;
	char cik_text[SEC_CIK_TEXT_SIZE], what[64], url[4096];
	struct origin origin = {
		.source = url,
		.cik = company->cik,
		.ticker = company->ticker,
		.online = true,
	};
	static const struct {
		unsigned bit;
		const char *path;
		enum document_kind kind;
	} documents[] = {
		{ WHAT_SUBMISSIONS, "submissions", DOC_SUBMISSIONS },
		{ WHAT_COMPANYFACTS, "api/xbrl/companyfacts",
		    DOC_COMPANYFACTS },
	};
	enum failure first = FAIL_NONE, failure;

	sec_cik_format(company->cik, cik_text);
	snprintf(what, sizeof what, "CIK %s", cik_text);
	for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++) {
		if ((run->settings->what & documents[i].bit) == 0)
			continue;
		if (snprintf(url, sizeof url, "%s/%s/CIK%s.json",
		    run->settings->base_url, documents[i].path, cik_text) >=
		    (int)sizeof url) {
			log_error("%s: --base-url too long", what);
			failure = FAIL_INTERNAL;
		} else if ((failure = download(run, what, url, 0, &response)) ==
		    FAIL_NONE) {
			failure = process_document(run, response.body,
			    response.length, &origin, documents[i].kind);
			http_response_free(&response);
		}
		if (first == FAIL_NONE)
			first = failure;
	}
	count_result(run, first);
}

static void
list_only(const struct company *companies, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (printf("%010ld\t%s\n", companies[i].cik,
		    companies[i].ticker != NULL ? companies[i].ticker : "") < 0)
			cli_exit_write_error();
}

/* Appends " (name count, ...)" for the counts above zero. */
static void
describe_counts(char *buf, size_t size, const char *const *names,
    const unsigned long *counts, int n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		if (counts[i] > 0 && used < size)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s%s %lu", used == 0 ? " (" : ", ", names[i],
			    counts[i]);
	if (used > 0 && used < size - 1)
		strcat(buf, ")");
}

static void
summarize(const struct run *run)
{
	char failed[512], skipped[512], filtered[256], extra[256] = "";
	const char *failure_names[FAIL_COUNT];
	unsigned long facts_skipped = 0, filings_skipped = 0;

	for (int i = 0; i < FAIL_COUNT; i++)
		failure_names[i] = failure_kinds[i].name;
	describe_counts(failed, sizeof failed, failure_names, run->failures,
	    FAIL_COUNT);
	describe_counts(skipped, sizeof skipped, sec_fact_skip_names,
	    run->facts.skipped, SEC_FACT_SKIP_COUNT);
	for (int i = 0; i < SEC_FACT_SKIP_COUNT; i++)
		facts_skipped += run->facts.skipped[i];

	if (run->other_shard > 0 || run->not_company_files > 0)
		snprintf(extra, sizeof extra, "; %lu companies in other shards, "
		    "%lu files not company files", run->other_shard,
		    run->not_company_files);
	log_info("companies: %lu ok, %lu failed%s; facts: %lu out, %lu "
	    "skipped%s%s", run->companies_ok, failed_total(run), failed,
	    run->facts.out_count, facts_skipped, skipped, extra);

	if (run->settings->xbrl_instance != NULL) {
		unsigned long instance_skipped = 0;

		describe_counts(skipped, sizeof skipped, sec_instance_skip_names,
		    run->instance.skipped, SEC_INSTANCE_SKIP_COUNT);
		for (int i = 0; i < SEC_INSTANCE_SKIP_COUNT; i++)
			instance_skipped += run->instance.skipped[i];
		log_info("instance facts: %lu out, %lu skipped%s",
		    run->instance.out, instance_skipped, skipped);
	}
	if (!run->submissions_seen)
		return;
	describe_counts(filtered, sizeof filtered, filing_skip_names,
	    run->filing_skips, FILING_SKIP_COUNT);
	for (int i = 0; i < FILING_SKIP_COUNT; i++)
		filings_skipped += run->filing_skips[i];
	log_info("profiles: %lu out; filings: %lu out, %lu skipped%s; older "
	    "pages: %lu read, %lu outside the dates", run->profiles_out,
	    run->filings_out, filings_skipped, filtered, run->pages_read,
	    run->pages_not_needed);
}

static void
write_metrics(const struct run *run)
{
	struct promfile *pf;
	char labels[64];

	if (run->settings->common.metrics_file == NULL)
		return;
	pf = promfile_new();
	promfile_counter(pf, "corpintel_companies_total",
	    "Companies or saved files processed, by result", "result=\"ok\"",
	    (double)run->companies_ok);
	for (int i = FAIL_NONE + 1; i < FAIL_COUNT; i++) {
		snprintf(labels, sizeof labels, "result=\"%s\"",
		    failure_kinds[i].name);
		promfile_counter(pf, "corpintel_companies_total",
		    "Companies or saved files processed, by result", labels,
		    (double)run->failures[i]);
	}
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records written to standard output", NULL,
	    (double)(run->facts.out_count + run->instance.out +
	    run->profiles_out + run->filings_out));
	promfile_counter(pf, "corpintel_sec_records_total",
	    "Records written, by kind", "kind=\"sec_fact\"",
	    (double)(run->facts.out_count + run->instance.out));
	promfile_counter(pf, "corpintel_sec_records_total",
	    "Records written, by kind", "kind=\"sec_company\"",
	    (double)run->profiles_out);
	promfile_counter(pf, "corpintel_sec_records_total",
	    "Records written, by kind", "kind=\"sec_filing\"",
	    (double)run->filings_out);
	for (int i = 0; i < SEC_FACT_SKIP_COUNT; i++) {
		snprintf(labels, sizeof labels, "reason=\"%s\"",
		    sec_fact_skip_names[i]);
		promfile_counter(pf, "corpintel_skipped_total",
		    "Facts and filings not emitted, by reason", labels,
		    (double)run->facts.skipped[i]);
	}
	for (int i = 0; i < FILING_SKIP_COUNT; i++) {
		snprintf(labels, sizeof labels, "reason=\"%s\"",
		    filing_skip_names[i]);
		promfile_counter(pf, "corpintel_skipped_total",
		    "Facts and filings not emitted, by reason", labels,
		    (double)run->filing_skips[i]);
	}
	promfile_write(pf, run->settings->common.metrics_file);
	promfile_free(pf);
}

static int
exit_status(const struct run *run)
{
	for (size_t p = 0; p < sizeof exit_priority / sizeof exit_priority[0];
	    p++)
		for (int i = FAIL_NONE + 1; i < FAIL_COUNT; i++)
			if (run->failures[i] > 0 &&
			    failure_kinds[i].exit_status == exit_priority[p])
				return exit_priority[p];
	return EXIT_OK;
}

/* The forms whose feed entries count as changes: --form, or 10-K and
 * 10-Q, the forms that bring new financial statements. */
static void
feed_forms(const struct settings *s, struct sec_filing_filter *forms)
{
	char why[256];

	sec_filing_filter_init(forms);
	forms->amendments = s->filter.amendments;
	for (size_t i = 0; i < s->filter.form_count; i++)
		if (sec_filing_filter_add_forms(forms, s->filter.forms[i], why,
		    sizeof why) < 0)
			cli_usage_error("invalid --form: %s", why);
	if (forms->form_count == 0)
		sec_filing_filter_add_forms(forms, DEFAULT_FEED_FORMS, why,
		    sizeof why);
}

static bool
needs_ticker_table(const struct settings *s)
{
	return selects_tickers(s) || s->changed_since != LONG_MIN;
}

int
main(int argc, char **argv)
{
	struct settings settings = {
		.rate = 0,
		.retries = DEFAULT_RETRIES,
		.timeout_s = DEFAULT_TIMEOUT_S,
		.tickers_ttl_s = DEFAULT_TICKERS_TTL_S,
		.changed_since = LONG_MIN,
	};
	struct run run = { .settings = &settings };
	struct sec_filing_filter changed_forms;
	struct company *companies = NULL;
	size_t company_count = 0;
	int status, out_status;

	cli_init(argc, argv);
	sec_filing_filter_init(&settings.filter);
	parse_options(argc, argv, &settings);
	if (settings.user_agent == NULL)
		settings.user_agent = getenv("SEC_USER_AGENT");
	apply_config(&settings, settings.rate > 0);
	check_settings(&settings);
	check_user_agent(&settings);
	run.facts.writer = &run.writer;
	run.facts.out = stdout;
	feed_forms(&settings, &changed_forms);

	if (settings.tickers_file != NULL)
		load_tickers_file(&run, settings.tickers_file);
	else if (needs_ticker_table(&settings))
		download_tickers(&run);
	if (settings.selector_count > 0 || settings.all_companies ||
	    settings.changed_since != LONG_MIN)
		companies = list_companies(&run, &changed_forms, &company_count);

	if (settings.list_only) {
		list_only(companies, company_count);
	} else {
		for (int i = 0; i < settings.file_count; i++) {
			if (strcmp(settings.files[i], "-") == 0)
				process_stdin(&run);
			else
				process_file(&run, settings.files[i]);
		}
		if (settings.xbrl_instance != NULL)
			process_instance(&run, settings.xbrl_instance);
		if (settings.bulk_dir != NULL)
			process_bulk_dir(&run, settings.bulk_dir);
		progress_start(&run, "companies", company_count);
		for (size_t i = 0; i < company_count; i++) {
			fetch_company(&run, &companies[i]);
			progress_step(&run);
		}
		if (company_count > 0)
			progress_show(&run, true);
	}

	summarize(&run);
	write_metrics(&run);
	status = exit_status(&run);

	for (size_t i = 0; i < company_count; i++)
		free(companies[i].ticker);
	free(companies);
	free(settings.selectors);
	sec_filing_filter_free(&settings.filter);
	sec_filing_filter_free(&changed_forms);
	conf_node_free(settings.config);
	sec_tickers_free(&run.tickers);
	jsonw_free(&run.writer);
	http_client_free(run.http);

	out_status = cli_finish_stdout();
	return out_status != EXIT_OK ? out_status : status;
}
