#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the Debian packages (source and binary) the way a packager would:
# `dpkg-buildpackage -us -uc` in a clean copy of the checkout holding only the
# files git knows about (tracked or new, not ignored) — no build directories.
# Needs the Build-Depends of debian/control: `apt-get build-dep ./`.
# Usage: tests/system/build-deb.sh [OUTPUT_DIR]   (default: build-deb/)
# Prints the path of the .deb on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-$root/build-deb}" && cd "${1:-$root/build-deb}" && pwd)
work=$(mktemp -d /tmp/periodic-tasks-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. A clean copy: what `git clone` plus the uncommitted work would give.
src=$work/periodic-tasks
mkdir "$src"
(
    cd "$root"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else # an unpacked tarball: everything but build output
        find . -path ./.git -prune -o -path './build*' -prune -o -path './obj-*' -prune \
            -o ! -type d -printf '%P\0'
    fi |
        while IFS= read -r -d '' f; do
            if [[ -e $f || -L $f ]]; then printf '%s\0' "$f"; fi
        done |
        xargs -0 cp -P --parents -t "$src"
)

# 2. Build it; the log is kept for when it fails.
rm -f "$out"/periodic-tasks_* "$out"/periodic-tasks-dbgsym_*
log=$out/dpkg-buildpackage.log
if ! (cd "$src" && dpkg-buildpackage -us -uc -j"$(nproc)") >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "build-deb: dpkg-buildpackage failed; full log: $log" >&2
    exit 1
fi
mv "$work"/periodic-tasks_* "$out"/
mv "$work"/periodic-tasks-dbgsym_* "$out"/ 2>/dev/null || true
ls "$out"/periodic-tasks_*.deb
