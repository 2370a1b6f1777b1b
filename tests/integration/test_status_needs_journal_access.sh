#!/bin/bash
# SPDX-License-Identifier: MIT
# A user who may not read the system journal gets exit 77 and the fix, not a
# status built from a partial journal; members of systemd-journal and adm read it.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq
require_tool setpriv getent

body() {
    make_config <<TOML
[[task]]
name = "ok"
command = ["/bin/true"]
TOML
    run_pt --config "$CFG"
    assert_rc 0
    journalctl --sync
    # What systemd-tmpfiles does at boot: group systemd-journal (and ACLs for adm).
    require_tool systemd-tmpfiles
    systemd-tmpfiles --create --prefix=/run/log/journal
    nobody_uid=$(id -u nobody)
    nogroup_gid=$(getent group nogroup | cut -d: -f3)
    journal_gid=$(getent group systemd-journal | cut -d: -f3) ||
        skip "no systemd-journal group on this machine"
    chmod 0755 "$RUNTIME_DIRECTORY"
    PT_BIN_REAL=$PT_BIN
    PT_BIN=$T/as-nobody
    printf '#!/bin/sh\nexec setpriv --reuid=%s --regid=%s --clear-groups %s "$@"\n' \
        "$nobody_uid" "$nogroup_gid" "$PT_BIN_REAL" >"$PT_BIN"
    chmod 0755 "$PT_BIN"
    run_pt --config "$CFG" status
    cp "$T/stdout" "$T/denied.out"
    cp "$T/stderr" "$T/denied.err"
    DENIED_RC=$PT_RC
    run_pt history
    HISTORY_DENIED_RC=$PT_RC
    printf '#!/bin/sh\nexec setpriv --reuid=%s --regid=%s --groups=%s %s "$@"\n' \
        "$nobody_uid" "$nogroup_gid" "$journal_gid" "$PT_BIN_REAL" >"$PT_BIN"
    run_pt --config "$CFG" status --json
    cp "$T/stdout" "$T/member.json"
    MEMBER_RC=$PT_RC
    adm_gid=$(getent group adm | cut -d: -f3) || skip "no adm group on this machine"
    printf '#!/bin/sh\nexec setpriv --reuid=%s --regid=%s --groups=%s %s "$@"\n' \
        "$nobody_uid" "$nogroup_gid" "$adm_gid" "$PT_BIN_REAL" >"$PT_BIN"
    run_pt history --json
    cp "$T/stdout" "$T/adm.json"
    ADM_RC=$PT_RC
}
with_private_journal body

assert_eq 77 "$DENIED_RC" "status as nobody"
assert_eq 77 "$HISTORY_DENIED_RC" "history as nobody"
assert_eq "" "$(cat "$T/denied.out")" "nothing on stdout"
assert_match "$(cat "$T/denied.err")" \
    '^periodic_tasks: error: cannot read the system journal \(/run/log/journal/[^)]+\) as user nobody; hint: .*usermod -aG systemd-journal nobody$' "the message"
assert_eq 0 "$MEMBER_RC" "status as a member of systemd-journal"
assert_eq success "$(json_get '.tasks[0].last_run.result' "$T/member.json")" "what the member sees"
assert_eq 0 "$ADM_RC" "history as a member of adm (the journal's ACL)"
assert_eq "ok success" "$(json_get '.runs[0] | "\(.task) \(.result)"' "$T/adm.json")" "what adm sees"
