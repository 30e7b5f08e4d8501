# load-timescale's command line: help, version, usage errors, and how it
# fails when the database cannot be reached.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/load-db.inc"

assert_status 0 "--help exits 0" -- load-timescale --help
assert_contains "$WORK/out" "usage: load-timescale [options] [FILE...]" "--help prints the usage"
assert_contains "$WORK/out" "--export=KIND" "--help lists --export"
assert_status 0 "--version exits 0" -- load-timescale --version
assert_contains "$WORK/out" "load-timescale (corpintel)" "--version names the tool"
assert_status 64 "unknown option exits 64" -- load-timescale --no-such-option
assert_contains "$WORK/err" "Try 'load-timescale --help'" "unknown option points at --help"
assert_status 64 "zero batch size exits 64" -- load-timescale --batch-size 0
assert_contains "$WORK/err" "invalid --batch-size '0'" "bad batch size is named"
assert_status 64 "batch size with letters exits 64" -- load-timescale --batch-size 5k
assert_status 64 "unknown export kind exits 64" -- load-timescale --export prices
assert_contains "$WORK/err" "invalid --export 'prices'" "bad export kind is named"
assert_status 64 "ratio above 1 exits 64" -- load-timescale --max-reject-ratio 2
assert_status 64 "migrate with a file exits 64" -- load-timescale migrate x.ndjson
assert_status 64 "export with a file exits 64" -- load-timescale --export metric x.ndjson

# An unreachable database fails before any input is read: a missing input
# file would give 66, so 75 shows the connection came first.
mkdir "$WORK/no-server"
assert_status 75 "unreachable database exits 75" -- \
	env PGHOST="$WORK/no-server" load-timescale "$WORK/missing.ndjson"
assert_contains "$WORK/err" "cannot connect to the database (settings from the PG* environment)" \
	"connection error names where the settings came from"
assert_contains "$WORK/err" "No such file or directory" "connection error carries libpq's reason"

# stdin is left unread: the bytes are still in the pipe for the next reader.
printf '{"kind":"company"}\n' >"$WORK/input.ndjson"
( PGHOST="$WORK/no-server" load-timescale 2>/dev/null; echo "status $?"; cat ) \
	<"$WORK/input.ndjson" >"$WORK/stdin-left"
assert_eq "status 75
{\"kind\":\"company\"}" "$(cat "$WORK/stdin-left")" "input is not read when the database is down"

# The password of DATABASE_URL never reaches the log.
url="postgresql://loader:s3cretpw@/corpintel?host=$WORK/no-server"
assert_status 75 "unreachable DATABASE_URL exits 75" -- \
	env DATABASE_URL="$url" load-timescale -v -v --export metric
assert_contains "$WORK/err" "settings from DATABASE_URL" "DATABASE_URL is named as the source"
checks=$((checks + 1))
if grep -q s3cretpw "$WORK/err"; then
	fail "password appears on stderr"
else
	ok "password stays out of stderr"
fi
assert_status 75 "unreachable --dsn exits 75" -- \
	load-timescale -v -v --dsn "host=$WORK/no-server password=s3cretpw" migrate
assert_contains "$WORK/err" "password=***" "debug output masks the password of --dsn"
checks=$((checks + 1))
if grep -q s3cretpw "$WORK/err"; then
	fail "password of --dsn appears on stderr"
else
	ok "password of --dsn stays out of stderr"
fi

# Precedence: --dsn over DATABASE_URL over PG*.
new_db precedence
assert_status 0 "--dsn wins over a broken DATABASE_URL" -- \
	env DATABASE_URL="$url" load-timescale --dsn "dbname=$db" migrate
assert_eq "$(ls "$TOP"/schemas/migrations/*.up.sql | wc -l | tr -d ' ')" \
	"$(sql -d "$db" -c 'SELECT count(*) FROM schema_migrations')" \
	"--dsn database was migrated"
assert_status 75 "a broken DATABASE_URL wins over good PG* variables" -- \
	env DATABASE_URL="$url" PGDATABASE="$db" load-timescale migrate
assert_status 0 "DATABASE_URL reaches the database" -- \
	env DATABASE_URL="postgresql:///$db?host=$PGHOST" load-timescale --export company

# A connection string libpq cannot read is a setting to fix (78), not a
# temporary failure (75), and its text is not repeated: it may hold a
# password.
assert_status 78 "unknown DSN keyword is a configuration error" -- \
	load-timescale --dsn "garbage=1" </dev/null
assert_contains "$WORK/err" 'invalid connection option "garbage"' "the keyword is named"
assert_status 78 "unreadable DSN is a configuration error" -- \
	load-timescale --dsn "host=x password s3cret-value" </dev/null
assert_eq 0 "$(grep -c s3cret-value "$WORK/err")" "the password is not shown"

finish
