#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"

#define PASSWORD_MASK "***"

/*
 * Copies a libpq or server message as one line: the "ERROR:" or "FATAL:"
 * severity dropped, each line break with its indentation turned into
 * "; ", trailing white space removed.
 */
void
pg_trim_message(char *out, size_t size, const char *message)
{
	static const char *const severities[] = {
		"ERROR:", "FATAL:", "PANIC:", "WARNING:", "NOTICE:"
	};
	size_t n = 0;
	const char *p;

	if (size == 0)
		return;
	if (message == NULL)
		message = "";
	for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++) {
		size_t len = strlen(severities[i]);

		if (strncmp(message, severities[i], len) == 0) {
			message += len;
			break;
		}
	}
	while (*message == ' ')
		message++;

	for (p = message; *p != '\0' && n + 1 < size; p++) {
		if (*p != '\n') {
			out[n++] = *p;
			continue;
		}
		while (p[1] == ' ' || p[1] == '\t' || p[1] == '\n')
			p++;
		if (p[1] != '\0' && n + 3 < size) {
			out[n++] = ';';
			out[n++] = ' ';
		}
	}
	while (n > 0 && isspace((unsigned char)out[n - 1]))
		n--;
	out[n] = '\0';
}

/* Keeps the error of a failed result: the server's primary message and
 * its detail, or libpq's message when the server sent none. */
void
pg_set_error(struct pg *db, const PGresult *res)
{
	const char *primary = NULL, *detail = NULL, *state = NULL;
	char text[PG_ERROR_SIZE];

	if (res != NULL) {
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s",
	    state != NULL ? state : "");
	if (primary == NULL) {
		pg_trim_message(db->error, sizeof db->error,
		    db->conn != NULL ? PQerrorMessage(db->conn) : "no connection");
		if (db->error[0] == '\0')
			snprintf(db->error, sizeof db->error, "unknown error");
		return;
	}
	if (detail != NULL)
		snprintf(text, sizeof text, "%s (%s)", primary, detail);
	else
		snprintf(text, sizeof text, "%s", primary);
	pg_trim_message(db->error, sizeof db->error, text);
}

/* Shows the server's notices (a table that already exists, a hypertable
 * already made) in debug output rather than on stderr unasked. */
static void
log_notice(void *arg, const char *message)
{
	char line[PG_ERROR_SIZE];

	(void)arg;
	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	pg_trim_message(line, sizeof line, message);
	log_debug("server: %s", line);
}

/* Names where the connection settings came from, for messages. */
const char *
pg_dsn_origin(const char *dsn)
{
	if (dsn != NULL)
		return "--dsn";
	if (getenv("DATABASE_URL") != NULL && *getenv("DATABASE_URL") != '\0')
		return "DATABASE_URL";
	return "the PG* environment";
}

/*
 * Checks that libpq can read the DSN, so that a typo in it is reported
 * as a setting to fix rather than a connection to retry.  The message
 * names no value, since the DSN may hold a password.
 */
static bool
dsn_parses(struct pg *db, const char *dsn)
{
	PQconninfoOption *options;
	char *reason = NULL;

	if (*dsn == '\0')
		return true;
	options = PQconninfoParse(dsn, &reason);
	if (options != NULL) {
		PQconninfoFree(options);
		return true;
	}
	db->invalid_settings = true;
	/* libpq's reason may quote a piece of the string, which could be a
	 * password; only the unknown-keyword reason is safe to repeat. */
	if (reason != NULL && strncmp(reason, "invalid connection option", 25) == 0)
		pg_trim_message(db->error, sizeof db->error, reason);
	else
		snprintf(db->error, sizeof db->error, "invalid connection string: "
		    "check its key=value pairs or its postgresql:// URI syntax");
	PQfreemem(reason);
	return false;
}

/*
 * Connects with the DSN given (--dsn), else DATABASE_URL, else libpq's
 * PG* environment alone.  The DSN may be a URI or key=value pairs, and
 * libpq fills what it leaves out from the environment.  Returns 0, or -1
 * with the reason in db->error.
 */
int
pg_open(struct pg *db, const char *dsn)
{
	const char *keywords[] = { "dbname", "fallback_application_name", NULL };
	const char *values[] = { NULL, log_progname(), NULL };

	memset(db, 0, sizeof *db);
	if (dsn == NULL)
		dsn = getenv("DATABASE_URL");
	values[0] = dsn != NULL ? dsn : "";
	if (!dsn_parses(db, values[0]))
		return -1;
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		char masked[512];

		pg_mask_dsn(values[0], masked, sizeof masked);
		log_debug("connecting with \"%s\" and the PG* environment", masked);
	}

	db->conn = PQconnectdbParams(keywords, values, 1);
	if (db->conn == NULL) {
		snprintf(db->error, sizeof db->error, "out of memory");
		return -1;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		pg_set_error(db, NULL);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, log_notice, NULL);
	if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
		pg_set_error(db, NULL);
		return -1;
	}
	/* Dates travel as YYYY-MM-DD whatever the server's default. */
	return pg_exec(db, "SET DateStyle = 'ISO, YMD'", 0, NULL);
}

void
pg_close(struct pg *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

/* Runs a statement that returns no rows.  Returns 0, or -1 with the
 * reason in db->error. */
int
pg_exec(struct pg *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params,
	    NULL, NULL, 0);
	int status = PQresultStatus(res);

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	pg_set_error(db, res);
	PQclear(res);
	return -1;
}

/* Runs SQL text that may hold several statements and no parameters, such
 * as a migration file.  Returns 0, or -1 with the reason in db->error. */
int
pg_exec_script(struct pg *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int status = PQresultStatus(res);

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	pg_set_error(db, res);
	PQclear(res);
	return -1;
}

/* Runs a query and returns its rows in text format, to be freed with
 * PQclear, or NULL with the reason in db->error. */
PGresult *
pg_query(struct pg *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params,
	    NULL, NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	pg_set_error(db, res);
	PQclear(res);
	return NULL;
}

/*
 * Tells whether the last failure means the server is gone, so the work
 * may be retried later: the connection is broken, or the server reported
 * a connection exception (SQLSTATE class 08) or a shutdown (57P01..57P03).
 */
bool
pg_connection_lost(const struct pg *db)
{
	if (db->conn == NULL || PQstatus(db->conn) == CONNECTION_BAD)
		return true;
	return strncmp(db->sqlstate, "08", 2) == 0 ||
	    strcmp(db->sqlstate, "57P01") == 0 ||
	    strcmp(db->sqlstate, "57P02") == 0 ||
	    strcmp(db->sqlstate, "57P03") == 0;
}

static void
copy_append(struct pg_copy *c, const char *s, size_t n)
{
	if (c->failed)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap == 0 ? 65536 : c->cap;
		char *grown;

		while (cap < c->len + n + 1)
			cap *= 2;
		grown = realloc(c->buf, cap);
		if (grown == NULL) {
			c->failed = 1;
			return;
		}
		c->buf = grown;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/*
 * Adds one field to the current row in COPY's text format: a tab between
 * fields, \N for NULL, and a backslash escape for the backslash and for
 * the three characters that would end a field or a row.
 */
void
pg_copy_field_len(struct pg_copy *c, const char *value, size_t len)
{
	size_t i, run = 0;

	if (c->fields++ > 0)
		copy_append(c, "\t", 1);
	if (value == NULL) {
		copy_append(c, "\\N", 2);
		return;
	}
	for (i = 0; i < len; i++) {
		const char *esc;

		switch (value[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		copy_append(c, value + run, i - run);
		copy_append(c, esc, 2);
		run = i + 1;
	}
	copy_append(c, value + run, len - run);
}

void
pg_copy_field(struct pg_copy *c, const char *value)
{
	pg_copy_field_len(c, value, value != NULL ? strlen(value) : 0);
}

void
pg_copy_end_row(struct pg_copy *c)
{
	copy_append(c, "\n", 1);
	c->fields = 0;
	c->rows++;
}

/* Appends rows already in COPY's text format, such as another
 * pg_copy's. */
void
pg_copy_append_rows(struct pg_copy *c, const char *data, size_t len,
    size_t rows)
{
	copy_append(c, data, len);
	c->rows += rows;
}

void
pg_copy_reset(struct pg_copy *c)
{
	c->len = 0;
	c->rows = 0;
	c->fields = 0;
	c->failed = 0;
}

void
pg_copy_free(struct pg_copy *c)
{
	free(c->buf);
	memset(c, 0, sizeof *c);
}

/* Starts sql, a COPY ... FROM STDIN statement.  Returns 0, or -1 with
 * the reason in db->error. */
int
pg_copy_begin(struct pg *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_set_error(db, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* Sends COPY data, in pieces because libpq takes an int length.  Returns
 * 0, or -1 when the connection failed: pg_copy_end then reports it. */
int
pg_copy_put(struct pg *db, const char *data, size_t len)
{
	const size_t piece = 1024 * 1024;

	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;

		if (PQputCopyData(db->conn, data + off, (int)n) != 1)
			return -1;
	}
	return 0;
}

/* Ends the COPY, or aborts it when failed is set.  Returns 0, or -1 with
 * the reason in db->error. */
int
pg_copy_end(struct pg *db, bool failed)
{
	PGresult *res;
	int status;

	PQputCopyEnd(db->conn, failed ? "client failed to send the data" : NULL);
	res = PQgetResult(db->conn);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK)
		pg_set_error(db, res);
	PQclear(res);
	/* Drain what is left, so the connection is ready for the next
	 * statement or reported as broken. */
	while ((res = PQgetResult(db->conn)) != NULL)
		PQclear(res);
	return status == PGRES_COMMAND_OK ? 0 : -1;
}

/* Sends len bytes of COPY text data with sql, a COPY ... FROM STDIN
 * statement.  Returns 0, or -1 with the reason in db->error. */
int
pg_copy_send_data(struct pg *db, const char *sql, const char *data, size_t len)
{
	if (pg_copy_begin(db, sql) < 0)
		return -1;
	return pg_copy_end(db, pg_copy_put(db, data, len) < 0);
}

/* Sends the rows with sql, a COPY ... FROM STDIN statement.  Returns 0, or
 * -1 with the reason in db->error. */
int
pg_copy_send(struct pg *db, const char *sql, const struct pg_copy *c)
{
	if (c->failed) {
		snprintf(db->error, sizeof db->error, "out of memory");
		db->sqlstate[0] = '\0';
		return -1;
	}
	return pg_copy_send_data(db, sql, c->buf, c->len);
}

static size_t
copy_bounded(char *out, size_t size, size_t n, const char *s, size_t len)
{
	while (len-- > 0 && n + 1 < size)
		out[n++] = *s++;
	out[n] = '\0';
	return n;
}

/* Masks the password of a URI: postgresql://user:SECRET@host/db?password=SECRET */
static void
mask_uri(const char *dsn, char *out, size_t size)
{
	const char *p = strstr(dsn, "://") + 3;
	const char *end = p + strcspn(p, "/?#");
	const char *at = NULL, *colon, *q;
	size_t n = 0;

	for (q = p; q < end; q++)
		if (*q == '@')
			at = q;
	colon = at != NULL ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (colon != NULL) {
		n = copy_bounded(out, size, n, dsn, (size_t)(colon + 1 - dsn));
		n = copy_bounded(out, size, n, PASSWORD_MASK, strlen(PASSWORD_MASK));
		p = at;
	} else {
		p = dsn;
	}

	while (*p != '\0') {
		size_t len = strcspn(p, "?&");

		if (len == 0)
			len = 1 + strcspn(p + 1, "?&");
		if ((*p == '?' || *p == '&') && strncmp(p + 1, "password=", 9) == 0) {
			n = copy_bounded(out, size, n, p, 10);
			n = copy_bounded(out, size, n, PASSWORD_MASK,
			    strlen(PASSWORD_MASK));
		} else {
			n = copy_bounded(out, size, n, p, len);
		}
		p += len;
	}
	copy_bounded(out, size, n, "", 0);
}

/* Masks the password of key=value pairs: host=db password='SECRET' */
static void
mask_pairs(const char *dsn, char *out, size_t size)
{
	const char *p = dsn;
	size_t n = 0;

	while (*p != '\0') {
		const char *key = p, *value;
		size_t key_len = strcspn(p, "= \t\n");
		bool secret = key_len == 8 && strncmp(key, "password", 8) == 0;

		p += key_len;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '=')
			p++;
		value = p;
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\'')
				p++;
		} else {
			p += strcspn(p, " \t\n");
		}
		if (secret) {
			n = copy_bounded(out, size, n, key, (size_t)(value - key));
			n = copy_bounded(out, size, n, PASSWORD_MASK,
			    strlen(PASSWORD_MASK));
		} else {
			n = copy_bounded(out, size, n, key, (size_t)(p - key));
		}
		while (*p == ' ' || *p == '\t' || *p == '\n')
			n = copy_bounded(out, size, n, p++, 1);
	}
	copy_bounded(out, size, n, "", 0);
}

/* Copies a DSN for display with every password replaced by "***". */
void
pg_mask_dsn(const char *dsn, char *out, size_t size)
{
	if (size == 0)
		return;
	if (dsn == NULL) {
		out[0] = '\0';
		return;
	}
	if (strncmp(dsn, "postgresql://", 13) == 0 ||
	    strncmp(dsn, "postgres://", 11) == 0)
		mask_uri(dsn, out, size);
	else
		mask_pairs(dsn, out, size);
}
