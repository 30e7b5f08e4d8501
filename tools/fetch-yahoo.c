/*
 * fetch-yahoo: download price bars, corporate actions, fundamentals and
 * valuation figures from Yahoo Finance, or read saved responses, and
 * write yahoo_bar, yahoo_event, yahoo_fundamental and yahoo_quote
 * records.
 *
 * Three endpoints: v8 chart (bars and events), the fundamentals time
 * series, and quoteSummary, which wants a session cookie and a crumb
 * token.  The crumb is fetched once per run, and once more when Yahoo
 * rejects it.  The reading of each response is in lib/yahoo*.c.
 *
 * An error from Yahoo for one symbol is reported once and the run goes
 * on with the next; the exit status shows that some failed.
 *
 * With --jobs N, N worker threads fetch N symbols at the same time,
 * each with its own HTTP client.  The clients share one rate limit of
 * --rate requests per second, the session cookie and the crumb.  Each
 * worker writes a symbol's records to a buffer, and the main thread
 * copies the buffers to standard output in the order of the symbols, so
 * that the output is the same whatever the number of jobs.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "date.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"
#include "ndjson.h"
#include "promfile.h"
#include "record.h"
#include "universe.h"
#include "yahoo.h"

#define DEFAULT_BASE_URL "https://query1.finance.yahoo.com"
/* Yahoo's cookie page returns 404 but sets the session cookie. */
#define DEFAULT_COOKIE_URL "https://fc.yahoo.com/"
#define DEFAULT_RANGE "1mo"
#define DEFAULT_MODULES \
	"price,summaryDetail,defaultKeyStatistics,financialData," \
	"assetProfile,quoteType"
/* The series normalize maps onto the metric vocabulary. */
#define DEFAULT_TYPES \
	"quarterlyTotalRevenue,annualTotalRevenue,trailingTotalRevenue," \
	"quarterlyCostOfRevenue,annualCostOfRevenue," \
	"quarterlyGrossProfit,annualGrossProfit," \
	"quarterlyOperatingIncome,annualOperatingIncome," \
	"quarterlyNetIncome,annualNetIncome,trailingNetIncome," \
	"quarterlyDilutedEPS,annualDilutedEPS," \
	"quarterlyOperatingCashFlow,annualOperatingCashFlow," \
	"quarterlyFreeCashFlow,annualFreeCashFlow,trailingFreeCashFlow," \
	"quarterlyTotalAssets,annualTotalAssets," \
	"quarterlyTotalLiabilitiesNetMinorityInterest," \
	"annualTotalLiabilitiesNetMinorityInterest," \
	"quarterlyStockholdersEquity,annualStockholdersEquity," \
	"quarterlyCashAndCashEquivalents,annualCashAndCashEquivalents," \
	"quarterlyOrdinarySharesNumber,annualOrdinarySharesNumber"
/* Without --start, the time series from this day: before any history
 * Yahoo keeps, so that the request stays the same from day to day. */
#define FUNDAMENTALS_EPOCH "2000-01-01"
#define MAX_SYMBOL_LENGTH 32
#define MAX_CRUMB_LENGTH 64
#define URL_SIZE 8192
/* More parallel requests would not be polite to Yahoo, and the rate
 * limit, not the number of jobs, sets the pace beyond a few. */
#define MAX_JOBS 8
/* A worker takes a symbol at most this many times --jobs ahead of the
 * output, so that one slow symbol does not make the records of all the
 * others pile up in memory. */
#define JOBS_AHEAD 4
/* Saved responses are read whole, up to this size.  A 13-year daily
 * history takes about 370 kB. */
#define MAX_INPUT_BYTES (256u * 1024 * 1024)

enum {
	OPT_TICKERS = CLI_OPT_TOOL_FIRST,
	OPT_TICKERS_FILE,
	OPT_UNIVERSE,
	OPT_INPUT,
	OPT_DATA,
	OPT_BASE_URL,
	OPT_COOKIE_URL,
	OPT_RANGE,
	OPT_START,
	OPT_END,
	OPT_INTERVAL,
	OPT_TYPES,
	OPT_MODULES,
	OPT_USER_AGENT,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_RATE,
	OPT_RETRIES,
	OPT_TIMEOUT,
	OPT_MAX_RESPONSE_BYTES,
	OPT_JOBS,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "tickers", required_argument, NULL, OPT_TICKERS },
	{ "tickers-file", required_argument, NULL, OPT_TICKERS_FILE },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "cookie-url", required_argument, NULL, OPT_COOKIE_URL },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "start", required_argument, NULL, OPT_START },
	{ "end", required_argument, NULL, OPT_END },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "types", required_argument, NULL, OPT_TYPES },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "user-agent", required_argument, NULL, OPT_USER_AGENT },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-response-bytes", required_argument, NULL,
	    OPT_MAX_RESPONSE_BYTES },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ NULL, 0, NULL, 0 },
};

/* The ranges the chart endpoint accepts. */
static const char *const valid_ranges[] = {
	"1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max",
	NULL,
};

static const char *const valid_intervals[] = { "1d", "1wk", "1mo", NULL };

/* The data kinds --data selects, in the order of the requests per symbol. */
enum endpoint {
	ENDPOINT_CHART,
	ENDPOINT_FUNDAMENTALS,
	ENDPOINT_QUOTE,
	ENDPOINT_COUNT,
};

static const char *const endpoint_names[ENDPOINT_COUNT] = {
	"chart", "fundamentals", "quote",
};

struct list {
	char **items;
	size_t count;
};

struct options {
	struct cli_common common;
	struct list symbols;
	struct list inputs;
	struct list tickers_files;
	const char *universe;
	bool want[ENDPOINT_COUNT];
	const char *base_url;
	const char *cookie_url;
	const char *range;
	const char *start;
	const char *end;
	long start_days;
	long end_days;
	const char *interval;
	const char *types;
	const char *modules;
	const char *user_agent;
	const char *cache_dir;
	bool offline;
	double rate;
	int retries;
	long timeout_s;
	size_t max_response_bytes;
	int jobs;
};

/* sources = symbols + saved files = ok + failed. */
struct counts {
	unsigned long sources;
	unsigned long failed;
	unsigned long temporary;	/* of failed: 429 after the retries */
	unsigned long bad_lines;	/* ticker lines that named no symbol */
	struct yahoo_counts out;
};

/* The quoteSummary session: the cookie lives in the cookie store the
 * HTTP clients share, the crumb here, for every worker. */
struct session {
	pthread_mutex_t lock;		/* guards the members below */
	bool open;
	bool broken;			/* the handshake failed this run */
	unsigned long generation;	/* crumbs fetched so far */
	char crumb[MAX_CRUMB_LENGTH + 1];
};

/* One symbol: its records, gathered while other symbols are fetched,
 * and its counts. */
struct job {
	const char *symbol;
	char *records;
	size_t length;
	struct counts counts;
	bool done;			/* records and counts are final */
};

/* The state the workers and the main thread share. */
struct run {
	const struct options *opt;
	struct session session;
	/* Dating a response switches the process's time zone (lib/yahoo.c),
	 * so responses are read one at a time. */
	pthread_mutex_t response_lock;
	pthread_mutex_t lock;		/* guards next, written, done */
	pthread_cond_t changed;
	struct job *jobs;
	size_t count;
	size_t next;			/* the next job to take */
	size_t written;			/* jobs copied to standard output */
	size_t ahead;			/* how far next may pass written */
};

struct worker {
	struct run *run;
	struct http_client *client;
	pthread_t thread;
};

static struct counts counts;

static void
usage(FILE *out)
{
	fprintf(out,
"usage: fetch-yahoo [options] [SYMBOL...]\n"
"       fetch-yahoo [options] --input FILE [--input FILE...]\n"
"\n"
"Download from Yahoo Finance, for each symbol, price bars with dividends,\n"
"splits and capital gains (v8 chart), fundamentals time series and\n"
"valuation figures (quoteSummary), or read saved responses, and write\n"
"yahoo_bar, yahoo_event, yahoo_fundamental and yahoo_quote records\n"
"(NDJSON), dated in the exchange's local calendar.  Bars with a null\n"
"close are skipped and counted.  A symbol that fails is reported and the\n"
"run goes on with the others.\n"
"\n"
"Options:\n"
"      --tickers=LIST       comma-separated symbols, besides the arguments\n"
"      --tickers-file=FILE  one symbol per line, or company records; - is\n"
"                           standard input\n"
"      --universe=FILE      the tickers of a universe YAML file, except\n"
"                           those marked listed: false\n"
"      --input=FILE         read a saved response (no network)\n"
"      --data=LIST          chart, fundamentals, quote (default chart)\n"
"      --range=RANGE        1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max\n"
"                           (chart; default " DEFAULT_RANGE ")\n"
"      --start=DATE         first day, YYYY-MM-DD (instead of --range)\n"
"      --end=DATE           last day, YYYY-MM-DD (default today, UTC)\n"
"      --interval=INTERVAL  1d (default), 1wk or 1mo\n"
"      --types=LIST         time series types (default: the ones\n"
"                           normalize maps)\n"
"      --modules=LIST       quoteSummary modules (default\n"
"                           " DEFAULT_MODULES ")\n"
"      --base-url=URL       default " DEFAULT_BASE_URL "\n"
"      --cookie-url=URL     session cookie page (default\n"
"                           " DEFAULT_COOKIE_URL ")\n"
"      --user-agent=TEXT    User-Agent header (default corpintel/VERSION)\n"
"      --cache-dir=DIR      keep raw responses in DIR for --offline\n"
"      --offline            answer from --cache-dir only, no network\n"
"      --rate=N             at most N requests per second (default 2)\n"
"      --retries=N          retries on 429, 5xx and network errors\n"
"                           (default 3)\n"
"      --timeout=SECONDS    limit for one request (default 60)\n"
"      --max-response-bytes=N  largest response accepted (default 256 MiB)\n"
"      --jobs=N             fetch up to N symbols at the same time, 1 to 8\n"
"                           (default 1); the output stays in symbol order\n"
CLI_COMMON_HELP
"\n"
"Exit status: 0 ok, 64 usage, 65 a ticker line named no symbol, 66 input\n"
"file not found, 69 a symbol failed, 70 internal error, 74 write error,\n"
"75 rate limited (429) after the retries\n");
}

static bool
in_list(const char *value, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(value, *list) == 0)
			return true;
	return false;
}

static void
list_add(struct list *list, char *item)
{
	char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);

	if (grown == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	list->items = grown;
	list->items[list->count++] = item;
}

static bool
list_has(const struct list *list, const char *item)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i], item) == 0)
			return true;
	return false;
}

static char *
copy_or_die(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	return copy;
}

/* Yahoo spells symbols with letters, digits and . - ^ = _ (BRK-B,
 * WSU.DE, ^GSPC, EURUSD=X, 0P0000XTS7). */
static bool
valid_symbol(const char *symbol)
{
	size_t n = strlen(symbol);

	if (n == 0 || n > MAX_SYMBOL_LENGTH)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = symbol[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr(".-^=_", c) != NULL))
			return false;
	}
	return true;
}

/* Adds a symbol once; a symbol named twice is fetched once.  The
 * symbols are copies, so that every source can free its own text. */
static void
add_symbol(struct options *opt, const char *symbol)
{
	if (!list_has(&opt->symbols, symbol))
		list_add(&opt->symbols, copy_or_die(symbol));
}

static void
add_symbol_arg(struct options *opt, const char *symbol)
{
	if (!valid_symbol(symbol))
		cli_usage_error("invalid symbol '%s': use Yahoo's spelling, "
		    "such as AAPL, BRK-B or WSU.DE", symbol);
	add_symbol(opt, symbol);
}

/* Splits a comma-separated list in place; empty items are ignored. */
static void
add_symbol_list(struct options *opt, char *list)
{
	char *saveptr = NULL;

	for (char *s = strtok_r(list, ",", &saveptr); s != NULL;
	    s = strtok_r(NULL, ",", &saveptr))
		add_symbol_arg(opt, s);
}

static void
parse_data(struct options *opt, char *list)
{
	char *saveptr = NULL;

	memset(opt->want, 0, sizeof opt->want);
	for (char *s = strtok_r(list, ",", &saveptr); s != NULL;
	    s = strtok_r(NULL, ",", &saveptr)) {
		int e;

		for (e = 0; e < ENDPOINT_COUNT; e++)
			if (strcmp(s, endpoint_names[e]) == 0)
				break;
		if (e == ENDPOINT_COUNT)
			cli_usage_error("invalid --data '%s': use chart, "
			    "fundamentals or quote, separated by commas", s);
		opt->want[e] = true;
	}
}

/* Checks a comma-separated list of Yahoo names (types, modules): they
 * go into the URL as they are. */
static const char *
parse_names(const char *option, const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || n > 4096 || strspn(arg, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,") != n)
		cli_usage_error("invalid %s '%s': use Yahoo's names, such as "
		    "%s, separated by commas", option, arg,
		    strcmp(option, "--types") == 0 ? "quarterlyTotalRevenue" :
		    "financialData");
	return arg;
}

static long
parse_day(const char *option, const char *arg)
{
	long days;

	if (!date_parse(arg, &days))
		cli_usage_error("invalid %s '%s': use a date YYYY-MM-DD",
		    option, arg);
	return days;
}

static long
parse_count(const char *option, const char *arg, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || value < min ||
	    value > max)
		cli_usage_error("invalid %s '%s': use a whole number from %ld "
		    "to %ld", option, arg, min, max);
	return value;
}

static void
parse_option(struct options *opt, int c)
{
	switch (c) {
	case OPT_TICKERS:
		add_symbol_list(opt, optarg);
		break;
	case OPT_TICKERS_FILE:
		list_add(&opt->tickers_files, optarg);
		break;
	case OPT_UNIVERSE:
		opt->universe = optarg;
		break;
	case OPT_INPUT:
		list_add(&opt->inputs, optarg);
		break;
	case OPT_DATA:
		parse_data(opt, optarg);
		break;
	case OPT_BASE_URL:
		opt->base_url = optarg;
		break;
	case OPT_COOKIE_URL:
		opt->cookie_url = optarg;
		break;
	case OPT_RANGE:
		if (!in_list(optarg, valid_ranges))
			cli_usage_error("invalid --range '%s': use 1d, 5d, 1mo, "
			    "3mo, 6mo, 1y, 2y, 5y, 10y, ytd or max", optarg);
		opt->range = optarg;
		break;
	case OPT_START:
		opt->start = optarg;
		opt->start_days = parse_day("--start", optarg);
		break;
	case OPT_END:
		opt->end = optarg;
		opt->end_days = parse_day("--end", optarg);
		break;
	case OPT_INTERVAL:
		if (!in_list(optarg, valid_intervals))
			cli_usage_error("invalid --interval '%s': use 1d, 1wk "
			    "or 1mo", optarg);
		opt->interval = optarg;
		break;
	case OPT_TYPES:
		opt->types = parse_names("--types", optarg);
		break;
	case OPT_MODULES:
		opt->modules = parse_names("--modules", optarg);
		break;
	case OPT_USER_AGENT:
		opt->user_agent = optarg;
		break;
	case OPT_CACHE_DIR:
		opt->cache_dir = optarg;
		break;
	case OPT_OFFLINE:
		opt->offline = true;
		break;
	case OPT_RATE:
		opt->rate = (double)parse_count("--rate", optarg, 0, 100);
		break;
	case OPT_RETRIES:
		opt->retries = (int)parse_count("--retries", optarg, 0, 10);
		break;
	case OPT_TIMEOUT:
		opt->timeout_s = parse_count("--timeout", optarg, 1, 3600);
		break;
	case OPT_MAX_RESPONSE_BYTES:
		opt->max_response_bytes = cli_parse_bytes(
		    "--max-response-bytes", optarg);
		break;
	case OPT_JOBS:
		opt->jobs = (int)parse_count("--jobs", optarg, 1, MAX_JOBS);
		break;
	default:
		if (!cli_handle_common(c, optarg, &opt->common, usage))
			cli_usage_error("unhandled option");
	}
}

static void
parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS,
	    long_options, NULL)) != -1)
		parse_option(opt, c);
	for (int i = optind; i < argc; i++)
		add_symbol_arg(opt, argv[i]);

	if (opt->symbols.count == 0 && opt->inputs.count == 0 &&
	    opt->tickers_files.count == 0 && opt->universe == NULL)
		cli_usage_error("no symbol given: name symbols as arguments, "
		    "with --tickers, --tickers-file or --universe, or give "
		    "saved responses with --input");
	if (!opt->want[ENDPOINT_CHART] && !opt->want[ENDPOINT_FUNDAMENTALS] &&
	    !opt->want[ENDPOINT_QUOTE])
		cli_usage_error("--data names nothing to fetch");
	if (opt->range != NULL && opt->start != NULL)
		cli_usage_error("--range and --start exclude each other");
	if (opt->end != NULL && opt->start == NULL)
		cli_usage_error("--end needs --start");
	if (opt->start != NULL && opt->end == NULL)
		opt->end_days = date_today();
	if (opt->start != NULL && opt->end_days < opt->start_days)
		cli_usage_error("--end %s is before --start %s", opt->end,
		    opt->start);
	if (opt->offline && opt->cache_dir == NULL)
		cli_usage_error("--offline needs --cache-dir");
	if (opt->start == NULL && opt->range == NULL)
		opt->range = DEFAULT_RANGE;
}

/* ---- Tickers from files, standard input and the universe ---- */

/* The symbol of one ticker line: a plain symbol, or a company record
 * with a ticker.  Returns NULL after reporting a line that has none;
 * *skip is set for lines that name nothing on purpose. */
static const char *
line_symbol(char *line, size_t len, const char *where, cJSON **record,
    bool *skip)
{
	enum record_error error;
	const char *kind, *ticker;
	char why[256];

	*record = NULL;
	*skip = false;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		line[--len] = '\0';
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#') {
		*skip = true;
		return NULL;
	}
	if (*line != '{') {
		if (valid_symbol(line))
			return line;
		log_error("%s: invalid symbol '%s': use Yahoo's spelling, "
		    "such as AAPL, BRK-B or WSU.DE", where, line);
		return NULL;
	}

	*record = record_parse(line, strlen(line), &error, why, sizeof why);
	if (*record == NULL) {
		log_error("%s: %s: %s", where, record_error_rule(error), why);
		return NULL;
	}
	kind = record_kind(*record);
	if (strcmp(kind, "company") != 0) {
		log_debug("%s: %s record skipped", where, kind);
		*skip = true;
		return NULL;
	}
	ticker = record_string(*record, "ticker");
	if (ticker == NULL) {
		log_warn("%s: company %s has no ticker: skipped", where,
		    record_string(*record, "cik") != NULL ?
		    record_string(*record, "cik") : "(no cik)");
		*skip = true;
		return NULL;
	}
	if (!valid_symbol(ticker)) {
		log_error("%s: invalid ticker '%s' in a company record", where,
		    ticker);
		return NULL;
	}
	return ticker;
}

/* Reads symbols from a file of ticker lines ("-": standard input). */
static void
read_tickers_file(struct options *opt, const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char *name = fp == stdin ? "standard input" : path;
	struct ndjson_reader *reader;
	enum ndjson_status status;
	char *line, where[1100];
	size_t len;

	if (fp == NULL) {
		log_error("%s: %s", path, strerror(errno));
		exit(EXIT_NOINPUT);
	}
	reader = ndjson_open(fp, NDJSON_DEFAULT_MAX_LINE);
	if (reader == NULL) {
		log_error("out of memory");
		exit(EXIT_SOFTWARE);
	}
	while ((status = ndjson_next(reader, &line, &len)) != NDJSON_EOF) {
		const char *symbol;
		cJSON *record;
		bool skip;

		snprintf(where, sizeof where, "%s:%lu", name,
		    ndjson_line_number(reader));
		if (status == NDJSON_READ_ERROR) {
			log_error("%s: read error: %s", where, strerror(errno));
			exit(EXIT_IOERR);
		}
		if (status == NDJSON_TOO_LONG) {
			log_error("%s: line too long for a ticker", where);
			counts.bad_lines++;
			continue;
		}
		symbol = line_symbol(line, len, where, &record, &skip);
		if (symbol != NULL)
			add_symbol(opt, symbol);
		else if (!skip)
			counts.bad_lines++;
		cJSON_Delete(record);
	}
	ndjson_close(reader);
	if (fp != stdin)
		fclose(fp);
}

/* Reads the tickers of a universe file.  A company marked listed:
 * false no longer trades, so Yahoo has nothing current for it. */
static void
read_universe(struct options *opt, const char *path)
{
	struct universe *u;
	char error[512];

	if (access(path, R_OK) != 0) {
		log_error("%s: %s", path, strerror(errno));
		exit(EXIT_NOINPUT);
	}
	u = universe_load(path, error, sizeof error);
	if (u == NULL) {
		log_error("%s", error);
		exit(EXIT_CONFIG);
	}
	for (size_t i = 0; i < u->count; i++) {
		const struct universe_company *c = &u->companies[i];

		if (c->ticker == NULL || !valid_symbol(c->ticker)) {
			log_warn("%s:%lu: company without a valid ticker: "
			    "skipped", path, c->line);
			continue;
		}
		if (!c->listed) {
			log_info("%s: not fetched: listed: false in %s",
			    c->ticker, path);
			continue;
		}
		add_symbol(opt, c->ticker);
	}
	universe_free(u);
}

/* ---- Saved responses ---- */

/* Reads a whole file.  Returns NULL after reporting the error. */
static char *
read_file(const char *path, size_t *length)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 64 * 1024, len = 0;
	char *buf = NULL, *grown;

	if (fp == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap || buf == NULL) {
			if (buf != NULL)
				cap *= 2;
			grown = cap <= MAX_INPUT_BYTES ? realloc(buf, cap) : NULL;
			if (grown == NULL) {
				log_error("%s: larger than %u bytes or out of "
				    "memory", path, MAX_INPUT_BYTES);
				goto fail;
			}
			buf = grown;
		}
		len += fread(buf + len, 1, cap - len - 1, fp);
		if (ferror(fp)) {
			log_error("%s: read error: %s", path, strerror(errno));
			goto fail;
		}
		if (feof(fp))
			break;
	}
	fclose(fp);
	buf[len] = '\0';
	*length = len;
	return buf;
fail:
	fclose(fp);
	free(buf);
	return NULL;
}

static void
fetch_file(const char *path, const struct options *opt, struct jsonw *w)
{
	struct yahoo_request request = { .label = path,
	    .interval = opt->interval };
	enum yahoo_failure failure;
	size_t length;
	char *body;

	counts.sources++;
	body = read_file(path, &length);
	if (body == NULL || yahoo_write_response(body, length, 200, &request,
	    &counts.out, w, &failure) < 0)
		counts.failed++;
	free(body);
}

/* ---- Requests ---- */

/* Appends text to a URL with every byte outside RFC 3986's unreserved
 * set percent-encoded.  Returns -1 when the URL is full. */
static int
append_escaped(char *url, size_t size, const char *text)
{
	size_t n = strlen(url);

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0';
	    p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL;

		if (n + 4 >= size)
			return -1;
		if (plain)
			url[n++] = (char)*p;
		else
			n += (size_t)snprintf(url + n, size - n, "%%%02X", *p);
	}
	url[n] = '\0';
	return 0;
}

static int
append(char *url, size_t size, const char *text)
{
	size_t n = strlen(url);

	return snprintf(url + n, size - n, "%s", text) < (int)(size - n) ?
	    0 : -1;
}

/* Seconds since the epoch of midnight UTC on a day. */
static long long
day_start(long days)
{
	return (long long)days * 86400;
}

/* Builds the URL of one request.  The crumb is added by the caller. */
static int
request_url(char *url, size_t size, const struct options *opt,
    enum endpoint endpoint, const char *symbol)
{
	static const char *const paths[ENDPOINT_COUNT] = {
		"/v8/finance/chart/",
		"/ws/fundamentals-timeseries/v1/finance/timeseries/",
		"/v10/finance/quoteSummary/",
	};
	char query[URL_SIZE];
	long first;

	switch (endpoint) {
	case ENDPOINT_CHART:
		if (opt->range != NULL)
			snprintf(query, sizeof query, "?range=%s", opt->range);
		else
			/* period2 is exclusive: midnight UTC after --end. */
			snprintf(query, sizeof query,
			    "?period1=%lld&period2=%lld", day_start(
			    opt->start_days), day_start(opt->end_days + 1));
		/* %7C is the '|' between the event groups. */
		if (append(query, sizeof query, "&interval=") < 0 ||
		    append(query, sizeof query, opt->interval) < 0 ||
		    append(query, sizeof query,
		    "&events=div%7Csplit%7CcapitalGain") < 0)
			return -1;
		break;
	case ENDPOINT_FUNDAMENTALS:
		date_parse(FUNDAMENTALS_EPOCH, &first);
		if (opt->start != NULL)
			first = opt->start_days;
		snprintf(query, sizeof query, "?type=%s&period1=%lld&period2=%lld",
		    opt->types, day_start(first), day_start(
		    (opt->start != NULL ? opt->end_days : date_today()) + 1));
		break;
	default:
		snprintf(query, sizeof query, "?modules=%s", opt->modules);
		break;
	}

	url[0] = '\0';
	if (append(url, size, opt->base_url) < 0 ||
	    append(url, size, paths[endpoint]) < 0 ||
	    append_escaped(url, size, symbol) < 0 ||
	    append(url, size, query) < 0)
		return -1;
	return 0;
}

/*
 * Opens a quoteSummary session: the cookie page sets a cookie in the
 * client, and getcrumb returns the crumb that goes with it.  Neither is
 * cached.  Returns 0, or -1 after reporting.
 */
static int
open_session(struct http_client *client, const struct options *opt,
    struct session *s)
{
	struct http_response response;
	char url[URL_SIZE], error[1024];
	size_t n;

	s->open = false;
	if (http_get_uncached(client, opt->cookie_url, &response, error,
	    sizeof error) != HTTP_OK) {
		log_error("quoteSummary session: cookie page: %s", error);
		return -1;
	}
	http_response_free(&response);

	snprintf(url, sizeof url, "%s/v1/test/getcrumb", opt->base_url);
	if (http_get_uncached(client, url, &response, error, sizeof error) !=
	    HTTP_OK) {
		log_error("quoteSummary session: %s", error);
		return -1;
	}
	n = response.length;
	/* A crumb is a short token, so anything else is an error page. */
	if (response.status != 200 || n == 0 || n > MAX_CRUMB_LENGTH ||
	    strcspn(response.body, " \t\r\n{<") != n) {
		log_error("quoteSummary session: getcrumb returned HTTP %ld "
		    "without a crumb; check --cookie-url", response.status);
		http_response_free(&response);
		return -1;
	}
	memcpy(s->crumb, response.body, n + 1);
	http_response_free(&response);
	s->open = true;
	s->generation++;
	log_debug("quoteSummary session open");
	return 0;
}

/*
 * Copies the session's crumb into crumb, after the handshake when no
 * worker has made it yet.  The others wait for it under the lock, so
 * that one handshake serves all.  Returns the crumb's generation, or 0
 * when the handshake failed in this run.
 */
static unsigned long
session_crumb(struct session *s, struct http_client *client,
    const struct options *opt, char crumb[MAX_CRUMB_LENGTH + 1])
{
	unsigned long generation = 0;

	pthread_mutex_lock(&s->lock);
	if (!s->open && !s->broken && open_session(client, opt, s) < 0)
		s->broken = true;
	if (s->open) {
		memcpy(crumb, s->crumb, sizeof s->crumb);
		generation = s->generation;
	}
	pthread_mutex_unlock(&s->lock);
	return generation;
}

/* Drops a crumb Yahoo rejected, unless another worker has replaced it
 * already: several workers turned away together get one new crumb. */
static void
session_reject(struct session *s, unsigned long generation)
{
	pthread_mutex_lock(&s->lock);
	if (s->generation == generation)
		s->open = false;
	pthread_mutex_unlock(&s->lock);
}

/* One GET and its records.  Returns 0, or -1 with the reason in
 * *failure after reporting (except a rejected crumb, left to the
 * caller). */
static int
fetch_url(struct http_client *client, struct run *run, const char *url,
    const struct yahoo_request *request, struct counts *c, struct jsonw *w,
    enum yahoo_failure *failure)
{
	struct http_response response;
	char error[1024];
	int rc;

	*failure = YAHOO_FAILED;
	if (http_get(client, url, &response, error, sizeof error) != HTTP_OK) {
		log_error("%s: %s", request->label, error);
		return -1;
	}
	pthread_mutex_lock(&run->response_lock);
	rc = yahoo_write_response(response.body, response.length,
	    response.status, request, &c->out, w, failure);
	pthread_mutex_unlock(&run->response_lock);
	http_response_free(&response);
	return rc;
}

/* A quoteSummary request, with a new crumb and one more try when Yahoo
 * rejects the crumb.  Offline, the cache serves the response without a crumb. */
static int
fetch_quote(struct http_client *client, struct run *run, const char *base,
    const struct yahoo_request *r, struct counts *c, struct jsonw *w,
    enum yahoo_failure *failure)
{
	char url[URL_SIZE], crumb[MAX_CRUMB_LENGTH + 1];
	unsigned long generation = 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		snprintf(url, sizeof url, "%s", base);
		if (!run->opt->offline) {
			generation = session_crumb(&run->session, client,
			    run->opt, crumb);
			if (generation == 0) {
				log_error("%s: quoteSummary not fetched: no "
				    "session crumb", r->label);
				*failure = YAHOO_FAILED;
				return -1;
			}
			if (append(url, sizeof url, "&crumb=") < 0 ||
			    append_escaped(url, sizeof url, crumb) < 0) {
				log_error("%s: quoteSummary URL too long",
				    r->label);
				return -1;
			}
		}
		if (fetch_url(client, run, url, r, c, w, failure) == 0)
			return 0;
		if (*failure != YAHOO_INVALID_CRUMB)
			return -1;
		session_reject(&run->session, generation);
		if (attempt == 0)
			log_info("%s: Yahoo rejected the crumb; getting a new "
			    "one", r->label);
	}
	log_error("%s: Yahoo rejected the crumb twice (HTTP 401 Invalid "
	    "Crumb); check --cookie-url", r->label);
	*failure = YAHOO_FAILED;
	return -1;
}

/*
 * Fetches the data --data requests for one symbol, writing its records
 * to out.
 * After a failure that is not a rate limit, such as an unknown or
 * delisted symbol, the symbol's other requests are not made, so that it
 * gets one diagnostic.
 */
static void
fetch_symbol(struct http_client *client, struct run *run, struct job *job,
    FILE *out, struct jsonw *w)
{
	const struct options *opt = run->opt;
	struct yahoo_request request = { .label = job->symbol,
	    .symbol = job->symbol, .interval = opt->interval, .out = out };
	enum yahoo_failure failure = YAHOO_FAILED;
	struct counts *c = &job->counts;
	char url[URL_SIZE];
	bool failed = false;
	int rc;

	c->sources++;
	for (int e = 0; e < ENDPOINT_COUNT && !failed; e++) {
		if (!opt->want[e])
			continue;
		if (request_url(url, sizeof url, opt, (enum endpoint)e,
		    job->symbol) < 0) {
			log_error("%s: request URL too long: shorten --base-url, "
			    "--types or --modules", job->symbol);
			failed = true;
			break;
		}
		if (e == ENDPOINT_QUOTE)
			rc = fetch_quote(client, run, url, &request, c, w,
			    &failure);
		else
			rc = fetch_url(client, run, url, &request, c, w,
			    &failure);
		if (rc < 0)
			failed = true;
	}
	if (failed) {
		c->failed++;
		if (failure == YAHOO_RATE_LIMITED)
			c->temporary++;
	}
}

static void
add_counts(struct counts *total, const struct counts *c)
{
	total->sources += c->sources;
	total->failed += c->failed;
	total->temporary += c->temporary;
	total->out.bars += c->out.bars;
	total->out.null_bars += c->out.null_bars;
	total->out.events += c->out.events;
	total->out.bad_events += c->out.bad_events;
	total->out.fundamentals += c->out.fundamentals;
	total->out.null_points += c->out.null_points;
	total->out.empty_series += c->out.empty_series;
	total->out.quotes += c->out.quotes;
}

/* ---- Workers ---- */

/* Takes the next symbol, waiting while the output lags too far behind.
 * Returns NULL when every symbol is taken. */
static struct job *
take_job(struct run *run)
{
	struct job *job = NULL;

	pthread_mutex_lock(&run->lock);
	while (run->next < run->count &&
	    run->next >= run->written + run->ahead)
		pthread_cond_wait(&run->changed, &run->lock);
	if (run->next < run->count)
		job = &run->jobs[run->next++];
	pthread_mutex_unlock(&run->lock);
	return job;
}

static void
finish_job(struct run *run, struct job *job)
{
	pthread_mutex_lock(&run->lock);
	job->done = true;
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->lock);
}

static void *
work(void *arg)
{
	struct worker *worker = arg;
	struct jsonw w = { 0 };
	struct job *job;
	FILE *out;

	while ((job = take_job(worker->run)) != NULL) {
		out = open_memstream(&job->records, &job->length);
		if (out == NULL) {
			log_error("%s: out of memory", job->symbol);
			exit(EXIT_SOFTWARE);
		}
		fetch_symbol(worker->client, worker->run, job, out, &w);
		if (fclose(out) != 0) {
			log_error("%s: out of memory", job->symbol);
			exit(EXIT_SOFTWARE);
		}
		finish_job(worker->run, job);
	}
	jsonw_free(&w);
	return NULL;
}

/* Waits for the next symbol in input order, copies its records to
 * standard output and lets the workers take more. */
static void
write_job(struct run *run, size_t i)
{
	struct job *job = &run->jobs[i];

	pthread_mutex_lock(&run->lock);
	while (!job->done)
		pthread_cond_wait(&run->changed, &run->lock);
	pthread_mutex_unlock(&run->lock);

	if (job->length > 0 &&
	    fwrite(job->records, 1, job->length, stdout) != job->length)
		cli_exit_write_error();
	free(job->records);
	job->records = NULL;
	add_counts(&counts, &job->counts);

	pthread_mutex_lock(&run->lock);
	run->written = i + 1;
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->lock);
}

/*
 * Dating a response sets TZ while other threads may read the
 * environment, as libcurl does for its proxy settings.  Replacing a
 * variable leaves the environment's array where it is, but adding or
 * removing one may move it under a reader, so TZ is made to exist
 * before the threads start.  ":/etc/localtime" is what an unset TZ
 * means.
 */
static void
pin_time_zone(void)
{
	if (getenv("TZ") == NULL && setenv("TZ", ":/etc/localtime", 1) != 0) {
		log_error("cannot set TZ: %s", strerror(errno));
		exit(EXIT_SOFTWARE);
	}
}

/* Fetches the symbols with jobs workers; client serves the first one
 * and the others get clients that share its rate limit and cookies. */
static int
fetch_parallel(struct run *run, struct http_client *client, int jobs)
{
	struct worker workers[MAX_JOBS];
	int started = 0, status = 0, rc;

	pin_time_zone();
	for (int i = 0; i < jobs; i++) {
		workers[i].run = run;
		workers[i].client = i == 0 ? client :
		    http_client_share(client);
		if (workers[i].client == NULL) {
			jobs = i;
			status = EXIT_SOFTWARE;
			break;
		}
	}
	for (int i = 0; i < jobs && status == 0; i++) {
		rc = pthread_create(&workers[i].thread, NULL, work, &workers[i]);
		if (rc != 0) {
			log_error("cannot start a worker thread: %s",
			    strerror(rc));
			status = EXIT_SOFTWARE;
			break;
		}
		started++;
	}
	/* Without a single worker, nothing would ever be written. */
	if (started > 0)
		for (size_t i = 0; i < run->count; i++)
			write_job(run, i);

	for (int i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	for (int i = 1; i < jobs; i++)
		http_client_free(workers[i].client);
	return started == 0 ? EXIT_SOFTWARE : 0;
}

/* Fetches every symbol, in this thread when there is one job. */
static int
fetch_symbols(const struct options *opt, struct http_client *client)
{
	struct run run = { .opt = opt, .count = opt->symbols.count };
	struct jsonw w = { 0 };
	int jobs = opt->jobs, status = 0;

	run.jobs = calloc(run.count, sizeof *run.jobs);
	if (run.jobs == NULL) {
		log_error("out of memory");
		return EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < run.count; i++)
		run.jobs[i].symbol = opt->symbols.items[i];
	pthread_mutex_init(&run.session.lock, NULL);
	pthread_mutex_init(&run.response_lock, NULL);
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.changed, NULL);
	if ((size_t)jobs > run.count)
		jobs = (int)run.count;
	run.ahead = (size_t)jobs * JOBS_AHEAD;

	if (jobs <= 1) {
		for (size_t i = 0; i < run.count; i++) {
			fetch_symbol(client, &run, &run.jobs[i], stdout, &w);
			add_counts(&counts, &run.jobs[i].counts);
		}
	} else {
		status = fetch_parallel(&run, client, jobs);
	}

	jsonw_free(&w);
	pthread_cond_destroy(&run.changed);
	pthread_mutex_destroy(&run.lock);
	pthread_mutex_destroy(&run.response_lock);
	pthread_mutex_destroy(&run.session.lock);
	free(run.jobs);
	return status;
}

static struct http_client *
new_client(const struct options *opt)
{
	char user_agent[128];
	struct http_options ho = {
		.user_agent = opt->user_agent,
		.timeout_ms = opt->timeout_s * 1000,
		.max_retries = opt->retries,
		.max_requests_per_second = opt->rate,
		.max_body_bytes = opt->max_response_bytes,
		.cache_dir = opt->cache_dir,
		.offline = opt->offline,
		.cookies = opt->want[ENDPOINT_QUOTE],
		.secret_param = "crumb",
	};
	struct http_client *client;

	if (ho.user_agent == NULL) {
		snprintf(user_agent, sizeof user_agent, "corpintel/%s",
		    CORPINTEL_VERSION);
		ho.user_agent = user_agent;
	}
	client = http_client_new(&ho);
	if (client == NULL)
		log_error("cannot set up the HTTP client");
	return client;
}

/* ---- The summary ---- */

static void
log_summary(void)
{
	const struct yahoo_counts *o = &counts.out;

	log_info("%lu sources: %lu ok, %lu failed; %lu bars out, %lu null "
	    "bars skipped; %lu events out, %lu skipped; %lu fundamentals "
	    "out, %lu null points skipped, %lu empty series; %lu quotes out",
	    counts.sources, counts.sources - counts.failed, counts.failed,
	    o->bars, o->null_bars, o->events, o->bad_events, o->fundamentals,
	    o->null_points, o->empty_series, o->quotes);
	if (counts.bad_lines > 0)
		log_error("%lu ticker lines named no symbol", counts.bad_lines);
}

static void
count_kind(struct promfile *pf, const char *kind, unsigned long n)
{
	char labels[64];

	snprintf(labels, sizeof labels, "kind=\"%s\"", kind);
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records written to standard output, by kind.", labels, (double)n);
}

static void
count_skip(struct promfile *pf, const char *reason, unsigned long n)
{
	char labels[64];

	snprintf(labels, sizeof labels, "reason=\"%s\"", reason);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Entries of the responses not written, by reason.", labels,
	    (double)n);
}

static int
write_metrics_file(const char *path)
{
	const struct yahoo_counts *o = &counts.out;
	struct promfile *pf;
	int status;

	if (path == NULL)
		return 0;
	pf = promfile_new();
	count_kind(pf, "yahoo_bar", o->bars);
	count_kind(pf, "yahoo_event", o->events);
	count_kind(pf, "yahoo_fundamental", o->fundamentals);
	count_kind(pf, "yahoo_quote", o->quotes);
	count_skip(pf, "null-bar", o->null_bars);
	count_skip(pf, "bad-event", o->bad_events);
	count_skip(pf, "null-point", o->null_points);
	count_skip(pf, "empty-series", o->empty_series);
	promfile_counter(pf, "corpintel_sources_total",
	    "Symbols requested and saved files read.", NULL,
	    (double)counts.sources);
	promfile_counter(pf, "corpintel_sources_failed_total",
	    "Symbols and files that failed.", NULL, (double)counts.failed);
	status = promfile_write(pf, path);
	promfile_free(pf);
	return status < 0 ? EXIT_IOERR : 0;
}

/* Checks every --input file before any output, so that a typo stops the
 * run with nothing written. */
static void
check_inputs(const struct list *inputs)
{
	for (size_t i = 0; i < inputs->count; i++) {
		if (access(inputs->items[i], R_OK) != 0) {
			log_error("%s: %s", inputs->items[i], strerror(errno));
			exit(EXIT_NOINPUT);
		}
	}
}

static int
exit_status(void)
{
	if (counts.failed > counts.temporary)
		return EXIT_UNAVAILABLE;
	if (counts.failed > 0)
		return EXIT_TEMPFAIL;
	if (counts.bad_lines > 0)
		return EXIT_DATAERR;
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct options opt = { .base_url = DEFAULT_BASE_URL,
	    .cookie_url = DEFAULT_COOKIE_URL, .interval = "1d",
	    .types = DEFAULT_TYPES, .modules = DEFAULT_MODULES,
	    .rate = 2, .retries = 3, .timeout_s = 60, .jobs = 1,
	    .want = { [ENDPOINT_CHART] = true } };
	struct http_client *client = NULL;
	struct jsonw w = { 0 };
	int status, fetch_status = 0;

	cli_init(argc, argv);
	/* NOTE: --config is accepted as by every tool but no option of
	 * fetch-yahoo is read from it yet. */
	parse_options(argc, argv, &opt);
	check_inputs(&opt.inputs);
	for (size_t i = 0; i < opt.tickers_files.count; i++)
		read_tickers_file(&opt, opt.tickers_files.items[i]);
	if (opt.universe != NULL)
		read_universe(&opt, opt.universe);
	if (opt.symbols.count > 0 && (client = new_client(&opt)) == NULL)
		return EXIT_SOFTWARE;

	for (size_t i = 0; i < opt.inputs.count; i++)
		fetch_file(opt.inputs.items[i], &opt, &w);
	if (opt.symbols.count > 0)
		fetch_status = fetch_symbols(&opt, client);

	log_summary();
	status = fetch_status != 0 ? fetch_status : exit_status();
	if (write_metrics_file(opt.common.metrics_file) != 0 && status == 0)
		status = EXIT_IOERR;

	http_client_free(client);
	jsonw_free(&w);
	for (size_t i = 0; i < opt.symbols.count; i++)
		free(opt.symbols.items[i]);
	free(opt.symbols.items);
	free(opt.inputs.items);
	free(opt.tickers_files.items);
	if (cli_finish_stdout() != 0 && status == 0)
		status = EXIT_IOERR;
	return status;
}
