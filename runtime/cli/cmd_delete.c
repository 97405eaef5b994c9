/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago delete [--force|-f] ID */
#include <getopt.h>

#include "cli.h"

static const struct option delete_options[] = {
        { "force", no_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
};

int cmd_delete(KAGO_COMMAND_ARGS)
{
        bool force = false;
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:f", delete_options, NULL)) != -1) {
                if (opt != 'f')
                        return cli_bad_option(err, "delete", opt, argv);
                force = true;
        }
        const char *id;
        if (cli_take_id("delete", argc, argv, &id, err) < 0)
                return -1;
        return container_delete(g, id, force, err) < 0 ? -1 : 0;
}
