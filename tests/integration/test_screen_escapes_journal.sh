#!/bin/bash
# SPDX-License-Identifier: MIT
# The journal keeps what a task printed byte for byte (ESC, CR, C1, DEL),
# while every screen shows it escaped: the progress on a terminal, `list`,
# and the tables of `status` and `history`.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq
require_tool script

body() {
    make_config <<'TOML'
[[task]]
name = "backup"
command = ["/bin/sh", "-c", "printf 'x\\033[2K\\rbackup success\\302\\233\\177\\n'; exit 1"]

[[task]]
name = "other"
command = ["/bin/true"]
TOML
    # On a terminal, progress goes to stderr next to the journal.
    script -qec "$PT_BIN --config $CFG run" /dev/null </dev/null >"$T/tty.txt" 2>&1 || true
    journalctl --sync
    journal_export "$T/export.txt" MESSAGE_ID=46afe2d4e33b59d805ecce4e04db1eda
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/status.txt"
    run_pt history
    cp "$T/stdout" "$T/history.txt"
    run_pt --config "$CFG" list
    cp "$T/stdout" "$T/list.txt"
}
with_private_journal body

# The journal: the raw bytes (export format writes such a value in binary form).
LC_ALL=C grep -qF "$(printf 'x\033[2K\rbackup success\302\233\177')" "$T/export.txt" ||
    fail "the journal does not keep the output line's bytes: $(head -c 320 "$T/export.txt" | od -c)"

assert_file_contains "$T/tty.txt" 'backup| x\x1b[2K\rbackup success\u009b\x7f'
for f in tty status history list; do
    assert_eq 0 "$(LC_ALL=C grep -c $'[\x1b\x7f]' "$T/$f.txt" || true)" "$f: lines with ESC or DEL"
    assert_eq 0 "$(LC_ALL=C grep -c $'\xc2[\x80-\x9f]' "$T/$f.txt" || true)" "$f: lines with a C1 control"
    assert_eq 0 "$(grep -c '^periodic_tasks: task "backup" succeeded' "$T/$f.txt" || true)" "$f: forged lines"
done
assert_eq 3 "$(wc -l <"$T/status.txt")" "status: header and two rows"
assert_eq 3 "$(wc -l <"$T/history.txt")" "history: header and two rows"
assert_eq 3 "$(wc -l <"$T/list.txt")" "list: header and two rows"
