# Rows the server refuses (a unique ticker taken, a check constraint, a
# value its type cannot hold, a timestamp it cannot read) are rejected
# one by one with the server's message, and the rest of their batch
# loads.  The client-side checks pass all of these rows.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

new_db main
PGDATABASE=$db
export PGDATABASE
refused=$FIXTURES/refused.ndjson

# refused.ndjson, line by line: 1 company EXA; 2 company of another CIK
# with ticker EXA (unique ticker); 3 company with fiscal_year_end "1341";
# 4 metric of company 1; 5 metric of company 3 (its company is refused);
# 6 good price; 7 price with low above high; 8 price with volume -5;
# 9 good filing; 10 filing accepted "yesterday at noon"; 11 filing with
# accession "24-11"; 12 mart row with data_age_days beyond integer;
# 13 split with denominator 0.
assert_status 0 "load a batch with refused rows" -- \
	load-timescale --rejects "$WORK/rejects.ndjson" "$refused"
assert_contains "$WORK/err" "13 lines: 4 records, 0 skipped (empty 0, unknown kind 0), 9 rejected" \
	"summary reconciles loaded and refused rows"
set -- $(summary_numbers "$WORK/err")
assert_eq "$1" "$(($2 + $3 + $4))" "lines = records + skipped + rejected"
assert_eq 9 "$(lines "$WORK/rejects.ndjson")" "one reject per refused row"
assert_eq "2 3 5 7 8 10 11 12 13" \
	"$(jq -r .line "$WORK/rejects.ndjson" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"rejects carry the refused lines"

reject_of() {	# line number
	jq -c "select(.line == $1)" "$WORK/rejects.ndjson"
}
reject_of 2 >"$WORK/r2"
assert_contains "$WORK/r2" '"rule":"database"' "refusal has rule database"
assert_contains "$WORK/r2" 'duplicate key value violates unique constraint \"companies_ticker_key\"' \
	"taken ticker refused with the server's message"
assert_contains "$WORK/r2" 'such as a ticker that another company has; correct one of the two records' \
	"taken ticker refusal says what to do"
reject_of 3 >"$WORK/r3"
assert_contains "$WORK/r3" 'violates check constraint \"companies_fiscal_year_end_check\"' \
	"impossible fiscal year end refused"
reject_of 5 >"$WORK/r5"
assert_contains "$WORK/r5" 'no company with cik 0000000003' "metric of a refused company rejected"
reject_of 7 >"$WORK/r7"
assert_contains "$WORK/r7" 'violates check constraint \"stock_prices_check\"' "low above high refused"
reject_of 8 >"$WORK/r8"
assert_contains "$WORK/r8" 'violates check constraint \"stock_prices_volume_check\"' "negative volume refused"
reject_of 10 >"$WORK/r10"
assert_contains "$WORK/r10" 'invalid input syntax for type timestamp with time zone: \"yesterday at noon\"' \
	"unreadable timestamp refused by COPY"
reject_of 11 >"$WORK/r11"
assert_contains "$WORK/r11" 'sec_filings_accession_check' "malformed accession refused"
reject_of 12 >"$WORK/r12"
assert_contains "$WORK/r12" 'integer out of range' "value beyond integer refused"
reject_of 13 >"$WORK/r13"
assert_contains "$WORK/r13" 'price_events_denominator_check' "zero denominator refused"
assert_eq "$(sed -n 7p "$refused")" "$(reject_of 7 | jq -r .input)" "reject keeps the original line"

# The rest of the batch is stored.
assert_eq "0000000001|EXA" "$(sql -c 'SELECT cik, ticker FROM companies')" "only company 1 stored"
assert_eq "0000000001|revenue" "$(sql -c 'SELECT cik, metric FROM financial_metrics')" "its metric stored"
assert_eq "2024-01-02" "$(sql -c 'SELECT "date" FROM stock_prices')" "good price stored"
assert_eq "0000000001-24-000010" "$(sql -c 'SELECT accession FROM sec_filings')" "good filing stored"
assert_eq 0 "$(sql -c 'SELECT count(*) FROM mart_company_performance')" "refused mart row absent"
assert_contains "$WORK/err" "companies: 1 inserted, 0 updated, 0 unchanged, 0 superseded, 2 rejected" \
	"company counts"
assert_contains "$WORK/err" "stock_prices: 1 inserted, 0 updated, 0 unchanged, 0 superseded, 2 rejected" \
	"price counts"
assert_contains "$WORK/err" "sec_filings: 1 inserted, 0 updated, 0 unchanged, 0 superseded, 2 rejected" \
	"filing counts"
assert_eq "13|0|9|ok" "$(sql -c 'SELECT lines, skipped, rejected, status FROM load_audit')" \
	"audit row has the reconciled counts"

# Small batches: the refusals stay in theirs, the other batches load whole,
# and a rerun finds the stored rows unchanged.
new_db small
assert_status 0 "load in batches of 2" -- load-timescale --dsn "dbname=$db" --batch-size 2 \
	--rejects "$WORK/rejects2.ndjson" "$refused"
assert_contains "$WORK/err" "13 lines: 4 records, 0 skipped (empty 0, unknown kind 0), 9 rejected" \
	"small batches give the same counts"
assert_eq "2 3 5 7 8 10 11 12 13" \
	"$(jq -r .line "$WORK/rejects2.ndjson" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"small batches refuse the same lines"
assert_status 0 "rerun the refused input" -- load-timescale --dsn "dbname=$db" --rejects /dev/null "$refused"
assert_contains "$WORK/err" "companies: 0 inserted, 0 updated, 1 unchanged, 0 superseded, 2 rejected" \
	"rerun leaves the stored company unchanged"

# A refused row fails the run only beyond --max-reject-ratio.
new_db ratio
assert_status 65 "refusals above the ratio exit 65" -- load-timescale --dsn "dbname=$db" \
	--max-reject-ratio 0.5 --rejects /dev/null "$refused"
assert_eq 1 "$(sql -d "$db" -c 'SELECT count(*) FROM stock_prices')" "good rows loaded despite the ratio"

finish
