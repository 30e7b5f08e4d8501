#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "sec_facts.h"

const char *const sec_fact_skip_names[SEC_FACT_SKIP_COUNT] = {
	"non-numeric-value", "missing-end", "missing-accn", "missing-filed",
	"not-an-object",
};

static void
emit_fact(struct sec_fact_writer *fw, const char *cik, const char *ticker,
    const char *entity, const char *taxonomy, const char *concept,
    const char *unit, const cJSON *fact)
{
	struct jsonw *w = fw->writer;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(fact, "val");
	const cJSON *end = cJSON_GetObjectItemCaseSensitive(fact, "end");
	const cJSON *accn = cJSON_GetObjectItemCaseSensitive(fact, "accn");
	const cJSON *filed = cJSON_GetObjectItemCaseSensitive(fact, "filed");
	const char *start = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "start"));
	const cJSON *fy = cJSON_GetObjectItemCaseSensitive(fact, "fy");
	const char *fp = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "fp"));
	const char *form = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "form"));
	const char *frame = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(fact, "frame"));
	enum sec_fact_skip skip = SEC_FACT_SKIP_COUNT;

	/* A number beyond the range of a double parses as infinity; it is no
	 * more usable than a string. */
	if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
		skip = SEC_FACT_NON_NUMERIC_VALUE;
	else if (!cJSON_IsString(end))
		skip = SEC_FACT_MISSING_END;
	else if (!cJSON_IsString(accn))
		skip = SEC_FACT_MISSING_ACCN;
	else if (!cJSON_IsString(filed))
		skip = SEC_FACT_MISSING_FILED;
	if (skip != SEC_FACT_SKIP_COUNT) {
		fw->skipped[skip]++;
		log_debug("CIK %s: %s:%s %s: fact skipped: %s", cik, taxonomy,
		    concept, unit, sec_fact_skip_names[skip]);
		return;
	}

	jsonw_begin(w);
	jsonw_string(w, "kind", "sec_fact");
	jsonw_string(w, "cik", cik);
	if (ticker != NULL)
		jsonw_string(w, "ticker", ticker);
	else
		jsonw_null(w, "ticker");
	if (entity != NULL)
		jsonw_string(w, "entity", entity);
	else
		jsonw_null(w, "entity");
	jsonw_string(w, "taxonomy", taxonomy);
	jsonw_string(w, "concept", concept);
	jsonw_string(w, "unit", unit);
	jsonw_number(w, "value", value->valuedouble);
	if (start != NULL)
		jsonw_string(w, "start", start);
	else
		jsonw_null(w, "start");
	jsonw_string(w, "end", end->valuestring);
	/* fy is a year; anything else there is not one and stays absent. */
	if (cJSON_IsNumber(fy) && fy->valuedouble == floor(fy->valuedouble) &&
	    fabs(fy->valuedouble) < 1e6)
		jsonw_int(w, "fy", (long long)fy->valuedouble);
	else
		jsonw_null(w, "fy");
	if (fp != NULL)
		jsonw_string(w, "fp", fp);
	else
		jsonw_null(w, "fp");
	if (form != NULL)
		jsonw_string(w, "form", form);
	else
		jsonw_null(w, "form");
	jsonw_string(w, "filed", filed->valuestring);
	jsonw_string(w, "accn", accn->valuestring);
	if (frame != NULL)
		jsonw_string(w, "frame", frame);
	else
		jsonw_null(w, "frame");
	jsonw_end(w);
	if (jsonw_write(w, fw->out) < 0)
		cli_exit_write_error();
	fw->out_count++;
}

/*
 * Emits the facts of one concept: "units" maps each unit to an array of
 * facts.  A concept without units carries no fact, so it is only noted.
 */
static void
emit_concept(struct sec_fact_writer *fw, const char *cik, const char *ticker,
    const char *entity, const char *taxonomy, const cJSON *concept)
{
	const cJSON *units = cJSON_GetObjectItemCaseSensitive(concept, "units");
	const cJSON *unit, *fact;

	if (!cJSON_IsObject(units)) {
		log_warn("CIK %s: %s:%s has no \"units\" object", cik, taxonomy,
		    concept->string);
		return;
	}
	cJSON_ArrayForEach(unit, units) {
		if (!cJSON_IsArray(unit)) {
			log_warn("CIK %s: %s:%s unit %s is not an array of facts",
			    cik, taxonomy, concept->string, unit->string);
			continue;
		}
		cJSON_ArrayForEach(fact, unit) {
			if (!cJSON_IsObject(fact)) {
				fw->skipped[SEC_FACT_NOT_AN_OBJECT]++;
				continue;
			}
			emit_fact(fw, cik, ticker, entity, taxonomy,
			    concept->string, unit->string, fact);
		}
	}
}

/*
 * Writes one sec_fact record per fact of a companyfacts "facts" object,
 * in document order: taxonomy, concept, unit, fact.  A write error on
 * the output ends the program through cli_exit_write_error().
 */
void
sec_facts_write(struct sec_fact_writer *fw, const cJSON *facts,
    const char *cik, const char *ticker, const char *entity,
    const char *source)
{
	const cJSON *taxonomy, *concept;

	cJSON_ArrayForEach(taxonomy, facts) {
		if (!cJSON_IsObject(taxonomy)) {
			log_warn("%s: taxonomy %s is not an object", source,
			    taxonomy->string);
			continue;
		}
		cJSON_ArrayForEach(concept, taxonomy)
			emit_concept(fw, cik, ticker, entity, taxonomy->string,
			    concept);
	}
}
