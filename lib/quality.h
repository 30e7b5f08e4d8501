#ifndef CORPINTEL_QUALITY_H
#define CORPINTEL_QUALITY_H

#include <stdbool.h>
#include <stddef.h>

#include "quality_record.h"

/*
 * The data quality rules of validate-quality: loaded from a YAML rules
 * file (corpintel-quality(5)) and the JSON Schemas it names, grouped by
 * record kind, and checked one record at a time.  The engine keeps
 * per-rule counts for the run and what the cross-record checks need:
 * the keys of the records that passed (unique), the last value per
 * company and metric (jump), and the values of each company and period
 * that an accounting identity sums (identity), evaluated at the end.
 */

#define QUALITY_FINDINGS_MAX	32	/* findings kept per record */
#define QUALITY_REASON_SIZE	512
#define QUALITY_EXAMPLES_MAX	3	/* line numbers kept per rule */

enum quality_severity {
	QUALITY_ERROR,		/* the record is rejected */
	QUALITY_WARN,		/* the record passes and the failure is counted */
};

enum quality_outcome {
	QUALITY_PASSED,		/* no rule failed */
	QUALITY_WARNED,		/* only rules of severity warn failed */
	QUALITY_FAILED,		/* at least one rule of severity error failed */
	QUALITY_UNCHECKED,	/* the rules file has no rules for the kind */
};

struct quality_finding {
	size_t rule;		/* index for quality_rule_info */
	enum quality_severity severity;
	char reason[QUALITY_REASON_SIZE];
};

/* The findings of one record.  Findings beyond QUALITY_FINDINGS_MAX are
 * counted in the rule statistics but not kept here. */
struct quality_result {
	size_t count;
	size_t errors;		/* findings of severity error, kept or not */
	size_t warnings;	/* findings of severity warn, kept or not */
	struct quality_finding findings[QUALITY_FINDINGS_MAX];
};

/* One rule as loaded, with its counts for the run so far. */
struct quality_rule_info {
	const char *name;
	const char *kind;
	const char *check;	/* "required", "type", "range", ... */
	enum quality_severity severity;
	bool enabled;
	unsigned long checked;	/* records the rule applied to */
	unsigned long failed;	/* records that broke it */
	size_t example_count;
	unsigned long examples[QUALITY_EXAMPLES_MAX];	/* first failing lines */
};

struct quality_rules;

struct quality_rules *quality_load(const char *path, char *error,
    size_t error_size);
void quality_free(struct quality_rules *rules);

enum quality_outcome quality_check(struct quality_rules *rules,
    struct qrec *record, unsigned long line, struct quality_result *result);

/* Called by quality_finish for each failure found once the input ended:
 * line is that of the record the failure is reported against. */
typedef void quality_late_fn(void *arg, unsigned long line, size_t rule,
    enum quality_severity severity, const char *reason);
unsigned long quality_finish(struct quality_rules *rules, quality_late_fn *fn,
    void *arg);

/* Writes where a line of the whole input is, such as "a.ndjson:3", for
 * the reasons that name other lines; returns buf. */
typedef const char *quality_where_fn(void *arg, unsigned long line,
    char *buf, size_t size);
void quality_set_where(struct quality_rules *rules, quality_where_fn *fn,
    void *arg);

bool quality_has_kind(const struct quality_rules *rules, const char *kind);
size_t quality_rule_count(const struct quality_rules *rules);
void quality_rule_info(const struct quality_rules *rules, size_t index,
    struct quality_rule_info *info);
const char *quality_severity_name(enum quality_severity severity);

#endif
