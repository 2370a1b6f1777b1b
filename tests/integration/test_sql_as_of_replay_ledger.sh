#!/bin/bash
# SPDX-License-Identifier: MIT
# The shipped idempotent example (packaging/examples/ledger-release.toml and
# ledger-schema.sql) replayed with --as-of: the first run for a day releases
# the matured lots and records the day's totals; a second run for the same
# day affects 0 rows and writes nothing (same rows, same xmin).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source tree (ctest sets it)}"
examples=$PT_SOURCE_DIR/packaging/examples
pg_start
psql "$PT_PG_APP_CONNINFO" -X -q -v ON_ERROR_STOP=1 -f "$examples/ledger-schema.sql" >/dev/null 2>"$T/psql.err" ||
    fail "loading ledger-schema.sql failed: $(cat "$T/psql.err")"
pg_app_sql "INSERT INTO lots (owner, amount, matures_on) VALUES
    ('alice', 10, '2025-01-20'), ('bob', 5.5, '2025-01-27'), ('carol', 7, '2025-01-27'),
    ('dave', 3, '2025-01-28'), ('erin', 1, '2025-02-10')"

# The example as shipped, pointed at the test's cluster (no credential here).
grep -q '^conninfo = ' "$examples/ledger-release.toml" || fail "the example has no conninfo line"
sed -e "s|^conninfo = .*|conninfo = \"$PT_PG_APP_CONNINFO\"|" -e '/^password_credential = /d' \
    "$examples/ledger-release.toml" | make_config

snapshot() {
    pg_app_sql "SELECT xmin, id, owner, amount, matures_on, released_on FROM lots ORDER BY id"
    pg_app_sql "SELECT xmin, day, lots, amount FROM daily_releases ORDER BY day"
}

run_pt --config "$CFG" --as-of 2025-01-27 --json
assert_rc 0
assert_eq 2025-01-27 "$(json_get '.as_of')" "as_of"
r='.tasks[] | select(.name == "ledger-release")'
d='.tasks[] | select(.name == "ledger-daily-totals")'
assert_eq success "$(json_get "$r | .result")" "first run: result of ledger-release"
# A SELECT of a set-returning function: what it released is what it returns.
assert_eq 3 "$(json_get "$r | .rows_returned")" "first run: rows returned"
assert_eq success "$(json_get "$d | .result")" "first run: result of ledger-daily-totals"
assert_eq 1 "$(json_get "$d | .rows_affected")" "first run: daily totals written"
assert_eq "3|22.5" "$(pg_app_sql "SELECT lots, amount FROM daily_releases WHERE day = '2025-01-27'")" "daily totals"
assert_eq "alice bob carol" \
    "$(pg_app_sql "SELECT string_agg(owner, ' ' ORDER BY owner) FROM lots WHERE released_on = '2025-01-27'")" "released lots"
assert_eq 2 "$(pg_app_sql 'SELECT count(*) FROM lots WHERE released_on IS NULL')" "lots not yet released"
snapshot >"$T/before"

run_pt --config "$CFG" --as-of 2025-01-27 --json
assert_rc 0
assert_eq success "$(json_get "$r | .result")" "replay: result of ledger-release"
assert_eq 0 "$(json_get "$r | .rows_affected")" "replay: rows affected by ledger-release"
assert_eq 0 "$(json_get "$r | .rows_returned")" "replay: lots released (rows returned)"
assert_eq success "$(json_get "$d | .result")" "replay: result of ledger-daily-totals"
assert_eq 0 "$(json_get "$d | .rows_affected")" "replay: daily totals written"
snapshot >"$T/after"
cmp -s "$T/before" "$T/after" || fail "the replay changed the tables: $(diff "$T/before" "$T/after")"
