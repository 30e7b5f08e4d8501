#ifndef CORPINTEL_UNIVERSE_H
#define CORPINTEL_UNIVERSE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A universe file: the companies a pipeline follows, such as
 * pipelines/universe/edtech.yaml:
 *
 *   companies:
 *     - ticker: DUOL
 *       cik: "0001562088"
 *       name: Duolingo, Inc.
 *       category: online learning
 *       listed: true
 *
 * normalize takes categories and the cik of a ticker from it, transform
 * the companies its marts compare.
 */

#define UNIVERSE_CIK_DIGITS 10

struct universe_company {
	char *ticker;			/* NULL when absent */
	char cik[UNIVERSE_CIK_DIGITS + 1];	/* "" when absent */
	char *name;			/* NULL when absent */
	char *category;			/* NULL when absent */
	bool listed;			/* true unless the file says false */
	unsigned long line;		/* of the entry in the file */
};

struct universe {
	struct universe_company *companies;
	size_t count;
};

struct universe *universe_load(const char *path, char *error, size_t size);
void universe_free(struct universe *u);
const struct universe_company *universe_find(const struct universe *u,
    const char *cik, const char *ticker);
bool universe_pad_cik(const char *text, char out[UNIVERSE_CIK_DIGITS + 1]);

#endif
