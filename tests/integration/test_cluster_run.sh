#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode on one host, end to end with the real runner: a scheduled
# run claims its slot (schema created on first use), runs it and marks it
# done; the same slot asked again is skipped as claimed and counts as done
# here; a SQL task's done mark commits with its effects; a run by hand marks
# nothing; the cluster's claims show in `status`; an unreachable cluster
# database runs nothing and leaves the slot due.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/proxy.sh"
require_no_journal
require_jq
pg_start
pg_app_sql "CREATE TABLE released (slot timestamptz PRIMARY KEY)"
host=$(hostname)

cluster_toml() {
    printf '[settings]\nkill_timeout = "1s"\n\n'
    pg_database_toml "$1"
    printf '\n[cluster]\ndatabase = "main"\nlease = "6s"\n\n'
    daily_task_toml latest
    cat <<TOML

[[task]]
name = "release"
schedule = "$DAILY"
sql = "INSERT INTO released VALUES (\$1::timestamptz)"
params = ["slot"]
TOML
}
cluster_toml "$PT_PG_APP_CONNINFO" | make_config
write_slot_state daily "$DAILY" "$(daily_slot 1)"
write_slot_state release "$DAILY" "$(daily_slot 1)"
slot=$(daily_slot 0)

# 1. The slot is claimed, run and marked done.
run_pt --config "$CFG" run --scheduled daily --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "the claimed slot's result"
assert_eq 1 "$(json_get '.tasks[0].claim_attempt')" "the claim's attempt"
assert_eq "1|done|$host|success" \
    "$(pg_app_sql "SELECT attempt || '|' || state || '|' || host || '|' || result FROM periodic_tasks.claims WHERE task = 'daily' AND slot = '$slot'")" \
    "the claim row"
assert_eq "$slot" "$(slot_done daily)" "the local slot state"

# 2. The same slot again (the local state set back, as on another host): skipped
#    as claimed, naming who ran it, exit 0, and now done here too.
write_slot_state daily "$DAILY" "$(daily_slot 1)"
run_pt --config "$CFG" run --scheduled daily --json
assert_rc 0
assert_eq skipped "$(json_get '.tasks[0].result')" "a finished slot asked again"
assert_eq claimed "$(json_get '.tasks[0].skip_reason')" "its skip reason"
assert_eq "$host" "$(json_get '.tasks[0].owner.host')" "the owner named"
assert_contains "$(json_get '.tasks[0].detail')" "already ran in the cluster" "the detail"
assert_eq "$slot" "$(slot_done daily)" "a slot another host ran is done here"
assert_eq 1 "$(pg_app_sql "SELECT count(*) FROM periodic_tasks.claims WHERE task = 'daily'")" "claim rows"

# 3. A SQL task on the cluster database: its done mark commits in its own
#    transaction, so the store's finish has nothing left to mark.
run_pt --config "$CFG" run --scheduled release --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "the SQL task's result"
assert_eq 1 "$(pg_app_sql "SELECT count(*) FROM released WHERE slot = '$slot'")" "the SQL task's effect"
assert_eq "done|success" \
    "$(pg_app_sql "SELECT state || '|' || result FROM periodic_tasks.claims WHERE task = 'release'")" \
    "the SQL task's claim"

# 4. By hand: the task's cluster lock, no claim row, no mark.
run_pt --config "$CFG" run daily --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "a run by hand"
assert_eq 1 "$(pg_app_sql "SELECT count(*) FROM periodic_tasks.claims WHERE task = 'daily'")" "claim rows after a run by hand"

# 5. status answers for the cluster.
mkdir -p "$T/no-journal"
run_pt --config "$CFG" status --json -D "$T/no-journal"
assert_eq "$host|success" \
    "$(json_get '.cluster.tasks[] | select(.task == "daily") | .last_done.host + "|" + .last_done.result')" \
    "the cluster's last run of daily in status"
assert_eq null "$(json_get '.cluster.tasks[] | select(.task == "daily") | .running')" "nobody holds daily now"

# 6. Stopped with the runner (SIGTERM): as in single-host mode the slot stays
#    due here, and its claim is given back unfinished, for a later wake to
#    take over once the lease ends.
{
    cluster_toml "$PT_PG_APP_CONNINFO"
    printf '\n[[task]]\nname = "stopped"\nschedule = "%s"\n' "$DAILY"
    printf 'command = ["/bin/sh", "-c", "touch %s; exec sleep 30"]\n' "$T/stopped-started"
} | make_config
write_slot_state stopped "$DAILY" "$(daily_slot 1)"
"$PT_BIN" --config "$CFG" run --scheduled stopped --json </dev/null >"$T/stdout" 2>"$T/stderr" &
RUNNER_PID=$!
BG_PIDS+=("$RUNNER_PID")
wait_for_file "$T/stopped-started"
stop_runner TERM
assert_rc 143
assert_eq "1|running" \
    "$(pg_app_sql "SELECT attempt || '|' || state FROM periodic_tasks.claims WHERE task = 'stopped'")" \
    "the claim of a slot stopped with the runner"
assert_eq "$(daily_slot 1)" "$(slot_done stopped)" "the stopped slot stays due"

# 7. An idle wake (nothing due) connects to nothing: a minutely timer's usual
#    wake costs the database no session. Through a proxy that counts.
proxy_start idle --target "127.0.0.1:$PT_PG_PORT"
cluster_toml "$PT_PG_APP_TCP_CONNINFO port=${PT_PROXY_PORT[idle]} password=$PT_PG_APP_PASSWORD" | make_config
run_pt --config "$CFG" run --scheduled daily --json
assert_rc 0
assert_eq "$slot" "$(slot_done daily)" "nothing due"
assert_eq 0 "$(proxy_send idle stats | jq -r .connections)" "connections of an idle wake"
write_slot_state daily "$DAILY" "$(daily_slot 1)"
run_pt --config "$CFG" run --scheduled daily --json
assert_rc 0
assert_eq skipped "$(json_get '.tasks[0].result')" "a due slot, asked through the proxy"
(($(proxy_send idle stats | jq -r .connections) >= 1)) || fail "a due slot did not connect to the cluster"

# 8. The cluster database cannot be reached: nothing runs, the run fails, and
#    the slot stays due for the next wake.
blackhole_start 60
cluster_toml "host=127.0.0.1 port=$PT_BLACKHOLE_PORT user=app dbname=app connect_timeout=1" | make_config
write_slot_state daily "$DAILY" "$(daily_slot 1)"
run_pt --config "$CFG" run --scheduled daily --json
assert_rc 1
assert_eq error "$(json_get '.tasks[0].result')" "a slot the cluster could not be asked about"
assert_contains "$(json_get '.tasks[0].detail')" "not run: the cluster could not be asked" "the detail"
assert_eq "$(daily_slot 1)" "$(slot_done daily)" "the slot stays due"

# 9. cluster init creates the schema in a database that has none, and says so.
pg_sql "CREATE DATABASE app2 OWNER app STRATEGY FILE_COPY"
{
    printf '[databases.main]\nconninfo = "host=%s port=%s user=app dbname=app2"\n' \
        "$PT_PG_SOCKET_DIR" "$PT_PG_PORT"
    printf '\n[cluster]\ndatabase = "main"\n'
} | make_config
run_pt --config "$CFG" cluster init
assert_rc 0
assert_contains "$(cat "$T/stdout")" "is at version 1" "cluster init"
assert_eq 1 "$(pg_sql "SELECT max(version) FROM periodic_tasks.schema_version" app2)" "the schema cluster init made"

# 10. The SQL a DBA runs, without a config or a database.
run_pt cluster init --print
assert_rc 0
assert_contains "$(cat "$T/stdout")" "CREATE SCHEMA IF NOT EXISTS periodic_tasks;" "cluster init --print"
echo "PASS: $TEST_NAME"
