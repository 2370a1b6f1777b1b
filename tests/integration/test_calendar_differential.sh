#!/bin/bash
# SPDX-License-Identifier: MIT
# `periodic_tasks calendar` agrees with systemd-analyze calendar (the oracle:
# systemd 252 on Debian 12) on validity, normalized form and every elapse, for
# the hand-picked edge cases in calendar_corpus.txt and thousands of generated
# expressions, at base times around DST switches, in UTC, Europe/Berlin,
# America/New_York and Australia/Lord_Howe (calendar_differential.py).
. "$(dirname "$0")/common.sh"

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: $TEST_NAME: systemd-analyze is not installed (package systemd)" >&2
    exit 125
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP: $TEST_NAME: python3 is not installed" >&2
    exit 125
fi

here=$(dirname "$0")
python3 "$here/calendar_differential.py" "$PT_BIN" "$here/calendar_corpus.txt" --generated 40000
