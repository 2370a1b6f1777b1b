#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds (or finds) the cached Debian 12 root file system of the system test
# and prints its path. tests/run-all.sh starts it early, in the background, so
# that debootstrap downloads while the test suites compile; test_package.sh
# then finds it ready (or waits for it: the cache is locked while it builds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/system/container.sh
source "$here/container.sh"
ensure_rootfs
