#!/bin/bash
# SPDX-License-Identifier: MIT
# The journald message catalog (packaging/periodic-tasks.catalog): exactly one
# entry per MESSAGE_ID of src/journal/event_log.hpp; `journalctl --update-catalog`
# accepts it without a warning and `--list-catalog` lists our ids, both on a
# private catalog database (--root), never the host's; and `journalctl -x`
# explains a failed, a timed-out and a skipped task of a real run, with the
# record's fields filled in. (Installed, systemd's dpkg trigger on
# /usr/lib/systemd/catalog runs --update-catalog; tests/system/ checks that.)
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

catalog=${PT_SOURCE_DIR:?ctest sets PT_SOURCE_DIR}/packaging/periodic-tasks.catalog
header=$PT_SOURCE_DIR/src/journal/event_log.hpp

# 1. One entry per MESSAGE_ID, no entry for an id the program does not log.
ids=$(grep -o '"[0-9a-f]\{32\}"' "$header" | tr -d '"' | sort)
entries=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$catalog" | sort)
(($(wc -l <<<"$ids") >= 13)) || fail "found only $(wc -l <<<"$ids") MESSAGE_IDs in $header"
[[ -z $(uniq -d <<<"$ids") ]] || fail "MESSAGE_IDs used twice in $header: $(uniq -d <<<"$ids")"
[[ -z $(uniq -d <<<"$entries") ]] || fail "catalog entries given twice: $(uniq -d <<<"$entries")"
[[ $ids == "$entries" ]] ||
    fail "MESSAGE_IDs (<) and catalog entries (>) differ:"$'\n'"$(diff <(echo "$ids") <(echo "$entries") || true)"

# 2. journalctl compiles it into a database of our own: a root holding only
#    our catalog (--root prefixes both the catalog directory and the database).
require_tool journalctl
root=$T/catalog-root
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
journalctl --root="$root" --update-catalog 2>"$T/update.err" ||
    fail "journalctl --update-catalog failed: $(cat "$T/update.err")"
[[ ! -s $T/update.err ]] || fail "journalctl --update-catalog complained: $(cat "$T/update.err")"
assert_exists "$root/var/lib/systemd/catalog/database"
journalctl --root="$root" --list-catalog >"$T/list"
assert_eq "$ids" "$(cut -d' ' -f1 "$T/list" | sort)" "the ids --list-catalog shows"
# Each with its Defined-By and a subject.
assert_eq 0 "$(grep -vc -E '^[0-9a-f]{32} periodic-tasks: [^ ]' "$T/list" || true)" \
    "entries without Defined-By: periodic-tasks or without a subject"

# 3. `journalctl -x` reads the database at its fixed path: in this test's
#    mount namespace, that is the one built above.
body() {
    make_config <<TOML
[[task]]
name = "fail-task"
command = ["/bin/sh", "-c", "exit 3"]

[[task]]
name = "slow-task"
command = ["/bin/sleep", "30"]
timeout = "1s"
kill_timeout = "1s"

[[task]]
name = "busy-task"
command = ["/bin/true"]
TOML
    hold_lock busy-task
    run_pt --config "$CFG"
}
with_private_journal body
assert_rc 1
if [[ ! -d /var/lib/systemd/catalog ]]; then
    [[ -d /var/lib/systemd ]] || skip "no /var/lib/systemd to put a catalog database under"
    mount -t tmpfs tmpfs /var/lib/systemd # this namespace only; never create it on the host
    mkdir /var/lib/systemd/catalog
fi
mount --bind "$root/var/lib/systemd/catalog" /var/lib/systemd/catalog
run_id=$(journal_records | jq -r '[.[] | select(.RUN_ID)] | first | .RUN_ID')
assert_match "$run_id" '^[0-9a-f]{32}$' "RUN_ID"

explained() { # MESSAGE_ID: what `journalctl -x` shows for our records with that id
    journalctl -D "$PT_JOURNAL_DIR" --no-pager -x SYSLOG_IDENTIFIER=periodic_tasks MESSAGE_ID="$1"
}
text=$(explained 7b5661d99ec327365b52827f8d6aecf5)
assert_contains "$text" "Subject: periodic_tasks task fail-task failed" "journalctl -x of the failed task"
assert_contains "$text" "journalctl RUN_ID=$run_id TASK=fail-task -o verbose" \
    "journalctl -x of the failed task (fields filled in)"
assert_contains "$text" "success_exit_codes" "journalctl -x of the failed task (what to do)"
text=$(explained c8712170e5fb5d1040243e4b94728248)
assert_contains "$text" "Subject: periodic_tasks task slow-task timed out" "journalctl -x of the timeout"
assert_contains "$text" "periodic_tasks history slow-task" "journalctl -x of the timeout (what to do)"
text=$(explained 214fd5d8aac4986e1fa1fa50391712da)
assert_contains "$text" "Subject: periodic_tasks task busy-task skipped (locked)" \
    "journalctl -x of the skipped task"
text=$(explained cbeb053f997f24859ec4f7fdcbd4f5e7)
assert_contains "$text" "Subject: periodic_tasks run $run_id finished with exit status 1" \
    "journalctl -x of the run"
