#!/bin/bash
# SPDX-License-Identifier: MIT
# Passwords of the PostgreSQL edge, over TCP with scram-sha-256: from a file or
# a systemd credential; a wrong, missing or unreadable password fails with a
# clear message; the password never appears in any output.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
require_jq
pg_start

# assert_no_password: neither the right password nor WRONG shows anywhere.
assert_no_password() {
    local file
    for file in "$T/stdout" "$T/stderr"; do
        assert_file_not_contains "$file" "$PT_PG_APP_PASSWORD"
        [[ -z ${WRONG:-} ]] || assert_file_not_contains "$file" "$WRONG"
    done
}

run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO" --password-file "$PT_PG_APP_PASSWORD_FILE" \
    --sql "SELECT current_user"
assert_rc 0
assert_eq app "$(probe_get 0 '.preview[0][0]')" "user over TCP with the password file"
assert_eq "host=127.0.0.1 port=$PT_PG_PORT dbname=app user=app" "$(probe_get 0 .server)" "server"
assert_no_password

mkdir -p "$T/credentials"
cp "$PT_PG_APP_PASSWORD_FILE" "$T/credentials/db-password"
CREDENTIALS_DIRECTORY="$T/credentials" run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO" \
    --password-credential db-password --sql "SELECT current_user"
assert_rc 0
assert_no_password

# A wrong password: from a file, and written into the conninfo itself.
WRONG="wrong-$PT_PG_APP_PASSWORD"
printf '%s\n' "$WRONG" >"$T/wrong.password"
run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO" --password-file "$T/wrong.password" --sql "SELECT 1"
assert_rc 1
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (wrong password)"
assert_eq "cannot connect to host=127.0.0.1 port=$PT_PG_PORT dbname=app user=app: FATAL: password authentication failed for user \"app\"" \
    "$(probe_get 0 .message)" "message (wrong password)"
assert_no_password
run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO password=$WRONG" --sql "SELECT 1"
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (wrong password in conninfo)"
assert_no_password
run_probe --conninfo "postgresql://app:$WRONG@127.0.0.1:$PT_PG_PORT/app?sslmode=disable" --sql "SELECT 1"
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (wrong password in a URI)"
assert_no_password
# A conninfo libpq cannot parse is not echoed, password and all.
run_probe --conninfo "host=127.0.0.1 password=$WRONG port" --sql "SELECT 1"
assert_eq 'cannot connect to database "probe": the conninfo of database "probe" is not a valid libpq connection string or URI' \
    "$(probe_get 0 .message)" "message (unparsable conninfo)"
assert_no_password

# Missing password file, missing credentials directory.
run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO" --password-file "$T/missing.password" --sql "SELECT 1"
assert_eq connection_failed "$(probe_get 0 .outcome)" "outcome (missing file)"
assert_contains "$(probe_get 0 .message)" "cannot read the password file $T/missing.password: No such file or directory" "message (missing file)"
(
    unset CREDENTIALS_DIRECTORY
    run_probe --conninfo "$PT_PG_APP_TCP_CONNINFO" --password-credential db-password --sql "SELECT 1"
    assert_contains "$(probe_get 0 .message)" 'password_credential "db-password" needs $CREDENTIALS_DIRECTORY' "message (no credentials)"
)
# Unreadable for the user running the runner: the postgres user, here.
chmod 0600 "$PT_PG_APP_PASSWORD_FILE"
chown root: "$PT_PG_APP_PASSWORD_FILE"
chmod 0755 "$(dirname "$PT_PG_PROBE")" 2>/dev/null || true
if runuser -u postgres -- test -x "$PT_PG_PROBE"; then
    PT_RC=0
    runuser -u postgres -- "$PT_PG_PROBE" --conninfo "$PT_PG_APP_TCP_CONNINFO" \
        --password-file "$PT_PG_APP_PASSWORD_FILE" --sql "SELECT 1" >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    assert_rc 1
    assert_contains "$(probe_get 0 .message)" "cannot read the password file $PT_PG_APP_PASSWORD_FILE: Permission denied" "message (unreadable file)"
    assert_no_password
fi
