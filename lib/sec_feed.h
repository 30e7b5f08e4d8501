#ifndef CORPINTEL_SEC_FEED_H
#define CORPINTEL_SEC_FEED_H

#include <stdbool.h>
#include <stddef.h>

/*
 * EDGAR's "current filings" Atom feed (www.sec.gov/cgi-bin/browse-edgar?
 * action=getcurrent&output=atom), newest first, parsed with libxml2.
 * Each entry names one filer of one filing, so a filing with several
 * filers (an issuer and the person reporting, a company and its
 * co-registrant) appears once per filer, and consecutive pages can
 * overlap while new filings arrive.  Entries are kept once per
 * (accession, CIK) pair.
 */

#define SEC_FEED_FORM_SIZE	32
#define SEC_FEED_ROLE_SIZE	32
#define SEC_FEED_NAME_SIZE	160

struct sec_feed_entry {
	char form[SEC_FEED_FORM_SIZE];		/* "10-K", "4", "SC 13D/A" */
	char cik[11];				/* ten digits */
	char accession[21];			/* "0002063236-25-000004" */
	char filed[11];				/* YYYY-MM-DD */
	char role[SEC_FEED_ROLE_SIZE];		/* "Filer", "Issuer", ... */
	char name[SEC_FEED_NAME_SIZE];
};

struct sec_feed {
	struct sec_feed_entry *entries;
	size_t count;
	size_t capacity;
	unsigned long duplicates;		/* entries seen before */
	unsigned long incomplete;		/* entries without CIK, ... */
};

/* The counts of one page. */
struct sec_feed_page {
	size_t entries;				/* <entry> elements */
	size_t added;				/* new (accession, CIK) pairs */
	long oldest_filed;			/* days since 1970; LONG_MAX if none */
};

int sec_feed_add_page(struct sec_feed *feed, const char *text, size_t length,
    const char *source, struct sec_feed_page *page, char *why,
    size_t why_size);
bool sec_feed_role_is_company(const char *role);
void sec_feed_free(struct sec_feed *feed);

#endif
