# A loader killed with SIGKILL or stopped with SIGTERM in the middle of a
# large load: the database holds whole batches only, and loading again
# (everything after SIGKILL, from the named line after SIGTERM) gives
# exactly the rows of one clean load.  The next run marks the killed
# run's audit row.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

gen_metrics 200000 "$WORK/big.ndjson"
total=$(lines "$WORK/big.ndjson")
half=100100
head -n $half "$WORK/big.ndjson" >"$WORK/part1"
tail -n +$((half + 1)) "$WORK/big.ndjson" >"$WORK/part2"

# The reference: one clean load.
new_db clean
PGDATABASE=$db
export PGDATABASE
assert_status 0 "clean load" -- load-timescale --batch-size 2000 "$WORK/big.ndjson"
assert_contains "$WORK/err" "$total lines: $total records, 0 skipped (empty 0, unknown kind 0), 0 rejected" \
	"clean load accounts for every line"
assert_contains "$WORK/err" "financial_metrics: 199800 inserted, 0 updated, 0 unchanged, 200 superseded, 0 rejected" \
	"repeated keys are superseded within their batch"
dump_state "$WORK/clean.dump"
assert_eq "$((999 * 3)).25" "$(sql -c "SELECT value FROM financial_metrics WHERE source_ref = 'r999'")" \
	"the later line of a repeated key wins"

# SIGKILL: the first half goes through a pipe that stays open, so the
# loader is mid-load when it dies.
new_db killed
PGDATABASE=$db
assert_status 0 "migrate" -- load-timescale migrate
mkfifo "$WORK/kill.fifo"
load-timescale --batch-size 2000 <"$WORK/kill.fifo" 2>"$WORK/kill.err" &
loader=$!
exec 8>"$WORK/kill.fifo"
cat "$WORK/part1" >&8
wait_rows financial_metrics 2000
kill -KILL $loader
wait $loader
assert_eq 137 $? "SIGKILL ends the loader"
exec 8>&-
stored=$(sql -c 'SELECT count(*) FROM financial_metrics')
assert_eq t "$(sql -c "SELECT $stored < 199800")" "the kill came before the end of the load"
assert_eq running "$(sql -c 'SELECT status FROM load_audit')" "killed run's audit row says running"
assert_status 0 "load again after SIGKILL" -- load-timescale --batch-size 2000 "$WORK/big.ndjson"
assert_contains "$WORK/err" "ended without finishing: marked interrupted" "rerun marks the killed run"
assert_eq "interrupted
ok" "$(sql -c 'SELECT status FROM load_audit ORDER BY id')" "audit rows: the killed run, the rerun"
dump_state "$WORK/killed.dump"
assert_files_equal "$WORK/clean.dump" "$WORK/killed.dump" "killed and rerun load equals a clean load"

# SIGTERM: the batches already sent are committed, the run exits 143 and
# names the line to load again from.
new_db term
PGDATABASE=$db
assert_status 0 "migrate" -- load-timescale migrate
mkfifo "$WORK/term.fifo"
load-timescale --batch-size 2000 <"$WORK/term.fifo" 2>"$WORK/term.err" &
loader=$!
exec 8>"$WORK/term.fifo"
cat "$WORK/part1" >&8
wait_rows financial_metrics 2000
kill -TERM $loader
# The loader notices the signal at the next line it reads.
cat "$WORK/part2" >&8 2>/dev/null
exec 8>&-
wait $loader
assert_eq 143 $? "SIGTERM exits 143"
assert_contains "$WORK/term.err" "stopped by signal 15" "SIGTERM is logged"
resume=$(sed -n 's/.*load again from line \([0-9]*\).*/\1/p' "$WORK/term.err")
assert_eq t "$([ -n "$resume" ] && [ "$resume" -le $((half + 1)) ] && echo t)" \
	"SIGTERM names a line to resume from"
assert_eq interrupted "$(sql -c 'SELECT status FROM load_audit')" "audit row says interrupted"
# The summary accounts for every line read.  The lines before the resume
# line are stored, because no line of this input is empty or rejected.
# The other lines read were not loaded.
summary=$(sed -n 's/.* \([0-9]*\) lines: \([0-9]*\) records, 0 skipped (empty 0, unknown kind 0), 0 rejected, \([0-9]*\) not loaded.*/\1 \2 \3/p' "$WORK/term.err")
read -r read_lines stored_lines unloaded_lines <<EOF_SUMMARY
$summary
EOF_SUMMARY
assert_eq "$((resume - 1))" "$stored_lines" "SIGTERM summary counts the stored lines"
assert_eq "$read_lines" "$((stored_lines + unloaded_lines))" \
	"SIGTERM summary reconciles lines read"
assert_eq t "$([ "${unloaded_lines:-0}" -gt 0 ] && echo t)" "SIGTERM summary counts unloaded lines"
tail -n +"${resume:-1}" "$WORK/big.ndjson" >"$WORK/rest.ndjson"
assert_status 0 "resume after SIGTERM" -- load-timescale --batch-size 2000 "$WORK/rest.ndjson"
dump_state "$WORK/term.dump"
assert_files_equal "$WORK/clean.dump" "$WORK/term.dump" "stopped and resumed load equals a clean load"

# SIGTERM while the loader waits on a pipe that stays open and idle.
# The signal interrupts the read, so the loader stops long before the
# writer closes the pipe.  It counts the three lines it read as not
# loaded.  The wait is bounded to 10 s.
new_db idle
PGDATABASE=$db
assert_status 0 "migrate" -- load-timescale migrate
mkfifo "$WORK/idle.fifo"
load-timescale --jobs 2 <"$WORK/idle.fifo" 2>"$WORK/idle.err" &
loader=$!
exec 8>"$WORK/idle.fifo"
head -n 3 "$WORK/big.ndjson" >&8
sleep 1
kill -TERM $loader
tries=0
while kill -0 $loader 2>/dev/null && [ $tries -lt 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
assert_eq stopped "$(kill -0 $loader 2>/dev/null && echo running || echo stopped)" \
	"SIGTERM stops a loader on an idle pipe"
exec 8>&-
wait $loader
assert_eq 143 $? "idle pipe: SIGTERM exits 143"
assert_contains "$WORK/idle.err" "3 lines: 0 records, 0 skipped (empty 0, unknown kind 0), 0 rejected, 3 not loaded" \
	"idle pipe: the lines read are counted as not loaded"

finish
