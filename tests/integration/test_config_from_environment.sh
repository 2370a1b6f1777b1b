#!/bin/bash
# SPDX-License-Identifier: MIT
# PERIODIC_TASKS_CONFIG names the config file; --config wins over it.
. "$(dirname "$0")/common.sh"

make_config <<TOML
[[task]]
name = "from-env"
command = ["/bin/sh", "-c", "echo from-env >> $T/ran"]
TOML
make_config "$T/other/config.toml" <<TOML
[[task]]
name = "from-option"
command = ["/bin/sh", "-c", "echo from-option >> $T/ran"]
TOML

PERIODIC_TASKS_CONFIG=$CFG run_pt
assert_rc 0
assert_eq from-env "$(cat "$T/ran")" "tasks run with PERIODIC_TASKS_CONFIG"
rm "$T/ran"
PERIODIC_TASKS_CONFIG=$CFG run_pt --config "$T/other/config.toml"
assert_rc 0
assert_eq from-option "$(cat "$T/ran")" "tasks run with PERIODIC_TASKS_CONFIG and --config"
