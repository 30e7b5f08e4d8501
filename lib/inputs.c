#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "inputs.h"
#include "log.h"

static bool
is_standard_input(const char *path)
{
	return strcmp(path, "-") == 0;
}

/*
 * Reports each named input that cannot be read, so that a tool which
 * must not write a partial result can stop before it reads anything.
 * Returns EXIT_OK, or EXIT_NOINPUT when any input is missing.
 */
int
inputs_check(char **paths, int count)
{
	int status = EXIT_OK;

	for (int i = 0; i < count; i++) {
		if (is_standard_input(paths[i]) || access(paths[i], R_OK) == 0)
			continue;
		log_error("%s: %s", paths[i], strerror(errno));
		status = EXIT_NOINPUT;
	}
	return status;
}

/* Writes the standard reason for a line longer than --max-line-bytes. */
const char *
inputs_long_reason(char *buf, size_t size, size_t max_line)
{
	snprintf(buf, size, "line longer than %zu bytes (raise "
	    "--max-line-bytes if such lines are expected)", max_line);
	return buf;
}

/* Rejects a line longer than --max-line-bytes with the standard reason. */
void
inputs_reject_long(struct reject_stream *rs, unsigned long line,
    const char *text, size_t len, size_t max_line)
{
	char why[128];

	reject_one(rs, line, text, len, "line-length",
	    inputs_long_reason(why, sizeof why, max_line));
}

/*
 * Reads one input to its end, or until fn returns false, which sets
 * *stop.  Returns EXIT_OK, or EXIT_IOERR or EXIT_SOFTWARE after
 * reporting.
 */
static int
read_one(struct inputs *in, FILE *fp, const char *name, inputs_line_fn *fn,
    void *arg, bool *stop)
{
	struct ndjson_reader *reader;
	unsigned long before = in->lines;
	enum ndjson_status status;
	char *text;
	size_t len;
	int result = EXIT_OK;

	reader = ndjson_open(fp, in->max_line);
	if (reader == NULL || (in->rejects != NULL &&
	    reject_add_file(in->rejects, name, before) < 0)) {
		log_error("out of memory");
		ndjson_close(reader);
		return EXIT_SOFTWARE;
	}
	while ((status = ndjson_next(reader, &text, &len)) != NDJSON_EOF) {
		inputs_line_fn *take;

		if (status == NDJSON_READ_ERROR) {
			log_error("%s: read error after line %lu: %s",
			    is_standard_input(name) ? "standard input" : name,
			    ndjson_line_number(reader), strerror(errno));
			result = EXIT_IOERR;
			break;
		}
		in->lines = before + ndjson_line_number(reader);
		if (status == NDJSON_TOO_LONG && in->long_line == NULL) {
			inputs_reject_long(in->rejects, in->lines, text, len,
			    in->max_line);
			in->too_long++;
			continue;
		}
		take = status == NDJSON_TOO_LONG ? in->long_line : fn;
		if (!take(arg, in->lines, text, len)) {
			*stop = true;
			break;
		}
	}
	ndjson_close(reader);
	return result;
}

/*
 * Reads every input in turn.  An input that cannot be opened is reported
 * and left out, as cat(1) does, and the others are still read.  Returns
 * EXIT_OK, or the status of the first failure: EXIT_NOINPUT, EXIT_IOERR
 * or EXIT_SOFTWARE.
 */
int
inputs_read(struct inputs *in, inputs_line_fn *fn, void *arg)
{
	static char *standard_input[] = { "-" };
	char **paths = in->count > 0 ? in->paths : standard_input;
	int count = in->count > 0 ? in->count : 1;
	int status = EXIT_OK;
	bool stop = false;

	for (int i = 0; i < count && !stop; i++) {
		FILE *fp = stdin;
		int result;

		if (!is_standard_input(paths[i]) &&
		    (fp = fopen(paths[i], "r")) == NULL) {
			log_error("%s: %s", paths[i], strerror(errno));
			result = EXIT_NOINPUT;
		} else {
			result = read_one(in, fp, paths[i], fn, arg, &stop);
			if (fp != stdin)
				fclose(fp);
		}
		if (status == EXIT_OK)
			status = result;
	}
	return status;
}
