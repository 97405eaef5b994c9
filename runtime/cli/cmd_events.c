/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago events [--interval DURATION] [--stats] ID: the container's stats as
 * JSON lines (runc's layout), and an oom event the moment one happens. With
 * --stats a backend with a view of its own (a microVM's guest) adds it. */
#include <errno.h>
#include <getopt.h>

#include "cli.h"

static const struct option events_options[] = {
        { "interval", required_argument, NULL, 'i' },
        { "stats", no_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
};

static int print_stats(const struct cgroup_cmd *c, const char *id, struct kago_err *err)
{
        const struct kago_backend *b = backend_of_state(&c->st);
        _cleanup_free_ char *extra = NULL;
        struct cgroup_stats st;

        if (cgroup_stats_read(c->cg, &st, err) < 0 ||
            (b->stats_extra && c->status == STATUS_RUNNING &&
             b->stats_extra(&c->st, c->dirfd, &extra, err) < 0))
                return -1;
        cgroup_stats_write_json(stdout, id, &st, extra);
        return fflush(stdout) == 0 ? 0 : kago_err_errno(err, errno, "write the stats");
}

int cmd_events(KAGO_COMMAND_ARGS)
{
        struct cgroup_cmd c;
        int opt, interval_ms = 5000, rc = -1;
        bool stats_once = false;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:", events_options, NULL)) != -1) {
                if (opt == 's')
                        stats_once = true;
                else if (opt != 'i')
                        return cli_bad_option(err, "events", opt, argv);
                else if (cgroup_cmd_parse_duration(optarg, &interval_ms) < 0)
                        return cli_usage_error(err, "events", "--interval: \"%s\" is not a duration "
                                                              "(like 5s or 500ms)", optarg);
        }
        const char *id;
        if (cli_take_id("events", argc, argv, &id, err) < 0)
                return -1;
        /* No lock: events runs as long as the container does. */
        if (cgroup_cmd_open(g->root, id, false, &c, err) == 0) {
                if (c.status == STATUS_STOPPED || c.status == STATUS_CREATING)
                        kago_err_set(err, "container \"%s\" is not running (it is %s)", id,
                                     container_status_name(c.status));
                else if (stats_once)
                        rc = print_stats(&c, id, err);
                else
                        rc = cgroup_events_stream(c.cg, id, interval_ms, stdout, err);
        }
        cgroup_cmd_close(&c);
        return rc < 0 ? kago_err_wrap(err, "events") : 0;
}
