#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *progname = "corpintel";
static int current_level = LOG_LEVEL_INFO;
static enum log_format current_format = LOG_FORMAT_TEXT;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
log_init(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash != NULL ? slash + 1 : argv0;
}

const char *
log_progname(void)
{
	return progname;
}

void
log_set_level(int level)
{
	if (level < LOG_LEVEL_ERROR)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	current_level = level;
}

int
log_enabled(enum log_level level)
{
	return (int)level <= current_level;
}

/* Returns 0, or -1 when the name is neither "text" nor "json". */
int
log_set_format(const char *name)
{
	if (strcmp(name, "text") == 0)
		current_format = LOG_FORMAT_TEXT;
	else if (strcmp(name, "json") == 0)
		current_format = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

static void
write_json_string(const char *s)
{
	const unsigned char *p;

	fputc('"', stderr);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(stderr, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p < 0x20)
			fprintf(stderr, "\\u%04x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('"', stderr);
}

static void
write_json_line(enum log_level level, const char *text)
{
	char stamp[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	/* The line is written piece by piece: held whole against the lines
	 * of other threads. */
	flockfile(stderr);
	fprintf(stderr, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"tool\":",
	    stamp, now.tv_nsec / 1000000, level_names[level]);
	write_json_string(progname);
	fputs(",\"message\":", stderr);
	write_json_string(text);
	fputs("}\n", stderr);
	funlockfile(stderr);
}

static void
vlog(enum log_level level, const char *fmt, va_list ap)
{
	char text[4096];

	if (!log_enabled(level))
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	if (current_format == LOG_FORMAT_JSON) {
		write_json_line(level, text);
		return;
	}
	if (level == LOG_LEVEL_WARN)
		fprintf(stderr, "%s: warning: %s\n", progname, text);
	else
		fprintf(stderr, "%s: %s\n", progname, text);
}

void
log_message(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}
