#!/bin/bash
# SPDX-License-Identifier: MIT
# libpq is loaded only when a SQL task connects (src/postgres/libpq.cpp). On a
# machine where libpq.so.5 cannot be loaded, check, list and command tasks
# still work; each SQL task fails once (never retried) with a message that
# says what is missing and which package brings it; the run exits 1.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal
require_root "hiding libpq.so.5 needs a mount namespace"
require_tool unshare ldconfig

if [[ ${PT_IT_LIBPQ_HIDDEN:-} != 1 ]]; then
    libpq=$(ldconfig -p | awk '$1 == "libpq.so.5" && !found { print $NF; found = 1 }')
    [[ -n $libpq ]] || skip "libpq.so.5 is not installed (apt-get install -y libpq5)"
    trap - EXIT
    pt_cleanup
    # An empty file over the real library: dlopen() finds it and refuses it.
    # shellcheck disable=SC2016 # the inner bash expands them
    exec unshare -m --propagation private -- env PT_IT_LIBPQ_HIDDEN=1 bash -c \
        'empty=$(mktemp) && mount --bind "$empty" "$(readlink -f "$1")" && exec bash "$0"' \
        "$0" "$libpq"
fi

make_config <<TOML
[databases.main]
conninfo = "host=$T/no-server dbname=app user=app"

[[task]]
name = "query"
sql = "SELECT 1"
retries = 2
retry_delay = "1ms"

[[task]]
name = "after"
command = ["/bin/sh", "-c", "touch '$T/after-ran'"]

[[task]]
name = "query-again"
sql = "SELECT 2"
TOML

run_pt --config "$CFG" check
assert_rc 0
run_pt --config "$CFG" list
assert_rc 0
assert_file_contains "$T/stdout" "query-again"

run_pt --config "$CFG" --json
assert_rc 1
for task in query query-again; do
    q=".tasks[] | select(.name == \"$task\")"
    assert_eq error "$(json_get "$q | .result")" "result of $task"
    detail=$(json_get "$q | .detail")
    assert_contains "$detail" "cannot load libpq: " "detail of $task"
    assert_contains "$detail" "libpq.so.5" "detail of $task"
    assert_contains "$detail" "install the libpq5 package" "detail of $task"
done
assert_eq 1 "$(json_get '.tasks[] | select(.name == "query") | .attempts')" "attempts of query"
assert_eq success "$(json_get '.tasks[] | select(.name == "after") | .result')" "result of the command task"
assert_exists "$T/after-ran" "the command task's file"
