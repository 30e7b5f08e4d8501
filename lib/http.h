#ifndef CORPINTEL_HTTP_H
#define CORPINTEL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * HTTP GET for the fetchers, on libcurl: TLS verification always on,
 * gzip, timeouts, a declared User-Agent, a request rate limit shared by
 * every request of the client, retries with exponential backoff and
 * jitter on 429, 5xx and network errors (honouring Retry-After), a
 * maximum body size, and an optional raw-response cache folder that
 * --offline replays without network.  file:// URLs work too.
 *
 * A client is used by one thread at a time.  For parallel requests,
 * http_client_share makes one client per thread that keeps the rate
 * limit and the cookies in common; all of them are created before the
 * threads start.
 */

struct http_options {
	const char *user_agent;		/* required for SEC */
	long connect_timeout_ms;	/* 0: 10 s */
	long timeout_ms;		/* whole transfer; 0: 60 s */
	int max_retries;		/* after the first try; <0: 0 */
	long backoff_ms;		/* first retry delay; 0: 500 ms */
	double max_requests_per_second;	/* 0: no limit */
	size_t max_body_bytes;		/* 0: 256 MiB */
	const char *cache_dir;		/* NULL: no cache */
	bool offline;			/* serve from cache only */
	bool cookies;			/* keep cookies between requests */
	const char *secret_param;	/* a query parameter, such as Yahoo's
					   crumb, shown as "hidden" in logs
					   and left out of cache names */
};

struct http_response {
	long status;			/* HTTP status; for file://, 200 or
					   404 when the file cannot be read */
	char *body;			/* NUL-terminated; owned */
	size_t length;
	char *content_type;		/* may be NULL */
	bool from_cache;
};

enum http_result {
	HTTP_OK,		/* a response, whatever its status */
	HTTP_NETWORK_ERROR,	/* no response after the retries */
	HTTP_TOO_LARGE,		/* the body passed max_body_bytes */
	HTTP_NOT_CACHED,	/* offline and no cached copy */
	HTTP_INTERNAL_ERROR,
};

struct http_client;

struct http_client *http_client_new(const struct http_options *options);
struct http_client *http_client_share(struct http_client *client);
enum http_result http_get(struct http_client *client, const char *url,
    struct http_response *response, char *error, size_t error_size);
enum http_result http_get_uncached(struct http_client *client,
    const char *url, struct http_response *response, char *error,
    size_t error_size);
enum http_result http_get_fresh(struct http_client *client,
    const char *url, long max_age_s, struct http_response *response,
    char *error, size_t error_size);
void http_response_free(struct http_response *response);
void http_client_free(struct http_client *client);

#endif
