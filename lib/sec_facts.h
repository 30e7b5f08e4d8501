#ifndef CORPINTEL_SEC_FACTS_H
#define CORPINTEL_SEC_FACTS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "jsonw.h"

/*
 * The facts of SEC EDGAR's companyfacts documents as sec_fact records.
 * A fact that cannot make a complete record is counted by reason and
 * left out.
 */

enum sec_fact_skip {
	SEC_FACT_NON_NUMERIC_VALUE,
	SEC_FACT_MISSING_END,
	SEC_FACT_MISSING_ACCN,
	SEC_FACT_MISSING_FILED,
	SEC_FACT_NOT_AN_OBJECT,
	SEC_FACT_SKIP_COUNT,
};

extern const char *const sec_fact_skip_names[SEC_FACT_SKIP_COUNT];

struct sec_fact_writer {
	struct jsonw *writer;
	FILE *out;
	unsigned long out_count;
	unsigned long skipped[SEC_FACT_SKIP_COUNT];
};

void sec_facts_write(struct sec_fact_writer *fw, const cJSON *facts,
    const char *cik, const char *ticker, const char *entity,
    const char *source);

#endif
