# Debian 12 packages myha needs to build, test and run its sandbox.
# Sourced by tools/check and tools/sandbox; installs only what is missing.

MYHA_BUILD_PKGS="build-essential autoconf automake libtool pkg-config
    pacemaker-dev libqb-dev libcpg-dev libcorosync-common-dev
    libmariadb-dev libmariadb-dev-compat libxml2-dev libxml2-utils
    libcmocka-dev xsltproc
    libcurl4-openssl-dev libjson-c-dev libfreeipmi-dev fence-agents"
MYHA_TEST_PKGS="mariadb-server mariadb-client mariadb-backup
    pacemaker pacemaker-cli-utils corosync pcs resource-agents
    clang libclang-rt-14-dev clang-format cppcheck valgrind
    iproute2 procps psmisc strace time bc
    openipmi ipmitool"

# myha_install_deps PACKAGE...: apt-get install those not installed yet
myha_install_deps() {
    local missing="" p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
                | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "Installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Keep package scripts from starting services on this machine
    local policy=/usr/sbin/policy-rc.d had_policy=0
    [ -e "$policy" ] && had_policy=1
    if [ "$had_policy" = 0 ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
    local rc=$?
    [ "$had_policy" = 0 ] && rm -f "$policy"
    return $rc
}
