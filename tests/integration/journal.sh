# SPDX-License-Identifier: MIT
# A real, private systemd-journald for a test (source after common.sh).
#
# The machines running these tests have no systemd as PID 1 (or one whose
# journal we must not touch), so the test re-runs itself in its own mount
# namespace with a tmpfs /run, starts journald there, and the runner finds
# /run/systemd/journal/socket as it would on a server. Everything the test
# mounts disappears with the namespace; journald dies with the test (its
# parent-death signal is SIGKILL, and the EXIT trap stops it first).

PT_JOURNALD=${PT_JOURNALD:-/lib/systemd/systemd-journald}
PT_JOURNAL_DIR=/run/log/journal

# with_private_journal [CMD...]: outside the namespace, re-runs this test in
# one (the lines before the call run twice; keep them cheap). Inside, starts
# journald, runs CMD (usually the test's body function), then flushes the
# journal so journal_records sees everything CMD logged.
with_private_journal() {
    if [[ ${PT_IT_IN_JOURNAL_NS:-} != 1 ]]; then
        require_root "a private journald needs mount namespaces"
        require_tool unshare setpriv journalctl
        [[ -x $PT_JOURNALD ]] || skip "$PT_JOURNALD is not installed (apt-get install -y systemd)"
        trap - EXIT
        pt_cleanup
        exec unshare -m --propagation private -- env PT_IT_IN_JOURNAL_NS=1 bash "$0"
    fi
    start_private_journald
    if (($# > 0)); then
        "$@"
        journalctl --sync || fail "journalctl --sync failed"
    fi
}

start_private_journald() {
    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p /run/systemd/journal "$PT_JOURNAL_DIR"
    if [[ -d /var/log/journal ]]; then
        mount -t tmpfs tmpfs /var/log/journal # never write to the host's persistent journal
    fi
    # Our settings only: no rate limit (a test floods on purpose), no kmsg,
    # no forwarding, volatile storage under the tmpfs /run.
    printf '%s\n' '[Journal]' Storage=volatile RateLimitIntervalSec=0 ReadKMsg=no \
        ForwardToSyslog=no ForwardToWall=no ForwardToConsole=no ForwardToKMsg=no Audit=no \
        >"$T/journald.conf"
    mkdir -p "$T/empty"
    if [[ -e /etc/systemd/journald.conf ]]; then
        mount --bind "$T/journald.conf" /etc/systemd/journald.conf
    fi
    local dropins
    for dropins in /etc/systemd/journald.conf.d /usr/lib/systemd/journald.conf.d \
        /run/systemd/journald.conf.d; do
        if [[ -d $dropins ]]; then
            mount --bind "$T/empty" "$dropins"
        fi
    done

    # journald, like us, takes its sockets' directory from RUNTIME_DIRECTORY.
    env -u RUNTIME_DIRECTORY setpriv --pdeathsig KILL "$PT_JOURNALD" \
        </dev/null >"$T/journald.log" 2>&1 &
    PT_JOURNALD_PID=$!
    CLEANUP_HOOKS+=("stop_private_journald")
    local i
    for ((i = 0; i < 250; i++)); do
        [[ -S /run/systemd/journal/socket ]] && return 0
        kill -0 "$PT_JOURNALD_PID" 2>/dev/null ||
            fail "journald exited at start: $(cat "$T/journald.log")"
        sleep 0.02
    done
    fail "journald did not create /run/systemd/journal/socket within 5 s: $(cat "$T/journald.log")"
}

stop_private_journald() {
    [[ -n ${PT_JOURNALD_PID:-} ]] || return 0
    kill -TERM "$PT_JOURNALD_PID" 2>/dev/null || return 0
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$PT_JOURNALD_PID" 2>/dev/null || return 0
        sleep 0.02
    done
    kill -KILL "$PT_JOURNALD_PID" 2>/dev/null || true
}

# journal_records [MATCH...]: prints the private journal's entries from
# periodic_tasks that match every journalctl MATCH (FIELD=value) as a JSON
# array, oldest first; binary field values appear as arrays of bytes.
journal_records() {
    journalctl -D "$PT_JOURNAL_DIR" --no-pager -o json SYSLOG_IDENTIFIER=periodic_tasks "$@" \
        >"$T/journal.jsonl" 2>"$T/journalctl.err" ||
        fail "journalctl $* failed: $(cat "$T/journalctl.err")"
    jq -s . "$T/journal.jsonl"
}

# journal_export FILE [MATCH...]: writes the matching entries to FILE in
# journalctl's export format (for byte-exact checks).
journal_export() {
    local file=$1
    shift
    journalctl -D "$PT_JOURNAL_DIR" --no-pager -o export SYSLOG_IDENTIFIER=periodic_tasks "$@" \
        >"$file" 2>"$T/journalctl.err" ||
        fail "journalctl $* failed: $(cat "$T/journalctl.err")"
}
