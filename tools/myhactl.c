/*
 * myhactl: the operator's command line of myha.  One option table gives
 * the parser, --help and the man page (--man prints it as troff).
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/str.h>

#include "myhactl.h"

//! A command: name, handler, synopsis and what it does
struct myhactl_cmd {
    const char *name;
    int (*run)(const struct myhactl_args *args);
    const char *synopsis;
    const char *help;
};

static const struct myhactl_cmd commands[] = {
    { "pitr", myhactl_pitr,
      "--resource R --node N --source DIR [--backup DIR] [--until-gtid G | "
      "--until-time T | --skip-gtid G] [--parallel N]",
      "Point-in-time recovery of resource R's server on node N, which must "
      "be the node myhactl runs on and not the promoted one. The resource's "
      "parameters are read from the CIB; Pacemaker is kept from acting on "
      "the resource (meta-attribute is-managed=false, its previous value "
      "restored afterwards, also on failure or interruption) while the "
      "agent's pitr action runs with them, its progress on standard error. "
      "Then myhactl prints how to promote the node. Interrupted (Ctrl-C, "
      "SIGTERM), the replay stops between two transactions, the server is "
      "left read-only and not replicating and marked an unfinished "
      "recovery (never promoted), and the message says what to run to "
      "continue." },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct myhactl_opt opts[] = {
    { "help", O_HELP, NULL, NULL, "Show this help and exit." },
    { "version", O_VERSION, NULL, NULL, "Show the version and exit." },
    { "man", O_MAN, NULL, NULL, "Print this program's man page (troff)." },
    { "resource", O_RESOURCE, "R", "pitr",
      "Primitive resource id (of ocf:myha:mysql-repl; not the clone's id)." },
    { "node", O_NODE, "N", "pitr",
      "Node to recover: the node myhactl runs on, else it refuses." },
    { "source", O_SOURCE, "DIR", "pitr",
      "Directory of binary logs to replay (agent parameter pitr_source)." },
    { "backup", O_BACKUP, "DIR", "pitr",
      "Prepared mariadb-backup directory restored first; the datadir is "
      "moved aside, never deleted (pitr_backup)." },
    { "until-gtid", O_UNTIL_GTID, "G", "pitr",
      "Stop before this GTID (pitr_until_gtid)." },
    { "until-time", O_UNTIL_TIME, "T", "pitr",
      "Stop before this RFC 3339 time; without an offset it is UTC "
      "(pitr_until_time)." },
    { "skip-gtid", O_SKIP_GTID, "G", "pitr",
      "Apply everything except this GTID (pitr_skip_gtid)." },
    { "parallel", O_PARALLEL, "N", "pitr",
      "Parallel apply threads, 0 for serial (pitr_parallel_workers)." },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

// Print text wrapped at 79 columns, each line indented
static void
wrap(FILE *out, size_t indent, size_t col, const char *text)
{
    const char *p = text;

    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if ((col > indent) && (col + 1 + len > 79)) {
            fprintf(out, "\n%*s", (int) indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, len, out);
        col += len;
        p += len;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

static void
usage(FILE *out)
{
    fprintf(out, "Usage: myhactl --help | --version | --man\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(out, "       myhactl %s", commands[i].name);
        wrap(out, 12, 16 + strlen(commands[i].name), commands[i].synopsis);
    }
    fprintf(out, "\nOperator's command line of myha (MySQL/MariaDB "
                 "replication under Pacemaker).\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(out, "  %s\n      ", commands[i].name);
        wrap(out, 6, 6, commands[i].help);
    }
    fprintf(out, "\nOptions:\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        char *help = myha_str_printf(
            "%s%s%s%s", opts[i].help, (opts[i].command == NULL) ? "" : " [",
            (opts[i].command == NULL) ? "" : opts[i].command,
            (opts[i].command == NULL) ? "" : "]");
        int n = 0;

        if (opts[i].key < 256) {
            n = fprintf(out, "  -%c, --%s%s%s", opts[i].key, opts[i].name,
                        (opts[i].arg == NULL) ? "" : " ",
                        (opts[i].arg == NULL) ? "" : opts[i].arg);
        } else {
            n = fprintf(out, "      --%s%s%s", opts[i].name,
                        (opts[i].arg == NULL) ? "" : " ",
                        (opts[i].arg == NULL) ? "" : opts[i].arg);
        }
        fprintf(out, "%*s", (n < 26) ? 26 - n : 1, "");
        wrap(out, 26, 26, (help == NULL) ? opts[i].help : help);
        free(help);
    }
    fprintf(out, "\nExit status: 0 done, 1 failed, 2 bad command line, 3 "
                 "refused, 130 interrupted;\nwhen the agent fails, its OCF "
                 "exit code.\n");
}

// Text for troff: '-' and '\' escaped
static void
man_text(FILE *out, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '-') {
            fputs("\\-", out);
        } else if (*p == '\\') {
            fputs("\\e", out);
        } else {
            fputc(*p, out);
        }
    }
}

static void
man_page(FILE *out)
{
    fprintf(out, ".TH MYHACTL 8 \"\" \"%s %s\" \"System Administration\"\n",
            PACKAGE_NAME, PACKAGE_VERSION);
    fprintf(out, ".SH NAME\nmyhactl \\- operator's command line of myha\n");
    fprintf(out, ".SH SYNOPSIS\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(out, ".B myhactl %s\n", commands[i].name);
        man_text(out, commands[i].synopsis);
        fputs("\n.br\n", out);
    }
    fprintf(out, ".B myhactl\n\\-\\-help | \\-\\-version | \\-\\-man\n");
    fprintf(out, ".SH DESCRIPTION\nOperator's command line of myha "
                 "(MySQL/MariaDB replication under Pacemaker).\n");
    fprintf(out, ".SH COMMANDS\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(out, ".TP\n.B %s\n", commands[i].name);
        man_text(out, commands[i].help);
        fputc('\n', out);
    }
    fprintf(out, ".SH OPTIONS\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        fprintf(out, ".TP\n");
        if (opts[i].key < 256) {
            fprintf(out, "\\fB\\-%c\\fR, ", opts[i].key);
        }
        fprintf(out, "\\fB\\-\\-");
        man_text(out, opts[i].name);
        fprintf(out, "\\fR%s%s%s\n", (opts[i].arg == NULL) ? "" : " \\fI",
                (opts[i].arg == NULL) ? "" : opts[i].arg,
                (opts[i].arg == NULL) ? "" : "\\fR");
        man_text(out, opts[i].help);
        if (opts[i].command != NULL) {
            fprintf(out, " (%s)", opts[i].command);
        }
        fputc('\n', out);
    }
    fprintf(out, ".SH EXIT STATUS\n0 done, 1 failed, 2 bad command line, 3 "
                 "refused, 130 interrupted; when the agent fails, its OCF "
                 "exit code.\n");
    fprintf(out, ".SH SEE ALSO\n.BR ocf_myha_mysql\\-repl (7),\n"
                 ".BR crm_resource (8),\n.BR pcs (8)\n");
}

// Build getopt's tables from ours
static int
parse(int argc, char **argv, struct myhactl_args *args, int *ret_exit)
{
    struct option longopts[N_OPTS + 1];
    char shortopts[2 * N_OPTS + 2] = "+";
    size_t s = 1;
    int c = 0;

    memset(longopts, 0, sizeof(longopts));
    for (size_t i = 0; i < N_OPTS; i++) {
        longopts[i].name = opts[i].name;
        longopts[i].has_arg =
            (opts[i].arg == NULL) ? no_argument : required_argument;
        longopts[i].val = opts[i].key;
        if (opts[i].key < 256) {
            shortopts[s++] = (char) opts[i].key;
            if (opts[i].arg != NULL) {
                shortopts[s++] = ':';
            }
        }
    }
    shortopts[s] = '\0';
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
            case O_HELP:
                usage(stdout);
                *ret_exit = MYHACTL_OK;
                return 1;
            case O_VERSION:
                printf("myhactl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
                *ret_exit = MYHACTL_OK;
                return 1;
            case O_MAN:
                man_page(stdout);
                *ret_exit = MYHACTL_OK;
                return 1;
            case O_RESOURCE:
                args->resource = optarg;
                break;
            case O_NODE:
                args->node = optarg;
                break;
            case O_SOURCE:
                args->source = optarg;
                break;
            case O_BACKUP:
                args->backup = optarg;
                break;
            case O_UNTIL_GTID:
                args->until_gtid = optarg;
                break;
            case O_UNTIL_TIME:
                args->until_time = optarg;
                break;
            case O_SKIP_GTID:
                args->skip_gtid = optarg;
                break;
            case O_PARALLEL:
                args->parallel = optarg;
                break;
            default:
                fprintf(stderr, "Try 'myhactl --help'.\n");
                *ret_exit = MYHACTL_USAGE;
                return 1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct myhactl_args args;
    const char *name = NULL;
    int exit_code = MYHACTL_OK;

    memset(&args, 0, sizeof(args));
    /* The command comes first; options follow it ("myhactl pitr -r db"),
     * global ones may also stand alone ("myhactl --help")
     */
    if ((argc > 1) && (argv[1][0] != '-')) {
        name = argv[1];
        argv++;
        argc--;
    }
    if (parse(argc, argv, &args, &exit_code) != 0) {
        return exit_code;
    }
    if (optind < argc) {
        fprintf(stderr, "myhactl: unexpected argument '%s'\n", argv[optind]);
        return MYHACTL_USAGE;
    }
    if (name == NULL) {
        usage(stderr);
        return MYHACTL_USAGE;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return commands[i].run(&args);
        }
    }
    fprintf(stderr, "myhactl: unknown command '%s'; try 'myhactl --help'\n",
            name);
    return MYHACTL_USAGE;
}
