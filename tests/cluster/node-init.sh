#!/bin/bash
# PID 1 of one cluster node, started by pcmk-harness.sh as
#
#   ip netns exec NETNS unshare --mount --uts --ipc --pid --fork \
#       --mount-proc --kill-child=SIGKILL bash node-init.sh NODEDIR N
#
# It builds the node's private view of the file system (tmpfs on /run and
# /dev/shm, bind mounts over the cluster stack's directories, the agents
# overlay), starts corosync and pacemakerd, reaps orphans, and on TERM
# stops pacemakerd, then corosync, and exits (which ends the node's PID
# namespace).  If pacemakerd exits by itself (e.g. "allegedly fenced"), the
# node halts the same way.  Messages go to NODEDIR/console.log.

set -u
ndir=$1
n=$2
rundir=${ndir%/*}
stop_timeout=${PC_STOP_TIMEOUT:-60}
cs_pid=""
pm_pid=""

log() {
    printf '%s node%s init: %s\n' "$(date '+%F %T')" "$n" "$*"
}

die() {
    log "$*"
    exit 1
}

# The node's file system: nothing here reaches the host's mount namespace
# (unshare makes every mount private).
mount -t tmpfs -o mode=0755,size=64m tmpfs /run || die "tmpfs /run"
mount -t tmpfs -o mode=1777,size=256m tmpfs /dev/shm || die "tmpfs /dev/shm"
mount --bind "$ndir/etc-corosync" /etc/corosync || die "bind /etc/corosync"
mount --bind "$ndir/lib-corosync" /var/lib/corosync || die "bind /var/lib/corosync"
mount --bind "$ndir/lib-pacemaker" /var/lib/pacemaker || die "bind /var/lib/pacemaker"
mount --bind "$ndir/log" /var/log || die "bind /var/log"
mount --bind "$rundir/hosts" /etc/hosts || die "bind /etc/hosts"
if [ -d /var/lib/mysql ]; then
    mount --bind "$ndir/lib-mysql" /var/lib/mysql || die "bind /var/lib/mysql"
fi
if [ -d /var/lib/pcsd ]; then
    mount --bind "$ndir/lib-pcsd" /var/lib/pcsd || die "bind /var/lib/pcsd"
fi
hostname "node$n"

mkdir -p /run/crm /run/mysqld /run/lock /run/pcsd
chown hacluster:haclient /run/crm
chmod 0750 /run/crm
chown mysql:mysql /run/mysqld
chmod 0755 /run/mysqld

# Agents of an uninstalled build (pc_overlay_agents): read-only overlays,
# the stage's files over the host's.
if [ -f "$rundir/overlay" ]; then
    stage=$(cat "$rundir/overlay")
    for d in usr/lib/ocf/resource.d usr/sbin; do
        [ -d "$stage/$d" ] || continue
        mountpoint -q "/$d" && continue
        mount -t overlay overlay -o "ro,lowerdir=$stage/$d:/$d" "/$d" \
            || die "overlay over /$d"
    done
fi

# Hook (fencing devices, MariaDB, ...): an executable run inside the node
# before the cluster stack starts, with the node number as argument.
if [ -x "$rundir/node-hook" ]; then
    "$rundir/node-hook" "$n" || die "node-hook failed ($?)"
fi

stop_node() {
    local i
    trap '' TERM
    log "stopping"
    if [ -n "$pm_pid" ] && kill -0 "$pm_pid" 2>/dev/null; then
        kill -TERM "$pm_pid"
        for ((i = 0; i < stop_timeout * 10; i++)); do
            kill -0 "$pm_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pm_pid" 2>/dev/null && log "pacemakerd ignored TERM for ${stop_timeout}s"
    fi
    if [ -n "$cs_pid" ] && kill -0 "$cs_pid" 2>/dev/null; then
        kill -TERM "$cs_pid"
        for ((i = 0; i < 200; i++)); do
            kill -0 "$cs_pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    log "stopped"
    # Leaving PID 1 kills whatever is left in the namespace.
    exit 0
}
trap stop_node TERM INT

export PCMK_logfile=/var/log/pacemaker/pacemaker.log
export PCMK_logfacility=none HA_LOGFACILITY=none
export HA_logfile=/var/log/pacemaker/pacemaker.log
export PCMK_debug=${PCMK_debug:-no}

corosync -f </dev/null &
cs_pid=$!
for ((i = 0; i < 100; i++)); do
    corosync-cfgtool -s >/dev/null 2>&1 && break
    kill -0 "$cs_pid" 2>/dev/null || die "corosync exited"
    sleep 0.1
done
corosync-cfgtool -s >/dev/null 2>&1 || die "corosync not ready after 10s"
log "corosync up (PID $cs_pid)"

pacemakerd </dev/null &
pm_pid=$!
log "pacemakerd started (PID $pm_pid)"

# Reap orphans (bash collects every child on SIGCHLD, adopted ones too) and
# halt when pacemakerd is gone.
while :; do
    sleep 1 &
    wait $!
    if ! kill -0 "$pm_pid" 2>/dev/null; then
        wait "$pm_pid"
        log "pacemakerd exited ($?): halting"
        pm_pid=""
        stop_node
    fi
done
