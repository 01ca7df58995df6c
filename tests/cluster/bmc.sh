#!/bin/bash
# Simulated BMCs for the cluster test bed: one OpenIPMI ipmi_sim per node
# in the hub network namespace, listening on pc_hub_ip at UDP port
# BMC_PORT_BASE + N.  Its chassis control really powers node N: "set power
# 0" is pc_node_kill N (SIGKILL of the node's recorded `unshare` PID, the
# power cut), "set power 1" is pc_node_start N, and "get power" answers
# from pc_is_running N.  Source it after pcmk-harness.sh (and pc_init):
#
#   . pcmk-harness.sh; . bmc.sh
#   pc_init; bmc_cleanup_on_exit    # instead of pc_cleanup_on_exit
#   pc_up 3; bmc_start 1 2 3
#   bmc_port 3; bmc_user; bmc_password_file 3
#   bmc_stop                        # every BMC of this run
#
# Credentials: user "admin" with a random password per BMC, kept in
# RUNDIR/bmc/nN/password (root, 600) for the fence agents' password_file,
# and in the BMC's lan.conf (600); never in a command line.  Each ipmi_sim
# PID is recorded with its start time in RUNDIR/bmc/nN/pid and only a
# recorded PID whose start time still matches is ever signalled; bmc_start
# first stops the BMCs of crashed runs.  Requests the chassis control
# carried out are appended to RUNDIR/bmc/nN/chassis.log.
#
# Run as a program, this file is the chassis control script itself:
#   bmc.sh chassis RUNDIR N get power | set power 0|1 | check

BMC_PORT_BASE="${BMC_PORT_BASE:-6230}"
BMC_USER="admin"
BMC_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"

_bmc_dir() { printf '%s/bmc/n%s\n' "${2:-$PC_RUNDIR}" "$1"; }

##
# bmc_port N: the UDP port of node N's BMC (at pc_hub_ip).
bmc_port() { printf '%s\n' $((BMC_PORT_BASE + $1)); }

##
# bmc_user: the BMCs' administrator.  bmc_password_file N: the file (root,
# 600) holding the password of node N's BMC.
bmc_user() { printf '%s\n' "$BMC_USER"; }
bmc_password_file() { printf '%s/password\n' "$(_bmc_dir "$1")"; }

# Echo the recorded ipmi_sim PID of BMC directory DIR if it is still that
# process; fail otherwise.
_bmc_dir_pid() {
    local dir=$1 pid start comm
    [ -f "$dir/pid" ] || return 1
    read -r pid start <"$dir/pid" || return 1
    [ -n "$pid" ] && [ "$(proc_starttime "$pid")" = "$start" ] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [ "$comm" = ipmi_sim ] || return 1
    proc_alive "$pid" || return 1
    printf '%s\n' "$pid"
}

# Stop the ipmi_sim of BMC directory DIR: TERM, then KILL after 5 s.
_bmc_stop_dir() {
    local dir=$1 pid i
    pid=$(_bmc_dir_pid "$dir") || {
        rm -f "$dir/pid"
        return 0
    }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        proc_alive "$pid" || break
        sleep 0.1
    done
    proc_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        proc_alive "$pid" || break
        sleep 0.1
    done
    rm -f "$dir/pid"
}

# BMCs of runs whose owner shell is gone (or that were reaped) go.
_bmc_reap_stale() {
    local dir run
    for dir in "$PC_BASE"/pcmk.*/bmc/n[0-9]*; do
        [ -f "$dir/pid" ] || continue
        run=${dir%/bmc/n*}
        [ "$run" = "$PC_RUNDIR" ] && continue
        if [ -f "$run/reaped" ] || _pc_run_is_stale "$run" \
            || { [ ! -f "$run/owner" ] && [ ! -f "$run/persistent" ]; }; then
            _pc_log "stopping BMC of stale run: $dir"
            _bmc_stop_dir "$dir"
        fi
    done
}

##
# bmc_start N...
#
# Start (if not running) the BMC of each node N in the hub namespace and
# wait until it listens.  The nodes need not be running.
bmc_start() {
    local n dir port pid i
    _pc_need_init || return 1
    command -v ipmi_sim >/dev/null || {
        _pc_die "ipmi_sim (package openipmi) is not installed"
        return 1
    }
    _bmc_reap_stale
    for n in "$@"; do
        dir=$(_bmc_dir "$n")
        _bmc_dir_pid "$dir" >/dev/null && continue
        mkdir -p "$dir/state" || return 1
        chmod 700 "$dir"
        port=$(bmc_port "$n")
        if [ ! -s "$dir/password" ]; then
            (
                umask 077
                tr -dc 'A-Za-z0-9' </dev/urandom | head -c 16 >"$dir/password"
            ) || return 1
        fi
        (
            umask 077
            cat >"$dir/lan.conf" <<EOF
# BMC of node$n (bmc.sh): written per run, mode 600.
name "node${n}bmc"
set_working_mc 0x20
  startlan 1
    addr $(pc_hub_ip) $port
    priv_limit admin
    allowed_auths_callback none md5 straight
    allowed_auths_user none md5 straight
    allowed_auths_operator none md5 straight
    allowed_auths_admin none md5 straight
    guid a123456789abcdefa123456789abcd$(printf '%02x' "$n")
  endlan
  chassis_control "$BMC_SH chassis $PC_RUNDIR $n"
  user 2 true  "$BMC_USER" "$(cat "$dir/password")" admin 10 none md5 straight
EOF
            printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n' \
                >"$dir/bmc.emu"
        ) || return 1
        # The hub network must exist (pc_up creates it).
        [ -e "/run/netns/$(pc_hub_netns)" ] || {
            _pc_die "no hub network namespace: pc_up first"
            return 1
        }
        # ip netns exec execs ipmi_sim: $! is ipmi_sim.
        ip netns exec "$(pc_hub_netns)" ipmi_sim -c "$dir/lan.conf" -f "$dir/bmc.emu" \
            -s "$dir/state" -n </dev/null >>"$dir/sim.log" 2>&1 &
        pid=$!
        disown "$pid"
        printf '%s %s\n' "$pid" "$(proc_starttime "$pid")" >"$dir/pid"
        for ((i = 0; i < 100; i++)); do
            pc_hub_exec ss -Hulnp 2>/dev/null \
                | grep -q "$(pc_hub_ip):$port .*pid=$pid," && break
            proc_alive "$pid" || break
            sleep 0.1
        done
        if ! pc_hub_exec ss -Hulnp 2>/dev/null | grep -q "$(pc_hub_ip):$port .*pid=$pid,"; then
            _pc_log "BMC of node $n did not start: $(tail -n 5 "$dir/sim.log")"
            _bmc_stop_dir "$dir"
            return 1
        fi
    done
}

##
# bmc_stop [N...]: stop the BMCs of nodes N (default: all of this run).
# shellcheck disable=SC2120 # callers outside this file pass N...
bmc_stop() {
    local dir n
    [ -n "$PC_RUNDIR" ] || return 0
    if [ "$#" -eq 0 ]; then
        for dir in "$PC_RUNDIR"/bmc/n[0-9]*; do
            [ -d "$dir" ] && _bmc_stop_dir "$dir"
        done
    else
        for n in "$@"; do
            _bmc_stop_dir "$(_bmc_dir "$n")"
        done
    fi
}

##
# bmc_dev_opts N: the fence device options of node N's BMC (fence_ipmi and
# fence_ipmilan take the same), one per line.
bmc_dev_opts() {
    printf '%s\n' "ip=$(pc_hub_ip)" "ipport=$(bmc_port "$1")" \
        "username=$(bmc_user)" "password_file=$(bmc_password_file "$1")" \
        lanplus=1 cipher=3
}

##
# bmc_create_devices [AGENT] [N...]
#
# With the real pcs inside node 1, one stonith device fence-nodeN per node
# N (default: every node of the run) of AGENT (fence_ipmi) against node N's
# BMC, which avoids node N; all in one CIB update (pcs -f, cib-push), so
# that no device ever runs on the node it fences.  pcs's output goes to
# stderr on failure.
bmc_create_devices() {
    local agent=${1:-fence_ipmi} cibf=/var/lib/pacemaker/bmc-devices-cib.xml out rc=0 n
    local -a nodes opts
    shift
    if [ "$#" -gt 0 ]; then nodes=("$@"); else mapfile -t nodes < <(pc_nodes); fi
    out=$(pc_exec 1 pcs cluster cib "$cibf" 2>&1) || rc=1
    for n in "${nodes[@]}"; do
        mapfile -t opts < <(bmc_dev_opts "$n")
        out+=$(pc_exec 1 pcs -f "$cibf" stonith create "fence-node$n" "$agent" \
            "${opts[@]}" "pcmk_host_list=node$n" op monitor interval=60s 2>&1) || rc=1
        out+=$(pc_exec 1 pcs -f "$cibf" constraint location "fence-node$n" \
            avoids "node$n" 2>&1) || rc=1
    done
    [ "$rc" = 0 ] && { out+=$(pc_exec 1 pcs cluster cib-push "$cibf" --config 2>&1) || rc=1; }
    pc_exec 1 rm -f "$cibf"
    [ "$rc" = 0 ] || printf '%s\n' "$out" >&2
    return "$rc"
}

##
# bmc_devices_started [TIMEOUT] [FROM]: wait until every fence-nodeN
# device of the run's nodes is Started (as seen from node FROM, default 1).
bmc_devices_started() {
    local timeout=${1:-60} from=${2:-1} i xml want
    want=$(pc_nodes | grep -c .)
    for ((i = 0; i < timeout * 2; i++)); do
        xml=$(pc_crm_mon_xml "$from")
        [ "$(grep -cE '<resource id="fence-node[0-9]+" resource_agent="stonith:[^"]*" role="Started" [^>]*active="true" [^>]*failed="false"' <<<"$xml")" = "$want" ] \
            && return 0
        sleep 0.5
    done
    return 1
}

##
# bmc_power N on|off|status [AGENT]
#
# Ask node N's BMC over IPMI (from the hub namespace, as an operator's
# workstation would) to power the node on or off, or for its state, with
# the fence agent AGENT (default: $BMC_FENCE_AGENT, else fence_ipmi in
# PATH); options on stdin, so no password in argv.  Exit status is the
# agent's (status: 0 on, 2 off).
bmc_power() {
    local n=$1 action=$2 agent=${3:-${BMC_FENCE_AGENT:-fence_ipmi}}
    { bmc_dev_opts "$n"; printf 'action=%s\n' "$action"; } \
        | pc_hub_exec "$agent" >/dev/null
}

##
# bmc_running N: true if node N's BMC runs.
bmc_running() { _bmc_dir_pid "$(_bmc_dir "$1")" >/dev/null; }

##
# bmc_leftovers: the BMC processes this run still has (empty = clean).
bmc_leftovers() {
    local dir pid
    [ -n "$PC_RUNDIR" ] || return 0
    for dir in "$PC_RUNDIR"/bmc/n[0-9]*; do
        pid=$(_bmc_dir_pid "$dir") && printf 'bmc %s ipmi_sim %s\n' "${dir##*/n}" "$pid"
    done
    return 0
}

##
# bmc_cleanup_on_exit
#
# pc_cleanup_on_exit, with the cluster going down before the BMCs stop (so
# that no fencing is left without its device) and the BMCs stopped before
# the run directory is removed.
bmc_cleanup_on_exit() {
    pc_cleanup_on_exit
    trap '_bmc_on_exit $?' EXIT
    trap '_bmc_on_signal INT' INT
    trap '_bmc_on_signal TERM' TERM
    trap '_bmc_on_signal HUP' HUP
}

_bmc_on_signal() {
    # Only the shell that set the trap (see _pc_on_exit)
    [ "$BASHPID" = "${PC_TRAP_PID:-$BASHPID}" ] || exit $((128 + $(kill -l "$1")))
    pc_down
    bmc_stop
    _pc_on_signal "$1"
}

# shellcheck disable=SC2119
_bmc_on_exit() {
    local rc=$1
    [ "$BASHPID" = "${PC_TRAP_PID:-$BASHPID}" ] || return "$rc"
    pc_down
    bmc_stop
    _pc_on_exit "$rc"
}

# The chassis control: bmc.sh chassis RUNDIR N OP ARGS...
_bmc_chassis() {
    local rundir=$1 n=$2 op=$3 fd
    shift 3
    # ipmi_sim's descriptors (its UDP socket) must not live on in a node
    # started from here.
    for fd in "/proc/$$/fd"/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    # shellcheck source=pcmk-harness.sh
    . "$(dirname "$BMC_SH")/pcmk-harness.sh"
    PC_RUNDIR=$rundir # attach without pc_init: the test's shell owns the run
    PC_BASE=$(dirname "$rundir")
    local log
    log=$(_bmc_dir "$n")/chassis.log
    case $op in
    get)
        for p in "$@"; do
            case $p in
            power) if pc_is_running "$n"; then echo power:1; else echo power:0; fi ;;
            boot) echo boot:default ;;
            esac
        done
        ;;
    set)
        while [ "$#" -ge 2 ]; do
            printf '%s set %s %s\n' "$(date +%s.%N)" "$1" "$2" >>"$log"
            if [ "$1" = power ]; then
                case $2 in
                0) pc_node_kill "$n" 2>>"$log" ;;
                1) pc_node_start "$n" 2>>"$log" ;;
                esac
            fi
            shift 2
        done
        ;;
    check) ;;
    esac
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = chassis ]; then
    shift
    _bmc_chassis "$@"
    exit 0
fi
