#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"

static bool
leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool
date_valid(int year, int month, int day)
{
	static const int month_days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int last;

	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
		return false;
	last = month_days[month - 1];
	if (month == 2 && leap_year(year))
		last = 29;
	return day <= last;
}

/* The days-from-civil computation: shift the year to start in March so
 * that the leap day is last, then count 400-year eras. */
long
date_to_days(int year, int month, int day)
{
	long y = year - (month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long year_of_era = y - era * 400;
	long day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
	    day_of_year;

	return era * 146097 + day_of_era - 719468;
}

void
date_from_days(long days, int *year, int *month, int *day)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long day_of_era = z - era * 146097;
	long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
	    day_of_era / 146096) / 365;
	long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 -
	    year_of_era / 100);
	long mp = (5 * day_of_year + 2) / 153;

	*day = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(year_of_era + era * 400 + (*month <= 2));
}

static bool
digits(const char *s, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

/* Reads exactly "YYYY-MM-DD"; returns false for anything else. */
bool
date_parse(const char *text, long *days)
{
	return text != NULL && date_parse_len(text, strlen(text), days);
}

/* Reads the len bytes at text, which need no NUL after them, as
 * date_parse reads a string. */
bool
date_parse_len(const char *text, size_t len, long *days)
{
	int year, month, day;

	if (len != 10 || text[4] != '-' || text[7] != '-')
		return false;
	if (!digits(text, 4, &year) || !digits(text + 5, 2, &month) ||
	    !digits(text + 8, 2, &day))
		return false;
	if (!date_valid(year, month, day))
		return false;
	*days = date_to_days(year, month, day);
	return true;
}

/* Writes the digits by hand: this runs for every date of every record,
 * and snprintf costs more than the rest of the conversion. */
void
date_format(long days, char text[DATE_TEXT_SIZE])
{
	int year, month, day;

	date_from_days(days, &year, &month, &day);
	if (year < 0 || year > 9999)
		year = 0;
	text[0] = (char)('0' + year / 1000);
	text[1] = (char)('0' + year / 100 % 10);
	text[2] = (char)('0' + year / 10 % 10);
	text[3] = (char)('0' + year % 10);
	text[4] = '-';
	text[5] = (char)('0' + month / 10);
	text[6] = (char)('0' + month % 10);
	text[7] = '-';
	text[8] = (char)('0' + day / 10);
	text[9] = (char)('0' + day % 10);
	text[10] = '\0';
}

/* Today's date in UTC, or CORPINTEL_TODAY (YYYY-MM-DD) when set, so that
 * tests of date rules give the same result on any day. */
long
date_today(void)
{
	const char *fixed = getenv("CORPINTEL_TODAY");
	long days;

	if (fixed != NULL && date_parse(fixed, &days))
		return days;
	return (long)(time(NULL) / 86400);
}
