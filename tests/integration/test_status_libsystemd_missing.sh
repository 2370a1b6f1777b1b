#!/bin/bash
# SPDX-License-Identifier: MIT
# libsystemd is loaded only when `status` or `history` reads the journal
# (src/journal/reader.cpp). On a machine where libsystemd.so.0 cannot be
# loaded, check and runs still work (writing records needs no library); status
# and history exit 64, like any journal that cannot be opened, with a message
# that names the package that brings it.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal
require_root "hiding libsystemd.so.0 needs a mount namespace"
require_tool unshare ldconfig

if [[ ${PT_IT_LIBSYSTEMD_HIDDEN:-} != 1 ]]; then
    lib=$(ldconfig -p | awk '$1 == "libsystemd.so.0" && !found { print $NF; found = 1 }')
    [[ -n $lib ]] || skip "libsystemd.so.0 is not installed (apt-get install -y libsystemd0)"
    trap - EXIT
    pt_cleanup
    # An empty file over the real library: dlopen() finds it and refuses it.
    # shellcheck disable=SC2016 # the inner bash expands them
    exec unshare -m --propagation private -- env PT_IT_LIBSYSTEMD_HIDDEN=1 bash -c \
        'empty=$(mktemp) && mount --bind "$empty" "$(readlink -f "$1")" && exec bash "$0"' \
        "$0" "$lib"
fi

make_config <<TOML
[[task]]
name = "ok"
command = ["/bin/true"]
TOML

run_pt --config "$CFG" check
assert_rc 0
run_pt --config "$CFG" --json
assert_rc 0
assert_eq success "$(json_get '.tasks[0].result')" "result"

mkdir -p "$T/journal"
for command in "--config $CFG status" history; do
    # shellcheck disable=SC2086 # the words of the command line
    run_pt $command --directory "$T/journal"
    assert_rc 64
    err=$(cat "$T/stderr")
    assert_contains "$err" "cannot load libsystemd to read the journal: " "stderr of $command"
    assert_contains "$err" "libsystemd.so.0" "stderr of $command"
    assert_contains "$err" "install the libsystemd0 package" "stderr of $command"
done
