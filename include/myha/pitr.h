/*
 * Point-in-time recovery by relay-log replay (MariaDB): plan which binlog
 * files of a source directory a server needs after its GTID position and
 * where to stop, then let the server's SQL thread apply them as relay logs.
 */
#ifndef MYHA_PITR__H
#define MYHA_PITR__H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <myha/binlog.h>

struct myha_db;

//! What to replay
enum myha_pitr_kind {
    MYHA_PITR_ALL = 0,        //!< Everything after the base
    MYHA_PITR_UNTIL_GTID = 1, //!< Stop before a GTID
    MYHA_PITR_UNTIL_TIME = 2, //!< Last transaction before a time
    MYHA_PITR_SKIP_GTID = 3,  //!< Everything but one GTID (excision)
};

//! Target of a replay
struct myha_pitr_target {
    enum myha_pitr_kind kind;
    struct myha_binlog_gtid gtid; //!< For UNTIL_GTID and SKIP_GTID
    int64_t time;                 //!< For UNTIL_TIME, seconds since the epoch
};

//! One binlog file to place as a relay log
struct myha_pitr_file {
    char *name;       //!< Source file name ("binlog.000007")
    char *path;       //!< Source path
    char *relay_name; //!< Relay log name ("relay.000007")
    uint64_t size;    //!< Bytes to copy
};

//! A position in the planned relay logs
struct myha_pitr_pos {
    size_t file;  //!< Index in myha_pitr_plan.files
    uint64_t pos; //!< Offset in that file
};

//! One transaction the plan applies or skips
struct myha_pitr_trx {
    size_t file;    //!< Index in myha_pitr_plan.files
    uint64_t start; //!< Offset of its GTID event
    uint64_t end;   //!< Offset after its last event
    uint32_t timestamp;
    struct myha_binlog_gtid gtid;
};

//! Result of myha_pitr_plan_new()
struct myha_pitr_plan {
    struct myha_pitr_target target;
    char *base;     //!< GTID position the plan starts from
    char *expected; //!< GTID position after the replay
    struct myha_pitr_file *files;
    size_t n_files;
    struct myha_pitr_trx *trx; //!< Transactions after the base, in order
    size_t n_trx;
    size_t n_apply;             //!< Transactions applied (n_trx minus skipped)
    uint64_t bytes_total;       //!< Bytes of relay log the SQL thread will read
    struct myha_pitr_pos start; //!< Where the SQL thread starts
    struct myha_pitr_pos until; //!< Phase 1 ends before this position
    bool has_skip;              //!< SKIP_GTID: phase 2 follows
    struct myha_pitr_pos resume; //!< SKIP_GTID: after the skipped one
    struct myha_pitr_pos end;    //!< SKIP_GTID: end of phase 2
    uint32_t origin_server_id;   //!< Server that wrote the source files
};

//! Progress of myha_pitr_execute()
struct myha_pitr_progress {
    int phase;            //!< 1, or 2 after an excision
    size_t trx_done;      //!< Transactions applied so far
    size_t trx_total;     //!< Transactions the plan applies
    uint64_t bytes_done;  //!< Relay log bytes applied so far
    uint64_t bytes_total; //!< Relay log bytes to apply
    double elapsed_s;     //!< Since the SQL thread started
    double bytes_per_s;   //!< Average rate
    double eta_s;         //!< Estimated seconds left, -1 if unknown
    size_t files_linked;  //!< Relay logs that are hard links to the source
    size_t files_copied;  //!< Relay logs that are copies
};

/*!
 * \brief Callback of myha_pitr_execute(), about every poll interval
 */
typedef void (*myha_pitr_progress_fn)(const struct myha_pitr_progress *p,
                                      void *user_data);

//! Options of myha_pitr_execute()
struct myha_pitr_exec_opts {
    const char *relay_dir;   //!< Where relay logs go (the server's)
    const char *relay_index; //!< Relay log index file (full path)
    //! Directory as index lines name it ("." when relative), NULL: relay_dir
    const char *relay_entry_dir;
    int parallel_workers; //!< slave_parallel_threads; -1 keep the server's
    long long timeout_ms; //!< Whole replay; 0 = no limit
    long long poll_ms;    //!< Status poll interval; 0 = 200
    //! The server runs with replicate_same_server_id=ON (MariaDB does not
    //! show it): allow transactions of its own server_id
    bool same_server_id;
    //! During the replay, flush the redo log once a second and leave the
    //! binary log's syncing to the OS (innodb_flush_log_at_trx_commit=2,
    //! sync_binlog=0), then set both back: a crash during a pitr means
    //! running it again anyway
    bool relax_durability;
    myha_pitr_progress_fn progress;
    void *user_data;
    //! Nonzero (set by the caller's signal handler): stop the replay at a
    //! transaction boundary and clean up; NULL: never
    const volatile sig_atomic_t *interrupt;
};

//! Where a server's GTID position lies in a plan (myha_pitr_plan_locate())
struct myha_pitr_reached {
    size_t n_applied;  //!< Transactions of the plan it has (skipped one not)
    bool is_skip_past; //!< SKIP_GTID: it is past the excised transaction
    bool is_complete;  //!< It is the plan's expected final position
};

int myha_pitr_target_parse(const char *until_gtid, const char *until_time,
                           const char *skip_gtid,
                           struct myha_pitr_target *ret_target, char **ret_err);
int myha_pitr_plan_new(const char *source_dir, const char *base,
                       const struct myha_pitr_target *target,
                       const char *relay_basename,
                       struct myha_pitr_plan **ret_plan, char **ret_err);
void myha_pitr_plan_free(struct myha_pitr_plan *plan);
int myha_pitr_plan_locate(const struct myha_pitr_plan *plan, const char *pos,
                          struct myha_pitr_reached *ret_reached);
int myha_pitr_base_get(struct myha_db *db, char **ret_base);
int myha_pitr_relay_get(struct myha_db *db, const char *datadir, char **ret_dir,
                        char **ret_basename, char **ret_index,
                        char **ret_entry_dir);
int myha_pitr_execute(struct myha_db *db, const struct myha_pitr_plan *plan,
                      const struct myha_pitr_exec_opts *opts, char **ret_err);

#endif // MYHA_PITR__H
