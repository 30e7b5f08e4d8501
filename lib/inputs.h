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
 * Called for each line of the inputs, NUL-terminated at len.  Returns
 * false to stop reading.
 */
typedef bool inputs_line_fn(void *arg, unsigned long line, char *text,
    size_t len);

struct inputs {
	char **paths;		/* none: standard input */
	int count;
	size_t max_line;	/* --max-line-bytes */
	struct reject_stream *rejects;
	/* Called with the start of a line longer than max_line.  When it
	 * is NULL, such a line is rejected with the standard reason and
	 * counted in too_long. */
	inputs_line_fn *long_line;
	unsigned long lines;	/* read so far, over all inputs */
	unsigned long too_long;	/* rejected here for their length */
};

int inputs_check(char **paths, int count);
int inputs_read(struct inputs *in, inputs_line_fn *fn, void *arg);
void inputs_reject_long(struct reject_stream *rs, unsigned long line,
    const char *text, size_t len, size_t max_line);
const char *inputs_long_reason(char *buf, size_t size, size_t max_line);

#endif
