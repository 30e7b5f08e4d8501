# fetch-yahoo: the command line: help, version, bad options and values,
# missing input files.
. "$TOP/tests/lib.sh"

chart=$TOP/tests/fixtures/fetch-yahoo/v8/finance/chart

assert_status 0 "--help" -- fetch-yahoo --help
assert_contains "$WORK/out" "usage: fetch-yahoo [options] [SYMBOL...]" "help shows usage"
assert_contains "$WORK/out" "--interval=INTERVAL" "help lists --interval"

assert_status 0 "--version" -- fetch-yahoo --version
assert_contains "$WORK/out" "fetch-yahoo (corpintel) " "version line"

assert_status 64 "unknown option" -- fetch-yahoo --no-such-option AAPL
assert_contains "$WORK/err" "Try 'fetch-yahoo --help'" "hint after a bad option"

assert_status 64 "no symbol" -- fetch-yahoo
assert_contains "$WORK/err" "no symbol given" "no symbol message"

assert_status 64 "invalid symbol" -- fetch-yahoo 'AA PL'
assert_contains "$WORK/err" "invalid symbol 'AA PL'" "symbol named"
assert_status 64 "invalid symbol in list" -- fetch-yahoo --tickers 'AAPL,A/B'

assert_status 64 "bad interval" -- fetch-yahoo --interval 1m AAPL
assert_contains "$WORK/err" "invalid --interval '1m': use 1d, 1wk or 1mo" "interval message"
assert_status 64 "bad range" -- fetch-yahoo --range 3y AAPL
assert_status 64 "impossible start date" -- fetch-yahoo --start 2023-02-29 AAPL
assert_contains "$WORK/err" "invalid --start '2023-02-29'" "date named"
assert_status 64 "range with start" -- fetch-yahoo --range 1y --start 2023-01-01 AAPL
assert_status 64 "end without start" -- fetch-yahoo --end 2023-01-01 AAPL
assert_status 64 "end before start" -- \
	fetch-yahoo --start 2023-02-01 --end 2023-01-01 AAPL
assert_status 64 "bad retries" -- fetch-yahoo --retries -1 AAPL

assert_status 66 "missing input file" -- \
	fetch-yahoo --input "$chart/EXA.AX" --input "$WORK/absent.json"
assert_contains "$WORK/err" "absent.json: No such file or directory" "missing file named"
assert_eq 0 "$(lines "$WORK/out")" "nothing written before the check"

# A file that is not a chart response fails that source only.
printf 'not json' >"$WORK/bad.json"
assert_status 69 "invalid saved file" -- \
	fetch-yahoo --input "$WORK/bad.json" --input "$chart/EXA.AX"
assert_contains "$WORK/err" "bad.json: not a Yahoo response: invalid JSON" "invalid JSON named"
assert_eq 2 "$(lines "$WORK/out")" "the other file still read"

assert_status 64 "bad --data" -- fetch-yahoo --data chart,prices AAPL
assert_contains "$WORK/err" "invalid --data 'prices': use chart, fundamentals or quote" "--data value named"
assert_status 64 "bad --types" -- fetch-yahoo --data fundamentals --types 'quarterlyTotalRevenue&x=1' AAPL
assert_contains "$WORK/err" "invalid --types 'quarterlyTotalRevenue&x=1'" "--types value named"
assert_status 64 "bad --modules" -- fetch-yahoo --data quote --modules 'price summaryDetail' AAPL
assert_status 64 "offline without a cache" -- fetch-yahoo --offline AAPL
assert_contains "$WORK/err" "--offline needs --cache-dir" "offline message"
assert_status 64 "bad --timeout" -- fetch-yahoo --timeout 0 AAPL
assert_status 64 "bad --max-response-bytes" -- fetch-yahoo --max-response-bytes 10k AAPL
assert_status 66 "missing tickers file" -- fetch-yahoo --tickers-file "$WORK/absent.txt"
assert_contains "$WORK/err" "absent.txt: No such file or directory" "tickers file named"
assert_status 66 "missing universe" -- fetch-yahoo --universe "$WORK/absent.yaml"
printf 'companies: [oops\n' >"$WORK/bad.yaml"
assert_status 78 "malformed universe" -- fetch-yahoo --universe "$WORK/bad.yaml"
assert_contains "$WORK/err" "bad.yaml" "universe file named"

finish
