# myha on a real Pacemaker cluster: MariaDB inside each node of
# pcmk-harness.sh and the promotable ocf:myha:mysql-repl resource on top.
# Source it from bash after pcmk-harness.sh; it defines mc_* functions and
# starts nothing by itself.  Used by the cluster tests and tools/sandbox.
#
#   . pcmk-harness.sh; . myha-cluster.sh
#   pc_init; pc_cleanup_on_exit; pc_overlay_agents "$stage"
#   mc_setup_nodes 3                # before pc_up: datadirs, option files
#   pc_up 3
#   mc_create_resource              # pcs resource create db ... promotable
#   mc_wait_promoted 120            # one Promoted, the others Unpromoted
#   mc_sql "$(mc_primary)" "CREATE DATABASE t"   # nodeN or N
#   mc_topology                     # who replicates from whom, GTIDs, lag
#
# Each node N gets, in its own mount namespace:
#   /var/lib/mysql      datadir (RUNDIR/nN/lib-mysql), initialised here from
#                       one template: root by unix socket, the replication
#                       and the application accounts, created with the
#                       binlog off
#   /etc/myha/my.cnf    server_id = N, bind to 10.99.0.N, binlog, GTID
#                       strict mode (the resource's config=, the same path
#                       on every node, so one clone serves all)
#   /etc/myha/repl.pw   the replication password, root only, mode 600
#   /etc/myha/app.cnf   [client] option file of an application account
#                       (DML and DDL, no SUPER / READ ONLY ADMIN), mode 600;
#                       the same account may connect from the bridge
#                       (app@10.99.0.%, RUNDIR/app-net.cnf on the host), e.g.
#                       from the client namespace through the writer IP
# (RUNDIR/nN/etc-myha bound over /etc/myha by the node hook; an empty
# /etc/myha is created on the host as the mount point if it is missing.)
# The password never reaches argv or the logs: SQL goes to the client on
# stdin, the agent reads the file.

MC_RSC="${MC_RSC:-db}"
MC_REPL_USER="${MC_REPL_USER:-repl}"
# An application account: no SUPER, no READ ONLY ADMIN, so read_only binds
# it (MariaDB lets root write on a read-only server).
MC_APP_USER="${MC_APP_USER:-app}"
MC_PORT="${MC_PORT:-3306}"
MC_ETC=/etc/myha
MC_SOCKET=/run/mysqld/mysqld.sock
MC_MONITOR_PROMOTED="${MC_MONITOR_PROMOTED:-4s}"
MC_MONITOR_UNPROMOTED="${MC_MONITOR_UNPROMOTED:-5s}"
MC_VIP_RSC="${MC_VIP_RSC:-vip}"
# Server options of every node besides server_id and bind address (my.cnf
# syntax, one per line).
MC_SERVER_OPTS=(
    "skip_name_resolve"
    "log_bin = binlog"
    "relay_log = relay"
    "log_slave_updates = ON"
    "gtid_strict_mode = ON"
    "binlog_format = ROW"
    "innodb_buffer_pool_size = 16M"
    "innodb_log_file_size = 8M"
    "innodb_log_buffer_size = 2M"
    "key_buffer_size = 1M"
    "aria_pagecache_buffer_size = 2M"
    "performance_schema = OFF"
    "max_connections = 60"
    "thread_cache_size = 4"
    "table_open_cache = 256"
)
MC_WATCH_PIDS=() # background watchers started by mc_*_watch_start
PC_AT_EXIT+=('mc_watch_stop_all')

_mc_log() {
    printf 'myha-cluster: %s\n' "$*" >&2
}

_mc_die() {
    _mc_log "$*"
    return 1
}

# Node number from "N" or "nodeN".
_mc_n() {
    printf '%s\n' "${1#node}"
}

##
# mc_password_file: the host-side copy of the replication password
# (RUNDIR/repl.pw, mode 600), e.g. for `grep -F -f` when looking for leaks.
mc_password_file() {
    printf '%s/repl.pw\n' "$PC_RUNDIR"
}

# Build the datadir template once per run: system tables, root by unix
# socket, the replication account; all in bootstrap mode (no binlog).
_mc_template() {
    local tdir=$PC_RUNDIR/mc-template pw apw
    [ -f "$tdir/.complete" ] && return 0
    rm -rf "$tdir"
    mkdir -p "$tdir" || return 1
    # As root: the run directory is private (mode 700); the nodes' copies
    # are given to mysql.
    if ! mariadb-install-db --no-defaults --user=root --datadir="$tdir/data" \
        --auth-root-authentication-method=socket --skip-test-db \
        --skip-name-resolve --innodb-log-file-size=8M \
        --innodb-buffer-pool-size=16M >"$tdir/install.log" 2>&1; then
        tail -n 20 "$tdir/install.log" >&2
        return 1
    fi
    pw=$(cat "$(mc_password_file)") || return 1
    apw=$(sed -n 's/^password=//p' "$PC_RUNDIR/app.cnf") || return 1
    # Bootstrap mode reads SQL from stdin and writes no binary log.
    if ! mariadbd --no-defaults --bootstrap --user=root \
        --datadir="$tdir/data" --innodb-log-file-size=8M \
        --innodb-buffer-pool-size=16M >"$tdir/bootstrap.log" 2>&1 <<EOF; then
FLUSH PRIVILEGES;
CREATE USER '$MC_REPL_USER'@'$PC_SUBNET.%' IDENTIFIED BY '$pw';
GRANT REPLICATION SLAVE, SLAVE MONITOR ON *.* TO '$MC_REPL_USER'@'$PC_SUBNET.%';
CREATE USER '$MC_APP_USER'@'localhost' IDENTIFIED BY '$apw';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON *.* TO '$MC_APP_USER'@'localhost';
CREATE USER '$MC_APP_USER'@'$PC_SUBNET.%' IDENTIFIED BY '$apw';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON *.* TO '$MC_APP_USER'@'$PC_SUBNET.%';
EOF
        tail -n 20 "$tdir/bootstrap.log" >&2
        return 1
    fi
    touch "$tdir/.complete"
}

# The hook each node runs before corosync: /etc/myha is the node's own.
_mc_write_hook() {
    cat >"$PC_RUNDIR/mc-node-hook" <<'EOF'
#!/bin/bash
# myha-cluster.sh: run inside node N before corosync starts.
set -eu
n=$1
rundir=$(cd "$(dirname "$0")" && pwd -P)
[ -d /etc/myha ] || mkdir -p /etc/myha
mount --bind "$rundir/n$n/etc-myha" /etc/myha
EOF
    pc_node_hook "$PC_RUNDIR/mc-node-hook"
}

##
# mc_setup_nodes N
#
# Prepare nodes 1..N of this run (pc_init done, before pc_up): a datadir
# per node from one template, /etc/myha/my.cnf (server_id = N, bound to the
# node's address) and /etc/myha/repl.pw, and the node hook that binds them
# over /etc/myha inside the node.  Datadirs that exist are kept.
mc_setup_nodes() {
    local count=${1:?mc_setup_nodes N} n ndir opt
    _pc_need_init || return 1
    if [ ! -s "$(mc_password_file)" ]; then
        (umask 077 && LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom \
            | head -c 24 >"$(mc_password_file)") || return 1
    fi
    if [ ! -s "$PC_RUNDIR/app.cnf" ]; then
        (umask 077 && printf '[client]\nuser=%s\npassword=%s\nsocket=%s\n' \
            "$MC_APP_USER" "$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom \
                | head -c 24)" "$MC_SOCKET" >"$PC_RUNDIR/app.cnf") || return 1
        # The same account over TCP (no socket line)
        (umask 077 && grep -v '^socket=' "$PC_RUNDIR/app.cnf" \
            >"$PC_RUNDIR/app-net.cnf") || return 1
    fi
    _mc_template || return 1
    for ((n = 1; n <= count; n++)); do
        ndir=$PC_RUNDIR/n$n
        mkdir -p "$ndir/etc-myha" "$ndir/lib-mysql" || return 1
        chmod 0755 "$ndir/etc-myha"
        if [ ! -d "$ndir/lib-mysql/mysql" ]; then
            cp -a "$PC_RUNDIR/mc-template/data/." "$ndir/lib-mysql/" || return 1
        fi
        chown -R mysql:mysql "$ndir/lib-mysql"
        {
            # Every address of the node: its own and the writer IP
            printf '[mysqld]\nserver_id = %s\nbind_address = 0.0.0.0\nport = %s\n' \
                "$n" "$MC_PORT"
            printf 'report_host = node%s\n' "$n"
            for opt in "${MC_SERVER_OPTS[@]}"; do
                printf '%s\n' "$opt"
            done
        } >"$ndir/etc-myha/my.cnf"
        chmod 0644 "$ndir/etc-myha/my.cnf"
        install -m 0600 -o root -g root "$(mc_password_file)" \
            "$ndir/etc-myha/repl.pw" || return 1
        install -m 0600 -o root -g root "$PC_RUNDIR/app.cnf" \
            "$ndir/etc-myha/app.cnf" || return 1
    done
    _mc_write_hook
}

##
# mc_create_resource [PCS-ARG...]
#
# `pcs resource create` (in node 1) of the promotable clone MC_RSC
# ("db", clone "db-clone") of ocf:myha:mysql-repl with the paths above;
# extra arguments (e.g. --disabled, or more name=value) are appended.
mc_create_resource() {
    pc_exec 1 pcs resource create "$MC_RSC" ocf:myha:mysql-repl \
        config="$MC_ETC/my.cnf" datadir=/var/lib/mysql socket="$MC_SOCKET" \
        pid=/run/mysqld/mysqld.pid log=/var/log/mysql/error.log \
        user=mysql group=mysql replication_user="$MC_REPL_USER" \
        replication_passwd_file="$MC_ETC/repl.pw" \
        replication_port="$MC_PORT" \
        op monitor interval="$MC_MONITOR_PROMOTED" role=Promoted timeout=30s \
        op monitor interval="$MC_MONITOR_UNPROMOTED" role=Unpromoted timeout=30s \
        promotable notify=true "$@"
}

##
# mc_bed_up N [FENCE-AGENT]
#
# The whole test bed of nodes 1..N (pc_init and pc_overlay_agents done;
# bmc.sh sourced; PC_STONITH_ENABLED=true for real fencing): MariaDB
# prepared (mc_setup_nodes), the nodes up (pc_up), a BMC per node
# (bmc_start), one stonith device per node of FENCE-AGENT (fence_ipmi)
# Started, and the client namespace (pc_client_up).  No resource yet.
mc_bed_up() {
    local count=${1:?mc_bed_up N} agent=${2:-fence_ipmi} n
    local -a nodes=()
    for ((n = 1; n <= count; n++)); do nodes+=("$n"); done
    mc_setup_nodes "$count" || _mc_die "cannot prepare MariaDB on the nodes" || return 1
    pc_up "$count" || _mc_die "the nodes did not come online" || return 1
    bmc_start "${nodes[@]}" || _mc_die "the BMCs did not start" || return 1
    bmc_create_devices "$agent" || _mc_die "pcs stonith create failed" || return 1
    bmc_devices_started 60 || _mc_die "the fence devices did not start" || return 1
    pc_client_up || _mc_die "cannot create the client namespace" || return 1
}

##
# mc_vip: the writer virtual IP ($PC_SUBNET.100).  mc_app_net_cnf: the
# [client] option file (host path, mode 600) of the application account
# over TCP.
mc_vip() { printf '%s.100\n' "$PC_SUBNET"; }
mc_app_net_cnf() { printf '%s/app-net.cnf\n' "$PC_RUNDIR"; }

##
# mc_create_vip [PCS-ARG...]
#
# The writer virtual IP MC_VIP_RSC ("vip"): the real `pcs resource create
# vip ocf:heartbeat:IPaddr2 ip=$(mc_vip) ... --disabled`, colocated with
# the Promoted instance of MC_RSC-clone and ordered after its promote (so
# it also stops before a demote), then enabled, so that it never runs
# anywhere else first.  Each step is its own CIB change: a `pcs cluster
# cib-push` of a copy taken earlier would undo what the agents wrote to
# the CIB in the meantime (the recorded primary).
mc_create_vip() {
    local v=1
    pc_exec "$v" pcs resource create "$MC_VIP_RSC" ocf:heartbeat:IPaddr2 \
        ip="$(mc_vip)" cidr_netmask=24 nic=eth0 op monitor interval=5s \
        --disabled "$@" >/dev/null \
        && pc_exec "$v" pcs constraint colocation add "$MC_VIP_RSC" with Promoted \
            "$MC_RSC-clone" INFINITY >/dev/null \
        && pc_exec "$v" pcs constraint order promote "$MC_RSC-clone" then start \
            "$MC_VIP_RSC" >/dev/null \
        && pc_exec "$v" pcs resource enable "$MC_VIP_RSC" >/dev/null
}

##
# mc_vip_node [FROM]: the node where the writer IP is started (nothing if
# it is not).
mc_vip_node() {
    _mc_cluster_view "${1:-}" | awk -v rsc="$MC_VIP_RSC" '
        /<resource / {
            inres = ($0 ~ (" id=\"" rsc "\"") && $0 ~ / active="true"/ && $0 !~ /\/>$/)
            next
        }
        inres && /<node name=/ {
            match($0, /name="[^"]*"/)
            print substr($0, RSTART + 6, RLENGTH - 7)
        }
        /<\/resource>/ { inres = 0 }'
}

##
# mc_wait_probed [TIMEOUT]
#
# Wait until every running node has recorded its probe of the resource:
# before that, an instance started by hand (crm_resource --force-start) may
# be found by the probe, and a disabled resource would then be stopped.
mc_wait_probed() {
    local timeout=${1:-60} i n done_all
    local xp="//lrm_resource[@id='$MC_RSC']/lrm_rsc_op[@operation_key='${MC_RSC}_monitor_0'][@rc-code!='193']"
    for ((i = 0; i < timeout * 4; i++)); do
        done_all=1
        for n in $(pc_nodes); do
            pc_is_running "$n" || continue
            pc_exec "$n" cibadmin -Q --xpath \
                "//node_state[@uname='node$n']$xp" >/dev/null 2>&1 || {
                done_all=0
                break
            }
        done
        [ "$done_all" = 1 ] && return 0
        sleep 0.25
    done
    _mc_die "resource $MC_RSC not probed on every node after ${timeout}s"
}

##
# mc_sql NODE SQL
#
# Run SQL (on stdin of the client, never in argv) as root over the socket
# inside NODE (N or nodeN); tab-separated rows, no column names.
mc_sql() {
    printf '%s\n' "$2" | _mc_client "$1" --skip-column-names
}

##
# mc_sql_app NODE SQL: like mc_sql, as the application account (its
# password in /etc/myha/app.cnf in the node, mode 600).
mc_sql_app() {
    printf '%s\n' "$2" | pc_exec "$(_mc_n "$1")" mariadb \
        --defaults-file="$MC_ETC/app.cnf" --protocol=socket --batch \
        --skip-column-names
}

_mc_client() {
    local n
    n=$(_mc_n "$1")
    shift
    pc_exec "$n" mariadb --no-defaults --protocol=socket \
        --socket="$MC_SOCKET" --user=root --batch "$@"
}

##
# mc_slave_status NODE: SHOW SLAVE STATUS of NODE as "Field: value" lines
# (nothing if NODE does not replicate).
mc_slave_status() {
    printf 'SHOW SLAVE STATUS\\G\n' | _mc_client "$1" 2>/dev/null \
        | sed -n 's/^ *\([A-Za-z_]*\): /\1: /p'
}

##
# mc_slave_field NODE FIELD: one field of SHOW SLAVE STATUS on NODE.
mc_slave_field() {
    mc_slave_status "$1" | sed -n "s/^$2: //p" | head -n 1
}

##
# mc_view_node: the first running node whose partition has quorum (else
# the first running node): after a partition, the cut-off node's view is
# not the cluster's.
mc_view_node() {
    local n first=""
    for n in $(pc_nodes); do
        pc_is_running "$n" || continue
        [ -z "$first" ] && first=$n
        if pc_crm_mon_xml "$n" 2>/dev/null \
            | grep -q '<current_dc [^>]*with_quorum="true"'; then
            printf '%s\n' "$n"
            return
        fi
    done
    printf '%s\n' "${first:-1}"
}

# crm_mon XML as seen from node FROM, by default from mc_view_node.
_mc_cluster_view() {
    pc_crm_mon_xml "$(_mc_n "${1:-$(mc_view_node)}")"
}

##
# mc_roles [FROM]: "nodeN ROLE" per node where the resource is active
# (ROLE Promoted, Unpromoted, Started, ...), as seen from node FROM
# (default: a node of the quorate partition, see _mc_cluster_view).
mc_roles() {
    _mc_cluster_view "${1:-}" | awk -v rsc="$MC_RSC" '
        /<resource / {
            id = ""; role = ""; active = 0
            if (match($0, / id="[^"]*"/)) id = substr($0, RSTART + 5, RLENGTH - 6)
            if (match($0, / role="[^"]*"/)) role = substr($0, RSTART + 7, RLENGTH - 8)
            if ($0 ~ / active="true"/) active = 1
            inres = (id == rsc && active)
        }
        inres && /<node name=/ {
            match($0, /name="[^"]*"/)
            print substr($0, RSTART + 6, RLENGTH - 7), role
        }
        /<\/resource>/ { inres = 0 }'
}

##
# mc_primary [FROM]: the node where the resource is Promoted (nothing if
# none; several lines if several).
mc_primary() {
    mc_roles "${1:-}" | awk '$2 == "Promoted" { print $1 }'
}

##
# mc_wait_promoted [TIMEOUT] [NODE]
#
# Wait until exactly one instance is Promoted (on NODE, if given) and every
# other running node's instance is Unpromoted.  Prints the primary.
mc_wait_promoted() {
    local timeout=${1:-120} want=${2:-} i roles prim n_run n_unprom
    for ((i = 0; i < timeout * 2; i++)); do
        roles=$(mc_roles 2>/dev/null)
        prim=$(awk '$2 == "Promoted" { print $1 }' <<<"$roles")
        n_unprom=$(awk '$2 == "Unpromoted"' <<<"$roles" | grep -c .)
        n_run=0
        for n in $(pc_nodes); do
            pc_is_running "$n" && n_run=$((n_run + 1))
        done
        if [ -n "$prim" ] && [ "$(grep -c . <<<"$prim")" = 1 ] \
            && [ "$n_unprom" = $((n_run - 1)) ] \
            && { [ -z "$want" ] || [ "$prim" = "node$(_mc_n "$want")" ]; }; then
            printf '%s\n' "$prim"
            return 0
        fi
        sleep 0.5
    done
    _mc_log "no single Promoted instance${want:+ on $want} after ${timeout}s:"
    sed 's/^/    /' <<<"$roles" >&2
    return 1
}

##
# mc_attr NODE NAME [FROM]: transient node attribute NAME of NODE
# (attrd_updater -Q), queried in node FROM (default: NODE itself).
mc_attr() {
    local node from=${3:-$1}
    node="node$(_mc_n "$1")"
    pc_exec "$(_mc_n "$from")" attrd_updater -Q -n "$2" -N "$node" 2>/dev/null \
        | sed -n 's/.* value="\(.*\)"$/\1/p'
}

##
# mc_score NODE [FROM]: NODE's promotion score for the resource, or nothing
# if it has none.
mc_score() {
    local node from=${2:-$1}
    node="node$(_mc_n "$1")"
    pc_exec "$(_mc_n "$from")" crm_attribute --promotion="$MC_RSC" -N "$node" \
        --query --quiet 2>/dev/null
}

##
# mc_topology: per running node, its role in Pacemaker, read_only, whom it
# replicates from (IO/SQL threads), GTID position, lag, last error, and
# its published health and promotion score.
mc_topology() {
    local n node roles role ro src io sqlt gtid lag err health score
    roles=$(mc_roles 2>/dev/null)
    printf '%-6s %-10s %-3s %-16s %-5s %-5s %-20s %-5s %-5s %s\n' node role ro \
        source io sql gtid lag score health
    for n in $(pc_nodes); do
        node=node$n
        if ! pc_is_running "$n"; then
            printf '%-6s (node down)\n' "$node"
            continue
        fi
        role=$(awk -v n="$node" '$1 == n { print $2 }' <<<"$roles")
        ro=$(mc_sql "$n" 'SELECT @@read_only' 2>/dev/null) || ro=down
        gtid=$(mc_sql "$n" 'SELECT @@gtid_current_pos' 2>/dev/null)
        local st
        st=$(mc_slave_status "$n")
        src=$(sed -n 's/^Master_Host: //p' <<<"$st")
        io=$(sed -n 's/^Slave_IO_Running: //p' <<<"$st")
        sqlt=$(sed -n 's/^Slave_SQL_Running: //p' <<<"$st")
        lag=$(sed -n 's/^Seconds_Behind_Master: //p' <<<"$st")
        err=$(sed -n 's/^Last_Error: //p' <<<"$st")
        [ -z "$err" ] && err=$(sed -n 's/^Last_IO_Error: //p' <<<"$st")
        health=$(mc_attr "$n" "myha-health-$MC_RSC")
        score=$(mc_score "$n")
        printf '%-6s %-10s %-3s %-16s %-5s %-5s %-20s %-5s %-5s %s%s\n' "$node" \
            "${role:--}" "${ro:--}" "${src:--}" "${io:--}" "${sqlt:--}" \
            "${gtid:--}" "${lag:--}" "${score:--}" "${health:--}" \
            "${err:+ [$err]}"
    done
}

##
# mc_watch_stop_all: end the watchers still running (at exit).
mc_watch_stop_all() {
    local p j
    for p in "${MC_WATCH_PIDS[@]}"; do
        # Only a job of this shell: its PID cannot have been reused.
        for j in $(jobs -p); do
            [ "$j" = "$p" ] && kill -TERM "$p" 2>/dev/null
        done
    done
    MC_WATCH_PIDS=()
}

##
# mc_secret_watch_start
#
# Sample every /proc/*/cmdline (host-wide: the nodes' processes are there
# too) every 50 ms for the replication password, in the background, until
# mc_secret_watch_stop.  Hits (PID and command name, never the text) go to
# RUNDIR/secret-hits.
mc_secret_watch_start() {
    local pwfile out
    pwfile=$(mc_password_file)
    out=$PC_RUNDIR/secret-hits
    : >"$out"
    (
        trap 'exit 0' TERM
        while :; do
            grep -lsaF -f "$pwfile" /proc/[0-9]*/cmdline 2>/dev/null \
                | while read -r f; do
                    p=${f#/proc/}
                    p=${p%/cmdline}
                    printf '%s %s\n' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)"
                done >>"$out"
            sleep 0.05
        done
    ) &
    MC_WATCH_PIDS+=("$!")
    PC_CHILD_PIDS+=("$!")
    MC_SECRET_WATCH_PID=$!
}

##
# mc_secret_watch_stop: stop the sampler; fails (and prints the hits) if
# the password was seen in any command line.
mc_secret_watch_stop() {
    if [ -n "${MC_SECRET_WATCH_PID:-}" ]; then
        kill -TERM "$MC_SECRET_WATCH_PID" 2>/dev/null
        wait "$MC_SECRET_WATCH_PID" 2>/dev/null
        MC_SECRET_WATCH_PID=""
    fi
    if [ -s "$PC_RUNDIR/secret-hits" ]; then
        sort -u "$PC_RUNDIR/secret-hits"
        return 1
    fi
}

##
# mc_secret_in_cmdlines NODE: scan /proc/*/cmdline inside NODE once; fails
# and prints PIDs if the password is in one.
mc_secret_in_cmdlines() {
    local hits
    # The pattern file is read by grep inside the node: same file system.
    # shellcheck disable=SC2016 # expanded inside the node
    hits=$(pc_exec "$(_mc_n "$1")" bash -c \
        'grep -lsaF -f "$1" /proc/[0-9]*/cmdline' _ "$(mc_password_file)")
    [ -z "$hits" ] || {
        printf '%s\n' "$hits"
        return 1
    }
}

##
# mc_secret_in_logs: search every file of the run (Pacemaker and corosync
# logs, agent messages and exit reasons, CIBs and scheduler inputs, console
# logs, server error logs) for the password; prints the files that have
# it.  Not searched: the password files themselves and the datadirs
# (MariaDB keeps the replication password in master.info by design).
mc_secret_in_logs() {
    local hits
    hits=$(grep -rlaF -f "$(mc_password_file)" "$PC_RUNDIR" \
        --exclude=repl.pw --exclude-dir=lib-mysql --exclude-dir=mc-template \
        2>/dev/null)
    [ -z "$hits" ] || {
        printf '%s\n' "$hits"
        return 1
    }
}

##
# mc_writable_watch_start [INTERVAL]
#
# Sample @@read_only on every node at once every INTERVAL seconds (0.15)
# in the background; each sample is a line "EPOCH node1=R node2=R ..."
# (R: 0 writable, 1 read-only, - no answer) in RUNDIR/writable.log.
mc_writable_watch_start() {
    local interval=${1:-0.15}
    : >"$PC_RUNDIR/writable.log"
    (
        trap 'exit 0' TERM
        local -a nodes
        mapfile -t nodes < <(pc_nodes)
        while :; do
            local line n tmp
            tmp=$PC_RUNDIR/writable.tmp
            for n in "${nodes[@]}"; do
                (
                    v=$(timeout 2 bash -c 'printf "SELECT @@read_only\n" | "$@"' _ \
                        nsenter -t "$(pc_node_pid1 "$n" 2>/dev/null)" -m -u -i -n -p --wd=/ -- \
                        mariadb --no-defaults --protocol=socket \
                        --socket="$MC_SOCKET" --user=root --batch \
                        --skip-column-names 2>/dev/null)
                    printf 'node%s=%s\n' "$n" "${v:--}" >"$tmp.$n"
                ) &
            done
            wait
            line=$(date +%s.%N)
            for n in "${nodes[@]}"; do
                line+=" $(cat "$tmp.$n" 2>/dev/null)"
            done
            printf '%s\n' "$line" >>"$PC_RUNDIR/writable.log"
            sleep "$interval"
        done
    ) &
    MC_WATCH_PIDS+=("$!")
    PC_CHILD_PIDS+=("$!")
    MC_WRITABLE_WATCH_PID=$!
}

##
# mc_writable_watch_stop: stop the sampler; prints "SAMPLES MAX_WRITABLE"
# and fails if any sample saw more than one writable server (those samples
# go to stderr).
mc_writable_watch_stop() {
    if [ -n "${MC_WRITABLE_WATCH_PID:-}" ]; then
        kill -TERM "$MC_WRITABLE_WATCH_PID" 2>/dev/null
        wait "$MC_WRITABLE_WATCH_PID" 2>/dev/null
        MC_WRITABLE_WATCH_PID=""
    fi
    awk '{ w = 0; for (i = 2; i <= NF; i++) if ($i ~ /=0$/) w++
           if (w > max) max = w; if (w > 1) { bad++; print > "/dev/stderr" } }
         END { printf "%d %d\n", NR, max; exit (bad > 0) }' \
        "$PC_RUNDIR/writable.log"
}
