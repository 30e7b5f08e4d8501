#ifndef CORPINTEL_YAHOO_MAP_H
#define CORPINTEL_YAHOO_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "promfile.h"
#include "reject.h"

/*
 * normalize's mapping of fetch-yahoo's records onto canonical kinds:
 * yahoo_bar to price, yahoo_event to price_event, and yahoo_fundamental
 * and yahoo_quote to metric records in the vocabulary of
 * schemas/metrics.yaml, with source "yahoo" and the request as
 * source_ref.  A metric needs the company's cik, which comes from the
 * universe file (ticker to cik); prices take it when it is there.
 */

enum yahoo_map_result {
	YAHOO_MAP_WRITTEN,	/* one or more records written */
	YAHOO_MAP_SKIPPED,	/* nothing to map, counted */
	YAHOO_MAP_REJECTED,	/* written to the reject stream */
};

struct yahoo_map;
struct universe;

bool yahoo_map_handles(const char *kind);
struct yahoo_map *yahoo_map_new(const struct universe *universe);
enum yahoo_map_result yahoo_map_record(struct yahoo_map *map,
    const cJSON *record, unsigned long line, const char *text, size_t len,
    struct reject_stream *rejects, struct jsonw *w);
void yahoo_map_log_summary(const struct yahoo_map *map);
void yahoo_map_add_metrics(const struct yahoo_map *map, struct promfile *pf);
void yahoo_map_free(struct yahoo_map *map);

#endif
