#!/bin/bash
# SPDX-License-Identifier: MIT
# What the server sends reaches the screen escaped: an exception whose
# DETAIL and HINT hold a newline and escape sequences, and result cells with
# a newline, stay on their record's one line on stderr (no journald here) and
# in the summary's row, so no forged `periodic_tasks: task "backup"
# succeeded` line appears; --json keeps the exact text.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "cells"
sql = ['''SELECT E'a\\nperiodic_tasks: task "backup" succeeded' AS x, E'\\x1b[2J\\r' AS y''']
timeout = "20s"

[[task]]
name = "raise"
sql = ['''DO \$\$ BEGIN RAISE EXCEPTION USING MESSAGE = E'boom\\x1b[2K\\rbackup success', DETAIL = E'd1\\nperiodic_tasks: task "backup" succeeded', HINT = E'h\\x1b]0;title\\x07\\nh2'; END \$\$''']
timeout = "20s"
TOML

run_pt --config "$CFG" run
assert_rc 1
cp "$T/stdout" "$T/summary.txt"
cp "$T/stderr" "$T/records.txt"
for f in "$T/summary.txt" "$T/records.txt"; do
    assert_eq 0 "$(LC_ALL=C grep -c $'[\x1b\r\x07]' "$f" || true)" "$f: lines with ESC, CR or BEL"
    assert_eq 0 "$(grep -c '^periodic_tasks: task "backup" succeeded' "$f" || true)" "$f: forged lines"
done
assert_eq "" "$(grep -vE '^(periodic_tasks: |cells[|!] )' "$T/records.txt" || true)" \
    "stderr lines that are neither a record nor an output line"
assert_file_contains "$T/records.txt" 'DB_DETAIL="d1\nperiodic_tasks: task "backup" succeeded"'
assert_file_contains "$T/records.txt" 'DB_HINT=h\x1b]0;title\x07\nh2'
assert_file_contains "$T/records.txt" 'DB_ERROR="boom\x1b[2K backup success"' # CR: a space, one line
assert_file_contains "$T/records.txt" 'a\nperiodic_tasks: task "backup" succeeded'
assert_eq 4 "$(wc -l <"$T/summary.txt")" "summary lines: header, two rows, totals"
assert_match "$(grep '^raise ' "$T/summary.txt")" '^raise +failed .*boom\\x1b\[2K backup success \(detail: d1\\nperiodic_tasks: task "backup" succeeded\)$' "raise row"

run_pt --config "$CFG" run --json
assert_rc 1
assert_eq "$(printf 'd1\nperiodic_tasks: task "backup" succeeded')" \
    "$(json_get '.tasks[] | select(.name == "raise") | .db_detail')" "JSON: DB_DETAIL exact"
assert_eq "$(printf 'h\033]0;title\007\nh2')" \
    "$(json_get '.tasks[] | select(.name == "raise") | .db_hint')" "JSON: DB_HINT exact"
