#!/bin/bash
# Regenerate the binlog fixtures of tests/unit/binlog_test.c with a real
# MariaDB (the harness of tests/integration): binary logs with
# binlog_checksum=CRC32 and NONE, one copied while still in use, relay logs
# of a replica, and expected.txt, the transactions as mariadb-binlog sees
# them (an independent oracle for the test).
#
#   tests/unit/binlog-data/make-fixtures.sh [OUTDIR]   (default: its own dir)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
out=${1:-$here}
. "$here/../../integration/harness.sh"

mh_init
mh_cleanup_on_exit
# Keep every relay log, applied or not
mh_opts 2 --relay-log-purge=OFF
mh_start 1 2
# Changing binlog_checksum rotates the binary log: before RESET MASTER
mh_sql 1 "SET GLOBAL binlog_checksum=CRC32; RESET MASTER;"
mh_sql 2 "STOP SLAVE; RESET SLAVE ALL; RESET MASTER; SET GLOBAL gtid_slave_pos='';"
# Server 2 receives everything into its relay logs as it is written
mh_replicate 2 1

t0=1700000000
ts() { printf 'SET TIMESTAMP=%d;\n' $((t0 + $1)); }

# binlog.000001 (CRC32): DDL, autocommit and multi-statement transactions,
# a non-transactional table, a ROLLBACK, a second domain
{
    ts 10; echo "CREATE DATABASE fx;"
    ts 20; echo "CREATE TABLE fx.t (id INT PRIMARY KEY, v VARCHAR(3000)) ENGINE=InnoDB;"
    ts 30; echo "CREATE TABLE fx.m (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=MyISAM;"
    for i in $(seq 1 20); do
        ts $((30 + 10 * i)); echo "INSERT INTO fx.t VALUES ($i, 'row $i');"
    done
    ts 240; echo "BEGIN; INSERT INTO fx.t VALUES (100, 'a'); UPDATE fx.t SET v = 'b' WHERE id = 1; COMMIT;"
    ts 240; echo "INSERT INTO fx.t VALUES (101, 'same second');"
    ts 250; echo "INSERT INTO fx.m VALUES (1, 'myisam');"
    ts 260; echo "BEGIN; INSERT INTO fx.t VALUES (102, 'x'); INSERT INTO fx.m VALUES (2, 'y'); ROLLBACK;"
    ts 270; echo "SET SESSION gtid_domain_id = 1; INSERT INTO fx.t VALUES (103, 'domain 1'); SET SESSION gtid_domain_id = 0;"
    ts 280; echo "ALTER TABLE fx.t ADD COLUMN w INT NOT NULL DEFAULT 0;"
    ts 290; echo "INSERT INTO fx.t VALUES (104, 'after ddl', 1);"
    echo "FLUSH BINARY LOGS;"
} | mh_sql 1 "$(cat)"

# binlog.000002 (CRC32): a big row and a multi-row update; then
# binlog_checksum=NONE, which rotates
{
    for i in $(seq 1 8); do
        ts $((300 + 10 * i)); echo "INSERT INTO fx.t VALUES ($((200 + i)), 'second file $i', $i);"
    done
    ts 400; echo "INSERT INTO fx.t VALUES (300, REPEAT('x', 2500), 0);"
    ts 410; echo "UPDATE fx.t SET w = w + 1;"
    ts 420; echo "XA START 'x1'; INSERT INTO fx.t VALUES (301, 'xa', 0); XA END 'x1'; XA PREPARE 'x1';"
    ts 430; echo "XA COMMIT 'x1';"
    # Statement format: a mixed-engine transaction that rolls back is
    # logged BEGIN ... ROLLBACK
    ts 440; echo "SET SESSION binlog_format = STATEMENT; BEGIN; INSERT INTO fx.t VALUES (302, 'gone', 0); INSERT INTO fx.m VALUES (3, 'kept'); ROLLBACK; SET SESSION binlog_format = ROW;"
    echo "SET GLOBAL binlog_checksum=NONE;"
} | mh_sql 1 "$(cat)"

# binlog.000003 (NONE)
{
    for i in $(seq 1 8); do
        ts $((500 + 10 * i)); echo "INSERT INTO fx.t VALUES ($((400 + i)), 'third file $i', $i);"
    done
    ts 590; echo "SET SESSION gtid_domain_id = 1; INSERT INTO fx.t VALUES (500, 'domain 1 again', 0); SET SESSION gtid_domain_id = 0;"
    ts 600; echo "CREATE TABLE fx.u (id INT PRIMARY KEY) ENGINE=InnoDB;"
    ts 610; echo "BEGIN; INSERT INTO fx.u VALUES (1); INSERT INTO fx.u VALUES (2); COMMIT;"
    echo "FLUSH BINARY LOGS;"
} | mh_sql 1 "$(cat)"

# binlog.000004 (NONE), copied while the server still writes it (as
# inuse.000004) and after the server stopped (a Stop event ends it)
{
    for i in $(seq 1 3); do
        ts $((700 + 10 * i)); echo "INSERT INTO fx.u VALUES ($((10 + i)));"
    done
} | mh_sql 1 "$(cat)"

mkdir -p "$out"
rm -f "$out"/binlog.0* "$out"/inuse.0* "$out"/relay.0* "$out/expected.txt"
src=$(mh_datadir 1)
for n in 1 2 3; do
    cp "$src/binlog.00000$n" "$out/binlog.00000$n"
done
cp "$src/binlog.000004" "$out/inuse.000004"

mh_sync 2 1
mh_sql 2 "STOP SLAVE; FLUSH RELAY LOGS;"
for f in "$(mh_datadir 2)"/relay.0*; do
    cp "$f" "$out/$(basename "$f")"
done
mh_stop 2 1
cp "$src/binlog.000004" "$out/binlog.000004"
chmod 644 "$out"/binlog.0* "$out"/inuse.0* "$out"/relay.0*

# The oracle: per GTID event, as mariadb-binlog prints it, "FILE GTID START
# TIMESTAMP END", where END (binary logs only; "-" for relay logs, whose
# end_log_pos are the source's) is where the last event before the next
# GTID, Gtid list, checkpoint, rotate, stop or format description ends.
cd "$out"
for f in binlog.0* inuse.0* relay.0*; do
    TZ=UTC mariadb-binlog --no-defaults "$f" 2>/dev/null | TZ=UTC gawk -v file="$f" '
        function close_trx() {
            if (gtid != "") {
                print file, gtid, start, ts, (relay ? "-" : end)
            }
            gtid = ""
        }
        BEGIN { relay = (file ~ /^relay/) }
        /^# at [0-9]+$/ { at = $3 }
        /^#[0-9]{6} +[0-9]+:[0-9]+:[0-9]+ server id / {
            d = $1; sub(/^#/, "", d)
            split($2, hms, ":")
            t = mktime(sprintf("20%s %s %s %s %s %s", substr(d, 1, 2),
                               substr(d, 3, 2), substr(d, 5, 2), hms[1],
                               hms[2], hms[3]))
            for (i = 1; i < NF; i++) {
                if ($i == "end_log_pos") { eend = $(i + 1) }
            }
            if ($0 ~ /\tGTID [0-9]+-[0-9]+-[0-9]+/) {
                close_trx()
                match($0, /GTID [0-9]+-[0-9]+-[0-9]+/)
                gtid = substr($0, RSTART + 5, RLENGTH - 5)
                start = at; ts = t; end = eend
            } else if ($0 ~ /\t(Gtid list|Binlog checkpoint|Rotate to|Stop|Start: binlog)/) {
                close_trx()
            } else {
                end = eend
            }
        }
        END { close_trx() }'
done >expected.txt
