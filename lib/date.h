#ifndef CORPINTEL_DATE_H
#define CORPINTEL_DATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Calendar dates as days since 1970-01-01 in the proleptic Gregorian
 * calendar, so that period lengths are plain subtraction.  Only the ISO
 * 8601 form YYYY-MM-DD is read, and impossible dates (2023-02-29,
 * 2024-13-01) are rejected rather than normalized.
 */

#define DATE_TEXT_SIZE 11	/* "YYYY-MM-DD" and its NUL */

bool date_valid(int year, int month, int day);
long date_to_days(int year, int month, int day);
void date_from_days(long days, int *year, int *month, int *day);
bool date_parse(const char *text, long *days);
bool date_parse_len(const char *text, size_t len, long *days);
void date_format(long days, char text[DATE_TEXT_SIZE]);
long date_today(void);

#endif
