/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago state ID: the OCI state document. */
#include "cli.h"

int cmd_state(KAGO_COMMAND_ARGS)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        struct container_state st = { 0 };
        struct oci_spec *spec = NULL;

        if (argc != 2)
                return cli_usage_error(err, "state", argc < 2 ? "missing container id"
                                                              : "expected one container id");
        if (argv[1][0] == '-')
                return cli_usage_error(err, "state", "unknown flag: %s", argv[1]);
        if (store_open_root(g->root, &rootfd, err) < 0 ||
            store_open(rootfd, argv[1], &dirfd, err) < 0 ||
            store_read_state(dirfd, argv[1], &st, err) < 0)
                return -1;
        int rc = container_load_config(dirfd, argv[1], &spec, err);
        if (rc == 0) {
                char *json = container_state_json(&st, container_status_get(dirfd, &st), spec);
                fputs(json, stdout);
                fputc('\n', stdout);
                free(json);
        }
        spec_free(spec);
        container_state_free(&st);
        return rc;
}
