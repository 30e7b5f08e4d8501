#ifndef CORPINTEL_SEC_INSTANCE_H
#define CORPINTEL_SEC_INSTANCE_H

#include <stddef.h>
#include <stdio.h>

#include "jsonw.h"

/*
 * One filing's XBRL instance document (XBRL 2.1, as EDGAR archives it
 * beside the filing, for example aapl-20230701_htm.xml), read with
 * libxml2.  It gives the sec_fact records that companyfacts carries for
 * the filing: numeric facts of the standard taxonomies (us-gaap, dei,
 * srt, ifrs-full) whose context has no dimensions, each value once.
 */

enum sec_instance_skip {
	SEC_INSTANCE_EXTENSION,		/* the filer's own taxonomy */
	SEC_INSTANCE_DIMENSIONAL,	/* context with a segment or scenario */
	SEC_INSTANCE_NIL,		/* xsi:nil="true" */
	SEC_INSTANCE_NOT_A_NUMBER,
	SEC_INSTANCE_BAD_REFERENCE,	/* unknown context or unit */
	SEC_INSTANCE_DUPLICATE,		/* same value, period and unit again */
	SEC_INSTANCE_SKIP_COUNT,
};

extern const char *const sec_instance_skip_names[SEC_INSTANCE_SKIP_COUNT];

struct sec_instance;

struct sec_instance_counts {
	unsigned long out;
	unsigned long skipped[SEC_INSTANCE_SKIP_COUNT];
};

struct sec_instance *sec_instance_parse(const char *text, size_t length,
    const char *source, char *why, size_t why_size);
long sec_instance_cik(const struct sec_instance *instance);
void sec_instance_write(struct sec_instance *instance, const char *ticker,
    const char *accession, const char *filed, struct jsonw *w, FILE *out,
    struct sec_instance_counts *counts);
void sec_instance_free(struct sec_instance *instance);

#endif
