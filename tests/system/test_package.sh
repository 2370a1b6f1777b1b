#!/bin/bash
# SPDX-License-Identifier: MIT
# The system test: installs the real .deb into a booted Debian 12 container
# (real systemd as PID 1, real journald) and checks what a user meets:
#   1. apt-get install works; the timer is enabled and has a next elapse;
#      the message catalog is compiled
#   2. a run with a failing and a succeeding task: both run, the unit fails
#      with status 1, the journal has our fields and the catalog text, and
#      the example OnFailure= handler reports the failed task
#   3. a 5-second OnCalendar= drop-in: the timer starts a new run by itself
#   4. `periodic_tasks run TASK` by hand as root logs to the same journal
#   5. a hanging task is killed with nothing left in the unit's cgroup;
#      `systemctl stop` during a run ends it with every task process gone;
#      `systemctl status` shows the running task and how the run ended
#   6. the sandbox holds (/etc read-only, the state directory writable) and
#      psql (socket, TCP), SQL tasks (peer auth, password from a systemd
#      credential), pg_dump, tar, rsync, curl, python3 work inside it
#   9. scheduled tasks: a timer each (list-timers), a 5-second task fires with
#      the right PERIODIC_TASKS_SLOT while a weekly one stays silent, a
#      per-task ReadWritePaths= drop-in works for that task only, and so
#      does a per-task OnFailure= handler
#  10. a config edit re-arms the timers by itself; a bad edit is logged at
#      priority err and changes nothing until the file is fixed; a removed
#      task loses its timer
#  11. catch-up after downtime (timers stopped, then started): "all" runs
#      every missed slot in order, "latest" only the newest
#  12. the machine off for over a minute, then booted: each policy catches up
#      per its rule at boot ("all" every missed slot, "latest" the newest,
#      "none" nothing)
#   8. (last) apt-get purge leaves nothing behind but the system user
# Usage: tests/system/test_package.sh [PACKAGE.deb]   (as root)
# Without a .deb it builds one (tests/system/build-deb.sh). Exit 0 when all
# checks pass, 1 when one fails, 125 when a required tool is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/system/container.sh
source "$here/container.sh"
# shellcheck source=tests/system/helpers.sh
source "$here/helpers.sh"
# shellcheck source=tests/system/checks.sh
source "$here/checks.sh"

for tool in systemd-nspawn debootstrap nsenter jq flock; do
    if ! command -v "$tool" >/dev/null; then
        echo "system test: SKIP: $tool is not installed" >&2
        exit 125
    fi
done
if [[ $(id -u) -ne 0 ]]; then
    echo "system test: SKIP: needs root (debootstrap, systemd-nspawn)" >&2
    exit 125
fi

T=$(mktemp -d /tmp/periodic-tasks-system.XXXXXX)
cleanup()
{
    container_stop
    container_unmount
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Main -------------------------------------------------------------------

started=$SECONDS
DEB=${1:-}
if [[ -z $DEB ]]; then
    echo "system test: building the package"
    DEB=$("$here/build-deb.sh" "$T/debs" | tail -n 1)
fi
DEB=$(realpath "$DEB")
echo "system test: package $(basename "$DEB")"
rootfs=$(ensure_rootfs)
echo "system test: booting $rootfs"
container_start "$rootfs" "$T/nspawn.log" "$T/machine" --bind-ro="$(dirname "$DEB")":/srv/debs
echo "system test: container up after $((SECONDS - started))s"

passed=0 failed=0
for check in check_1_install check_2_failing_task check_3_timer_fires check_4_manual_run \
    check_5_hang_and_stop check_6_sandbox check_7_status_history check_9_schedules \
    check_10_reload check_11_catch_up check_12_machine_off check_8_purge; do
    t0=$SECONDS
    set +e
    (set -e; "$check")
    rc=$?
    container_refresh
    reset_drop_ins
    set -e
    if ((rc == 0)); then
        passed=$((passed + 1))
        echo "PASS: system ${check#check_} ($((SECONDS - t0))s)"
    else
        failed=$((failed + 1))
        echo "FAIL: system ${check#check_} ($((SECONDS - t0))s)"
        if [[ $check == check_1_install ]]; then
            echo "system test: nothing to test without the package" >&2
            failed=$((failed + 11))
            break
        fi
    fi
done
container_stop
echo "$passed passed, $failed failed (system test, $((SECONDS - started))s)"
((failed == 0))
