#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec_tickers.h"

/* Formats a CIK as SEC spells it in file names and URLs: ten digits. */
void
sec_cik_format(long cik, char text[SEC_CIK_TEXT_SIZE])
{
	snprintf(text, SEC_CIK_TEXT_SIZE, "%010ld", cik);
}

/* Parses a CIK given as digits, with an optional "CIK" prefix as in SEC's
 * file names.  Returns -1 when text is not a CIK. */
long
sec_cik_parse(const char *text)
{
	char *end;
	long cik;

	if (strncasecmp(text, "CIK", 3) == 0)
		text += 3;
	if (!isdigit((unsigned char)*text) || strlen(text) > 10)
		return -1;
	errno = 0;
	cik = strtol(text, &end, 10);
	if (*end != '\0' || errno != 0 || cik <= 0 || cik > SEC_MAX_CIK)
		return -1;
	return cik;
}

/* Reads a CIK from a JSON number or string member, as SEC documents carry
 * either.  Returns -1 when absent or invalid. */
long
sec_cik_json(const cJSON *item)
{
	if (cJSON_IsNumber(item)) {
		double v = item->valuedouble;

		if (v >= 1 && v <= (double)SEC_MAX_CIK && v == floor(v))
			return (long)v;
		return -1;
	}
	if (cJSON_IsString(item))
		return sec_cik_parse(item->valuestring);
	return -1;
}

void
sec_tickers_free(struct sec_ticker_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		free(table->entries[i].ticker);
	free(table->entries);
	free(table->source);
	memset(table, 0, sizeof *table);
}

static int
add_ticker(struct sec_ticker_table *table, const cJSON *cik_item,
    const cJSON *ticker_item)
{
	struct sec_ticker_entry *grown;
	long cik = sec_cik_json(cik_item);

	if (cik < 0 || !cJSON_IsString(ticker_item))
		return 0;
	grown = realloc(table->entries, (table->count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	table->entries = grown;
	grown[table->count].cik = cik;
	grown[table->count].ticker = strdup(ticker_item->valuestring);
	if (grown[table->count].ticker == NULL)
		return -1;
	table->count++;
	return 0;
}

static int
field_index(const cJSON *fields, const char *name)
{
	int i = 0;
	const cJSON *field;

	cJSON_ArrayForEach(field, fields) {
		if (cJSON_IsString(field) && strcmp(field->valuestring, name) == 0)
			return i;
		i++;
	}
	return -1;
}

/*
 * Fills the table from SEC's company_tickers.json,
 * {"0":{"cik_str":320193,"ticker":"AAPL","title":"Apple Inc."},...},
 * or company_tickers_exchange.json, {"fields":["cik","name","ticker",
 * "exchange"],"data":[[320193,"Apple Inc.","AAPL","Nasdaq"],...]}.
 * Returns 0, or -1 with the reason in why.
 */
int
sec_tickers_parse(struct sec_ticker_table *table, const cJSON *root, char *why,
    size_t why_size)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const cJSON *item;

	if (!cJSON_IsObject(root)) {
		snprintf(why, why_size, "not a JSON object");
		return -1;
	}
	if (cJSON_IsArray(fields) && cJSON_IsArray(data)) {
		int cik_at = field_index(fields, "cik");
		int ticker_at = field_index(fields, "ticker");

		if (cik_at < 0 || ticker_at < 0) {
			snprintf(why, why_size,
			    "\"fields\" lacks \"cik\" or \"ticker\"");
			return -1;
		}
		cJSON_ArrayForEach(item, data)
			if (add_ticker(table, cJSON_GetArrayItem(item, cik_at),
			    cJSON_GetArrayItem(item, ticker_at)) < 0)
				goto out_of_memory;
		return 0;
	}
	cJSON_ArrayForEach(item, root) {
		const cJSON *cik = cJSON_GetObjectItemCaseSensitive(item,
		    "cik_str");

		if (cik == NULL) {
			snprintf(why, why_size, "member \"%s\" has no \"cik_str\"",
			    item->string);
			return -1;
		}
		if (add_ticker(table, cik,
		    cJSON_GetObjectItemCaseSensitive(item, "ticker")) < 0)
			goto out_of_memory;
	}
	return 0;

out_of_memory:
	snprintf(why, why_size, "out of memory");
	return -1;
}

/* Loads the ticker table from text.  Returns 0, or -1 after the error. */

/* Returns the first ticker of a CIK, or NULL. */
const char *
sec_ticker_for_cik(const struct sec_ticker_table *table, long cik)
{
	for (size_t i = 0; i < table->count; i++)
		if (table->entries[i].cik == cik)
			return table->entries[i].ticker;
	return NULL;
}

/* Finds a ticker whatever its case; the entry keeps SEC's spelling. */
const struct sec_ticker_entry *
sec_ticker_find(const struct sec_ticker_table *table, const char *ticker)
{
	for (size_t i = 0; i < table->count; i++)
		if (strcasecmp(table->entries[i].ticker, ticker) == 0)
			return &table->entries[i];
	return NULL;
}
