#!/bin/bash
# SPDX-License-Identifier: MIT
# A SQL task that returns 5 million rows succeeds and reports them all as
# returned, and the runner's peak RSS stays within 10 MB of a run of a
# one-row task: rows are read one at a time, counted and dropped past the
# preview, never buffered whole.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
setup_maxrss
pg_start

make_config "$T/tiny.toml" <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "tiny"
sql = "SELECT 1"
TOML
make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "big"
sql = ["SELECT g, 'some text to make the row longer' FROM generate_series(1, 3) g",
       "SELECT generate_series(1, 5000000)"]
TOML

run_pt_maxrss_over "$T/tiny.toml"
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"
assert_eq 5000000 "$(json_get '.tasks[0].rows_returned')" "rows_returned (of the last statement)"
assert_eq "0 rows affected, 5000000 rows returned" "$(json_get '.tasks[0].detail')" "detail"
assert_rss_growth "one row" "5M rows"
