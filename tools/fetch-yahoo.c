/*
 * fetch-yahoo: download price bars from Yahoo Finance's v8 chart
 * endpoint, or read saved chart responses, and write one yahoo_bar
 * record per bar.
 *
 * Bars are dated in the exchange's local calendar: the bar's timestamp
 * converted in the response's meta.exchangeTimezoneName, or shifted by
 * meta.gmtoffset when that zone is not installed.  A bar whose close is
 * null is skipped and counted, never written as zero.  An error from
 * Yahoo for one symbol is reported once and the run goes on with the
 * next, and the exit status shows that some failed.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "date.h"
#include "http.h"
#include "jsonw.h"
#include "log.h"
#include "promfile.h"

#define DEFAULT_BASE_URL "https://query1.finance.yahoo.com"
#define DEFAULT_RANGE "1mo"
#define MAX_SYMBOL_LENGTH 32
/* Saved chart files are read whole, up to this size.  A 13-year daily
 * history takes about 370 kB. */
#define MAX_INPUT_BYTES (256u * 1024 * 1024)

enum {
	OPT_TICKERS = CLI_OPT_TOOL_FIRST,
	OPT_INPUT,
	OPT_BASE_URL,
	OPT_RANGE,
	OPT_START,
	OPT_END,
	OPT_INTERVAL,
	OPT_USER_AGENT,
	OPT_CACHE_DIR,
	OPT_OFFLINE,
	OPT_RATE,
	OPT_RETRIES,
};

static const struct option long_options[] = {
	CLI_COMMON_LONG_OPTIONS,
	{ "tickers", required_argument, NULL, OPT_TICKERS },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "start", required_argument, NULL, OPT_START },
	{ "end", required_argument, NULL, OPT_END },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "user-agent", required_argument, NULL, OPT_USER_AGENT },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ NULL, 0, NULL, 0 },
};

/* The ranges the chart endpoint accepts. */
static const char *const valid_ranges[] = {
	"1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max",
	NULL,
};

static const char *const valid_intervals[] = { "1d", "1wk", "1mo", NULL };

struct list {
	char **items;
	size_t count;
};

struct options {
	struct cli_common common;
	struct list symbols;
	struct list inputs;
	const char *base_url;
	const char *range;
	const char *start;
	const char *end;
	long start_days;
	long end_days;
	const char *interval;
	const char *user_agent;
	const char *cache_dir;
	bool offline;
	double rate;
	int retries;
};

/* Per response: timestamps = bars + null_bars. */
struct counts {
	unsigned long sources;		/* symbols requested and files read */
	unsigned long failed;
	unsigned long temporary;	/* of failed: 429 after the retries */
	unsigned long bars;
	unsigned long null_bars;
};

/* The members of a chart response's meta that every bar carries. */
struct chart_meta {
	const char *symbol;
	const char *currency;
	const char *exchange;
	const char *timezone;
	const char *interval;
	bool has_gmtoffset;
	long gmtoffset;			/* seconds east of UTC */
};

static struct counts counts;

static void
usage(FILE *out)
{
	fprintf(out,
"usage: fetch-yahoo [options] [SYMBOL...]\n"
"       fetch-yahoo [options] --input FILE [--input FILE...]\n"
"\n"
"Download daily, weekly or monthly price bars for each symbol from Yahoo\n"
"Finance's v8 chart endpoint, or read saved chart responses, and write one\n"
"yahoo_bar record (NDJSON) per bar, dated in the exchange's local calendar.\n"
"Bars with a null close are skipped and counted.  A symbol that fails is\n"
"reported and the run goes on with the others.\n"
"\n"
"options:\n"
"      --tickers=LIST       comma-separated symbols, besides the arguments\n"
"      --input=FILE         read a saved chart response (no network)\n"
"      --range=RANGE        1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max\n"
"                           (default " DEFAULT_RANGE ")\n"
"      --start=DATE         first day, YYYY-MM-DD (instead of --range)\n"
"      --end=DATE           last day, YYYY-MM-DD (default today, UTC)\n"
"      --interval=INTERVAL  1d (default), 1wk or 1mo\n"
"      --base-url=URL       default " DEFAULT_BASE_URL "\n"
"      --user-agent=TEXT    User-Agent header (default corpintel/VERSION)\n"
"      --cache-dir=DIR      keep raw responses in DIR for --offline\n"
"      --offline            answer from --cache-dir only, no network\n"
"      --rate=N             at most N requests per second (default 2)\n"
"      --retries=N          retries on 429, 5xx and network errors\n"
"                           (default 3)\n"
CLI_COMMON_HELP
"\n"
"exit status: 0 ok, 64 usage, 66 input file not found, 69 a symbol\n"
"failed, 70 internal error, 74 write error, 75 rate limited (429) after\n"
"the retries\n");
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

/* Yahoo spells symbols with letters, digits and . - ^ = _ (BRK-B,
 * WSU.DE, ^GSPC, EURUSD=X). */
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

static void
add_symbol(struct options *opt, char *symbol)
{
	if (!valid_symbol(symbol))
		cli_usage_error("invalid symbol '%s': use Yahoo's spelling, "
		    "such as AAPL, BRK-B or WSU.DE", symbol);
	list_add(&opt->symbols, symbol);
}

/* Splits a comma-separated list in place; empty items are ignored. */
static void
add_symbol_list(struct options *opt, char *list)
{
	char *saveptr = NULL;

	for (char *s = strtok_r(list, ",", &saveptr); s != NULL;
	    s = strtok_r(NULL, ",", &saveptr))
		add_symbol(opt, s);
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
parse_count(const char *option, const char *arg, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || value < 0 ||
	    value > max)
		cli_usage_error("invalid %s '%s': use a whole number from 0 "
		    "to %ld", option, arg, max);
	return value;
}

static void
parse_option(struct options *opt, int c)
{
	switch (c) {
	case OPT_TICKERS:
		add_symbol_list(opt, optarg);
		break;
	case OPT_INPUT:
		list_add(&opt->inputs, optarg);
		break;
	case OPT_BASE_URL:
		opt->base_url = optarg;
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
		opt->rate = (double)parse_count("--rate", optarg, 100);
		break;
	case OPT_RETRIES:
		opt->retries = (int)parse_count("--retries", optarg, 10);
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
		add_symbol(opt, argv[i]);

	if (opt->symbols.count == 0 && opt->inputs.count == 0)
		cli_usage_error("no symbol given: name symbols as arguments, "
		    "with --tickers, or give saved responses with --input");
	if (opt->range != NULL && opt->start != NULL)
		cli_usage_error("--range and --start exclude each other");
	if (opt->end != NULL && opt->start == NULL)
		cli_usage_error("--end needs --start");
	if (opt->start != NULL && opt->end == NULL)
		opt->end_days = date_today();
	if (opt->start != NULL && opt->end_days < opt->start_days)
		cli_usage_error("--end %s is before --start %s", opt->end,
		    opt->start);
	if (opt->start == NULL && opt->range == NULL)
		opt->range = DEFAULT_RANGE;
}

/* ---- Dating bars in the exchange's calendar ---- */

/* True when the time zone is installed, so that TZ=name means that zone
 * and not, as glibc does for an unknown name, UTC. */
static bool
zone_installed(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[1024];

	if (name == NULL || *name == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return false;
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return false;
	return access(path, R_OK) == 0;
}

/* The process's TZ is switched to the exchange's zone for one response
 * and put back afterwards. */
struct zone_switch {
	bool active;
	char *saved;			/* TZ before, or NULL when unset */
};

static void
zone_enter(struct zone_switch *zs, const char *name)
{
	const char *old = getenv("TZ");

	zs->saved = old != NULL ? strdup(old) : NULL;
	zs->active = setenv("TZ", name, 1) == 0;
	tzset();
}

static void
zone_leave(struct zone_switch *zs)
{
	if (!zs->active)
		return;
	if (zs->saved != NULL)
		setenv("TZ", zs->saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(zs->saved);
	zs->active = false;
}

/* Formats the local date of a timestamp: in the zone set by zone_enter,
 * or shifted by the fixed offset when use_offset. */
static bool
local_date(double timestamp, bool use_offset, long offset,
    char date[DATE_TEXT_SIZE])
{
	time_t t = (time_t)timestamp;
	struct tm tm;

	if (use_offset) {
		t += offset;
		if (gmtime_r(&t, &tm) == NULL)
			return false;
	} else if (localtime_r(&t, &tm) == NULL) {
		return false;
	}
	if (!date_valid(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday))
		return false;
	date_format(date_to_days(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday), date);
	return true;
}

/* ---- Reading a chart response ---- */

static const cJSON *
member(const cJSON *object, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(object, key);
}

static const char *
member_string(const cJSON *object, const char *key)
{
	const cJSON *item = member(object, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The first element of an array member, or NULL. */
static const cJSON *
first_of(const cJSON *object, const char *key)
{
	const cJSON *array = member(object, key);

	return cJSON_IsArray(array) ? array->child : NULL;
}

/* The first element of one of the price arrays of indicators.quote[0]. */
static const cJSON *
series(const cJSON *quote, const char *key)
{
	const cJSON *array = member(quote, key);

	return cJSON_IsArray(array) ? array->child : NULL;
}

static void
read_meta(const cJSON *meta, const char *requested_interval,
    struct chart_meta *m)
{
	const cJSON *offset = member(meta, "gmtoffset");

	m->symbol = member_string(meta, "symbol");
	m->currency = member_string(meta, "currency");
	m->exchange = member_string(meta, "exchangeName");
	m->timezone = member_string(meta, "exchangeTimezoneName");
	m->interval = member_string(meta, "dataGranularity");
	if (m->interval == NULL)
		m->interval = requested_interval;
	m->has_gmtoffset = cJSON_IsNumber(offset);
	m->gmtoffset = m->has_gmtoffset ? (long)offset->valuedouble : 0;
}

static void
number_or_null(struct jsonw *w, const char *key, const cJSON *item)
{
	if (cJSON_IsNumber(item))
		jsonw_number(w, key, item->valuedouble);
	else
		jsonw_null(w, key);
}

/* The price arrays of one response, walked in step with the timestamps. */
struct bar_cursor {
	const cJSON *timestamp, *open, *high, *low, *close, *adjclose, *volume;
};

static const cJSON *
step(const cJSON *item)
{
	return item != NULL ? item->next : NULL;
}

static void
cursor_next(struct bar_cursor *c)
{
	c->timestamp = step(c->timestamp);
	c->open = step(c->open);
	c->high = step(c->high);
	c->low = step(c->low);
	c->close = step(c->close);
	c->adjclose = step(c->adjclose);
	c->volume = step(c->volume);
}

static void
write_bar(struct jsonw *w, const struct chart_meta *m, const char *date,
    const struct bar_cursor *c)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "yahoo_bar");
	jsonw_string(w, "symbol", m->symbol);
	jsonw_string(w, "date", date);
	jsonw_string(w, "interval", m->interval);
	number_or_null(w, "open", c->open);
	number_or_null(w, "high", c->high);
	number_or_null(w, "low", c->low);
	number_or_null(w, "close", c->close);
	number_or_null(w, "adjclose", c->adjclose);
	number_or_null(w, "volume", c->volume);
	jsonw_string(w, "currency", m->currency);
	jsonw_string(w, "exchange", m->exchange);
	jsonw_string(w, "timezone", m->timezone);
	jsonw_end(w);
	if (jsonw_write(w, stdout) < 0)
		cli_exit_write_error();
}

/*
 * Writes the bars of one chart result.  Returns 0, or -1 after reporting
 * why its bars cannot be dated.
 * TODO: the result's events (dividends, splits) are requested but not yet
 * written as yahoo_event records.
 */
static int
write_bars(const cJSON *result, const struct chart_meta *m,
    const char *label, struct jsonw *w)
{
	const cJSON *indicators = member(result, "indicators");
	const cJSON *quote = first_of(indicators, "quote");
	const cJSON *adjclose = first_of(indicators, "adjclose");
	struct bar_cursor c = {
		.timestamp = first_of(result, "timestamp"),
		.open = series(quote, "open"), .high = series(quote, "high"),
		.low = series(quote, "low"), .close = series(quote, "close"),
		.adjclose = series(adjclose, "adjclose"),
		.volume = series(quote, "volume"),
	};
	struct zone_switch zone = { false, NULL };
	bool use_offset = !zone_installed(m->timezone);
	unsigned long bars = 0, skipped = 0;
	char date[DATE_TEXT_SIZE];

	if (c.timestamp != NULL && use_offset && !m->has_gmtoffset) {
		log_error("%s: time zone '%s' not installed and no gmtoffset "
		    "in the response: cannot date the bars", label,
		    m->timezone != NULL ? m->timezone : "(none)");
		return -1;
	}
	if (c.timestamp != NULL && use_offset)
		log_warn("%s: time zone '%s' not installed: dating bars with "
		    "meta.gmtoffset %ld s, the offset when Yahoo answered",
		    label, m->timezone != NULL ? m->timezone : "(none)",
		    m->gmtoffset);
	if (!use_offset)
		zone_enter(&zone, m->timezone);

	for (; c.timestamp != NULL; cursor_next(&c)) {
		if (!cJSON_IsNumber(c.timestamp) || !cJSON_IsNumber(c.close) ||
		    !local_date(c.timestamp->valuedouble, use_offset,
		    m->gmtoffset, date)) {
			skipped++;
			continue;
		}
		write_bar(w, m, date, &c);
		bars++;
	}
	zone_leave(&zone);

	log_debug("%s: %lu bars, %lu null bars skipped", label, bars, skipped);
	counts.bars += bars;
	counts.null_bars += skipped;
	return 0;
}

/* Reports the error object of a chart response, if it has one. */
static bool
report_yahoo_error(const cJSON *chart, const char *label, long status)
{
	const cJSON *error = member(chart, "error");
	const char *code, *description;

	if (!cJSON_IsObject(error))
		return false;
	code = member_string(error, "code");
	description = member_string(error, "description");
	if (status != 200)
		log_error("%s: Yahoo error \"%s\": %s (HTTP %ld)", label,
		    code != NULL ? code : "?",
		    description != NULL ? description : "no description",
		    status);
	else
		log_error("%s: Yahoo error \"%s\": %s", label,
		    code != NULL ? code : "?",
		    description != NULL ? description : "no description");
	return true;
}

/*
 * Handles one chart response: a Yahoo error body, another HTTP error, or
 * the bars.  status is the HTTP status (200 for a saved file).  Returns 0,
 * or -1 after reporting why the symbol failed.
 */
static int
handle_chart(const char *body, size_t length, long status,
    const char *label, const char *requested_interval, struct jsonw *w)
{
	const cJSON *chart, *result;
	struct chart_meta meta;
	cJSON *root;
	int rc = -1;

	root = cJSON_ParseWithLength(body, length);
	chart = member(root, "chart");
	if (cJSON_IsObject(chart) && report_yahoo_error(chart, label, status))
		goto done;
	if (status != 200) {
		log_error("%s: HTTP %ld from Yahoo", label, status);
		goto done;
	}
	if (root == NULL || !cJSON_IsObject(chart)) {
		log_error("%s: not a chart response: %s", label, root == NULL ?
		    "invalid JSON" : "no \"chart\" object");
		goto done;
	}
	result = first_of(chart, "result");
	if (!cJSON_IsObject(result) || !cJSON_IsObject(member(result, "meta"))) {
		log_error("%s: chart response without a result", label);
		goto done;
	}
	read_meta(member(result, "meta"), requested_interval, &meta);
	if (meta.symbol == NULL) {
		log_error("%s: chart response without meta.symbol", label);
		goto done;
	}
	rc = write_bars(result, &meta, label, w);
done:
	cJSON_Delete(root);
	return rc;
}

/* ---- Sources: saved files and the network ---- */

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
	size_t length;
	char *body;

	counts.sources++;
	body = read_file(path, &length);
	if (body == NULL || handle_chart(body, length, 200, path,
	    opt->interval, w) < 0)
		counts.failed++;
	free(body);
}

/* Builds the chart URL of a symbol.  Symbols are checked by
 * valid_symbol, so only ^ and = need escaping. */
static int
chart_url(char *url, size_t size, const struct options *opt,
    const char *symbol)
{
	char escaped[3 * MAX_SYMBOL_LENGTH + 1], period[96];
	size_t n = 0;
	int written;

	for (const char *s = symbol; *s != '\0'; s++) {
		if (*s == '^' || *s == '=')
			n += (size_t)snprintf(escaped + n, sizeof escaped - n,
			    "%%%02X", (unsigned char)*s);
		else
			escaped[n++] = *s;
	}
	escaped[n] = '\0';

	if (opt->range != NULL)
		snprintf(period, sizeof period, "range=%s", opt->range);
	else
		/* period2 is exclusive: midnight UTC after the --end day. */
		snprintf(period, sizeof period, "period1=%lld&period2=%lld",
		    (long long)opt->start_days * 86400,
		    ((long long)opt->end_days + 1) * 86400);
	written = snprintf(url, size,
	    "%s/v8/finance/chart/%s?%s&interval=%s&events=div%%7Csplit",
	    opt->base_url, escaped, period, opt->interval);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

static void
fetch_symbol(struct http_client *client, const char *symbol,
    const struct options *opt, struct jsonw *w)
{
	struct http_response response;
	char url[4096], error[1024];
	enum http_result result;

	counts.sources++;
	if (chart_url(url, sizeof url, opt, symbol) < 0) {
		log_error("%s: --base-url too long", symbol);
		counts.failed++;
		return;
	}
	result = http_get(client, url, &response, error, sizeof error);
	if (result != HTTP_OK) {
		log_error("%s: %s", symbol, error);
		counts.failed++;
		return;
	}
	if (handle_chart(response.body, response.length, response.status,
	    symbol, opt->interval, w) < 0) {
		counts.failed++;
		if (response.status == 429)
			counts.temporary++;
	}
	http_response_free(&response);
}

static struct http_client *
new_client(const struct options *opt)
{
	char user_agent[128];
	struct http_options ho = {
		.user_agent = opt->user_agent,
		.max_retries = opt->retries,
		.max_requests_per_second = opt->rate,
		.cache_dir = opt->cache_dir,
		.offline = opt->offline,
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

static int
write_metrics_file(const char *path)
{
	struct promfile *pf;
	int status;

	if (path == NULL)
		return 0;
	pf = promfile_new();
	promfile_counter(pf, "corpintel_records_out_total",
	    "Records written to standard output.", NULL, (double)counts.bars);
	promfile_counter(pf, "corpintel_skipped_total",
	    "Bars skipped, by reason.", "reason=\"null-bar\"",
	    (double)counts.null_bars);
	promfile_counter(pf, "corpintel_sources_total",
	    "Symbols requested and saved files read.", NULL,
	    (double)counts.sources);
	promfile_counter(pf, "corpintel_sources_failed_total",
	    "Symbols and files that gave no bars because of an error.", NULL,
	    (double)counts.failed);
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

int
main(int argc, char **argv)
{
	struct options opt = { .base_url = DEFAULT_BASE_URL,
	    .interval = "1d", .rate = 2, .retries = 3 };
	struct http_client *client = NULL;
	struct jsonw w = { 0 };
	int status = EXIT_OK;

	cli_init(argc, argv);
	/* NOTE: --config is accepted as by every tool but no option of
	 * fetch-yahoo is read from it yet. */
	parse_options(argc, argv, &opt);
	check_inputs(&opt.inputs);
	if (opt.symbols.count > 0 && (client = new_client(&opt)) == NULL)
		return EXIT_SOFTWARE;

	for (size_t i = 0; i < opt.inputs.count; i++)
		fetch_file(opt.inputs.items[i], &opt, &w);
	for (size_t i = 0; i < opt.symbols.count; i++)
		fetch_symbol(client, opt.symbols.items[i], &opt, &w);

	log_info("%lu sources: %lu ok, %lu failed; %lu bars out, %lu null "
	    "bars skipped", counts.sources, counts.sources - counts.failed,
	    counts.failed, counts.bars, counts.null_bars);
	if (counts.failed > counts.temporary)
		status = EXIT_UNAVAILABLE;
	else if (counts.failed > 0)
		status = EXIT_TEMPFAIL;
	if (write_metrics_file(opt.common.metrics_file) != 0 && status == 0)
		status = EXIT_IOERR;

	http_client_free(client);
	jsonw_free(&w);
	free(opt.symbols.items);
	free(opt.inputs.items);
	if (cli_finish_stdout() != 0 && status == 0)
		status = EXIT_IOERR;
	return status;
}
