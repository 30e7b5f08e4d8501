#ifndef CORPINTEL_LOG_H
#define CORPINTEL_LOG_H

/*
 * Diagnostics on stderr as "tool: message", or one JSON object per line
 * with --log-format=json.  stdout is never touched: it carries data only.
 */

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

void log_init(const char *argv0);
const char *log_progname(void);
void log_set_level(int level);
int log_enabled(enum log_level level);
int log_set_format(const char *name);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A macro, so that the arguments of a debug line are not even evaluated
 * when debug output is off. */
#define log_debug(...) \
	do { \
		if (log_enabled(LOG_LEVEL_DEBUG)) \
			log_message(LOG_LEVEL_DEBUG, __VA_ARGS__); \
	} while (0)

void log_message(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
