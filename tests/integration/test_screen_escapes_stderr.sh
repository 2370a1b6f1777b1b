#!/bin/bash
# SPDX-License-Identifier: MIT
# What a task prints, a task's name and command, and config text reach the
# screen escaped: ESC, CR, newline, C1 and DEL in them are shown as \x1b,
# \r, \n, \u009b, \x7f in the summary table, in the records on stderr (no
# journald here) and in error messages, so nothing can rewrite the screen or
# forge a line such as `periodic_tasks: task "backup" succeeded`. --json
# keeps the exact text.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

make_config <<'TOML'
[[task]]
name = "backup"
command = ["/bin/sh", "-c", "printf 'x\\033[2K\\rbackup success\\n'; sleep 0.2; printf 'e\\302\\2332J\\177\\n' >&2; printf 'x\\033[2K\\rbackup success\\n' >&2; exit 1"]

[[task]]
name = "nl"
command = ["/bin/sh", "-c", "exit 2\nperiodic_tasks: task \"backup\" succeeded"]
TOML

# no_raw_controls FILE: no ESC, CR, DEL or C1 (U+0080-U+009F as UTF-8) byte in FILE.
no_raw_controls() {
    local what=$1 file=$2
    assert_eq 0 "$(LC_ALL=C grep -c $'[\x1b\r\x7f]' "$file" || true)" "$what: lines with ESC, CR or DEL"
    assert_eq 0 "$(LC_ALL=C grep -c $'\xc2[\x80-\x9f]' "$file" || true)" "$what: lines with a C1 control"
}

run_pt --config "$CFG" run
assert_rc 1
cp "$T/stdout" "$T/summary.txt"
cp "$T/stderr" "$T/records.txt"
no_raw_controls "summary" "$T/summary.txt"
no_raw_controls "stderr records" "$T/records.txt"
# One record, one line: every stderr line is a record or an output line.
assert_eq "" "$(grep -vE '^(periodic_tasks: |backup[|!] )' "$T/records.txt" || true)" \
    "stderr lines that are neither a record nor an output line"
assert_eq 0 "$(grep -c '^periodic_tasks: task "backup" succeeded' "$T/records.txt" || true)" \
    "forged 'succeeded' lines on stderr"
assert_file_contains "$T/records.txt" 'backup| x\x1b[2K\rbackup success'
assert_file_contains "$T/records.txt" 'backup! e\u009b2J\x7f'
assert_file_contains "$T/records.txt" "COMMAND=\"/bin/sh -c 'exit 2\\nperiodic_tasks: task \"backup\" succeeded'\""
# The summary: one row per task, the failing task's last line escaped.
assert_eq 4 "$(wc -l <"$T/summary.txt")" "summary lines: header, two rows, totals"
assert_match "$(grep '^backup ' "$T/summary.txt")" '^backup +failed +.*x\\x1b\[2K\\rbackup success$' "backup row"

# --json is exact: JSON's own escapes, decoded, give the bytes back.
run_pt --config "$CFG" run --json
assert_rc 1
assert_eq "$(printf 'x\033[2K\rbackup success')" "$(json_get '.tasks[0].output_tail[-1]')" "JSON output tail"
assert_eq "$(printf 'e\302\2332J\177')" "$(json_get '.tasks[0].output_tail[1]')" "JSON: C1 and DEL exact"
assert_eq 0 "$(LC_ALL=C grep -c $'[\x7f]' "$T/stdout" || true)" "JSON: DEL written as \\u007f"
assert_eq 0 "$(LC_ALL=C grep -c $'\xc2[\x80-\x9f]' "$T/stdout" || true)" "JSON: C1 written as \\u0080-\\u009f"

# Errors echo config text escaped: a task name with an ESC, C1 and a newline.
make_config <<'TOML'
[[task]]
name = "n\u001b[2J\u009b\nperiodic_tasks: task \"backup\" succeeded"
command = ["/bin/true"]
TOML
run_pt --config "$CFG" check
assert_rc 78
no_raw_controls "config error" "$T/stderr"
assert_eq 1 "$(wc -l <"$T/stderr")" "the config error is one line"
assert_file_contains "$T/stderr" 'n\x1b[2J\u009b\nperiodic_tasks: task "backup" succeeded'

# An unknown key with an ESC and a newline.
make_config <<'TOML'
[[task]]
name = "x"
command = ["/bin/true"]
"time\u001b[2J\nout" = "1s"
TOML
run_pt --config "$CFG" check
assert_rc 78
no_raw_controls "config error" "$T/stderr"
assert_eq 1 "$(wc -l <"$T/stderr")" "the config error is one line"
assert_file_contains "$T/stderr" 'time\x1b[2J\nout'

# An unknown task named on the command line is echoed escaped too.
make_config <<'TOML'
[[task]]
name = "x"
command = ["/bin/true"]
TOML
run_pt --config "$CFG" run $'y\e[2J\nperiodic_tasks: task "backup" succeeded'
assert_rc 64
no_raw_controls "usage error" "$T/stderr"
assert_eq 1 "$(wc -l <"$T/stderr")" "the usage error is one line"
