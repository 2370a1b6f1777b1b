# SPDX-License-Identifier: MIT
# Slot state for `run --scheduled` tests (source after common.sh). Time is
# moved by writing slot files with older slots, never by faking the clock:
# a daily schedule at the minute one hour ago, so that today's slot is late
# (a catch-up, not due now) and SLOT_BASE-k*86400 are the earlier days' slots.
export STATE_DIRECTORY="$T/state"
mkdir -p "$STATE_DIRECTORY"
chmod 0755 "$STATE_DIRECTORY"
SLOTS_DIR=$STATE_DIRECTORY/slots

SLOT_BASE=$(($(date +%s) / 60 * 60 - 3600))
DAILY="*-*-* $(date -u -d "@$SLOT_BASE" +%H:%M):00 UTC"

# utc SECONDS: prints the slot text of SECONDS since the epoch.
utc() {
    date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# daily_slot K: prints the daily slot K days before today's.
daily_slot() {
    utc $((SLOT_BASE - $1 * 86400))
}

# write_slot_state TASK SCHEDULE DONE_THROUGH: the state a run left behind.
write_slot_state() {
    mkdir -p "$SLOTS_DIR"
    chmod 0755 "$SLOTS_DIR"
    printf 'schedule=%s\ndone_through=%s\n' "$2" "$3" >"$SLOTS_DIR/$1"
}

# slot_done TASK: prints the task's done_through.
slot_done() {
    [[ -f $SLOTS_DIR/$1 ]] || fail "no slot file $SLOTS_DIR/$1"
    sed -n 's/^done_through=//p' "$SLOTS_DIR/$1"
}

# ran_slots TASK: prints the PERIODIC_TASKS_SLOT of each run of TASK (its
# command prints "slot=..."), space-separated, from the last run's stderr.
ran_slots() {
    sed -n "s/^$1| slot=//p" "$T/stderr" | tr '\n' ' ' | sed 's/ $//'
}

# daily_task_toml CATCH_UP [COMMAND]: prints the TOML of task "daily" on
# $DAILY with catch_up = "CATCH_UP" (no catch_up key, so the default, if
# CATCH_UP is empty) and COMMAND, a TOML array; the default command prints
# "slot=$PERIODIC_TASKS_SLOT", which ran_slots reads.
daily_task_toml() {
    local command=${2:-'["/bin/sh", "-c", "echo slot=$PERIODIC_TASKS_SLOT"]'}
    echo '[[task]]'
    echo 'name = "daily"'
    echo "schedule = \"$DAILY\""
    if [[ -n $1 ]]; then
        echo "catch_up = \"$1\""
    fi
    echo "command = $command"
}

# make_daily_task CATCH_UP [DONE_DAYS_AGO [COMMAND]]: writes $CFG with task
# "daily" alone (daily_task_toml) and, unless DONE_DAYS_AGO is empty, its slot
# state done through the slot DONE_DAYS_AGO days before today's.
make_daily_task() {
    daily_task_toml "$1" "${3:-}" | make_config
    if [[ -n ${2:-} ]]; then
        write_slot_state daily "$DAILY" "$(daily_slot "$2")"
    fi
}
