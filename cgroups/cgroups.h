/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroups: cgroup v2 for containers and microVMs alike — placement, every
 * linux.resources limit, the device allow-list (eBPF), freeze/thaw, kill,
 * stats, OOM events, live update, and the systemd driver (transient scope
 * with Delegate=yes).
 *
 * Flow for the runtime:
 *   create: cgroup_create(&cfg, child_pid, &cg, err)   (child waits before exec)
 *           store cgroup_path(cg) and cgroup_driver(cg) in the state
 *   later:  cgroup_open(driver, path, &cg, err), then cgroup_freeze / thaw /
 *           kill_all / stats_read / update / destroy
 *
 * On a hybrid host (cgroup v1 hierarchies beside a cgroup2 mount such as
 * /sys/fs/cgroup/unified) each controller is taken from the hierarchy that
 * owns it: the container gets the same path in every v1 hierarchy (v1_*.c),
 * its limits are written in the v1 files, pause uses cgroup2's freezer (it
 * lets SIGKILL through; v1's freezer only where there is no cgroup2), stats
 * and OOM events read the v1 files, and destroy removes every directory.
 * A limit whose controller no hierarchy offers fails with an error naming
 * the field and the controller; a value that asks for nothing is skipped. CGROUP_DRIVER_NONE (--cgroup-manager
 * disabled) places nothing, ignores limits with a warning, and makes the
 * cgroup-only operations fail with a clear error.
 */
#ifndef KAGO_CGROUPS_H
#define KAGO_CGROUPS_H

#include "../base/base.h"

struct oci_linux_resources; /* specs/specs.h: linux.resources */
struct oci_device;          /* specs/specs.h: linux.devices[] */
struct oci_spec;            /* specs/specs.h: a whole config.json */

enum cgroup_driver { CGROUP_DRIVER_CGROUPFS, CGROUP_DRIVER_SYSTEMD, CGROUP_DRIVER_NONE };

/* "cgroupfs", "systemd", "none" (as stored in state); parse returns -1 on junk. */
const char *cgroup_driver_name(enum cgroup_driver d);
int cgroup_driver_parse(const char *name, enum cgroup_driver *out);

/* One devices rule, in OCI terms: type 'a', 'b' or 'c'; major/minor -1 = any;
 * access a subset of "rwm". */
struct cgroup_device_rule {
        bool allow;
        char type;
        int64_t major;
        int64_t minor;
        char access[4];
};

struct cgroup_config {
        enum cgroup_driver driver;
        const char *id;           /* container id: default path, scope name */
        const char *cgroups_path; /* linux.cgroupsPath; NULL or "" = default */
        const struct oci_linux_resources *resources; /* NULL: no limits */
        /* Devices the runtime itself needs (a microVM's /dev/kvm): always allowed. */
        const struct cgroup_device_rule *extra_devices;
        size_t n_extra_devices;
        /* systemd: "org.systemd.property.NAME" annotations (key, value pairs,
         * NULL-terminated), passed as unit properties. */
        char *const *systemd_properties;
        /* Skip the device allow-list (the process runs in the host's device
         * policy, e.g. a rootless or privileged container). */
        bool no_devices;
        /* The whole config, when given: supplies cgroups_path and resources
         * when those are NULL, and turns "org.systemd.property.NAME"
         * annotations into systemd_properties when that is NULL. */
        const struct oci_spec *spec;
};

/* The one test of "asks a cgroup for limits", for kago's runtime and
 * cgroup_create alike. False for NULL and when every value asks for nothing
 * (pids.limit 0 or -1, memory.limit -1, cpu.shares 1024, ...), which never
 * needs a controller. Device rules count when devices is true (false for a
 * caller that could not enforce them: no_devices, an unprivileged kago).
 * Invalid values count as limits (cgroup_create says why). */
bool cgroup_resources_limit_something(const struct oci_linux_resources *r, bool devices);

struct cgroup; /* an open cgroup (or a placeholder for CGROUP_DRIVER_NONE) */

/* Create the cgroup for cfg, apply every limit in cfg->resources and the
 * device allow-list, then move pid into it (pid 0: no process yet, use
 * cgroup_enter or cgroup_dirfd with CLONE_INTO_CGROUP). The systemd driver
 * needs a pid. On error nothing is left behind. */
int cgroup_create(const struct cgroup_config *cfg, pid_t pid, struct cgroup **out,
                  struct kago_err *err);
/* Open an existing cgroup from what the state stored. */
int cgroup_open(enum cgroup_driver driver, const char *path, struct cgroup **out,
                struct kago_err *err);
void cgroup_free(struct cgroup *cg);
static inline void cgroup_freep(struct cgroup **cg)
{
        if (*cg)
                cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

/* The path inside the cgroup2 hierarchy ("/kago/web"); "" for NONE. */
const char *cgroup_path(const struct cgroup *cg);
/* The directory on disk ("/sys/fs/cgroup/kago/web"); "" for NONE. */
const char *cgroup_dir(const struct cgroup *cg);
enum cgroup_driver cgroup_driver(const struct cgroup *cg);
/* A directory fd of the cgroup (for CLONE_INTO_CGROUP); -1 for NONE. */
int cgroup_dirfd(const struct cgroup *cg);

int cgroup_enter(struct cgroup *cg, pid_t pid, struct kago_err *err);
/* Apply new limits live; a value the kernel rejects restores the old ones.
 * When r has devices, the allow-list is replaced (extra_devices as in
 * cgroup_config: the nodes linux.devices creates stay allowed). */
int cgroup_update(struct cgroup *cg, const struct oci_linux_resources *r,
                  const struct cgroup_device_rule *extra_devices, size_t n_extra_devices,
                  struct kago_err *err);

/* Freeze: write cgroup.freeze and wait (up to timeout_ms) for "frozen 1" in
 * cgroup.events; on timeout thaw again and fail. Thaw waits for "frozen 0". */
int cgroup_freeze(struct cgroup *cg, int timeout_ms, struct kago_err *err);
int cgroup_thaw(struct cgroup *cg, int timeout_ms, struct kago_err *err);
int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct kago_err *err);
/* Whether any process is left (cgroup.events populated). */
int cgroup_is_populated(struct cgroup *cg, bool *populated, struct kago_err *err);

/* Signal every process: SIGKILL through cgroup.kill when present (works on a
 * frozen cgroup), other signals to each pid in cgroup.procs. */
int cgroup_kill_all(struct cgroup *cg, int signo, struct kago_err *err);
/* The pids in the cgroup and its descendants (malloc'd, sorted). */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct kago_err *err);
/* Kill what is left, remove the cgroup (retrying, bounded, while busy) and,
 * for systemd, stop the scope. */
int cgroup_destroy(struct cgroup *cg, struct kago_err *err);

/* Mount the cgroup filesystem on target (inside the container's mount
 * namespace) with flags (MS_RDONLY, MS_NOSUID, ... from the spec's mount
 * options). In a cgroup namespace — unshared only after cgroup_enter, so its
 * root is the container's cgroup — a fresh cgroup2 mount; otherwise a bind
 * of the container's cgroup directory. Either way the container sees only
 * its own subtree. */
int cgroup_mount_fs(const struct cgroup *cg, const char *target, unsigned long flags,
                    bool in_cgroupns, struct kago_err *err);

/* ---- stats and events ------------------------------------------------ */

#define CGROUP_STATS_MAX_IO 16
#define CGROUP_STATS_MAX_HUGETLB 4

struct cgroup_io_stat {
        unsigned major, minor;
        uint64_t rbytes, wbytes, rios, wios;
};

struct cgroup_hugetlb_stat {
        char size[16]; /* "2MB" */
        uint64_t current, max, failcnt;
};

/* Figures read from the cgroup; UINT64_MAX stands for "max". */
struct cgroup_stats {
        uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
        uint64_t cpu_nr_periods, cpu_nr_throttled, cpu_throttled_usec;
        uint64_t mem_current, mem_max, mem_peak, mem_swap_current, mem_swap_max;
        uint64_t mem_anon, mem_file, mem_kernel;
        uint64_t mem_ev_low, mem_ev_high, mem_ev_max, mem_ev_oom, mem_ev_oom_kill;
        uint64_t pids_current, pids_max;
        struct cgroup_io_stat io[CGROUP_STATS_MAX_IO];
        size_t n_io;
        struct cgroup_hugetlb_stat hugetlb[CGROUP_STATS_MAX_HUGETLB];
        size_t n_hugetlb;
        bool have_memory, have_pids; /* the controller's files exist for this cgroup */
};

/* Read every figure whose file exists. A controller the cgroup lacks leaves
 * have_memory/have_pids false: its section is left out of the JSON, and a
 * warning says so, rather than zeros that look like figures. */
int cgroup_stats_read(struct cgroup *cg, struct cgroup_stats *st, struct kago_err *err);
/* One line: {"type":"stats","id":ID,"data":{...}} in runc's events layout;
 * extra (NULL: none) is one more "name":value member of data. */
void cgroup_stats_write_json(FILE *f, const char *id, const struct cgroup_stats *st,
                             const char *extra);

/* OOM watch: an inotify fd that becomes readable when memory.events changes. */
int cgroup_oom_watch_open(struct cgroup *cg, int *fd, struct kago_err *err);
/* Drain the watch fd; *oom_kills is the current memory.events oom_kill. */
int cgroup_oom_watch_read(struct cgroup *cg, int fd, uint64_t *oom_kills, struct kago_err *err);

/* kago events: a stats line every interval_ms and an {"type":"oom","id":ID}
 * line the moment memory.events oom_kill increases (inotify, no polling of
 * the counters); returns once no process is left in the cgroup. */
int cgroup_events_stream(struct cgroup *cg, const char *id, int interval_ms, FILE *out,
                         struct kago_err *err);

/* ---- host support ---------------------------------------------------- */

/* Where cgroup2 is mounted ("/sys/fs/cgroup" or the hybrid
 * "/sys/fs/cgroup/unified"); error when there is none. */
int cgroup_mount_point(const char **out, struct kago_err *err);
/* Whether the host has a hierarchy kago can place a container in: a cgroup2
 * mount or mounted cgroup v1 hierarchies (a v1-only host); err says why not. */
int cgroup_host_available(struct kago_err *err);
/* Whether controller (e.g. "memory") is available at the cgroup2 root. */
bool cgroup_controller_available(const char *controller);

/* systemd-machined (cgroups/machined.c): the container as a machine that
 * machinectl lists. Its leader must already run in a systemd unit (the
 * systemd driver's scope). */
struct cgroup_machine {
        const char *name;       /* the container's id */
        bool vm;                /* class "vm", else "container" */
        pid_t leader;           /* its init: the workload, or the VMM */
        const char *root;       /* its root directory on the host, or NULL */
        const int *ifindices;   /* its host-side network interfaces */
        size_t n_ifindices;
};
int cgroup_machine_register(const struct cgroup_machine *m, struct kago_err *err);
/* A machine machined no longer knows is no error. */
int cgroup_machine_unregister(const char *name, struct kago_err *err);

#endif
