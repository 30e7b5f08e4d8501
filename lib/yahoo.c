/*
 * Yahoo Finance responses: telling the endpoints apart, Yahoo's error
 * bodies, and dating timestamps in an exchange's calendar.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "yahoo.h"

const cJSON *
yahoo_member(const cJSON *object, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(object, key);
}

const char *
yahoo_string(const cJSON *object, const char *key)
{
	const cJSON *item = yahoo_member(object, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The first element of an array member, or NULL. */
const cJSON *
yahoo_first(const cJSON *object, const char *key)
{
	const cJSON *array = yahoo_member(object, key);

	return cJSON_IsArray(array) ? array->child : NULL;
}

void
yahoo_number_or_null(struct jsonw *w, const char *key, const cJSON *item)
{
	if (cJSON_IsNumber(item))
		jsonw_number(w, key, item->valuedouble);
	else
		jsonw_null(w, key);
}

void
yahoo_string_or_null(struct jsonw *w, const char *key, const char *value)
{
	if (value != NULL)
		jsonw_string(w, key, value);
	else
		jsonw_null(w, key);
}

void
yahoo_emit(const struct yahoo_request *r, struct jsonw *w)
{
	if (jsonw_write(w, r->out != NULL ? r->out : stdout) < 0)
		cli_exit_write_error();
}

/* ---- dating timestamps ---- */

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

/*
 * Prepares to date timestamps in zone, switching the process's TZ to it
 * until yahoo_clock_stop.  Without the zone installed, the fixed offset
 * dates them, with a warning, since it is the offset at the time of the response
 * and may differ across a daylight saving change.  Returns false, after
 * reporting, when neither is available.
 */
bool
yahoo_clock_start(struct yahoo_clock *clock, const char *zone,
    bool has_offset, long offset, const char *label)
{
	const char *old;

	memset(clock, 0, sizeof *clock);
	if (!zone_installed(zone)) {
		if (!has_offset) {
			log_error("%s: time zone '%s' not installed and no "
			    "gmtoffset in the response: cannot date the "
			    "records", label, zone != NULL ? zone : "(none)");
			return false;
		}
		log_warn("%s: time zone '%s' not installed: dating with the "
		    "response's offset %ld s, the offset when Yahoo answered",
		    label, zone != NULL ? zone : "(none)", offset);
		clock->use_offset = true;
		clock->offset = offset;
		return true;
	}
	old = getenv("TZ");
	clock->saved_tz = old != NULL ? strdup(old) : NULL;
	clock->zone_set = setenv("TZ", zone, 1) == 0;
	tzset();
	return true;
}

/* Formats the local date of a timestamp; false when it has none. */
bool
yahoo_clock_date(const struct yahoo_clock *clock, double timestamp,
    char date[DATE_TEXT_SIZE])
{
	time_t t;
	struct tm tm;

	/* Far outside any market's history, and beyond what time_t and
	 * struct tm hold on every platform. */
	if (!(timestamp > -1e11 && timestamp < 1e11))
		return false;
	t = (time_t)timestamp;
	if (clock->use_offset) {
		t += clock->offset;
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

void
yahoo_clock_stop(struct yahoo_clock *clock)
{
	if (!clock->zone_set)
		return;
	if (clock->saved_tz != NULL)
		setenv("TZ", clock->saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(clock->saved_tz);
	clock->saved_tz = NULL;
	clock->zone_set = false;
}

/* ---- one response ---- */

/* Yahoo wraps every response in one object named after the endpoint; a
 * rejected crumb or cookie comes back under "finance". */
static const char *const wrappers[] = {
	"chart", "timeseries", "quoteSummary", "finance", NULL,
};

static const cJSON *
wrapper(const cJSON *root, const char **name)
{
	for (const char *const *w = wrappers; *w != NULL; w++) {
		const cJSON *object = yahoo_member(root, *w);

		if (cJSON_IsObject(object)) {
			*name = *w;
			return object;
		}
	}
	return NULL;
}

static bool
crumb_rejected(const cJSON *error, long status)
{
	const char *description = yahoo_string(error, "description");

	return status == 401 || (description != NULL &&
	    (strstr(description, "Invalid Crumb") != NULL ||
	    strstr(description, "Invalid Cookie") != NULL));
}

/* Reports the error object of a response, if it has one. */
static bool
yahoo_error(const cJSON *top, const struct yahoo_request *r, long status,
    enum yahoo_failure *failure)
{
	const cJSON *error = yahoo_member(top, "error");
	const char *code, *description;
	char http[32] = "";

	if (!cJSON_IsObject(error))
		return false;
	if (crumb_rejected(error, status)) {
		*failure = YAHOO_INVALID_CRUMB;
		return true;
	}
	code = yahoo_string(error, "code");
	description = yahoo_string(error, "description");
	if (status != 200)
		snprintf(http, sizeof http, " (HTTP %ld)", status);
	log_error("%s: Yahoo error \"%s\": %s%s", r->label,
	    code != NULL ? code : "?",
	    description != NULL ? description : "no description", http);
	*failure = status == 429 ? YAHOO_RATE_LIMITED : YAHOO_FAILED;
	return true;
}

static int
http_error(const struct yahoo_request *r, long status,
    enum yahoo_failure *failure)
{
	if (status == 429) {
		log_error("%s: HTTP 429 from Yahoo: too many requests, still "
		    "after the retries; lower --rate or try later", r->label);
		*failure = YAHOO_RATE_LIMITED;
	} else if (status == 401) {
		*failure = YAHOO_INVALID_CRUMB;
	} else {
		log_error("%s: HTTP %ld from Yahoo", r->label, status);
		*failure = YAHOO_FAILED;
	}
	return -1;
}

int
yahoo_write_response(const char *body, size_t length, long status,
    const struct yahoo_request *request, struct yahoo_counts *counts,
    struct jsonw *w, enum yahoo_failure *failure)
{
	const char *name = NULL;
	const cJSON *top;
	cJSON *root;
	int rc = -1;

	*failure = YAHOO_FAILED;
	root = cJSON_ParseWithLength(body, length);
	top = wrapper(root, &name);
	if (top != NULL && yahoo_error(top, request, status, failure))
		goto done;
	if (status != 200) {
		rc = http_error(request, status, failure);
		goto done;
	}
	if (root == NULL || top == NULL) {
		log_error("%s: not a Yahoo response: %s", request->label,
		    root == NULL ? "invalid JSON" : "no chart, timeseries or "
		    "quoteSummary object");
		goto done;
	}

	if (strcmp(name, "chart") == 0)
		rc = yahoo_write_chart(top, request, counts, w);
	else if (strcmp(name, "timeseries") == 0)
		rc = yahoo_write_timeseries(top, request, counts, w);
	else if (strcmp(name, "quoteSummary") == 0)
		rc = yahoo_write_quote_summary(top, request, counts, w);
	else
		log_error("%s: Yahoo returned an empty \"finance\" object",
		    request->label);
done:
	cJSON_Delete(root);
	return rc;
}
