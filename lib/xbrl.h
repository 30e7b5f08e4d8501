#ifndef CORPINTEL_XBRL_H
#define CORPINTEL_XBRL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "period.h"

/*
 * XBRL facts of one company turned into one value per metric and period.
 *
 * The mapping (metrics.yaml, corpintel-metrics(5)) names the concepts that
 * report each metric, in priority order.  A company's facts are collected
 * as struct xbrl_fact, then xbrl_select() places them in the fiscal
 * calendar and keeps one record per key (metric, period type, period end).
 * quarters.h derives the quarters and trailing twelve months that no
 * filing reports from those records.
 */

#define XBRL_ACCESSION_LENGTH 20	/* 0000320193-23-000106 */
#define XBRL_CURRENCY_LENGTH 3		/* ISO 4217 */
#define XBRL_UNIT_SIZE 16		/* "USD/shares" and its NUL, with room */
/* Sixteen accessions joined by ';': a trailing twelve months summed from
 * four quarters that were each derived from up to four filings. */
#define XBRL_REF_SIZE (16 * (XBRL_ACCESSION_LENGTH + 1))
#define XBRL_DERIVATION_SIZE 32	/* "annual - Q1 - Q2 - Q3" and its NUL */

enum xbrl_metric_kind {
	XBRL_FLOW,		/* an amount over a period */
	XBRL_INSTANT,		/* a balance at a date */
};

enum xbrl_unit_kind {
	XBRL_CURRENCY,		/* USD */
	XBRL_PER_SHARE,		/* USD/shares */
	XBRL_SHARES,		/* shares */
};

struct xbrl_metric {
	char *name;
	enum xbrl_metric_kind kind;
	enum xbrl_unit_kind unit_kind;
};

/* One mapped concept; the table is sorted by taxonomy and concept. */
struct xbrl_concept {
	char *taxonomy;
	char *concept;
	char *qualified;	/* "taxonomy:Concept", as metric records name it */
	size_t metric;
	size_t priority;	/* 0 is preferred */
};

struct xbrl_mapping {
	struct xbrl_metric *metrics;	/* the mapped metrics, in file order */
	size_t metric_count;
	struct xbrl_concept *concepts;
	size_t concept_count;
};

/* The choice among filings that report the same period. */
enum xbrl_choice {
	XBRL_LATEST_FILED,	/* restatements replace the first value */
	XBRL_FIRST_FILED,	/* the value as first reported */
};

/* The outcome for a fact. Every outcome but XBRL_USED is a counted skip. */
enum xbrl_fate {
	XBRL_USED,
	XBRL_SUPERSEDED,	/* another fact supplies its key */
	XBRL_OTHER_CURRENCY,	/* its key is reported in the reporting currency */
	XBRL_UNCLASSIFIED,	/* a 6- or 9-month duration at another position */
};

/* A mapped fact kept until its company is complete. */
struct xbrl_fact {
	const struct xbrl_concept *concept;
	enum period_class class;
	long start;		/* days since 1970-01-01; 0 for instants */
	long end;
	long filed;
	double value;
	char unit[XBRL_UNIT_SIZE];
	char currency[XBRL_CURRENCY_LENGTH + 1];	/* "" for shares */
	char accn[XBRL_ACCESSION_LENGTH + 1];
	unsigned long sequence;	/* input order, the last tie-break */
	enum xbrl_fate fate;	/* set by xbrl_select() */
};

/* One output value: a chosen fact, or a derived quarter or twelve months. */
struct xbrl_record {
	size_t metric;
	enum period_class class;
	long start;		/* 0 for instants */
	long end;
	long filed;		/* the latest filing among the sources */
	double value;
	char unit[XBRL_UNIT_SIZE];
	int fiscal_year;
	const char *fiscal_period;	/* NULL for an instant off quarter ends */
	char source_ref[XBRL_REF_SIZE];	/* accessions joined by ';' */
	const struct xbrl_concept *concept;	/* NULL when derived */
	char derivation[XBRL_DERIVATION_SIZE];	/* "" when reported */
	bool revised;		/* another filing gave the period another value */
};

struct xbrl_records {
	struct xbrl_record *items;
	size_t count;
	size_t cap;
};

bool xbrl_mapping_read(struct xbrl_mapping *m, const struct conf_node *root,
    const char *path);
void xbrl_mapping_free(struct xbrl_mapping *m);
const struct xbrl_concept *xbrl_find_concept(const struct xbrl_mapping *m,
    const char *taxonomy, const char *concept);

bool xbrl_unit_fits(enum xbrl_unit_kind kind, const char *unit,
    char currency[XBRL_CURRENCY_LENGTH + 1]);
bool xbrl_additive(const struct xbrl_metric *metric);

void xbrl_reporting_currency(const struct xbrl_fact *facts, size_t count,
    char out[XBRL_CURRENCY_LENGTH + 1]);
bool xbrl_select(struct xbrl_fact *facts, size_t count, int year_end_month,
    enum xbrl_choice choice, struct xbrl_records *out);

struct xbrl_record *xbrl_records_add(struct xbrl_records *r);
void xbrl_records_sort(struct xbrl_records *r);
void xbrl_records_free(struct xbrl_records *r);
bool xbrl_ref_join(char ref[XBRL_REF_SIZE], const char *more);

#endif
