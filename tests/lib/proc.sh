# Process checks shared by the test harnesses (tests/integration/harness.sh,
# tests/cluster/pcmk-harness.sh): a recorded PID is signalled only while it
# is still the process that was started, never a reuse of its number.

# proc_starttime PID: echo its start time (clock ticks since boot), or
# nothing if it does not exist.
proc_starttime() {
    local stat rest
    local -a f
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    printf '%s\n' "${f[19]:-}"
}

# proc_alive PID: true if it exists and is not a zombie.
proc_alive() {
    local stat
    [ -n "$1" ] || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# proc_has_arg PID ARG: true if PID is alive and ARG is one of its
# arguments, exactly.
proc_has_arg() {
    local pid=$1 want=$2 arg
    local -a args=()
    proc_alive "$pid" || return 1
    # stderr first: a process that just exited must print nothing
    mapfile -d '' args 2>/dev/null <"/proc/$pid/cmdline" || return 1
    for arg in "${args[@]}"; do
        [ "$arg" = "$want" ] && return 0
    done
    return 1
}
