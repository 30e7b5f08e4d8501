#ifndef CORPINTEL_SEC_DOCS_H
#define CORPINTEL_SEC_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Reads JSON documents written one after another on a stream, as
 * `cat CIK*.json` writes SEC's bulk companyfacts or submissions files:
 * each top-level object is returned whole, and only one is held in
 * memory at a time.  Whitespace between documents is skipped; anything
 * else outside an object is an error.
 */

#define SEC_DOC_MAX_DEPTH	256

struct sec_doc_reader {
	FILE *fp;
	char *buf;
	size_t length;			/* bytes in buf */
	size_t capacity;
	size_t scanned;			/* bytes of the document scanned */
	size_t max_bytes;		/* largest document accepted */
	unsigned long long offset;	/* stream offset of buf[0] */
	int depth;
	char closers[SEC_DOC_MAX_DEPTH];	/* the bracket each level expects */
	bool mismatched;
	bool in_string;
	bool escaped;
	bool eof;
};

void sec_doc_reader_init(struct sec_doc_reader *r, FILE *fp,
    size_t max_bytes);
int sec_doc_next(struct sec_doc_reader *r, char **text, size_t *length,
    unsigned long long *offset, char *why, size_t why_size);
void sec_doc_reader_free(struct sec_doc_reader *r);

#endif
