#!/bin/bash
# SPDX-License-Identifier: MIT
# A task is one transaction: a COMMIT in the middle of its SQL is refused
# before any of the task runs (result error, nothing committed), not obeyed
# with the statements after it in autocommit. Procedures and DO blocks that
# commit are refused by the server itself inside the runner's transaction.
# Semicolons and keywords inside strings, comments, dollar quotes and
# BEGIN ATOMIC bodies are not taken for commands; the connection stays
# usable for the next task.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_app_sql "CREATE TABLE t (v text)"
pg_app_sql "CREATE PROCEDURE commit_inside() LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO t VALUES ('proc'); COMMIT; END \$\$"

make_config <<TOML
$(pg_database_toml "$PT_PG_APP_CONNINFO")

[[task]]
name = "half"
sql = "INSERT INTO t VALUES ('half-1'); COMMIT; INSERT INTO t VALUES ('half-2'); SELECT 1/0"
timeout = "20s"

[[task]]
name = "proc"
sql = "CALL commit_inside()"
timeout = "20s"

[[task]]
name = "do"
sql = '''DO \$\$ BEGIN INSERT INTO t VALUES ('do'); COMMIT; END \$\$'''
timeout = "20s"

[[task]]
name = "quoted"
sql = '''
INSERT INTO t VALUES ('q1;COMMIT;'), (\$\$;COMMIT;\$\$), (\$x\$;END;\$x\$), (E'\\';COMMIT;'); -- ; COMMIT
/* ; ROLLBACK /* nested; */ ; */ INSERT INTO "t" ("v") VALUES ('q2');
CREATE FUNCTION atomic_one() RETURNS int LANGUAGE sql
  BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 1; END;
INSERT INTO t SELECT 'q3' WHERE atomic_one() = 1;
'''
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 1
h='.tasks[] | select(.name == "half")'
assert_eq error "$(json_get "$h | .result")" "result of half"
assert_eq 'transaction control is not allowed in a task: "COMMIT"; the runner commits or rolls back' \
    "$(json_get "$h | .detail")" "detail of half"
assert_eq null "$(json_get "$h | .sqlstate")" "sqlstate of half"
for name in proc do; do
    p=".tasks[] | select(.name == \"$name\")"
    assert_eq failed "$(json_get "$p | .result")" "result of $name"
    assert_eq 2D000 "$(json_get "$p | .sqlstate")" "sqlstate of $name"
    assert_eq "invalid transaction termination" "$(json_get "$p | .db_error")" "db_error of $name"
done
q='.tasks[] | select(.name == "quoted")'
assert_eq success "$(json_get "$q | .result")" "result of quoted"
assert_eq 6 "$(json_get "$q | .rows_affected")" "rows_affected of quoted"
assert_eq "';COMMIT; ;COMMIT; ;END; q1;COMMIT; q2 q3" \
    "$(pg_app_sql "SELECT string_agg(v, ' ' ORDER BY v) FROM t")" "rows in t (only quoted's)"
