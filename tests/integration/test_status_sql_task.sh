#!/bin/bash
# SPDX-License-Identifier: MIT
# For a SQL task, `status` and `history` report the SQLSTATE of the failure
# (not an exit status), read back from a real journal.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
. "$(dirname "$0")/pg.sh"
require_jq

body() {
    pg_start
    make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "broken"
sql = "SELEC 1"
timeout = "20s"

[[task]]
name = "fine"
sql = "SELECT 1"
timeout = "20s"
TOML
    run_pt --config "$CFG"
    assert_rc 1
    journalctl --sync
    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/status.json"
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/status.txt"
    run_pt history broken -n 1
    cp "$T/stdout" "$T/history.txt"
}
with_private_journal body

st() { json_get ".tasks[] | select(.task == \"$1\") | $2" "$T/status.json"; }
assert_eq "failed 42601 null sql" \
    "$(st broken '.last_run | "\(.result) \(.sqlstate) \(.exit_status) \(.kind)"')" "broken: SQLSTATE, no exit status"
assert_eq "success null" "$(st fine '.last_run | "\(.result) \(.sqlstate)"')" "fine"
assert_match "$(awk '$1 == "broken"' "$T/status.txt")" ' failed +[0-9.]+s +SQLSTATE 42601 +never +1 +- +- +-$' "text row"
assert_match "$(sed -n 2p "$T/history.txt")" ' broken +failed +[0-9.]+s +SQLSTATE 42601 ' "history row"
