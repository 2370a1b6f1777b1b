#!/bin/bash
# SPDX-License-Identifier: MIT
# The database password (scram over TCP) never shows: not on stdout, stderr,
# in the runner's argv, in the SQL text the server sees (log_statement=all,
# pg_stat_activity), neither on success (password_credential from
# $CREDENTIALS_DIRECTORY) nor on an authentication failure (password_file
# with a wrong password), where the error still names host, port, db, user.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
require_no_journal
pg_start
pg_sql "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
pg_sql "ALTER SYSTEM SET log_connections = on" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
pg_app_sql "CREATE TABLE seen (query text, app text)"

# pg.sh exports the password for its helpers; the runner must not inherit it.
export -n PT_PG_APP_PASSWORD
# Success: the password comes from a systemd credential.
export CREDENTIALS_DIRECTORY="$T/creds"
mkdir -m 0700 "$CREDENTIALS_DIRECTORY"
cp "$PT_PG_APP_PASSWORD_FILE" "$CREDENTIALS_DIRECTORY/db-password"
make_config <<TOML
$(pg_database_toml "$PT_PG_APP_TCP_CONNINFO")
password_credential = "db-password"
connect_timeout = "5s"

[[task]]
name = "who"
sql = ["INSERT INTO seen SELECT query, application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()", "SELECT current_user, inet_server_addr()"]
timeout = "20s"
TOML
run_pt --config "$CFG" --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result over TCP with the right password"
assert_contains "$(json_get '.tasks[0].output_tail | join(" ")')" "app | 127.0.0.1" "user and server address the task saw"
for file in "$T/stdout" "$T/stderr" "$CFG"; do
    assert_file_not_contains "$file" "$PT_PG_APP_PASSWORD"
done
pg_app_sql "SELECT query || ' ' || app FROM seen" >"$T/seen"
assert_file_contains "$T/seen" "INSERT INTO seen"
assert_file_not_contains "$T/seen" "$PT_PG_APP_PASSWORD"
assert_file_contains "$PT_PG_DIR/server.log" "connection authorized: user=app database=app"
assert_file_contains "$PT_PG_DIR/server.log" "INSERT INTO seen"
assert_file_not_contains "$PT_PG_DIR/server.log" "$PT_PG_APP_PASSWORD"

# Failure: a wrong password from password_file.
unset CREDENTIALS_DIRECTORY
wrong="pt-wrong-$RANDOM$RANDOM-pw"
printf '%s\n' "$wrong" >"$T/wrong.password"
chmod 0600 "$T/wrong.password"
make_config <<TOML
$(pg_database_toml "$PT_PG_APP_TCP_CONNINFO")
password_file = "$T/wrong.password"
connect_timeout = "5s"

[[task]]
name = "who"
sql = "SELECT 1"
timeout = "20s"

[[task]]
name = "argv"
command = ["/bin/sh", "-c", "tr '\\\\0' ' ' </proc/\$PPID/cmdline"]
TOML
run_pt --config "$CFG" --json
assert_rc 1
w='.tasks[] | select(.name == "who")'
assert_eq error "$(json_get "$w | .result")" "result with a wrong password"
detail=$(json_get "$w | .detail")
assert_match "$detail" '^cannot connect to ' "detail"
assert_contains "$detail" "127.0.0.1" "detail"
assert_contains "$detail" "$PT_PG_PORT" "detail"
assert_contains "$detail" "password authentication failed" "detail"
assert_contains "$(json_get '.tasks[] | select(.name == "argv") | .output_tail | join(" ")')" "--config" "runner argv"
for secret in "$wrong" "$PT_PG_APP_PASSWORD"; do
    assert_file_not_contains "$T/stdout" "$secret"
    assert_file_not_contains "$T/stderr" "$secret"
    assert_file_not_contains "$PT_PG_DIR/server.log" "$secret"
done
assert_file_contains "$PT_PG_DIR/server.log" 'password authentication failed for user "app"'
