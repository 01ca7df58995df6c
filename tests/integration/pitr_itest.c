/*
 * Driver of lib/pitr.c for tests/integration/pitr.test: plans and runs one
 * replay on a server given by its socket, and prints what happened, so that
 * the shell test can check results with the real client.
 *
 *   pitr_itest SOCKET CNF DATADIR SOURCE [--until-gtid G | --until-time T |
 *              --skip-gtid G] [--workers N] [--plan-only]
 *
 * Exit 0 on success, 1 on a failure of the replay (message on stderr,
 * prefixed "pitr: "), 2 on bad usage.
 */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/db.h>
#include <myha/pitr.h>
#include <myha/str.h>

#include "itest_common.h"

static void
progress(const struct myha_pitr_progress *p, void *user_data)
{
    bool *placed = user_data;

    if (!*placed) {
        *placed = true;
        fprintf(stderr, "relay logs: %zu linked, %zu copied\n", p->files_linked,
                p->files_copied);
    }
    fprintf(stderr,
            "progress: phase %d, %zu/%zu trx, %llu/%llu bytes, %.0f B/s, "
            "ETA %.1f s\n",
            p->phase, p->trx_done, p->trx_total,
            (unsigned long long) p->bytes_done,
            (unsigned long long) p->bytes_total, p->bytes_per_s, p->eta_s);
}

int
main(int argc, char **argv)
{
    const char *until_gtid = NULL;
    const char *until_time = NULL;
    const char *skip_gtid = NULL;
    bool plan_only = false;
    bool placed = false; // the relay log placement was reported
    long long workers = -1;
    struct myha_pitr_target target;
    struct myha_pitr_plan *plan = NULL;
    struct myha_pitr_exec_opts xo;
    struct myha_db *db = NULL;
    char *reason = NULL;
    char *err = NULL;
    char *base = NULL;
    char *dir = NULL;
    char *name = NULL;
    char *index = NULL;
    char *entry = NULL;
    double t0 = 0;
    int rc = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: %s SOCKET CNF DATADIR SOURCE [options]\n",
                argv[0]);
        return 2;
    }
    for (int i = 5; i < argc; i++) {
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--plan-only") == 0) {
            plan_only = true;
            continue;
        }
        if (val == NULL) {
            return 2;
        }
        if (strcmp(argv[i], "--until-gtid") == 0) {
            until_gtid = val;
        } else if (strcmp(argv[i], "--until-time") == 0) {
            until_time = val;
        } else if (strcmp(argv[i], "--skip-gtid") == 0) {
            skip_gtid = val;
        } else if (strcmp(argv[i], "--workers") == 0) {
            if (myha_str_to_ll(val, &workers) != 0) {
                return 2;
            }
        } else {
            return 2;
        }
        i++;
    }

    if (myha_pitr_target_parse(until_gtid, until_time, skip_gtid, &target, &err)
        != 0) {
        fprintf(stderr, "pitr: %s\n", err);
        rc = 1;
        goto out;
    }
    if (myha_db_connect(
            &(struct myha_db_opts){ .socket = argv[1], .option_file = argv[2] },
            &db, &reason)
        != 0) {
        fprintf(stderr, "pitr: cannot connect: %s\n", reason);
        rc = 1;
        goto out;
    }
    if ((myha_pitr_base_get(db, &base) != 0)
        || (myha_pitr_relay_get(db, argv[3], &dir, &name, &index, &entry)
            != 0)) {
        fprintf(stderr, "pitr: cannot read the server's state: %s\n",
                myha_db_error(db));
        rc = 1;
        goto out;
    }
    t0 = itest_now();
    if (myha_pitr_plan_new(argv[4], base, &target, name, &plan, &err) != 0) {
        fprintf(stderr, "pitr: %s\n", err);
        rc = 1;
        goto out;
    }
    printf("plan: base %s, %zu files from %s at %llu, %zu trx to apply, "
           "%llu bytes, expected %s, planned in %.3f s\n",
           plan->base, plan->n_files,
           (plan->n_files > 0) ? plan->files[0].name : "-",
           (unsigned long long) plan->start.pos, plan->n_apply,
           (unsigned long long) plan->bytes_total, plan->expected,
           itest_now() - t0);
    if (plan_only) {
        goto out;
    }
    memset(&xo, 0, sizeof(xo));
    xo.relay_dir = dir;
    xo.relay_index = index;
    xo.relay_entry_dir = entry;
    xo.parallel_workers = (int) workers;
    xo.timeout_ms = 600000;
    xo.poll_ms = 100;
    xo.progress = progress;
    xo.user_data = &placed;
    t0 = itest_now();
    if (myha_pitr_execute(db, plan, &xo, &err) != 0) {
        fprintf(stderr, "pitr: %s\n", err);
        rc = 1;
        goto out;
    }
    printf("replayed: %zu trx in %.3f s, now at %s\n", plan->n_apply,
           itest_now() - t0, plan->expected);

out:
    myha_pitr_plan_free(plan);
    myha_db_free(db);
    free(reason);
    free(err);
    free(base);
    free(dir);
    free(name);
    free(index);
    free(entry);
    return rc;
}
