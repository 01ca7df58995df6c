/*
 * ocf:myha:mysql-repl: the parameter and action tables.  Meta-data,
 * validation, defaults and the man page all come from here.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <myha/params.h>
#include <myha/validate.h>

#include "mysql_repl.h"

#define MSEC_PER_SEC 1000LL

#define DEFAULT_BINARY "mariadbd"
#define FALLBACK_BINARY "mysqld"

// The default binary may be replaced by mysqld where MariaDB is not installed
static int
validate_binary(const char *value, char **ret_reason)
{
    int rc = myha_validate_program(value, ret_reason);
    char *ignored = NULL;

    if ((rc != 0) && (strcmp(value, DEFAULT_BINARY) == 0)
        && (myha_validate_program(FALLBACK_BINARY, &ignored) == 0)) {
        free(*ret_reason);
        *ret_reason = NULL;
        return 0;
    }
    free(ignored);
    return rc;
}

static const struct myha_param params[P__COUNT] = {
    [P_BINARY] = {
        .name = "binary",
        .type = myha_param_string,
        .default_value = DEFAULT_BINARY,
        .shortdesc = "MySQL or MariaDB server binary",
        .longdesc = "Server program to run: a path, or a name looked up in "
                    "PATH and /usr/sbin. When not set, mariadbd is used, or "
                    "mysqld if there is no mariadbd.",
        .validate = validate_binary,
    },
    [P_CONFIG] = {
        .name = "config",
        .type = myha_param_string,
        .shortdesc = "Server option file",
        .longdesc = "Option file the server reads (--defaults-file). When "
                    "not set, the server runs with --no-defaults and only "
                    "the options given by this agent (relay logs named "
                    "relay.NNNNNN). An option file should set relay_log: "
                    "the pitr action needs it.",
        .validate = myha_validate_file,
    },
    [P_DATADIR] = {
        .name = "datadir",
        .type = myha_param_string,
        .default_value = "/var/lib/mysql",
        .unique_group = "datadir",
        .shortdesc = "Server data directory",
        .longdesc = "Absolute path of the server's data directory.",
        .validate = myha_validate_abs_path,
    },
    [P_SOCKET] = {
        .name = "socket",
        .type = myha_param_string,
        .default_value = "/run/mysqld/mysqld.sock",
        .unique_group = "socket",
        .shortdesc = "Server unix socket",
        .longdesc = "Absolute path of the server's unix socket. The agent "
                    "connects to the server through it.",
        .validate = myha_validate_abs_path,
    },
    [P_PID] = {
        .name = "pid",
        .type = myha_param_string,
        .default_value = "/run/mysqld/mysqld.pid",
        .unique_group = "pid",
        .shortdesc = "Server PID file",
        .longdesc = "Absolute path of the server's PID file.",
        .validate = myha_validate_abs_path,
    },
    [P_USER] = {
        .name = "user",
        .type = myha_param_string,
        .default_value = "mysql",
        .shortdesc = "User the server runs as",
        .longdesc = "System user that owns the data directory and runs the "
                    "server.",
        .validate = myha_validate_user,
    },
    [P_GROUP] = {
        .name = "group",
        .type = myha_param_string,
        .default_value = "mysql",
        .shortdesc = "Group of the server's files",
        .longdesc = "System group of the data directory, socket and log.",
        .validate = myha_validate_group,
    },
    [P_LOG] = {
        .name = "log",
        .type = myha_param_string,
        .default_value = "/var/log/mysql/error.log",
        .shortdesc = "Server error log",
        .longdesc = "Absolute path of the server's error log; the server's "
                    "own output is appended there too.",
        .validate = myha_validate_abs_path,
    },
    [P_ADDITIONAL_PARAMETERS] = {
        .name = "additional_parameters",
        .type = myha_param_string,
        .shortdesc = "Extra server options",
        .longdesc = "More server options, separated by blanks, e.g. "
                    "\"--innodb-buffer-pool-size=1G --port=3307\". They are "
                    "passed without a shell, so quotes are refused. Never "
                    "put a password here: it would be visible in the "
                    "process list.",
        .validate = myha_validate_no_quotes,
    },
    [P_CLIENT_CONFIG] = {
        .name = "client_config",
        .type = myha_param_string,
        .shortdesc = "Option file for the agent's admin connection",
        .longdesc = "Option file whose [client] section holds the user and "
                    "password of the agent's own admin connection. When not "
                    "set, the agent connects as root through the socket "
                    "(unix_socket authentication).",
        .validate = myha_validate_file,
    },
    [P_REPLICATION_USER] = {
        .name = "replication_user",
        .type = myha_param_string,
        .shortdesc = "Replication user",
        .longdesc = "Account replicas use to connect to the primary. It "
                    "needs the REPLICATION SLAVE privilege (REPLICATION "
                    "REPLICA on MySQL) on every node.",
    },
    [P_REPLICATION_PASSWD] = {
        .name = "replication_passwd",
        .type = myha_param_string,
        .flags = myha_param_secret,
        .shortdesc = "Replication password (shown in the CIB)",
        .longdesc = "Password of replication_user. Accepted for "
                    "compatibility with ocf:heartbeat:mysql, but anyone who "
                    "can read the CIB (cibadmin -Q, pcs config) sees it: "
                    "prefer replication_passwd_file.",
    },
    [P_REPLICATION_PASSWD_FILE] = {
        .name = "replication_passwd_file",
        .type = myha_param_string,
        .shortdesc = "File holding the replication password",
        .longdesc = "Absolute path of a file, readable by root only, whose "
                    "first line is the password of replication_user. Takes "
                    "precedence over replication_passwd.",
        .validate = myha_validate_file,
    },
    [P_REPLICATION_PORT] = {
        .name = "replication_port",
        .type = myha_param_integer,
        .default_value = "3306",
        .min = 1,
        .max = 65535,
        .shortdesc = "Port replicas connect to",
        .longdesc = "TCP port of the primary's server that replicas "
                    "connect to.",
    },
    [P_MAX_LAG] = {
        .name = "max_lag",
        .type = myha_param_integer,
        .default_value = "300",
        .min = 0,
        .max = 31536000,
        .flags = myha_param_reloadable,
        .shortdesc = "Most lag (seconds) a promotable replica may have",
        .longdesc = "A replica whose SQL thread is further behind the "
                    "primary than this many seconds gets no promotion "
                    "score. 0 disables the check.",
    },
    [P_DRAIN_TIMEOUT] = {
        .name = "drain_timeout",
        .type = myha_param_duration,
        .default_value = "60s",
        .min = 1 * MSEC_PER_SEC,
        .max = 86400 * MSEC_PER_SEC,
        .flags = myha_param_reloadable,
        .shortdesc = "Time promote may spend applying the relay log",
        .longdesc = "Before leaving read-only, promote applies every "
                    "transaction this replica has already received, and "
                    "takes from the most advanced peer replica whatever it "
                    "holds that this one lacks. If either takes longer "
                    "than this (Pacemaker duration syntax, e.g. 90s or "
                    "5min), promote fails. Keep the promote operation's "
                    "timeout larger than twice this.",
    },
    [P_DEMOTE_TIMEOUT] = {
        .name = "demote_timeout",
        .type = myha_param_duration,
        .default_value = "30s",
        .min = 1 * MSEC_PER_SEC,
        .max = 3600 * MSEC_PER_SEC,
        .flags = myha_param_reloadable,
        .shortdesc = "Time demote may wait for writers to end",
        .longdesc = "After setting read-only, demote ends client sessions "
                    "that still hold writes, waiting at most this long "
                    "(Pacemaker duration syntax).",
    },
    [P_FENCE_UNREACHABLE_PRIMARY] = {
        .name = "fence_unreachable_primary",
        .type = myha_param_boolean,
        .default_value = "false",
        .flags = myha_param_reloadable,
        .shortdesc = "Fence an unreachable primary before promoting",
        .longdesc = "When the old primary's server cannot be reached and "
                    "its node is not yet confirmed fenced, request fencing "
                    "of that node and wait for it before promoting. When "
                    "false, promote refuses in that situation and says why.",
    },
    [P_PITR_SOURCE] = {
        .name = "pitr_source",
        .type = myha_param_string,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: directory of binary logs to replay",
        .longdesc = "Used only by the pitr action (point-in-time recovery, "
                    "MariaDB). Absolute path of a directory holding the "
                    "binary logs to replay: the primary's, an archive, or a "
                    "copy. Only the files needed after this server's GTID "
                    "position are used, and never changed: each is placed "
                    "as a relay log by a hard link when it is on the file "
                    "system of the server's relay logs, used whole, owned "
                    "by the owner of their directory, and not in the "
                    "server's own binary log directory (known with "
                    "log_bin), else by a copy. During the replay the "
                    "server flushes its redo log once a second and leaves "
                    "syncing the binary log to the OS "
                    "(innodb_flush_log_at_trx_commit=2, sync_binlog=0); "
                    "both are set back when it ends. SIGINT, SIGTERM or "
                    "SIGHUP stop the replay between two transactions and "
                    "remove its replication configuration; pitr then fails "
                    "with the GTID position reached, and the same pitr run "
                    "again continues from there. Until a pitr succeeds, the "
                    "instance is marked an unfinished recovery (file "
                    "myha-<resource>.pitr-unfinished in $HA_RSCTMP, else in "
                    "/run/resource-agents): it replicates from nobody, "
                    "monitor gives it no promotion score and promote "
                    "refuses. Once a pitr succeeds, the instance is a "
                    "finished recovery (file myha-<resource>.pitr-done in "
                    "its datadir; to discard the recovery, remove it and "
                    "re-provision the node): it replicates from nobody and "
                    "has no promotion score, so Pacemaker never promotes it "
                    "by itself. Promoted by a constraint (pcs resource move "
                    "<clone> <node> --promoted), it takes nothing from the "
                    "other nodes: before leaving read-only it marks them "
                    "stale (permanent node attribute myha-<resource>-stale), "
                    "since they hold the history the recovery replaced. A "
                    "stale node replicates from nobody, has no score and "
                    "refuses promote until it is re-provisioned from the "
                    "new primary and its attribute deleted.",
    },
    [P_PITR_UNTIL_GTID] = {
        .name = "pitr_until_gtid",
        .type = myha_param_string,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: stop before this GTID",
        .longdesc = "Used only by the pitr action. Apply every transaction "
                    "of pitr_source before this GTID (e.g. 0-1-4711), not "
                    "this one nor any after it. Give at most one of "
                    "pitr_until_gtid, pitr_until_time and pitr_skip_gtid; "
                    "with none, everything is applied.",
    },
    [P_PITR_UNTIL_TIME] = {
        .name = "pitr_until_time",
        .type = myha_param_string,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: stop before this time",
        .longdesc = "Used only by the pitr action. Apply the transactions "
                    "of pitr_source committed before this time, given in "
                    "RFC 3339 (2026-01-02T21:54:00Z or "
                    "2026-01-02T22:54:00+01:00). A time without an offset "
                    "is UTC, not local time.",
    },
    [P_PITR_SKIP_GTID] = {
        .name = "pitr_skip_gtid",
        .type = myha_param_string,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: excise this GTID",
        .longdesc = "Used only by the pitr action. Apply every transaction "
                    "of pitr_source except this one (e.g. a mistaken "
                    "DELETE): those before it, then those after it to the "
                    "end of the logs. Once past it, a pitr that was "
                    "interrupted continues without pitr_skip_gtid (its exit "
                    "reason says so).",
    },
    [P_PITR_PARALLEL_WORKERS] = {
        .name = "pitr_parallel_workers",
        .type = myha_param_integer,
        .min = 0,
        .max = 256,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: parallel apply threads",
        .longdesc = "Used only by the pitr action. slave_parallel_threads "
                    "during the replay (restored afterwards); 0 applies "
                    "serially. When not set, the server's setting is kept. "
                    "Parallel apply pays off only with several cores to "
                    "spare: on 2 cores, 0 replayed a sysbench write "
                    "workload faster than 2 (tests/bench/pitr).",
    },
    [P_PITR_BACKUP] = {
        .name = "pitr_backup",
        .type = myha_param_string,
        .flags = myha_param_action_only,
        .shortdesc = "pitr only: prepared mariadb-backup to restore first",
        .longdesc = "Used only by the pitr action. Absolute path of a "
                    "prepared mariadb-backup directory (--backup, then "
                    "--prepare). The server is stopped, its datadir is "
                    "moved aside to <datadir>.pitr-<UTC time> (never "
                    "deleted; the path is logged), the backup is copied in, "
                    "the server is started read-only, and the replay starts "
                    "from the backup's GTID position. The datadir must not "
                    "be a mount point (it could not be moved aside): then "
                    "pitr refuses before it changes anything; restore the "
                    "backup by hand and run pitr without pitr_backup. A "
                    "pitr interrupted after the restore continues without "
                    "pitr_backup.",
    },
};

static const struct myha_action_meta actions[] = {
    { "start", "120s", NULL, NULL, NULL },
    { "stop", "120s", NULL, NULL, NULL },
    { "monitor", "30s", "11s", "Unpromoted", "0" },
    { "monitor", "30s", "10s", "Promoted", "0" },
    { "promote", "120s", NULL, NULL, NULL },
    { "demote", "120s", NULL, NULL, NULL },
    { "notify", "90s", NULL, NULL, NULL },
    { "reload-agent", "30s", NULL, NULL, NULL },
    { "validate-all", "30s", NULL, NULL, NULL },
    { "meta-data", "5s", NULL, NULL, NULL },
    { "pitr", "3600s", NULL, NULL, NULL },
};

const struct myha_agent_meta mysql_repl_meta = {
    .name = "mysql-repl",
    .version = PACKAGE_VERSION,
    .shortdesc = "MySQL/MariaDB asynchronous replication, promotable",
    .longdesc = "Runs a MySQL or MariaDB server as one instance of a "
                "promotable clone: one writable primary, GTID replicas, and "
                "failover that never leaves two writable servers and never "
                "promotes a stale or broken replica. Every instance starts "
                "read-only; only promote makes a server writable.",
    .params = params,
    .n_params = P__COUNT,
    .actions = actions,
    .n_actions = sizeof(actions) / sizeof(actions[0]),
};
