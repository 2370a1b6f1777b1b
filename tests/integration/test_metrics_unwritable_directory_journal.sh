#!/bin/bash
# SPDX-License-Identifier: MIT
# Run as a user who may not write the textfile's directory (the service user
# before the recipe in docs/systemd.md), the tasks run as usual, the exit
# status is unchanged, and the journal gets one warning with the metrics_failed
# MESSAGE_ID naming the file and the error.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
. "$(dirname "$0")/metrics.sh"
require_jq
require_root "switching to an unprivileged user"
require_tool setpriv

body() {
    mkdir -p "$PROM_DIR" # root's, 0755: not writable by nobody
    chown nobody "$RUNTIME_DIRECTORY"
    make_config <<TOML
$(metrics_table)

[[task]]
name = "good"
command = ["/bin/true"]
TOML
    local real=$PT_BIN
    PT_BIN=$(make_script as-nobody <<SH
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$real" "\$@"
SH
)
    run_pt --config "$CFG" --json
}
with_private_journal body
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result of good"
assert_absent "$PROM"
assert_eq "" "$(find "$PROM_DIR" -mindepth 1)" "files in $PROM_DIR"

journal_records MESSAGE_ID=0699458340c53a27361658a2abdfeb25 >"$T/failed.json"
assert_eq 1 "$(json_get length "$T/failed.json")" "metrics_failed records"
assert_eq 4 "$(json_get '.[0].PRIORITY' "$T/failed.json")" "PRIORITY"
assert_eq "$PROM" "$(json_get '.[0].METRICS_FILE' "$T/failed.json")" "METRICS_FILE"
assert_eq "cannot create a temporary file in $PROM_DIR: Permission denied" \
    "$(json_get '.[0].METRICS_ERROR' "$T/failed.json")" "METRICS_ERROR"
assert_eq "$(json_get .run_id)" "$(json_get '.[0].RUN_ID' "$T/failed.json")" "RUN_ID"
assert_eq "metrics not written to $PROM: cannot create a temporary file in $PROM_DIR: Permission denied" \
    "$(json_get '.[0].MESSAGE' "$T/failed.json")" "MESSAGE"
