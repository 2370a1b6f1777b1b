#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole test suite, as CI runs it: installs the build dependencies, builds,
# runs unit and integration tests, then does it again under AddressSanitizer
# and UndefinedBehaviorSanitizer. Run as root from anywhere in the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-build-deps.sh --tests

run_suite() {
    local dir=$1
    shift
    echo "=== build $dir ($*)"
    cmake -S . -B "$dir" -G Ninja -DPT_DEVELOPER_MODE=ON "$@" >/dev/null
    cmake --build "$dir"
    echo "=== test $dir"
    ctest --test-dir "$dir" --output-on-failure -j2
}

run_suite build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-sanitize -DPT_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug

# Packaging: build the .deb once from a clean copy of the checkout, lint it,
# then install it into a booted Debian 12 container (tests/system/).
# nocheck: the unit tests already ran twice above.
echo "=== package"
if deb=$(DEB_BUILD_OPTIONS=nocheck tests/system/build-deb.sh build-deb | tail -n 1); then
    echo "PASS: package $(basename "$deb")"
else
    echo "FAIL: package (dpkg-buildpackage)"
    exit 1
fi
status=0
echo "=== lint"
tests/system/lint.sh build-deb || status=1
echo "=== system test"
tests/system/test_package.sh "$deb" || status=1
exit "$status"
