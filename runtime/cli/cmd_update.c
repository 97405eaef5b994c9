/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago update [--resources FILE|-] [runc's flags] ID: change a container's
 * limits live. A value the kernel refuses leaves every limit as it was; the
 * saved config records what was applied.
 */
#include <getopt.h>
#include <fcntl.h>
#include <string.h>

#include "cli.h"

enum {
        OPT_MEMORY = 256, OPT_MEMORY_RESERVATION, OPT_MEMORY_SWAP, OPT_CPU_SHARES, OPT_CPU_QUOTA,
        OPT_CPU_PERIOD, OPT_CPU_BURST, OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_PIDS_LIMIT,
        OPT_BLKIO_WEIGHT,
};

static const struct option update_options[] = {
        { "resources", required_argument, NULL, 'r' },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
        { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
        { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
        { "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
        { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
        { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
        { "cpu-burst", required_argument, NULL, OPT_CPU_BURST },
        { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
        { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
        { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
        { NULL, 0, NULL, 0 },
};

/* A flag's value as it was given, kept until the resources file is read. */
struct flag {
        int opt;
        const char *name;
        const char *value;
};

static int parse_u64(const char *s, uint64_t *out)
{
        int64_t v;

        if (str_to_i64(s, 0, INT64_MAX, &v) < 0)
                return -1;
        *out = (uint64_t)v;
        return 0;
}

static struct oci_memory *memory_of(struct oci_linux_resources *r)
{
        return r->memory ? r->memory : (r->memory = xcalloc(1, sizeof *r->memory));
}

static struct oci_cpu *cpu_of(struct oci_linux_resources *r)
{
        return r->cpu ? r->cpu : (r->cpu = xcalloc(1, sizeof *r->cpu));
}

static int set_i64(struct oci_opt_i64 *o, int64_t v)
{
        o->set = true;
        o->value = v;
        return 0;
}

static int set_u64(struct oci_opt_u64 *o, const char *s)
{
        o->set = true;
        return parse_u64(s, &o->value);
}

static int apply_memory_flag(struct oci_linux_resources *r, const struct flag *f)
{
        int64_t v;

        /* Bytes in kago's size grammar (base/str.c); -1 = unlimited. */
        if (str_to_size(f->value, -1, INT64_MAX, &v) < 0)
                return -1;
        struct oci_memory *m = memory_of(r);
        return set_i64(f->opt == OPT_MEMORY ? &m->limit
                       : f->opt == OPT_MEMORY_RESERVATION ? &m->reservation : &m->swap, v);
}

static int apply_flag(struct oci_linux_resources *r, const struct flag *f)
{
        int64_t v;

        switch (f->opt) {
        case OPT_MEMORY: case OPT_MEMORY_RESERVATION: case OPT_MEMORY_SWAP:
                return apply_memory_flag(r, f);
        case OPT_CPU_SHARES: return set_u64(&cpu_of(r)->shares, f->value);
        case OPT_CPU_PERIOD: return set_u64(&cpu_of(r)->period, f->value);
        case OPT_CPU_BURST: return set_u64(&cpu_of(r)->burst, f->value);
        case OPT_CPU_QUOTA:
                return str_to_i64(f->value, -1, INT64_MAX, &v) < 0 ? -1 : set_i64(&cpu_of(r)->quota, v);
        case OPT_CPUSET_CPUS: free(cpu_of(r)->cpus); r->cpu->cpus = xstrdup(f->value); return 0;
        case OPT_CPUSET_MEMS: free(cpu_of(r)->mems); r->cpu->mems = xstrdup(f->value); return 0;
        case OPT_PIDS_LIMIT:
                if (str_to_i64(f->value, -1, INT64_MAX, &v) < 0)
                        return -1;
                if (!r->pids)
                        r->pids = xcalloc(1, sizeof *r->pids);
                r->pids->limit = v;
                return 0;
        case OPT_BLKIO_WEIGHT:
                if (str_to_i64(f->value, 10, 1000, &v) < 0)
                        return -1;
                if (!r->block_io)
                        r->block_io = xcalloc(1, sizeof *r->block_io);
                r->block_io->weight = (struct oci_opt_u16){ true, (uint16_t)v };
                return 0;
        }
        return -1;
}

/* --resources FILE, or "-" for stdin. */
static int read_resources(const char *path, struct oci_linux_resources **r, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;

        if (strcmp(path, "-") == 0) {
                if (file_read_at(STDIN_FILENO, "/proc/self/fd/0", SPEC_MAX_FILE_SIZE, &buf, &len, err) < 0)
                        return kago_err_wrap(err, "--resources -: read stdin");
                return spec_parse_resources(buf, len, "<stdin>", r, err);
        }
        if (file_read_at(AT_FDCWD, path, SPEC_MAX_FILE_SIZE, &buf, &len, err) < 0)
                return kago_err_wrap(err, "--resources");
        return spec_parse_resources(buf, len, path, r, err);
}

/* The resources the command line asks for: the file, then each flag over it. */
static int build_resources(const char *file, const struct flag *flags, size_t n,
                           struct oci_linux_resources **out, struct kago_err *err)
{
        struct oci_linux_resources *r = NULL;

        if (file && read_resources(file, &r, err) < 0)
                return -1;
        if (!r)
                r = xcalloc(1, sizeof *r);
        for (size_t i = 0; i < n; i++) {
                if (apply_flag(r, &flags[i]) < 0) {
                        spec_resources_free(r);
                        return cli_usage_error(err, "update", "--%s: \"%s\" is not a valid value",
                                               flags[i].name, flags[i].value);
                }
        }
        *out = r;
        return 0;
}

static int parse_update_args(int argc, char **argv, const char **file, struct flag *flags, size_t *n,
                             struct kago_err *err)
{
        int opt, idx;

        opterr = 0;
        *n = 0;
        while ((opt = getopt_long(argc, argv, "+:r:", update_options, &idx)) != -1) {
                if (opt == 'r')
                        *file = optarg;
                else if (opt >= OPT_MEMORY && *n < ARRAY_SIZE(update_options))
                        flags[(*n)++] = (struct flag){ opt, update_options[idx].name, optarg };
                else
                        return cli_bad_option(err, "update", opt, argv);
        }
        if (optind >= argc)
                return cli_usage_error(err, "update", "missing container id");
        if (argc - optind > 1)
                return cli_usage_error(err, "update", "unexpected argument \"%s\"", argv[optind + 1]);
        if (!*file && *n == 0)
                return cli_usage_error(err, "update", "nothing to update: give --resources or a limit flag");
        return 0;
}

static int update_container(struct cgroup_cmd *c, const char *id, struct oci_linux_resources *r,
                            struct kago_err *err)
{
        /* linux.devices gets no rule of its own (as at create): only the
         * backend's devices (a microVM's /dev/kvm) join the update's rules. */
        _cleanup_free_ struct cgroup_device_rule *rules = NULL;
        size_t n_rules = 0;

        if (c->status == STATUS_STOPPED || c->status == STATUS_CREATING)
                return kago_err_set(err, "container \"%s\" is %s: nothing to update", id,
                                    container_status_name(c->status));
        const struct kago_backend *b = backend_of_state(&c->st);
        if (b->update && b->update(&c->st, c->status, c->dirfd, r, false, err) < 0)
                return kago_err_wrap(err, "container \"%s\" (limits unchanged)", id);
        backend_device_rules_append(b, &rules, &n_rules);
        if (cgroup_update(c->cg, r, rules, n_rules, err) < 0)
                return kago_err_wrap(err, "container \"%s\" (limits unchanged)", id);
        if (cgroup_cmd_save_resources(c->dirfd, id, r, err) < 0)
                return -1;
        if (b->update && b->update(&c->st, c->status, c->dirfd, r, true, err) < 0)
                return kago_err_wrap(err, "container \"%s\" (its cgroup has the new limits)", id);
        return 0;
}

int cmd_update(KAGO_COMMAND_ARGS)
{
        struct flag flags[ARRAY_SIZE(update_options)];
        const char *file = NULL;
        size_t n = 0;
        struct oci_linux_resources *r = NULL;
        struct cgroup_cmd c;
        int rc = -1;

        if (parse_update_args(argc, argv, &file, flags, &n, err) < 0 ||
            build_resources(file, flags, n, &r, err) < 0)
                return -1;
        const char *id = argv[optind];
        if (cgroup_cmd_open(g->root, id, true, &c, err) == 0)
                rc = update_container(&c, id, r, err);
        cgroup_cmd_close(&c);
        spec_resources_free(r);
        return rc < 0 ? kago_err_wrap(err, "update") : 0;
}
