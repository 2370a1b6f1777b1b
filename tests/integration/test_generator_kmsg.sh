#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd.generator(7): a generator runs before journald and logs to the
# kernel log. periodic-tasks-generator, run as systemd runs it (no
# SYSTEMD_LOG_TARGET), writes a broken config's error to /dev/kmsg as one
# record at priority err (3), tagged "periodic-tasks-generator:" so that
# `journalctl -k -t periodic-tasks-generator` finds it; nothing on stderr, and
# it still exits 0. A config it can read is silent there.
. "$(dirname "$0")/common.sh"
: "${PT_GENERATOR:?PT_GENERATOR must name the built periodic-tasks-generator (ctest sets it)}"
require_root "writing to /dev/kmsg"
require_tool dmesg
[[ -w /dev/kmsg ]] || skip "/dev/kmsg is not writable here"
dmesg -x >/dev/null 2>&1 || skip "the kernel log cannot be read here (dmesg -x)"
unset SYSTEMD_LOG_TARGET

# The task name is unique, so this run's records are told from any other's.
marker=kmsg-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
make_config <<TOML
[[task]]
name = "$marker"
schedule = "Mon 25:00"
command = ["/bin/true"]
TOML
mkdir -p "$T/out/normal" "$T/out/early" "$T/out/late"
rc=0
PERIODIC_TASKS_CONFIG=$CFG "$PT_GENERATOR" "$T/out/normal" "$T/out/early" "$T/out/late" \
    >"$T/gen.stdout" 2>"$T/gen.stderr" || rc=$?
assert_eq 0 "$rc" "the generator's exit status with a broken config"
assert_eq "" "$(cat "$T/gen.stdout" "$T/gen.stderr")" "stdout and stderr (the message goes to the kernel log)"
records=$(dmesg -x | grep -F -- "\"$marker\"" || true)
# dmesg -x decodes facility and level; a record written from user space
# without a facility is the kernel's LOG_USER.
assert_match "$records" '^user +:err +: \[ *[0-9.]+\] periodic-tasks-generator: [^ ]*/config\.toml:3:17: invalid schedule "Mon 25:00" in task "kmsg-[0-9a-f]+": hour 25 is out of range 0\.\.23; .*no scheduled task has a timer until the config is fixed' \
    "the kernel log record"
assert_eq 1 "$(wc -l <<<"$records")" "records for one run"
assert_eq "" "$(find "$T/out/normal" -mindepth 1)" "files written for a broken config"

# A good config: timers, and nothing in the kernel log.
sed -i 's/"Mon 25:00"/"Mon 08:00"/' "$CFG"
PERIODIC_TASKS_CONFIG=$CFG "$PT_GENERATOR" "$T/out/normal" "$T/out/early" "$T/out/late"
[[ -f $T/out/normal/periodic-tasks@$marker.timer.d/schedule.conf ]] || fail "no timer drop-in for a valid config"
assert_eq 1 "$(dmesg -x | grep -c -F -- "\"$marker\"" || true)" "records after a valid run"
echo "PASS: $TEST_NAME"
