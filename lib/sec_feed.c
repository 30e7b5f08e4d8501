#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "date.h"
#include "sec_feed.h"
#include "sec_submissions.h"

#define ATOM_NS			"http://www.w3.org/2005/Atom"
#define ACCESSION_PREFIX	"accession-number="

static bool
is_atom(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)node->name, name) == 0 && node->ns != NULL &&
	    strcmp((const char *)node->ns->href, ATOM_NS) == 0;
}

static const xmlNode *
atom_child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next)
		if (is_atom(n, name))
			return n;
	return NULL;
}

/* Copies at most size - 1 bytes of text, trimmed of spaces at both ends. */
static void
copy_trimmed(char *out, size_t size, const char *text, size_t length)
{
	while (length > 0 && isspace((unsigned char)*text)) {
		text++;
		length--;
	}
	while (length > 0 && isspace((unsigned char)text[length - 1]))
		length--;
	if (length > size - 1)
		length = size - 1;
	memcpy(out, text, length);
	out[length] = '\0';
}

/*
 * Reads an entry's title, "FORM - NAME (CIK) (ROLE)" as in
 * "10-Q - Example Learning Corp (0000999001) (Filer)".  Parsed from the
 * end, because company names contain " - " and parentheses too.
 */
static bool
parse_title(const char *title, struct sec_feed_entry *entry)
{
	const char *end = title + strlen(title);
	const char *role_open, *cik_open, *dash;

	while (end > title && isspace((unsigned char)end[-1]))
		end--;
	if (end == title || end[-1] != ')')
		return false;
	for (role_open = end - 1; role_open > title && *role_open != '(';
	    role_open--)
		;
	if (*role_open != '(' || role_open < title + 14)
		return false;
	copy_trimmed(entry->role, sizeof entry->role, role_open + 1,
	    (size_t)(end - 1 - (role_open + 1)));

	/* "(0000999001) " just before the role */
	cik_open = role_open - 13;
	if (cik_open[0] != '(' || cik_open[11] != ')' || cik_open[12] != ' ' ||
	    strspn(cik_open + 1, "0123456789") < 10)
		return false;
	memcpy(entry->cik, cik_open + 1, 10);
	entry->cik[10] = '\0';

	dash = strstr(title, " - ");
	if (dash == NULL || dash > cik_open)
		return false;
	if (entry->form[0] == '\0')
		copy_trimmed(entry->form, sizeof entry->form, title,
		    (size_t)(dash - title));
	copy_trimmed(entry->name, sizeof entry->name, dash + 3,
	    (size_t)(cik_open - (dash + 3)));
	return true;
}

/* The summary is escaped HTML: "<b>Filed:</b> 2025-12-12 <b>AccNo:</b> ...". */
static bool
parse_filed(const char *summary, char filed[11])
{
	const char *p = strstr(summary, "Filed:");
	long days;

	if (p == NULL)
		return false;
	p += strlen("Filed:");
	while (*p != '\0' && !isdigit((unsigned char)*p))
		p++;
	if (strlen(p) < 10)
		return false;
	memcpy(filed, p, 10);
	filed[10] = '\0';
	return date_parse(filed, &days);
}

/* Returns the text of an element; to be freed with xmlFree. */
static char *
element_text(const xmlNode *node)
{
	return node != NULL ? (char *)xmlNodeGetContent(node) : NULL;
}

static bool
parse_entry(const xmlNode *node, struct sec_feed_entry *entry)
{
	const xmlNode *category = atom_child(node, "category");
	char *title = element_text(atom_child(node, "title"));
	char *id = element_text(atom_child(node, "id"));
	char *summary = element_text(atom_child(node, "summary"));
	const char *accession;
	bool ok = false;

	memset(entry, 0, sizeof *entry);
	if (category != NULL) {
		xmlChar *term = xmlGetProp(category, (const xmlChar *)"term");

		if (term != NULL)
			copy_trimmed(entry->form, sizeof entry->form,
			    (const char *)term, strlen((const char *)term));
		xmlFree(term);
	}
	if (title == NULL || id == NULL || summary == NULL)
		goto done;
	if (!parse_title(title, entry) || !parse_filed(summary, entry->filed))
		goto done;
	accession = strstr(id, ACCESSION_PREFIX);
	if (accession == NULL)
		goto done;
	accession += strlen(ACCESSION_PREFIX);
	if (!sec_accession_valid(accession))
		goto done;
	memcpy(entry->accession, accession, 20);
	entry->accession[20] = '\0';
	ok = entry->form[0] != '\0';

done:
	xmlFree(title);
	xmlFree(id);
	xmlFree(summary);
	return ok;
}

static bool
seen_before(const struct sec_feed *feed, const struct sec_feed_entry *entry)
{
	for (size_t i = 0; i < feed->count; i++)
		if (strcmp(feed->entries[i].accession, entry->accession) == 0 &&
		    strcmp(feed->entries[i].cik, entry->cik) == 0)
			return true;
	return false;
}

static int
append_entry(struct sec_feed *feed, const struct sec_feed_entry *entry)
{
	struct sec_feed_entry *grown;
	size_t capacity;

	if (feed->count == feed->capacity) {
		capacity = feed->capacity == 0 ? 128 : feed->capacity * 2;
		grown = realloc(feed->entries, capacity * sizeof *grown);
		if (grown == NULL)
			return -1;
		feed->entries = grown;
		feed->capacity = capacity;
	}
	feed->entries[feed->count++] = *entry;
	return 0;
}

/*
 * Parses one page of the feed and adds its entries that were not seen
 * before.  The parser never loads external entities or DTDs from the
 * network.  Returns 0, or -1 with the reason in why.
 */
int
sec_feed_add_page(struct sec_feed *feed, const char *text, size_t length,
    const char *source, struct sec_feed_page *page, char *why,
    size_t why_size)
{
	struct sec_feed_entry entry;
	const xmlNode *root;
	xmlDoc *doc;
	long filed;
	int rc = 0;

	memset(page, 0, sizeof *page);
	page->oldest_filed = LONG_MAX;
	if (length > INT_MAX) {
		snprintf(why, why_size, "feed page larger than 2 GiB");
		return -1;
	}
	doc = xmlReadMemory(text, (int)length, source, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *error = xmlGetLastError();

		snprintf(why, why_size, "not an XML document%s%s",
		    error != NULL ? ": " : "",
		    error != NULL ? error->message : "");
		why[strcspn(why, "\n")] = '\0';
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_atom(root, "feed")) {
		snprintf(why, why_size, "not an Atom feed: the root element is "
		    "not <feed> in the Atom namespace");
		xmlFreeDoc(doc);
		return -1;
	}

	for (const xmlNode *n = root->children; n != NULL; n = n->next) {
		if (!is_atom(n, "entry"))
			continue;
		page->entries++;
		if (!parse_entry(n, &entry)) {
			feed->incomplete++;
			continue;
		}
		if (date_parse(entry.filed, &filed) && filed < page->oldest_filed)
			page->oldest_filed = filed;
		if (seen_before(feed, &entry)) {
			feed->duplicates++;
			continue;
		}
		if (append_entry(feed, &entry) < 0) {
			snprintf(why, why_size, "out of memory");
			rc = -1;
			break;
		}
		page->added++;
	}
	xmlFreeDoc(doc);
	return rc;
}

/*
 * Returns true for the roles that name the company a filing is about:
 * "Filer", "Issuer" (of a Form 3, 4 or 5) and "Subject" (of a schedule
 * or prospectus).  "Reporting" and "Filed by" name the other party, an
 * insider or a holder.
 */
bool
sec_feed_role_is_company(const char *role)
{
	return strcasecmp(role, "Filer") == 0 ||
	    strcasecmp(role, "Issuer") == 0 || strcasecmp(role, "Subject") == 0;
}

void
sec_feed_free(struct sec_feed *feed)
{
	free(feed->entries);
	memset(feed, 0, sizeof *feed);
}
