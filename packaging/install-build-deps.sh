#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what building periodic-tasks needs, from Debian 12 packages only;
# with --tests, also what the test suite needs (PostgreSQL, journald, the
# Debian packaging tools and systemd-nspawn for the system test).
set -eu
if [ "$(id -u)" -ne 0 ]; then
    echo "install-build-deps.sh: run as root (it uses apt-get)" >&2
    exit 77
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Build: compiler, CMake, the libraries, scdoc for the man pages.
apt-get install -y -qq --no-install-recommends \
    ca-certificates cmake ninja-build g++ pkg-config scdoc \
    libsystemd-dev libpq-dev libtomlplusplus-dev libcli11-dev doctest-dev \
    nlohmann-json3-dev libexpected-dev libfmt-dev systemd tzdata \
    >/dev/null
if [ "${1:-}" = "--tests" ]; then
    # Integration tests: real children, a throwaway PostgreSQL (and pgbouncer in front
    # of it, which the cluster store must refuse), a private journald,
    # promtool (package prometheus) for the metrics textfile and alert rules,
    # valgrind to count instructions where growth matters (not time), strace to
    # count system calls (how often a file is read, never how long it takes),
    # faketime for a cluster host whose clock is wrong;
    # then the Debian package, its lint and the system test in a booted container.
    apt-get install -y -qq --no-install-recommends \
        util-linux procps jq python3 postgresql-15 postgresql-client-15 pgbouncer \
        clang-format clang-tidy \
        valgrind strace \
        faketime \
        prometheus \
        debhelper dpkg-dev fakeroot lintian devscripts \
        systemd-container debootstrap \
        >/dev/null
fi
