#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "log.h"
#include "promfile.h"

struct sample {
	char *name;
	char *help;
	char *labels;		/* extra labels, 'reason="empty"', or "" */
	const char *type;
	double value;
};

struct promfile {
	struct sample *samples;
	size_t count;
	int failed;
};

struct promfile *
promfile_new(void)
{
	return calloc(1, sizeof(struct promfile));
}

static void
add(struct promfile *pf, const char *type, const char *name, const char *help,
    const char *labels, double value)
{
	struct sample *grown, *s;

	if (pf == NULL)
		return;
	grown = realloc(pf->samples, (pf->count + 1) * sizeof *grown);
	if (grown == NULL) {
		pf->failed = 1;
		return;
	}
	pf->samples = grown;
	s = &pf->samples[pf->count];
	s->name = strdup(name);
	s->help = strdup(help);
	s->labels = strdup(labels != NULL ? labels : "");
	s->type = type;
	s->value = value;
	if (s->name == NULL || s->help == NULL || s->labels == NULL) {
		pf->failed = 1;
		return;
	}
	pf->count++;
}

void
promfile_counter(struct promfile *pf, const char *name, const char *help,
    const char *labels, double value)
{
	add(pf, "counter", name, help, labels, value);
}

void
promfile_gauge(struct promfile *pf, const char *name, const char *help,
    const char *labels, double value)
{
	add(pf, "gauge", name, help, labels, value);
}

/* Prints HELP and TYPE once per metric name, before its first sample. */
static void
print_samples(struct promfile *pf, FILE *fp)
{
	for (size_t i = 0; i < pf->count; i++) {
		const struct sample *s = &pf->samples[i];
		char value[40];
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(pf->samples[j].name, s->name) == 0;
		if (!seen)
			fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", s->name,
			    s->help, s->name, s->type);
		json_format_number(value, sizeof value, s->value);
		fprintf(fp, "%s{tool=\"%s\"%s%s} %s\n", s->name, log_progname(),
		    s->labels[0] != '\0' ? "," : "", s->labels, value);
	}
}

/* Writes the samples to path atomically.  Returns 0, or -1 after
 * reporting the error. */
int
promfile_write(struct promfile *pf, const char *path)
{
	char tmp[4096];
	FILE *fp;

	if (pf == NULL || path == NULL)
		return 0;
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof tmp) {
		log_error("%s: metrics file path too long", path);
		return -1;
	}
	fp = fopen(tmp, "w");
	if (fp == NULL) {
		log_error("%s: cannot write metrics file: %s", tmp, strerror(errno));
		return -1;
	}
	print_samples(pf, fp);
	if (ferror(fp) || fclose(fp) != 0) {
		log_error("%s: write error: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		log_error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
promfile_free(struct promfile *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->count; i++) {
		free(pf->samples[i].name);
		free(pf->samples[i].help);
		free(pf->samples[i].labels);
	}
	free(pf->samples);
	free(pf);
}
