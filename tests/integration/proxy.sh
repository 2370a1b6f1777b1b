# SPDX-License-Identifier: MIT
# A TCP proxy on 127.0.0.1 between a runner and PostgreSQL that the test
# controls (tests/helpers/tcp_proxy.py): a partition (blackhole), a cut (drop),
# its healing, and a delay per direction; it counts round trips. Source after
# common.sh. Each proxy has a NAME, so a test can give each "host" its own.
#
# After proxy_start NAME ...: PT_PROXY_PORT[NAME] is its port on 127.0.0.1.

declare -gA PT_PROXY_PORT=() PT_PROXY_PID=()

# proxy_start NAME --target 127.0.0.1:PORT | --target-unix PATH: starts the
# proxy and waits until it listens.
proxy_start() {
    local name=$1
    shift
    [[ -n ${PT_SOURCE_DIR:-} ]] || fail "PT_SOURCE_DIR must name the source tree (ctest sets it)"
    rm -f "$T/proxy-$name.port"
    python3 "$PT_SOURCE_DIR/tests/helpers/tcp_proxy.py" "$@" --control "$T/proxy-$name.sock" \
        --port-file "$T/proxy-$name.port" >"$T/proxy-$name.log" 2>&1 &
    PT_PROXY_PID[$name]=$!
    CLEANUP_HOOKS+=("proxy_stop $name")
    local deadline=$((SECONDS + 10))
    until [[ -s $T/proxy-$name.port && -S $T/proxy-$name.sock ]]; do
        kill -0 "${PT_PROXY_PID[$name]}" 2>/dev/null || fail "proxy $name exited: $(cat "$T/proxy-$name.log")"
        ((SECONDS < deadline)) || fail "proxy $name did not start within 10s"
        sleep 0.05
    done
    PT_PROXY_PORT[$name]=$(<"$T/proxy-$name.port")
}

# proxy_send NAME COMMAND: sends blackhole, heal, drop, "delay MS" or stats,
# prints the answer without its "ok ", and fails the test on an error.
proxy_send() {
    local answer
    answer=$(python3 - "$T/proxy-$1.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().strip())
PY
    ) || fail "proxy $1 did not answer '$2'"
    [[ $answer == ok* ]] || fail "proxy $1 refused '$2': $answer"
    printf '%s\n' "${answer#ok }"
}

# proxy_stop NAME: stops the proxy (its connections close). Safe to repeat.
proxy_stop() {
    local pid=${PT_PROXY_PID[$1]:-}
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    PT_PROXY_PID[$1]=
}
