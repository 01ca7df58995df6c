# Test harness: a real Pacemaker + corosync cluster of N nodes on this one
# machine, each node in its own network, mount, UTS, IPC and PID namespace.
# Source it from bash (as root); it defines pc_* functions and starts
# nothing by itself.
#
#   . pcmk-harness.sh
#   pc_init                         # new run dir under $MYHA_TEST_BASE
#   pc_cleanup_on_exit              # tear the cluster down however we end
#   pc_overlay_agents "$stage"      # a `make install DESTDIR=` tree
#   pc_up 3                         # nodes 1..3 online, a DC elected
#   pc_exec 1 crm_mon -1            # any command inside node 1
#   pc_down
#
# Node N is "nodeN" at 10.99.0.N/24 on a bridge in a hub network namespace;
# those addresses exist only inside namespaces this harness creates.  The
# nodes see the host's file system except for a private /run and /dev/shm
# and their own /etc/corosync, /etc/hosts, /var/lib/corosync,
# /var/lib/pacemaker, /var/lib/pcsd, /var/lib/mysql and /var/log
# (RUNDIR/nN/...), so MariaDB runs there with its default datadir and
# /run/mysqld/mysqld.sock.
#
# A persistent run is attached again from another shell:
#   pc_init --persistent DIR; pc_up 3     (later, elsewhere)
#   pc_init --persistent DIR; pc_down
#
# Every node's `unshare` PID is recorded in RUNDIR/nN/pid with its start
# time, and only a recorded PID whose start time and command line (which
# names the node directory) still match is ever signalled.  Network
# namespaces are named after the run (RUNDIR/netns-prefix) and listed in
# $MYHA_TEST_BASE/pcmk-netns, so that a crashed run leaves nothing the next
# one trips over.  Messages go to stderr: stdout belongs to the caller (TAP).

PC_BASE="${MYHA_TEST_BASE:-/tmp/myha-test}"
PC_UP_TIMEOUT="${PC_UP_TIMEOUT:-60}"     # seconds until all nodes are online
PC_STOP_TIMEOUT="${PC_STOP_TIMEOUT:-60}" # seconds for pacemakerd to stop
PC_SUBNET="${PC_SUBNET:-10.99.0}"        # node N is $PC_SUBNET.N/24
PC_CLUSTER_NAME="${PC_CLUSTER_NAME:-myha}"
PC_TOKEN="${PC_TOKEN:-1000}"             # corosync totem.token, ms
PC_DC_DEADTIME="${PC_DC_DEADTIME:-5s}"
# Cluster options seeded into a new CIB (name=value).  Fencing comes later:
# replace stonith-enabled=false, or add devices with pcs once the cluster
# is up.  no-quorum-policy defaults to "stop" (3+ nodes; with 1 node
# votequorum is quorate by itself; 2 nodes get corosync two_node).
PC_PROPERTIES=(
    "dc-deadtime=$PC_DC_DEADTIME"
    "stonith-enabled=${PC_STONITH_ENABLED:-false}"
    "no-quorum-policy=${PC_NO_QUORUM_POLICY:-stop}"
    "cluster-name=$PC_CLUSTER_NAME"
    "cluster-recheck-interval=1min"
)
PC_RUNDIR=""
PC_PERSISTENT=0
PC_CHILD_PIDS=() # caller's own children, sent TERM on INT/TERM/HUP
PC_AT_EXIT=()    # commands (eval'd) run at exit after pc_down
PC_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../lib/proc.sh
. "$PC_HARNESS_DIR/../lib/proc.sh"
PC_UNSHARE=(unshare --mount --uts --ipc --pid --fork --mount-proc
    --kill-child=SIGKILL)

_pc_log() {
    printf 'pcmk-harness: %s\n' "$*" >&2
}

_pc_die() {
    _pc_log "$*"
    return 1
}

_pc_need_init() {
    if [ -z "$PC_RUNDIR" ]; then
        _pc_die "pc_init has not been called"
        return 1
    fi
}

# True if PID is alive and its argv names the node directory NDIR, i.e. it
# is still the `unshare` of that node and not some reuse of its PID.
_pc_pid_is_node() {
    proc_has_arg "$1" "$2"
}

# Echo the recorded unshare PID of node directory NDIR if it is still that
# node; fail otherwise.
_pc_ndir_pid() {
    local ndir=$1 pid start
    [ -f "$ndir/pid" ] || return 1
    read -r pid start <"$ndir/pid" || return 1
    [ "$(proc_starttime "$pid")" = "$start" ] || return 1
    _pc_pid_is_node "$pid" "$ndir" || return 1
    printf '%s\n' "$pid"
}

# Kill node directory NDIR's namespace (SIGKILL of its unshare takes the
# whole PID namespace down) and wait until its PID 1 is gone.
_pc_kill_ndir() {
    local ndir=$1 pid pid1 i
    pid=$(_pc_ndir_pid "$ndir") || {
        rm -f "$ndir/pid"
        return 0
    }
    pid1=$(_pc_child_of "$pid")
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        proc_alive "$pid" || { [ -n "$pid1" ] && proc_alive "$pid1"; } || break
        sleep 0.1
    done
    if proc_alive "$pid"; then
        _pc_die "cannot kill node $ndir (PID $pid)"
        return 1
    fi
    rm -f "$ndir/pid"
}

# Echo the (first) child of PID: a node's PID 1 is the child of its unshare.
_pc_child_of() {
    local c
    c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 0
    printf '%s\n' "${c%% *}"
}

# Delete the network namespaces whose name starts with PREFIX.
_pc_del_netns() {
    local prefix=$1 ns
    [ -n "$prefix" ] || return 0
    while read -r ns _; do
        case $ns in
        "$prefix"*) ip netns del "$ns" || _pc_log "cannot delete netns $ns" ;;
        esac
    done < <(ip netns list 2>/dev/null)
}

# True if the run directory DIR belongs to a shell that is gone.
_pc_run_is_stale() {
    local dir=$1 pid start
    [ -f "$dir/owner" ] || return 1 # persistent, or already reaped
    read -r pid start <"$dir/owner" || return 0
    proc_alive "$pid" || return 0
    [ "$(proc_starttime "$pid")" = "$start" ] && return 1
    return 0
}

# Everything of run directory DIR goes: node namespaces, network
# namespaces, the netns registration.
_pc_teardown_dir() {
    local dir=$1 ndir prefix
    for ndir in "$dir"/n[0-9]*; do
        [ -d "$ndir" ] && _pc_kill_ndir "$ndir"
    done
    prefix=$(cat "$dir/netns-prefix" 2>/dev/null)
    if [ -n "$prefix" ]; then
        _pc_del_netns "$prefix"
        rm -f "$PC_BASE/pcmk-netns/$prefix"
    fi
}

# Kill what crashed earlier runs under PC_BASE left behind, delete network
# namespaces whose run directory is gone, and forget run directories
# reaped more than a day ago.
_pc_reap_stale() {
    local dir link prefix target
    [ -d "$PC_BASE" ] || return 0
    for dir in "$PC_BASE"/pcmk.*; do
        [ -d "$dir" ] || continue
        [ "$dir" = "$PC_RUNDIR" ] && continue
        if _pc_run_is_stale "$dir"; then
            _pc_log "reaping stale run $dir"
            _pc_teardown_dir "$dir"
            rm -f "$dir/owner"
            touch "$dir/reaped"
        fi
    done
    for link in "$PC_BASE"/pcmk-netns/*; do
        [ -L "$link" ] || continue
        prefix=${link##*/}
        target=$(readlink "$link")
        [ "$target" = "$PC_RUNDIR" ] && continue
        if [ ! -d "$target" ] || [ "$(cat "$target/netns-prefix" 2>/dev/null)" != "$prefix" ]; then
            if ip netns list 2>/dev/null | grep -q "^$prefix"; then
                _pc_log "deleting network namespaces $prefix* of vanished run $target"
            fi
            _pc_kill_orphan_nodes "$target"
            _pc_del_netns "$prefix"
            rm -f "$link"
        fi
    done
    find "$PC_BASE" -mindepth 2 -maxdepth 2 -path "$PC_BASE/pcmk.*/reaped" -mtime +0 \
        -printf '%h\0' | xargs -0 -r rm -rf
}

# Node processes of a run directory DIR that was deleted under them: our
# own `unshare ... node-init.sh DIR/nN N` command lines, found in /proc.
_pc_kill_orphan_nodes() {
    local dir=$1 p arg
    local -a args
    for p in /proc/[0-9]*; do
        mapfile -d '' args 2>/dev/null <"$p/cmdline" || continue
        [ "${args[0]:-}" = unshare ] || continue
        for arg in "${args[@]}"; do
            case $arg in
            "$dir"/n[0-9]*)
                _pc_log "killing orphan node ${p#/proc/} ($arg)"
                kill -KILL "${p#/proc/}" 2>/dev/null
                break
                ;;
            esac
        done
    done
}

##
# pc_init [--persistent] [RUNDIR]
#
# Start using RUNDIR (default: a new directory $MYHA_TEST_BASE/pcmk.XXXXXX).
# A run that is not persistent belongs to this shell: once the shell is
# gone, the next pc_init tears down its nodes and network namespaces.
# Sets PC_RUNDIR.
pc_init() {
    local persistent=0 dir pid start prefix
    if [ "${1:-}" = "--persistent" ]; then
        persistent=1
        shift
    fi
    if [ "$(id -u)" != 0 ]; then
        _pc_die "needs root (namespaces, mounts)"
        return 1
    fi
    mkdir -p "$PC_BASE/pcmk-netns" || return 1
    if [ -n "${1:-}" ]; then
        mkdir -p "$1" || return 1
        dir=$(cd "$1" && pwd -P) || return 1
    else
        dir=$(mktemp -d "$PC_BASE/pcmk.XXXXXX") || return 1
        dir=$(cd "$dir" && pwd -P) || return 1
    fi
    if [ "$persistent" = 0 ] && [ -f "$dir/persistent" ]; then
        _pc_die "run directory $dir is persistent: use pc_init --persistent"
        return 1
    fi
    if [ "$persistent" = 0 ] && [ -f "$dir/owner" ] && ! _pc_run_is_stale "$dir"; then
        read -r pid start <"$dir/owner"
        if [ "$pid" != "$$" ]; then
            _pc_die "run directory $dir is in use by PID $pid"
            return 1
        fi
    fi
    PC_RUNDIR=$dir
    PC_PERSISTENT=$persistent
    if [ ! -f "$dir/netns-prefix" ]; then
        # Short and unique per run directory; ends in '-' so that no prefix
        # is a prefix of another's names.
        prefix="myhapc$(printf '%s' "$dir" | cksum | cut -d' ' -f1)-"
        printf '%s\n' "$prefix" >"$dir/netns-prefix"
    fi
    prefix=$(cat "$dir/netns-prefix")
    ln -sfn "$dir" "$PC_BASE/pcmk-netns/$prefix"
    _pc_reap_stale
    if [ "$persistent" = 1 ]; then
        rm -f "$dir/owner"
        touch "$dir/persistent"
    else
        # A stale run reused by name: its nodes go first.
        _pc_run_is_stale "$dir" && _pc_teardown_dir "$dir" \
            && ln -sfn "$dir" "$PC_BASE/pcmk-netns/$prefix"
        printf '%s %s\n' "$$" "$(proc_starttime "$$")" >"$dir/owner"
    fi
}

_pc_prefix() { cat "$PC_RUNDIR/netns-prefix"; }
_pc_ndir() { printf '%s/n%s\n' "$PC_RUNDIR" "$1"; }

##
# pc_ip N: the address of node N.  pc_netns N: its network namespace name
# (usable with `ip netns exec`/`ip -n`).  pc_hub_netns: the hub's, whose
# bridge has the address pc_hub_ip ($PC_SUBNET.254), e.g. for BMC
# simulators the nodes' fence agents talk to.
pc_ip() { printf '%s.%s\n' "$PC_SUBNET" "$1"; }
pc_hub_ip() { printf '%s.254\n' "$PC_SUBNET"; }
pc_netns() { printf '%sn%s\n' "$(_pc_prefix)" "$1"; }
pc_hub_netns() { printf '%shub\n' "$(_pc_prefix)"; }

##
# pc_hub_exec CMD [ARG...]: run CMD in the hub's network namespace (only).
pc_hub_exec() {
    _pc_need_init || return 1
    ip netns exec "$(pc_hub_netns)" "$@"
}

##
# pc_client_up: a client machine on the bridge, outside the cluster: its
# own network namespace at pc_client_ip ($PC_SUBNET.200), e.g. for an
# application writing through a virtual IP.  pc_client_exec CMD [ARG...]
# runs CMD there (network namespace only; it sees the host's files).
# Deleted with the run's other namespaces by pc_down.
pc_client_ip() { printf '%s.200\n' "$PC_SUBNET"; }
pc_client_netns() { printf '%scl\n' "$(_pc_prefix)"; }
pc_client_up() {
    local hub ns
    _pc_need_init || return 1
    hub=$(pc_hub_netns)
    ns=$(pc_client_netns)
    [ -e "/run/netns/$hub" ] || _pc_die "no hub network namespace: pc_up first" || return 1
    [ -e "/run/netns/$ns" ] && return 0
    ip netns add "$ns" || return 1
    ip -n "$hub" link add hcl type veth peer name eth0 netns "$ns" || return 1
    ip -n "$hub" link set hcl master br0 up || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$(pc_client_ip)/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up
}
pc_client_exec() {
    _pc_need_init || return 1
    ip netns exec "$(pc_client_netns)" "$@"
}

##
# pc_link_down N / pc_link_up N: cut node N off the bridge (its port on
# the bridge goes down: a network partition of that node; it keeps
# running) and connect it again.  pc_link_is_up N.
pc_link_down() {
    _pc_need_init || return 1
    ip -n "$(pc_hub_netns)" link set "h$1" down
}
pc_link_up() {
    _pc_need_init || return 1
    ip -n "$(pc_hub_netns)" link set "h$1" up
}
pc_link_is_up() {
    ip -n "$(pc_hub_netns)" -o link show "h$1" 2>/dev/null | grep -q '[<,]UP[,>]'
}

##
# pc_nodes: the node numbers of this run, one per line.
pc_nodes() {
    local i
    _pc_need_init || return 1
    [ -f "$PC_RUNDIR/nodes" ] || return 0
    for ((i = 1; i <= $(cat "$PC_RUNDIR/nodes"); i++)); do
        printf '%s\n' "$i"
    done
}

##
# pc_node_pid N: the host PID of node N's `unshare` (SIGKILL of it is a
# power cut).  pc_node_pid1 N: the host PID of the node's PID 1 (the target
# for nsenter).  Both fail if the node is not running.
pc_node_pid() {
    _pc_need_init || return 1
    _pc_ndir_pid "$(_pc_ndir "$1")"
}

pc_node_pid1() {
    local pid pid1
    pid=$(pc_node_pid "$1") || {
        _pc_die "node $1 is not running"
        return 1
    }
    pid1=$(_pc_child_of "$pid")
    if [ -z "$pid1" ]; then
        _pc_die "node $1 has no PID 1"
        return 1
    fi
    printf '%s\n' "$pid1"
}

##
# pc_is_running N: true if node N's namespaces exist.
pc_is_running() {
    pc_node_pid "$1" >/dev/null 2>&1
}

##
# pc_exec N CMD [ARG...]
#
# Run CMD inside node N (its mount, network, UTS, IPC and PID namespaces,
# working directory /).  stdin, stdout and stderr pass through; the exit
# status is CMD's.
pc_exec() {
    local n=$1 pid1
    shift
    pid1=$(pc_node_pid1 "$n") || return 125
    nsenter -t "$pid1" -m -u -i -n -p --wd=/ -- "$@"
}

##
# pc_overlay_agents STAGE
#
# Make the agents of a `make install DESTDIR=STAGE` tree visible inside the
# nodes: read-only overlays of STAGE/usr/lib/ocf/resource.d over
# /usr/lib/ocf/resource.d and of STAGE/usr/sbin over /usr/sbin (if the stage
# has it), in running nodes now and in every node started later.  The
# host's /usr is never touched.
pc_overlay_agents() {
    local stage n d
    _pc_need_init || return 1
    stage=$(cd "${1:?pc_overlay_agents STAGE}" && pwd -P) || return 1
    if [ ! -d "$stage/usr/lib/ocf/resource.d" ] && [ ! -d "$stage/usr/sbin" ]; then
        _pc_die "$stage has neither usr/lib/ocf/resource.d nor usr/sbin"
        return 1
    fi
    printf '%s\n' "$stage" >"$PC_RUNDIR/overlay"
    for n in $(pc_nodes); do
        pc_is_running "$n" || continue
        for d in usr/lib/ocf/resource.d usr/sbin; do
            # A previous overlay goes first (a new stage replaces it);
            # lazily, as running daemons may have been started from it.
            # Through pc_exec: umount and findmnt read /proc/self, which
            # only exists inside the node's PID namespace.
            if [ "$(pc_exec "$n" findmnt -n -o FSTYPE --mountpoint "/$d")" = overlay ]; then
                pc_exec "$n" umount -l "/$d" || return 1
            fi
            [ -d "$stage/$d" ] || continue
            pc_exec "$n" mount -t overlay overlay \
                -o "ro,lowerdir=$stage/$d:/$d" "/$d" || {
                _pc_die "node $n: cannot overlay /$d"
                return 1
            }
        done
    done
}

##
# pc_node_hook FILE
#
# Install FILE (an executable) as the hook every node runs inside its
# namespaces before corosync starts, with the node number as argument
# (fencing devices, MariaDB directories, ...).  A failing hook stops the
# node's start.
pc_node_hook() {
    _pc_need_init || return 1
    install -m 0755 "$1" "$PC_RUNDIR/node-hook"
}

# The network: a bridge in the hub namespace, one veth per node.
_pc_net_up() {
    local count=$1 hub ns n
    hub=$(pc_hub_netns)
    if [ ! -e "/run/netns/$hub" ]; then
        ip netns add "$hub" || return 1
        ip -n "$hub" link set lo up
        ip -n "$hub" link add br0 type bridge || return 1
        # A bridge takes the smallest MAC of its ports unless it has its
        # own: a port added later (the client) would change it under the
        # nodes' ARP caches, and the BMCs would go unanswered for a while
        ip -n "$hub" link set br0 address 02:00:00:00:00:fe || return 1
        ip -n "$hub" link set br0 up || return 1
        # For services the nodes reach in the hub (BMC simulators, ...).
        ip -n "$hub" addr add "$(pc_hub_ip)/24" dev br0 || return 1
    fi
    for ((n = 1; n <= count; n++)); do
        ns=$(pc_netns "$n")
        [ -e "/run/netns/$ns" ] && continue
        ip netns add "$ns" || return 1
        ip -n "$hub" link add "h$n" type veth peer name eth0 netns "$ns" || return 1
        ip -n "$hub" link set "h$n" master br0 up || return 1
        ip -n "$ns" link set lo up || return 1
        ip -n "$ns" addr add "$(pc_ip "$n")/24" dev eth0 || return 1
        ip -n "$ns" link set eth0 up || return 1
    done
}

# Configuration files of node N (count nodes in all).
_pc_node_files() {
    local n=$1 count=$2 ndir i p name value
    ndir=$(_pc_ndir "$n")
    mkdir -p "$ndir"/{etc-corosync/uidgid.d,lib-corosync,lib-pcsd,lib-mysql} \
        "$ndir"/lib-pacemaker/{cib,pengine,blackbox,cores} \
        "$ndir"/log/{pacemaker/bundles,corosync,crmsh,pcsd} || return 1
    chown hacluster:haclient "$ndir"/lib-pacemaker/{cib,pengine,blackbox,cores}
    chmod 0750 "$ndir"/lib-pacemaker/{cib,pengine,blackbox,cores}
    chown -R hacluster:haclient "$ndir/log/pacemaker" "$ndir/log/crmsh"
    chmod 0770 "$ndir/log/pacemaker" "$ndir/log/pacemaker/bundles" "$ndir/log/crmsh"
    chmod 0700 "$ndir/lib-pcsd"
    chown mysql:mysql "$ndir/lib-mysql" 2>/dev/null
    chmod 0755 "$ndir/lib-mysql"
    {
        cat <<EOF
totem {
    version: 2
    cluster_name: $PC_CLUSTER_NAME
    transport: knet
    token: $PC_TOKEN
    crypto_cipher: none
    crypto_hash: none
}
logging {
    fileline: off
    to_stderr: no
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: no
    timestamp: hires
}
quorum {
    provider: corosync_votequorum
EOF
        [ "$count" = 2 ] && printf '    two_node: 1\n'
        printf '}\nnodelist {\n'
        for ((i = 1; i <= count; i++)); do
            printf '    node {\n        name: node%s\n        nodeid: %s\n        ring0_addr: %s\n    }\n' \
                "$i" "$i" "$(pc_ip "$i")"
        done
        printf '}\n'
    } >"$ndir/etc-corosync/corosync.conf"
    if [ ! -f "$ndir/lib-pacemaker/cib/cib.xml" ]; then
        {
            printf '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">\n'
            printf '  <configuration>\n    <crm_config>\n      <cluster_property_set id="cib-bootstrap-options">\n'
            for p in "${PC_PROPERTIES[@]}"; do
                name=${p%%=*}
                value=${p#*=}
                printf '        <nvpair id="cib-bootstrap-options-%s" name="%s" value="%s"/>\n' \
                    "$name" "$name" "$value"
            done
            printf '      </cluster_property_set>\n    </crm_config>\n'
            printf '    <nodes/>\n    <resources/>\n    <constraints/>\n  </configuration>\n  <status/>\n</cib>\n'
        } >"$ndir/lib-pacemaker/cib/cib.xml"
        chown hacluster:haclient "$ndir/lib-pacemaker/cib/cib.xml"
        chmod 0600 "$ndir/lib-pacemaker/cib/cib.xml"
    fi
}

##
# pc_node_start N...
#
# Start nodes (their namespaces, corosync and pacemakerd) that are part of
# this run (pc_up created them) and not running.  Does not wait.
pc_node_start() {
    local n ndir pid count
    _pc_need_init || return 1
    count=$(cat "$PC_RUNDIR/nodes" 2>/dev/null) || {
        _pc_die "no cluster: call pc_up first"
        return 1
    }
    _pc_net_up "$count" || return 1
    for n in "$@"; do
        if ! [[ "$n" =~ ^[1-9][0-9]*$ ]] || [ "$n" -gt "$count" ]; then
            _pc_die "no node $n in this $count-node cluster"
            return 1
        fi
        pc_is_running "$n" && continue
        ndir=$(_pc_ndir "$n")
        _pc_node_files "$n" "$count" || return 1
        # Powered on: no address survives but the node's own (a writer IP
        # it held), and the port is up again if the power cut took it down
        ip -n "$(pc_netns "$n")" -4 -o addr show dev eth0 2>/dev/null \
            | awk '{ print $4 }' | while read -r a; do
                [ "$a" = "$(pc_ip "$n")/24" ] \
                    || ip -n "$(pc_netns "$n")" addr del "$a" dev eth0
            done
        if [ -e "$ndir/link-up-at-kill" ]; then
            pc_link_up "$n"
            rm -f "$ndir/link-up-at-kill"
        fi
        PC_STOP_TIMEOUT=$PC_STOP_TIMEOUT ip netns exec "$(pc_netns "$n")" \
            "${PC_UNSHARE[@]}" bash "$PC_HARNESS_DIR/node-init.sh" "$ndir" "$n" \
            </dev/null >>"$ndir/console.log" 2>&1 &
        pid=$!
        disown "$pid" # no "Killed" job report after a power cut
        # ip netns exec execs unshare in the same process.
        printf '%s %s\n' "$pid" "$(proc_starttime "$pid")" >"$ndir/pid"
    done
}

##
# pc_crm_mon_xml N: `crm_mon -1 --output-as=xml` inside node N.
pc_crm_mon_xml() {
    pc_exec "$1" crm_mon -1 --output-as=xml 2>/dev/null
}

##
# pc_wait_online [TIMEOUT] [N...]
#
# Wait until every running node (or nodes N...) sees all nodes N... online
# and a DC elected.  Default nodes: all of the run; default timeout
# PC_UP_TIMEOUT.
pc_wait_online() {
    local timeout=${1:-$PC_UP_TIMEOUT} n xml want online dc i ok
    local -a nodes
    _pc_need_init || return 1
    shift || true
    if [ "$#" -gt 0 ]; then nodes=("$@"); else mapfile -t nodes < <(pc_nodes); fi
    want=${#nodes[@]}
    for ((i = 0; i < timeout * 4; i++)); do
        ok=1
        for n in "${nodes[@]}"; do
            xml=$(pc_crm_mon_xml "$n") || { ok=0; break; }
            online=$(grep -c '<node name="[^"]*" id="[^"]*" online="true"' <<<"$xml")
            dc=$(grep -c '<current_dc present="true"' <<<"$xml")
            if [ "$online" -lt "$want" ] || [ "$dc" != 1 ]; then
                ok=0
                break
            fi
        done
        [ "$ok" = 1 ] && return 0
        sleep 0.25
    done
    _pc_log "cluster not online after ${timeout}s (node ${n:-?}: $online of $want online, DC: $dc)"
    return 1
}

##
# pc_up N
#
# Bring up an N-node cluster (nodes 1..N; a new run only: N is fixed per
# run) and wait until all N nodes are online and a DC is elected.  Nodes
# already running are left alone.
pc_up() {
    local count=${1:?pc_up N} old n
    _pc_need_init || return 1
    if ! [[ "$count" =~ ^[1-9][0-9]?$ ]] || [ "$count" -gt 99 ]; then
        _pc_die "node count must be 1..99: '$count'"
        return 1
    fi
    old=$(cat "$PC_RUNDIR/nodes" 2>/dev/null)
    if [ -n "$old" ] && [ "$old" != "$count" ]; then
        _pc_die "this run has $old nodes, not $count (pc_down; pc_init a new run)"
        return 1
    fi
    printf '%s\n' "$count" >"$PC_RUNDIR/nodes"
    {
        printf '127.0.0.1 localhost\n'
        for ((n = 1; n <= count; n++)); do
            printf '%s node%s\n' "$(pc_ip "$n")" "$n"
        done
    } >"$PC_RUNDIR/hosts"
    # shellcheck disable=SC2046
    pc_node_start $(pc_nodes) || return 1
    pc_wait_online "$PC_UP_TIMEOUT" || {
        _pc_log "see $PC_RUNDIR/n*/log/pacemaker/pacemaker.log and n*/console.log"
        return 1
    }
}

##
# pc_node_stop N...
#
# Stop nodes gracefully, in parallel: TERM to their PID 1, which stops
# pacemakerd (resources stop or move) and corosync; after PC_STOP_TIMEOUT
# (+10 s) the namespace is killed.
pc_node_stop() {
    local n pid1 i ndir left rc=0
    local -a pending=()
    _pc_need_init || return 1
    for n in "$@"; do
        pid1=$(pc_node_pid1 "$n" 2>/dev/null) || continue
        kill -TERM "$pid1" 2>/dev/null
        pending+=("$n")
    done
    for ((i = 0; i < (PC_STOP_TIMEOUT + 10) * 10; i++)); do
        left=0
        for n in "${pending[@]}"; do
            pc_is_running "$n" && left=1
        done
        [ "$left" = 0 ] && break
        sleep 0.1
    done
    for n in "${pending[@]}"; do
        ndir=$(_pc_ndir "$n")
        if pc_is_running "$n"; then
            _pc_log "node $n did not stop in time: killing it"
        fi
        _pc_kill_ndir "$ndir" || rc=1
    done
    return "$rc"
}

##
# pc_node_kill N...
#
# Power cut: SIGKILL of the node's unshare takes its PID namespace down at
# once (no shutdown).  Its network namespace stays, so pc_node_start can
# bring it back.
pc_node_kill() {
    local n ndir rc=0
    _pc_need_init || return 1
    for n in "$@"; do
        ndir=$(_pc_ndir "$n")
        # A machine without power does not answer on the network either:
        # its port goes down with it (the network namespace would still
        # answer ARP, for the writer IP too, and reset connections)
        if pc_is_running "$n" && pc_link_is_up "$n"; then
            : >"$ndir/link-up-at-kill"
            pc_link_down "$n"
        fi
        _pc_kill_ndir "$ndir" || rc=1
    done
    return "$rc"
}

##
# pc_down
#
# Stop every node gracefully (pc_node_stop), then delete the run's network
# namespaces and bridge.  The run directory (logs, CIBs) stays; use
# pc_cleanup_on_exit to have it removed.
pc_down() {
    local rc=0
    [ -n "$PC_RUNDIR" ] || return 0
    # shellcheck disable=SC2046
    pc_node_stop $(pc_nodes) || rc=1
    _pc_teardown_dir "$PC_RUNDIR" || rc=1
    return "$rc"
}

##
# pc_node_pss N: proportional set size (kB) of every process of node N.
pc_node_pss() {
    local pid1 ns p v total=0
    pid1=$(pc_node_pid1 "$1") || return 1
    ns=$(readlink "/proc/$pid1/ns/pid")
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
        v=$(sed -n 's/^Pss: *\([0-9]*\) kB/\1/p' "$p/smaps_rollup" 2>/dev/null)
        total=$((total + ${v:-0}))
    done
    printf '%s\n' "$total"
}

##
# pc_leftovers: print what this run still has on the machine (processes,
# network namespaces); empty output means a clean tear-down.
pc_leftovers() {
    local ndir prefix
    _pc_need_init || return 1
    for ndir in "$PC_RUNDIR"/n[0-9]*; do
        [ -d "$ndir" ] || continue
        pc_is_running "${ndir##*/n}" && printf 'node %s running\n' "${ndir##*/n}"
    done
    _pc_kill_orphan_nodes_list "$PC_RUNDIR"
    prefix=$(_pc_prefix)
    ip netns list 2>/dev/null | while read -r ns _; do
        case $ns in "$prefix"*) printf 'netns %s\n' "$ns" ;; esac
    done
    grep -F -e " $PC_RUNDIR" -e "/run/netns/$prefix" /proc/self/mountinfo \
        | sed 's/^/mount /'
}

# Print processes whose argv names a node directory of DIR.
_pc_kill_orphan_nodes_list() {
    local dir=$1 p arg
    local -a args
    for p in /proc/[0-9]*; do
        mapfile -d '' args 2>/dev/null <"$p/cmdline" || continue
        for arg in "${args[@]}"; do
            case $arg in
            "$dir"/n[0-9]*)
                printf 'process %s %s\n' "${p#/proc/}" "${args[*]}"
                break
                ;;
            esac
        done
    done
}

##
# pc_finish [RC]
#
# End this run: pc_down, and remove the run directory if RC (default 0) is
# 0, unless MH_KEEP is set or the run is persistent.  pc_init may then
# start a new run in the same shell.
pc_finish() {
    local rc=${1:-0}
    pc_down
    if [ -n "$PC_RUNDIR" ]; then
        rm -f "$PC_BASE/pcmk-netns/$(_pc_prefix)"
    fi
    if [ "$rc" = 0 ] && [ -z "${MH_KEEP:-}" ] && [ "$PC_PERSISTENT" = 0 ] \
        && [ -n "$PC_RUNDIR" ]; then
        rm -rf "$PC_RUNDIR"
    elif [ -n "${MH_KEEP:-}" ] && [ -n "$PC_RUNDIR" ]; then
        rm -f "$PC_RUNDIR/owner"
        _pc_log "kept $PC_RUNDIR (MH_KEEP)"
    elif [ -n "$PC_RUNDIR" ]; then
        _pc_log "kept $PC_RUNDIR (exit status $rc)"
    fi
    PC_RUNDIR=""
}

_pc_on_exit() {
    local rc=$1 c
    # Only the shell that set the trap: a child forked just before a
    # signal may run it before bash resets its traps
    [ "$BASHPID" = "${PC_TRAP_PID:-$BASHPID}" ] || return "$rc"
    trap - EXIT
    pc_finish "$rc"
    for c in "${PC_AT_EXIT[@]}"; do
        eval "$c"
    done
    return "$rc"
}

_pc_on_signal() {
    local sig=$1 num
    num=$(kill -l "$sig")
    [ "$BASHPID" = "${PC_TRAP_PID:-$BASHPID}" ] || exit $((128 + num))
    _pc_log "caught SIG$sig: tearing the cluster down"
    trap - "$sig"
    if [ "${#PC_CHILD_PIDS[@]}" -gt 0 ]; then
        kill -TERM "${PC_CHILD_PIDS[@]}" 2>/dev/null
    fi
    _pc_on_exit $((128 + num))
    exit $((128 + num))
}

##
# pc_cleanup_on_exit
#
# Tear the cluster down (pc_down) when the calling shell exits or gets
# INT, TERM or HUP, and remove the run directory if the exit status is 0
# (unless MH_KEEP is set or the run is persistent), then eval the commands
# in PC_AT_EXIT.  Replaces the caller's EXIT, INT, TERM and HUP traps.  Run
# long commands in the background and `wait` for them, so that a signal is
# handled at once; add their PIDs to PC_CHILD_PIDS to have them sent TERM.
pc_cleanup_on_exit() {
    PC_TRAP_PID=$BASHPID
    trap '_pc_on_exit $?' EXIT
    trap '_pc_on_signal INT' INT
    trap '_pc_on_signal TERM' TERM
    trap '_pc_on_signal HUP' HUP
}
