/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago's entry point: global options, then one command. */
#include <getopt.h>
#include <libgen.h>
#include <string.h>

#include "cli.h"

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_LOG_LEVEL, OPT_DEBUG, OPT_SYSTEMD_CGROUP,
       OPT_CGROUP_MANAGER };

static const struct option global_options[] = {
        { "root", required_argument, NULL, OPT_ROOT },
        { "log", required_argument, NULL, OPT_LOG },
        { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "debug", no_argument, NULL, OPT_DEBUG },
        { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
        { "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
        { "version", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
};

static int parse_cgroup_manager(struct kago_global *g, const char *v, struct kago_err *err)
{
        if (strcmp(v, "cgroupfs") == 0)
                g->cgroup_manager = CGROUP_MANAGER_CGROUPFS;
        else if (strcmp(v, "systemd") == 0)
                g->cgroup_manager = CGROUP_MANAGER_SYSTEMD;
        else if (strcmp(v, "disabled") == 0)
                g->cgroup_manager = CGROUP_MANAGER_DISABLED;
        else
                return cli_usage_error(err, NULL, "--cgroup-manager: unknown manager \"%s\" "
                                                  "(cgroupfs, systemd or disabled)", v);
        return 0;
}

static int parse_global_option(struct kago_global *g, int opt, struct kago_err *err)
{
        switch (opt) {
        case OPT_ROOT: g->root = optarg; return 0;
        case OPT_LOG: g->log_path = optarg; return 0;
        case OPT_LOG_FORMAT:
                if (strcmp(optarg, "json") == 0)
                        g->log_format = KAGO_LOG_JSON;
                else if (strcmp(optarg, "text") == 0)
                        g->log_format = KAGO_LOG_TEXT;
                else
                        return cli_usage_error(err, NULL, "--log-format: unknown format \"%s\" "
                                                          "(text or json)", optarg);
                return 0;
        case OPT_LOG_LEVEL:
                if (kago_log_parse_level(optarg, &g->log_level) < 0)
                        return cli_usage_error(err, NULL, "--log-level: unknown level \"%s\"", optarg);
                return 0;
        case OPT_DEBUG: g->log_level = KAGO_LOG_DEBUG; return 0;
        case OPT_SYSTEMD_CGROUP: g->cgroup_manager = CGROUP_MANAGER_SYSTEMD; return 0;
        case OPT_CGROUP_MANAGER: return parse_cgroup_manager(g, optarg, err);
        }
        return 0;
}

/* Returns the index of the command word, 0 when the run is over (help,
 * version), -1 on error. */
static int parse_global_options(struct kago_global *g, int argc, char **argv, struct kago_err *err)
{
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:vh", global_options, NULL)) != -1) {
                if (opt == 'v') {
                        cli_print_version(stdout);
                        return 0;
                }
                if (opt == 'h') {
                        cli_print_help(stdout);
                        return 0;
                }
                if (opt == '?' || opt == ':')
                        return cli_bad_option(err, NULL, opt, argv);
                if (parse_global_option(g, opt, err) < 0)
                        return -1;
        }
        if (optind >= argc)
                return cli_usage_error(err, NULL, "no command given");
        return optind;
}

static int run_command(struct kago_global *g, int argc, char **argv, struct kago_err *err)
{
        const struct kago_command *cmd = cli_find_command(argv[0]);

        if (!cmd)
                return cli_usage_error(err, NULL, "unknown command \"%s\"", argv[0]);
        if (cli_wants_help(argc, argv)) {
                cli_print_command_help(stdout, cmd);
                return 0;
        }
        optind = 1;
        /* Once: not again in the sealed copy exe_guard re-executes. */
        if (g->log_level >= KAGO_LOG_DEBUG && !exe_guard_active())
                log_debug("kago %s: %s, root %s", KAGO_VERSION, cmd->name, g->root);
        return cmd->run(g, argc, argv, err);
}

int main(int argc, char **argv)
{
        struct kago_global g = {
                .log_level = KAGO_LOG_WARNING,
                .argv0 = argv[0],
                .vm = strcmp(basename(argv[0]), "kago-vm") == 0,
        };
        struct kago_err err = { 0 };

        int idx = parse_global_options(&g, argc, argv, &err);
        _cleanup_free_ char *default_root = g.root ? NULL : rootless_default_root();
        if (!g.root)
                g.root = default_root;
        if (idx == 0)
                return 0;
        if (idx > 0 && kago_log_open(g.log_path, g.log_format, g.log_level, &err) == 0) {
                int rc = run_command(&g, argc - idx, argv + idx, &err);
                if (rc >= 0) {
                        kago_log_close();
                        return rc;
                }
        }
        const char *msg = kago_err_text(&err);
        kago_log(KAGO_LOG_ERROR, "%s", msg);
        if (kago_log_to_file())
                fprintf(stderr, "kago: %s\n", msg);
        kago_log_close();
        return g.error_exit ? g.error_exit : 1;
}
