# fetch-sec's command line: help, version, bad options, the rate limit
# ceiling, and the refusal to contact SEC without a contact User-Agent.
. "$TOP/tests/lib.sh"
. "$TOP/tests/mock.sh"

unset SEC_USER_AGENT

assert_status 0 "--help exits 0" -- fetch-sec --help
assert_contains "$WORK/out" "usage: fetch-sec" "--help prints the usage on stdout"
assert_contains "$WORK/out" "Exit status" "--help lists the exit statuses"

assert_status 0 "--version exits 0" -- fetch-sec --version
assert_contains "$WORK/out" "fetch-sec (corpintel)" "--version names the tool"

assert_status 64 "unknown option exits 64" -- fetch-sec --no-such-option
assert_contains "$WORK/err" "Try 'fetch-sec --help'" "unknown option points to --help"

assert_status 64 "no company and no file exits 64" -- fetch-sec
assert_contains "$WORK/err" "nothing to fetch" "no input is explained"

assert_status 64 "--rate above 10 exits 64" -- \
    fetch-sec --rate 11 --cik 999001 --user-agent "Jane Analyst jane@example.com"
assert_contains "$WORK/err" "at most 10 requests per second" "--rate 11 is explained"

assert_status 64 "--rate 0 exits 64" -- \
    fetch-sec --rate 0 --cik 999001 --user-agent "Jane Analyst jane@example.com"

assert_status 64 "invalid CIK exits 64" -- \
    fetch-sec --cik 12ab --user-agent "Jane Analyst jane@example.com"
assert_contains "$WORK/err" "invalid CIK '12ab'" "invalid CIK is named"

assert_status 64 "--offline without --cache-dir exits 64" -- \
    fetch-sec --offline --cik 999001

# No request may reach the server without a contact in the User-Agent.
mock_start "$TOP/tests/fixtures/sec" || exit 1

assert_status 64 "missing User-Agent exits 64" -- \
    fetch-sec --base-url "$MOCK_URL" --cik 999001
assert_contains "$WORK/err" "User-Agent" "missing User-Agent is named"
assert_contains "$WORK/err" "fair-access" "the refusal gives SEC's reason"
assert_contains "$WORK/err" "SEC_USER_AGENT='Jane Analyst jane@example.com'" \
    "the refusal shows how to set it"
assert_eq 0 "$(lines "$WORK/out")" "nothing is written when refused"

assert_status 64 "User-Agent without an e-mail address exits 64" -- \
    fetch-sec --base-url "$MOCK_URL" --cik 999001 --user-agent "corpintel/0.1"
assert_contains "$WORK/err" "User-Agent 'corpintel/0.1' has no contact e-mail address" \
    "the generic User-Agent is named"

assert_status 64 "an address without a domain dot exits 64" -- \
    env SEC_USER_AGENT="Jane Analyst jane@localhost" fetch-sec --base-url "$MOCK_URL" --cik 999001

assert_status 64 "tickers without a tickers file need a User-Agent" -- \
    fetch-sec --tickers-url "$MOCK_URL/files/company_tickers.json" \
    --base-url "$MOCK_URL" --ticker EXLC
assert_eq 0 "$(lines "$MOCK_LOG")" "no request reached the server"

# Precedence: command line, then environment, then --config.
printf 'user-agent: Config Person config@example.com\n' >"$WORK/config.yaml"
assert_status 0 "--config supplies the User-Agent" -- \
    fetch-sec --config "$WORK/config.yaml" --base-url "$MOCK_URL" --cik 999001
assert_status 0 "SEC_USER_AGENT wins over --config" -- \
    env SEC_USER_AGENT="Env Person env@example.com" fetch-sec --config "$WORK/config.yaml" --base-url "$MOCK_URL" --cik 999001
assert_status 0 "--user-agent wins over SEC_USER_AGENT" -- \
    env SEC_USER_AGENT="Env Person env@example.com" fetch-sec --config "$WORK/config.yaml" --base-url "$MOCK_URL" --cik 999001 \
    --user-agent "Option Person option@example.com"
assert_eq "Config Person config@example.com
Env Person env@example.com
Option Person option@example.com" "$(cut -f 5 "$MOCK_LOG")" \
    "the server saw each User-Agent in precedence order"

printf 'rate: 50\n' >"$WORK/fast.yaml"
assert_status 78 "a rate above 10 in --config exits 78" -- \
    fetch-sec --config "$WORK/fast.yaml" --cik 999001 \
    --user-agent "Jane Analyst jane@example.com" --base-url "$MOCK_URL"
assert_contains "$WORK/err" "fast.yaml:1: invalid rate" "the config line is named"

# A URL the client cannot speak is a usage error, not a failure to retry.
assert_status 64 "ftp base URL is a usage error" -- \
    fetch-sec --cik 320193 --user-agent "Jane Analyst jane@example.com" \
    --base-url ftp://127.0.0.1/
assert_contains "$WORK/err" "invalid --base-url 'ftp://127.0.0.1/'" "the URL is named"
assert_status 64 "a URL without a scheme is a usage error" -- \
    fetch-sec --cik 320193 --user-agent "Jane Analyst jane@example.com" \
    --base-url notaurl

finish
