# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by the system test: a cached Debian 12 root file system and a booted
# systemd-nspawn container on top of it.
#
# The root file system is debootstrapped once per package list and kept under
# $PT_ROOTFS_CACHE (default /var/cache/periodic-tasks-test), keyed by a hash of
# everything that goes into it, so a changed list builds a new one. The
# container boots an overlay of it: every change (the package, the state)
# goes to the overlay's upper directory, which the test owns, so the cache
# stays pristine and each run starts from the same state, while the machine
# can be shut down and booted again with its changes (container_reboot_after).
#
# The host's PID 1 is not systemd and there is no dbus on the host, hence
# --register=no --keep-unit. Commands enter the container's namespaces with
# nsenter, in a clean environment (nothing of the CI job's leaks in).

k_suite=bookworm
# Boot: systemd and dbus. Our package's run-time libraries, so installing it
# needs no network. Tools the sandbox must not break: PostgreSQL (socket, TCP,
# pg_dump), rsync, curl, python3; procps for pgrep; bash-completion.
k_rootfs_packages="systemd,systemd-sysv,dbus,libfmt9,libtomlplusplus3,libpq5,postgresql,postgresql-client,rsync,curl,python3,procps,bash-completion"
k_rootfs_recipe=1 # bump to rebuild every cached rootfs

# Prints the Debian mirror the host uses (deb822 or one-line sources).
debian_mirror()
{
    local mirror=
    if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
        mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z $mirror && -r /etc/apt/sources.list ]]; then
        mirror=$(awk '$1 == "deb" && $0 ~ /debian/ && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list)
    fi
    echo "${mirror:-http://deb.debian.org/debian}"
}

# Prints the path of the cached rootfs, debootstrapping it first when missing
# (about 5 minutes). Concurrent callers wait for each other.
ensure_rootfs()
{
    local cache=${PT_ROOTFS_CACHE:-/var/cache/periodic-tasks-test}
    local mirror key dir
    mirror=$(debian_mirror)
    key=$(printf '%s\n' "$k_rootfs_recipe" "$k_suite" minbase "$mirror" "$k_rootfs_packages" |
        sha256sum | cut -c1-16)
    dir=$cache/rootfs-$key
    mkdir -p "$cache"
    (
        flock 9
        if [[ -x $dir/lib/systemd/systemd ]]; then
            exit 0
        fi
        echo "system test: building the container rootfs $dir (debootstrap $k_suite from $mirror)" >&2
        rm -rf "$dir.tmp"
        if ! debootstrap --variant=minbase --include="$k_rootfs_packages" \
            "$k_suite" "$dir.tmp" "$mirror" >"$cache/debootstrap-$key.log" 2>&1; then
            tail -n 30 "$cache/debootstrap-$key.log" >&2
            rm -rf "$dir.tmp"
            exit 1
        fi
        apt-get -o RootDir="$dir.tmp" clean >/dev/null 2>&1 || true
        # Drop rootfs caches built from other package lists.
        find "$cache" -maxdepth 1 -name 'rootfs-*' ! -name "rootfs-$key*" -exec rm -rf {} +
        mv "$dir.tmp" "$dir"
    ) 9>"$cache/lock" >&2 || return 1
    echo "$dir"
}

# container_start ROOTFS LOGFILE OVERLAY_DIR [nspawn options...]: boots an
# overlay of ROOTFS (changes in OVERLAY_DIR/upper, mounted on
# OVERLAY_DIR/merged, which container_unmount removes) and waits until systemd
# reports the system running. Sets NSPAWN_PID and CONTAINER_PID, and keeps
# the arguments for container_reboot_after.
container_start()
{
    CONTAINER_ARGS=("$@")
    local rootfs=$1 log=$2 overlay=$3
    shift 3
    mkdir -p "$overlay/upper" "$overlay/work" "$overlay/merged"
    if ! mountpoint -q "$overlay/merged"; then
        mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$overlay/upper,workdir=$overlay/work" \
            "$overlay/merged" || return 1
    fi
    CONTAINER_OVERLAY=$overlay
    setsid systemd-nspawn --quiet -D "$overlay/merged" --register=no --keep-unit \
        --boot --console=pipe "$@" >>"$log" 2>&1 </dev/null &
    NSPAWN_PID=$!
    CONTAINER_PID=
    local deadline=$((SECONDS + 60))
    while [[ -z $CONTAINER_PID ]]; do
        if ! kill -0 "$NSPAWN_PID" 2>/dev/null || ((SECONDS > deadline)); then
            echo "system test: the container did not start; nspawn log:" >&2
            tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
        CONTAINER_PID=$(pgrep -P "$NSPAWN_PID" -x systemd || true)
    done
    # Until PID 1 listens on its private bus, systemctl cannot connect.
    local state=
    while ! state=$(in_ctr timeout 120 systemctl is-system-running --wait 2>&1) &&
        [[ $state == *"Failed to connect to bus"* ]]; do
        if ((SECONDS > deadline)); then
            break
        fi
        sleep 0.2
    done
    # The checks run in subshells: one that boots the machine again leaves
    # the new pids here for container_refresh in the parent.
    echo "$NSPAWN_PID $CONTAINER_PID" >"$overlay/pids"
    if [[ $state == degraded ]]; then
        echo "system test: warning: the container is degraded:" >&2
        in_ctr systemctl --failed --no-pager --plain >&2 || true
    elif [[ $state != running ]]; then
        echo "system test: the container's system is '$state', not running" >&2
        in_ctr systemctl --failed --no-pager --plain >&2 || true
        return 1
    fi
}

# container_reboot_after SECONDS: shuts the container down cleanly, leaves it
# off for SECONDS, and boots it again with its changes (the machine was off).
container_reboot_after()
{
    container_stop
    sleep "$1"
    container_start "${CONTAINER_ARGS[@]}"
}

# Takes the pids of the container as container_start last left them (a check
# in a subshell may have booted it again).
container_refresh()
{
    [[ -n ${CONTAINER_OVERLAY:-} && -r $CONTAINER_OVERLAY/pids ]] || return 0
    read -r NSPAWN_PID CONTAINER_PID <"$CONTAINER_OVERLAY/pids"
}

# Unmounts the overlay of container_start (after container_stop).
container_unmount()
{
    [[ -n ${CONTAINER_OVERLAY:-} ]] || return 0
    umount "$CONTAINER_OVERLAY/merged" 2>/dev/null || umount -l "$CONTAINER_OVERLAY/merged" 2>/dev/null || true
    CONTAINER_OVERLAY=
}

# Stops the container started by container_start: SIGTERM makes nspawn halt it
# cleanly; SIGKILL after 30 s. Safe to call twice or when nothing started.
container_stop()
{
    [[ -n ${NSPAWN_PID:-} ]] || return 0
    kill -TERM "$NSPAWN_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$NSPAWN_PID" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    wait "$NSPAWN_PID" 2>/dev/null || true
    NSPAWN_PID=
}

# in_ctr COMMAND...: runs COMMAND as root inside the container.
in_ctr()
{
    nsenter -t "$CONTAINER_PID" -m -u -i -p -- \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER= "$@"
}
