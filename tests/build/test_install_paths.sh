#!/bin/bash
# SPDX-License-Identifier: MIT
# An install under another prefix agrees with itself: configured with
# CMake's default prefix /usr/local (sysconfdir /usr/local/etc), the program
# and the generator read /usr/local/etc/periodic-tasks/config.toml by default
# (k_default_config, from PT_DEFAULT_CONFIG), and every unit, the config watcher included, names that
# directory and /usr/local/bin, never /etc/periodic-tasks or /usr/bin. Before,
# the generator and the watcher looked in /etc while the service was given
# --config /usr/local/etc/...: no scheduled task of such an install got a timer.
set -euo pipefail
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source tree (ctest sets it)}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: test_install_paths: $*" >&2
    exit 1
}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$PT_SOURCE_DIR" -B "$T/build" "${generator[@]}" -DCMAKE_INSTALL_PREFIX=/usr/local \
    -DBUILD_TESTING=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$T/cmake.log" 2>&1 ||
    fail "cmake failed: $(tail -n 20 "$T/cmake.log")"

for source in src/config/loader.cpp; do # k_default_config, for every user of it
    python3 - "$T/build/compile_commands.json" "$source" <<'PY' ||
import json, sys
define = '-DPT_DEFAULT_CONFIG=\\"/usr/local/etc/periodic-tasks/config.toml\\"'
entries = [e for e in json.load(open(sys.argv[1])) if e["file"].endswith(sys.argv[2])]
sys.exit(0 if entries and all(define in e["command"] for e in entries) else 1)
PY
        fail "$source is not built with PT_DEFAULT_CONFIG=/usr/local/etc/periodic-tasks/config.toml"
done

units=$T/build/units
[[ -f $units/periodic-tasks-reload.path ]] || fail "no generated units in $units"
bad=$(grep -nE '(^|[^l])/etc/periodic-tasks|/usr/bin/periodic_tasks' "$units"/* || true)
[[ -z $bad ]] || fail "units still name /etc or /usr/bin:"$'\n'"$bad"
grep -qx 'PathChanged=/usr/local/etc/periodic-tasks/tasks.d' "$units/periodic-tasks-reload.path" ||
    fail "the config watcher does not watch /usr/local/etc/periodic-tasks/tasks.d"
grep -qx 'ExecStart=/usr/local/bin/periodic_tasks run --scheduled %i' "$units/periodic-tasks@.service" ||
    fail "periodic-tasks@.service does not start /usr/local/bin/periodic_tasks"
echo "PASS: test_install_paths"
