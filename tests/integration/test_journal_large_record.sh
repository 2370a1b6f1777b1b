#!/bin/bash
# SPDX-License-Identifier: MIT
# Large records reach journald whole, by either of journal/writer.cpp's two paths.
# The "task started" record of a command with 1 MiB of arguments (one of them
# with a newline, so a binary field) carries that command twice, in MESSAGE and
# COMMAND; both are read back byte for byte:
# - first as one 2 MiB datagram (the socket's send buffer is raised to 8 MiB);
# - then with every first send of a record failing with EMSGSIZE (strace's
#   fault injection), as journald's kernel socket does for a record larger
#   than the send buffer: each record goes as a sealed memfd instead, and
#   journald stores them all, none falls back to stderr.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq
require_tool strace

body() {
    local words='"line one\nline two"' letter
    for letter in a b c d e f g h i j; do
        words+=", \"$(head -c 102400 /dev/zero | tr '\0' "$letter")\""
    done
    make_config <<TOML
[[task]]
name = "big"
command = ["/bin/true", $words]
TOML
    run_pt --config "$CFG" --json
    assert_rc 0
    cp "$T/stdout" "$T/datagram.json"
    cp "$T/stderr" "$T/datagram.err"
    # Odd-numbered sendmsg() calls fail: each record's datagram, never its memfd.
    # LeakSanitizer cannot run under ptrace: in a sanitizer build it would abort the exit.
    PT_RC=0
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -qq -o "$T/strace.log" -e trace=sendmsg,memfd_create \
            -e inject=sendmsg:error=EMSGSIZE:when=1+2 \
            "$PT_BIN" --config "$CFG" --json </dev/null >"$T/stdout" 2>"$T/stderr" || PT_RC=$?
    assert_rc 0
}
with_private_journal body
assert_eq success "$(json_get '.tasks[0].result' "$T/datagram.json")" "result (datagram)"
assert_eq success "$(json_get '.tasks[0].result')" "result (memfd)"

{
    printf "/bin/true 'line one\nline two'"
    for letter in a b c d e f g h i j; do
        printf ' '
        head -c 102400 /dev/zero | tr '\0' "$letter"
    done
} >"$T/command"
for path in datagram memfd; do
    if [[ $path == datagram ]]; then
        run_id=$(json_get .run_id "$T/datagram.json")
        err=$(cat "$T/datagram.err")
    else
        run_id=$(json_get .run_id)
        err=$(cat "$T/stderr")
    fi
    journalctl -D "$PT_JOURNAL_DIR" --no-pager -o json --all SYSLOG_IDENTIFIER=periodic_tasks \
        RUN_ID="$run_id" >"$T/$path.records" || fail "journalctl failed"
    started='select(.MESSAGE_ID == "7b2a2268eac6127811bb2d9d43ebd066")'
    assert_eq 1 "$(jq -s "[.[] | $started] | length" "$T/$path.records")" "task started records ($path)"
    assert_eq true "$(jq --rawfile want "$T/command" "$started | .COMMAND == \$want" \
        "$T/$path.records")" "COMMAND, byte for byte ($path, $(stat -c %s "$T/command") bytes)"
    assert_eq true "$(jq --rawfile want "$T/command" \
        "$started | .MESSAGE == \"task \\\"big\\\" started (1/1): \" + \$want" "$T/$path.records")" \
        "MESSAGE, byte for byte ($path)"
    assert_eq "" "$err" "stderr ($path: every record went to the journal)"
done
# Every record of the second run went as a memfd, and journald kept them all.
memfds=$(grep -c '^memfd_create("journal-data", MFD_CLOEXEC|MFD_ALLOW_SEALING) = [0-9]' "$T/strace.log")
assert_eq "$(jq -s length "$T/memfd.records")" "$memfds" "records sent as memfds"
assert_eq "$(jq -s length "$T/datagram.records")" "$memfds" "records of the first run"
