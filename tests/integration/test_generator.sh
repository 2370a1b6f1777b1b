#!/bin/bash
# SPDX-License-Identifier: MIT
# periodic-tasks-generator as systemd runs it (three output directories):
# a timer drop-in and wants links per enabled scheduled task, drop-ins from
# tasks.d/ included; nothing for unscheduled or disabled tasks. A broken
# config writes nothing, says why (file:line:col) and still exits 0: a
# generator must never fail the boot. No config file: nothing, silently.
. "$(dirname "$0")/common.sh"
: "${PT_GENERATOR:?PT_GENERATOR must name the built periodic-tasks-generator (ctest sets it)}"
export SYSTEMD_LOG_TARGET=console # messages to stderr, not to this machine's kernel log

generate() {
    rm -rf "$T/out"
    mkdir -p "$T/out/normal" "$T/out/early" "$T/out/late"
    GEN_RC=0
    PERIODIC_TASKS_CONFIG=$CFG timeout "${GEN_TIMEOUT:-60}" "$PT_GENERATOR" "$T/out/normal" "$T/out/early" "$T/out/late" \
        >"$T/gen.stdout" 2>"$T/gen.stderr" || GEN_RC=$?
}

make_config <<TOML
[settings]
timezone = "America/New_York"

[[task]]
name = "report"
schedule = "Mon 08:00"
command = ["/bin/true"]

[[task]]
name = "plain"
command = ["/bin/true"]

[[task]]
name = "off"
enabled = false
schedule = "hourly"
command = ["/bin/true"]
TOML
make_dropin 10-sync.toml <<TOML
[[task]]
name = "sync"
schedule = "minutely"
command = ["/bin/true"]
TOML

generate
assert_eq 0 "$GEN_RC" "exit status"
assert_eq "" "$(cat "$T/gen.stderr")" "stderr"
assert_eq "periodic-tasks-schedules.target.wants/periodic-tasks@report.timer
periodic-tasks-schedules.target.wants/periodic-tasks@sync.timer
periodic-tasks@report.timer.d/schedule.conf
periodic-tasks@sync.timer.d/schedule.conf
timers.target.wants/periodic-tasks@report.timer
timers.target.wants/periodic-tasks@sync.timer" "$(cd "$T/out/normal" && find . -type f -o -type l | sed 's|^\./||' | sort)" "files written"
assert_eq "" "$(find "$T/out/early" "$T/out/late" -mindepth 1)" "nothing in the early and late directories"
assert_match "$(readlink "$T/out/normal/timers.target.wants/periodic-tasks@sync.timer")" '^/.*/systemd/system/periodic-tasks@\.timer$'
assert_file_contains "$T/out/normal/periodic-tasks@report.timer.d/schedule.conf" "OnCalendar=Mon *-*-* 08:00:00 America/New_York"
assert_file_contains "$T/out/normal/periodic-tasks@sync.timer.d/schedule.conf" "SourcePath=$T/tasks.d/10-sync.toml"
assert_file_contains "$T/out/normal/periodic-tasks@sync.timer.d/schedule.conf" "AccuracySec=1s"
if command -v systemd-analyze >/dev/null; then
    # systemd itself accepts every OnCalendar= written.
    while IFS= read -r line; do
        systemd-analyze calendar "${line#OnCalendar=}" >/dev/null ||
            fail "systemd-analyze rejects the generated $line"
    done < <(cat "$T"/out/normal/*.d/schedule.conf | grep '^OnCalendar=')
fi

# A broken drop-in: nothing written, the reason on stderr, exit 0.
make_dropin 20-bad.toml <<TOML
[[task]]
name = "bad"
schedule = "Mon 25:00"
command = ["/bin/true"]
TOML
generate
assert_eq 0 "$GEN_RC" "exit status with a broken config"
assert_eq "" "$(find "$T/out/normal" -mindepth 1)" "files written for a broken config"
assert_eq "periodic-tasks-generator: $T/tasks.d/20-bad.toml:3:17: invalid schedule \"Mon 25:00\" in task \"bad\": hour 25 is out of range 0..23; hours are 0..23; no scheduled task has a timer until the config is fixed (see \`periodic_tasks check\`)" \
    "$(cat "$T/gen.stderr")" "the generator's message"

# Never touching secrets: the password file is a FIFO, which blocks whoever
# opens it, and the conninfo holds a password. The generator writes the
# timer without opening the one, and neither its files nor its message about
# a broken config show the other.
rm -f "$T/tasks.d/20-bad.toml"
mkfifo "$T/password"
make_config <<TOML
[databases.main]
conninfo = "dbname=app password=hunter2-secret"
password_file = "$T/password"

[[task]]
name = "ledger"
schedule = "*-*-* 00:05:00 UTC"
database = "main"
sql = "SELECT 1"
TOML
rm -f "$T/tasks.d/10-sync.toml"
GEN_TIMEOUT=10 generate
assert_eq 0 "$GEN_RC" "exit status with a FIFO as the password file (124: it opened it)"
assert_eq "periodic-tasks@ledger.timer.d/schedule.conf" "$(cd "$T/out/normal" && find . -name '*.conf' | sed 's|^\./||')" "drop-ins for a SQL task"
echo 'bogus = 1' >>"$CFG"
GEN_TIMEOUT=10 generate
assert_eq 0 "$GEN_RC" "exit status with a broken config"
assert_file_contains "$T/gen.stderr" 'unknown key "bogus"'
! grep -rqF hunter2 "$T/out" "$T/gen.stderr" "$T/gen.stdout" || fail "the conninfo's password was written out"

# No config at all: a machine where the package is installed but unused.
rm -rf "$CFG" "$T/tasks.d"
generate
assert_eq 0 "$GEN_RC" "exit status without a config"
assert_eq "" "$(cat "$T/gen.stderr")$(find "$T/out/normal" -mindepth 1)" "output without a config"
echo "PASS: $TEST_NAME"
