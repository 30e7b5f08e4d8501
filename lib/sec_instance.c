#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"
#include "date.h"
#include "sec_instance.h"
#include "sec_tickers.h"

#define XBRLI_NS	"http://www.xbrl.org/2003/instance"
#define XSI_NS		"http://www.w3.org/2001/XMLSchema-instance"
#define CIK_SCHEME	"http://www.sec.gov/CIK"
#define UNIT_NAME_SIZE	64

const char *const sec_instance_skip_names[SEC_INSTANCE_SKIP_COUNT] = {
	"extension-taxonomy", "dimensional", "nil", "not-a-number",
	"bad-reference", "duplicate",
};

struct context {
	char *id;
	bool usable;		/* no dimensions, a valid period */
	bool dimensional;
	char start[DATE_TEXT_SIZE];	/* "" for an instant */
	char end[DATE_TEXT_SIZE];
	long cik;		/* from the entity identifier; 0 if none */
};

struct unit {
	char *id;
	char name[UNIT_NAME_SIZE];	/* "USD", "shares", "USD/shares" */
};

/* A fact written, to keep repeats out. */
struct written {
	const char *taxonomy;
	const xmlChar *concept;
	const struct unit *unit;
	const struct context *context;
	double value;
};

struct sec_instance {
	xmlDoc *doc;
	struct context *contexts;
	size_t context_count;
	struct unit *units;
	size_t unit_count;
	long cik;
	char *entity;
	char *form;
	char *fp;
	long fy;		/* -1 when absent */
};

static bool
in_namespace(const xmlNode *node, const char *href, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
	    strcmp((const char *)node->ns->href, href) == 0 &&
	    (name == NULL || strcmp((const char *)node->name, name) == 0);
}

static const xmlNode *
child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next)
		if (in_namespace(n, XBRLI_NS, name))
			return n;
	return NULL;
}

/* Returns the trimmed text of a node, to be freed with free(). */
static char *
trimmed_text(const xmlNode *node)
{
	xmlChar *content = xmlNodeGetContent(node);
	char *start, *end, *copy;

	if (content == NULL)
		return NULL;
	start = (char *)content;
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	copy = strndup(start, (size_t)(end - start));
	xmlFree(content);
	return copy;
}

/* Copies a date element's text, which must be YYYY-MM-DD. */
static bool
read_date(const xmlNode *node, char out[DATE_TEXT_SIZE])
{
	char *text = node != NULL ? trimmed_text(node) : NULL;
	long days;
	bool ok = text != NULL && date_parse(text, &days);

	if (ok)
		snprintf(out, DATE_TEXT_SIZE, "%s", text);
	free(text);
	return ok;
}

static void
read_context(const xmlNode *node, struct context *c)
{
	const xmlNode *entity = child(node, "entity");
	const xmlNode *period = child(node, "period");
	const xmlNode *identifier = entity != NULL ?
	    child(entity, "identifier") : NULL;
	const xmlNode *instant;

	memset(c, 0, sizeof *c);
	c->id = (char *)xmlGetProp(node, (const xmlChar *)"id");
	c->dimensional = (entity != NULL && child(entity, "segment") != NULL) ||
	    child(node, "scenario") != NULL;
	if (identifier != NULL) {
		xmlChar *scheme = xmlGetProp(identifier, (const xmlChar *)"scheme");
		char *text = trimmed_text(identifier);

		if (scheme != NULL && text != NULL &&
		    strcmp((const char *)scheme, CIK_SCHEME) == 0)
			c->cik = sec_cik_parse(text) > 0 ? sec_cik_parse(text) : 0;
		xmlFree(scheme);
		free(text);
	}
	if (period == NULL)
		return;
	if ((instant = child(period, "instant")) != NULL)
		c->usable = read_date(instant, c->end);
	else
		c->usable = read_date(child(period, "startDate"), c->start) &&
		    read_date(child(period, "endDate"), c->end);
}

/* The local name of a measure such as "iso4217:USD" or "xbrli:shares",
 * which is how companyfacts names units. */
static bool
measure_name(const xmlNode *measure, char *out, size_t size)
{
	char *text = measure != NULL ? trimmed_text(measure) : NULL;
	const char *colon;
	bool ok;

	if (text == NULL)
		return false;
	colon = strchr(text, ':');
	ok = snprintf(out, size, "%s", colon != NULL ? colon + 1 : text) <
	    (int)size && *out != '\0';
	free(text);
	return ok;
}

static int
count_measures(const xmlNode *parent)
{
	int n = 0;

	for (const xmlNode *c = parent->children; c != NULL; c = c->next)
		if (in_namespace(c, XBRLI_NS, "measure"))
			n++;
	return n;
}

static void
read_unit(const xmlNode *node, struct unit *u)
{
	const xmlNode *divide = child(node, "divide");
	const xmlNode *numerator, *denominator;
	char top[UNIT_NAME_SIZE], bottom[UNIT_NAME_SIZE];

	memset(u, 0, sizeof *u);
	u->id = (char *)xmlGetProp(node, (const xmlChar *)"id");
	if (divide == NULL) {
		/* A product of several measures has no companyfacts name. */
		if (count_measures(node) == 1 &&
		    !measure_name(child(node, "measure"), u->name,
		    sizeof u->name))
			u->name[0] = '\0';
		return;
	}
	numerator = child(divide, "unitNumerator");
	denominator = child(divide, "unitDenominator");
	if (numerator != NULL && denominator != NULL &&
	    count_measures(numerator) == 1 && count_measures(denominator) == 1 &&
	    measure_name(child(numerator, "measure"), top, sizeof top) &&
	    measure_name(child(denominator, "measure"), bottom, sizeof bottom) &&
	    strlen(top) + 1 + strlen(bottom) < sizeof u->name) {
		strcpy(u->name, top);
		strcat(u->name, "/");
		strcat(u->name, bottom);
	}
}

/*
 * Names the standard taxonomy of a namespace as companyfacts does, or
 * returns NULL for others (the filer's extension, or the negated-label
 * taxonomy of 2009 filings).  The year or date that follows each base
 * changes with every release.
 */
static const char *
taxonomy_of(const char *href)
{
	static const struct {
		const char *base;
		const char *name;
	} bases[] = {
		{ "http://fasb.org/us-gaap/", "us-gaap" },
		{ "http://xbrl.us/us-gaap/", "us-gaap" },
		{ "http://xbrl.sec.gov/dei/", "dei" },
		{ "http://xbrl.us/dei/", "dei" },
		{ "http://fasb.org/srt/", "srt" },
	};
	size_t n;

	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		n = strlen(bases[i].base);
		if (strncmp(href, bases[i].base, n) == 0 &&
		    isdigit((unsigned char)href[n]))
			return bases[i].name;
	}
	n = strlen(href);
	if ((strncmp(href, "http://xbrl.ifrs.org/taxonomy/", 30) == 0 ||
	    strncmp(href, "https://xbrl.ifrs.org/taxonomy/", 31) == 0) &&
	    n > 10 && strcmp(href + n - 10, "/ifrs-full") == 0)
		return "ifrs-full";
	return NULL;
}

static const struct context *
find_context(const struct sec_instance *in, const xmlChar *id)
{
	for (size_t i = 0; id != NULL && i < in->context_count; i++)
		if (in->contexts[i].id != NULL &&
		    strcmp(in->contexts[i].id, (const char *)id) == 0)
			return &in->contexts[i];
	return NULL;
}

static const struct unit *
find_unit(const struct sec_instance *in, const xmlChar *id)
{
	for (size_t i = 0; id != NULL && i < in->unit_count; i++)
		if (in->units[i].id != NULL &&
		    strcmp(in->units[i].id, (const char *)id) == 0)
			return &in->units[i];
	return NULL;
}

/* Keeps the document and entity information (dei) a fact of the filing
 * itself carries: one without dimensions. */
static void
read_dei(struct sec_instance *in, const xmlNode *node)
{
	xmlChar *ref = xmlGetProp(node, (const xmlChar *)"contextRef");
	const struct context *c = find_context(in, ref);
	const char *name = (const char *)node->name;
	char *text, *end;

	xmlFree(ref);
	if (c == NULL || c->dimensional || node->ns == NULL ||
	    strcmp(taxonomy_of((const char *)node->ns->href) != NULL ?
	    taxonomy_of((const char *)node->ns->href) : "", "dei") != 0)
		return;
	text = trimmed_text(node);
	if (text == NULL)
		return;
	if (strcmp(name, "EntityRegistrantName") == 0 && in->entity == NULL) {
		in->entity = text;
	} else if (strcmp(name, "DocumentType") == 0 && in->form == NULL) {
		in->form = text;
	} else if (strcmp(name, "DocumentFiscalPeriodFocus") == 0 &&
	    in->fp == NULL) {
		in->fp = text;
	} else if (strcmp(name, "DocumentFiscalYearFocus") == 0) {
		errno = 0;
		in->fy = strtol(text, &end, 10);
		if (*end != '\0' || errno != 0 || in->fy < 1900 || in->fy > 9999)
			in->fy = -1;
		free(text);
	} else if (strcmp(name, "EntityCentralIndexKey") == 0) {
		if (sec_cik_parse(text) > 0)
			in->cik = sec_cik_parse(text);
		free(text);
	} else {
		free(text);
	}
}

static int
collect(struct sec_instance *in, const xmlNode *root)
{
	size_t contexts = 0, units = 0;

	for (const xmlNode *n = root->children; n != NULL; n = n->next) {
		if (in_namespace(n, XBRLI_NS, "context"))
			contexts++;
		else if (in_namespace(n, XBRLI_NS, "unit"))
			units++;
	}
	in->contexts = calloc(contexts + 1, sizeof *in->contexts);
	in->units = calloc(units + 1, sizeof *in->units);
	if (in->contexts == NULL || in->units == NULL)
		return -1;
	for (const xmlNode *n = root->children; n != NULL; n = n->next) {
		if (in_namespace(n, XBRLI_NS, "context"))
			read_context(n, &in->contexts[in->context_count++]);
		else if (in_namespace(n, XBRLI_NS, "unit"))
			read_unit(n, &in->units[in->unit_count++]);
	}
	for (const xmlNode *n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    !in_namespace(n, XBRLI_NS, NULL))
			read_dei(in, n);
	if (in->cik == 0)
		for (size_t i = 0; i < in->context_count && in->cik == 0; i++)
			in->cik = in->contexts[i].cik;
	return 0;
}

/*
 * Parses an instance document.  The parser loads no DTD or external
 * entity and never goes to the network.  Returns NULL with the reason
 * in why when the text is not an XBRL instance of one company.
 */
struct sec_instance *
sec_instance_parse(const char *text, size_t length, const char *source,
    char *why, size_t why_size)
{
	struct sec_instance *in;
	const xmlNode *root;

	if (length > INT_MAX) {
		snprintf(why, why_size, "document larger than 2 GiB");
		return NULL;
	}
	in = calloc(1, sizeof *in);
	if (in == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	in->fy = -1;
	in->doc = xmlReadMemory(text, (int)length, source, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_HUGE);
	if (in->doc == NULL) {
		snprintf(why, why_size, "not an XML document");
		goto fail;
	}
	root = xmlDocGetRootElement(in->doc);
	if (root == NULL || !in_namespace(root, XBRLI_NS, "xbrl")) {
		snprintf(why, why_size, "not an XBRL instance: the root element "
		    "is not <xbrl> in the XBRL 2.1 instance namespace");
		goto fail;
	}
	if (collect(in, root) < 0) {
		snprintf(why, why_size, "out of memory");
		goto fail;
	}
	if (in->cik == 0) {
		snprintf(why, why_size, "no CIK: neither "
		    "dei:EntityCentralIndexKey nor an entity identifier in the "
		    "scheme %s", CIK_SCHEME);
		goto fail;
	}
	return in;

fail:
	sec_instance_free(in);
	return NULL;
}

long
sec_instance_cik(const struct sec_instance *instance)
{
	return instance->cik;
}

static bool
written_before(const struct written *list, size_t count,
    const struct written *fact)
{
	for (size_t i = 0; i < count; i++) {
		const struct written *w = &list[i];

		if (w->value == fact->value && w->unit == fact->unit &&
		    strcmp(w->taxonomy, fact->taxonomy) == 0 &&
		    xmlStrEqual(w->concept, fact->concept) &&
		    strcmp(w->context->start, fact->context->start) == 0 &&
		    strcmp(w->context->end, fact->context->end) == 0)
			return true;
	}
	return false;
}

static void
put_string(struct jsonw *w, const char *key, const char *value)
{
	if (value != NULL && *value != '\0')
		jsonw_string(w, key, value);
	else
		jsonw_null(w, key);
}

static void
build_fact(struct jsonw *w, const struct sec_instance *in, const char *cik,
    const char *ticker, const struct written *fact, const char *accession,
    const char *filed)
{
	jsonw_begin(w);
	jsonw_string(w, "kind", "sec_fact");
	jsonw_string(w, "cik", cik);
	put_string(w, "ticker", ticker);
	put_string(w, "entity", in->entity);
	jsonw_string(w, "taxonomy", fact->taxonomy);
	jsonw_string(w, "concept", (const char *)fact->concept);
	jsonw_string(w, "unit", fact->unit->name);
	jsonw_number(w, "value", fact->value);
	put_string(w, "start", fact->context->start);
	jsonw_string(w, "end", fact->context->end);
	if (in->fy > 0)
		jsonw_int(w, "fy", in->fy);
	else
		jsonw_null(w, "fy");
	put_string(w, "fp", in->fp);
	put_string(w, "form", in->form);
	jsonw_string(w, "filed", filed);
	jsonw_string(w, "accn", accession);
	/* Frames are SEC's alignment to calendar periods across companies,
	 * computed for companyfacts; an instance has none. */
	jsonw_null(w, "frame");
	jsonw_end(w);
}

/* Classifies a root child: a fact to write, or the reason it is not. */
static enum sec_instance_skip
check_fact(const struct sec_instance *in, const xmlNode *n,
    struct written *fact)
{
	xmlChar *context_ref, *unit_ref, *nil;
	char *text, *end;
	bool nil_set;

	fact->taxonomy = taxonomy_of((const char *)n->ns->href);
	if (fact->taxonomy == NULL)
		return SEC_INSTANCE_EXTENSION;
	context_ref = xmlGetProp(n, (const xmlChar *)"contextRef");
	unit_ref = xmlGetProp(n, (const xmlChar *)"unitRef");
	fact->context = find_context(in, context_ref);
	fact->unit = find_unit(in, unit_ref);
	xmlFree(context_ref);
	xmlFree(unit_ref);
	nil = xmlGetNsProp(n, (const xmlChar *)"nil", (const xmlChar *)XSI_NS);
	nil_set = nil != NULL && strcmp((const char *)nil, "true") == 0;
	xmlFree(nil);

	if (fact->context == NULL || fact->unit == NULL ||
	    fact->unit->name[0] == '\0' || !fact->context->usable)
		return SEC_INSTANCE_BAD_REFERENCE;
	if (fact->context->dimensional)
		return SEC_INSTANCE_DIMENSIONAL;
	if (nil_set)
		return SEC_INSTANCE_NIL;
	text = trimmed_text(n);
	if (text == NULL)
		return SEC_INSTANCE_NOT_A_NUMBER;
	errno = 0;
	fact->value = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 ||
	    !isfinite(fact->value)) {
		free(text);
		return SEC_INSTANCE_NOT_A_NUMBER;
	}
	free(text);
	fact->concept = n->name;
	return SEC_INSTANCE_SKIP_COUNT;
}

/*
 * Writes one sec_fact record per numeric fact, in document order, for
 * the filing with this accession number and filing date, which the
 * instance itself does not carry.  Elements without a unitRef are text
 * facts and not counted.  A write error ends the program through
 * cli_exit_write_error().
 */
void
sec_instance_write(struct sec_instance *in, const char *ticker,
    const char *accession, const char *filed, struct jsonw *w, FILE *out,
    struct sec_instance_counts *counts)
{
	const xmlNode *root = xmlDocGetRootElement(in->doc);
	struct written *list = NULL, *grown, fact;
	size_t count = 0, capacity = 0;
	enum sec_instance_skip skip;
	char cik[SEC_CIK_TEXT_SIZE];

	sec_cik_format(in->cik, cik);
	for (const xmlNode *n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
		    in_namespace(n, XBRLI_NS, NULL) ||
		    !xmlHasProp(n, (const xmlChar *)"contextRef") ||
		    !xmlHasProp(n, (const xmlChar *)"unitRef"))
			continue;
		skip = check_fact(in, n, &fact);
		if (skip == SEC_INSTANCE_SKIP_COUNT &&
		    written_before(list, count, &fact))
			skip = SEC_INSTANCE_DUPLICATE;
		if (skip != SEC_INSTANCE_SKIP_COUNT) {
			counts->skipped[skip]++;
			continue;
		}
		if (count == capacity) {
			capacity = capacity == 0 ? 256 : capacity * 2;
			grown = realloc(list, capacity * sizeof *grown);
			if (grown == NULL) {
				fputs("out of memory\n", stderr);
				exit(EXIT_SOFTWARE);
			}
			list = grown;
		}
		list[count++] = fact;
		build_fact(w, in, cik, ticker, &fact, accession, filed);
		if (jsonw_write(w, out) < 0)
			cli_exit_write_error();
		counts->out++;
	}
	free(list);
}

void
sec_instance_free(struct sec_instance *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->context_count; i++)
		xmlFree(in->contexts[i].id);
	for (size_t i = 0; i < in->unit_count; i++)
		xmlFree(in->units[i].id);
	free(in->contexts);
	free(in->units);
	free(in->entity);
	free(in->form);
	free(in->fp);
	if (in->doc != NULL)
		xmlFreeDoc(in->doc);
	free(in);
}
