#ifndef CORPINTEL_FILING_MAP_H
#define CORPINTEL_FILING_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "promfile.h"
#include "reject.h"

/*
 * normalize's mapping of fetch-sec's submissions records to canonical
 * records: sec_filing to filing, sec_company (the profile of a company)
 * to company.  Each record is checked member by member.  A record that
 * breaks a rule goes to the reject stream with every reason, under the
 * rule named after its kind.
 */

/* Lines mapped, by kind written, and lines rejected. */
struct filing_map_counts {
	unsigned long filings;
	unsigned long companies;
	unsigned long rejected;
};

bool filing_map_handles(const char *kind);
bool filing_map_record(const cJSON *record, const char *category,
    struct jsonw *w, struct reject_stream *rs, unsigned long line,
    const char *input, size_t len, struct filing_map_counts *counts);
void filing_map_log_summary(const struct filing_map_counts *counts);
void filing_map_add_metrics(const struct filing_map_counts *counts,
    struct promfile *pf);

#endif
