#!/bin/bash
# SPDX-License-Identifier: MIT
# `status` and `history` count only records the runner wrote: an unprivileged
# user who sends datagrams to journald's socket with our SYSLOG_IDENTIFIER,
# our MESSAGE_IDs, TASK and even a genuine RUN_ID copied from the journal
# cannot turn a failing task into a success, reset its failure count, or
# add runs to the history. journald stamps each entry with the sender's _UID
# from the socket's credentials, which a client cannot forge.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq
require_tool python3

started_id=7b2a2268eac6127811bb2d9d43ebd066
ok_id=54023f668d49437b9239113b3a325913

body() {
    make_config <<TOML
[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 3"]
TOML
    run_pt --config "$CFG" run bad --json
    assert_rc 1
    local run_id
    run_id=$(json_get .run_id)

    # The forger: nobody, writing journald's native protocol by hand.
    cat >"$T/forge.py" <<'PY'
import socket, sys
def send(fields):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(("".join(f + "\n" for f in fields)).encode(), "/run/systemd/journal/socket")
common = ["SYSLOG_IDENTIFIER=periodic_tasks", "TASK=bad", "TASK_KIND=command",
          "AS_OF=2025-01-01", "DRY_RUN=0", "TRIGGER=timer"]
started, ok, run_id = sys.argv[1], sys.argv[2], sys.argv[3]
# A whole forged run, with a new run id.
send(["MESSAGE=task \"bad\" started", "MESSAGE_ID=" + started, "RUN_ID=ffffffffffffffff",
      "TASK_POSITION=1/1"] + common)
send(["MESSAGE=task \"bad\" succeeded", "MESSAGE_ID=" + ok, "RUN_ID=ffffffffffffffff",
      "TASK_RESULT=success", "EXIT_STATUS=0", "DURATION_USEC=1000", "ATTEMPT=1"] + common)
# A forged end for the genuine run, newer than its real one.
send(["MESSAGE=task \"bad\" succeeded", "MESSAGE_ID=" + ok, "RUN_ID=" + run_id,
      "TASK_RESULT=success", "EXIT_STATUS=0", "DURATION_USEC=1000", "ATTEMPT=1"] + common)
PY
    chmod 0644 "$T/forge.py"
    setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$T/forge.py" \
        "$started_id" "$ok_id" "$run_id" || fail "the forger could not send"
    journalctl --sync
    # The forged entries are in the journal, from nobody: the test forged what it meant to.
    assert_eq 3 "$(journal_records _UID=65534 | jq length)" "forged entries in the journal"

    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/status.json"
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/status.txt"
    STATUS_RC=$PT_RC
    run_pt history --json -n 0
    cp "$T/stdout" "$T/history.json"
    run_pt history --run "$run_id" --json
    cp "$T/stdout" "$T/history-run.json"
    RUN_ID=$run_id
}
with_private_journal body

s=$T/status.json
assert_eq failed "$(json_get '.tasks[0].last_run.result' "$s")" "status: the real failure"
assert_eq "$RUN_ID" "$(json_get '.tasks[0].last_run.run_id' "$s")" "status: the real run"
assert_eq 3 "$(json_get '.tasks[0].last_run.exit_status' "$s")" "status: the real exit status"
assert_eq 1 "$(json_get '.tasks[0].consecutive_failures' "$s")" "status: failures not reset"
assert_eq null "$(json_get '.tasks[0].last_success' "$s")" "status: no forged success"
assert_eq 1 "$STATUS_RC" "status exits 1: the task is failing"
assert_match "$(awk '$1 == "bad"' "$T/status.txt")" '^bad +[0-9-]{10} [0-9:]{8} +failed ' "status text row"

h=$T/history.json
assert_eq 1 "$(json_get '.runs | length' "$h")" "history: the one real run"
assert_eq "$RUN_ID failed 3" "$(json_get '.runs[0] | "\(.run_id) \(.result) \(.exit_status)"' "$h")" \
    "history: the real run as it ended"
assert_eq "failed" "$(json_get '[.runs[].result] | join(" ")' "$T/history-run.json")" \
    "history --run with the copied run id"
