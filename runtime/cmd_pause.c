/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago pause [--timeout DURATION] ID: freeze every process of the container
 * (its cgroup; for a microVM that is the VMM and so the guest). */
#include <getopt.h>

#include "cgroup_cmd.h"
#include "commands.h"

#define PAUSE_DEFAULT_TIMEOUT_MS 10000

static const struct option pause_options[] = {
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
};

/* Shared by pause and resume: [--timeout DURATION] ID. */
int cgroup_cmd_parse_args(const char *name, int argc, char **argv, int *timeout_ms, const char **id,
                          struct kago_err *err)
{
        int opt;

        *timeout_ms = PAUSE_DEFAULT_TIMEOUT_MS;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:t:", pause_options, NULL)) != -1) {
                if (opt != 't')
                        return cli_bad_option(err, name, opt, argv);
                if (cgroup_cmd_parse_duration(optarg, timeout_ms) < 0)
                        return cli_usage_error(err, name, "--timeout: \"%s\" is not a duration "
                                                          "(like 10s or 500ms)", optarg);
        }
        if (optind >= argc)
                return cli_usage_error(err, name, "missing container id");
        if (argc - optind > 1)
                return cli_usage_error(err, name, "unexpected argument \"%s\"", argv[optind + 1]);
        *id = argv[optind];
        return 0;
}

int cmd_pause(KAGO_COMMAND_ARGS)
{
        struct cgroup_cmd c;
        const char *id = NULL;
        int timeout_ms, rc = -1;

        if (cgroup_cmd_parse_args("pause", argc, argv, &timeout_ms, &id, err) < 0)
                return -1;
        if (cgroup_cmd_open(g->root, id, true, &c, err) == 0) {
                if (c.status == STATUS_PAUSED)
                        kago_err_set(err, "container \"%s\" is already paused", id);
                else if (c.status != STATUS_RUNNING)
                        kago_err_set(err, "container \"%s\" is not running (it is %s)", id,
                                     container_status_name(c.status));
                else
                        rc = cgroup_freeze(c.cg, timeout_ms, err);
        }
        cgroup_cmd_close(&c);
        return rc < 0 ? kago_err_wrap(err, "pause") : 0;
}
