# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2317 # the small nested functions are called through wait_for
# Sourced by tests/system/test_package.sh: the eight checks, each a function
# run in its own subshell with `set -e` against the booted container, in order
# (each builds on the package the first one installed). A check prints detail
# lines indented by four spaces and calls `fail` with the reason it stopped.

check_1_install()
{
    local name
    name=$(basename "$DEB")
    # The .deb reaches the container through a bind mount (see main).
    if ! in_ctr env DEBIAN_FRONTEND=noninteractive apt-get install -y "/srv/debs/$name" >"$T/apt.log" 2>&1; then
        # A dependency the cached rootfs lacks: fetch the indexes and retry.
        in_ctr apt-get update -qq >>"$T/apt.log" 2>&1 || true
        in_ctr env DEBIAN_FRONTEND=noninteractive apt-get install -y "/srv/debs/$name" >>"$T/apt.log" 2>&1 ||
            { tail -n 20 "$T/apt.log" >&2; fail "apt-get install failed"; }
    fi
    [[ $(in_ctr systemctl is-enabled periodic-tasks.timer) == enabled ]] ||
        fail "periodic-tasks.timer is not enabled"
    [[ $(in_ctr systemctl is-active periodic-tasks.timer) == active ]] ||
        fail "periodic-tasks.timer is not active"
    in_ctr systemctl list-timers --no-pager periodic-tasks.timer >"$T/timers"
    grep -q 'periodic-tasks.timer' "$T/timers" || fail "list-timers does not show the timer"
    [[ -n $(unit_prop periodic-tasks.timer NextElapseUSecRealtime) ]] ||
        fail "the timer has no next elapse: $(cat "$T/timers")"
    [[ $(unit_prop periodic-tasks.service ExecMainStartTimestampMonotonic) == 0 ]] ||
        fail "installing started the service"
    # The config watcher is enabled and watching; the generator is in place.
    [[ $(in_ctr systemctl is-enabled periodic-tasks-reload.path) == enabled &&
        $(in_ctr systemctl is-active periodic-tasks-reload.path) == active ]] ||
        fail "periodic-tasks-reload.path is not enabled and active"
    in_ctr test -x /lib/systemd/system-generators/periodic-tasks-generator ||
        fail "no periodic-tasks-generator"
    [[ $(in_ctr getent passwd periodic-tasks) == *:/var/lib/periodic-tasks:* ]] ||
        fail "no system user periodic-tasks with home /var/lib/periodic-tasks"
    # systemd's dpkg trigger on /usr/lib/systemd/catalog ran `journalctl --update-catalog`.
    local entries listed
    entries=$(in_ctr grep -c '^-- [0-9a-f]\{32\}$' /usr/lib/systemd/catalog/periodic-tasks.catalog)
    listed=$(in_ctr journalctl --list-catalog | grep -c ' periodic-tasks: ' || true)
    [[ $entries -gt 0 && $listed == "$entries" ]] ||
        fail "journalctl --list-catalog shows $listed of our $entries catalog entries"
    in_ctr systemd-analyze verify --man=no periodic-tasks.service periodic-tasks.timer 2>"$T/verify"
    [[ ! -s $T/verify ]] || fail "systemd-analyze verify: $(cat "$T/verify")"
    # _completion_loader returns 124 ("retry") when it loaded something.
    in_ctr bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader periodic_tasks; complete -p periodic_tasks' >/dev/null ||
        fail "bash completion for periodic_tasks is not found"
    sed -n '1,2p' "$T/timers" | sed 's/^/    /'
}

check_2_failing_task()
{
    put_config <<'EOF'
[[task]]
name = "fail-task"
command = ["/bin/sh", "-c", "echo about to fail >&2; exit 3"]

[[task]]
name = "ok-task"
command = ["/bin/echo", "hello from ok-task"]
EOF
    # No credential in /etc/credstore: LoadCredential= must not fail the unit.
    in_ctr test ! -e /etc/credstore/periodic-tasks-db-password
    # The example OnFailure= handler, installed as docs/systemd.md says.
    in_ctr cp /usr/share/doc/periodic-tasks/examples/periodic-tasks-failure@.service /etc/systemd/system/
    put_file /etc/systemd/system/periodic-tasks.service.d/on-failure.conf <<'EOF'
[Unit]
OnFailure=periodic-tasks-failure@%n.service
EOF
    in_ctr systemctl daemon-reload
    start_service
    [[ $(unit_prop periodic-tasks.service ActiveState) == failed ]] ||
        fail "unit is $(unit_prop periodic-tasks.service ActiveState), expected failed"
    [[ $(unit_prop periodic-tasks.service ExecMainStatus) == 1 ]] ||
        fail "exit status $(unit_prop periodic-tasks.service ExecMainStatus), expected 1"
    local records
    records=$(journal_json -u periodic-tasks TASK=fail-task)
    jq -e 'any(.[]; .TASK_RESULT == "failed" and .EXIT_STATUS == "3"
                and .MESSAGE_ID == "7b5661d99ec327365b52827f8d6aecf5" and (.RUN_ID | length) == 32
                and .TRIGGER == "timer" and .SYSLOG_IDENTIFIER == "periodic_tasks"
                and .PRIORITY == "3")' <<<"$records" >/dev/null ||
        fail "no failed-task record with our fields for fail-task"
    jq -e 'any(.[]; .STREAM == "stderr" and .MESSAGE == "about to fail")' <<<"$records" >/dev/null ||
        fail "fail-task's stderr line is not in the journal"
    records=$(journal_json -u periodic-tasks TASK=ok-task)
    jq -e 'any(.[]; .TASK_RESULT == "success" and .TASK_KIND == "command"
                and (.DURATION_USEC | tonumber) >= 0)' <<<"$records" >/dev/null ||
        fail "ok-task did not run after fail-task (no success record)"
    in_ctr journalctl --no-pager -x -u periodic-tasks MESSAGE_ID=7b5661d99ec327365b52827f8d6aecf5 >"$T/explained"
    if ! grep -q 'Subject: periodic_tasks task fail-task failed' "$T/explained" ||
        ! grep -q 'success_exit_codes (default: 0)' "$T/explained"; then
        cat "$T/explained" >&2
        fail "journalctl -x does not show the catalog text"
    fi
    # The handler names the failed task of this run (periodic_tasks history
    # --invocation --failed), and only that one.
    local handler=periodic-tasks-failure@periodic-tasks.service.service
    handler_done()
    {
        [[ $(unit_prop "$handler" ActiveState) =~ ^(inactive|failed)$ &&
            $(unit_prop "$handler" ExecMainStartTimestampMonotonic) != 0 ]]
    }
    wait_for 15 "the OnFailure= handler to run" handler_done
    [[ $(unit_prop "$handler" Result) == success ]] ||
        fail "the OnFailure= handler ended $(unit_prop "$handler" Result): $(in_ctr journalctl -u "$handler" --no-pager -o cat)"
    in_ctr journalctl --sync
    in_ctr journalctl --no-pager -o cat -u "$handler" -t periodic-tasks-failure >"$T/handler"
    if ! grep -q '^periodic-tasks.service failed on .* (exit-code, exit status 1); failed task runs:$' "$T/handler" ||
        ! grep -q -E '(^|[[:space:]])fail-task[[:space:]]+failed[[:space:]]' "$T/handler" ||
        grep -q 'ok-task' "$T/handler"; then
        sed 's/^/      /' "$T/handler" >&2
        fail "the OnFailure= handler did not report fail-task alone"
    fi
    in_ctr rm -r /etc/systemd/system/periodic-tasks.service.d /etc/systemd/system/periodic-tasks-failure@.service
    in_ctr systemctl daemon-reload
    echo "    both tasks ran, unit failed with status 1, catalog shown; the OnFailure= handler reported:"
    sed 's/^/      /' "$T/handler"
}

check_3_timer_fires()
{
    put_config <<'EOF'
[[task]]
name = "tick"
command = ["/bin/true"]
EOF
    local before
    before=$(journal_json -u periodic-tasks.service MESSAGE_ID=0004605027dad2bf2ecc5a79b94c54b1 |
        jq -r '.[].RUN_ID')
    put_file /etc/systemd/system/periodic-tasks.timer.d/every-5s.conf <<'EOF'
[Timer]
OnCalendar=
OnCalendar=*:*:0/5
RandomizedDelaySec=0
AccuracySec=1s
EOF
    in_ctr systemctl daemon-reload
    in_ctr systemctl restart periodic-tasks.timer
    # Restarting the timer may catch up a missed elapse at once (Persistent=);
    # the second new run can only come from the 5-second calendar.
    new_timer_runs()
    {
        journal_json -u periodic-tasks.service MESSAGE_ID=0004605027dad2bf2ecc5a79b94c54b1 TRIGGER=timer |
            jq -r '.[] | "\(.RUN_ID) \(.__REALTIME_TIMESTAMP)"' >"$T/runs"
        # shellcheck disable=SC2086 # one RUN_ID per word
        grep -v -F -f <(printf '%s\n' no-such-run $before) "$T/runs" >"$T/new-runs" || true
        (($(wc -l <"$T/new-runs") >= 2))
    }
    wait_for 25 "two runs started by the timer" new_timer_runs
    local first second
    first=$(sed -n 1p "$T/new-runs" | cut -d' ' -f2)
    second=$(sed -n 2p "$T/new-runs" | cut -d' ' -f2)
    echo "    new RUN_IDs $(head -n 2 "$T/new-runs" | cut -d' ' -f1 | tr '\n' ' ')$(((second - first) / 1000))ms apart"
    in_ctr rm -r /etc/systemd/system/periodic-tasks.timer.d
    in_ctr systemctl daemon-reload
    in_ctr systemctl restart periodic-tasks.timer
    wait_for 30 "the timer's run to end" service_not_activating
}

check_4_manual_run()
{
    put_config <<'EOF'
[[task]]
name = "by-hand"
enabled = false
command = ["/bin/sh", "-c", "echo manual run as $(id -un)"]

[[task]]
name = "shared"
command = ["/bin/sh", "-c", "echo shared run as $(id -un); exec sleep 4"]
EOF
    in_ctr periodic_tasks run by-hand --json >"$T/manual.json" ||
        fail "periodic_tasks run by-hand exited $?"
    local run_id records
    run_id=$(jq -r .run_id "$T/manual.json")
    records=$(journal_json RUN_ID="$run_id")
    jq -e 'any(.[]; .TASK == "by-hand" and .TASK_RESULT == "success" and .TRIGGER == "manual"
                and .SYSLOG_IDENTIFIER == "periodic_tasks")' \
        <<<"$records" >/dev/null || fail "no success record for run $run_id in the journal"
    jq -e 'any(.[]; .TASK == "by-hand" and .MESSAGE == "manual run as root")' \
        <<<"$records" >/dev/null || fail "the task's output is not in the journal"

    # A manual run as root and the service share the locks in /run/periodic-tasks:
    # while root's run holds "shared", the service skips it and exits 75, which
    # the unit counts as success; afterwards the service takes the lock itself.
    in_ctr sh -c 'periodic_tasks run shared >/dev/null 2>&1 &'
    shared_running()
    {
        in_ctr pgrep -x -f 'sleep 4' >/dev/null
    }
    wait_for 10 "the manual run of shared" shared_running
    start_service
    [[ $(unit_prop periodic-tasks.service Result) == success &&
        $(unit_prop periodic-tasks.service ExecMainStatus) == 75 ]] ||
        fail "service during a manual run: $(unit_prop periodic-tasks.service Result)," \
            "status $(unit_prop periodic-tasks.service ExecMainStatus), expected success, 75"
    last_run_records | jq -e 'any(.[]; .TASK == "shared" and .SKIP_REASON == "locked"
                                    and (.HOLDER_PID | tonumber) > 0)' >/dev/null ||
        fail "no skipped (locked) record naming the holder"
    shared_done()
    {
        ! shared_running
    }
    wait_for 15 "the manual run to end" shared_done
    start_service
    [[ $(unit_prop periodic-tasks.service ExecMainStatus) == 0 ]] ||
        fail "the service could not run shared after root's run: status $(unit_prop periodic-tasks.service ExecMainStatus)"
    echo "    locks shared with root's run: service exit 75 (success) while held, 0 after"
}

check_5_hang_and_stop()
{
    # 5a: a task that ignores SIGTERM and leaves a setsid'd child hangs past
    # its timeout; while the next task runs, only the runner and that task
    # may be in the unit's cgroup.
    put_config <<'EOF'
[[task]]
name = "hang"
command = ["/bin/sh", "-c", "trap '' TERM; /usr/bin/setsid /bin/sleep 1001 & exec /bin/sleep 1002"]
timeout = "2s"
kill_timeout = "2s"

[[task]]
name = "after-hang"
command = ["/bin/sleep", "8"]
EOF
    in_ctr systemctl start --no-block periodic-tasks.service
    after_hang_started()
    {
        journal_json -u periodic-tasks TASK=after-hang MESSAGE_ID=7b2a2268eac6127811bb2d9d43ebd066 |
            jq -e 'length > 0' >/dev/null
    }
    wait_for 30 "the task after the hanging one" after_hang_started
    local pids main
    pids=$(cgroup_pids)
    main=$(unit_prop periodic-tasks.service MainPID)
    for pid in $pids; do
        [[ $pid == "$main" ]] && continue
        [[ $(in_ctr ps -o args= -p "$pid") == '/bin/sleep 8' ]] ||
            fail "unexpected process in the cgroup: $(in_ctr ps -o pid=,args= -p "$pid")"
    done
    assert_no_process 'sleep 100[12]'
    # The status line (sd_notify STATUS=, NotifyAccess=main) while it runs:
    # `systemctl status` shows it, and the elapsed time moves on.
    status_running()
    {
        [[ $(unit_prop periodic-tasks.service StatusText) == "Running 2/2: after-hang ("*")" ]]
    }
    wait_for 5 "StatusText 'Running 2/2: after-hang (...)'" status_running
    local first_status
    first_status=$(unit_prop periodic-tasks.service StatusText)
    in_ctr systemctl status --no-pager periodic-tasks.service >"$T/status" || true
    grep -q -F "Status: \"Running 2/2: after-hang (" "$T/status" ||
        { cat "$T/status" >&2; fail "systemctl status does not show the running task"; }
    status_moved()
    {
        status_running && [[ $(unit_prop periodic-tasks.service StatusText) != "$first_status" ]]
    }
    wait_for 5 "the status line's time to move on from '$first_status'" status_moved
    wait_for 30 "the run to end" service_not_activating
    journal_json -u periodic-tasks TASK=hang | jq -e 'any(.[]; .TASK_RESULT == "timeout")' >/dev/null ||
        fail "no timeout record for task hang"
    [[ -z $(cgroup_pids) ]] || fail "processes in the unit's cgroup after the run: $(cgroup_pids)"
    local status
    status=$(unit_prop periodic-tasks.service StatusText)
    [[ $status == "Finished: 1 succeeded, 1 timed out" ]] || fail "StatusText after the run: '$status'"
    echo "    hang: timed out and killed; cgroup held only the runner and the next task"
    echo "    status line: '$first_status', then '$status'"

    # 5b: `systemctl stop` in the middle of a task.
    put_config <<'EOF'
[[task]]
name = "long"
command = ["/bin/sh", "-c", "/usr/bin/setsid /bin/sleep 1003 & exec /bin/sleep 1004"]
timeout = "5min"

[[task]]
name = "never"
command = ["/bin/true"]
EOF
    in_ctr systemctl start --no-block periodic-tasks.service
    long_running()
    {
        in_ctr pgrep -f 'sleep 1004' >/dev/null
    }
    wait_for 30 "task long to start" long_running
    status_long()
    {
        [[ $(unit_prop periodic-tasks.service StatusText) == "Running 1/2: long ("*")" ]]
    }
    wait_for 5 "StatusText 'Running 1/2: long (...)'" status_long
    local stop_started=$SECONDS
    in_ctr systemctl stop periodic-tasks.service 2>/dev/null
    local took=$((SECONDS - stop_started))
    ((took < 20)) || fail "systemctl stop took ${took}s"
    assert_no_process 'sleep 100[34]'
    [[ -z $(cgroup_pids) ]] || fail "processes in the unit's cgroup after stop: $(cgroup_pids)"
    local state result
    state=$(unit_prop periodic-tasks.service ActiveState)
    result=$(unit_prop periodic-tasks.service Result)
    [[ $state == inactive && $result == success ]] ||
        fail "after stop the unit is $state ($result), expected inactive (success)"
    journal_json -u periodic-tasks MESSAGE_ID=ba06c083762110f0a9da119a84571d72 |
        jq -e 'any(.[]; .SIGNAL == "SIGTERM" and .NOT_RUN == "never" and .EXIT_STATUS == "143")' >/dev/null ||
        fail "no run-interrupted record naming the task that never ran"
    status=$(unit_prop periodic-tasks.service StatusText)
    [[ $status == "Interrupted by SIGTERM: 1 killed, 1 not run" ]] || fail "StatusText after stop: '$status'"
    echo "    stop: ${took}s, unit $state, no task process left"

    # 5c: a run that exceeds TimeoutStartSec= is stopped the same way but
    # counts as a failure (Result=timeout), unlike a deliberate stop.
    put_file /etc/systemd/system/periodic-tasks.service.d/short.conf <<'EOF'
[Service]
TimeoutStartSec=3s
EOF
    in_ctr systemctl daemon-reload
    start_service
    result=$(unit_prop periodic-tasks.service Result)
    in_ctr rm -r /etc/systemd/system/periodic-tasks.service.d
    in_ctr systemctl daemon-reload
    [[ $result == timeout ]] || fail "a run past TimeoutStartSec= ended with Result=$result, expected timeout"
    assert_no_process 'sleep 100[34]'
    echo "    TimeoutStartSec=: Result=timeout, no task process left"
}

check_6_sandbox()
{
    # A database and role for the service user: peer authentication over the
    # socket, a password (from a systemd credential) over TCP.
    in_ctr runuser -u postgres -- psql -q -X \
        -c "CREATE ROLE \"periodic-tasks\" LOGIN PASSWORD 'sandbox-pw'" \
        -c "CREATE DATABASE ptdb OWNER \"periodic-tasks\"" >/dev/null
    in_ctr sh -c 'umask 077 && mkdir -p /etc/credstore && printf sandbox-pw > /etc/credstore/periodic-tasks-db-password'
    in_ctr systemd-run --quiet --unit=pt-http -p DynamicUser=yes \
        /usr/bin/python3 -m http.server 8765 --bind 127.0.0.1 --directory /usr/share/doc
    in_ctr mkdir -p /var/backups/pt
    in_ctr chown periodic-tasks: /var/backups/pt
    put_file /etc/systemd/system/periodic-tasks.service.d/backup-dir.conf <<'EOF'
[Service]
ReadWritePaths=/var/backups/pt
EOF
    in_ctr systemctl daemon-reload
    put_config <<'EOF'
[databases.socket]
conninfo = "host=/run/postgresql dbname=ptdb"

[databases.tcp]
conninfo = "host=127.0.0.1 dbname=ptdb user=periodic-tasks"
password_credential = "periodic-tasks-db-password"

[[task]]
name = "write-etc"
command = ["/bin/sh", "-c", "echo x > /etc/sandbox-escape"]

[[task]]
name = "write-state"
command = ["/bin/sh", "-c", "echo ok > /var/lib/periodic-tasks/state-file"]

[[task]]
name = "write-backup-dir"
command = ["/bin/sh", "-c", "echo ok > /var/backups/pt/backup-file"]

[[task]]
name = "psql-socket"
command = ["/usr/bin/psql", "-X", "-h", "/run/postgresql", "-d", "ptdb", "-c", "CREATE TABLE t AS SELECT 1 AS x"]

[[task]]
name = "psql-tcp"
command = ["/bin/sh", "-c", "PGPASSWORD=$(cat /run/credentials/periodic-tasks.service/periodic-tasks-db-password) exec psql -X -h 127.0.0.1 -d ptdb -c 'SELECT count(*) FROM t'"]

[[task]]
name = "pg-dump"
command = ["/usr/bin/pg_dump", "-h", "/run/postgresql", "-f", "/var/lib/periodic-tasks/ptdb.sql", "ptdb"]

[[task]]
name = "tar"
command = ["/usr/bin/tar", "-czf", "/var/lib/periodic-tasks/etc.tgz", "-C", "/etc", "periodic-tasks"]

[[task]]
name = "rsync"
command = ["/usr/bin/rsync", "-a", "/etc/periodic-tasks/", "/var/lib/periodic-tasks/rsync-copy/"]

[[task]]
name = "curl"
command = ["/usr/bin/curl", "-fsS", "-o", "/var/lib/periodic-tasks/index.html", "http://127.0.0.1:8765/"]

[[task]]
name = "python"
command = ["/usr/bin/python3", "-c", "import json, pathlib, subprocess; pathlib.Path('/var/lib/periodic-tasks/py.json').write_text(json.dumps(subprocess.run(['/bin/true']).returncode))"]

[[task]]
name = "sql-socket"
database = "socket"
sql = ["INSERT INTO t SELECT 2", "SELECT count(*) FROM t"]

[[task]]
name = "sql-tcp-credential"
database = "tcp"
sql = "SELECT $1::date"
params = ["as_of"]

[[task]]
name = "tar-keeps-owners"
command = ["/bin/sh", "-c", "tar -cf - --no-recursion /etc/postgresql 2>/dev/null | tar -tvf - | grep ' postgres/postgres '"]

[[task]]
name = "ps-free-uptime"
command = ["/bin/sh", "-c", "ps -e >/dev/null && free >/dev/null && uptime"]
EOF
    start_service
    local records
    records=$(last_run_records)
    result_of()
    {
        jq -r --arg t "$1" '[.[] | select(.TASK == $t and .TASK_RESULT)] | last | .TASK_RESULT // "missing"' <<<"$records"
    }
    [[ $(result_of write-etc) == failed ]] || fail "writing under /etc: $(result_of write-etc), expected failed"
    in_ctr test ! -e /etc/sandbox-escape || fail "a task wrote /etc/sandbox-escape"
    local task bad=
    for task in write-state write-backup-dir psql-socket psql-tcp pg-dump tar rsync curl python \
        sql-socket sql-tcp-credential tar-keeps-owners ps-free-uptime; do
        if [[ $(result_of "$task") != success ]]; then
            bad+=" $task=$(result_of "$task")"
            jq -r --arg t "$task" '.[] | select(.TASK == $t) | "      " + .MESSAGE' <<<"$records" | tail -n 3 >&2
        fi
    done
    [[ -z $bad ]] || fail "tasks that should work in the sandbox did not:$bad"
    [[ $(in_ctr stat -c %U /var/lib/periodic-tasks/state-file) == periodic-tasks ]] ||
        fail "the state file is not owned by periodic-tasks"
    in_ctr systemctl stop pt-http
    in_ctr rm -r /etc/systemd/system/periodic-tasks.service.d

    # The "another user" recipe of docs/systemd.md: tasks run as postgres.
    put_file /etc/systemd/system/periodic-tasks.service.d/user.conf <<'EOF'
[Service]
User=postgres
Group=postgres
EOF
    in_ctr systemctl daemon-reload
    put_config <<'EOF'
[[task]]
name = "whoami"
command = ["/bin/sh", "-c", "echo ran as $(id -un) > /var/lib/periodic-tasks/whoami"]
EOF
    start_service
    [[ $(in_ctr cat /var/lib/periodic-tasks/whoami 2>/dev/null) == "ran as postgres" ]] ||
        fail "with User=postgres: $(unit_prop periodic-tasks.service Result), $(in_ctr cat /var/lib/periodic-tasks/whoami 2>&1)"
    in_ctr rm -r /etc/systemd/system/periodic-tasks.service.d
    in_ctr systemctl daemon-reload
    echo "    /etc read-only; state dir, ReadWritePaths=, psql socket+TCP, SQL tasks (peer, credential), pg_dump, tar (owners kept), rsync, curl, python3, ps work; User=postgres drop-in works"
}

check_7_status_history()
{
    # chatty floods 30000 lines: past journald's default per-unit rate limit
    # (10000 per 30 s), which the unit lifts so the end records survive.
    put_config <<'EOF'
[[task]]
name = "chatty"
command = ["/usr/bin/seq", "1", "30000"]

[[task]]
name = "good"
command = ["/bin/true"]

[[task]]
name = "bad"
command = ["/bin/sh", "-c", "exit 5"]

[[task]]
name = "never"
enabled = false
command = ["/bin/true"]

[[task]]
name = "slow"
enabled = false
command = ["/bin/sleep", "60"]
EOF
    start_service
    start_service
    local invocation rc=0
    invocation=$(unit_prop periodic-tasks.service InvocationID)
    in_ctr journalctl --sync

    # 1. Did last night's tasks run, and did they work?
    in_ctr periodic_tasks status --json >"$T/status.json" || rc=$?
    ((rc == 1)) || fail "status exited $rc, expected 1 (bad's last run failed)"
    st()
    {
        jq -r ".tasks[] | select(.task == \"$1\") | $2" "$T/status.json"
    }
    [[ $(st chatty .last_run.result) == success ]] ||
        fail "chatty: $(st chatty .last_run.result), expected success (end record lost to the rate limit?)"
    [[ $(st good '.last_run | "\(.result) \(.trigger) \(.invocation_id)"') == "success timer $invocation" ]] ||
        fail "good: $(st good .last_run)"
    [[ $(st bad '"\(.last_run.result) \(.last_run.exit_status) \(.consecutive_failures) \(.last_success)"') == "failed 5 2 null" ]] ||
        fail "bad: $(st bad .)"
    [[ $(st never .last_run) == null ]] || fail "never: $(st never .last_run)"
    in_ctr periodic_tasks status | sed 's/^/    /' || true

    # 2. The failed tasks of one start of the service, as the OnFailure= handler asks.
    in_ctr periodic_tasks history --invocation "$invocation" --json >"$T/history.json"
    [[ $(jq -r '[.runs[].task] | reverse | join(" ")' "$T/history.json") == "chatty good bad" ]] ||
        fail "history --invocation: $(jq -c '[.runs[].task]' "$T/history.json")"
    [[ $(in_ctr periodic_tasks history --invocation "$invocation" --failed --json |
        jq -r '[.runs[].task] | join(" ")') == bad ]] || fail "history --failed did not name bad alone"

    # 3. What is running now? A manual run of slow, seen by status and history.
    in_ctr sh -c 'periodic_tasks run slow >/dev/null 2>&1 &'
    slow_running()
    {
        in_ctr journalctl --sync
        [[ $(in_ctr periodic_tasks status slow --json | jq -r '.tasks[0].running') == true ]]
    }
    wait_for 10 "status to show slow running" slow_running
    local runner
    runner=$(in_ctr pgrep -x periodic_tasks)
    [[ $(in_ctr periodic_tasks status slow --json | jq -r '.tasks[0].running_pid') == "$runner" ]] ||
        fail "status names another pid than the runner's ($runner)"
    [[ $(in_ctr periodic_tasks history slow -n 1 --json | jq -r '.runs[0] | "\(.result) \(.pid)"') == "running $runner" ]] ||
        fail "history does not show slow running"
    in_ctr periodic_tasks status slow | sed 's/^/    /'
    in_ctr kill -TERM "$runner"
    slow_done()
    {
        ! in_ctr pgrep -x periodic_tasks >/dev/null
    }
    wait_for 10 "the manual run to stop" slow_done
    in_ctr journalctl --sync
    [[ $(in_ctr periodic_tasks history slow -n 1 --json | jq -r '.runs[0].result') == killed ]] ||
        fail "slow after SIGTERM is not killed"

    # Who may ask: root and members of systemd-journal; others get 77 and the fix.
    rc=0
    in_ctr setpriv --reuid=nobody --regid=nogroup --clear-groups periodic_tasks history \
        >/dev/null 2>"$T/denied.err" || rc=$?
    ((rc == 77)) || fail "history as nobody exited $rc, expected 77"
    grep -q 'usermod -aG systemd-journal nobody' "$T/denied.err" || fail "no hint: $(cat "$T/denied.err")"
    in_ctr setpriv --reuid=periodic-tasks --regid=periodic-tasks --groups=systemd-journal \
        periodic_tasks history bad -n 1 >/dev/null || fail "a systemd-journal member cannot read the history"
    echo "    status, history --invocation/--failed, running now, 77 for nobody, 30000 lines kept no record out"
}

# Puts the config (stdin) in place and applies it as the reload service does:
# the generator runs (daemon-reload), then every task timer is restarted.
apply_config()
{
    put_config
    in_ctr systemctl daemon-reload
    in_ctr systemctl stop periodic-tasks-schedules.target
    in_ctr systemctl start periodic-tasks-schedules.target
}

# Back to a config without scheduled tasks: no 5-second timer keeps firing
# into the next check.
unschedule_all()
{
    apply_config <<'EOF'
[[task]]
name = "idle"
enabled = false
command = ["/bin/true"]
EOF
}

# The records that end a run of TASK (those with a TASK_RESULT), as a JSON
# array; more journalctl matches may follow TASK.
task_results()
{
    journal_json TASK="$1" "${@:2}" | jq 'map(select(.TASK_RESULT != null))'
}

# Whether systemd lists a timer for task $1.
has_timer()
{
    in_ctr systemctl list-timers --all --no-legend --plain "periodic-tasks@$1.timer" |
        grep -q "periodic-tasks@$1.timer"
}

check_9_schedules()
{
    in_ctr install -d -o periodic-tasks -g periodic-tasks /srv/only-every5
    put_file /etc/systemd/system/periodic-tasks@every5.service.d/write.conf <<'EOF'
[Service]
ReadWritePaths=/srv/only-every5
EOF
    # OnFailure= for one task: the example handler, as docs/systemd.md says.
    in_ctr cp /usr/share/doc/periodic-tasks/examples/periodic-tasks-failure@.service /etc/systemd/system/
    put_file /etc/systemd/system/periodic-tasks@intruder.service.d/on-failure.conf <<'EOF'
[Unit]
OnFailure=periodic-tasks-failure@%n.service
EOF
    apply_config <<'EOF'
[settings]
timezone = "Europe/Berlin"

[[task]]
name = "every5"
schedule = "*:*:0/5"
command = ["/bin/sh", "-c", "echo slot=$PERIODIC_TASKS_SLOT as_of=$PERIODIC_TASKS_AS_OF && touch /srv/only-every5/every5"]

[[task]]
name = "weekly"
schedule = "Mon *-*-* 08:00"
command = ["/bin/true"]

[[task]]
name = "intruder"
schedule = "*:*:2/5"
command = ["/bin/touch", "/srv/only-every5/intruder"]
EOF
    # Each scheduled task has its own timer; the unscheduled ones keep theirs.
    local timers
    timers=$(in_ctr systemctl list-timers --all --no-legend --plain 'periodic-tasks*' |
        grep -o 'periodic-tasks[@a-z0-9]*\.timer' | sort | tr '\n' ' ')
    echo "    timers: $timers"
    for timer in periodic-tasks.timer periodic-tasks@every5.timer periodic-tasks@weekly.timer \
        periodic-tasks@intruder.timer; do
        [[ " $timers" == *" $timer "* ]] || fail "list-timers lacks $timer"
    done
    [[ $(unit_prop periodic-tasks@weekly.timer TimersCalendar) == *"Mon *-*-* 08:00:00 Europe/Berlin"* ]] ||
        fail "weekly's OnCalendar= is $(unit_prop periodic-tasks@weekly.timer TimersCalendar)"

    two_runs() { (($(task_results every5 | jq length) >= 2)); }
    wait_for 30 "two runs of every5 from its timer" two_runs
    local runs slot output
    runs=$(task_results every5)
    # Each run is a slot: a 5-second elapse in UTC, which the task saw too,
    # with its date in the schedule's zone.
    for slot in $(jq -r '.[].SLOT' <<<"$runs"); do
        [[ $slot =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][05]Z$ ]] ||
            fail "SLOT=$slot is not a 5-second elapse in UTC"
        output=$(journal_json TASK=every5 SLOT="$slot" | jq -r '.[].MESSAGE | strings' | grep '^slot=' || true)
        [[ $output == "slot=$slot as_of=$(TZ=Europe/Berlin date -d "$slot" +%F)" ]] ||
            fail "the task saw '$output' for SLOT=$slot"
    done
    [[ $(jq -r '[.[].TASK_RESULT] | unique | join(",")' <<<"$runs") == success ]] ||
        fail "every5 did not succeed: $(jq -c '[.[].TASK_RESULT]' <<<"$runs")"
    [[ $(jq -r '[.[].TRIGGER] | unique | join(",")' <<<"$runs") =~ ^(catch-up,)?timer$ ]] ||
        fail "TRIGGER of every5: $(jq -c '[.[].TRIGGER]' <<<"$runs")"
    (($(journal_json -u periodic-tasks@every5.service TASK=every5 | jq length) > 0)) ||
        fail "journalctl -u periodic-tasks@every5 shows nothing"
    echo "    every5 ran slots $(jq -r '[.[].SLOT] | join(" ")' <<<"$runs")"

    # The drop-in is that task's alone: another task may not write there.
    intruder_ran() { (($(task_results intruder | jq length) >= 1)); }
    wait_for 20 "a run of intruder" intruder_ran
    [[ $(task_results intruder | jq -r '.[0].TASK_RESULT') == failed ]] ||
        fail "intruder could write to /srv/only-every5: $(task_results intruder | jq -c '.[0]')"
    in_ctr test -e /srv/only-every5/every5 || fail "every5 could not write to its ReadWritePaths="
    in_ctr test ! -e /srv/only-every5/intruder || fail "intruder's file exists"

    # The failed task's own OnFailure= handler reported it.
    local handler=periodic-tasks-failure@periodic-tasks@intruder.service.service
    handler_done()
    {
        [[ $(unit_prop "$handler" ActiveState) =~ ^(inactive|failed)$ &&
            $(unit_prop "$handler" ExecMainStartTimestampMonotonic) != 0 ]]
    }
    wait_for 20 "intruder's OnFailure= handler to run" handler_done
    in_ctr journalctl --no-pager -o cat -u "$handler" -t periodic-tasks-failure >"$T/handler"
    if ! grep -q '^periodic-tasks@intruder.service failed on .* (exit-code, exit status 1); failed task runs:$' "$T/handler" ||
        ! grep -q -E '(^|[[:space:]])intruder[[:space:]]+failed[[:space:]]' "$T/handler"; then
        sed 's/^/      /' "$T/handler" >&2
        fail "intruder's OnFailure= handler did not report it"
    fi
    [[ $(unit_prop periodic-tasks-failure@periodic-tasks@every5.service.service ExecMainStartTimestampMonotonic) == 0 ]] ||
        fail "every5, with no OnFailure=, started a handler"
    in_ctr rm -r /etc/systemd/system/periodic-tasks@intruder.service.d /etc/systemd/system/periodic-tasks-failure@.service

    (($(journal_json TASK=weekly | jq length) == 0)) || fail "the weekly task ran"
    in_ctr rm -r /etc/systemd/system/periodic-tasks@every5.service.d
    unschedule_all
}

check_10_reload()
{
    # The container's /etc is an overlay, where inotify misses a file renamed
    # over another (sed -i, most editors); a real file system does not.
    in_ctr sh -c 'cp -a /etc/periodic-tasks /run/pt-etc && mount -t tmpfs -o mode=0755 tmpfs /etc/periodic-tasks && cp -a /run/pt-etc/. /etc/periodic-tasks/'
    in_ctr systemctl restart periodic-tasks-reload.path
    [[ $(unit_prop periodic-tasks-reload.path ActiveState) == active ]] || fail "the config watcher is not active"
    # An edit takes effect with no daemon-reload typed by anyone.
    put_file /etc/periodic-tasks/config.toml <<'EOF'
[[task]]
name = "keep"
schedule = "hourly"
command = ["/bin/true"]

[[task]]
name = "drop"
schedule = "daily"
command = ["/bin/true"]
EOF
    both() { has_timer keep && has_timer drop; }
    wait_for 20 "timers of keep and drop" both
    # A bad edit, by sed -i (a new file renamed over the old): logged at
    # priority err with file, line and column; the armed timers stay; check
    # explains it and exits 78.
    in_ctr sed -i 's/"daily"/"Mon 25:00"/' /etc/periodic-tasks/config.toml
    bad_logged()
    {
        journal_json -u periodic-tasks-reload.service -p err |
            jq -e 'map(select(.MESSAGE | tostring | contains("config.toml:8:17: invalid schedule"))) | length > 0' >/dev/null
    }
    wait_for 20 "the bad edit logged at priority err" bad_logged
    both || fail "a bad edit changed the armed timers"
    local rc=0
    in_ctr periodic_tasks check >/dev/null 2>"$T/check.err" || rc=$?
    [[ $rc == 78 ]] || fail "check exits $rc after the bad edit"
    grep -q 'config.toml:8:17: invalid schedule "Mon 25:00"' "$T/check.err" || fail "check says: $(cat "$T/check.err")"
    # Fixing the file re-arms: "drop", removed, loses its timer; "new" gets one.
    put_file /etc/periodic-tasks/config.toml <<'EOF'
[[task]]
name = "keep"
schedule = "hourly"
command = ["/bin/true"]

[[task]]
name = "new"
schedule = "Mon 08:00"
command = ["/bin/true"]
EOF
    wait_for 20 "the timer of the new task" has_timer new
    dropped() { ! has_timer drop; }
    wait_for 20 "the removed task's timer to go" dropped
    has_timer keep || fail "keep lost its timer"
    echo "    an edit, a bad edit (logged at err) and its fix, each applied by itself"
    in_ctr systemctl stop periodic-tasks-reload.path
    in_ctr sh -c 'cp -a /etc/periodic-tasks/. /run/pt-etc/ && umount /etc/periodic-tasks && cp -a /run/pt-etc/. /etc/periodic-tasks/ && rm -rf /run/pt-etc'
    in_ctr systemctl start periodic-tasks-reload.path
    unschedule_all
}

check_11_catch_up()
{
    apply_config <<'EOF'
[[task]]
name = "all5"
schedule = "*:*:0/5"
catch_up = "all"
command = ["/bin/true"]

[[task]]
name = "latest5"
schedule = "*:*:0/5"
command = ["/bin/true"]
EOF
    first_runs()
    {
        local task
        for task in all5 latest5; do
            (($(task_results "$task" | jq length) >= 1)) || return 1
        done
    }
    wait_for 30 "a run of each task" first_runs
    # Downtime: the timers stop, as when the machine is off, for over four
    # slots; Persistent=true fires each at once when it starts again, and the
    # runner decides from its slot state which missed slots run. ("none" needs
    # a newest missed slot older than the due-now tolerance of a minute and
    # more, which a 5-second schedule never has: the integration tests cover
    # it with an older slot state.)
    in_ctr systemctl stop periodic-tasks-schedules.target
    local stopped restarted
    stopped=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    sleep 22
    restarted=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    in_ctr systemctl start periodic-tasks-schedules.target
    # The runs of task $1 for slots missed while down: SLOT in (stopped, restarted).
    missed_runs()
    {
        task_results "$1" | jq --arg from "$stopped" --arg to "$restarted" \
            'map(select(.SLOT > $from and .SLOT < $to))'
    }
    all_done() { (($(missed_runs all5 | jq length) >= 4)); }
    wait_for 20 "all5 to run at least 4 missed slots" all_done
    sleep 3
    local all latest
    all=$(missed_runs all5)
    latest=$(missed_runs latest5)
    (($(jq length <<<"$latest") == 1)) ||
        fail "latest5 ran $(jq length <<<"$latest") missed slots, not 1: $(jq -c '[.[].SLOT]' <<<"$latest")"
    [[ $(jq -r '.[0].SLOT' <<<"$latest") == "$(jq -r 'map(.SLOT) | max' <<<"$all")" ]] ||
        fail "latest5 ran slot $(jq -r '.[0].SLOT' <<<"$latest"), not the newest missed one"
    # Oldest first, each once; all but the newest are catch-up runs.
    [[ $(jq -c 'map(.SLOT)' <<<"$all") == "$(jq -c 'map(.SLOT) | sort | unique' <<<"$all")" ]] ||
        fail "all5's missed slots ran out of order or twice: $(jq -c 'map(.SLOT)' <<<"$all")"
    (($(jq '[.[] | select(.TRIGGER == "catch-up")] | length' <<<"$all") == $(jq length <<<"$all") - 1)) ||
        fail "TRIGGER of all5's missed slots: $(jq -c 'map(.TRIGGER)' <<<"$all")"
    echo "    after 22 s down: all5 ran $(jq length <<<"$all") missed slots in order ($(jq -r 'map(.TRIGGER) | join(",")' <<<"$all")), latest5 only the newest"
    unschedule_all
}

check_12_machine_off()
{
    # A daily slot that passes while the machine is off, over the due-now
    # tolerance (accuracy 1s + 1 min) before it is back; and a 5-second task.
    local slot_epoch slot_time slot
    slot_epoch=$(($(date +%s) + 25))
    slot_time=$(date -u -d "@$slot_epoch" +%H:%M:%S)
    slot=$(date -u -d "@$slot_epoch" +%Y-%m-%dT%H:%M:%SZ)
    apply_config <<EOF
[[task]]
name = "all5"
schedule = "*:*:0/5"
catch_up = "all"
command = ["/bin/true"]

[[task]]
name = "daily-latest"
schedule = "*-*-* $slot_time UTC"
accuracy = "1s"
command = ["/bin/true"]

[[task]]
name = "daily-none"
schedule = "*-*-* $slot_time UTC"
accuracy = "1s"
catch_up = "none"
command = ["/bin/true"]
EOF
    # Their first firing (nothing due) records where they start from, as
    # the first timer firing after an installation does.
    in_ctr systemctl start periodic-tasks@daily-latest.service periodic-tasks@daily-none.service
    ran_all5() { (($(task_results all5 | jq length) >= 1)); }
    wait_for 30 "a run of all5" ran_all5
    echo "    off from $(date -u +%H:%M:%S) for 90 s; the daily slot is $slot"
    container_reboot_after 90 >/dev/null || fail "the container did not boot again"
    # Persistent=true fires each timer at boot; the runner decides.
    booted_runs() { (($(task_results all5 -b | jq length) >= 15)); }
    wait_for 60 "all5 to run the slots missed while off" booted_runs
    unit_ran() { [[ -n $(unit_prop "periodic-tasks@$1.service" ExecMainExitTimestamp) ]]; }
    wait_for 30 "daily-latest's service after boot" unit_ran daily-latest
    wait_for 30 "daily-none's service after boot" unit_ran daily-none
    local all latest none
    all=$(task_results all5 -b)
    latest=$(task_results daily-latest -b)
    none=$(task_results daily-none -b)
    [[ $(jq -c 'map(.SLOT)' <<<"$all") == "$(jq -c 'map(.SLOT) | sort | unique' <<<"$all")" ]] ||
        fail "all5's missed slots ran out of order or twice: $(jq -c 'map(.SLOT)' <<<"$all")"
    [[ $(jq -r '.[0].TRIGGER' <<<"$all") == catch-up ]] || fail "all5's first run after boot: $(jq -c '.[0]' <<<"$all")"
    [[ $(jq -c 'map({SLOT, TRIGGER})' <<<"$latest") == "[{\"SLOT\":\"$slot\",\"TRIGGER\":\"catch-up\"}]" ]] ||
        fail "daily-latest after boot: $(jq -c 'map({SLOT, TRIGGER})' <<<"$latest"), not the slot $slot caught up"
    (($(jq length <<<"$none") == 0)) || fail "daily-none ran after boot: $(jq -c 'map({SLOT, TRIGGER})' <<<"$none")"
    echo "    after boot: all5 caught up $(jq length <<<"$all") slots in order, daily-latest its missed slot, daily-none nothing"
    unschedule_all
}

check_8_purge()
{
    in_ctr env DEBIAN_FRONTEND=noninteractive apt-get purge -y periodic-tasks >"$T/purge.log" 2>&1 ||
        { tail -n 20 "$T/purge.log" >&2; fail "apt-get purge failed"; }
    local status
    # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
    status=$(in_ctr dpkg-query -W -f '${db:Status-Status}' periodic-tasks 2>/dev/null || echo not-installed)
    [[ $status == not-installed ]] || fail "dpkg still knows the package: $status"
    local path left=
    for path in /etc/periodic-tasks /var/lib/periodic-tasks /run/periodic-tasks \
        /usr/bin/periodic_tasks /lib/systemd/system/periodic-tasks.service \
        /lib/systemd/system/periodic-tasks.timer /etc/systemd/system/timers.target.wants/periodic-tasks.timer \
        /var/lib/systemd/timers/stamp-periodic-tasks.timer /usr/lib/systemd/catalog/periodic-tasks.catalog \
        /lib/systemd/system-generators/periodic-tasks-generator /lib/systemd/system/periodic-tasks@.timer \
        /run/periodic-tasks-reload \
        /usr/lib/sysusers.d/periodic-tasks.conf /usr/lib/periodic-tasks \
        /usr/share/doc/periodic-tasks /usr/share/bash-completion/completions/periodic_tasks; do
        if in_ctr test -e "$path" -o -L "$path"; then
            left+=" $path"
        fi
    done
    [[ -z $left ]] || fail "left behind after purge:$left"
    left=$(in_ctr find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled -name '*periodic-tasks*' 2>/dev/null || true)
    [[ -z $left ]] || fail "systemd state left behind: $left"
    [[ $(in_ctr systemctl show -p LoadState --value periodic-tasks.timer) == not-found ]] ||
        fail "systemd still has periodic-tasks.timer loaded"
    left=$(in_ctr sh -c 'ls /var/lib/systemd/timers/ /run/systemd/generator/ /run/systemd/generator/*.wants/ 2>/dev/null' |
        grep periodic-tasks || true)
    [[ -z $left ]] || fail "generated units or timer stamps left behind: $left"
    left=$(in_ctr systemctl list-timers --all --no-legend --plain 'periodic-tasks*' || true)
    [[ -z $left ]] || fail "timers still listed after purge: $left"
    left=$(in_ctr journalctl --list-catalog) || fail "journalctl --list-catalog failed"
    [[ $left != *periodic-tasks* ]] || fail "the catalog still has our entries"
    in_ctr getent passwd periodic-tasks >/dev/null || fail "the system user was removed (policy keeps it)"
    echo "    kept by policy: the system user and group periodic-tasks, the journal"
}
