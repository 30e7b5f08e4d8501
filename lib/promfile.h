#ifndef CORPINTEL_PROMFILE_H
#define CORPINTEL_PROMFILE_H

/*
 * Counters and gauges in the Prometheus text exposition format, written
 * at the end of a run for node_exporter's textfile collector.  The file
 * is written beside its final name and renamed, so the collector never
 * reads half a file.  Every sample carries a tool="NAME" label.
 */

struct promfile;

struct promfile *promfile_new(void);
void promfile_counter(struct promfile *pf, const char *name, const char *help,
    const char *labels, double value);
void promfile_gauge(struct promfile *pf, const char *name, const char *help,
    const char *labels, double value);
int promfile_write(struct promfile *pf, const char *path);
void promfile_free(struct promfile *pf);

#endif
