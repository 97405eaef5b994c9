/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago run --rootfs DIR [options] [--] [CMD ARG...]: the options, in
 * systemd-nspawn's spelling where nspawn has one. Every value is checked
 * here, before anything is made, and a bad one is named in the error.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../microvm/microvm.h"
#include "cli.h"

enum { OPT_ROOTFS = 256, OPT_BIND, OPT_BIND_RO, OPT_TMPFS, OPT_READ_ONLY, OPT_CHDIR,
       OPT_HOSTNAME, OPT_MEMORY, OPT_CPUS, OPT_PIDS, OPT_VM, OPT_VM_CPUS, OPT_VM_MEMORY,
       OPT_VM_KERNEL, OPT_PRINT_SPEC, OPT_SAVE_BUNDLE, OPT_KEEP, OPT_PID_FILE, OPT_NETWORK,
       OPT_NETWORK_VETH, OPT_NETWORK_BRIDGE, OPT_ANNOTATION, OPT_REGISTER, OPT_BOOT };

static const struct option rootfs_options[] = {
        { "rootfs", required_argument, NULL, OPT_ROOTFS },
        { "directory", required_argument, NULL, 'D' },
        { "bind", required_argument, NULL, OPT_BIND },
        { "bind-ro", required_argument, NULL, OPT_BIND_RO },
        { "tmpfs", required_argument, NULL, OPT_TMPFS },
        { "ephemeral", no_argument, NULL, 'x' },
        { "read-only", no_argument, NULL, OPT_READ_ONLY },
        { "setenv", required_argument, NULL, 'E' },
        { "chdir", required_argument, NULL, OPT_CHDIR },
        { "user", required_argument, NULL, 'u' },
        { "hostname", required_argument, NULL, OPT_HOSTNAME },
        { "machine", required_argument, NULL, 'M' },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "cpus", required_argument, NULL, OPT_CPUS },
        { "pids", required_argument, NULL, OPT_PIDS },
        { "vm", no_argument, NULL, OPT_VM },
        { "vm-cpus", required_argument, NULL, OPT_VM_CPUS },
        { "vm-memory", required_argument, NULL, OPT_VM_MEMORY },
        { "vm-kernel", required_argument, NULL, OPT_VM_KERNEL },
        { "print-spec", no_argument, NULL, OPT_PRINT_SPEC },
        { "save-bundle", required_argument, NULL, OPT_SAVE_BUNDLE },
        { "detach", no_argument, NULL, 'd' },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "network", required_argument, NULL, OPT_NETWORK },
        { "network-veth", no_argument, NULL, OPT_NETWORK_VETH },
        { "network-bridge", required_argument, NULL, OPT_NETWORK_BRIDGE },
        { "annotation", required_argument, NULL, OPT_ANNOTATION },
        { "register", no_argument, NULL, OPT_REGISTER },
        { "boot", no_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 },
};

bool run_rootfs_wanted(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        return false;
                if (strcmp(argv[i], "--rootfs") == 0 || str_has_prefix(argv[i], "--rootfs=") ||
                    strcmp(argv[i], "-D") == 0 || strcmp(argv[i], "--directory") == 0 ||
                    str_has_prefix(argv[i], "--directory="))
                        return true;
        }
        return false;
}

static int bad(struct kago_err *err, const char *opt, const char *value, const char *why)
{
        return cli_usage_error(err, "run", "%s \"%s\": %s", opt, value, why);
}

/* An absolute path in the container with no ".." component. */
static bool path_ok(const char *p)
{
        size_t n = strlen(p);

        return p[0] == '/' && !strstr(p, "/../") && !(n >= 3 && strcmp(p + n - 3, "/..") == 0);
}

static int add_mount(struct rootfs_run *rr, const char *opt, const char *value, bool tmpfs,
                     bool readonly, struct kago_err *err)
{
        _cleanup_free_ char *src = xstrdup(value);
        char *dst = tmpfs ? src : strchr(src, ':');
        if (!tmpfs && dst)
                *dst++ = '\0';
        if (!tmpfs && !dst)
                dst = src;
        if (!*src || !*dst || !path_ok(dst))
                return bad(err, opt, value, tmpfs ? "expected an absolute path in the container"
                                                  : "expected SRC[:DST], DST an absolute path");
        struct rootfs_mount m = { .kind = opt, .readonly = readonly,
                                  .destination = xstrdup(dst) };
        if (!tmpfs) {
                m.source = realpath(src, NULL);
                if (!m.source) {
                        free(m.destination);
                        return cli_usage_error(err, "run", "%s \"%s\": %s: %s", opt, value, src,
                                               strerror(errno));
                }
        }
        rr->mounts = xrealloc(rr->mounts, (rr->mounts_len + 1) * sizeof *rr->mounts);
        rr->mounts[rr->mounts_len++] = m;
        return 0;
}

static int parse_user(struct rootfs_run *rr, const char *v, struct kago_err *err)
{
        _cleanup_free_ char *s = xstrdup(v);
        char *g = strchr(s, ':');
        int64_t uid, gid;

        if (g)
                *g++ = '\0';
        if (str_to_i64(s, 0, UINT32_MAX - 1, &uid) < 0 ||
            (g && str_to_i64(g, 0, UINT32_MAX - 1, &gid) < 0))
                return bad(err, "--user", v, "expected UID[:GID], numbers");
        rr->user_set = true;
        rr->uid = (uint32_t)uid;
        rr->gid = g ? (uint32_t)gid : (uint32_t)uid;
        return 0;
}

/* Bytes with an optional K/M/G/T suffix (powers of 1024). */
static int parse_cpus(const char *s, double *out)
{
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < 0.01 || v > 1024)
                return -1;
        *out = v;
        return 0;
}

static int parse_resource(struct rootfs_run *rr, int opt, const char *v, struct kago_err *err)
{
        struct kago_err why = { 0 };
        uint64_t mem;
        unsigned vcpus;

        switch (opt) {
        case OPT_MEMORY:
                return str_to_size(v, 1 << 20, INT64_MAX, &rr->memory) < 0
                               ? bad(err, "--memory", v, "expected a size of at least 1M (K, M, G, T suffixes)")
                               : 0;
        case OPT_CPUS:
                return parse_cpus(v, &rr->cpus) < 0
                               ? bad(err, "--cpus", v, "expected a number of CPUs, 0.01 to 1024")
                               : 0;
        case OPT_PIDS:
                if (str_to_i64(v, 1, INT64_MAX, &rr->pids) < 0)
                        return bad(err, "--pids", v, "expected a count of 1 or more");
                return 0;
        case OPT_VM_CPUS:
                rr->vm_cpus = v;
                rr->vm = true;
                return microvm_parse_vcpus(v, &vcpus, &why) < 0
                               ? bad(err, "--vm-cpus", v, kago_err_text(&why))
                               : 0;
        case OPT_VM_MEMORY:
                rr->vm_memory = v;
                rr->vm = true;
                return microvm_parse_memory(v, &mem, &why) < 0
                               ? bad(err, "--vm-memory", v, kago_err_text(&why))
                               : 0;
        }
        return 0;
}

static int parse_path_opt(struct rootfs_run *rr, int opt, const char *v, struct kago_err *err)
{
        switch (opt) {
        case OPT_ROOTFS:
        case 'D':
                free(rr->tree);
                rr->tree = realpath(v, NULL);
                if (!rr->tree)
                        return cli_usage_error(err, "run", "--rootfs \"%s\": %s", v, strerror(errno));
                struct stat sb;
                if (stat(rr->tree, &sb) < 0 || !S_ISDIR(sb.st_mode))
                        return bad(err, "--rootfs", v, "not a directory");
                return 0;
        case OPT_VM_KERNEL:
                free(rr->vm_kernel);
                rr->vm_kernel = realpath(v, NULL);
                rr->vm = true;
                if (!rr->vm_kernel)
                        return cli_usage_error(err, "run", "--vm-kernel \"%s\": %s", v, strerror(errno));
                return 0;
        case OPT_CHDIR:
                rr->chdir = v;
                return path_ok(v) ? 0 : bad(err, "--chdir", v, "expected an absolute path");
        case OPT_SAVE_BUNDLE: rr->save_bundle = v; return 0;
        case OPT_PID_FILE: rr->pid_file = v; return 0;
        }
        return 0;
}

/* --network MODE, --network-veth, --network-bridge BR: kago.net; --annotation
 * KEY=VALUE for the rest (kago.net.address, ...). The values are checked
 * with the config, at create. */
static int parse_network(struct rootfs_run *rr, int opt, const char *v, struct kago_err *err)
{
        switch (opt) {
        case OPT_NETWORK:
                free(rr->network);
                rr->network = xstrdup(v);
                return 0;
        case OPT_NETWORK_VETH:
                free(rr->network);
                rr->network = xstrdup("veth");
                return 0;
        case OPT_NETWORK_BRIDGE:
                free(rr->network);
                rr->network = xasprintf("bridge:%s", v);
                return 0;
        }
        if (!strchr(v, '=') || v[0] == '=')
                return bad(err, "--annotation", v, "expected KEY=VALUE");
        rr->annotations = xrealloc(rr->annotations, (rr->annotations_len + 1) * sizeof *rr->annotations);
        rr->annotations[rr->annotations_len++] = v;
        return 0;
}

static int parse_one(struct rootfs_run *rr, int opt, const char *v, struct kago_err *err)
{
        switch (opt) {
        case OPT_BIND: return add_mount(rr, "--bind", v, false, false, err);
        case OPT_BIND_RO: return add_mount(rr, "--bind-ro", v, false, true, err);
        case OPT_TMPFS: return add_mount(rr, "--tmpfs", v, true, false, err);
        case 'x': rr->ephemeral = true; return 0;
        case OPT_READ_ONLY: rr->readonly = true; return 0;
        case OPT_REGISTER: rr->register_machine = true; return 0;
        case 'b': rr->boot = true; return 0;
        case 'E':
                if (!strchr(v, '=') || v[0] == '=')
                        return bad(err, "--setenv", v, "expected KEY=VALUE");
                rr->env = xrealloc(rr->env, (rr->env_len + 1) * sizeof *rr->env);
                rr->env[rr->env_len++] = v;
                return 0;
        case 'u': return parse_user(rr, v, err);
        case OPT_HOSTNAME:
                rr->hostname = v;
                return *v && strlen(v) < 64 && !strchr(v, '/')
                               ? 0 : bad(err, "--hostname", v, "expected 1 to 63 characters");
        case 'M': rr->machine = v; return 0;
        case OPT_VM: rr->vm = true; return 0;
        case OPT_PRINT_SPEC: rr->print_spec = true; return 0;
        case 'd': rr->r.detach = true; return 0;
        case OPT_KEEP: rr->r.keep = true; return 0;
        case OPT_MEMORY: case OPT_CPUS: case OPT_PIDS: case OPT_VM_CPUS: case OPT_VM_MEMORY:
                return parse_resource(rr, opt, v, err);
        case OPT_NETWORK: case OPT_NETWORK_VETH: case OPT_NETWORK_BRIDGE: case OPT_ANNOTATION:
                return parse_network(rr, opt, v, err);
        }
        return parse_path_opt(rr, opt, v, err);
}

static int check_combination(const struct rootfs_run *rr, struct kago_err *err)
{
        if (!rr->tree)
                return cli_usage_error(err, "run", "--rootfs DIR: missing");
        if (rr->ephemeral && rr->r.detach)
                return cli_usage_error(err, "run", "--ephemeral and --detach: the throwaway layer "
                                                   "lives as long as the foreground run");
        if (rr->ephemeral && rr->save_bundle)
                return cli_usage_error(err, "run", "--ephemeral and --save-bundle: a bundle cannot "
                                                   "hold a throwaway layer");
        if (rr->print_spec && rr->save_bundle)
                return cli_usage_error(err, "run", "--print-spec and --save-bundle: pick one");
        if (rr->boot && rr->vm)
                return cli_usage_error(err, "run", "--boot and --vm: a microVM's PID 1 is kago's "
                                                   "guest init; run the tree's init as the command "
                                                   "instead (-- /sbin/init)");
        if (rr->boot && rr->user_set)
                return cli_usage_error(err, "run", "--boot and --user: the tree's init runs as root");
        if (rr->boot && geteuid() != 0 && !rr->print_spec && !rr->save_bundle)
                return cli_usage_error(err, "run", "--boot needs root: systemd as PID 1 manages its "
                                                   "own cgroup tree, which kago only delegates as root");
        return 0;
}

int run_rootfs_parse(int argc, char **argv, struct rootfs_run *rr, struct kago_err *err)
{
        int opt;

        memset(rr, 0, sizeof *rr);
        rr->memory = -1;
        opterr = 0;
        optind = 1;
        while ((opt = getopt_long(argc, argv, "+:D:xE:u:M:db", rootfs_options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_option(err, "run", opt, argv);
                if (parse_one(rr, opt, optarg, err) < 0)
                        return -1;
        }
        rr->cmd = argv + optind;
        return check_combination(rr, err);
}

void run_rootfs_free(struct rootfs_run *rr)
{
        for (size_t i = 0; i < rr->mounts_len; i++) {
                free(rr->mounts[i].source);
                free(rr->mounts[i].destination);
        }
        free(rr->mounts);
        free(rr->env);
        free(rr->annotations);
        free(rr->network);
        free(rr->tree);
        free(rr->id);
        free(rr->vm_kernel);
        free(rr->boot_init);
}
