/*
 * Reader for MySQL and MariaDB binary logs and relay logs (format v4): walks
 * event headers in a caller-supplied buffer, finds where a GTID or a point in
 * time is, lists the GTIDs of a file and where a file being written ends.
 * Pure but for the mmap helper; never logs above debug.
 */
#ifndef MYHA_BINLOG__H
#define MYHA_BINLOG__H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <myha/gtid.h>

//! Length of the text of one GTID, including the terminating NUL
#define MYHA_BINLOG_GTID_TEXT_MAX 64

//! Options of myha_binlog_new()
enum myha_binlog_flags {
    //! Verify the CRC32 of every event that carries one (slower)
    MYHA_BINLOG_VERIFY_CRC = (1U << 0),
};

//! Checksum algorithm of the events after a format description
enum myha_binlog_checksum {
    MYHA_BINLOG_CHECKSUM_NONE = 0,  //!< binlog_checksum=NONE
    MYHA_BINLOG_CHECKSUM_CRC32 = 1, //!< binlog_checksum=CRC32
};

//! What the first format description event says about a file
struct myha_binlog_info {
    enum myha_gtid_flavor flavor;       //!< MariaDB if its version says so
    uint16_t binlog_version;            //!< Always 4
    char server_version[51];            //!< "10.11.6-MariaDB-log", "8.0.36"
    uint32_t server_id;                 //!< Of the server that wrote it
    uint32_t created;                   //!< Timestamp of the event
    enum myha_binlog_checksum checksum; //!< Of the events that follow it
    bool in_use; //!< Not closed: still being written, or its server crashed
};

//! One event, as its common header describes it
struct myha_binlog_event {
    uint64_t offset;    //!< Where the event starts in the file
    uint32_t timestamp; //!< Seconds since the epoch
    uint8_t type;       //!< Event type code (2 Query, 16 Xid, 162 GTID ...)
    uint32_t server_id; //!< Server that originated the event
    uint32_t size;      //!< Whole event: header, body and checksum
    uint32_t next_pos;  //!< Position after it in its origin's binlog
    uint16_t flags;     //!< Common header flags
};

//! One GTID of either flavour
struct myha_binlog_gtid {
    enum myha_gtid_flavor flavor;
    uint32_t domain_id; //!< MariaDB replication domain (0 for MySQL)
    uint32_t server_id; //!< MariaDB originating server (0 for MySQL)
    uint64_t seq_no;    //!< MariaDB sequence number, or MySQL GNO
    uint8_t uuid[16];   //!< MySQL source UUID (zero for MariaDB)
};

//! One complete transaction (event group) of a file
struct myha_binlog_trx {
    uint64_t start;     //!< Offset of its first (GTID) event
    uint64_t end;       //!< Offset just after its last event
    uint32_t timestamp; //!< Of its first event, >= those of the others
    uint32_t server_id; //!< Of its first event
    uint32_t n_events;  //!< Events in it, the GTID event included
    bool has_gtid;      //!< False for anonymous (MySQL, gtid_mode=OFF)
    struct myha_binlog_gtid gtid; //!< Its GTID, if has_gtid
};

//! Result of myha_binlog_scan()
struct myha_binlog_summary {
    uint64_t size; //!< Bytes in the buffer
    //! End of the last complete transaction or event outside transactions
    //! (== size unless truncated): where a reader of a live file can stop
    uint64_t safe_end;
    bool truncated;       //!< Ends inside an event or a transaction
    uint64_t n_events;    //!< Complete events
    uint64_t n_trx;       //!< Complete transactions
    uint64_t n_abandoned; //!< Transactions a relay log restarted (reconnect)
    bool has_trx;         //!< first and last are set
    struct myha_binlog_trx first; //!< First complete transaction
    struct myha_binlog_trx last;  //!< Last complete transaction
    //! GTIDs before this file (GTID_LIST or Previous_GTIDs), NULL if none
    struct myha_gtid_set *before;
    /*! GTIDs of the complete transactions of this file.  MariaDB sets are
     *  positions: per domain, the last GTID of the file. */
    struct myha_gtid_set *gtids;
    char *rotate_to; //!< File named by the last event if it is a Rotate
    bool stopped;    //!< The last event is a Stop (clean shutdown)
};

//! Where a point in time falls in a file (myha_binlog_find_time())
struct myha_binlog_time_pos {
    bool found;                //!< A transaction at or after the time
    struct myha_binlog_trx at; //!< The first one, if found
    bool has_before;           //!< A transaction before that one
    //! The last one before it (or in the file, if !found)
    struct myha_binlog_trx before;
};

//! A file mapped read-only (myha_binlog_map_file())
struct myha_binlog_map {
    const uint8_t *data; //!< NULL if the file is empty
    size_t size;
};

//! A binary log being read (opaque)
struct myha_binlog;

/*!
 * \brief Callback of myha_binlog_foreach_event()
 *
 * \return 0 to go on, anything else to stop the walk and return that
 */
typedef int (*myha_binlog_event_fn)(const struct myha_binlog_event *event,
                                    void *user_data);

/*!
 * \brief Callback of myha_binlog_foreach_trx()
 *
 * \return 0 to go on, anything else to stop the walk and return that
 */
typedef int (*myha_binlog_trx_fn)(const struct myha_binlog_trx *trx,
                                  void *user_data);

int myha_binlog_map_file(const char *path, struct myha_binlog_map *ret_map);
void myha_binlog_map_release(struct myha_binlog_map *map);

int myha_binlog_new(const char *name, const void *data, size_t size,
                    unsigned int flags, struct myha_binlog **ret_log,
                    char **ret_err);
void myha_binlog_free(struct myha_binlog *log);
const struct myha_binlog_info *
myha_binlog_get_info(const struct myha_binlog *log);

int myha_binlog_foreach_event(const struct myha_binlog *log,
                              myha_binlog_event_fn fn, void *user_data,
                              char **ret_err);
int myha_binlog_foreach_trx(const struct myha_binlog *log,
                            myha_binlog_trx_fn fn, void *user_data,
                            char **ret_err);
int myha_binlog_scan(const struct myha_binlog *log,
                     struct myha_binlog_summary *ret_sum, char **ret_err);
void myha_binlog_summary_release(struct myha_binlog_summary *sum);
int myha_binlog_find_gtid(const struct myha_binlog *log,
                          const struct myha_binlog_gtid *gtid,
                          struct myha_binlog_trx *ret_trx, char **ret_err);
int myha_binlog_find_time(const struct myha_binlog *log, int64_t when,
                          struct myha_binlog_time_pos *ret_pos, char **ret_err);

int myha_binlog_gtid_parse(const char *text, struct myha_binlog_gtid *ret_gtid);
void myha_binlog_gtid_format(const struct myha_binlog_gtid *gtid, char *buf,
                             size_t len);
bool myha_is_binlog_gtid_equal(const struct myha_binlog_gtid *a,
                               const struct myha_binlog_gtid *b);

#endif // MYHA_BINLOG__H
