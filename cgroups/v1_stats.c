/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stats from the cgroup v1 files, in the same struct as cgroup v2's: cpuacct
 * (nanoseconds), cpu.stat's throttling, memory.* (swap as v1's memsw minus
 * memory), pids.*, blkio.throttle.*_recursive. Only controllers the cgroup
 * has in a v1 hierarchy are read; the others keep their v2 figures. */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

/* v1 writes "unlimited" as a page-rounded LONG_MAX; report it as max. */
#define V1_UNLIMITED ((uint64_t)1 << 62)

static uint64_t num(const struct cg_v1_dir *d, const char *file)
{
        struct kago_err err = { 0 };
        uint64_t v = 0;

        if (cg_read_u64(d->dirfd, file, &v, &err) < 0)
                return 0;
        return v;
}

static uint64_t key(const struct cg_v1_dir *d, const char *file, const char *k)
{
        struct kago_err err = { 0 };
        uint64_t v = 0;

        if (cg_read_key(d->dirfd, file, k, &v, &err) < 0)
                return 0;
        return v;
}

static uint64_t limit(uint64_t v)
{
        return v >= V1_UNLIMITED ? UINT64_MAX : v;
}

static void read_cpu(const struct cg_v1_dir *acct, const struct cg_v1_dir *cpu, struct cgroup_stats *st)
{
        if (acct) {
                st->cpu_usage_usec = num(acct, "cpuacct.usage") / 1000;
                st->cpu_user_usec = num(acct, "cpuacct.usage_user") / 1000;
                st->cpu_system_usec = num(acct, "cpuacct.usage_sys") / 1000;
        }
        if (cpu) {
                st->cpu_nr_periods = key(cpu, "cpu.stat", "nr_periods");
                st->cpu_nr_throttled = key(cpu, "cpu.stat", "nr_throttled");
                st->cpu_throttled_usec = key(cpu, "cpu.stat", "throttled_time") / 1000;
        }
}

static void read_memory(const struct cg_v1_dir *d, struct cgroup_stats *st)
{
        uint64_t memsw = num(d, "memory.memsw.usage_in_bytes");
        uint64_t memsw_max = limit(num(d, "memory.memsw.limit_in_bytes"));

        st->mem_current = num(d, "memory.usage_in_bytes");
        st->mem_max = limit(num(d, "memory.limit_in_bytes"));
        st->mem_peak = num(d, "memory.max_usage_in_bytes");
        st->mem_swap_current = memsw > st->mem_current ? memsw - st->mem_current : 0;
        st->mem_swap_max = memsw_max == UINT64_MAX || st->mem_max == UINT64_MAX ? UINT64_MAX
                                                                                 : memsw_max - st->mem_max;
        st->mem_anon = key(d, "memory.stat", "total_rss");
        st->mem_file = key(d, "memory.stat", "total_cache");
        st->mem_kernel = num(d, "memory.kmem.usage_in_bytes");
        st->mem_ev_max = num(d, "memory.failcnt");
        st->mem_ev_oom_kill = key(d, "memory.oom_control", "oom_kill");
        st->mem_ev_oom = st->mem_ev_oom_kill;
}

static struct cgroup_io_stat *io_entry(struct cgroup_stats *st, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < st->n_io; i++)
                if (st->io[i].major == major && st->io[i].minor == minor)
                        return &st->io[i];
        if (st->n_io == CGROUP_STATS_MAX_IO)
                return NULL;
        struct cgroup_io_stat *io = &st->io[st->n_io++];
        memset(io, 0, sizeof *io);
        io->major = major;
        io->minor = minor;
        return io;
}

/* "MAJ:MIN Read N" / "MAJ:MIN Write N" lines (and a "Total N" line). */
static void read_blkio_file(const struct cg_v1_dir *d, const char *file, bool ops, struct cgroup_stats *st)
{
        _cleanup_free_ char *buf = NULL;
        struct kago_err err = { 0 };

        if (cg_read(d->dirfd, file, &buf, &err) < 0)
                return;
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
                unsigned major, minor;
                char op[16];
                uint64_t v;
                if (sscanf(l, "%u:%u %15s %" SCNu64, &major, &minor, op, &v) != 4)
                        continue;
                struct cgroup_io_stat *io = io_entry(st, major, minor);
                if (!io)
                        return;
                if (strcmp(op, "Read") == 0)
                        *(ops ? &io->rios : &io->rbytes) = v;
                else if (strcmp(op, "Write") == 0)
                        *(ops ? &io->wios : &io->wbytes) = v;
        }
}

void cg_v1_stats_read(struct cgroup *cg, struct cgroup_stats *st)
{
        const struct cg_v1_dir *d;

        read_cpu(cg_v1_dir_for(cg, "cpuacct"), cg_v1_dir_for(cg, "cpu"), st);
        if ((d = cg_v1_dir_for(cg, "memory"))) {
                read_memory(d, st);
                st->have_memory = true;
        }
        if ((d = cg_v1_dir_for(cg, "pids"))) {
                st->have_pids = true;
                st->pids_current = num(d, "pids.current");
                st->pids_max = num(d, "pids.max");
        }
        if ((d = cg_v1_dir_for(cg, "blkio"))) {
                st->n_io = 0;
                read_blkio_file(d, "blkio.throttle.io_service_bytes_recursive", false, st);
                read_blkio_file(d, "blkio.throttle.io_serviced_recursive", true, st);
        }
}

int cg_v1_oom_kills(struct cgroup *cg, uint64_t *out, struct kago_err *err)
{
        const struct cg_v1_dir *d = cg_v1_dir_for(cg, "memory");

        if (!d)
                return kago_err_set(err, "cgroup %s: no cgroup v1 memory directory", cg->dir);
        if (cg_read_key(d->dirfd, "memory.oom_control", "oom_kill", out, err) < 0)
                return kago_err_wrap(err, "cgroup %s", d->dir);
        return 0;
}
