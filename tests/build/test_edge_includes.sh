#!/bin/bash
# SPDX-License-Identifier: MIT
# The edge rule is a build fact (CMakeLists.txt, docs/ARCHITECTURE.md): each
# third-party library's header compiles in its own folder and fails to compile
# anywhere else, with a message naming the edge. Compiles one-line files with
# the exact flags of a source file in each folder (compile_commands.json).
set -euo pipefail
: "${PT_BUILD_DIR:?PT_BUILD_DIR must name the build directory (ctest sets it)}"
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0

# expect OUTCOME SOURCE HEADER [MESSAGE]: compile `#include HEADER` as SOURCE would be.
expect() {
    local outcome=$1 source=$2 header=$3 message=${4:-}
    printf '#include %s\n' "$header" >"$T/snippet.cpp"
    if python3 "$here/compile_as.py" "$PT_BUILD_DIR" "$source" "$T/snippet.cpp" 2>"$T/err"; then
        got=compiles
    else
        got=fails
    fi
    if [[ $got != "$outcome" ]]; then
        echo "FAIL: $header in ${source%/*}/: expected it to $outcome, it $got"
        head -n 5 "$T/err" | sed 's/^/    /'
        failures=$((failures + 1))
    elif [[ -n $message ]] && ! grep -qF "$message" "$T/err"; then
        echo "FAIL: $header in ${source%/*}/ failed without naming the edge ($message)"
        head -n 5 "$T/err" | sed 's/^/    /'
        failures=$((failures + 1))
    else
        echo "ok: $header $outcome in ${source%/*}/"
    fi
}

# Each library compiles in its edge (the positive control: the flags are real).
expect compiles src/postgres/wait.cpp '<libpq-fe.h>'
expect compiles src/config/parser.cpp '<toml++/toml.h>'
expect compiles src/journal/reader.cpp '<systemd/sd-journal.h>'
expect compiles src/app/cli.cpp '<CLI/CLI.hpp>'
# ... and nowhere else.
for source in src/run/runner.cpp src/process/posix.cpp src/journal/writer.cpp \
              src/config/loader.cpp src/metrics/metrics.cpp src/util/text.cpp src/app/app.cpp; do
    expect fails "$source" '<libpq-fe.h>' 'libpq is used only in src/postgres/'
done
for source in src/run/runner.cpp src/postgres/executor.cpp src/journal/records.cpp \
              src/app/app.cpp src/util/duration.cpp; do
    expect fails "$source" '<toml++/toml.h>' 'toml++ is used only in src/config/'
done
for source in src/run/runner.cpp src/postgres/executor.cpp src/config/parser.cpp \
              src/app/app.cpp src/process/signals.cpp; do
    expect fails "$source" '<systemd/sd-journal.h>' 'libsystemd is used only in src/journal/'
    expect fails "$source" '<systemd/sd-daemon.h>' 'libsystemd is used only in src/journal/'
done
for source in src/run/runner.cpp src/config/parser.cpp src/journal/history.cpp; do
    expect fails "$source" '<CLI/CLI.hpp>' 'CLI11 is used only in src/app/cli.cpp'
done

if ((failures)); then
    echo "FAIL: $failures edge rule(s) not enforced by the build"
    exit 1
fi
echo "PASS: every edge library compiles only in its folder"
