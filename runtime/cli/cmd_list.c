/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago list [--format table|json] [-q]: the containers under --root. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cli.h"

struct list_row {
        struct container_state st;
        enum container_status status;
        struct oci_spec *spec;
};

static const struct option list_options[] = {
        { "format", required_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 },
};

static int list_load(int rootfd, const char *id, struct list_row *row)
{
        _cleanup_close_ int dirfd = -1;
        struct kago_err err = { 0 };

        if (store_open(rootfd, id, &dirfd, &err) < 0)
                return -1; /* deleted meanwhile */
        if (store_read_state(dirfd, id, &row->st, &err) < 0) {
                if (store_busy(dirfd))
                        return -1; /* being created or deleted */
                store_state_unreadable(dirfd, id, &err);
                log_warning("%s: not listed (kago delete --force %s removes it)",
                            kago_err_text(&err), id);
                return -1;
        }
        row->status = container_status_get(dirfd, &row->st);
        if (container_load_config(dirfd, id, &row->spec, &err) < 0)
                row->spec = NULL;
        return 0;
}

static void list_print_table(struct list_row *rows, size_t n)
{
        printf("%-20s %-8s %-9s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
        for (size_t i = 0; i < n; i++) {
                struct container_state *st = &rows[i].st;
                _cleanup_free_ char *owner = container_owner_name(st->owner);
                printf("%-20s %-8d %-9s %-40s %-31s %s\n", st->id,
                       rows[i].status == STATUS_STOPPED ? 0 : (int)st->pid,
                       container_status_name(rows[i].status), st->bundle, st->created, owner);
        }
}

static void gen_string(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)(s ? s : ""), s ? strlen(s) : 0);
}

static void gen_field(yajl_gen g, const char *key, const char *value)
{
        gen_string(g, key);
        gen_string(g, value);
}

/* One container as runc lists it: its keys, in its order. */
static void list_gen_row(yajl_gen g, const struct list_row *row)
{
        const struct container_state *st = &row->st;
        _cleanup_free_ char *owner = container_owner_name(st->owner);

        yajl_gen_map_open(g);
        gen_field(g, "ociVersion", SPEC_OCI_VERSION);
        gen_field(g, "id", st->id);
        gen_string(g, "pid");
        yajl_gen_integer(g, row->status == STATUS_STOPPED ? 0 : st->pid);
        gen_field(g, "status", container_status_name(row->status));
        gen_field(g, "bundle", st->bundle);
        gen_field(g, "rootfs", st->rootfs);
        gen_field(g, "created", st->created);
        if (row->spec && row->spec->annotations_len) {
                gen_string(g, "annotations");
                yajl_gen_map_open(g);
                for (size_t i = 0; i < row->spec->annotations_len; i++)
                        gen_field(g, row->spec->annotations[i].key,
                                  row->spec->annotations[i].value);
                yajl_gen_map_close(g);
        }
        gen_field(g, "owner", owner);
        yajl_gen_map_close(g);
}

/* One compact JSON array on one line, as runc prints it (engines parse it). */
static void list_print_json(const struct list_row *rows, size_t n)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++)
                list_gen_row(g, &rows[i]);
        yajl_gen_array_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        printf("%.*s\n", (int)len, buf);
        yajl_gen_free(g);
}

static int list_parse(int argc, char **argv, bool *json, bool *quiet, struct kago_err *err)
{
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:f:q", list_options, NULL)) != -1) {
                if (opt == 'q')
                        *quiet = true;
                else if (opt == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
                        *json = strcmp(optarg, "json") == 0;
                else if (opt == 'f')
                        return cli_usage_error(err, "list", "--format: unknown format \"%s\" "
                                                            "(table or json)", optarg);
                else
                        return cli_bad_option(err, "list", opt, argv);
        }
        if (optind < argc)
                return cli_usage_error(err, "list", "unexpected argument \"%s\"", argv[optind]);
        return 0;
}

int cmd_list(KAGO_COMMAND_ARGS)
{
        _cleanup_close_ int rootfd = -1;
        _cleanup_strv_ char **ids = NULL;
        bool json = false, quiet = false;

        if (list_parse(argc, argv, &json, &quiet, err) < 0)
                return -1;
        /* A --root that does not exist holds no containers; list makes none. */
        if (access(g->root, F_OK) < 0 && errno == ENOENT)
                ids = xcalloc(1, sizeof *ids);
        else if (store_open_root(g->root, &rootfd, err) < 0 ||
                 store_list_ids(rootfd, &ids, err) < 0)
                return -1;
        size_t n = strv_length(ids), k = 0;
        struct list_row *rows = xcalloc(n + 1, sizeof *rows);
        for (size_t i = 0; i < n; i++)
                if (list_load(rootfd, ids[i], &rows[k]) == 0)
                        k++;
        if (quiet)
                for (size_t i = 0; i < k; i++)
                        puts(rows[i].st.id);
        else if (json)
                list_print_json(rows, k);
        else
                list_print_table(rows, k);
        for (size_t i = 0; i < k; i++) {
                container_state_free(&rows[i].st);
                spec_free(rows[i].spec);
        }
        free(rows);
        return 0;
}
