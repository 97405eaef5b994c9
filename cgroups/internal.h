/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to cgroups/: the cgroup handle, the write plan, the helpers. */
#ifndef KAGO_CGROUPS_INTERNAL_H
#define KAGO_CGROUPS_INTERNAL_H

#include "cgroups.h"

/* The container's directory in one cgroup v1 hierarchy (hybrid or v1 host). */
struct cg_v1_dir {
        char *controllers; /* the hierarchy's controllers, space-separated: "cpu cpuacct" */
        char *dir;         /* "/sys/fs/cgroup/memory/kago/web" */
        int dirfd;         /* O_DIRECTORY of dir; -1 until opened */
        char *mount;       /* the hierarchy's mount point */
        char *created;     /* the first component create made ("/kago"), NULL if none */
};

struct cgroup {
        enum cgroup_driver driver;
        char *path; /* inside the hierarchy: "/kago/web"; "" for NONE */
        char *dir;  /* on disk: "/sys/fs/cgroup/kago/web"; "" for NONE */
        int dirfd;  /* O_DIRECTORY of dir; -1 for NONE */
        char *unit; /* systemd scope name, NULL otherwise */
        const char *mount; /* the cgroup2 mount it lives in */
        /* Its directories in the v1 hierarchies that own controllers
         * cgroup2 lacks (none on a pure v2 host). */
        struct cg_v1_dir *v1;
        size_t n_v1;
};

/* ---- the write plan: what linux.resources means as cgroup file writes ---- */

struct cg_write {
        char *field; /* JSON path it came from, for errors: "linux.resources.memory.limit" */
        char *file;  /* "memory.max" */
        char *value; /* "1048576" */
        bool is_default; /* asks for nothing ("max", shares 1024): skipped when the
                          * controller is missing instead of failing */
};

struct cg_plan {
        struct cg_write *w;
        size_t n, cap;
        bool has_devices; /* resources.devices present: (re)build the allow-list */
        struct cgroup_device_rule *dev;
        size_t n_dev;
        /* In: the controllers v1 hierarchies own (space-separated; NULL on a
         * pure v2 host), whose values are planned as v1 files. */
        const char *v1;
        /* In: the live cgroup for an update (v1 current values), else NULL. */
        const struct cgroup *cg;
};

void cg_plan_add(struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* The same for a value that asks for nothing (see cg_write.is_default). */
void cg_plan_add_default(struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Whether controller is planned as cgroup v1 (listed in p->v1). */
bool cg_plan_is_v1(const struct cg_plan *p, const char *controller);
void cg_plan_add_device(struct cg_plan *p, const struct cgroup_device_rule *r);
/* Whether the plan limits anything: a write that is not a default, or
 * (when devices) device rules. */
bool cg_plan_limits_something(const struct cg_plan *p, bool devices);
void cg_plan_free(struct cg_plan *p);
/* Translate resources into p. dirfd (the cgroup, -1 when not yet known) lets
 * choices depend on the files present (io.bfq.weight or io.weight). */
int cg_plan_build(const struct oci_linux_resources *r, int dirfd, struct cg_plan *p,
                  struct kago_err *err);
/* Write the plan in order. With rollback, every file's old content is read
 * first and written back, newest first, when a write fails. */
int cg_plan_apply(struct cgroup *cg, const struct cg_plan *p, bool rollback, struct kago_err *err);
/* The controller a file belongs to ("memory" for "memory.max"), in buf. */
const char *cg_file_controller(const char *file, char *buf, size_t size);

/* ---- per-resource translation (values in, plan entries out) ---- */

struct oci_memory;
struct oci_cpu;
struct oci_block_io;
struct oci_pids;
struct oci_hugepage_limit;
struct oci_rdma;
struct oci_kv;
struct oci_device_cgroup;
struct oci_network;

/* Each adds its writes to p; dirfd (or -1) supplies current values that a
 * partial update keeps (cpu.max quota when only the period changes, the
 * memory limit swap is relative to) and tells which files exist. */
int cg_plan_memory(struct cg_plan *p, const struct oci_memory *m, int dirfd, struct kago_err *err);
int cg_plan_cpu(struct cg_plan *p, const struct oci_cpu *c, int dirfd, struct kago_err *err);
/* cpus, mems -> cpuset.cpus, cpuset.mems (the same files in v1 and v2). */
void cg_plan_cpuset(struct cg_plan *p, const struct oci_cpu *c);
int cg_plan_io(struct cg_plan *p, const struct oci_block_io *b, int dirfd, struct kago_err *err);
int cg_plan_pids(struct cg_plan *p, const struct oci_pids *pids, struct kago_err *err);
int cg_plan_hugetlb(struct cg_plan *p, const struct oci_hugepage_limit *h, size_t n,
                    struct kago_err *err);
int cg_plan_rdma(struct cg_plan *p, const struct oci_rdma *r, size_t n, struct kago_err *err);
int cg_plan_unified(struct cg_plan *p, const struct oci_kv *kv, size_t n, struct kago_err *err);
int cg_plan_devices(struct cg_plan *p, const struct oci_device_cgroup *d, size_t n,
                    struct kago_err *err);
void cg_plan_network(const struct oci_network *n);

/* The kernel's defaults: cpu.shares 1024, a CFS period of 100 ms. */
#define CG_CPU_DEFAULT_SHARES 1024
#define CG_CPU_DEFAULT_PERIOD 100000

/* cpu.shares (2..262144) to cpu.weight (1..10000); 0 stays 0 (unset). */
uint64_t cg_cpu_shares_to_weight(uint64_t shares);
/* blkio weight (10..1000) to io.weight (1..10000); 0 stays 0 (unset). */
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap (memory+swap, v1 style) to memory.swap.max; -1 = max, 0 = unset. */
int cg_memory_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct kago_err *err);
/* A linux.resources.memory size (field names it): -1 or more, else an error. */
struct oci_opt_i64;
int cg_memory_check_size(const char *field, const struct oci_opt_i64 *v, struct kago_err *err);
/* io.max's line for one device: "MAJ:MIN" then each non-empty key
 * ("rbps=N", "wbps=N", "riops=N", "wiops=N"). */
char *cg_io_max_line(int64_t major, int64_t minor, char keys[4][32]);
/* "max" for negative (unlimited) values, the number otherwise. */
void cg_format_limit(char *buf, size_t size, int64_t v);
/* cpu.max: "QUOTA PERIOD" (quota <= 0: "max"; period 0: keep the current
 * period, written as "QUOTA" alone). */
void cg_format_cpu_max(char *buf, size_t size, int64_t quota, uint64_t period);

/* ---- cgroup v1 (v1_*.c): the same plan, in v1 files ---- */

int cg_plan_v1_memory(struct cg_plan *p, const struct oci_memory *m, struct kago_err *err);
int cg_plan_v1_cpu(struct cg_plan *p, const struct oci_cpu *c, struct kago_err *err);
int cg_plan_v1_blkio(struct cg_plan *p, const struct oci_block_io *b, struct kago_err *err);
int cg_plan_v1_hugetlb(struct cg_plan *p, const struct oci_hugepage_limit *h, size_t n,
                       struct kago_err *err);
int cg_plan_v1_network(struct cg_plan *p, const struct oci_network *n, struct kago_err *err);

/* One mounted v1 hierarchy. */
struct cg_v1_mount {
        char *controllers; /* space-separated: "cpu cpuacct" */
        char *mount;       /* "/sys/fs/cgroup/cpu,cpuacct" */
};
/* The v1 hierarchies in a /proc/self/mountinfo text (named-only ones such
 * as name=systemd are not controllers and are left out). */
void cg_v1_parse_mountinfo(const char *buf, struct cg_v1_mount **out, size_t *n);
/* The host's v1 hierarchies whose controllers the cgroup2 root lacks. */
void cg_v1_host_mounts(struct cg_v1_mount **out, size_t *n);
void cg_v1_mounts_free(struct cg_v1_mount *m, size_t n);
/* Their controllers in one space-separated list (malloc'd; "" for none). */
char *cg_v1_controllers(const struct cg_v1_mount *m, size_t n);
/* The directory fd that holds file: the v1 hierarchy of its controller when
 * the cgroup has one, else the cgroup2 directory. */
int cg_fd_for(const struct cgroup *cg, const char *file);
/* The v1 directory for controller, or NULL. */
const struct cg_v1_dir *cg_v1_dir_for(const struct cgroup *cg, const char *controller);
/* path (as in the cgroup2 hierarchy) in every mount: made (with cpuset's
 * cpus and mems copied down from the parent, as v1 requires), and
 * recorded in cg. On error what was made is removed. */
int cg_v1_create(struct cgroup *cg, const struct cg_v1_mount *m, size_t n, const char *path,
                 struct kago_err *err);
/* Remove what cg_v1_create made (and nothing that was there before). */
void cg_v1_undo_create(struct cgroup *cg);
/* path in every mount where it exists, into cg (cgroup_open). */
int cg_v1_open(struct cgroup *cg, const char *path, struct kago_err *err);
int cg_v1_enter(struct cgroup *cg, pid_t pid, struct kago_err *err);
/* The fd that lists the cgroup's processes: the cgroup2 directory, or on a
 * v1-only host a v1 one (pids, else memory, else the first). */
int cg_procs_fd(const struct cgroup *cg);
/* Remove the directory from every hierarchy (retrying while busy). */
int cg_v1_destroy(struct cgroup *cg, int timeout_ms, struct kago_err *err);
void cg_v1_dirs_free(struct cgroup *cg);
/* The controllers of cg's v1 directories, space-separated (malloc'd). */
char *cg_v1_dirs_controllers(const struct cgroup *cg);
/* freezer.state: FROZEN / THAWED, waiting (up to timeout_ms) for it. */
int cg_v1_set_frozen(struct cgroup *cg, bool freeze, int timeout_ms, struct kago_err *err);
int cg_v1_is_frozen(struct cgroup *cg, bool *frozen, struct kago_err *err);
/* Whether freezing goes through the v1 freezer: only where the cgroup has
 * no cgroup2 freezer (cgroup.freeze). On a hybrid host cgroup2's freezer is
 * used: unlike v1's it lets SIGKILL through to a paused container. */
bool cg_uses_v1_freezer(const struct cgroup *cg);
/* Thaw without waiting: freezer.state THAWED (v1) or cgroup.freeze 0. */
int cg_write_thawed(struct cgroup *cg, struct kago_err *err);
/* One rule as a devices.allow/devices.deny line ("c 10:229 rwm", "a"). */
void cg_v1_device_line(const struct cgroup_device_rule *r, char *buf, size_t size);
/* The allow-list (from cg_devices_rules) into the v1 devices hierarchy, when
 * the cgroup has one (hybrid: beside cgroup2's eBPF program). */
int cg_v1_devices_apply(struct cgroup *cg, const struct cgroup_device_rule *rules, size_t n,
                        struct kago_err *err);
/* Whether a process is left (v1-only host: no cgroup.events to ask). */
int cg_v1_is_populated(struct cgroup *cg, bool *populated, struct kago_err *err);
/* The figures of the v1 memory, cpu, cpuacct, pids and blkio files. */
void cg_v1_stats_read(struct cgroup *cg, struct cgroup_stats *st);
/* memory.oom_control's oom_kill (v1). */
int cg_v1_oom_kills(struct cgroup *cg, uint64_t *out, struct kago_err *err);

/* ---- placement ---- */

/* The cgroup2 mount ("/sys/fs/cgroup" or "/sys/fs/cgroup/unified"). */
int cg_mount(const char **out, struct kago_err *err);
/* Our own cgroup from /proc/self/cgroup's "0::" line. */
int cg_own_cgroup(char **out, struct kago_err *err);
/* The same, or on a v1-only host the path of the first v1 controller line. */
int cg_own_cgroup_any(char **out, struct kago_err *err);
/* cgroupsPath to a clean path in the hierarchy: absolute kept, relative put
 * beside our own cgroup (under its parent), empty -> "/kago/<id>". */
int cg_path_resolve(const char *cgroups_path, const char *id, const char *own, char **out,
                    struct kago_err *err);
/* mkdir every missing component under the mount; *created_from is the
 * first component made here (NULL when the cgroup existed). */
int cg_path_make(const char *mount, const char *path, char **created_from, struct kago_err *err);
/* Remove path and its ancestors down to created_from (what cg_path_make made). */
void cg_path_remove_created(const char *mount, const char *path, const char *created_from);
/* Enable controller in the cgroup.subtree_control of every ancestor of path. */
int cg_controller_enable(const char *mount, const char *path, const char *controller,
                         struct kago_err *err);
/* Best effort: every controller the root offers. */
void cg_controllers_enable_all(const char *mount, const char *path);
/* Whether controller is listed in the cgroup's cgroup.controllers. */
bool cg_controller_enabled(int dirfd, const char *controller);
/* Remove dir (relative to the mount dirfd) and every cgroup below it,
 * retrying while busy for up to timeout_ms. */
int cg_rmdir_tree(const char *dir, int timeout_ms, struct kago_err *err);

/* ---- devices ---- */

struct bpf_insn;
/* The eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) for rules: deny all, then
 * rules in order (last match wins). */
int cg_devices_program(const struct cgroup_device_rule *rules, size_t n, struct bpf_insn **insns,
                       size_t *n_insns, struct kago_err *err);
/* The rules kago applies: deny all, the spec's rules, the standard devices
 * (null, zero, full, random, urandom, tty, console, ptmx, pts), extra. */
void cg_devices_rules(const struct cg_plan *p, const struct cgroup_device_rule *extra,
                      size_t n_extra, struct cgroup_device_rule **out, size_t *n);
/* Load the program and attach it to the cgroup, detaching any kago program
 * attached before (update replaces). */
int cg_devices_attach(int dirfd, const struct bpf_insn *insns, size_t n, struct kago_err *err);
/* Parse/validate one OCI rule's parts. */
int cg_device_rule_check(const struct cgroup_device_rule *r, size_t index, struct kago_err *err);

/* ---- cgroup_config.spec ---- */

struct cg_config_storage {
        char **props;
};

/* full = cfg completed from cfg->spec (cgroupsPath, resources,
 * org.systemd.property.* annotations); what it allocates lives in s. */
void cg_config_from_spec(const struct cgroup_config *cfg, struct cgroup_config *full,
                         struct cg_config_storage *s);
void cg_config_storage_free(struct cg_config_storage *s);

/* ---- systemd ---- */

/* cgroupsPath "slice:prefix:name" into the slice and the scope name
 * ("prefix-name.scope"); empty -> "system.slice" and "kago-<id>.scope". */
int cg_systemd_parse_path(const char *cgroups_path, const char *id, char **slice, char **unit,
                          struct kago_err *err);
/* "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" -> "". */
int cg_systemd_slice_path(const char *slice, char **out, struct kago_err *err);
int cg_systemd_start_scope(const char *slice, const char *unit, pid_t pid,
                           char *const *properties, struct kago_err *err);
int cg_systemd_stop_scope(const char *unit, struct kago_err *err);

/* Fails with a clear error (naming what) when cg is a NONE placeholder. */
bool cg_no_cgroup(struct cgroup *cg, const char *what, struct kago_err *err);
/* memory.checkBeforeUpdate: refuse a limit below the current usage. */
int cg_check_before_update(struct cgroup *cg, const struct oci_memory *m, struct kago_err *err);
/* The cgroup2 path of pid (its "0::" line in /proc/PID/cgroup). */
int cg_pid_cgroup(pid_t pid, char **out, struct kago_err *err);

/* io.stat's lines into st->io. */
int cg_parse_io_stat(const char *buf, struct cgroup_stats *st);

/* ---- small file helpers ---- */

/* CLOCK_MONOTONIC in milliseconds. */
int64_t cg_now_ms(void);
/* At most n bytes of s, NUL-terminated (aborts only on OOM, like xstrdup). */
char *cg_strndup(const char *s, size_t n);
/* Whether a space-separated list ("cpu memory pids") holds word. */
bool cg_list_has(const char *list, const char *word);
/* Read a cgroup file under dirfd into a buffer (max 1 MiB). */
int cg_read(int dirfd, const char *file, char **out, struct kago_err *err);
/* The value of KEY in a flat-keyed file ("key value" per line). */
int cg_read_key(int dirfd, const char *file, const char *key, uint64_t *out, struct kago_err *err);
/* A single-value file: a number or "max" (UINT64_MAX). */
int cg_read_u64(int dirfd, const char *file, uint64_t *out, struct kago_err *err);
/* Write value; the error names the file in the cgroup, the value and errno. */
int cg_write(struct cgroup *cg, const char *file, const char *value, struct kago_err *err);

#endif
