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
 * Both functions return an exit status from cli.h: 0, EXIT_CONFIG for a
 * schema that does not match, EXIT_NOINPUT for a missing folder,
 * EXIT_TEMPFAIL when the connection was lost.  They report their own
 * errors.
 */

enum migrate_mode {
	MIGRATE_APPLY,		/* apply what is pending */
	MIGRATE_CHECK,		/* only verify that nothing is pending */
};

int migrate_run(struct pg *db, const char *dir, enum migrate_mode mode);
int migrate_timescaledb(struct pg *db);

#endif
