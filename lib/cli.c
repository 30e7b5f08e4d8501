#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

static bool
file_exists(const char *dir, const char *name)
{
	char path[4096];

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return false;
	return access(path, R_OK) == 0;
}

/* Starts a tool: names it for diagnostics and makes a closed pipe on
 * stdout an EPIPE write error that the tool handles, not a signal. */
void
cli_init(int argc, char **argv)
{
	log_init(argv[0]);
	/* getopt names the program by argv[0] in its messages: the bare tool
	 * name gives them the "tool: message" form of every other error. */
	if (argc > 0)
		argv[0] = (char *)log_progname();
	signal(SIGPIPE, SIG_IGN);
}

_Noreturn void
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", log_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
	    log_progname());
	exit(EXIT_USAGE);
}

/*
 * Handles an option shared by every tool.  Returns 1 when the option was
 * one of them, 0 when the tool must handle it; exits for --help,
 * --version and a bad option.
 */
int
cli_handle_common(int option, const char *arg, struct cli_common *common,
    cli_usage_fn *usage)
{
	switch (option) {
	case 'h':
		usage(stdout);
		exit(cli_finish_stdout());
	case 'V':
		printf("%s (corpintel) %s\n", log_progname(), CORPINTEL_VERSION);
		exit(cli_finish_stdout());
	case 'v':
		common->verbosity++;
		log_set_level(LOG_LEVEL_INFO + common->verbosity);
		return 1;
	case 'q':
		common->verbosity = LOG_LEVEL_ERROR - LOG_LEVEL_INFO;
		log_set_level(LOG_LEVEL_ERROR);
		return 1;
	case CLI_OPT_LOG_FORMAT:
		if (log_set_format(arg) < 0)
			cli_usage_error("invalid --log-format '%s': use text or json",
			    arg);
		return 1;
	case CLI_OPT_METRICS_FILE:
		common->metrics_file = arg;
		return 1;
	case CLI_OPT_CONFIG:
		common->config_file = arg;
		return 1;
	case '?':
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    log_progname());
		exit(EXIT_USAGE);
	}
	return 0;
}

/* Parses an option's fraction from 0 to 1, such as --max-reject-ratio;
 * exits with a usage error otherwise. */
double
cli_parse_ratio(const char *option, const char *arg)
{
	char *end;
	double ratio;

	errno = 0;
	ratio = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(ratio >= 0) ||
	    ratio > 1)
		cli_usage_error("invalid %s '%s': use a number from 0 to 1",
		    option, arg);
	return ratio;
}

/* Parses an option's positive number of bytes, such as --max-line-bytes;
 * exits with a usage error otherwise. */
size_t
cli_parse_bytes(const char *option, const char *arg)
{
	char *end;
	unsigned long long bytes;

	errno = 0;
	bytes = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 ||
	    bytes == 0 || bytes > (unsigned long long)SIZE_MAX / 2)
		cli_usage_error("invalid %s '%s': use a positive number of bytes",
		    option, arg);
	return (size_t)bytes;
}

/*
 * Flushes and closes stdout.  Returns the exit status: 0, or EXIT_IOERR
 * after reporting a failed write.  A reader that closed the pipe early
 * (EPIPE) is a normal end, as it is for head(1) readers of cat(1).
 */
int
cli_finish_stdout(void)
{
	int failed = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0)
		failed = 1;
	if (!failed || errno == EPIPE)
		return EXIT_OK;
	log_error("write error on standard output: %s",
	    errno != 0 ? strerror(errno) : "unknown error");
	return EXIT_IOERR;
}

/*
 * Returns the schemas folder of a source tree when this program runs from
 * its build folder (TOP/BUILD/bin/tool), or NULL.  This lets the tools
 * work right after `make`, before `make install`.
 */
static const char *
source_tree_schema_dir(void)
{
	static char dir[4096];
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (slash == NULL)
			return NULL;
		*slash = '\0';
	}
	if (snprintf(dir, sizeof dir, "%s/schemas", exe) >= (int)sizeof dir)
		return NULL;
	if (!file_exists(dir, "metrics.yaml") || !file_exists(dir, "quality.yaml"))
		return NULL;
	return dir;
}

/*
 * The folder of schemas, mappings, rules and migrations, in this order:
 * CORPINTEL_SCHEMA_DIR when set, the installed data folder when it
 * exists, and the source tree's schemas/ for a program run from its build
 * folder.
 */
const char *
cli_schema_dir(void)
{
	const char *dir = getenv("CORPINTEL_SCHEMA_DIR");
	const char *source;

	if (dir != NULL && *dir != '\0')
		return dir;
	if (file_exists(CORPINTEL_DATADIR, "metrics.yaml"))
		return CORPINTEL_DATADIR;
	source = source_tree_schema_dir();
	return source != NULL ? source : CORPINTEL_DATADIR;
}

/* Builds the path of a file in the schema folder.  Returns 0, or -1 when
 * the path does not fit. */
int
cli_schema_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", cli_schema_dir(), name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Ends the run after a failed write to stdout: quietly with status 0 when
 * the reader closed the pipe, else with a message and EXIT_IOERR. */
_Noreturn void
cli_exit_write_error(void)
{
	if (errno == EPIPE)
		exit(EXIT_OK);
	log_error("write error on standard output: %s", strerror(errno));
	exit(EXIT_IOERR);
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Exits with a usage error when an output file named by option (a reject
 * file, a report) is one of the inputs: standard input when it is a file,
 * or one of the count paths in inputs.  Opening it for writing would
 * truncate the input before a line of it is read.
 */
void
cli_check_output_path(const char *option, const char *path,
    char *const *inputs, int count)
{
	struct stat out, in;

	if (path == NULL || stat(path, &out) != 0)
		return;
	if (fstat(STDIN_FILENO, &in) == 0 && S_ISREG(in.st_mode) &&
	    same_file(&out, &in))
		cli_usage_error("%s %s is also the standard input: writing it "
		    "would destroy the input; choose another file", option, path);
	for (int i = 0; i < count; i++) {
		if (strcmp(inputs[i], "-") == 0 || stat(inputs[i], &in) != 0)
			continue;
		if (same_file(&out, &in))
			cli_usage_error("%s %s is also an input file: writing it "
			    "would destroy the input; choose another file", option,
			    path);
	}
}
