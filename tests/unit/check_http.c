#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

/* Each case works in its own temporary folder, with file:// URLs, so no
 * request leaves the machine. */
static char folder[256];
static char document_url[600];
static const char document[] = "{\"cik\":999001,\"facts\":{}}\n";

static void
setup(void)
{
	char path[512];
	FILE *fp;

	snprintf(folder, sizeof folder, "%s/check_http.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(folder));
	snprintf(path, sizeof path, "%s/doc.json", folder);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(document, fp);
	fclose(fp);
	snprintf(document_url, sizeof document_url, "file://%s", path);
}

static void
teardown(void)
{
	char command[600];

	snprintf(command, sizeof command, "rm -rf '%s'", folder);
	ck_assert_int_eq(system(command), 0);
}

static struct http_client *
client_with(const char *cache_dir, bool offline)
{
	struct http_options options = {
		.user_agent = "check_http test@example.com",
		.cache_dir = cache_dir,
		.offline = offline,
	};
	struct http_client *client = http_client_new(&options);

	ck_assert_ptr_nonnull(client);
	return client;
}

/* Returns the number of entries in dir, and the name of the last one. */
static int
count_entries(const char *dir, char *name, size_t size)
{
	struct dirent *entry;
	int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((entry = readdir(d)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(name, size, "%s", entry->d_name);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(file_url_returns_body)
{
	struct http_client *client = client_with(NULL, false);
	struct http_response response;
	char error[256];

	ck_assert_int_eq(http_get(client, document_url, &response, error,
	    sizeof error), HTTP_OK);
	ck_assert_int_eq(response.status, 200);
	ck_assert_str_eq(response.body, document);
	ck_assert_uint_eq(response.length, strlen(document));
	ck_assert(!response.from_cache);
	http_response_free(&response);
	http_client_free(client);
}
END_TEST

START_TEST(missing_file_is_404)
{
	struct http_client *client = client_with(NULL, false);
	struct http_response response;
	char error[256], url[700];

	snprintf(url, sizeof url, "file://%s/absent.json", folder);
	ck_assert_int_eq(http_get(client, url, &response, error, sizeof error),
	    HTTP_OK);
	ck_assert_int_eq(response.status, 404);
	http_response_free(&response);
	http_client_free(client);
}
END_TEST

START_TEST(other_protocols_rejected)
{
	struct http_client *client = client_with(NULL, false);
	struct http_response response;
	char error[256];

	ck_assert_int_eq(http_get(client, "ftp://127.0.0.1/x", &response,
	    error, sizeof error), HTTP_NETWORK_ERROR);
	ck_assert_msg(strncmp(error, "GET ftp://127.0.0.1/x: ", 23) == 0,
	    "error '%s' does not start with the request", error);
	ck_assert_ptr_null(response.body);
	http_client_free(client);
}
END_TEST

START_TEST(body_over_limit_is_too_large)
{
	struct http_options options = { .max_body_bytes = 10 };
	struct http_client *client = http_client_new(&options);
	struct http_response response;
	char error[256];

	ck_assert_ptr_nonnull(client);
	ck_assert_int_eq(http_get(client, document_url, &response, error,
	    sizeof error), HTTP_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(error, "larger than 10 bytes"));
	ck_assert_ptr_null(response.body);
	http_client_free(client);
}
END_TEST

START_TEST(cache_then_offline_replay)
{
	char cache[300], name[256], path[600], error[256];
	struct http_response response;
	struct http_client *client;
	FILE *fp;
	size_t n;

	snprintf(cache, sizeof cache, "%s/cache", folder);
	client = client_with(cache, false);
	ck_assert_int_eq(http_get(client, document_url, &response, error,
	    sizeof error), HTTP_OK);
	http_response_free(&response);
	http_client_free(client);

	ck_assert_int_eq(count_entries(cache, name, sizeof name), 1);
	ck_assert_msg(strlen(name) > 9 &&
	    strcmp(name + strlen(name) - 9, "-doc.json") == 0,
	    "cache file '%s' does not end in the URL's last segment", name);
	snprintf(path, sizeof path, "%s/%s", cache, name);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(error, 1, sizeof error - 1, fp);
	error[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(error, document);

	client = client_with(cache, true);
	ck_assert_int_eq(http_get(client, document_url, &response, error,
	    sizeof error), HTTP_OK);
	ck_assert(response.from_cache);
	ck_assert_int_eq(response.status, 200);
	ck_assert_str_eq(response.body, document);
	http_response_free(&response);
	http_client_free(client);
}
END_TEST

START_TEST(offline_miss_is_not_cached)
{
	char cache[300], url[700], error[512];
	struct http_response response;
	struct http_client *client;

	snprintf(cache, sizeof cache, "%s/cache", folder);
	snprintf(url, sizeof url, "file://%s/doc.json", folder);
	client = client_with(cache, true);
	ck_assert_int_eq(http_get(client, url, &response, error, sizeof error),
	    HTTP_NOT_CACHED);
	ck_assert_ptr_nonnull(strstr(error, "not in the cache"));
	ck_assert_int_eq(count_entries(cache, error, 64), -1);
	http_client_free(client);

	client = client_with(NULL, true);
	ck_assert_int_eq(http_get(client, url, &response, error, sizeof error),
	    HTTP_NOT_CACHED);
	http_client_free(client);
}
END_TEST

START_TEST(non_2xx_is_not_cached)
{
	char cache[300], url[700], error[256], name[256];
	struct http_response response;
	struct http_client *client;

	snprintf(cache, sizeof cache, "%s/cache", folder);
	snprintf(url, sizeof url, "file://%s/absent.json", folder);
	client = client_with(cache, false);
	ck_assert_int_eq(http_get(client, url, &response, error, sizeof error),
	    HTTP_OK);
	ck_assert_int_eq(response.status, 404);
	http_response_free(&response);
	http_client_free(client);
	ck_assert_int_le(count_entries(cache, name, sizeof name), 0);
}
END_TEST

/* A lower bound only: five requests at 20 a second need at least four
 * intervals of 50 ms between their starts. */
START_TEST(rate_limit_spaces_requests)
{
	struct http_options options = { .max_requests_per_second = 20 };
	struct http_client *client = http_client_new(&options);
	struct http_response response;
	struct timespec start, end;
	char error[256];
	double elapsed;

	ck_assert_ptr_nonnull(client);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(http_get(client, document_url, &response, error,
		    sizeof error), HTTP_OK);
		http_response_free(&response);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	elapsed = (double)(end.tv_sec - start.tv_sec) +
	    (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	ck_assert_msg(elapsed >= 0.2, "5 requests took %.3f s", elapsed);
	http_client_free(client);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, file_url_returns_body);
	tcase_add_test(tc, missing_file_is_404);
	tcase_add_test(tc, other_protocols_rejected);
	tcase_add_test(tc, body_over_limit_is_too_large);
	tcase_add_test(tc, cache_then_offline_replay);
	tcase_add_test(tc, offline_miss_is_not_cached);
	tcase_add_test(tc, non_2xx_is_not_cached);
	tcase_add_test(tc, rate_limit_spaces_requests);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
