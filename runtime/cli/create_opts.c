/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options create and run share (run adds --detach, --keep, --vm). */
#include <getopt.h>
#include <string.h>

#include "cli.h"

enum { OPT_PID_FILE = 256, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_NEW_KEYRING,
       OPT_PRESERVE_FDS, OPT_KEEP, OPT_VM };

static const struct option create_options[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
        { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
        { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
        { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
        { "detach", no_argument, NULL, 'd' },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "vm", no_argument, NULL, OPT_VM },
        { NULL, 0, NULL, 0 },
};

/* Run-only flags reach here only when r is set. */
static int parse_one(const char *cmd, int opt, struct create_opts *o, struct run_opts *r,
                     struct kago_err *err)
{
        int64_t n;

        switch (opt) {
        case 'b': o->bundle = optarg; return 0;
        case OPT_PID_FILE: o->pid_file = optarg; return 0;
        case OPT_CONSOLE_SOCKET: o->console_socket = optarg; return 0;
        case OPT_NO_PIVOT: o->no_pivot = true; return 0;
        case OPT_NO_NEW_KEYRING: o->no_new_keyring = true; return 0;
        case OPT_PRESERVE_FDS:
                if (str_to_i64(optarg, 0, 1024, &n) < 0)
                        return cli_usage_error(err, cmd, "--preserve-fds: \"%s\" is not a count "
                                                         "of 0 to 1024", optarg);
                o->preserve_fds = (int)n;
                return 0;
        }
        switch (opt) {
        case 'd': r->detach = true; return 0;
        case OPT_KEEP: r->keep = true; return 0;
        case OPT_VM: o->vm = true; return 0;
        }
        return 0;
}

static bool run_only(int opt)
{
        return opt == 'd' || opt == OPT_KEEP || opt == OPT_VM;
}

int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o,
                      struct run_opts *r, struct kago_err *err)
{
        int opt;

        memset(o, 0, sizeof *o);
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:b:d", create_options, NULL)) != -1) {
                if (opt == '?' || opt == ':' || (!r && run_only(opt))) {
                        if (opt != '?' && opt != ':')
                                return cli_usage_error(err, cmd, "unknown flag: %s",
                                                       argv[optind - 1]);
                        return cli_bad_option(err, cmd, opt, argv);
                }
                if (parse_one(cmd, opt, o, r, err) < 0)
                        return -1;
        }
        return cli_take_id(cmd, argc, argv, &o->id, err);
}
