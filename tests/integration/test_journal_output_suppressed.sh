#!/bin/bash
# SPDX-License-Identifier: MIT
# With a journald, output beyond output_limit ends in exactly one
# "suppressed" record that names the task and counts the bytes.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/journal.sh"
require_jq

body() {
    script=$(make_script noisy.sh <<'SH'
#!/bin/bash
line=$(printf '%049d' 5)
for ((i = 0; i < 2000; i++)); do printf '%s\n' "$line"; done
SH
)
    make_config <<TOML
[settings]
output_limit = "64KiB"

[[task]]
name = "noisy"
command = ["$script"]
TOML
    run_pt --config "$CFG" --json
}
with_private_journal body
assert_rc 0

journal_records TASK=noisy >"$T/noisy.json"
lines=$(json_get '[.[] | select(.STREAM == "stdout")] | length' "$T/noisy.json")
((lines * 50 <= 65536)) || fail "$lines lines of 50 bytes forwarded past a 64KiB limit"
((lines * 50 > 65536 - 50)) || fail "only $lines lines of 50 bytes forwarded under a 64KiB limit"
suppressed='[.[] | select(.MESSAGE | test("output limit .* reached, [0-9]+ bytes suppressed"))]'
assert_eq 1 "$(json_get "$suppressed | length" "$T/noisy.json")" "suppressed records"
expected_bytes=$((2000 * 50 - lines * 50))
assert_eq "task \"noisy\": output limit 64KiB reached, $expected_bytes bytes suppressed" \
    "$(json_get "$suppressed | .[0].MESSAGE" "$T/noisy.json")" "MESSAGE"
assert_eq "$expected_bytes" "$(json_get "$suppressed | .[0].SUPPRESSED_BYTES" "$T/noisy.json")" "SUPPRESSED_BYTES"
assert_eq "$(json_get '.run_id')" "$(json_get "$suppressed | .[0].RUN_ID" "$T/noisy.json")" "RUN_ID"
