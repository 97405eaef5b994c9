/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago kill [--all|-a] ID [SIGNAL] */
#include <getopt.h>
#include <signal.h>

#include "cli.h"

static const struct option kill_options[] = {
        { "all", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
};

int cmd_kill(KAGO_COMMAND_ARGS)
{
        bool all = false;
        int opt, signo = SIGTERM;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:a", kill_options, NULL)) != -1) {
                if (opt != 'a')
                        return cli_bad_option(err, "kill", opt, argv);
                all = true;
        }
        if (optind >= argc)
                return cli_usage_error(err, "kill", "missing container id");
        if (argc - optind > 2)
                return cli_usage_error(err, "kill", "unexpected argument \"%s\"", argv[optind + 2]);
        if (optind + 1 < argc && signal_parse(argv[optind + 1], &signo, err) < 0)
                return kago_err_wrap(err, "kill");
        return container_kill(g, argv[optind], signo, all, err) < 0 ? -1 : 0;
}
