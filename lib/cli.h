#ifndef CORPINTEL_CLI_H
#define CORPINTEL_CLI_H

#include <getopt.h>
#include <stdio.h>

/*
 * Options every tool shares, and the conventions around them: --help to
 * stdout with status 0, a bad option as one line plus a hint with status
 * 64, -v/-q for the log level.  Exit statuses are those of sysexits.h.
 */

#define EXIT_OK		0
#define EXIT_USAGE	64	/* EX_USAGE */
#define EXIT_DATAERR	65	/* EX_DATAERR */
#define EXIT_NOINPUT	66	/* EX_NOINPUT */
#define EXIT_UNAVAILABLE 69	/* EX_UNAVAILABLE */
#define EXIT_SOFTWARE	70	/* EX_SOFTWARE */
#define EXIT_IOERR	74	/* EX_IOERR */
#define EXIT_TEMPFAIL	75	/* EX_TEMPFAIL */
#define EXIT_CONFIG	78	/* EX_CONFIG */

enum cli_common_option {
	CLI_OPT_LOG_FORMAT = 0x1000,
	CLI_OPT_METRICS_FILE,
	CLI_OPT_CONFIG,
	CLI_OPT_TOOL_FIRST = 0x1100,	/* tools number their own options from here */
};

#define CLI_COMMON_LONG_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "log-format", required_argument, NULL, CLI_OPT_LOG_FORMAT }, \
	{ "metrics-file", required_argument, NULL, CLI_OPT_METRICS_FILE }, \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }

#define CLI_COMMON_SHORT_OPTIONS "hVvq"

/* Help text for the shared options, for each tool's usage(). */
#define CLI_COMMON_HELP \
"  -v, --verbose            more detail on stderr (repeat for debug)\n" \
"  -q, --quiet              errors only on stderr\n" \
"      --log-format=FORMAT  text (default) or json, one object per line\n" \
"      --metrics-file=PATH  write Prometheus counters to PATH at exit\n" \
"      --config=FILE        read option defaults from a YAML file\n" \
"  -h, --help               show this help and exit\n" \
"  -V, --version            show the version and exit\n"

struct cli_common {
	const char *metrics_file;
	const char *config_file;
	int verbosity;
};

typedef void cli_usage_fn(FILE *out);

void cli_init(int argc, char **argv);
int cli_handle_common(int option, const char *arg, struct cli_common *common,
    cli_usage_fn *usage);
_Noreturn void cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
double cli_parse_ratio(const char *option, const char *arg);
size_t cli_parse_bytes(const char *option, const char *arg);
void cli_check_output_path(const char *option, const char *path,
    char *const *inputs, int count);
int cli_finish_stdout(void);
_Noreturn void cli_exit_write_error(void);
const char *cli_schema_dir(void);
int cli_schema_path(char *buf, size_t size, const char *name);

#endif
