# Test harness: MariaDB servers on loopback, for the integration tests and
# for tools/sandbox.  Source it from bash; it defines mh_* functions and
# starts nothing by itself.
#
#   . harness.sh
#   mh_init                      # new run dir under $MYHA_TEST_BASE
#   mh_cleanup_on_exit           # stop our servers however the script ends
#   mh_start 1 2                 # servers 1 and 2 (server_id = ID)
#   mh_replicate 2 1             # 2 replicates from 1 (GTID, slave_pos)
#   mh_sql 1 "CREATE DATABASE t" # runs as the admin account, SQL on stdin
#   mh_sync 2 1                  # wait until 2 has applied all of 1
#
# A persistent run (tools/sandbox) is attached again from another shell:
#   mh_init --persistent DIR; mh_start 1 2   (later, elsewhere)
#   mh_init --persistent DIR; mh_stop_all
#
# Every server's PID is recorded in RUNDIR/sID/pid, and only recorded PIDs
# whose command line still names that server's datadir are ever signalled.
# Passwords live in option files of mode 600 and reach the client on stdin
# or through --defaults-file, never through argv.  Messages go to stderr:
# stdout belongs to the caller (TAP).

# shellcheck source=../lib/proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"

MH_BASE="${MYHA_TEST_BASE:-/tmp/myha-test}"
MH_MARIADBD="${MH_MARIADBD:-/usr/sbin/mariadbd}"
MH_INSTALL_DB="${MH_INSTALL_DB:-/usr/bin/mariadb-install-db}"
MH_CLIENT="${MH_CLIENT:-/usr/bin/mariadb}"
MH_START_TIMEOUT="${MH_START_TIMEOUT:-60}" # seconds
MH_STOP_TIMEOUT="${MH_STOP_TIMEOUT:-30}"   # seconds before SIGKILL
MH_REPL_TIMEOUT="${MH_REPL_TIMEOUT:-30}"   # seconds
MH_RUNDIR=""
MH_PERSISTENT=0
MH_CHILD_PIDS=() # caller's own children, sent TERM on INT/TERM/HUP

# Server options shared by every server (besides paths, port and server_id).
MH_SERVER_OPTS=(
    --bind-address=127.0.0.1
    --skip-name-resolve
    --log-bin=binlog
    --relay-log=relay
    --log-slave-updates
    --gtid-strict-mode=ON
    --binlog-format=ROW
    --innodb-buffer-pool-size=16M
    --innodb-log-file-size=8M
    --innodb-log-buffer-size=2M
    --key-buffer-size=1M
    --aria-pagecache-buffer-size=2M
    --performance-schema=OFF
    --max-connections=40
    --thread-cache-size=4
    --table-open-cache=256
)

_mh_log() {
    printf 'harness: %s\n' "$*" >&2
}

_mh_die() {
    _mh_log "$*"
    return 1
}

_mh_need_init() {
    if [ -z "$MH_RUNDIR" ]; then
        _mh_die "mh_init has not been called"
        return 1
    fi
}

# True if PID is alive and was started with --datadir=DATADIR, i.e. it is
# still the server we started and not some reuse of its PID.
_mh_pid_is_server() {
    proc_has_arg "$1" "--datadir=$2"
}

# Stop the recorded server of server directory SDIR: TERM, bounded wait,
# then KILL.  Only the recorded PID, and only if it is still that server.
_mh_stop_sdir() {
    local sdir=$1 pid datadir i
    [ -f "$sdir/pid" ] || return 0
    pid=$(cat "$sdir/pid")
    datadir="$sdir/data"
    if _mh_pid_is_server "$pid" "$datadir"; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < MH_STOP_TIMEOUT * 10; i++)); do
            _mh_pid_is_server "$pid" "$datadir" || break
            sleep 0.1
        done
        if _mh_pid_is_server "$pid" "$datadir"; then
            _mh_log "server $sdir (PID $pid) ignored TERM for ${MH_STOP_TIMEOUT}s: killing it"
            kill -KILL "$pid" 2>/dev/null
            for ((i = 0; i < 100; i++)); do
                _mh_pid_is_server "$pid" "$datadir" || break
                sleep 0.1
            done
        fi
    fi
    if _mh_pid_is_server "$pid" "$datadir"; then
        _mh_die "cannot stop server $sdir (PID $pid)"
        return 1
    fi
    rm -f "$sdir/pid"
}

# True if the run directory DIR belongs to a shell that is gone.
_mh_run_is_stale() {
    local dir=$1 pid start
    [ -f "$dir/owner" ] || return 1 # persistent, or already reaped
    read -r pid start <"$dir/owner" || return 0
    # A zombie owner is gone too (PID 1 may be slow to reap it).
    proc_alive "$pid" || return 0
    [ "$(proc_starttime "$pid")" = "$start" ] && return 1
    return 0
}

# Kill what crashed earlier runs under MH_BASE left behind, drop their data,
# and forget run directories reaped more than a day ago.
_mh_reap_stale() {
    local dir sdir
    [ -d "$MH_BASE" ] || return 0
    for dir in "$MH_BASE"/run.*; do
        [ -d "$dir" ] || continue
        [ "$dir" = "$MH_RUNDIR" ] && continue
        if _mh_run_is_stale "$dir"; then
            _mh_log "reaping stale run $dir"
            for sdir in "$dir"/s*; do
                [ -d "$sdir" ] && _mh_stop_sdir "$sdir"
            done
            rm -rf "$dir"/s*/data
            rm -f "$dir/owner"
            touch "$dir/reaped"
        fi
    done
    find "$MH_BASE" -mindepth 2 -maxdepth 2 -name reaped -mtime +0 -printf '%h\0' \
        | xargs -0 -r rm -rf
}

# Print the value of KEY from the [client] option file FILE.
_mh_cnf_get() {
    sed -n "s/^$2=//p" "$1" | head -n 1
}

_mh_new_password() {
    # Letters and digits only: the harness writes it into SQL and option
    # files verbatim.
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24
}

# Write an option file of mode 600; the content comes on stdin.
_mh_write_secret() {
    (umask 077 && cat >"$1")
}

##
# mh_init [--persistent] [RUNDIR]
#
# Start using RUNDIR (default: a new directory under $MYHA_TEST_BASE, or
# /tmp/myha-test).  A run that is not persistent belongs to this shell: once
# the shell is gone, the next mh_init kills its recorded servers.  Sets
# MH_RUNDIR.
mh_init() {
    local persistent=0 dir pid start
    if [ "${1:-}" = "--persistent" ]; then
        persistent=1
        shift
    fi
    mkdir -p "$MH_BASE" || return 1
    if [ -n "${1:-}" ]; then
        mkdir -p "$1" || return 1
        dir=$(cd "$1" && pwd -P) || return 1
    else
        dir=$(mktemp -d "$MH_BASE/run.XXXXXX") || return 1
        dir=$(cd "$dir" && pwd -P) || return 1
    fi
    if [ "$persistent" = 0 ] && [ -f "$dir/persistent" ]; then
        _mh_die "run directory $dir is persistent: use mh_init --persistent"
        return 1
    fi
    if [ "$persistent" = 0 ] && [ -f "$dir/owner" ] && ! _mh_run_is_stale "$dir"; then
        read -r pid start <"$dir/owner"
        if [ "$pid" != "$$" ]; then
            _mh_die "run directory $dir is in use by PID $pid"
            return 1
        fi
    fi
    MH_RUNDIR=$dir
    MH_PERSISTENT=$persistent
    _mh_reap_stale
    if [ "$persistent" = 1 ]; then
        rm -f "$dir/owner"
        touch "$dir/persistent"
    else
        # A stale run reused by name: its servers go first.
        if _mh_run_is_stale "$dir"; then
            local sdir
            for sdir in "$dir"/s*; do
                [ -d "$sdir" ] && _mh_stop_sdir "$sdir"
            done
        fi
        printf '%s %s\n' "$$" "$(proc_starttime "$$")" >"$dir/owner"
    fi
    if [ ! -f "$dir/client.cnf" ]; then
        printf '[client]\nuser=myha\npassword=%s\n' "$(_mh_new_password)" \
            | _mh_write_secret "$dir/client.cnf" || return 1
    fi
    if [ ! -f "$dir/repl.cnf" ]; then
        printf '[client]\nuser=repl\npassword=%s\n' "$(_mh_new_password)" \
            | _mh_write_secret "$dir/repl.cnf" || return 1
    fi
}

# A datadir made by mariadb-install-db, cached under MH_BASE per server
# version (copying it is ~20x faster than installing).
_mh_template() {
    local version key tdir tmp
    version=$("$MH_MARIADBD" --version 2>/dev/null) || {
        _mh_die "cannot run $MH_MARIADBD"
        return 1
    }
    key=$(printf '%s' "$version" | cksum | cut -d' ' -f1)
    tdir="$MH_BASE/template-$key"
    if [ ! -f "$tdir/.complete" ]; then
        (
            flock 9
            [ -f "$tdir/.complete" ] && exit 0
            rm -rf "$tdir"
            tmp=$(mktemp -d "$MH_BASE/template.XXXXXX") || exit 1
            if ! "$MH_INSTALL_DB" --no-defaults --user=root \
                --datadir="$tmp/data" --auth-root-authentication-method=socket \
                --skip-test-db --skip-name-resolve \
                --innodb-log-file-size=8M --innodb-buffer-pool-size=16M \
                >"$tmp/install.log" 2>&1; then
                cat "$tmp/install.log" >&2
                rm -rf "$tmp"
                exit 1
            fi
            touch "$tmp/.complete"
            mv "$tmp" "$tdir"
        ) 9>"$MH_BASE/template.lock" || {
            _mh_die "mariadb-install-db failed"
            return 1
        }
    fi
    printf '%s\n' "$tdir/data"
}

# Print a TCP port on 127.0.0.1 that nothing listens on or uses, below the
# ephemeral range, and not already given to a server of this run.
_mh_free_port() {
    local -A used=()
    local line local_addr port f i
    for f in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$f" ] || continue
        while read -r _ local_addr _; do
            [ "$local_addr" = local_address ] && continue
            used[$((16#${local_addr##*:}))]=1
        done <"$f"
    done
    for f in "$MH_RUNDIR"/s*/port; do
        [ -f "$f" ] || continue
        port=$(cat "$f")
        [[ "$port" =~ ^[0-9]+$ ]] && used[$port]=1
    done
    for ((i = 0; i < 1000; i++)); do
        port=$((20000 + RANDOM % 12000))
        if [ -z "${used[$port]:-}" ]; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    _mh_die "no free TCP port found"
    return 1
}

_mh_sdir() {
    printf '%s/s%s\n' "$MH_RUNDIR" "$1"
}

##
# mh_socket ID / mh_port ID / mh_datadir ID / mh_errlog ID / mh_pid ID
# mh_cnf ID: option file ([client]: admin user, password, socket, port)
# mh_credentials: option file with the admin user and password only
# mh_repl_cnf: option file with the replication user and password
mh_socket() { printf '%s/mysqld.sock\n' "$(_mh_sdir "$1")"; }
mh_port() { cat "$(_mh_sdir "$1")/port"; }
mh_datadir() { printf '%s/data\n' "$(_mh_sdir "$1")"; }
mh_errlog() { printf '%s/error.log\n' "$(_mh_sdir "$1")"; }
mh_pid() { cat "$(_mh_sdir "$1")/pid"; }
mh_cnf() { printf '%s/client.cnf\n' "$(_mh_sdir "$1")"; }
mh_credentials() { printf '%s/client.cnf\n' "$MH_RUNDIR"; }
mh_repl_cnf() { printf '%s/repl.cnf\n' "$MH_RUNDIR"; }

##
# mh_opts ID OPTION...
#
# Add mariadbd options for server ID, used from its next start on.
mh_opts() {
    local sdir
    _mh_need_init || return 1
    sdir=$(_mh_sdir "$1")
    shift
    mkdir -p "$sdir" && printf '%s\n' "$@" >>"$sdir/opts"
}

##
# mh_is_running ID: true if server ID runs as recorded.
mh_is_running() {
    local sdir
    _mh_need_init || return 1
    sdir=$(_mh_sdir "$1")
    [ -f "$sdir/pid" ] && _mh_pid_is_server "$(cat "$sdir/pid")" "$sdir/data"
}

# Run the client as root over the socket (unix_socket authentication);
# the SQL comes on stdin.
_mh_root_sql() {
    "$MH_CLIENT" --no-defaults --protocol=socket --socket="$(mh_socket "$1")" \
        --user=root --batch --skip-column-names
}

# One attempt to start server ID; 2 means "port taken, try another".
_mh_start_once() {
    local id=$1 sdir pid i extra=() line
    sdir=$(_mh_sdir "$id")
    if [ -f "$sdir/opts" ]; then
        while IFS= read -r line; do
            [ -n "$line" ] && extra+=("$line")
        done <"$sdir/opts"
    fi
    : >"$sdir/error.log"
    "$MH_MARIADBD" --no-defaults --user=root \
        --datadir="$sdir/data" --tmpdir="$sdir/tmp" \
        --socket="$sdir/mysqld.sock" --port="$(cat "$sdir/port")" \
        --pid-file="$sdir/server.pid" --log-error="$sdir/error.log" \
        --server-id="$id" "${MH_SERVER_OPTS[@]}" "${extra[@]}" \
        </dev/null >>"$sdir/stdout.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$sdir/pid"
    for ((i = 0; i < MH_START_TIMEOUT * 20; i++)); do
        # Our own child: between fork and exec its command line is still
        # ours, so look at liveness only.
        if ! proc_alive "$pid"; then
            wait "$pid" 2>/dev/null
            rm -f "$sdir/pid"
            if grep -q 'Do you already have another .* running on port' "$sdir/error.log"; then
                return 2
            fi
            _mh_log "server $id exited during start; $sdir/error.log:"
            tail -n 20 "$sdir/error.log" >&2
            return 1
        fi
        if [ -S "$sdir/mysqld.sock" ] && echo 'SELECT 1' | _mh_root_sql "$id" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
    done
    _mh_log "server $id not ready after ${MH_START_TIMEOUT}s; $sdir/error.log:"
    tail -n 20 "$sdir/error.log" >&2
    _mh_stop_sdir "$sdir"
    return 1
}

# Accounts, created once per server with the binary log off so that no
# replica ever replays them.
_mh_bootstrap() {
    local id=$1 sdir pw rpw
    sdir=$(_mh_sdir "$id")
    [ -f "$sdir/bootstrapped" ] && return 0
    pw=$(_mh_cnf_get "$MH_RUNDIR/client.cnf" password)
    rpw=$(_mh_cnf_get "$MH_RUNDIR/repl.cnf" password)
    _mh_root_sql "$id" <<EOF || return 1
SET SESSION sql_log_bin = 0;
CREATE USER 'myha'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'myha'@'localhost' WITH GRANT OPTION;
CREATE USER 'myha'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'myha'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '$rpw';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
EOF
    touch "$sdir/bootstrapped"
}

##
# mh_start ID...
#
# Start servers (server_id = ID, which must be a positive integer), creating
# their datadirs on first use, and wait until each accepts connections.  A
# server already running is left alone.
mh_start() {
    local id sdir template rc tries sock port
    _mh_need_init || return 1
    for id in "$@"; do
        if ! [[ "$id" =~ ^[1-9][0-9]*$ ]]; then
            _mh_die "server ID must be a positive integer: '$id'"
            return 1
        fi
        sdir=$(_mh_sdir "$id")
        if mh_is_running "$id"; then
            continue
        fi
        sock="$sdir/mysqld.sock"
        if [ "${#sock}" -gt 107 ]; then
            _mh_die "socket path too long for AF_UNIX: $sock"
            return 1
        fi
        mkdir -p "$sdir/tmp" || return 1
        if [ ! -d "$sdir/data" ]; then
            template=$(_mh_template) || return 1
            rm -f "$sdir/bootstrapped"
            cp -a "$template" "$sdir/data.tmp" && mv "$sdir/data.tmp" "$sdir/data" || return 1
        fi
        for ((tries = 0; ; tries++)); do
            if [ ! -f "$sdir/port" ]; then
                port=$(_mh_free_port) || return 1
                printf '%s\n' "$port" >"$sdir/port"
            fi
            _mh_start_once "$id"
            rc=$?
            [ "$rc" = 0 ] && break
            if [ "$rc" = 2 ] && [ "$tries" -lt 5 ] && [ ! -f "$sdir/bootstrapped" ]; then
                rm -f "$sdir/port" # never used yet: another one will do
                continue
            fi
            [ "$rc" = 2 ] && _mh_log "server $id: port $(cat "$sdir/port") is taken"
            return 1
        done
        _mh_bootstrap "$id" || return 1
        {
            printf '[client]\n'
            sed -n '/^user=/p; /^password=/p' "$MH_RUNDIR/client.cnf"
            printf 'socket=%s\nport=%s\n' "$sock" "$(cat "$sdir/port")"
        } | _mh_write_secret "$sdir/client.cnf" || return 1
    done
}

##
# mh_sql ID "SQL"
#
# Run SQL on server ID as the admin account; prints the result rows
# tab-separated, without column names.
mh_sql() {
    _mh_need_init || return 1
    printf '%s\n' "$2" | "$MH_CLIENT" --defaults-file="$(mh_cnf "$1")" \
        --protocol=socket --batch --skip-column-names
}

##
# mh_replica_status ID
#
# Print SHOW SLAVE STATUS of server ID as "Field: value" lines.
mh_replica_status() {
    _mh_need_init || return 1
    printf 'SHOW SLAVE STATUS\\G\n' \
        | "$MH_CLIENT" --defaults-file="$(mh_cnf "$1")" --protocol=socket \
        | sed -n 's/^ *\([A-Za-z_]*\): /\1: /p'
}

# Print one column of SHOW SLAVE STATUS on server ID.
_mh_slave_field() {
    mh_replica_status "$1" | sed -n "s/^$2: //p"
}

##
# mh_replicate REPLICA SOURCE
#
# Make server REPLICA replicate from server SOURCE over TCP with GTID
# (MASTER_USE_GTID=slave_pos) as the replication account, and wait until
# both replication threads run.
mh_replicate() {
    local replica=$1 source=$2 rpw i io sql
    _mh_need_init || return 1
    rpw=$(_mh_cnf_get "$MH_RUNDIR/repl.cnf" password)
    mh_sql "$replica" "STOP SLAVE;
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$(mh_port "$source"), MASTER_USER='repl', MASTER_PASSWORD='$rpw', MASTER_USE_GTID=slave_pos;
START SLAVE;" || return 1
    for ((i = 0; i < MH_REPL_TIMEOUT * 10; i++)); do
        io=$(_mh_slave_field "$replica" Slave_IO_Running)
        sql=$(_mh_slave_field "$replica" Slave_SQL_Running)
        [ "$io" = Yes ] && [ "$sql" = Yes ] && return 0
        sleep 0.1
    done
    _mh_log "server $replica does not replicate from $source (IO: $io, SQL: $sql):"
    _mh_slave_field "$replica" 'Last_[A-Z]*_Error' >&2
    return 1
}

##
# mh_sync REPLICA SOURCE [TIMEOUT]
#
# Wait until REPLICA has applied every transaction SOURCE has written.
mh_sync() {
    local replica=$1 source=$2 timeout=${3:-$MH_REPL_TIMEOUT} pos rc
    _mh_need_init || return 1
    pos=$(mh_sql "$source" 'SELECT @@GLOBAL.gtid_binlog_pos') || return 1
    rc=$(mh_sql "$replica" "SELECT MASTER_GTID_WAIT('$pos', $timeout)") || return 1
    if [ "$rc" != 0 ]; then
        _mh_die "server $replica did not reach $source's position '$pos' in ${timeout}s"
        return 1
    fi
}

##
# mh_stop ID...
#
# Stop servers by their recorded PID (TERM, bounded wait, KILL).  Their
# datadirs stay.
mh_stop() {
    local id rc=0
    _mh_need_init || return 1
    for id in "$@"; do
        _mh_stop_sdir "$(_mh_sdir "$id")" || rc=1
    done
    return "$rc"
}

##
# mh_stop_all: stop every server this run recorded.
mh_stop_all() {
    local sdir rc=0
    [ -n "$MH_RUNDIR" ] || return 0
    for sdir in "$MH_RUNDIR"/s*; do
        [ -d "$sdir" ] || continue
        _mh_stop_sdir "$sdir" || rc=1
    done
    return "$rc"
}

_mh_on_exit() {
    local rc=$1
    trap - EXIT
    mh_stop_all
    if [ "$rc" = 0 ] && [ -z "${MH_KEEP:-}" ] && [ "$MH_PERSISTENT" = 0 ] \
        && [ -n "$MH_RUNDIR" ]; then
        rm -rf "$MH_RUNDIR"
    elif [ -n "${MH_KEEP:-}" ] && [ -n "$MH_RUNDIR" ]; then
        rm -f "$MH_RUNDIR/owner" # never reaped
        _mh_log "kept $MH_RUNDIR (MH_KEEP)"
    elif [ -n "$MH_RUNDIR" ]; then
        _mh_log "kept $MH_RUNDIR (exit status $rc); the next run drops its datadirs"
    fi
    return "$rc"
}

_mh_on_signal() {
    local sig=$1 num
    num=$(kill -l "$sig")
    _mh_log "caught SIG$sig: stopping servers"
    trap - "$sig"
    if [ "${#MH_CHILD_PIDS[@]}" -gt 0 ]; then
        kill -TERM "${MH_CHILD_PIDS[@]}" 2>/dev/null
    fi
    _mh_on_exit $((128 + num))
    exit $((128 + num))
}

##
# mh_cleanup_on_exit
#
# Stop this run's servers when the calling shell exits or gets INT, TERM
# or HUP, and remove the run directory if the exit status is 0 (unless
# MH_KEEP is set or the run is persistent).  Replaces the caller's EXIT,
# INT, TERM and HUP traps.  Run long commands in the background and
# `wait` for them, so that a signal is handled at once; add their PIDs to
# MH_CHILD_PIDS to have them sent TERM too.
mh_cleanup_on_exit() {
    trap '_mh_on_exit $?' EXIT
    trap '_mh_on_signal INT' INT
    trap '_mh_on_signal TERM' TERM
    trap '_mh_on_signal HUP' HUP
}
