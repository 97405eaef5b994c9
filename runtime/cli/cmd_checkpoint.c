/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago checkpoint [options] ID, with runc's flags; and the flags it shares
 * with kago restore. */
#include <getopt.h>
#include <sched.h>
#include <string.h>

#include "cli.h"

enum { OPT_PARENT_PATH = 400, OPT_LEAVE_RUNNING, OPT_PRE_DUMP, OPT_PAGE_SERVER, OPT_STATUS_FD,
       OPT_AUTO_DEDUP, OPT_LINK_REMAP, OPT_TCP_SKIP_IN_FLIGHT };

static const struct option checkpoint_options[] = {
        CRIU_FLAG_OPTIONS,
        { "parent-path", required_argument, NULL, OPT_PARENT_PATH },
        { "leave-running", no_argument, NULL, OPT_LEAVE_RUNNING },
        { "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
        { "page-server", required_argument, NULL, OPT_PAGE_SERVER },
        { "status-fd", required_argument, NULL, OPT_STATUS_FD },
        { "auto-dedup", no_argument, NULL, OPT_AUTO_DEDUP },
        { "link-remap", no_argument, NULL, OPT_LINK_REMAP },
        { "tcp-skip-in-flight", no_argument, NULL, OPT_TCP_SKIP_IN_FLIGHT },
        { NULL, 0, NULL, 0 },
};

static const struct {
        const char *name;
        enum criu_cg_mode mode;
} cg_modes[] = {
        { "soft", CRIU_CG_SOFT },     { "full", CRIU_CG_FULL },   { "strict", CRIU_CG_STRICT },
        { "ignore", CRIU_CG_IGNORE }, { "props", CRIU_CG_PROPS },
};

void criu_flags_init(struct criu_flags *f)
{
        *f = (struct criu_flags){ .image_path = "checkpoint", .cg_mode = CRIU_CG_UNSET };
}

static int parse_cg_mode(const char *cmd, const char *arg, struct criu_flags *f,
                         struct kago_err *err)
{
        for (size_t i = 0; i < ARRAY_SIZE(cg_modes); i++)
                if (strcmp(arg, cg_modes[i].name) == 0) {
                        f->cg_mode = cg_modes[i].mode;
                        return 1;
                }
        return cli_usage_error(err, cmd, "--manage-cgroups-mode \"%s\": want soft, full, "
                                         "strict, ignore or props", arg);
}

int criu_flag_parse(const char *cmd, int opt, const char *arg, struct criu_flags *f,
                    struct kago_err *err)
{
        switch (opt) {
        case CRIU_OPT_IMAGE_PATH: f->image_path = arg; return 1;
        case CRIU_OPT_WORK_PATH: f->work_path = arg; return 1;
        case CRIU_OPT_TCP_ESTABLISHED: f->tcp_established = true; return 1;
        case CRIU_OPT_EXT_UNIX_SK: f->ext_unix_sk = true; return 1;
        case CRIU_OPT_SHELL_JOB: f->shell_job = true; return 1;
        case CRIU_OPT_FILE_LOCKS: f->file_locks = true; return 1;
        case CRIU_OPT_LAZY_PAGES: f->lazy_pages = true; return 1;
        case CRIU_OPT_CG_MODE: return parse_cg_mode(cmd, arg, f, err);
        case CRIU_OPT_EMPTY_NS:
                if (strcmp(arg, "network") != 0)
                        return cli_usage_error(err, cmd, "--empty-ns \"%s\": only network can be "
                                                         "left empty", arg);
                f->empty_ns = CLONE_NEWNET;
                return 1;
        }
        return 0;
}

static int parse_one(int opt, struct checkpoint_opts *o, struct kago_err *err)
{
        int64_t n;

        switch (opt) {
        case OPT_PARENT_PATH: o->parent_path = optarg; return 0;
        case OPT_LEAVE_RUNNING: o->leave_running = true; return 0;
        case OPT_PRE_DUMP: o->pre_dump = true; return 0;
        case OPT_PAGE_SERVER: o->page_server = optarg; return 0;
        case OPT_AUTO_DEDUP: o->auto_dedup = true; return 0;
        case OPT_LINK_REMAP: o->link_remap = true; return 0;
        case OPT_TCP_SKIP_IN_FLIGHT: o->tcp_skip_in_flight = true; return 0;
        case OPT_STATUS_FD:
                if (str_to_i64(optarg, 0, INT32_MAX, &n) < 0)
                        return cli_usage_error(err, "checkpoint", "--status-fd \"%s\": not an fd "
                                                                  "number", optarg);
                o->status_fd = (int)n;
                return 0;
        }
        return criu_flag_parse("checkpoint", opt, optarg, &o->f, err) < 0 ? -1 : 0;
}

int cmd_checkpoint(KAGO_COMMAND_ARGS)
{
        struct checkpoint_opts o = { .status_fd = -1 };
        int opt;

        criu_flags_init(&o.f);
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:", checkpoint_options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_option(err, "checkpoint", opt, argv);
                if (parse_one(opt, &o, err) < 0)
                        return -1;
        }
        if (cli_take_id("checkpoint", argc, argv, &o.id, err) < 0)
                return -1;
        return container_checkpoint(g, &o, err) < 0 ? kago_err_wrap(err, "checkpoint") : 0;
}
