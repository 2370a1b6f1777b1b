#!/bin/bash
# SPDX-License-Identifier: MIT
# A dry run never commits, whatever the task's SQL says: every statement that
# would end the runner's transaction (COMMIT, END, ROLLBACK, ABORT, COMMIT AND
# CHAIN, PREPARE TRANSACTION, BEGIN ...), in one string or in the array form,
# with or without params, fails the task as an error before any of it runs;
# SAVEPOINT, RELEASE and ROLLBACK TO stay inside the transaction and run.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
# PREPARE TRANSACTION is refused by a server without prepared transactions: allow them.
pg_sql "ALTER SYSTEM SET max_prepared_transactions = 4"
pg_restart
pg_app_sql "CREATE TABLE t (task text, v text)"

task() { # task NAME SQL-TOML [EXTRA LINE]
    printf '\n[[task]]\nname = "%s"\nsql = %s\ntimeout = "20s"\n%s\n' "$1" "$2" "${3:-}"
}
refused=(
    commit end rollback chain abort prepared array params lower begin start
)
make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")
$(task commit "\"INSERT INTO t VALUES ('commit', 'a'); COMMIT; INSERT INTO t VALUES ('commit', 'b')\"")
$(task end "\"INSERT INTO t VALUES ('end', 'a'); END; INSERT INTO t VALUES ('end', 'b')\"")
$(task rollback "\"ROLLBACK; INSERT INTO t VALUES ('rollback', 'b')\"")
$(task chain "\"INSERT INTO t VALUES ('chain', 'a'); COMMIT AND CHAIN; INSERT INTO t VALUES ('chain', 'b')\"")
$(task abort "\"INSERT INTO t VALUES ('abort', 'a'); ABORT; INSERT INTO t VALUES ('abort', 'b')\"")
$(task prepared "\"INSERT INTO t VALUES ('prepared', 'a'); PREPARE TRANSACTION 'p1'; COMMIT PREPARED 'p1'\"")
$(task array "[\"INSERT INTO t VALUES ('array', 'a')\", \"COMMIT\", \"INSERT INTO t VALUES ('array', 'b')\"]")
$(task params "[\"INSERT INTO t VALUES (\$1, 'a')\", \"COMMIT\", \"INSERT INTO t VALUES (\$1, 'b')\"]" 'params = ["task"]')
$(task lower "\"INSERT INTO t VALUES ('lower', 'a'); /* done */ commit work; INSERT INTO t VALUES ('lower', 'b')\"")
$(task begin "\"BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT INTO t VALUES ('begin', 'a')\"")
$(task start "[\"START TRANSACTION READ WRITE\", \"INSERT INTO t VALUES ('start', 'a')\"]")
$(task savepoint "\"SAVEPOINT s; INSERT INTO t VALUES ('savepoint', 'a'); RELEASE SAVEPOINT s; SAVEPOINT s2; INSERT INTO t VALUES ('savepoint', 'x'); ROLLBACK TO SAVEPOINT s2; ROLLBACK WORK TO s2; SELECT count(*) FROM t WHERE task = 'savepoint'\"")
TOML
run_pt --config "$CFG" --dry-run --json
assert_rc 1
for name in "${refused[@]}"; do
    p=".tasks[] | select(.name == \"$name\")"
    assert_eq error "$(json_get "$p | .result")" "result of $name"
    assert_contains "$(json_get "$p | .detail")" "transaction control is not allowed in a task: " "detail of $name"
    assert_contains "$(json_get "$p | .detail")" "; the runner commits or rolls back" "detail of $name"
done
c='.tasks[] | select(.name == "commit")'
assert_eq 'transaction control is not allowed in a task: "COMMIT"; the runner commits or rolls back' \
    "$(json_get "$c | .detail")" "detail of commit"
assert_eq 'statement 2 of 3: transaction control is not allowed in a task: "COMMIT"; the runner commits or rolls back' \
    "$(json_get '.tasks[] | select(.name == "array") | .detail')" "detail of array"
assert_eq 2 "$(json_get '.tasks[] | select(.name == "params") | .failed_statement')" "failed statement of params"
assert_contains "$(json_get '.tasks[] | select(.name == "chain") | .detail')" '"COMMIT AND CHAIN"' "detail of chain"
assert_contains "$(json_get '.tasks[] | select(.name == "prepared") | .detail')" '"PREPARE TRANSACTION '"'p1'"'"' "detail of prepared"
s='.tasks[] | select(.name == "savepoint")'
assert_eq success "$(json_get "$s | .result")" "result of savepoint"
assert_eq "2 rows affected, 1 row returned, rolled back (dry run)" "$(json_get "$s | .detail")" "detail of savepoint"
assert_eq "" "$(pg_app_sql "SELECT string_agg(task || '/' || v, ' ') FROM t")" "rows after the dry run"
assert_eq 0 "$(pg_sql 'SELECT count(*) FROM pg_prepared_xacts')" "prepared transactions"
