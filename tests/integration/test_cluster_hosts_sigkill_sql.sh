#!/bin/bash
# SPDX-License-Identifier: MIT
# Cluster mode with real runners, a SQL task on the cluster database: host A's
# run inserts its row, then sleeps in pg_sleep (20 s) inside the same
# transaction, and A is SIGKILLed (its backend goes on sleeping, as a dead
# client's does). Within the 6 s lease host B skips the slot as claimed by A;
# after it B takes over as attempt 2 and its transaction commits its row with
# the done mark. When A's orphaned backend ends, its row never appears: the
# slot's effects are there exactly once, B's.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/slots.sh"
. "$(dirname "$0")/hosts.sh"
require_hosts
pg_start

slot=$(daily_slot 0)
pg_app_sql "CREATE TABLE ledger (slot timestamptz NOT NULL, backend int NOT NULL)"
pg_app_sql "CREATE TABLE sleep_for (seconds float8 NOT NULL); INSERT INTO sleep_for VALUES (20)"
{
    cluster_config_toml 6s
    cat <<TOML
[[task]]
name = "ledger"
schedule = "$DAILY"
database = "main"
sql = "INSERT INTO ledger (slot, backend) VALUES (\$1::timestamptz, pg_backend_pid()); SELECT pg_sleep(seconds) FROM sleep_for"
params = ["slot"]
TOML
} | make_config
for host in hosta hostb; do
    host_slot_state "$host" ledger "$DAILY" "$(daily_slot 1)"
done

# a_backend: prints the pid of the backend that runs A's pg_sleep (nothing
# when there is none).
a_backend() {
    pg_sql "SELECT pid FROM pg_stat_activity
            WHERE state = 'active' AND query LIKE '%pg_sleep(seconds)%' AND pid <> pg_backend_pid()"
}

host_start hosta --config "$CFG" --json run --scheduled ledger
deadline=$((SECONDS + 30))
until backend=$(a_backend) && [[ -n $backend ]]; do
    host_running hosta || fail "host A ended before its transaction reached its pg_sleep"
    ((SECONDS < deadline)) || fail "A's transaction never reached its pg_sleep"
    sleep 0.05
done
assert_eq "1|running|hosta|" "$(claim_row ledger "$slot")" "the claim while A runs"
lease_until=$(claim_lease_until ledger "$slot")
pg_app_sql "UPDATE sleep_for SET seconds = 0" # B's run does not sleep
host_kill hosta
host_assert_rc hosta 137

# Within the lease: B skips, naming A.
host_run hostb --config "$CFG" --json run --scheduled ledger
checked_at=$(date +%s.%N)
host_assert_rc hostb 0
assert_eq "skipped|claimed|hosta" "$(host_task hostb | cut -d'|' -f1-3)" "B's run within A's lease"
awk -v a="$checked_at" -v b="$lease_until" 'BEGIN { exit !(a < b) }' ||
    fail "B's first run ended at $checked_at, after A's lease ($lease_until): too late to test the lease"
assert_eq 0 "$(pg_app_sql "SELECT count(*) FROM ledger")" "rows within A's lease"

# After the lease: B takes over and commits once.
host_run_until_won 30 hostb --config "$CFG" --json run --scheduled ledger
host_assert_rc hostb 0
assert_eq "success|||2" "$(host_task hostb | cut -d'|' -f1-4)" "B's takeover run (result|skip_reason|owner|claim_attempt)"
assert_eq "2|done|hostb|success" "$(claim_row ledger "$slot")" "the claim after the takeover"

# A's orphaned backend ends when its sleep does (its client is gone): its
# insert is rolled back, never committed.
deadline=$((SECONDS + 40))
while [[ -n $(pg_sql "SELECT pid FROM pg_stat_activity WHERE pid = $backend") ]]; do
    ((SECONDS < deadline)) || fail "A's backend $backend still runs 40 s after A died"
    sleep 0.2
done
assert_eq "1|0" \
    "$(pg_app_sql "SELECT count(*) || '|' || count(*) FILTER (WHERE backend = $backend) FROM ledger WHERE slot = '$slot'")" \
    "ledger rows of the slot (all|A's)"
assert_eq "2|done|hostb|success" "$(claim_row ledger "$slot")" "the claim at the end"
echo "PASS: $TEST_NAME"
