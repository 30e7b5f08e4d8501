-- Per company: the latest annual revenue, its growth over the year
-- before, and the margins of that year, as stored by the demo.  The psql
-- variable ciks is the array of the companies to show, as '{cik,...}'.
\echo
\echo 'Latest fiscal year per company (revenue in millions of the reporting currency)'
WITH latest AS (
	SELECT DISTINCT ON (cik) cik, period_end, fiscal_year, value, unit
	FROM financial_metrics
	WHERE metric = 'revenue' AND period_type = 'annual'
	  AND cik = ANY (:'ciks'::text[])
	ORDER BY cik, period_end DESC
), derived AS (
	SELECT cik, period_end,
	       max(value) FILTER (WHERE metric = 'revenue_growth_yoy') AS growth,
	       max(value) FILTER (WHERE metric = 'gross_margin') AS gross,
	       max(value) FILTER (WHERE metric = 'operating_margin') AS operating,
	       max(value) FILTER (WHERE metric = 'net_margin') AS net
	FROM financial_metrics
	WHERE period_type = 'annual'
	GROUP BY cik, period_end
)
SELECT coalesce(c.ticker, c.cik) AS company,
       left(c.name, 50) AS name,
       l.fiscal_year AS "FY",
       l.period_end AS "year end",
       to_char(l.value / 1e6, 'FM999,999,999,990.0') || ' ' || l.unit AS revenue,
       coalesce(to_char(100 * d.growth, 'FM9,990.0') || ' %', '-') AS "YoY",
       coalesce(to_char(100 * d.gross, 'FM9,990.0') || ' %', '-') AS gross,
       coalesce(to_char(100 * d.operating, 'FM9,990.0') || ' %', '-') AS operating,
       coalesce(to_char(100 * d.net, 'FM9,990.0') || ' %', '-') AS net
FROM latest l
JOIN companies c USING (cik)
LEFT JOIN derived d USING (cik, period_end)
ORDER BY company;

\echo
\echo 'Performance of the universe companies (the newest mart; revenue in millions)'
SELECT p.ticker AS company,
       p.category,
       coalesce(to_char(coalesce(p.revenue_ttm, p.revenue_annual) / 1e6,
           'FM999,999,999,990.0') || ' ' || p.unit, '-') AS "revenue TTM or FY",
       coalesce(to_char(100 * p.revenue_growth_yoy, 'FM9,990.0') || ' %', '-') AS "YoY",
       coalesce(to_char(100 * p.net_margin, 'FM9,990.0') || ' %', '-') AS net,
       coalesce(to_char(p.market_cap / 1e6, 'FM999,999,990') || ' M', '-') AS "market cap",
       coalesce(to_char(p.pe_ratio, 'FM9,990.0'), '-') AS "P/E",
       coalesce(p.rank_in_category::text, '-') AS "rank in category",
       coalesce(p.overall_score::text, '-') AS score,
       coalesce(p.health, '-') AS health
FROM mart_company_performance p
WHERE p.as_of = (SELECT max(as_of) FROM mart_company_performance)
  AND p.cik = ANY (:'ciks'::text[])
ORDER BY p.category, p.rank_in_category NULLS LAST, p.ticker;
