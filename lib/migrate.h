#ifndef CORPINTEL_MIGRATE_H
#define CORPINTEL_MIGRATE_H

#include "pg.h"

/*
 * Versioned SQL migrations: files NNNN_NAME.up.sql (and NNNN_NAME.down.sql)
 * in one folder, applied in version order, each in its own transaction,
 * and recorded in schema_migrations with the SHA-256 of the up file.  A
 * database whose applied migrations differ from the files, or that is at
 * a version the files do not reach, is refused rather than changed.
 *
 * Reverting runs the .down.sql files of the applied versions above the
 * target, newest first, each in its own transaction.
 *
 * Both functions return an exit status from cli.h: 0, EXIT_CONFIG for a
 * schema that does not match, EXIT_NOINPUT for a missing folder or down
 * file, EXIT_TEMPFAIL when the connection was lost, EXIT_UNAVAILABLE when
 * TimescaleDB is required and missing.  They report their own errors.
 */

enum migrate_mode {
	MIGRATE_APPLY,		/* apply what is pending, up to the target */
	MIGRATE_CHECK,		/* only verify that nothing is pending */
	MIGRATE_DOWN,		/* revert the migrations above the target */
};

/* The newest migration in the folder, as a target. */
#define MIGRATE_NEWEST (-1)

/* Options of migrate_timescaledb beyond making hypertables. */
struct timescale_options {
	int required;			/* fail without the extension */
	const char *compress_after;	/* an interval, or NULL: no policy */
};

int migrate_run(struct pg *db, const char *dir, enum migrate_mode mode,
    int target);
int migrate_timescaledb(struct pg *db, const struct timescale_options *opt);

/*
 * Checks whether the server offers the extension and sets *available.
 * Returns EXIT_UNAVAILABLE when it is missing and required, so a run
 * that needs TimescaleDB fails before it migrates, else EXIT_OK.
 */
int migrate_timescaledb_check(struct pg *db,
    const struct timescale_options *opt, int *available);

#endif
