/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by pause, resume, update and events (see cli.h). */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli.h"

int cgroup_cmd_open(const char *root, const char *id, bool lock, struct cgroup_cmd *c,
                    struct kago_err *err)
{
        memset(c, 0, sizeof *c);
        c->rootfd = c->dirfd = -1;
        if (store_open_root(root, &c->rootfd, err) < 0)
                return -1;
        if ((lock ? store_open_locked : store_open)(c->rootfd, id, &c->dirfd, err) < 0 ||
            store_read_state(c->dirfd, id, &c->st, err) < 0)
                return -1;
        c->status = container_status_get(c->dirfd, &c->st);
        if (container_cgroup_open(&c->st, &c->cg, err) < 0)
                return kago_err_wrap(err, "container \"%s\"", id);
        if (!c->cg)
                return kago_err_set(err, "container \"%s\" has no cgroup (created with "
                                         "--cgroup-manager disabled, or on a host without cgroup v2)", id);
        return 0;
}

void cgroup_cmd_close(struct cgroup_cmd *c)
{
        cgroup_free(c->cg);
        container_state_free(&c->st);
        if (c->dirfd >= 0)
                close(c->dirfd);
        if (c->rootfd >= 0)
                close(c->rootfd);
        memset(c, 0, sizeof *c);
}

#define PAUSE_DEFAULT_TIMEOUT_MS 10000

static const struct option pause_options[] = {
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
};

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
        return cli_take_id(name, argc, argv, id, err);
}

int cgroup_cmd_parse_duration(const char *s, int *ms)
{
        char *end = NULL;
        double v = strtod(s, &end);
        double scale = 1000;

        if (end == s || !isfinite(v) || v <= 0)
                return -1;
        if (strcmp(end, "ms") == 0)
                scale = 1;
        else if (strcmp(end, "m") == 0)
                scale = 60000;
        else if (strcmp(end, "s") != 0 && *end)
                return -1;
        if (v * scale > 86400000.0 || v * scale < 1)
                return -1;
        *ms = (int)(v * scale);
        return 0;
}

#define MERGE(dst, src, field)                                                                     \
        do {                                                                                       \
                if ((src)->field.set)                                                              \
                        (dst)->field = (src)->field;                                               \
        } while (0)

static void merge_string(char **dst, char **src)
{
        if (*src) {
                free(*dst);
                *dst = TAKE_PTR(*src);
        }
}

static void merge_memory(struct oci_memory *d, struct oci_memory *s)
{
        MERGE(d, s, limit);
        MERGE(d, s, reservation);
        MERGE(d, s, swap);
        MERGE(d, s, kernel);
        MERGE(d, s, kernel_tcp);
        MERGE(d, s, swappiness);
        MERGE(d, s, disable_oom_killer);
        MERGE(d, s, use_hierarchy);
        MERGE(d, s, check_before_update);
}

static void merge_cpu(struct oci_cpu *d, struct oci_cpu *s)
{
        MERGE(d, s, shares);
        MERGE(d, s, quota);
        MERGE(d, s, burst);
        MERGE(d, s, period);
        MERGE(d, s, realtime_runtime);
        MERGE(d, s, realtime_period);
        MERGE(d, s, idle);
        merge_string(&d->cpus, &s->cpus);
        merge_string(&d->mems, &s->mems);
}

/* Groups merged field by field; the others are replaced whole. */
#define STEAL(d, s, field)                                                                         \
        do {                                                                                       \
                if (!(d)->field)                                                                   \
                        (d)->field = TAKE_PTR((s)->field);                                         \
        } while (0)

static void swap_array(void **d, size_t *dn, void **s, size_t *sn)
{
        void *p = *d;
        size_t n = *dn;

        *d = *s;
        *dn = *sn;
        *s = p;
        *sn = n;
}

static void merge_unified(struct oci_linux_resources *d, struct oci_linux_resources *s)
{
        for (size_t i = 0; i < s->unified_len; i++) {
                size_t j = 0;
                while (j < d->unified_len && strcmp(d->unified[j].key, s->unified[i].key) != 0)
                        j++;
                if (j == d->unified_len) {
                        d->unified = xrealloc(d->unified, (d->unified_len + 1) * sizeof *d->unified);
                        d->unified[d->unified_len++] = (struct oci_kv){ xstrdup(s->unified[i].key), NULL };
                }
                merge_string(&d->unified[j].value, &s->unified[i].value);
        }
}

static void merge_resources(struct oci_linux_resources *d, struct oci_linux_resources *s)
{
        if (s->memory && d->memory)
                merge_memory(d->memory, s->memory);
        STEAL(d, s, memory);
        if (s->cpu && d->cpu)
                merge_cpu(d->cpu, s->cpu);
        STEAL(d, s, cpu);
        if (s->pids) {
                free(d->pids);
                d->pids = TAKE_PTR(s->pids);
        }
        if (s->block_io) {
                struct oci_block_io *old = d->block_io;
                d->block_io = TAKE_PTR(s->block_io);
                s->block_io = old; /* freed with s */
        }
        if (s->devices)
                swap_array((void **)&d->devices, &d->devices_len, (void **)&s->devices, &s->devices_len);
        if (s->hugepage_limits)
                swap_array((void **)&d->hugepage_limits, &d->hugepage_limits_len,
                           (void **)&s->hugepage_limits, &s->hugepage_limits_len);
        if (s->rdma)
                swap_array((void **)&d->rdma, &d->rdma_len, (void **)&s->rdma, &s->rdma_len);
        merge_unified(d, s);
}

int cgroup_cmd_save_resources(int dirfd, const char *id, struct oci_linux_resources *update,
                              struct kago_err *err)
{
        struct oci_spec *spec = NULL;

        if (container_load_config(dirfd, id, &spec, err) < 0)
                return -1;
        if (!spec->linux_cfg)
                spec->linux_cfg = xcalloc(1, sizeof *spec->linux_cfg);
        if (!spec->linux_cfg->resources)
                spec->linux_cfg->resources = xcalloc(1, sizeof *spec->linux_cfg->resources);
        merge_resources(spec->linux_cfg->resources, update);
        char *json = spec_emit(spec);
        int rc = file_write_atomic_at(dirfd, STATE_CONFIG_FILE, json, strlen(json), 0600, err);
        free(json);
        spec_free(spec);
        return rc < 0 ? kago_err_wrap(err, "save the updated config of \"%s\"", id) : 0;
}
