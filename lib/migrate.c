#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "migrate.h"

#define CHECKSUM_SIZE 65	/* SHA-256 in hex and its NUL */
#define BYTEA_OID 17		/* pg_type.oid of bytea */

/* Serializes concurrent migrate runs on one database; the value is
 * arbitrary but fixed ("corpint" in ASCII). */
#define MIGRATE_LOCK_KEY "27976272463949428"

struct migration {
	int version;
	char *name;		/* file name without ".up.sql": 0001_init */
	char *sql;		/* the up file's text */
	char checksum[CHECKSUM_SIZE];
	int applied;
};

struct migration_set {
	struct migration *items;
	size_t count;
};

static void
free_set(struct migration_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].name);
		free(set->items[i].sql);
	}
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

/* Reads a whole file.  Returns its text, or NULL after reporting. */
static char *
read_text(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *text = NULL, *grown;
	size_t cap = 0, n = 0, got;

	if (fp == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			grown = realloc(text, cap);
			if (grown == NULL) {
				log_error("%s: out of memory", path);
				goto fail;
			}
			text = grown;
		}
		got = fread(text + n, 1, cap - n - 1, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp)) {
		log_error("%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	fclose(fp);
	text[n] = '\0';
	*len = n;
	return text;
fail:
	fclose(fp);
	free(text);
	return NULL;
}

/* Parses "0001_init.up.sql": digits, an underscore, a name.  Returns the
 * version, or -1 when the file is not an up migration. */
static int
up_file_version(const char *file)
{
	size_t len = strlen(file), digits = 0;
	long version = 0;

	if (len < 8 || strcmp(file + len - 7, ".up.sql") != 0)
		return -1;
	while (isdigit((unsigned char)file[digits]) && digits < 9)
		version = version * 10 + (file[digits++] - '0');
	if (digits == 0 || file[digits] != '_')
		return -1;
	return (int)version;
}

static int
compare_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Computes the SHA-256 of the file on the server, which PostgreSQL 11
 * and later provide, so the tool needs no crypto library of its own. */
static int
checksum(struct pg *db, struct migration *m, size_t len)
{
	const Oid types[] = { BYTEA_OID };
	const char *values[] = { m->sql };
	const int lengths[] = { (int)len };
	const int formats[] = { 1 };
	PGresult *res;

	res = PQexecParams(db->conn, "SELECT encode(sha256($1), 'hex')", 1,
	    types, values, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_set_error(db, res);
		PQclear(res);
		return -1;
	}
	snprintf(m->checksum, sizeof m->checksum, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Reads every up migration of dir with its checksum, in version order. */
static int
load_set(struct pg *db, const char *dir, struct migration_set *set)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	size_t cap = 0, len;
	int status = EXIT_OK;

	if (d == NULL) {
		log_error("%s: cannot open the migrations folder: %s", dir,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	while (status == EXIT_OK && (e = readdir(d)) != NULL) {
		int version = up_file_version(e->d_name);
		struct migration *m;

		if (version < 0)
			continue;
		if (set->count == cap) {
			struct migration *grown;

			cap = cap == 0 ? 8 : cap * 2;
			grown = realloc(set->items, cap * sizeof *grown);
			if (grown == NULL) {
				log_error("out of memory");
				status = EXIT_SOFTWARE;
				break;
			}
			set->items = grown;
		}
		m = &set->items[set->count];
		memset(m, 0, sizeof *m);
		m->version = version;
		m->name = strndup(e->d_name, strlen(e->d_name) - 7);
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		m->sql = read_text(path, &len);
		set->count++;
		if (m->name == NULL || m->sql == NULL)
			status = EXIT_NOINPUT;
		else if (checksum(db, m, len) < 0) {
			log_error("%s: checksum: %s", path, db->error);
			status = pg_connection_lost(db) ? EXIT_TEMPFAIL : EXIT_SOFTWARE;
		}
	}
	closedir(d);
	if (status != EXIT_OK)
		return status;

	if (set->count > 1)
		qsort(set->items, set->count, sizeof *set->items,
		    compare_version);
	for (size_t i = 1; i < set->count; i++) {
		if (set->items[i].version == set->items[i - 1].version) {
			log_error("%s: migrations %s and %s share version %d",
			    dir, set->items[i - 1].name, set->items[i].name,
			    set->items[i].version);
			return EXIT_CONFIG;
		}
	}
	return EXIT_OK;
}

static struct migration *
find_version(struct migration_set *set, int version)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].version == version)
			return &set->items[i];
	return NULL;
}

static int
failure_status(const struct pg *db)
{
	return pg_connection_lost(db) ? EXIT_TEMPFAIL : EXIT_CONFIG;
}

/*
 * Marks the migrations the database has applied, after checking that each
 * one still has its file, unchanged.  The ledger does not exist before the
 * first migration, which creates it.
 */
static int
compare_applied(struct pg *db, const char *dir, struct migration_set *set)
{
	int known = set->count > 0 ? set->items[set->count - 1].version : 0;
	PGresult *res;
	int status = EXIT_OK;

	res = pg_query(db, "SELECT to_regclass('schema_migrations') IS NOT NULL",
	    0, NULL);
	if (res == NULL) {
		log_error("reading the schema version: %s", db->error);
		return failure_status(db);
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return EXIT_OK;
	}
	PQclear(res);

	res = pg_query(db, "SELECT version, name, checksum FROM schema_migrations"
	    " ORDER BY version", 0, NULL);
	if (res == NULL) {
		log_error("reading schema_migrations: %s", db->error);
		return failure_status(db);
	}
	for (int row = 0; row < PQntuples(res) && status == EXIT_OK; row++) {
		int version = atoi(PQgetvalue(res, row, 0));
		const char *name = PQgetvalue(res, row, 1);
		const char *sum = PQgetvalue(res, row, 2);
		struct migration *m = find_version(set, version);

		if (m == NULL && version > known) {
			log_error("the database schema is at version %d, newer than"
			    " the migrations in %s (up to %d): use a newer"
			    " load-timescale", version, dir, known);
			status = EXIT_CONFIG;
		} else if (m == NULL) {
			log_error("applied migration %d (%s) has no file in %s:"
			    " restore %s.up.sql", version, name, dir, name);
			status = EXIT_CONFIG;
		} else if (strcmp(m->checksum, sum) != 0) {
			log_error("migration %s changed after it was applied"
			    " (checksum %.12s... in the database, %.12s... on"
			    " disk): restore the file and put changes in a new"
			    " migration", m->name, sum, m->checksum);
			status = EXIT_CONFIG;
		} else {
			m->applied = 1;
		}
	}
	PQclear(res);
	return status;
}

/* Applies one migration and records it, in one transaction. */
static int
apply(struct pg *db, const struct migration *m)
{
	char version[16];
	const char *params[] = { version, m->name, m->checksum };

	snprintf(version, sizeof version, "%d", m->version);
	if (pg_exec(db, "BEGIN", 0, NULL) < 0 ||
	    pg_exec_script(db, m->sql) < 0 ||
	    pg_exec(db, "INSERT INTO schema_migrations"
	    " (version, name, checksum, applied_at) VALUES ($1, $2, $3, now())",
	    3, params) < 0 ||
	    pg_exec(db, "COMMIT", 0, NULL) < 0) {
		log_error("migration %s: %s", m->name, db->error);
		if (PQstatus(db->conn) == CONNECTION_OK)
			PQclear(PQexec(db->conn, "ROLLBACK"));
		return failure_status(db);
	}
	log_info("applied migration %s", m->name);
	return EXIT_OK;
}

static int
current_version(const struct migration_set *set)
{
	int current = 0;

	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].applied)
			current = set->items[i].version;
	return current;
}

static int
apply_pending(struct pg *db, struct migration_set *set, enum migrate_mode mode,
    int target)
{
	int current = current_version(set), applied = 0;

	if (current > target) {
		log_error("the database schema is at version %d, above the"
		    " requested version %d: use 'load-timescale migrate --down"
		    " --to %d' to revert", current, target, target);
		return EXIT_CONFIG;
	}
	for (size_t i = 0; i < set->count; i++) {
		const struct migration *m = &set->items[i];
		int status;

		if (m->applied || m->version > target)
			continue;
		if (mode == MIGRATE_CHECK) {
			log_error("the database schema is at version %d and"
			    " migration %s is pending: run 'load-timescale migrate'",
			    current, m->name);
			return EXIT_CONFIG;
		}
		status = apply(db, m);
		if (status != EXIT_OK)
			return status;
		applied++;
		current = m->version;
	}
	if (applied == 0 && mode == MIGRATE_APPLY)
		log_info("database schema is up to date at version %d", current);
	return EXIT_OK;
}

/* Forgets a reverted migration, unless its down file dropped the ledger,
 * as the first migration's does. */
static int
forget(struct pg *db, const struct migration *m)
{
	char version[16];
	const char *params[] = { version };
	PGresult *res;
	int ledger;

	res = pg_query(db, "SELECT to_regclass('schema_migrations') IS NOT NULL",
	    0, NULL);
	if (res == NULL)
		return -1;
	ledger = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ledger)
		return 0;
	snprintf(version, sizeof version, "%d", m->version);
	return pg_exec(db, "DELETE FROM schema_migrations WHERE version = $1",
	    1, params);
}

/* Reverts one migration with its down file, in one transaction. */
static int
revert(struct pg *db, const char *dir, const struct migration *m)
{
	char path[4096];
	size_t len;
	char *sql;

	snprintf(path, sizeof path, "%s/%s.down.sql", dir, m->name);
	sql = read_text(path, &len);
	if (sql == NULL)
		return EXIT_NOINPUT;
	if (pg_exec(db, "BEGIN", 0, NULL) < 0 ||
	    pg_exec_script(db, sql) < 0 || forget(db, m) < 0 ||
	    pg_exec(db, "COMMIT", 0, NULL) < 0) {
		log_error("reverting migration %s: %s", m->name, db->error);
		if (PQstatus(db->conn) == CONNECTION_OK)
			PQclear(PQexec(db->conn, "ROLLBACK"));
		free(sql);
		return failure_status(db);
	}
	free(sql);
	log_info("reverted migration %s", m->name);
	return EXIT_OK;
}

/* Reverts the applied migrations above target, newest first.  Without a
 * target, reverts the newest applied one only. */
static int
revert_applied(struct pg *db, const char *dir, struct migration_set *set,
    int target)
{
	int current = current_version(set);

	if (target == MIGRATE_NEWEST) {
		target = 0;
		for (size_t i = 0; i < set->count; i++)
			if (set->items[i].applied && set->items[i].version < current)
				target = set->items[i].version;
	}
	if (current <= target) {
		log_info("database schema is at version %d: nothing to revert",
		    current);
		return EXIT_OK;
	}
	for (size_t i = set->count; i-- > 0;) {
		const struct migration *m = &set->items[i];
		int status;

		if (!m->applied || m->version <= target)
			continue;
		status = revert(db, dir, m);
		if (status != EXIT_OK)
			return status;
	}
	log_info("database schema is at version %d", target);
	return EXIT_OK;
}

/*
 * Brings the database to the target version of the migrations in dir
 * (MIGRATE_NEWEST: the newest file), or with MIGRATE_CHECK only verifies
 * that it is at the newest, or with MIGRATE_DOWN reverts to the target.
 * An advisory lock keeps two loaders from migrating at once.
 */
int
migrate_run(struct pg *db, const char *dir, enum migrate_mode mode, int target)
{
	struct migration_set set = { NULL, 0 };
	const char *key[] = { MIGRATE_LOCK_KEY };
	int status;

	if (pg_exec(db, "SELECT pg_advisory_lock($1)", 1, key) < 0) {
		log_error("migrations lock: %s", db->error);
		return failure_status(db);
	}
	status = load_set(db, dir, &set);
	if (status == EXIT_OK && set.count == 0) {
		log_error("%s: no migration files (NNNN_name.up.sql)", dir);
		status = EXIT_NOINPUT;
	}
	if (status == EXIT_OK && target != MIGRATE_NEWEST &&
	    target > set.items[set.count - 1].version) {
		log_error("--to %d: no such migration version: the newest in %s is %d",
		    target, dir, set.items[set.count - 1].version);
		status = EXIT_USAGE;
	}
	if (status == EXIT_OK)
		status = compare_applied(db, dir, &set);
	if (status == EXIT_OK && mode == MIGRATE_DOWN)
		status = revert_applied(db, dir, &set, target);
	else if (status == EXIT_OK)
		status = apply_pending(db, &set, mode,
		    target == MIGRATE_NEWEST || mode == MIGRATE_CHECK ?
		    set.items[set.count - 1].version : target);
	free_set(&set);

	if (pg_exec(db, "SELECT pg_advisory_unlock($1)", 1, key) < 0 &&
	    status == EXIT_OK) {
		log_error("migrations lock: %s", db->error);
		status = failure_status(db);
	}
	return status;
}

/*
 * The hypertables and their chunk intervals.  Metrics are quarterly and
 * annual values, about five rows per company and metric a year, so one
 * chunk covers a year.  Daily prices are about 250 rows per ticker a
 * year, so a chunk covers a quarter, which keeps recent chunks small
 * enough to stay in memory for a universe of thousands of tickers.  The marts and
 * the small tables stay plain tables.
 */
static const struct hypertable {
	const char *table;
	const char *time_column;
	const char *chunk_interval;
	const char *segment_by;		/* compression groups rows by these */
} hypertables[] = {
	{ "financial_metrics", "period_end", "365 days", "cik, metric" },
	{ "stock_prices", "date", "90 days", "ticker, interval" },
};

static int
timescaledb_missing(const struct timescale_options *opt, const char *why)
{
	if (opt->required) {
		log_error("timescaledb: %s, and --require-timescaledb was given",
		    why);
		return EXIT_UNAVAILABLE;
	}
	log_info("timescaledb: %s: the tables stay plain PostgreSQL tables%s",
	    why, opt->compress_after != NULL ? " and --compress-after has no"
	    " effect" : "");
	return EXIT_OK;
}

static int
table_exists(struct pg *db, const char *table, int *exists)
{
	const char *params[] = { table };
	PGresult *res = pg_query(db, "SELECT to_regclass($1) IS NOT NULL", 1,
	    params);

	if (res == NULL)
		return -1;
	*exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return 0;
}

/* Makes one table a hypertable, and adds the compression policy when
 * asked.  Returns 0, or -1 with the reason in db->error. */
static int
make_hypertable(struct pg *db, const struct hypertable *h,
    const struct timescale_options *opt)
{
	const char *params[] = { h->table, h->time_column, h->chunk_interval,
	    h->segment_by, opt->compress_after };
	char *table, sql[512];
	int status;

	if (pg_exec(db, "SELECT create_hypertable($1::regclass, $2::name,"
	    " chunk_time_interval => $3::interval, if_not_exists => true,"
	    " migrate_data => true)", 3, params) < 0)
		return -1;
	if (opt->compress_after == NULL)
		return 0;

	/* ALTER TABLE takes no parameters: the name is quoted and the
	 * segment list is a constant of this file. */
	table = PQescapeIdentifier(db->conn, h->table, strlen(h->table));
	if (table == NULL) {
		pg_set_error(db, NULL);
		return -1;
	}
	snprintf(sql, sizeof sql, "ALTER TABLE %s SET (timescaledb.compress,"
	    " timescaledb.compress_segmentby = '%s')", table, h->segment_by);
	PQfreemem(table);
	status = pg_exec(db, sql, 0, NULL);
	if (status == 0)
		status = pg_exec(db, "SELECT add_compression_policy($1::regclass,"
		    " $2::interval, if_not_exists => true)", 2,
		    (const char *[]){ params[0], params[4] });
	return status;
}

/*
 * Makes the time-keyed tables hypertables when the server offers
 * TimescaleDB.  Without the extension, or when creating it fails (it must
 * be in shared_preload_libraries), the tables stay plain PostgreSQL
 * tables, which store the same data, and a log line reports it.  With
 * opt->required that is an error instead.
 */
int
migrate_timescaledb_check(struct pg *db, const struct timescale_options *opt,
    int *available)
{
	PGresult *res;

	res = pg_query(db, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions"
	    " WHERE name = 'timescaledb')", 0, NULL);
	if (res == NULL) {
		log_error("looking for the timescaledb extension: %s", db->error);
		return failure_status(db);
	}
	*available = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!*available)
		return timescaledb_missing(opt,
		    "extension not available on the server");
	return EXIT_OK;
}

int
migrate_timescaledb(struct pg *db, const struct timescale_options *opt)
{
	int available, status;

	status = migrate_timescaledb_check(db, opt, &available);
	if (status != EXIT_OK || !available)
		return status;

	if (pg_exec(db, "CREATE EXTENSION IF NOT EXISTS timescaledb", 0,
	    NULL) < 0) {
		if (pg_connection_lost(db)) {
			log_error("timescaledb: %s", db->error);
			return EXIT_TEMPFAIL;
		}
		return timescaledb_missing(opt, db->error);
	}
	for (size_t i = 0; i < sizeof hypertables / sizeof hypertables[0]; i++) {
		const struct hypertable *h = &hypertables[i];
		int exists;

		/* A database migrated to an older version lacks some tables. */
		if (table_exists(db, h->table, &exists) == 0 && !exists)
			continue;
		if (pg_connection_lost(db) || make_hypertable(db, h, opt) < 0) {
			if (pg_connection_lost(db) || opt->required) {
				log_error("timescaledb: %s: %s", h->table,
				    db->error);
				return pg_connection_lost(db) ? EXIT_TEMPFAIL :
				    EXIT_UNAVAILABLE;
			}
			log_warn("timescaledb: %s: %s: it stays a plain table",
			    h->table, db->error);
			continue;
		}
		log_info("timescaledb: %s is a hypertable on %s, chunks of %s%s",
		    h->table, h->time_column, h->chunk_interval,
		    opt->compress_after != NULL ? ", compressed when older" :
		    "");
	}
	return EXIT_OK;
}
