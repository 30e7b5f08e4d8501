#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quarters.h"

/* The records of one metric, by index into the company's records, which
 * grow (and move) as derived ones are added. */
struct series {
	struct xbrl_records *r;
	size_t *idx;
	size_t count;
	size_t cap;
};

static struct xbrl_record *
at(const struct series *s, size_t i)
{
	return &s->r->items[s->idx[i]];
}

static bool
series_add(struct series *s, size_t index)
{
	if (s->count == s->cap) {
		size_t cap = s->cap == 0 ? 64 : s->cap * 2;
		size_t *grown = realloc(s->idx, cap * sizeof *grown);

		if (grown == NULL)
			return false;
		s->idx = grown;
		s->cap = cap;
	}
	s->idx[s->count++] = index;
	return true;
}

/* How a period reads in a derivation formula. */
static const char *
label(const struct xbrl_record *rec)
{
	switch (rec->class) {
	case PERIOD_QUARTER:
		return rec->fiscal_period != NULL ? rec->fiscal_period : "Q";
	case PERIOD_YTD_6M:	return "H1";
	case PERIOD_YTD_9M:	return "9M";
	case PERIOD_ANNUAL:	return "annual";
	case PERIOD_INSTANT:
	case PERIOD_TTM:
	case PERIOD_UNCLASSIFIED:
		break;
	}
	return "?";
}

static bool
cumulative(enum period_class class)
{
	return class == PERIOD_YTD_6M || class == PERIOD_YTD_9M ||
	    class == PERIOD_ANNUAL;
}

/* The quarter of the series that ends on end, or -1. */
static long
quarter_ending(const struct series *s, long end)
{
	for (size_t i = 0; i < s->count; i++)
		if (at(s, i)->class == PERIOD_QUARTER && at(s, i)->end == end)
			return (long)i;
	return -1;
}

/* The quarter of the series that starts on start in unit, or -1. */
static long
quarter_starting(const struct series *s, long start, const char *unit)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct xbrl_record *q = at(s, i);

		if (q->class == PERIOD_QUARTER && q->start == start &&
		    strcmp(q->unit, unit) == 0)
			return (long)i;
	}
	return -1;
}

/*
 * The longest cumulative period shorter than c that starts with it, in
 * its unit: a first quarter, a first half or nine months.  Returns -1
 * when there is none, for instance when the year-to-date figures start on
 * another date than the year (a gap).
 */
static long
cumulative_base(const struct series *s, const struct xbrl_record *c)
{
	long best = -1;

	for (size_t i = 0; i < s->count; i++) {
		const struct xbrl_record *b = at(s, i);

		if (b->class != PERIOD_QUARTER && b->class != PERIOD_YTD_6M &&
		    b->class != PERIOD_YTD_9M)
			continue;
		if (b->start != c->start || b->end >= c->end ||
		    strcmp(b->unit, c->unit) != 0)
			continue;
		if (best < 0 || b->end > at(s, (size_t)best)->end)
			best = (long)i;
	}
	return best;
}

/* Adds a source to a derived record: its accessions, its filing date,
 * and its label to the formula after a minus sign. */
static void
take_source(struct xbrl_record *d, const struct xbrl_record *src,
    const char *sign)
{
	size_t used = strlen(d->derivation);

	xbrl_ref_join(d->source_ref, src->source_ref);
	if (src->filed > d->filed)
		d->filed = src->filed;
	snprintf(d->derivation + used, sizeof d->derivation - used, "%s%s",
	    sign, label(src));
}

/*
 * Derives the quarter that ends with the cumulative period s[ci] when no
 * filing reports it: s[ci] less the longest shorter cumulative period
 * and the quarters that follow it.  Returns false when out of memory.
 */
static bool
derive_quarter(struct series *s, size_t ci, int year_end_month,
    unsigned long *made)
{
	size_t chain[4];
	size_t links = 0;
	long base, next, last_end;
	struct xbrl_record *d;
	struct fiscal_period fp;
	double value;

	if (quarter_ending(s, at(s, ci)->end) >= 0)
		return true;
	base = cumulative_base(s, at(s, ci));
	if (base < 0)
		return true;

	/* Reported or derived quarters bridge the base to the last quarter. */
	last_end = at(s, (size_t)base)->end;
	while (!period_is_quarter_length(at(s, ci)->end - (last_end + 1))) {
		if (at(s, ci)->end - last_end < 0 || links == 3)
			return true;
		next = quarter_starting(s, last_end + 1, at(s, ci)->unit);
		if (next < 0)
			return true;
		chain[links++] = (size_t)next;
		last_end = at(s, (size_t)next)->end;
	}

	d = xbrl_records_add(s->r);
	if (d == NULL || !series_add(s, (size_t)(d - s->r->items)))
		return false;
	value = at(s, ci)->value - at(s, (size_t)base)->value;
	for (size_t k = 0; k < links; k++)
		value -= at(s, chain[k])->value;

	*d = (struct xbrl_record){ .metric = at(s, ci)->metric,
	    .class = PERIOD_QUARTER, .start = last_end + 1,
	    .end = at(s, ci)->end, .value = value };
	memcpy(d->unit, at(s, ci)->unit, sizeof d->unit);
	fiscal_period_of(PERIOD_QUARTER, d->end, year_end_month, &fp);
	d->fiscal_year = fp.year;
	d->fiscal_period = fp.name;
	take_source(d, at(s, ci), "");
	take_source(d, at(s, (size_t)base), " - ");
	for (size_t k = 0; k < links; k++)
		take_source(d, at(s, chain[k]), " - ");
	(*made)++;
	return true;
}

/* Sorts the series by period end.  The records come in key order, so
 * the series is a few sorted runs (quarters, year to date, years) and an
 * insertion sort is quick. */
static void
sort_by_end(struct series *s)
{
	for (size_t i = 1; i < s->count; i++) {
		size_t moving = s->idx[i];
		long end = s->r->items[moving].end;
		size_t j = i;

		for (; j > 0 && s->r->items[s->idx[j - 1]].end > end; j--)
			s->idx[j] = s->idx[j - 1];
		s->idx[j] = moving;
	}
}

/*
 * Adds the trailing twelve months that end with the quarter s[qi] when
 * the three quarters before it are in the series, each ending the day
 * before the next starts, all in one unit.
 */
static bool
derive_ttm(struct series *s, size_t qi, unsigned long *made)
{
	size_t four[4];
	struct xbrl_record *d;
	double value = 0;

	four[3] = qi;
	for (int k = 2; k >= 0; k--) {
		long prev = quarter_ending(s, at(s, four[k + 1])->start - 1);

		if (prev < 0 || strcmp(at(s, (size_t)prev)->unit,
		    at(s, qi)->unit) != 0)
			return true;
		four[k] = (size_t)prev;
	}
	if (period_classify(true, at(s, four[0])->start, at(s, qi)->end) !=
	    PERIOD_ANNUAL)
		return true;

	d = xbrl_records_add(s->r);
	if (d == NULL)
		return false;
	for (int k = 0; k < 4; k++) {
		value += at(s, four[k])->value;
		xbrl_ref_join(d->source_ref, at(s, four[k])->source_ref);
		if (at(s, four[k])->filed > d->filed)
			d->filed = at(s, four[k])->filed;
	}
	d->metric = at(s, qi)->metric;
	d->class = PERIOD_TTM;
	d->start = at(s, four[0])->start;
	d->end = at(s, qi)->end;
	d->value = value;
	memcpy(d->unit, at(s, qi)->unit, sizeof d->unit);
	d->fiscal_year = at(s, qi)->fiscal_year;
	d->fiscal_period = "TTM";
	snprintf(d->derivation, sizeof d->derivation, "sum of 4 quarters");
	(*made)++;
	return true;
}

/* Derives the quarters, then the twelve-month sums, of one metric whose
 * records are s->r->items[lo..hi). */
static bool
derive_metric(struct series *s, size_t lo, size_t hi, int year_end_month,
    unsigned long *quarters, unsigned long *ttm)
{
	size_t n;

	s->count = 0;
	for (size_t i = lo; i < hi; i++)
		if (s->r->items[i].class != PERIOD_INSTANT &&
		    !series_add(s, i))
			return false;

	/* Cumulative periods in order of their end, so that a quarter
	 * derived from a first half can bridge nine months to the year. */
	sort_by_end(s);
	n = s->count;
	for (size_t i = 0; i < n; i++)
		if (cumulative(at(s, i)->class) &&
		    !derive_quarter(s, i, year_end_month, quarters))
			return false;

	n = s->count;
	for (size_t i = 0; i < n; i++)
		if (at(s, i)->class == PERIOD_QUARTER &&
		    !derive_ttm(s, i, ttm))
			return false;
	return true;
}

/*
 * Adds derived quarters and trailing twelve months to a company's
 * records, which must be in key order (xbrl_select()); they are left
 * unsorted.  Counts the records made.  Returns false when out of memory.
 */
bool
quarters_derive(const struct xbrl_mapping *m, struct xbrl_records *r,
    int year_end_month, unsigned long *quarters, unsigned long *ttm)
{
	struct series s = { .r = r };
	size_t reported = r->count;
	bool ok = true;

	for (size_t lo = 0, hi; ok && lo < reported; lo = hi) {
		size_t metric = r->items[lo].metric;

		for (hi = lo + 1; hi < reported && r->items[hi].metric == metric;
		    hi++)
			continue;
		if (xbrl_additive(&m->metrics[metric]))
			ok = derive_metric(&s, lo, hi, year_end_month, quarters,
			    ttm);
	}
	free(s.idx);
	return ok;
}
