#!/bin/bash
# SPDX-License-Identifier: MIT
# A task's `environment` can override the defaults (PATH, LANG, HOME) and
# comes before the PERIODIC_TASKS_* variables.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "env"
command = ["/bin/sh", "-c", "printf '%s\\\\n' \"\$PATH\" \"\$LANG\" \"\$HOME\" > $T/env"]
environment = { PATH = "/opt/tool/bin:/usr/bin:/bin", LANG = "de_DE.UTF-8", HOME = "/var/lib/tool" }
TOML

run_pt --config "$CFG"
assert_rc 0
assert_eq $'/opt/tool/bin:/usr/bin:/bin\nde_DE.UTF-8\n/var/lib/tool' "$(cat "$T/env")" "PATH, LANG, HOME"
