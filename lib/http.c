#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "log.h"

#define DEFAULT_CONNECT_TIMEOUT_MS	10000L
#define DEFAULT_TIMEOUT_MS		60000L
#define DEFAULT_BACKOFF_MS		500L
#define DEFAULT_MAX_BODY_BYTES		((size_t)256 * 1024 * 1024)
#define MAX_REDIRECTS			5L

/* The maximum wait between two tries, also for a longer Retry-After.
 * A batch tool that sleeps for many minutes looks hung, so it gives up
 * with a temporary failure instead and cron or systemd retry the run. */
#define MAX_RETRY_DELAY_MS		60000L

/*
 * The state that the clients made by http_client_share have in common
 * with the first one: the request rate, counted over all of them, and
 * the cookies.  Each client has its own libcurl handle, because a handle
 * must not be used by two threads at once.
 */
struct http_shared {
	pthread_mutex_t lock;		/* guards the members below */
	int references;
	bool started;			/* last_start is set */
	struct timespec last_start;	/* CLOCK_MONOTONIC */
	CURLSH *cookies;		/* NULL: no cookie store */
	pthread_mutex_t cookie_lock;	/* libcurl's lock of the store */
};

struct http_client {
	CURL *curl;
	struct http_shared *shared;
	char *user_agent;
	char *cache_dir;
	long connect_timeout_ms;
	long timeout_ms;
	int max_retries;
	long backoff_ms;
	double min_interval_s;		/* between request starts; 0: none */
	size_t max_body_bytes;
	bool offline;
	char *secret_param;		/* NULL: none */
	bool cookies;			/* keeps cookies between requests */
	uint64_t random_state;		/* xorshift64 state for the jitter */
	char curl_error[CURL_ERROR_SIZE];
};

/* A response body growing as libcurl delivers it. */
struct body {
	char *data;
	size_t length;
	size_t capacity;
	size_t max_bytes;
	bool too_large;
	bool out_of_memory;
};

static bool global_initialized;

static double
monotonic_seconds(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static void
sleep_seconds(double seconds)
{
	struct timespec delay, rest;

	if (seconds <= 0)
		return;
	delay.tv_sec = (time_t)seconds;
	delay.tv_nsec = (long)((seconds - (double)delay.tv_sec) * 1e9);
	while (nanosleep(&delay, &rest) != 0 && errno == EINTR)
		delay = rest;
}

static uint64_t
next_random(struct http_client *client)
{
	uint64_t x = client->random_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	client->random_state = x;
	return x;
}

static char *
strdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Sets what stays the same for every request of the client. */
static int
configure_handle(struct http_client *client)
{
	CURL *c = client->curl;
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, client->curl_error);
	rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	rc |= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    client->connect_timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, client->timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	/* A server must not redirect us to a local file. */
	rc |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (client->user_agent != NULL)
		rc |= curl_easy_setopt(c, CURLOPT_USERAGENT, client->user_agent);
	return rc == CURLE_OK ? 0 : -1;
}

static void
lock_cookies(CURL *handle, curl_lock_data data, curl_lock_access access,
    void *userptr)
{
	struct http_shared *shared = userptr;

	(void)handle;
	(void)data;
	(void)access;
	pthread_mutex_lock(&shared->cookie_lock);
}

static void
unlock_cookies(CURL *handle, curl_lock_data data, void *userptr)
{
	struct http_shared *shared = userptr;

	(void)handle;
	(void)data;
	pthread_mutex_unlock(&shared->cookie_lock);
}

/* Makes the state a client shares with the clients made from it.  With
 * cookies, a libcurl share object keeps them for every handle. */
static struct http_shared *
shared_new(bool cookies)
{
	struct http_shared *shared = calloc(1, sizeof *shared);
	CURLSHcode rc = CURLSHE_OK;

	if (shared == NULL)
		return NULL;
	pthread_mutex_init(&shared->lock, NULL);
	pthread_mutex_init(&shared->cookie_lock, NULL);
	shared->references = 1;
	if (!cookies)
		return shared;

	shared->cookies = curl_share_init();
	if (shared->cookies != NULL) {
		rc |= curl_share_setopt(shared->cookies, CURLSHOPT_LOCKFUNC,
		    lock_cookies);
		rc |= curl_share_setopt(shared->cookies, CURLSHOPT_UNLOCKFUNC,
		    unlock_cookies);
		rc |= curl_share_setopt(shared->cookies, CURLSHOPT_USERDATA,
		    shared);
		rc |= curl_share_setopt(shared->cookies, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_COOKIE);
	}
	if (shared->cookies == NULL || rc != CURLSHE_OK) {
		if (shared->cookies != NULL)
			curl_share_cleanup(shared->cookies);
		pthread_mutex_destroy(&shared->lock);
		pthread_mutex_destroy(&shared->cookie_lock);
		free(shared);
		return NULL;
	}
	return shared;
}

/* Drops a client's reference; the last one frees the shared state,
 * after every handle that used the cookie store is gone. */
static void
shared_release(struct http_shared *shared)
{
	int left;

	if (shared == NULL)
		return;
	pthread_mutex_lock(&shared->lock);
	left = --shared->references;
	pthread_mutex_unlock(&shared->lock);
	if (left > 0)
		return;
	if (shared->cookies != NULL)
		curl_share_cleanup(shared->cookies);
	pthread_mutex_destroy(&shared->lock);
	pthread_mutex_destroy(&shared->cookie_lock);
	free(shared);
}

/* Gives a client its libcurl handle, and its part in the cookie store
 * of its family. */
static int
open_handle(struct http_client *client)
{
	client->curl = curl_easy_init();
	if (client->curl == NULL || configure_handle(client) < 0) {
		log_error("libcurl handle setup failed");
		return -1;
	}
	if (!client->cookies)
		return 0;
	/* An empty file name turns on libcurl's cookie store in memory:
	 * cookies a response sets go out with the later requests, of
	 * every client of the family through the share object. */
	if (curl_easy_setopt(client->curl, CURLOPT_COOKIEFILE, "") !=
	    CURLE_OK || curl_easy_setopt(client->curl, CURLOPT_SHARE,
	    client->shared->cookies) != CURLE_OK) {
		log_error("libcurl cookie store setup failed");
		return -1;
	}
	return 0;
}

static void
seed_random(struct http_client *client)
{
	struct timespec now;

	/* The client's address distinguishes the clients of one process,
	 * so that their retries do not wait in step. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	client->random_state = ((uint64_t)now.tv_nsec << 20) ^
	    (uint64_t)getpid() ^ (uint64_t)(uintptr_t)client ^
	    0x9e3779b97f4a7c15ULL;
}

/*
 * Creates a client.  Returns NULL after logging the reason when libcurl
 * cannot be set up.  libcurl's global state is set up once per process,
 * by the first call.  So a tool that runs threads creates all its
 * clients, this one and those of http_client_share, before it starts
 * them.
 */
struct http_client *
http_client_new(const struct http_options *options)
{
	struct http_client *client;

	if (!global_initialized) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_error("libcurl initialization failed");
			return NULL;
		}
		global_initialized = true;
	}

	client = calloc(1, sizeof *client);
	if (client == NULL) {
		log_error("out of memory");
		return NULL;
	}
	client->user_agent = strdup_or_null(options->user_agent);
	client->cache_dir = strdup_or_null(options->cache_dir);
	client->connect_timeout_ms = options->connect_timeout_ms > 0 ?
	    options->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	client->timeout_ms = options->timeout_ms > 0 ?
	    options->timeout_ms : DEFAULT_TIMEOUT_MS;
	client->max_retries = options->max_retries > 0 ? options->max_retries : 0;
	client->backoff_ms = options->backoff_ms > 0 ?
	    options->backoff_ms : DEFAULT_BACKOFF_MS;
	/* One percent above the exact interval, because the server counts
	 * requests as they arrive and jitter can bring two of them closer.
	 * At 5 per second, six requests then span more than a second. */
	client->min_interval_s = options->max_requests_per_second > 0 ?
	    1.01 / options->max_requests_per_second : 0;
	client->max_body_bytes = options->max_body_bytes > 0 ?
	    options->max_body_bytes : DEFAULT_MAX_BODY_BYTES;
	client->offline = options->offline;
	client->secret_param = strdup_or_null(options->secret_param);
	client->cookies = options->cookies && !options->offline;
	client->shared = shared_new(client->cookies);
	seed_random(client);

	if (client->shared == NULL ||
	    (options->user_agent != NULL && client->user_agent == NULL) ||
	    (options->cache_dir != NULL && client->cache_dir == NULL) ||
	    (options->secret_param != NULL && client->secret_param == NULL)) {
		log_error("out of memory");
		http_client_free(client);
		return NULL;
	}
	if (client->offline)
		return client;

	if (open_handle(client) < 0) {
		http_client_free(client);
		return NULL;
	}
	log_debug("http: user agent '%s', at most %.3g requests per second",
	    client->user_agent != NULL ? client->user_agent : "(none)",
	    options->max_requests_per_second);
	return client;
}

/*
 * Creates a client for another thread, with the options of client, that
 * shares its rate limit and its cookies: the requests of all of them
 * together stay under the rate.  Returns NULL after logging the reason.
 */
struct http_client *
http_client_share(struct http_client *client)
{
	struct http_client *copy = calloc(1, sizeof *copy);

	if (copy == NULL) {
		log_error("out of memory");
		return NULL;
	}
	copy->user_agent = strdup_or_null(client->user_agent);
	copy->cache_dir = strdup_or_null(client->cache_dir);
	copy->connect_timeout_ms = client->connect_timeout_ms;
	copy->timeout_ms = client->timeout_ms;
	copy->max_retries = client->max_retries;
	copy->backoff_ms = client->backoff_ms;
	copy->min_interval_s = client->min_interval_s;
	copy->max_body_bytes = client->max_body_bytes;
	copy->offline = client->offline;
	copy->secret_param = strdup_or_null(client->secret_param);
	copy->cookies = client->cookies;
	seed_random(copy);

	pthread_mutex_lock(&client->shared->lock);
	client->shared->references++;
	pthread_mutex_unlock(&client->shared->lock);
	copy->shared = client->shared;

	if ((client->user_agent != NULL && copy->user_agent == NULL) ||
	    (client->cache_dir != NULL && copy->cache_dir == NULL) ||
	    (client->secret_param != NULL && copy->secret_param == NULL)) {
		log_error("out of memory");
		http_client_free(copy);
		return NULL;
	}
	if (!copy->offline && open_handle(copy) < 0) {
		http_client_free(copy);
		return NULL;
	}
	return copy;
}

void
http_client_free(struct http_client *client)
{
	if (client == NULL)
		return;
	if (client->curl != NULL)
		curl_easy_cleanup(client->curl);
	shared_release(client->shared);
	free(client->user_agent);
	free(client->cache_dir);
	free(client->secret_param);
	free(client);
}

void
http_response_free(struct http_response *response)
{
	if (response == NULL)
		return;
	free(response->body);
	free(response->content_type);
	memset(response, 0, sizeof *response);
}

static struct timespec
timespec_of(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	return ts;
}

/*
 * Waits until the minimum interval since the previous request start has
 * passed, so that every try, retries included, counts against the rate.
 * The clients of a family take their turns from one clock: each books
 * the next free start under the lock and sleeps outside it, so that a
 * waiting thread holds up no other.
 */
static void
wait_for_rate_limit(struct http_client *client)
{
	struct http_shared *shared = client->shared;
	double now, start;
	struct timespec ts;

	pthread_mutex_lock(&shared->lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = start = monotonic_seconds(&ts);
	if (shared->started && client->min_interval_s > 0 &&
	    monotonic_seconds(&shared->last_start) + client->min_interval_s >
	    now)
		start = monotonic_seconds(&shared->last_start) +
		    client->min_interval_s;
	shared->last_start = timespec_of(start);
	shared->started = true;
	pthread_mutex_unlock(&shared->lock);

	if (start <= now)
		return;
	sleep_seconds(start - now);

	/* A sleep ends late, never early: the real start, unless another
	 * client booked a later one meanwhile, is what the next waits for. */
	pthread_mutex_lock(&shared->lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (monotonic_seconds(&ts) > monotonic_seconds(&shared->last_start))
		shared->last_start = ts;
	pthread_mutex_unlock(&shared->lock);
}

/* Appends a chunk; returning a count other than the chunk's size makes
 * libcurl abort the transfer with CURLE_WRITE_ERROR. */
static size_t
write_body(char *chunk, size_t size, size_t count, void *userdata)
{
	struct body *body = userdata;
	size_t n = size * count;
	size_t capacity;
	char *grown;

	if (n > body->max_bytes - body->length) {
		body->too_large = true;
		return 0;
	}
	if (body->length + n + 1 > body->capacity) {
		capacity = body->capacity == 0 ? 16384 : body->capacity;
		while (capacity < body->length + n + 1)
			capacity *= 2;
		grown = realloc(body->data, capacity);
		if (grown == NULL) {
			body->out_of_memory = true;
			return 0;
		}
		body->data = grown;
		body->capacity = capacity;
	}
	memcpy(body->data + body->length, chunk, n);
	body->length += n;
	body->data[body->length] = '\0';
	return n;
}

static bool
retryable_curl_error(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool
retryable_status(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/*
 * Computes the wait before retry number attempt + 1.  The backoff doubles
 * for each earlier retry, plus a random jitter of up to half of it so
 * that clients that failed together do not retry together.  A longer
 * Retry-After wins.  Both are capped at MAX_RETRY_DELAY_MS.
 */
static long
retry_delay_ms(struct http_client *client, int attempt, long retry_after_s)
{
	long delay = client->backoff_ms;

	for (int i = 0; i < attempt && delay < MAX_RETRY_DELAY_MS; i++)
		delay *= 2;
	delay += (long)(next_random(client) % (uint64_t)(delay / 2 + 1));
	if (retry_after_s > 0) {
		long requested = retry_after_s > MAX_RETRY_DELAY_MS / 1000 ?
		    MAX_RETRY_DELAY_MS : retry_after_s * 1000;

		if (requested > delay)
			delay = requested;
	}
	return delay < MAX_RETRY_DELAY_MS ? delay : MAX_RETRY_DELAY_MS;
}

/* One try: fills response from the transfer, or returns the curl error. */
static CURLcode
perform(struct http_client *client, const char *url, struct body *body,
    struct http_response *response, long *retry_after_s)
{
	CURL *c = client->curl;
	curl_off_t retry_after = 0;
	const char *scheme = NULL;
	char *content_type = NULL;
	CURLcode code;

	client->curl_error[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);

	wait_for_rate_limit(client);
	code = curl_easy_perform(c);
	if (code != CURLE_OK)
		return code;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response->status);
	curl_easy_getinfo(c, CURLINFO_SCHEME, &scheme);
	if (scheme != NULL && strcasecmp(scheme, "file") == 0)
		response->status = 200;
	/* libcurl reads both forms of Retry-After, seconds and a date. */
	curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after);
	*retry_after_s = (long)retry_after;
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &content_type);
	if (content_type != NULL)
		response->content_type = strdup(content_type);
	return CURLE_OK;
}

static void
describe_curl_error(struct http_client *client, CURLcode code, char *error,
    size_t error_size, const char *url)
{
	const char *reason = client->curl_error[0] != '\0' ?
	    client->curl_error : curl_easy_strerror(code);

	snprintf(error, error_size, "GET %s: %s", url, reason);
}

/* Moves the collected body into the response, as an empty string when
 * the server sent none. */
static int
take_body(struct body *body, struct http_response *response)
{
	if (body->data == NULL) {
		body->data = calloc(1, 1);
		if (body->data == NULL)
			return -1;
	}
	response->body = body->data;
	response->length = body->length;
	body->data = NULL;
	body->length = body->capacity = 0;
	return 0;
}

/*
 * Builds the cache file name of a URL.  The 64-bit FNV-1a hash of the
 * whole URL, in hex, distinguishes URLs.  The last path segment follows,
 * with characters other than letters, digits, '.', '-' and '_' replaced
 * by '_', so that a person can tell the files apart too.
 */
static int
cache_path(const struct http_client *client, const char *url, char *path,
    size_t size)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	const char *segment, *end;
	char suffix[65];
	size_t n = 0;
	int written;

	for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++) {
		hash ^= *p;
		hash *= 0x100000001b3ULL;
	}

	end = url + strcspn(url, "?#");
	segment = end;
	while (segment > url && segment[-1] != '/')
		segment--;
	for (const char *p = segment; p < end && n < sizeof suffix - 1; p++) {
		unsigned char c = (unsigned char)*p;

		suffix[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' ? (char)c : '_';
	}
	suffix[n] = '\0';

	written = snprintf(path, size, "%s/%016llx%s%s", client->cache_dir,
	    (unsigned long long)hash, n > 0 ? "-" : "", suffix);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* Reads a cached body.  Returns HTTP_OK, HTTP_NOT_CACHED when there is
 * no copy, or another result with the reason in error. */
static enum http_result
read_cache(struct http_client *client, const char *url,
    struct http_response *response, char *error, size_t error_size)
{
	struct body body = { .max_bytes = client->max_body_bytes };
	char path[4096], chunk[65536];
	enum http_result result = HTTP_OK;
	size_t n;
	FILE *fp;

	if (cache_path(client, url, path, sizeof path) < 0) {
		snprintf(error, error_size, "GET %s: cache path too long", url);
		return HTTP_INTERNAL_ERROR;
	}
	fp = fopen(path, "rb");
	if (fp == NULL) {
		if (errno == ENOENT) {
			snprintf(error, error_size,
			    "GET %s: not in the cache %s (offline)", url,
			    client->cache_dir);
			return HTTP_NOT_CACHED;
		}
		snprintf(error, error_size, "GET %s: %s: %s", url, path,
		    strerror(errno));
		return HTTP_INTERNAL_ERROR;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (write_body(chunk, 1, n, &body) != n) {
			result = body.too_large ? HTTP_TOO_LARGE :
			    HTTP_INTERNAL_ERROR;
			snprintf(error, error_size, "GET %s: %s: %s", url, path,
			    body.too_large ? "cached body larger than the limit" :
			    "out of memory");
			break;
		}
	}
	if (result == HTTP_OK && ferror(fp)) {
		snprintf(error, error_size, "GET %s: %s: read error", url, path);
		result = HTTP_INTERNAL_ERROR;
	}
	fclose(fp);

	if (result == HTTP_OK && take_body(&body, response) < 0) {
		snprintf(error, error_size, "GET %s: out of memory", url);
		result = HTTP_INTERNAL_ERROR;
	}
	free(body.data);
	if (result == HTTP_OK) {
		response->status = 200;
		response->from_cache = true;
		log_debug("GET %s: %zu bytes from %s", url, response->length, path);
	}
	return result;
}

/*
 * Stores a body in the cache: written beside its final name, then
 * renamed, so a reader never sees half a file.  A failure only costs the
 * cached copy, so it is a warning and the response is still returned.
 */
static void
write_cache(struct http_client *client, const char *url,
    const struct http_response *response)
{
	char path[4096], tmp[4200];
	size_t written;
	FILE *fp;

	if (cache_path(client, url, path, sizeof path) < 0) {
		log_warn("GET %s: cache path too long; response not cached", url);
		return;
	}
	if (mkdir(client->cache_dir, 0777) != 0 && errno != EEXIST) {
		log_warn("%s: cannot create cache folder: %s", client->cache_dir,
		    strerror(errno));
		return;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	fp = fopen(tmp, "wb");
	if (fp == NULL) {
		log_warn("%s: cannot write cache file: %s", tmp, strerror(errno));
		return;
	}
	written = fwrite(response->body, 1, response->length, fp);
	if (fclose(fp) != 0 || written != response->length) {
		log_warn("%s: write error: %s", tmp, strerror(errno));
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) != 0) {
		log_warn("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
	}
}

/*
 * Copies url into out with the value of the secret query parameter
 * replaced by "hidden", or with the whole parameter left out when drop
 * is set.  Returns -1 when out is too small.
 */
static int
hide_secret(const struct http_client *client, const char *url, bool drop,
    char *out, size_t size)
{
	const char *query = strchr(url, '?'), *p, *end;
	size_t name_length, n = 0;
	int written;

	if (client->secret_param == NULL || query == NULL)
		return snprintf(out, size, "%s", url) < (int)size ? 0 : -1;
	name_length = strlen(client->secret_param);
	n = (size_t)(query - url);
	if (n >= size)
		return -1;
	memcpy(out, url, n);
	for (p = query + 1; *p != '\0' && *p != '#';
	    p = *end == '&' ? end + 1 : end) {
		bool secret;

		end = p + strcspn(p, "&#");
		secret = strncmp(p, client->secret_param, name_length) == 0 &&
		    p[name_length] == '=';
		if (secret && drop)
			continue;
		written = secret ?
		    snprintf(out + n, size - n, "%c%s=hidden",
		    n == (size_t)(query - url) ? '?' : '&', client->secret_param) :
		    snprintf(out + n, size - n, "%c%.*s",
		    n == (size_t)(query - url) ? '?' : '&', (int)(end - p), p);
		if (written < 0 || (size_t)written >= size - n)
			return -1;
		n += (size_t)written;
	}
	out[n] = '\0';
	return 0;
}

/*
 * The common part of http_get and http_get_uncached.  Messages show the
 * URL with its secret hidden.  The cache file name is made without the
 * secret, so that a replay finds a response whatever secret fetched it.
 */
static enum http_result
get(struct http_client *client, const char *url, bool use_cache,
    struct http_response *response, char *error, size_t error_size)
{
	struct body body = { .max_bytes = client->max_body_bytes };
	enum http_result result = HTTP_OK;
	long retry_after_s = 0, delay_ms;
	char shown[4096], keyed[4096];
	CURLcode code;

	memset(response, 0, sizeof *response);
	error[0] = '\0';
	if (hide_secret(client, url, false, shown, sizeof shown) < 0 ||
	    hide_secret(client, url, true, keyed, sizeof keyed) < 0) {
		snprintf(error, error_size, "GET %.200s...: URL too long", url);
		return HTTP_INTERNAL_ERROR;
	}
	if (client->offline) {
		if (!use_cache || client->cache_dir == NULL) {
			snprintf(error, error_size, "GET %s: %s", shown,
			    use_cache ? "offline without a cache folder" :
			    "not cached, so not fetched offline");
			return HTTP_NOT_CACHED;
		}
		return read_cache(client, keyed, response, error, error_size);
	}

	for (int attempt = 0;; attempt++) {
		http_response_free(response);
		body.length = 0;
		body.too_large = false;
		body.out_of_memory = false;
		retry_after_s = 0;
		log_debug("GET %s", shown);
		code = perform(client, url, &body, response, &retry_after_s);

		if (code == CURLE_OK && !retryable_status(response->status))
			break;
		if (code == CURLE_WRITE_ERROR && body.too_large) {
			snprintf(error, error_size,
			    "GET %s: response larger than %zu bytes", shown,
			    client->max_body_bytes);
			result = HTTP_TOO_LARGE;
			goto done;
		}
		if (code == CURLE_WRITE_ERROR && body.out_of_memory) {
			snprintf(error, error_size, "GET %s: out of memory", shown);
			result = HTTP_INTERNAL_ERROR;
			goto done;
		}
		if (code == CURLE_FILE_COULDNT_READ_FILE) {
			/* A missing file:// document reads like HTTP's 404. */
			response->status = 404;
			code = CURLE_OK;
			break;
		}
		if (code != CURLE_OK && !retryable_curl_error(code)) {
			describe_curl_error(client, code, error, error_size, shown);
			result = HTTP_NETWORK_ERROR;
			goto done;
		}
		if (attempt >= client->max_retries)
			break;

		delay_ms = retry_delay_ms(client, attempt, retry_after_s);
		if (code != CURLE_OK)
			describe_curl_error(client, code, error, error_size, shown);
		else
			snprintf(error, error_size, "GET %s: HTTP %ld", shown,
			    response->status);
		log_warn("%s; retry %d of %d in %.1f s", error, attempt + 1,
		    client->max_retries, (double)delay_ms / 1000);
		error[0] = '\0';
		sleep_seconds((double)delay_ms / 1000);
	}

	if (code != CURLE_OK) {
		describe_curl_error(client, code, error, error_size, shown);
		result = HTTP_NETWORK_ERROR;
		goto done;
	}
	if (take_body(&body, response) < 0) {
		snprintf(error, error_size, "GET %s: out of memory", shown);
		result = HTTP_INTERNAL_ERROR;
		goto done;
	}
	log_debug("GET %s: HTTP %ld, %zu bytes", shown, response->status,
	    response->length);
	if (use_cache && client->cache_dir != NULL &&
	    response->status >= 200 && response->status <= 299)
		write_cache(client, keyed, response);

done:
	free(body.data);
	if (result != HTTP_OK)
		http_response_free(response);
	return result;
}

/*
 * Fetches url.  Returns HTTP_OK with the response whatever its status
 * (a 429 or 5xx only after the retries ran out), or another result with
 * "GET URL: reason" in error.  Online, every call goes to the network
 * and refreshes the cache; offline, only the cache is read.
 */
enum http_result
http_get(struct http_client *client, const char *url,
    struct http_response *response, char *error, size_t error_size)
{
	return get(client, url, true, response, error, error_size);
}

/* Fetches url without the cache, for requests such as a session's
 * cookie and token that a replay must neither need nor keep. */
enum http_result
http_get_uncached(struct http_client *client, const char *url,
    struct http_response *response, char *error, size_t error_size)
{
	return get(client, url, false, response, error, error_size);
}

/*
 * Fetches url as http_get does, unless the cache contains a copy
 * written less than max_age_s seconds ago: that copy is returned
 * without a request.  For documents that change slowly, such as SEC's company
 * tickers file, this saves a request per run.
 */
enum http_result
http_get_fresh(struct http_client *client, const char *url, long max_age_s,
    struct http_response *response, char *error, size_t error_size)
{
	char keyed[4096], path[4096];
	struct stat st;
	time_t now = time(NULL);

	if (client->offline || client->cache_dir == NULL || max_age_s <= 0)
		return get(client, url, true, response, error, error_size);
	if (hide_secret(client, url, true, keyed, sizeof keyed) < 0 ||
	    cache_path(client, keyed, path, sizeof path) < 0)
		return get(client, url, true, response, error, error_size);
	if (stat(path, &st) == 0 && now >= st.st_mtime &&
	    now - st.st_mtime < max_age_s) {
		memset(response, 0, sizeof *response);
		error[0] = '\0';
		log_debug("GET %s: cached copy is %lld s old, under the %ld s "
		    "limit", keyed, (long long)(now - st.st_mtime), max_age_s);
		return read_cache(client, keyed, response, error, error_size);
	}
	return get(client, url, true, response, error, error_size);
}
