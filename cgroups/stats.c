/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stats: the figures of cpu.stat, memory.*, pids.*, io.stat and hugetlb.*
 * in one struct, and as one JSON line in runc's events layout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

static void read_u64(int dirfd, const char *file, uint64_t *out)
{
        struct kago_err err = { 0 };

        if (cg_read_u64(dirfd, file, out, &err) < 0)
                *out = 0;
}

static void read_key(int dirfd, const char *file, const char *key, uint64_t *out)
{
        struct kago_err err = { 0 };

        if (cg_read_key(dirfd, file, key, out, &err) < 0)
                *out = 0;
}

/* The single figures: FILE holds one number, or "KEY N" lines (KEY set). */
#define STAT(file, key, field) { file, key, offsetof(struct cgroup_stats, field) }
static const struct stat_source {
        const char *file, *key;
        size_t offset;
} stat_sources[] = {
        STAT("cpu.stat", "usage_usec", cpu_usage_usec),
        STAT("cpu.stat", "user_usec", cpu_user_usec),
        STAT("cpu.stat", "system_usec", cpu_system_usec),
        STAT("cpu.stat", "nr_periods", cpu_nr_periods),
        STAT("cpu.stat", "nr_throttled", cpu_nr_throttled),
        STAT("cpu.stat", "throttled_usec", cpu_throttled_usec),
        STAT("memory.current", NULL, mem_current),
        STAT("memory.max", NULL, mem_max),
        STAT("memory.peak", NULL, mem_peak),
        STAT("memory.swap.current", NULL, mem_swap_current),
        STAT("memory.swap.max", NULL, mem_swap_max),
        STAT("memory.stat", "anon", mem_anon),
        STAT("memory.stat", "file", mem_file),
        STAT("memory.stat", "kernel", mem_kernel),
        STAT("memory.events", "low", mem_ev_low),
        STAT("memory.events", "high", mem_ev_high),
        STAT("memory.events", "max", mem_ev_max),
        STAT("memory.events", "oom", mem_ev_oom),
        STAT("memory.events", "oom_kill", mem_ev_oom_kill),
        STAT("pids.current", NULL, pids_current),
        STAT("pids.max", NULL, pids_max),
};

/* A figure whose file is absent (controller off) reads as 0. */
static void read_figures(int fd, struct cgroup_stats *st)
{
        for (size_t i = 0; i < ARRAY_SIZE(stat_sources); i++) {
                const struct stat_source *s = &stat_sources[i];
                uint64_t *out = (uint64_t *)((char *)st + s->offset);
                if (s->key)
                        read_key(fd, s->file, s->key, out);
                else
                        read_u64(fd, s->file, out);
        }
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
int cg_parse_io_stat(const char *buf, struct cgroup_stats *st)
{
        const char *l = buf;

        st->n_io = 0;
        while (l && *l && st->n_io < CGROUP_STATS_MAX_IO) {
                struct cgroup_io_stat *io = &st->io[st->n_io];
                memset(io, 0, sizeof *io);
                if (sscanf(l, "%u:%u", &io->major, &io->minor) == 2) {
                        const char *end = strchr(l, '\n') ? strchr(l, '\n') : l + strlen(l);
                        for (const char *p = strchr(l, ' '); p && p < end; p = strchr(p + 1, ' ')) {
                                uint64_t v;
                                char key[16];
                                if (sscanf(p + 1, "%15[a-z]=%" SCNu64, key, &v) != 2)
                                        continue;
                                if (!strcmp(key, "rbytes")) io->rbytes = v;
                                else if (!strcmp(key, "wbytes")) io->wbytes = v;
                                else if (!strcmp(key, "rios")) io->rios = v;
                                else if (!strcmp(key, "wios")) io->wios = v;
                        }
                        st->n_io++;
                }
                l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL;
        }
        return 0;
}

static void read_io(int fd, struct cgroup_stats *st)
{
        _cleanup_free_ char *buf = NULL;
        struct kago_err err = { 0 };

        if (cg_read(fd, "io.stat", &buf, &err) == 0)
                cg_parse_io_stat(buf, st);
}

/* hugetlb.<size>.current for every size the kernel offers. */
static void read_hugetlb(int fd, struct cgroup_stats *st)
{
        DIR *d = fdopendir(dup(fd));
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)) && st->n_hugetlb < CGROUP_STATS_MAX_HUGETLB) {
                char size[16], file[64];
                if (sscanf(e->d_name, "hugetlb.%15[0-9KMGB].current", size) != 1)
                        continue;
                /* Exactly hugetlb.SIZE.current, not hugetlb.SIZE.rsvd.current. */
                snprintf(file, sizeof file, "hugetlb.%s.current", size);
                if (strcmp(file, e->d_name) != 0)
                        continue;
                struct cgroup_hugetlb_stat *h = &st->hugetlb[st->n_hugetlb++];
                snprintf(h->size, sizeof h->size, "%s", size);
                snprintf(file, sizeof file, "hugetlb.%s.current", size);
                read_u64(fd, file, &h->current);
                snprintf(file, sizeof file, "hugetlb.%s.max", size);
                read_u64(fd, file, &h->max);
                snprintf(file, sizeof file, "hugetlb.%s.events", size);
                read_key(fd, file, "max", &h->failcnt);
        }
        closedir(d);
}

int cgroup_stats_read(struct cgroup *cg, struct cgroup_stats *st, struct kago_err *err)
{
        memset(st, 0, sizeof *st);
        if (cg_no_cgroup(cg, "stats", err))
                return -1;
        if (faccessat(cg_procs_fd(cg), "cgroup.procs", F_OK, 0) < 0)
                return kago_err_errno(err, errno, "cgroup %s", cg->dir);
        read_figures(cg->dirfd, st);
        st->have_memory = faccessat(cg->dirfd, "memory.current", F_OK, 0) == 0;
        st->have_pids = faccessat(cg->dirfd, "pids.current", F_OK, 0) == 0;
        read_io(cg->dirfd, st);
        read_hugetlb(cg->dirfd, st);
        if (cg->n_v1)
                cg_v1_stats_read(cg, st);
        return 0;
}

static void json_entry(FILE *f, const char *name, uint64_t limit, uint64_t usage, uint64_t max,
                       uint64_t failcnt)
{
        fprintf(f, "\"%s\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"max\":%" PRIu64
                   ",\"failcnt\":%" PRIu64 "}", name, limit, usage, max, failcnt);
}

static void json_memory(FILE *f, const struct cgroup_stats *st)
{
        fputs("\"memory\":{", f);
        json_entry(f, "usage", st->mem_max, st->mem_current, st->mem_peak, st->mem_ev_max);
        fputc(',', f);
        json_entry(f, "swap", st->mem_swap_max, st->mem_swap_current, 0, 0);
        fprintf(f, ",\"raw\":{\"anon\":%" PRIu64 ",\"file\":%" PRIu64 ",\"kernel\":%" PRIu64 "}",
                st->mem_anon, st->mem_file, st->mem_kernel);
        fprintf(f, ",\"event_count\":{\"low\":%" PRIu64 ",\"high\":%" PRIu64 ",\"max\":%" PRIu64
                   ",\"oom\":%" PRIu64 ",\"oom_kill\":%" PRIu64 "}}",
                st->mem_ev_low, st->mem_ev_high, st->mem_ev_max, st->mem_ev_oom, st->mem_ev_oom_kill);
}

static void json_blkio_list(FILE *f, const char *name, const struct cgroup_stats *st, bool ops)
{
        fprintf(f, "\"%s\":[", name);
        for (size_t i = 0; i < st->n_io; i++) {
                const struct cgroup_io_stat *io = &st->io[i];
                fprintf(f, "%s{\"major\":%u,\"minor\":%u,\"op\":\"Read\",\"value\":%" PRIu64 "},"
                           "{\"major\":%u,\"minor\":%u,\"op\":\"Write\",\"value\":%" PRIu64 "}",
                        i ? "," : "", io->major, io->minor, ops ? io->rios : io->rbytes, io->major,
                        io->minor, ops ? io->wios : io->wbytes);
        }
        fputc(']', f);
}

static void json_hugetlb(FILE *f, const struct cgroup_stats *st)
{
        fputs("\"hugetlb\":{", f);
        for (size_t i = 0; i < st->n_hugetlb; i++)
                fprintf(f, "%s\"%s\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}",
                        i ? "," : "", st->hugetlb[i].size, st->hugetlb[i].current, st->hugetlb[i].max,
                        st->hugetlb[i].failcnt);
        fputc('}', f);
}

/* Times in nanoseconds, sizes in bytes; "max" limits as UINT64_MAX. */
static void warn_unavailable(const char *id, const struct cgroup_stats *st)
{
        if (!st->have_memory || !st->have_pids)
                log_warning("container \"%s\": %s%s%s unavailable (no such controller for its "
                            "cgroup): left out of the stats", id, st->have_memory ? "" : "memory",
                            !st->have_memory && !st->have_pids ? " and " : "",
                            st->have_pids ? "" : "pids");
}

void cgroup_stats_write_json(FILE *f, const char *id, const struct cgroup_stats *st,
                             const char *extra)
{
        warn_unavailable(id, st);
        fputs("{\"type\":\"stats\",\"id\":", f);
        json_fputs_escaped(f, id);
        fprintf(f, ",\"data\":{\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"kernel\":%" PRIu64
                   ",\"user\":%" PRIu64 "},\"throttling\":{\"periods\":%" PRIu64
                   ",\"throttledPeriods\":%" PRIu64 ",\"throttledTime\":%" PRIu64 "}},",
                st->cpu_usage_usec * 1000, st->cpu_system_usec * 1000, st->cpu_user_usec * 1000,
                st->cpu_nr_periods, st->cpu_nr_throttled, st->cpu_throttled_usec * 1000);
        if (st->have_memory) {
                json_memory(f, st);
                fputc(',', f);
        }
        if (st->have_pids)
                fprintf(f, "\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},",
                        st->pids_current, st->pids_max);
        fputs("\"blkio\":{", f);
        json_blkio_list(f, "ioServiceBytesRecursive", st, false);
        fputc(',', f);
        json_blkio_list(f, "ioServicedRecursive", st, true);
        fputs("},", f);
        json_hugetlb(f, st);
        if (extra)
                fprintf(f, ",%s", extra);
        fputs("}}\n", f);
}
