#ifndef CORPINTEL_SEC_TICKERS_H
#define CORPINTEL_SEC_TICKERS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * CIKs and SEC's ticker table (company_tickers.json or
 * company_tickers_exchange.json).  A CIK is a number of at most ten
 * digits; SEC spells it with leading zeros in file names and URLs.
 */

#define SEC_MAX_CIK		9999999999L
#define SEC_CIK_TEXT_SIZE	21	/* ten digits, sized for any long */

struct sec_ticker_entry {
	long cik;
	char *ticker;			/* as SEC spells it: "BRK-B" */
};

struct sec_ticker_table {
	struct sec_ticker_entry *entries;
	size_t count;
	char *source;			/* file or URL, for messages */
};

void sec_cik_format(long cik, char text[SEC_CIK_TEXT_SIZE]);
long sec_cik_parse(const char *text);
long sec_cik_json(const cJSON *item);

int sec_tickers_parse(struct sec_ticker_table *table, const cJSON *root,
    char *why, size_t why_size);
const char *sec_ticker_for_cik(const struct sec_ticker_table *table,
    long cik);
const struct sec_ticker_entry *sec_ticker_find(
    const struct sec_ticker_table *table, const char *ticker);
void sec_tickers_free(struct sec_ticker_table *table);

#endif
