#!/bin/bash
# SPDX-License-Identifier: MIT
# Every decision on TaskKind is an exhaustive switch, and -Werror=switch is in
# every build's flags (CMakeLists.txt, pt_settings): adding a kind stops the
# build at each place that needs thought. Proven on a copy of src/ with a third
# kind: each .cpp that names TaskKind is compiled (syntax only) with its exact
# flags from compile_commands.json and the copy first on the quoted-include
# path (-iquote comes before -I) and -Wno-error (a build without developer
# mode); the known decision sites must fail naming the new value, and the
# unmodified copy must compile (the positive control).
set -euo pipefail
: "${PT_BUILD_DIR:?PT_BUILD_DIR must name the build directory (ctest sets it)}"
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source directory (ctest sets it)}"
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C # the compiler's quotes in plain ASCII
new_value=shell_script
message="enumeration value '$new_value' not handled in switch"
# The places that decide on a task's kind; each must fail with $message.
decision_sites=(src/config/config.cpp src/config/parser.cpp src/run/runner.cpp
                src/journal/records.cpp src/metrics/metrics.cpp src/app/summary.cpp)

for tree in control changed; do
    mkdir -p "$T/$tree"
    cp -r "$PT_SOURCE_DIR/src" "$T/$tree/src"
done
header="$T/changed/src/config/config.hpp"
sed -i "s/enum class TaskKind { command, sql };/enum class TaskKind { command, sql, $new_value };/" \
    "$header"
if ! grep -q "$new_value" "$header"; then
    echo "FAIL: found no 'enum class TaskKind { command, sql };' in src/config/config.hpp to extend"
    exit 1
fi
mapfile -t sources < <(cd "$PT_SOURCE_DIR" && grep -rl --include='*.cpp' 'TaskKind' src | sort)

# compile TREE SOURCE: compiles TREE's copy of SOURCE as the build compiles
# SOURCE; leaves the diagnostics in $T/TREE/<source>.err and the status in .rc.
compile() {
    local tree=$1 source=$2 out="$T/$1/${2//\//_}" rc=0
    python3 "$here/compile_as.py" "$PT_BUILD_DIR" "$source" "$T/$tree/$source" \
        -- -iquote "$T/$tree/src" -Wno-error 2>"$out.err" || rc=$?
    echo "$rc" >"$out.rc"
}

# Two compilers at a time: the machines running the tests have few cores.
for tree in control changed; do
    for source in "${sources[@]}"; do
        if (($(jobs -rp | wc -l) >= 2)); then
            wait -n
        fi
        compile "$tree" "$source" &
    done
done
wait

failures=0
for source in "${sources[@]}"; do
    if [[ $(<"$T/control/${source//\//_}.rc") != 0 ]]; then
        echo "FAIL: $source does not compile from the unmodified copy (positive control)"
        head -n 5 "$T/control/${source//\//_}.err" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
done

failed=()
for source in "${sources[@]}"; do
    err="$T/changed/${source//\//_}.err"
    if [[ $(<"$T/changed/${source//\//_}.rc") == 0 ]]; then
        continue
    fi
    if ! grep -qF "$message" "$err"; then
        echo "FAIL: $source fails with the new kind, but not for an unhandled switch case"
        head -n 5 "$err" | sed 's/^/    /'
        failures=$((failures + 1))
        continue
    fi
    failed+=("$source")
    echo "ok: $source fails: $(grep -cF "$message" "$err") switch(es) do not handle '$new_value'"
done
for site in "${decision_sites[@]}"; do
    if [[ " ${failed[*]} " != *" $site "* ]]; then
        echo "FAIL: $site decides on TaskKind but compiles with '$new_value' added"
        failures=$((failures + 1))
    fi
done

if ((failures)); then
    echo "FAIL: $failures place(s) where a new TaskKind would not stop the build"
    exit 1
fi
echo "PASS: a new TaskKind stops the build in ${#failed[@]} files: ${failed[*]}"
