#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what building and testing periodic-tasks needs, from Debian 12 packages only.
set -eu
if [ "$(id -u)" -ne 0 ]; then
    echo "install-build-deps.sh: run as root (it uses apt-get)" >&2
    exit 77
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    ca-certificates cmake ninja-build g++ pkg-config \
    libsystemd-dev libpq-dev libtomlplusplus-dev libcli11-dev doctest-dev \
    nlohmann-json3-dev libexpected-dev libfmt-dev \
    systemd util-linux procps jq python3 tzdata \
    >/dev/null
# Man pages (scdoc, needed by every build), the Debian package, its lint and
# the system test in a booted container (tests/system/).
apt-get install -y -qq --no-install-recommends \
    scdoc debhelper dpkg-dev fakeroot lintian devscripts \
    systemd-container debootstrap \
    >/dev/null
