/*
 * The marts as one static HTML page: the performance table, bar charts
 * of twelve-month revenue and of growth per company, and each category's
 * revenue shares, drawn as inline SVG.  The page needs no script, style
 * sheet, font or image from elsewhere, so it reads the same offline.
 * Every text that comes from the input or the universe file is escaped.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "mart.h"

#define CHART_WIDTH 720
#define LABEL_WIDTH 150
#define BAR_HEIGHT 18
#define BAR_GAP 6
#define VALUE_WIDTH 130		/* right of a revenue bar, for its value */
#define GROWTH_EXTENT_MIN 0.10	/* the growth chart spans 10% or more */

/* Segment colours of the share bars, distinct in print and for the
 * common forms of colour blindness (Okabe and Ito's palette). */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
	"#F0E442", "#000000",
};

static const char style[] =
"body{font-family:sans-serif;margin:2em;color:#222;background:#fff}"
"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
"table{border-collapse:collapse;font-size:0.85em}"
"div.wide{max-width:100%;overflow-x:auto}"
"th,td{border:1px solid #bbb;padding:3px 6px}"
"th{background:#eee;text-align:left;vertical-align:bottom;max-width:6.5em}"
"td.n{text-align:right;white-space:nowrap}"
"td.strong{background:#d8f0d8}td.stable{background:#eef6d8}"
"td.weak{background:#fbeccc}td.at-risk{background:#f6d0d0}"
"p.note{color:#555;font-size:0.9em}svg text{font-size:12px}";

/* Writes s with the characters that HTML and SVG give a meaning to
 * replaced by entities; NULL writes nothing. */
static void
put_escaped(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			fputc(*s, fp);
		}
	}
}

/* Prints an amount in millions with one decimal, as financial tables
 * do.  Below 0.1 million it keeps three significant digits in fixed
 * notation, down to the unit (six decimals), so that a small amount
 * reads neither as zero nor in exponent form. */
static void
put_millions(FILE *fp, double value)
{
	double millions = value / 1e6;
	int decimals;

	if (isnan(value)) {
		fputs("n/a", fp);
		return;
	}
	/* Zero prints as 0.0 whatever its sign. */
	if (value == 0) {
		fputs("0.0", fp);
		return;
	}
	if (fabs(value) >= 1e5) {
		fprintf(fp, "%.1f", millions);
		return;
	}
	/* Half a unit rounds to the last decimal kept, 0.000001 M: below
	 * that, say so rather than print a zero for an amount that is not
	 * zero. */
	if (fabs(millions) < 0.0000005) {
		fputs(millions > 0 ? "&lt;0.000001" : "&gt;-0.000001", fp);
		return;
	}
	decimals = 2 - (int)floor(log10(fabs(millions)));
	fprintf(fp, "%.*f", decimals < 6 ? decimals : 6, millions);
}

static void
put_percent(FILE *fp, double fraction)
{
	double percent = fraction * 100;

	if (isnan(fraction)) {
		fputs("n/a", fp);
		return;
	}
	/* A value that rounds to zero prints as 0.0%, not -0.0%. */
	if (fabs(percent) < 0.05)
		percent = 0;
	fprintf(fp, "%.1f%%", percent);
}

static void
put_plain(FILE *fp, double value, int decimals)
{
	if (isnan(value))
		fputs("n/a", fp);
	else
		fprintf(fp, "%.*f", decimals, value);
}

static void
cell_millions(FILE *fp, double value)
{
	fputs("<td class=\"n\">", fp);
	put_millions(fp, value);
	fputs("</td>", fp);
}

static void
cell_percent(FILE *fp, double value)
{
	fputs("<td class=\"n\">", fp);
	put_percent(fp, value);
	fputs("</td>", fp);
}

static void
cell_plain(FILE *fp, double value, int decimals)
{
	fputs("<td class=\"n\">", fp);
	put_plain(fp, value, decimals);
	fputs("</td>", fp);
}

static void
cell_text(FILE *fp, const char *text)
{
	fputs("<td>", fp);
	put_escaped(fp, text != NULL ? text : "n/a");
	fputs("</td>", fp);
}

static void
write_company_row(FILE *fp, const struct mart *mart,
    const struct mart_company *c)
{
	char latest[DATE_TEXT_SIZE] = "n/a";

	if (c->has_latest)
		date_format(c->latest_period_end, latest);
	fputs("<tr>", fp);
	cell_text(fp, c->ticker);
	cell_text(fp, c->name);
	cell_text(fp, c->category);
	cell_text(fp, c->unit);
	cell_millions(fp, c->revenue_quarter);
	cell_millions(fp, c->revenue_annual);
	cell_millions(fp, c->revenue_ttm);
	cell_percent(fp, c->revenue_growth_yoy);
	cell_percent(fp, c->gross_margin);
	cell_percent(fp, c->operating_margin);
	cell_percent(fp, c->net_margin);
	cell_millions(fp, c->market_cap_value);
	cell_plain(fp, c->pe_ratio, 1);
	cell_plain(fp, c->rank_in_category, 0);
	cell_plain(fp, c->rank_overall, 0);
	cell_plain(fp, c->growth_score, 0);
	cell_plain(fp, c->margin_score, 0);
	cell_plain(fp, c->profitability_score, 0);
	cell_plain(fp, c->overall_score, 0);
	if (c->health != NULL)
		fprintf(fp, "<td class=\"%s\">%s</td>",
		    strcmp(c->health, "at risk") == 0 ? "at-risk" : c->health,
		    c->health);
	else
		cell_text(fp, NULL);
	cell_text(fp, latest);
	cell_plain(fp, c->has_latest ?
	    (double)(mart->as_of - c->latest_period_end) : NAN, 0);
	fputs("</tr>\n", fp);
}

static void
write_performance_table(FILE *fp, const struct mart *mart)
{
	static const char *const headings[] = {
		"Ticker", "Company", "Category", "Unit", "Revenue, quarter (M)",
		"Revenue, annual (M)", "Revenue, TTM (M)", "Growth YoY",
		"Gross margin", "Operating margin", "Net margin",
		"Market cap (M)", "P/E", "Revenue rank in category",
		"Revenue rank overall",
		"Growth score", "Margin score", "Profitability score",
		"Overall score", "Health", "Latest period", "Age (days)",
	};

	/* The table scrolls in its own box on a narrow screen, so the page
	 * around it keeps the width of the window. */
	fputs("<h2 id=\"performance\">Company performance</h2>\n"
	    "<div class=\"wide\">\n<table>\n<thead><tr>", fp);
	for (size_t i = 0; i < sizeof headings / sizeof headings[0]; i++)
		fprintf(fp, "<th>%s</th>", headings[i]);
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t i = 0; i < mart->company_count; i++)
		if (mart->companies[i].cik != NULL)
			write_company_row(fp, mart, &mart->companies[i]);
	fputs("</tbody>\n</table>\n</div>\n", fp);
}

/* Indexes of the companies with a value for the chart, largest first. */
static size_t
chart_order(const struct mart *mart, bool revenue, size_t *order)
{
	size_t n = 0;

	for (size_t i = 0; i < mart->company_count; i++) {
		const struct mart_company *c = &mart->companies[i];

		if (revenue ? c->ranked : !isnan(c->revenue_growth_yoy))
			order[n++] = i;
	}
	/* Insertion sort: a universe is a few dozen companies. */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0; j--) {
			const struct mart_company *a = &mart->companies[order[j - 1]];
			const struct mart_company *b = &mart->companies[order[j]];
			double va = revenue ? a->twelve_month_revenue :
			    a->revenue_growth_yoy;
			double vb = revenue ? b->twelve_month_revenue :
			    b->revenue_growth_yoy;
			size_t t;

			if (!(vb > va))
				break;
			t = order[j - 1], order[j - 1] = order[j], order[j] = t;
		}
	}
	return n;
}

static void
svg_open(FILE *fp, int height, const char *label)
{
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" aria-label=\"", CHART_WIDTH, height);
	put_escaped(fp, label);
	fputs("\">\n", fp);
}

static void
write_revenue_chart(FILE *fp, const struct mart *mart, size_t *order)
{
	size_t n = chart_order(mart, true, order);
	double max = 0;
	/* Room right of the longest bar for its value, such as
	 * 123456789012.3 at 12 pixels. */
	int plot = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH;

	fputs("<h2 id=\"revenue\">Twelve-month revenue</h2>\n", fp);
	if (n == 0) {
		fputs("<p class=\"note\">No company has revenue in ", fp);
		put_escaped(fp, mart->rank_unit);
		fputs(".</p>\n", fp);
		return;
	}
	fputs("<p class=\"note\">Millions of ", fp);
	put_escaped(fp, mart->rank_unit);
	fputs("; companies reporting in another currency are left out.</p>\n",
	    fp);
	for (size_t i = 0; i < n; i++)
		if (mart->companies[order[i]].twelve_month_revenue > max)
			max = mart->companies[order[i]].twelve_month_revenue;

	svg_open(fp, (int)n * (BAR_HEIGHT + BAR_GAP) + BAR_GAP,
	    "Twelve-month revenue per company");
	for (size_t i = 0; i < n; i++) {
		const struct mart_company *c = &mart->companies[order[i]];
		int y = BAR_GAP + (int)i * (BAR_HEIGHT + BAR_GAP);
		double width = c->twelve_month_revenue / max * plot;

		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    LABEL_WIDTH - 6, y + BAR_HEIGHT - 5);
		put_escaped(fp, c->ticker);
		fprintf(fp, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" "
		    "height=\"%d\" fill=\"%s\"/>", LABEL_WIDTH, y, width,
		    BAR_HEIGHT, palette[0]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\">", LABEL_WIDTH + width + 4,
		    y + BAR_HEIGHT - 5);
		put_millions(fp, c->twelve_month_revenue);
		fputs("</text>\n", fp);
	}
	fputs("</svg>\n", fp);
}

/* Growth bars grow right from a zero line for gains and left for
 * losses, on one scale. */
static void
write_growth_chart(FILE *fp, const struct mart *mart, size_t *order)
{
	size_t n = chart_order(mart, false, order);
	double extent = 0;
	int half = (CHART_WIDTH - LABEL_WIDTH - 120) / 2;
	int zero = LABEL_WIDTH + 60 + half;
	int height = (int)n * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;

	fputs("<h2 id=\"growth\">Revenue growth, year over year</h2>\n", fp);
	if (n == 0) {
		fputs("<p class=\"note\">No company has a growth rate.</p>\n",
		    fp);
		return;
	}
	for (size_t i = 0; i < n; i++)
		extent = fmax(extent,
		    fabs(mart->companies[order[i]].revenue_growth_yoy));
	/* Growth within a point or two of zero stays a short bar: the
	 * scale spans at least GROWTH_EXTENT_MIN either way. */
	extent = fmax(extent, GROWTH_EXTENT_MIN);

	svg_open(fp, height, "Revenue growth per company");
	fprintf(fp, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#888\"/>\n", zero, zero, height);
	for (size_t i = 0; i < n; i++) {
		const struct mart_company *c = &mart->companies[order[i]];
		double g = c->revenue_growth_yoy;
		double width = fabs(g) / extent * half;
		int y = BAR_GAP + (int)i * (BAR_HEIGHT + BAR_GAP);
		double x = g >= 0 ? zero : zero - width;

		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    LABEL_WIDTH - 6, y + BAR_HEIGHT - 5);
		put_escaped(fp, c->ticker);
		fprintf(fp, "</text><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"%d\" fill=\"%s\"/>", x, y, width, BAR_HEIGHT,
		    g >= 0 ? palette[2] : palette[5]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\"%s>",
		    g >= 0 ? zero + width + 4 : zero - width - 4,
		    y + BAR_HEIGHT - 5, g >= 0 ? "" : " text-anchor=\"end\"");
		put_percent(fp, g);
		fputs("</text>\n", fp);
	}
	fputs("</svg>\n", fp);
}

/* One category: a bar of 100% split by company, with a legend below. */
static void
write_share_bar(FILE *fp, const struct mart *mart,
    const struct mart_category *cat, size_t *order)
{
	size_t n = 0, all = chart_order(mart, true, order);
	double x = 0;
	int plot = CHART_WIDTH - 20;

	fputs("<h3>", fp);
	put_escaped(fp, cat->name);
	fputs("</h3>\n", fp);
	if (cat->companies == 0 || isnan(cat->total_revenue)) {
		fputs("<p class=\"note\">No company with revenue in ", fp);
		put_escaped(fp, mart->rank_unit);
		fputs(".</p>\n", fp);
		return;
	}
	for (size_t i = 0; i < all; i++)
		if (strcmp(mart->companies[order[i]].category, cat->name) == 0)
			order[n++] = order[i];

	svg_open(fp, 30 + (int)n * 18, "Revenue shares in the category");
	for (size_t i = 0; i < n; i++) {
		const struct mart_company *c = &mart->companies[order[i]];
		double share = c->twelve_month_revenue / cat->total_revenue;
		const char *colour = palette[i % (sizeof palette /
		    sizeof palette[0])];

		fprintf(fp, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" "
		    "height=\"20\" fill=\"%s\"/>", 10 + x, share * plot, colour);
		fprintf(fp, "<rect x=\"10\" y=\"%d\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"28\" y=\"%d\">", 28 + (int)i * 18,
		    colour, 38 + (int)i * 18);
		put_escaped(fp, c->ticker);
		fputs(" ", fp);
		put_percent(fp, share);
		fputs("</text>\n", fp);
		x += share * plot;
	}
	fputs("</svg>\n<p class=\"note\">HHI ", fp);
	put_plain(fp, cat->hhi, 0);
	fputs(", top three ", fp);
	put_percent(fp, cat->top3_share);
	fputs(", total ", fp);
	put_millions(fp, cat->total_revenue);
	fputs(" M ", fp);
	put_escaped(fp, mart->rank_unit);
	fputs(".</p>\n", fp);
}

static void
write_landscape_table(FILE *fp, const struct mart *mart)
{
	fputs("<h2 id=\"landscape\">Competitive landscape</h2>\n<table>\n"
	    "<thead><tr><th>Category</th><th>Companies</th>"
	    "<th>Total revenue (M)</th><th>Average growth</th>"
	    "<th>Median growth</th><th>HHI</th><th>Top-3 share</th>"
	    "</tr></thead>\n<tbody>\n", fp);
	for (size_t i = 0; i < mart->category_count; i++) {
		const struct mart_category *cat = &mart->categories[i];

		fputs("<tr>", fp);
		cell_text(fp, cat->name);
		cell_plain(fp, (double)cat->companies, 0);
		cell_millions(fp, cat->total_revenue);
		cell_percent(fp, cat->average_growth);
		cell_percent(fp, cat->median_growth);
		cell_plain(fp, cat->hhi, 0);
		cell_percent(fp, cat->top3_share);
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table>\n", fp);
}

/* Lists the companies of the universe without a row or without data,
 * so that the page shows who is missing and why. */
static void
write_left_out(FILE *fp, const struct mart *mart)
{
	bool any = false;

	for (size_t i = 0; i < mart->company_count; i++) {
		const struct mart_company *c = &mart->companies[i];
		const char *reason;

		if (c->cik == NULL)
			reason = "no cik in the universe file, so no row";
		else if (c->records == 0)
			reason = "no data in the input";
		else
			continue;
		if (!any)
			fputs("<h2 id=\"left-out\">Companies without data</h2>\n"
			    "<ul>\n", fp);
		any = true;
		fputs("<li>", fp);
		put_escaped(fp, c->ticker);
		fputs(" (", fp);
		put_escaped(fp, c->name);
		fprintf(fp, "): %s%s</li>\n", reason,
		    c->listed ? "" : "; no longer listed");
	}
	if (any)
		fputs("</ul>\n", fp);
}

/*
 * Writes the report page to fp.  Returns 0, or -1 when out of memory or
 * when a write failed (the caller reports errno).
 */
int
mart_write_report(const struct mart *mart, FILE *fp)
{
	char as_of[DATE_TEXT_SIZE];
	size_t *order;

	order = malloc((mart->company_count + 1) * sizeof *order);
	if (order == NULL)
		return -1;
	date_format(mart->as_of, as_of);

	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n<title>Company performance as of %s"
	    "</title>\n<style>%s</style>\n</head>\n<body>\n"
	    "<h1>Company performance as of %s</h1>\n", as_of, style, as_of);
	fputs("<p class=\"note\">Revenue in millions of each company's "
	    "reporting currency.  Growth and margins are those of the "
	    "twelve-month period: the trailing twelve months when they end "
	    "after the latest fiscal year, else the fiscal year.  Ranks and "
	    "category shares compare companies reporting in ", fp);
	put_escaped(fp, mart->rank_unit);
	fputs(" only.  n/a: not in the data.</p>\n", fp);

	write_performance_table(fp, mart);
	write_revenue_chart(fp, mart, order);
	write_growth_chart(fp, mart, order);
	fputs("<h2 id=\"shares\">Revenue shares by category</h2>\n", fp);
	for (size_t i = 0; i < mart->category_count; i++)
		write_share_bar(fp, mart, &mart->categories[i], order);
	write_landscape_table(fp, mart);
	write_left_out(fp, mart);
	fputs("</body>\n</html>\n", fp);

	free(order);
	return ferror(fp) ? -1 : 0;
}
