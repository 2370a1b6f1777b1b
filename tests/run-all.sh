#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole test suite, as CI runs it: installs the build dependencies, builds,
# runs unit and integration tests, then does it again under AddressSanitizer
# and UndefinedBehaviorSanitizer; then builds the Debian package, lints it and
# runs the system test in a booted container. Run as root from anywhere in the
# checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-build-deps.sh --tests

# The system test's container rootfs (cached; debootstrap takes minutes on a
# fresh machine) downloads in the background while the suites build. Its own
# process group, so that an early failure here stops it too.
mkdir -p build-deb
setsid tests/system/prepare-rootfs.sh >build-deb/rootfs.log 2>&1 &
rootfs_job=$!
trap 'kill -- -"$rootfs_job" 2>/dev/null || true' EXIT

# Formatting is mechanical (.clang-format): a diff fails the suite before any build.
echo "=== format"
clang-format --dry-run --Werror src/*.cpp src/*/*.cpp src/*/*.hpp tests/unit/*.cpp \
    tests/unit/*.hpp tests/unit/*/*.cpp tests/helpers/*.cpp
echo "PASS: clang-format"

# run_suite DIR [CMAKE_ARGS...]: builds DIR and runs its tests; $CTEST_ARGS
# adds ctest options (e.g. labels to leave out).
run_suite() {
    local dir=$1
    shift
    echo "=== build $dir ($*)"
    cmake -S . -B "$dir" -G Ninja -DPT_DEVELOPER_MODE=ON "$@" >/dev/null
    cmake --build "$dir"
    echo "=== test $dir"
    # shellcheck disable=SC2086 # CTEST_ARGS is a list of words
    ctest --test-dir "$dir" --output-on-failure -j2 ${CTEST_ARGS:-}
}

run_suite build

# Static analysis as .clang-tidy declares it (WarningsAsErrors: every finding
# fails), on every source file with the flags the build used.
echo "=== clang-tidy"
if run-clang-tidy -p build -j "$(nproc)" -quiet "$PWD/src/.*\.cpp\$" >build/clang-tidy.log 2>&1; then
    echo "PASS: clang-tidy"
else
    grep -E "(warning|error):" build/clang-tidy.log | sort -u
    echo "FAIL: clang-tidy (build/clang-tidy.log)"
    exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Valgrind cannot run a sanitizer build: the `valgrind` tests (instruction
# counts) ran in the plain build above.
# The races run whole in the plain pass (200 slots each); under the sanitizers,
# which look for memory and undefined-behaviour errors rather than lost races,
# a quarter (50 slots) and half (100 rounds): the same code paths in less time.
PT_HOSTS_RACE_ROUNDS=25 PT_CLUSTER_RACE_ROUNDS=100 \
    CTEST_ARGS="-LE valgrind" run_suite build-sanitize -DPT_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug

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
if ! wait "$rootfs_job"; then
    echo "FAIL: system test (no container rootfs; see build-deb/rootfs.log)"
    tail -n 20 build-deb/rootfs.log
    exit 1
fi
tests/system/test_package.sh "$deb" || status=1
exit "$status"
