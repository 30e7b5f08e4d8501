#ifndef CORPINTEL_QUARTERS_H
#define CORPINTEL_QUARTERS_H

#include <stdbool.h>

#include "xbrl.h"

/*
 * Quarters that no filing reports, derived from the ones that do.
 *
 * Companies report the fourth quarter only inside the annual figure, and
 * many report cash flows only as year-to-date sums.  For each additive
 * metric (xbrl_additive()), a missing quarter is the difference of two
 * cumulative periods of the same fiscal year, both starting on the same
 * date: Q2 = H1 - Q1, Q3 = 9M - H1, Q4 = annual - 9M; or, without the
 * shorter cumulative period, the longer one minus the reported quarters
 * that lead up to it (annual - Q1 - Q2 - Q3).  The sources must be in
 * the same unit and contiguous, and the difference must have the length
 * of a quarter.  Then every run of four contiguous quarters in one unit,
 * reported or derived, gives a trailing-twelve-month sum.
 */

bool quarters_derive(const struct xbrl_mapping *m, struct xbrl_records *r,
    int year_end_month, unsigned long *quarters, unsigned long *ttm);

#endif
