#ifndef CORPINTEL_INPUTS_H
#define CORPINTEL_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ndjson.h"
#include "reject.h"

/*
 * The inputs of a tool that reads NDJSON: the files named on the command
 * line ("-" is standard input), or standard input alone, read in turn as
 * one stream.  Line numbers continue from one file to the next, as if the
 * files were concatenated, and the reject stream learns where each file
 * starts, so that a reject names its file and its line in that file.
 */

/*
 * Called for each line of the inputs.  status is NDJSON_LINE, or
 * NDJSON_TOO_LONG with the first bytes of the line in text.  Returns
 * false to stop reading.
 */
typedef bool inputs_line_fn(void *arg, unsigned long line,
    enum ndjson_status status, char *text, size_t len);

struct inputs {
	char **paths;		/* none: standard input */
	int count;
	size_t max_line;	/* --max-line-bytes */
	struct reject_stream *rejects;
	unsigned long lines;	/* read so far, over all inputs */
};

int inputs_check(char **paths, int count);
int inputs_read(struct inputs *in, inputs_line_fn *fn, void *arg);
void inputs_reject_long(struct reject_stream *rs, unsigned long line,
    const char *text, size_t len, size_t max_line);

#endif
