# SPDX-License-Identifier: MIT
# A stand-in for systemd's notification socket (source after common.sh): a
# datagram socket whose listener writes each message it receives as one line,
# "PID<TAB>TEXT", with the sender's pid from SCM_CREDENTIALS, the very pid
# systemd checks against NotifyAccess=.

# start_notify_listener: binds $T/notify.sock, writes $T/notify.log; sets
# NOTIFY_LISTENER_PID. The listener dies with the test.
start_notify_listener() {
    require_tool python3
    cat >"$T/notify_listener.py" <<'PY'
import socket, struct, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data, ancillary, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(12))
        pid = 0
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", value[:12])[0]
        f.write("%d\t%s\n" % (pid, data.decode("utf-8", "replace").replace("\n", "\\n")))
PY
    : >"$T/notify.log"
    python3 "$T/notify_listener.py" "$T/notify.sock" "$T/notify.log" 2>"$T/notify_listener.err" &
    NOTIFY_LISTENER_PID=$!
    BG_PIDS+=("$NOTIFY_LISTENER_PID")
    wait_for_file "$T/notify.sock" 10
}

# wait_for_notify REGEX [SECONDS]: waits (default 10 s) until a received
# message's text matches the bash extended REGEX.
wait_for_notify() {
    local deadline=$((SECONDS + ${2:-10}))
    until grep -qE -- "$1" <<<"$(notify_texts)"; do
        ((SECONDS < deadline)) || fail "no message matching /$1/ within ${2:-10}s; received:"$'\n'"$(cat "$T/notify.log")"
        sleep 0.05
    done
}

# notify_texts: prints the received messages' texts, one a line.
notify_texts() {
    cut -f2- "$T/notify.log"
}

# notify_statuses: prints the values of the STATUS= messages, one a line.
notify_statuses() {
    notify_texts | sed -n 's/^STATUS=//p'
}

# notify_pids: prints the distinct sender pids.
notify_pids() {
    cut -f1 "$T/notify.log" | sort -u
}
