# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by tests/system/test_package.sh: helpers the checks share. They run
# inside one check's subshell (`set -e`), talk to the container with in_ctr
# (container.sh) and read the journal as JSON.

# Each check runs in a subshell with `set -e`; `fail` says why it stopped.
fail()
{
    echo "    $*" >&2
    exit 1
}

# Writes standard input to FILE inside the container (root-owned, 0644).
put_file()
{
    in_ctr sh -c "umask 022 && mkdir -p \"\$(dirname '$1')\" && cat > '$1'"
}

reload_idle()
{
    [[ $(unit_prop periodic-tasks-reload.service ActiveState) != activating ]]
}

# Replaces the config with standard input and checks it. The config watcher
# (periodic-tasks-reload.path) is stopped first: its reload would race with
# what the check does next (a daemon-reload, a restart of the timers, one
# cancelling the other's job); check_10_reload tests the watcher itself.
put_config()
{
    in_ctr systemctl stop periodic-tasks-reload.path
    wait_for 30 "a running config reload to end" reload_idle
    put_file /etc/periodic-tasks/config.toml
    in_ctr periodic_tasks check >/dev/null || fail "the test config is invalid"
}

# journal_json JOURNALCTL-ARGS...: the matching records as a JSON array.
journal_json()
{
    in_ctr journalctl --sync
    in_ctr journalctl --no-pager -o json "$@" | jq -s .
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_for()
{
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS < deadline)) || fail "timed out after ${limit}s waiting for $what"
        sleep 0.5
    done
}

unit_prop()
{
    in_ctr systemctl show -p "$2" --value "$1"
}

# Runs the service in the foreground (like the timer does) and waits for it.
start_service()
{
    in_ctr systemctl start periodic-tasks.service >/dev/null 2>&1 || true
}

# Prints the pids in the unit's cgroup (the systemd hierarchy in hybrid and
# legacy mode, the unified one otherwise); nothing when the cgroup is gone.
cgroup_pids()
{
    local cg root
    cg=$(unit_prop periodic-tasks.service ControlGroup)
    [[ -n $cg ]] || return 0
    if in_ctr test -e /sys/fs/cgroup/cgroup.controllers; then
        root=/sys/fs/cgroup
    else
        root=/sys/fs/cgroup/systemd
    fi
    in_ctr sh -c "cat '$root$cg/cgroup.procs' 2>/dev/null || true"
}

# Fails when a process whose command line matches PATTERN exists.
assert_no_process()
{
    local left
    left=$(in_ctr pgrep -a -f "$1" || true)
    [[ -z $left ]] || fail "processes left behind: $left"
}

# The records of the service's last finished run, as a JSON array.
last_run_records()
{
    local run_id
    run_id=$(journal_json -u periodic-tasks.service MESSAGE_ID=cbeb053f997f24859ec4f7fdcbd4f5e7 |
        jq -r 'last | .RUN_ID')
    journal_json RUN_ID="$run_id"
}

service_not_activating()
{
    [[ $(unit_prop periodic-tasks.service ActiveState) != activating ]]
}

# Removes the drop-ins a failed check may have left, so that the next check
# starts from the packaged units (a 5-second timer must not keep firing).
reset_drop_ins()
{
    # check_10_reload puts /etc/periodic-tasks on a tmpfs; a failure midway
    # leaves it mounted (and the copy of the real directory in /run/pt-etc).
    if in_ctr mountpoint -q /etc/periodic-tasks; then
        in_ctr sh -c 'umount /etc/periodic-tasks && cp -a /run/pt-etc/. /etc/periodic-tasks/ && rm -rf /run/pt-etc'
    fi
    # A scheduled check that failed leaves 5-second timers running.
    in_ctr systemctl stop periodic-tasks-schedules.target 2>/dev/null || true
    in_ctr sh -c 'ls -d /etc/systemd/system/periodic-tasks*' >/dev/null 2>&1 || return 0
    in_ctr sh -c 'rm -rf /etc/systemd/system/periodic-tasks.*.d /etc/systemd/system/periodic-tasks@*.d /etc/systemd/system/periodic-tasks-failure@.service'
    in_ctr systemctl daemon-reload
    in_ctr systemctl try-restart periodic-tasks.timer
    in_ctr systemctl stop periodic-tasks.service
}
