/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago restore [options] ID: a new container from a checkpoint image (create
 * and start in one); in the foreground kago waits for it like kago run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "cli.h"

enum { OPT_PID_FILE = 500, OPT_CONSOLE_SOCKET, OPT_NO_SUBREAPER, OPT_NO_PIVOT, OPT_TCP_CLOSE,
       OPT_LSM_PROFILE, OPT_LSM_MOUNT_CONTEXT, OPT_CHECK, OPT_CLONE,
       OPT_PREFAULT };

static const struct option restore_options[] = {
        CRIU_FLAG_OPTIONS,
        { "bundle", required_argument, NULL, 'b' },
        { "detach", no_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
        { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
        { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
        { "tcp-close", no_argument, NULL, OPT_TCP_CLOSE },
        { "lsm-profile", required_argument, NULL, OPT_LSM_PROFILE },
        { "lsm-mount-context", required_argument, NULL, OPT_LSM_MOUNT_CONTEXT },
        { "check", no_argument, NULL, OPT_CHECK },
        { "clone", no_argument, NULL, OPT_CLONE },
        { "prefault", no_argument, NULL, OPT_PREFAULT },
        { NULL, 0, NULL, 0 },
};

static int parse_one(int opt, struct restore_opts *o, struct kago_err *err)
{
        switch (opt) {
        case OPT_CHECK: o->check = true; return 0;
        case OPT_CLONE: o->clone = true; return 0;
        case OPT_PREFAULT: o->c.restore_prefault = true; return 0;
        case 'b': o->c.bundle = optarg; return 0;
        case 'd': o->detach = true; return 0;
        case OPT_PID_FILE: o->c.pid_file = optarg; return 0;
        case OPT_CONSOLE_SOCKET: o->c.console_socket = optarg; return 0;
        case OPT_NO_SUBREAPER: o->no_subreaper = true; return 0;
        case OPT_NO_PIVOT: o->c.no_pivot = true; return 0; /* CRIU restores the root as it was */
        case OPT_TCP_CLOSE: o->tcp_close = true; return 0;
        case OPT_LSM_PROFILE: o->lsm_profile = optarg; return 0;
        case OPT_LSM_MOUNT_CONTEXT: o->lsm_mount_context = optarg; return 0;
        }
        return criu_flag_parse("restore", opt, optarg, &o->f, err) < 0 ? -1 : 0;
}

static int restore_parse(int argc, char **argv, struct restore_opts *o, struct kago_err *err)
{
        int opt;

        *o = (struct restore_opts){ 0 };
        criu_flags_init(&o->f);
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:b:d", restore_options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_option(err, "restore", opt, argv);
                if (parse_one(opt, o, err) < 0)
                        return -1;
        }
        return cli_take_id("restore", argc, argv, &o->c.id, err);
}

/* --check: the checks as a table; an error when one failed. */
static int restore_check(struct kago_global *g, const struct restore_opts *o, struct kago_err *err)
{
        struct restore_checks r;
        size_t failed = 0;

        if (container_restore_check(g, o, &r, err) < 0)
                return kago_err_wrap(err, "restore --check");
        printf("%-12s %-6s %s\n", "CHECK", "RESULT", "DETAIL");
        for (size_t i = 0; i < r.n; i++) {
                printf("%-12s %-6s %s\n", r.v[i].name, r.v[i].ok ? "ok" : "FAIL", r.v[i].detail);
                failed += !r.v[i].ok;
        }
        if (fflush(stdout) != 0)
                return kago_err_errno(err, errno, "restore --check: write the table");
        if (failed)
                return kago_err_set(err, "restore --check: %zu of %zu checks failed for image %s",
                                    failed, r.n, o->f.image_path);
        return 0;
}

int cmd_restore(KAGO_COMMAND_ARGS)
{
        struct restore_opts o;
        pid_t pid;

        if (restore_parse(argc, argv, &o, err) < 0)
                return -1;
        if (o.check)
                return restore_check(g, &o, err);
        /* The restored init is kago's child; a grandchild must come back too. */
        if (!o.detach && !o.no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return kago_err_errno(err, errno, "become a child subreaper");
        if (container_restore(g, &o, &pid, err) < 0)
                return kago_err_wrap(err, "restore");
        if (o.detach)
                return 0;
        int code = run_wait_child(pid);
        if (container_delete(g, o.c.id, true, err) < 0)
                return -1;
        return code;
}
