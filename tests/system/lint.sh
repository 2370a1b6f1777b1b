#!/bin/bash
# SPDX-License-Identifier: MIT
# Static checks of the package and units, each printing PASS or FAIL:
#   lintian        no error or warning on the .deb and the source package
#   hardening      hardening-check on the installed binary
#   verify         systemd-analyze verify (the units, a scheduled task's
#                  instances with the generator's drop-in, and the example
#                  OnFailure= handler): nothing at all on stderr
#   security       systemd-analyze security exposure <= 2.0
#   sandbox        periodic-tasks@.service has periodic-tasks.service's sandbox
#   catalog        one catalog entry per MESSAGE_ID in src/journal/event_log.hpp
#   config         the default config is valid, enables no task, and its
#                  commented examples are valid once uncommented
# Usage: tests/system/lint.sh [BUILD_DIR]   (BUILD_DIR holds the .changes and
# .deb from tests/system/build-deb.sh; built when not given). Exit 0 when all
# pass, 1 otherwise, 125 when a tool is missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in lintian hardening-check systemd-analyze dpkg-deb jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "lint: SKIP: $tool is not installed" >&2
        exit 125
    fi
done

T=$(mktemp -d /tmp/periodic-tasks-lint.XXXXXX)
trap 'rm -rf "$T"' EXIT
builds=${1:-}
if [[ -z $builds ]]; then
    builds=$T/debs
    "$root/tests/system/build-deb.sh" "$builds" >/dev/null || exit 1
fi
found=("$builds"/periodic-tasks_*.changes)
changes=${found[0]}
found=("$builds"/periodic-tasks_*_*.deb) # not periodic-tasks-dbgsym_*
deb=${found[0]}
pkgroot=$T/root
dpkg-deb -x "$deb" "$pkgroot"

passed=0 failed=0
report()
{
    if [[ $2 -eq 0 ]]; then
        passed=$((passed + 1))
        echo "PASS: lint $1"
    else
        failed=$((failed + 1))
        echo "FAIL: lint $1"
    fi
}

# lintian refuses to be happy as root; it only needs to read the files.
lint_lintian()
{
    chmod 755 "$T"
    # shellcheck disable=SC2054 # "error,warning" is one argument
    local run=(lintian --fail-on error,warning --info "$changes")
    if [[ $(id -u) -eq 0 ]] && id nobody >/dev/null 2>&1; then
        run=(runuser -u nobody -- env HOME="$T" "${run[@]}")
    fi
    "${run[@]}" | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

# Not control flow integrity: bookworm's glibc start files (Scrt1.o, crti.o)
# carry no IBT/SHSTK property, so no program linked on bookworm gets one, not
# even `int main(){}` built with -fcf-protection. Everything else must be there.
lint_hardening()
{
    hardening-check --nocfprotection "$pkgroot/usr/bin/periodic_tasks" | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

# verify needs the binary at its ExecStart= path and systemd's own units, so
# it runs against a root made of the package plus the host's unit directory.
lint_verify()
{
    local units=lib/systemd/system
    cp -an /lib/systemd/system/. "$pkgroot/$units/"
    # The example handler where an administrator puts it, and the commands it runs.
    mkdir -p "$pkgroot/etc/systemd/system" "$pkgroot/bin"
    cp "$pkgroot/usr/share/doc/periodic-tasks/examples/periodic-tasks-failure@.service" \
        "$pkgroot/etc/systemd/system/"
    cp -n /bin/sh /bin/journalctl "$pkgroot/bin/"
    # A scheduled task's instances, with the drop-in the generator writes
    # for it (a template timer alone has no OnCalendar=, by design); verify
    # --root reads no generator directory, so the drop-ins go to /etc.
    SYSTEMD_LOG_TARGET=console PERIODIC_TASKS_CONFIG="$root/packaging/examples/demo.toml" \
        "$pkgroot/lib/systemd/system-generators/periodic-tasks-generator" \
        "$T/generated" 2>"$T/generator.err" || return 1
    [[ -s $T/generator.err ]] && { sed 's/^/    /' "$T/generator.err"; return 1; }
    cp -r "$T"/generated/*.timer.d "$pkgroot/etc/systemd/system/"
    local instances
    instances=$(cd "$T/generated/timers.target.wants" && ls)
    [[ -n $instances ]] || { echo "    demo.toml schedules no task"; return 1; }
    local units_to_verify=("/$units/periodic-tasks.service" "/$units/periodic-tasks.timer"
        "/$units/periodic-tasks-reload.path" "/$units/periodic-tasks-reload.service"
        "/$units/periodic-tasks-schedules.target")
    for timer in $instances; do
        units_to_verify+=("$timer" "${timer%.timer}.service")
    done
    systemd-analyze verify --man=no --root="$pkgroot" "${units_to_verify[@]}" \
        periodic-tasks-failure@periodic-tasks.service.service 2>"$T/verify.err" >/dev/null
    local rc=$?
    sed 's/^/    /' "$T/verify.err"
    [[ $rc -eq 0 && ! -s $T/verify.err ]]
}

lint_security()
{
    systemd-analyze security --offline=true --threshold=20 \
        "$root/units/periodic-tasks.service" 2>&1 | tail -n 1 | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

# A scheduled task runs in the same sandbox as the unscheduled ones: the
# [Service] sections of periodic-tasks.service and periodic-tasks@.service are
# the same lines, comments included, but for ExecStart=.
lint_sandbox()
{
    service_section() {
        sed -n '/^\[Service\]/,$p' "$1" | grep -v '^ExecStart='
    }
    diff <(service_section "$root/units/periodic-tasks.service") \
        <(service_section "$root/units/periodic-tasks@.service") | sed 's/^/    /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || return 1
    grep -qx 'ExecStart=/usr/bin/periodic_tasks run --scheduled %i' \
        "$root/units/periodic-tasks@.service" || { echo "    ExecStart= of the template"; return 1; }
    echo "    periodic-tasks@.service has periodic-tasks.service's [Service] section"
}

lint_catalog()
{
    local ids entries
    ids=$(grep -o '"[0-9a-f]\{32\}"' "$root/src/journal/event_log.hpp" | tr -d '"' | sort)
    entries=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$root/packaging/periodic-tasks.catalog" | sort)
    if [[ $ids != "$entries" ]]; then
        diff <(echo "$ids") <(echo "$entries") | sed 's/^/    /'
        return 1
    fi
    echo "    $(wc -l <<<"$ids") MESSAGE_IDs, one entry each"
}

lint_config()
{
    local bin=$pkgroot/usr/bin/periodic_tasks config=$root/packaging/config.toml
    "$bin" --config "$config" check | sed 's/^/    /' || return 1
    local enabled
    enabled=$("$bin" --config "$config" list --json | jq '[.tasks[] | select(.enabled)] | length')
    [[ $enabled == 0 ]] || { echo "    $enabled tasks enabled by default"; return 1; }
    # The examples, uncommented: "# key = ", "# [[task]]", "# [databases.x]"
    # lose their "# ".
    sed -E 's/^# (\[\[task\]\]|\[settings\]|\[databases\.[a-z]+\]|[a-z_]+ = )/\1/' \
        "$config" >"$T/examples.toml"
    "$bin" --config "$T/examples.toml" check | sed 's/^/    examples: /' || return 1
    "$bin" --config "$root/packaging/examples/demo.toml" check | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

for check in lintian hardening verify security sandbox catalog config; do
    "lint_$check"
    report "$check" $?
done
echo "$passed passed, $failed failed (lint)"
((failed == 0))
