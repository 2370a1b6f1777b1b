#!/bin/bash
# SPDX-License-Identifier: MIT
# run --scheduled refuses what it cannot run, and runs nothing: an unknown
# name or two names or --dry-run (64, usage), a task without a schedule or a
# disabled one (78, config), and a slot file it cannot trust or read (71,
# naming the file and the fix) — never a silent run of history.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/slots.sh"
require_no_journal

make_config <<TOML
[[task]]
name = "plain"
command = ["/bin/sh", "-c", "echo ran"]

[[task]]
name = "off"
enabled = false
schedule = "daily"
command = ["/bin/sh", "-c", "echo ran"]

[[task]]
name = "daily"
schedule = "$DAILY"
catch_up = "all"
command = ["/bin/sh", "-c", "echo ran"]
TOML

expect_refusal() {
    local rc=$1 message=$2
    shift 2
    run_pt --config "$CFG" "$@"
    assert_rc "$rc"
    assert_eq "periodic_tasks: error: $message" "$(cat "$T/stderr")" "stderr of $*"
}
expect_refusal 64 'unknown task "dialy"; did you mean "daily"?' run --scheduled dialy
expect_refusal 64 "--scheduled takes exactly one task name, as the task's timer passes it: periodic_tasks run --scheduled TASK" run --scheduled daily plain
expect_refusal 64 "--scheduled runs the due slots of a task and marks them done; --as-of and --dry-run are for runs by hand: periodic_tasks run daily --as-of YYYY-MM-DD (see what is due with: periodic_tasks status daily)" run --scheduled daily --dry-run
expect_refusal 78 "$CFG:1:1: task \"plain\" has no schedule, so --scheduled has no slot to run; hint: it runs with the other tasks without a schedule (periodic_tasks run), or by hand: periodic_tasks run plain" run --scheduled plain
expect_refusal 78 "$CFG:5:1: task \"off\" is disabled, so its slots do not run; hint: set enabled = true, or run it by hand: periodic_tasks run off" run --scheduled off

fix="(the task's next run then counts as its first: it runs a slot only if one is due now)"
printf 'schedule=%s\ndone_through=last week\n' "$DAILY" >"$T/corrupt"
write_slot_state daily "$DAILY" "$(daily_slot 3)"
cp "$T/corrupt" "$SLOTS_DIR/daily"
expect_refusal 71 "slot file $SLOTS_DIR/daily is corrupt: line 2: not a time like 2026-12-07T07:00:00Z; fix with: rm $SLOTS_DIR/daily $fix" run --scheduled daily

rm "$SLOTS_DIR/daily"
write_slot_state elsewhere "$DAILY" "$(daily_slot 3)"
ln -s "$SLOTS_DIR/elsewhere" "$SLOTS_DIR/daily"
expect_refusal 71 "refusing slot file $SLOTS_DIR/daily: it is a symbolic link; fix with: rm $SLOTS_DIR/daily $fix" run --scheduled daily

rm "$SLOTS_DIR/daily"
chmod 0777 "$SLOTS_DIR"
expect_refusal 71 "refusing slot directory $SLOTS_DIR: mode 0777 is writable by group/others, who could make tasks skip or repeat slots; fix with: chmod go-w $SLOTS_DIR" run --scheduled daily
