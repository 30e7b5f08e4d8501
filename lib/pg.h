#ifndef CORPINTEL_PG_H
#define CORPINTEL_PG_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/*
 * A PostgreSQL connection through libpq with the last error kept as one
 * trimmed line, ready for "tool: context: message".  Values always travel
 * as parameters or COPY data, never inside SQL text.  Messages come from
 * the server or libpq and never contain the password of the DSN.
 */

#define PG_ERROR_SIZE 1024

struct pg {
	PGconn *conn;
	char error[PG_ERROR_SIZE];	/* last failure, one line */
	char sqlstate[6];		/* its SQLSTATE, or "" */
	bool invalid_settings;		/* the DSN itself is wrong: retrying cannot help */
};

/* Rows for COPY ... FROM STDIN in text format, built in memory. */
struct pg_copy {
	char *buf;
	size_t len;
	size_t cap;
	size_t rows;
	int fields;		/* fields written in the current row */
	int failed;		/* out of memory: the data is incomplete */
};

int pg_open(struct pg *db, const char *dsn);
void pg_close(struct pg *db);
const char *pg_dsn_origin(const char *dsn);
void pg_mask_dsn(const char *dsn, char *out, size_t size);

int pg_exec(struct pg *db, const char *sql, int nparams,
    const char *const *params);
int pg_exec_script(struct pg *db, const char *sql);
PGresult *pg_query(struct pg *db, const char *sql, int nparams,
    const char *const *params);
void pg_set_error(struct pg *db, const PGresult *res);
bool pg_connection_lost(const struct pg *db);
void pg_trim_message(char *out, size_t size, const char *message);

void pg_copy_field(struct pg_copy *c, const char *value);
void pg_copy_field_len(struct pg_copy *c, const char *value, size_t len);
void pg_copy_end_row(struct pg_copy *c);
void pg_copy_append_rows(struct pg_copy *c, const char *data, size_t len,
    size_t rows);
void pg_copy_reset(struct pg_copy *c);
void pg_copy_free(struct pg_copy *c);
int pg_copy_send(struct pg *db, const char *sql, const struct pg_copy *c);
int pg_copy_begin(struct pg *db, const char *sql);
int pg_copy_put(struct pg *db, const char *data, size_t len);
int pg_copy_end(struct pg *db, bool failed);
int pg_copy_send_data(struct pg *db, const char *sql, const char *data,
    size_t len);

#endif
