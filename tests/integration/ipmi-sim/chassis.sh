#!/bin/sh
# chassis_control script for ipmi_sim: "<script> STATEFILE get power" prints
# power:0|1 from STATEFILE; "... set power 0|1" writes it, unless the file
# STATEFILE.stuck exists, in which case power-off requests are ignored (a
# BMC whose host never powers off).  Each request is appended to
# STATEFILE.log.
state=$1
op=$2
shift 2
case $op in
get)
    for p in "$@"; do
        case $p in
        power) echo "power:$(cat "$state" 2>/dev/null || echo 0)" ;;
        boot) echo "boot:default" ;;
        esac
    done
    ;;
set)
    while [ $# -ge 2 ]; do
        echo "set $1 $2" >>"$state.log"
        if [ "$1" = power ]; then
            if [ "$2" = 0 ] && [ -e "$state.stuck" ]; then
                :
            else
                echo "$2" >"$state"
            fi
        fi
        shift 2
    done
    ;;
check) ;;
esac
exit 0
