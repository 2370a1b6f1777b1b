#!/bin/bash
# SPDX-License-Identifier: MIT
# A dry run writes no metrics: an existing textfile stays the same file with
# the same bytes, none is created, and a missing directory is no warning.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/metrics.sh"
require_no_journal
mkdir -p "$PROM_DIR"

make_config <<TOML
$(metrics_table)

[[task]]
name = "purge"
command = ["/bin/sh", "-c", "exit 5"]
dry_run_args = ["--dry-run"]
TOML

# Nothing yet: a dry run (whose task really runs, and fails) creates nothing.
run_pt --config "$CFG" --dry-run
assert_rc 1
assert_absent "$PROM" "the textfile after a dry run"

run_pt --config "$CFG"
assert_rc 1
cp "$PROM" "$T/before.prom"
inode=$(stat -c %i "$PROM")
run_pt --config "$CFG" --dry-run
assert_rc 1
cmp -s "$T/before.prom" "$PROM" || fail "a dry run changed $PROM: $(diff "$T/before.prom" "$PROM")"
assert_eq "$inode" "$(stat -c %i "$PROM")" "inode of $PROM after a dry run"
assert_textfile_clean

rm -r "$PROM_DIR"
run_pt --config "$CFG" --dry-run
assert_rc 1
assert_not_contains "$(cat "$T/stderr")" "metrics" "stderr of a dry run with no metrics directory"
assert_absent "$PROM_DIR"
