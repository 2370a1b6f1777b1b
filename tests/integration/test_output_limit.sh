#!/bin/bash
# SPDX-License-Identifier: MIT
# Past output_limit (stdout and stderr together) no more lines are forwarded
# to the log, and exactly one record says how many bytes were suppressed.
. "$(dirname "$0")/common.sh"
require_jq
require_no_journal

# 20000 lines of 100 bytes (newline included) on stdout, then 100 on stderr.
script=$(make_script noisy.sh <<'SH'
#!/bin/bash
line=$(printf '%099d' 7)
for ((i = 0; i < 20000; i++)); do printf '%s\n' "$line"; done
for ((i = 0; i < 100; i++)); do printf '%s\n' "$line" >&2; done
SH
)
make_config <<TOML
[settings]
output_limit = "1MiB"

[[task]]
name = "noisy"
command = ["$script"]
TOML

run_pt --config "$CFG" --json
assert_rc 0
total=$((20100 * 100))
assert_eq "$total" "$(json_get '.tasks[0].output_bytes')" "output_bytes"

# Bytes forwarded: each "noisy| LINE" or "noisy! LINE" record is one line of
# output plus its newline.
forwarded=$(LC_ALL=C awk '/^noisy[|!] / { n += length($0) - 7 + 1 } END { print n + 0 }' "$T/stderr")
((forwarded <= 1048576)) || fail "forwarded $forwarded bytes, more than output_limit 1MiB"
((forwarded >= 1048576 - 100)) || fail "forwarded only $forwarded bytes of a 1MiB limit"

suppressed_records=$(grep -Ec 'output limit .* reached, [0-9]+ bytes suppressed' "$T/stderr" || true)
assert_eq 1 "$suppressed_records" "records about the output limit"
suppressed=$((total - forwarded))
assert_file_contains "$T/stderr" "task \"noisy\": output limit 1MiB reached, $suppressed bytes suppressed"
assert_eq "$suppressed" "$(json_get '.tasks[0].suppressed_bytes')" "suppressed_bytes"
# The tail still shows the real end of the output, beyond the limit.
assert_eq "$(printf '%099d' 7)" "$(json_get '.tasks[0].output_tail[-1]')" "last line of output_tail"
