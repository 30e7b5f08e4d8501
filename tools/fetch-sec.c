/*
 * fetch-sec: emits one sec_fact record per XBRL fact of SEC EDGAR's
 * companyfacts documents, downloaded for the companies named by CIK or
 * ticker, or read from saved files.
 *
 * SEC's fair-access policy requires automated clients to declare who
 * they are in the User-Agent, with a contact address, and to send at
 * most 10 requests per second.  fetch-sec enforces both.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "conf.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"
#include "promfile.h"
#include "record.h"

#define DEFAULT_BASE_URL	"https://data.sec.gov"
#define DEFAULT_TICKERS_URL	"https://www.sec.gov/files/company_tickers.json"
#define DEFAULT_RATE		10.0
#define MAX_RATE		10.0	/* SEC's fair-access limit */
#define DEFAULT_RETRIES		4
#define MAX_RETRIES		20
#define DEFAULT_TIMEOUT_S	60.0
#define MAX_CIK			9999999999L
#define CIK_TEXT_SIZE		21	/* ten digits, sized for any long */
#define USER_AGENT_EXAMPLE	"SEC_USER_AGENT='Jane Analyst jane@example.com'"

enum {
	OPT_CIK = CLI_OPT_TOOL_FIRST,
	OPT_TICKER,
	OPT_TICKERS_FILE,
	OPT_TICKERS_URL,
	OPT_BASE_URL,
	OPT_USER_AGENT,
	OPT_RATE,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_RETRIES,
	OPT_TIMEOUT,
};

/* Reasons for not emitting a fact. */
enum skip_reason {
	SKIP_NON_NUMERIC_VALUE,
	SKIP_MISSING_END,
	SKIP_MISSING_ACCN,
	SKIP_MISSING_FILED,
	SKIP_NOT_AN_OBJECT,
	SKIP_REASON_COUNT,
};

static const char *const skip_names[SKIP_REASON_COUNT] = {
	"non-numeric-value", "missing-end", "missing-accn", "missing-filed",
	"not-an-object",
};

/* Reasons for a company (or a saved file) without facts, each with the
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

/* A company to fetch, from --cik or --ticker. */
struct company {
	long cik;
	char *ticker;		/* NULL when unknown */
};

struct ticker_entry {
	long cik;
	char *ticker;
};

struct ticker_table {
	struct ticker_entry *entries;
	size_t count;
	char *source;		/* file or URL, for messages */
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
	const char *tickers_file;
	const char *tickers_url;
	const char *base_url;
	const char *user_agent;
	const char *cache_dir;
	double rate;
	int retries;
	double timeout_s;
	bool offline;
	char **files;
	int file_count;
	struct conf_node *config;	/* --config; settings point into it */
};

struct run {
	struct settings *settings;
	struct http_client *http;
	struct ticker_table tickers;
	bool tickers_loaded;
	enum failure tickers_failure;	/* why the download failed */
	struct jsonw writer;
	unsigned long companies_ok;
	unsigned long failures[FAIL_COUNT];
	unsigned long facts_out;
	unsigned long skipped[SKIP_REASON_COUNT];
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: fetch-sec [--cik LIST] [--ticker LIST] [--tickers-file FILE]\n"
"                 [--user-agent TEXT] [--base-url URL] [--tickers-url URL]\n"
"                 [--rate N] [--retries N] [--timeout SECONDS]\n"
"                 [--cache-dir DIR] [--offline] [FILE ...]\n"
"\n"
"Write one sec_fact record (NDJSON) per XBRL fact of SEC EDGAR's\n"
"companyfacts documents: downloaded for each CIK or ticker, or read from\n"
"saved FILEs without network.  Requests to SEC need a User-Agent that\n"
"names you and a contact e-mail address, and are sent at most 10 a second.\n"
"\n"
"Options:\n"
"      --cik=LIST           companies by CIK, comma-separated (repeatable)\n"
"      --ticker=LIST        companies by ticker, comma-separated (repeatable)\n"
"      --tickers-file=FILE  ticker/CIK table (company_tickers.json or\n"
"                           company_tickers_exchange.json format)\n"
"      --tickers-url=URL    where to download the table when tickers are\n"
"                           given without --tickers-file\n"
"                           (default " DEFAULT_TICKERS_URL ")\n"
"      --base-url=URL       companyfacts host (default " DEFAULT_BASE_URL ")\n"
"      --user-agent=TEXT    User-Agent with a contact e-mail address\n"
"                           (default: $SEC_USER_AGENT)\n"
"      --rate=N             at most N requests per second (default 10, max 10)\n"
"      --retries=N          retries on 429, 5xx and network errors (default 4)\n"
"      --timeout=SECONDS    limit for one transfer (default 60)\n"
"      --cache-dir=DIR      keep every downloaded document in DIR\n"
"      --offline            read documents from --cache-dir only, no network\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 a document that is not companyfacts or an\n"
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

static void
parse_options(int argc, char **argv, struct settings *s)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "cik", required_argument, NULL, OPT_CIK },
		{ "ticker", required_argument, NULL, OPT_TICKER },
		{ "tickers-file", required_argument, NULL, OPT_TICKERS_FILE },
		{ "tickers-url", required_argument, NULL, OPT_TICKERS_URL },
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "user-agent", required_argument, NULL, OPT_USER_AGENT },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
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
		case OPT_BASE_URL: s->base_url = optarg; break;
		case OPT_USER_AGENT: s->user_agent = optarg; break;
		case OPT_RATE: s->rate = parse_rate(optarg); break;
		case OPT_CACHE_DIR: s->cache_dir = optarg; break;
		case OPT_OFFLINE: s->offline = true; break;
		case OPT_RETRIES: s->retries = parse_retries(optarg); break;
		case OPT_TIMEOUT:
			s->timeout_s = parse_positive("--timeout", optarg);
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
 * --config file, which may carry user-agent, base-url, cache-dir and
 * rate.  Other keys belong to other tools sharing the file and are
 * ignored.
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

	if (!s->offline && s->selector_count > 0 &&
	    is_network_url(s->base_url))
		needs_network = true;
	if (!s->offline && selects_tickers(s) && s->tickers_file == NULL &&
	    is_network_url(s->tickers_url))
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

/* Formats a CIK as SEC spells it in file names and URLs: ten digits. */
static void
format_cik(long cik, char text[CIK_TEXT_SIZE])
{
	snprintf(text, CIK_TEXT_SIZE, "%010ld", cik);
}

/* Parses a CIK given as digits, with an optional "CIK" prefix as in SEC's
 * file names.  Returns -1 when text is not a CIK. */
static long
parse_cik_text(const char *text)
{
	char *end;
	long cik;

	if (strncasecmp(text, "CIK", 3) == 0)
		text += 3;
	if (!isdigit((unsigned char)*text) || strlen(text) > 10)
		return -1;
	errno = 0;
	cik = strtol(text, &end, 10);
	if (*end != '\0' || errno != 0 || cik <= 0 || cik > MAX_CIK)
		return -1;
	return cik;
}

/* Reads a CIK from a JSON number or string member, as SEC documents carry
 * either.  Returns -1 when absent or invalid. */
static long
json_cik(const cJSON *item)
{
	if (cJSON_IsNumber(item)) {
		double v = item->valuedouble;

		if (v >= 1 && v <= (double)MAX_CIK && v == floor(v))
			return (long)v;
		return -1;
	}
	if (cJSON_IsString(item))
		return parse_cik_text(item->valuestring);
	return -1;
}

static void
free_tickers(struct ticker_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		free(table->entries[i].ticker);
	free(table->entries);
	free(table->source);
	memset(table, 0, sizeof *table);
}

static int
add_ticker(struct ticker_table *table, const cJSON *cik_item,
    const cJSON *ticker_item)
{
	struct ticker_entry *grown;
	long cik = json_cik(cik_item);

	if (cik < 0 || !cJSON_IsString(ticker_item))
		return 0;
	grown = realloc(table->entries, (table->count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	table->entries = grown;
	grown[table->count].cik = cik;
	grown[table->count].ticker = strdup(ticker_item->valuestring);
	if (grown[table->count].ticker == NULL)
		return -1;
	table->count++;
	return 0;
}

static int
field_index(const cJSON *fields, const char *name)
{
	int i = 0;
	const cJSON *field;

	cJSON_ArrayForEach(field, fields) {
		if (cJSON_IsString(field) && strcmp(field->valuestring, name) == 0)
			return i;
		i++;
	}
	return -1;
}

/*
 * Fills the table from SEC's company_tickers.json,
 * {"0":{"cik_str":320193,"ticker":"AAPL","title":"Apple Inc."},...},
 * or company_tickers_exchange.json, {"fields":["cik","name","ticker",
 * "exchange"],"data":[[320193,"Apple Inc.","AAPL","Nasdaq"],...]}.
 * Returns 0, or -1 with the reason in why.
 */
static int
parse_tickers(struct ticker_table *table, const cJSON *root, char *why,
    size_t why_size)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const cJSON *item;

	if (!cJSON_IsObject(root)) {
		snprintf(why, why_size, "not a JSON object");
		return -1;
	}
	if (cJSON_IsArray(fields) && cJSON_IsArray(data)) {
		int cik_at = field_index(fields, "cik");
		int ticker_at = field_index(fields, "ticker");

		if (cik_at < 0 || ticker_at < 0) {
			snprintf(why, why_size,
			    "\"fields\" lacks \"cik\" or \"ticker\"");
			return -1;
		}
		cJSON_ArrayForEach(item, data)
			if (add_ticker(table, cJSON_GetArrayItem(item, cik_at),
			    cJSON_GetArrayItem(item, ticker_at)) < 0)
				goto out_of_memory;
		return 0;
	}
	cJSON_ArrayForEach(item, root) {
		const cJSON *cik = cJSON_GetObjectItemCaseSensitive(item,
		    "cik_str");

		if (cik == NULL) {
			snprintf(why, why_size, "member \"%s\" has no \"cik_str\"",
			    item->string);
			return -1;
		}
		if (add_ticker(table, cik,
		    cJSON_GetObjectItemCaseSensitive(item, "ticker")) < 0)
			goto out_of_memory;
	}
	return 0;

out_of_memory:
	snprintf(why, why_size, "out of memory");
	return -1;
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
	rc = parse_tickers(&run->tickers, root, why, sizeof why);
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

/*
 * Downloads url.  Returns FAIL_NONE with a 2xx response, or the failure
 * after reporting it, prefixed with what (e.g. "CIK 0000320193").
 */
static enum failure
download(struct run *run, const char *what, const char *url,
    struct http_response *response)
{
	char error[1024];
	enum http_result result;
	long status;

	result = http_get(http_client(run), url, response, error, sizeof error);
	switch (result) {
	case HTTP_OK:
		break;
	case HTTP_NETWORK_ERROR:
		log_error("%s: %s", what, error);
		return FAIL_NETWORK;
	case HTTP_TOO_LARGE:
		log_error("%s: %s", what, error);
		return FAIL_TOO_LARGE;
	case HTTP_NOT_CACHED:
		log_error("%s: %s", what, error);
		return FAIL_NOT_CACHED;
	case HTTP_INTERNAL_ERROR:
	default:
		log_error("%s: %s", what, error);
		return FAIL_INTERNAL;
	}

	if (response->status >= 200 && response->status <= 299)
		return FAIL_NONE;
	status = response->status;
	http_response_free(response);
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

/* Downloads the ticker table from --tickers-url.  A failure is recorded
 * in run->tickers_failure and charged to each ticker later. */
static void
download_tickers(struct run *run)
{
	const char *url = run->settings->tickers_url;
	struct http_response response;
	enum failure failure;

	failure = download(run, "company tickers", url, &response);
	if (failure == FAIL_NONE) {
		if (load_tickers_text(run, response.body, response.length,
		    url) < 0)
			failure = FAIL_BAD_DOCUMENT;
		http_response_free(&response);
	}
	run->tickers_failure = failure;
}

static const char *
ticker_for_cik(const struct run *run, long cik)
{
	for (size_t i = 0; i < run->tickers.count; i++)
		if (run->tickers.entries[i].cik == cik)
			return run->tickers.entries[i].ticker;
	return NULL;
}

static const struct ticker_entry *
find_ticker(const struct run *run, const char *ticker)
{
	for (size_t i = 0; i < run->tickers.count; i++)
		if (strcasecmp(run->tickers.entries[i].ticker, ticker) == 0)
			return &run->tickers.entries[i];
	return NULL;
}

static void
emit_fact(struct run *run, const char *cik, const char *ticker,
    const char *entity, const char *taxonomy, const char *concept,
    const char *unit, const cJSON *fact)
{
	struct jsonw *w = &run->writer;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(fact, "val");
	const cJSON *end = cJSON_GetObjectItemCaseSensitive(fact, "end");
	const cJSON *accn = cJSON_GetObjectItemCaseSensitive(fact, "accn");
	const cJSON *filed = cJSON_GetObjectItemCaseSensitive(fact, "filed");
	const char *start = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "start"));
	const cJSON *fy = cJSON_GetObjectItemCaseSensitive(fact, "fy");
	const char *fp = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "fp"));
	const char *form = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "form"));
	const char *frame = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "frame"));
	enum skip_reason skip = SKIP_REASON_COUNT;

	/* A number beyond the range of a double parses as infinity; it is no
	 * more usable than a string. */
	if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
		skip = SKIP_NON_NUMERIC_VALUE;
	else if (!cJSON_IsString(end))
		skip = SKIP_MISSING_END;
	else if (!cJSON_IsString(accn))
		skip = SKIP_MISSING_ACCN;
	else if (!cJSON_IsString(filed))
		skip = SKIP_MISSING_FILED;
	if (skip != SKIP_REASON_COUNT) {
		run->skipped[skip]++;
		log_debug("CIK %s: %s:%s %s: fact skipped: %s", cik, taxonomy,
		    concept, unit, skip_names[skip]);
		return;
	}

	jsonw_begin(w);
	jsonw_string(w, "kind", "sec_fact");
	jsonw_string(w, "cik", cik);
	if (ticker != NULL)
		jsonw_string(w, "ticker", ticker);
	else
		jsonw_null(w, "ticker");
	if (entity != NULL)
		jsonw_string(w, "entity", entity);
	else
		jsonw_null(w, "entity");
	jsonw_string(w, "taxonomy", taxonomy);
	jsonw_string(w, "concept", concept);
	jsonw_string(w, "unit", unit);
	jsonw_number(w, "value", value->valuedouble);
	if (start != NULL)
		jsonw_string(w, "start", start);
	else
		jsonw_null(w, "start");
	jsonw_string(w, "end", end->valuestring);
	/* fy is a year; anything else there is not one and stays absent. */
	if (cJSON_IsNumber(fy) && fy->valuedouble == floor(fy->valuedouble) &&
	    fabs(fy->valuedouble) < 1e6)
		jsonw_int(w, "fy", (long long)fy->valuedouble);
	else
		jsonw_null(w, "fy");
	if (fp != NULL)
		jsonw_string(w, "fp", fp);
	else
		jsonw_null(w, "fp");
	if (form != NULL)
		jsonw_string(w, "form", form);
	else
		jsonw_null(w, "form");
	jsonw_string(w, "filed", filed->valuestring);
	jsonw_string(w, "accn", accn->valuestring);
	if (frame != NULL)
		jsonw_string(w, "frame", frame);
	else
		jsonw_null(w, "frame");
	jsonw_end(w);
	if (jsonw_write(w, stdout) < 0)
		cli_exit_write_error();
	run->facts_out++;
}

/*
 * Emits the facts of one concept: "units" maps each unit to an array of
 * facts.  A concept without units carries no fact, so it is only noted.
 */
static void
emit_concept(struct run *run, const char *cik, const char *ticker,
    const char *entity, const char *taxonomy, const cJSON *concept)
{
	const cJSON *units = cJSON_GetObjectItemCaseSensitive(concept, "units");
	const cJSON *unit, *fact;

	if (!cJSON_IsObject(units)) {
		log_warn("CIK %s: %s:%s has no \"units\" object", cik, taxonomy,
		    concept->string);
		return;
	}
	cJSON_ArrayForEach(unit, units) {
		if (!cJSON_IsArray(unit)) {
			log_warn("CIK %s: %s:%s unit %s is not an array of facts",
			    cik, taxonomy, concept->string, unit->string);
			continue;
		}
		cJSON_ArrayForEach(fact, unit) {
			if (!cJSON_IsObject(fact)) {
				run->skipped[SKIP_NOT_AN_OBJECT]++;
				continue;
			}
			emit_fact(run, cik, ticker, entity, taxonomy,
			    concept->string, unit->string, fact);
		}
	}
}

/*
 * Emits every fact of a companyfacts document, in document order:
 * taxonomy, concept, unit, fact.  ticker may be NULL, in which case the
 * ticker table (if any) names it.  requested_cik is the CIK in the URL,
 * or 0 for a saved file.  Returns FAIL_NONE or FAIL_BAD_DOCUMENT after
 * reporting the problem.
 */
static enum failure
emit_document(struct run *run, const char *text, size_t length,
    const char *source, long requested_cik, const char *ticker)
{
	unsigned long before = run->facts_out;
	const cJSON *facts, *taxonomy, *concept;
	char cik_text[CIK_TEXT_SIZE];
	const char *entity;
	size_t bad_offset;
	cJSON *root;
	long cik;

	if (!utf8_valid(text, length, &bad_offset)) {
		log_error("%s: not a companyfacts document: invalid UTF-8 at "
		    "byte %zu", source, bad_offset);
		return FAIL_BAD_DOCUMENT;
	}
	root = cJSON_ParseWithLength(text, length);
	if (root == NULL) {
		log_error("%s: not a companyfacts document: invalid JSON near "
		    "byte %ld", source, (long)(cJSON_GetErrorPtr() - text));
		return FAIL_BAD_DOCUMENT;
	}
	cik = json_cik(cJSON_GetObjectItemCaseSensitive(root, "cik"));
	facts = cJSON_GetObjectItemCaseSensitive(root, "facts");
	if (cik < 0 || !cJSON_IsObject(facts)) {
		log_error("%s: not a companyfacts document: %s", source,
		    cik < 0 ? "no valid \"cik\" member" : "no \"facts\" object");
		cJSON_Delete(root);
		return FAIL_BAD_DOCUMENT;
	}
	format_cik(cik, cik_text);
	if (requested_cik != 0 && cik != requested_cik)
		log_warn("%s: the document is for CIK %s, not the requested "
		    "%010ld; its facts keep the document's CIK", source, cik_text,
		    requested_cik);
	entity = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(root, "entityName"));
	if (ticker == NULL)
		ticker = ticker_for_cik(run, cik);

	cJSON_ArrayForEach(taxonomy, facts) {
		if (!cJSON_IsObject(taxonomy)) {
			log_warn("%s: taxonomy %s is not an object", source,
			    taxonomy->string);
			continue;
		}
		cJSON_ArrayForEach(concept, taxonomy)
			emit_concept(run, cik_text, ticker, entity,
			    taxonomy->string, concept);
	}

	log_info("CIK %s (%s): %lu facts", cik_text,
	    entity != NULL ? entity : "no entity name", run->facts_out - before);
	cJSON_Delete(root);
	return FAIL_NONE;
}

static void
process_file(struct run *run, const char *path)
{
	enum failure failure;
	size_t length;
	bool missing;
	char *text = read_file(path, &length, &missing);

	if (text == NULL) {
		count_failure(run, missing ? FAIL_MISSING_FILE : FAIL_INTERNAL);
		return;
	}
	failure = emit_document(run, text, length, path, 0, NULL);
	free(text);
	if (failure == FAIL_NONE)
		run->companies_ok++;
	else
		count_failure(run, failure);
}

static void
process_company(struct run *run, const struct company *company)
{
	struct http_response response;
	char cik_text[CIK_TEXT_SIZE], what[64], url[4096];
	enum failure failure;

	format_cik(company->cik, cik_text);
	snprintf(what, sizeof what, "CIK %s", cik_text);
	if (snprintf(url, sizeof url, "%s/api/xbrl/companyfacts/CIK%s.json",
	    run->settings->base_url, cik_text) >= (int)sizeof url) {
		log_error("%s: --base-url too long", what);
		count_failure(run, FAIL_INTERNAL);
		return;
	}

	failure = download(run, what, url, &response);
	if (failure == FAIL_NONE) {
		failure = emit_document(run, response.body, response.length, url,
		    company->cik, company->ticker);
		http_response_free(&response);
	}
	if (failure == FAIL_NONE)
		run->companies_ok++;
	else
		count_failure(run, failure);
}

static bool
already_listed(const struct company *companies, size_t count, long cik)
{
	for (size_t i = 0; i < count; i++)
		if (companies[i].cik == cik)
			return true;
	return false;
}

/*
 * Resolves one item of a --ticker list.  Returns its CIK, or -1 after
 * reporting why and counting the failure.
 */
static long
resolve_ticker(struct run *run, const char *ticker,
    const struct ticker_entry **entry)
{
	if (!run->tickers_loaded) {
		log_error("ticker %s: not resolved: the company tickers file "
		    "could not be loaded", ticker);
		count_failure(run, run->tickers_failure != FAIL_NONE ?
		    run->tickers_failure : FAIL_INTERNAL);
		return -1;
	}
	*entry = find_ticker(run, ticker);
	if (*entry == NULL) {
		log_error("ticker %s: not found in %s; check the spelling (SEC "
		    "writes class shares with '-', as in BRK-B) or pass --cik",
		    ticker, run->tickers.source);
		count_failure(run, FAIL_UNKNOWN_TICKER);
		return -1;
	}
	return (*entry)->cik;
}

/* Turns the --cik and --ticker lists into companies, each CIK once, in
 * command-line order. */
static struct company *
list_companies(struct run *run, size_t *count)
{
	const struct settings *s = run->settings;
	struct company *companies = NULL, *grown;
	size_t n = 0;

	for (size_t i = 0; i < s->selector_count; i++) {
		char *list = strdup(s->selectors[i].list), *save = NULL, *item;

		if (list == NULL)
			goto out_of_memory;
		for (item = strtok_r(list, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save)) {
			const struct ticker_entry *entry = NULL;
			const char *ticker;
			long cik;

			while (isspace((unsigned char)*item))
				item++;
			if (*item == '\0')
				continue;
			if (s->selectors[i].is_ticker) {
				cik = resolve_ticker(run, item, &entry);
				if (cik < 0)
					continue;
				ticker = entry->ticker;
			} else {
				cik = parse_cik_text(item);
				if (cik < 0)
					cli_usage_error("invalid CIK '%s': expected "
					    "1 to 10 digits", item);
				ticker = ticker_for_cik(run, cik);
			}
			if (already_listed(companies, n, cik))
				continue;
			grown = realloc(companies, (n + 1) * sizeof *grown);
			if (grown == NULL) {
				free(list);
				goto out_of_memory;
			}
			companies = grown;
			companies[n].cik = cik;
			companies[n].ticker = ticker != NULL ? strdup(ticker) : NULL;
			n++;
		}
		free(list);
	}
	*count = n;
	return companies;

out_of_memory:
	log_error("out of memory");
	exit(EXIT_SOFTWARE);
}

static void
summarize(const struct run *run)
{
	char failed[512] = "", skipped[512] = "";
	unsigned long skipped_total = 0;
	size_t used = 0;

	for (int i = FAIL_NONE + 1; i < FAIL_COUNT; i++)
		if (run->failures[i] > 0 && used < sizeof failed)
			used += (size_t)snprintf(failed + used, sizeof failed - used,
			    "%s%s %lu", used == 0 ? " (" : ", ",
			    failure_kinds[i].name, run->failures[i]);
	if (used > 0 && used < sizeof failed - 1)
		strcat(failed, ")");

	used = 0;
	for (int i = 0; i < SKIP_REASON_COUNT; i++) {
		skipped_total += run->skipped[i];
		if (run->skipped[i] > 0 && used < sizeof skipped)
			used += (size_t)snprintf(skipped + used,
			    sizeof skipped - used, "%s%s %lu",
			    used == 0 ? " (" : ", ", skip_names[i],
			    run->skipped[i]);
	}
	if (used > 0 && used < sizeof skipped - 1)
		strcat(skipped, ")");

	log_info("companies: %lu ok, %lu failed%s; facts: %lu out, %lu "
	    "skipped%s", run->companies_ok, failed_total(run), failed,
	    run->facts_out, skipped_total, skipped);
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
	    (double)run->facts_out);
	for (int i = 0; i < SKIP_REASON_COUNT; i++) {
		snprintf(labels, sizeof labels, "reason=\"%s\"", skip_names[i]);
		promfile_counter(pf, "corpintel_skipped_total",
		    "Facts not emitted, by reason", labels,
		    (double)run->skipped[i]);
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

int
main(int argc, char **argv)
{
	struct settings settings = {
		.rate = 0,
		.retries = DEFAULT_RETRIES,
		.timeout_s = DEFAULT_TIMEOUT_S,
	};
	struct run run = { .settings = &settings };
	struct company *companies;
	size_t company_count = 0;
	int status, out_status;

	cli_init(argc, argv);
	parse_options(argc, argv, &settings);
	if (settings.user_agent == NULL)
		settings.user_agent = getenv("SEC_USER_AGENT");
	apply_config(&settings, settings.rate > 0);
	if (settings.rate == 0)
		settings.rate = DEFAULT_RATE;
	if (settings.base_url == NULL)
		settings.base_url = DEFAULT_BASE_URL;
	if (settings.tickers_url == NULL)
		settings.tickers_url = DEFAULT_TICKERS_URL;
	if (settings.selector_count == 0 && settings.file_count == 0)
		cli_usage_error("nothing to fetch: give --cik, --ticker or a "
		    "saved companyfacts FILE");
	if (settings.offline && settings.cache_dir == NULL &&
	    settings.selector_count > 0)
		cli_usage_error("--offline needs --cache-dir: it reads documents "
		    "saved by an earlier run");
	check_user_agent(&settings);

	if (settings.tickers_file != NULL)
		load_tickers_file(&run, settings.tickers_file);
	else if (selects_tickers(&settings))
		download_tickers(&run);
	companies = list_companies(&run, &company_count);

	for (int i = 0; i < settings.file_count; i++)
		process_file(&run, settings.files[i]);
	for (size_t i = 0; i < company_count; i++)
		process_company(&run, &companies[i]);

	summarize(&run);
	write_metrics(&run);
	status = exit_status(&run);

	for (size_t i = 0; i < company_count; i++)
		free(companies[i].ticker);
	free(companies);
	free(settings.selectors);
	conf_node_free(settings.config);
	free_tickers(&run.tickers);
	jsonw_free(&run.writer);
	http_client_free(run.http);

	out_status = cli_finish_stdout();
	return out_status != EXIT_OK ? out_status : status;
}
