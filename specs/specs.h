/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * specs: the OCI runtime-spec documents kago reads and writes — config.json
 * (runtime-spec 1.0.0 through 1.3.x, Linux and the `vm` object), the state
 * document and the features document.
 *
 * Conventions of the model:
 *   - strings are char * (NULL: absent);
 *   - arrays are a pointer plus a `_len` count; string arrays (char **) are
 *     also NULL-terminated, so they can go straight to execve(); NULL means
 *     absent, a non-NULL pointer with len 0 means an empty JSON array;
 *   - optional scalars are struct oci_opt_* with a `set` flag: kago applies
 *     only what the config sets (a memory limit of 0 is not "no limit");
 *   - optional objects are pointers (NULL: absent);
 *   - maps (annotations, sysctl, unified) are arrays of struct oci_kv in
 *     document order; maps of objects (netDevices, rdma) are arrays of
 *     structs whose first member is the key;
 *   - enumerations kago acts on are C enums whose value 0 means "absent".
 * Every struct below is owned by its parent; spec_free() frees the tree.
 */
#ifndef KAGO_SPECS_H
#define KAGO_SPECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/base.h"

/* Versions of the runtime-spec kago accepts: 1.0.0 through 1.3.x. */
#define SPEC_OCI_VERSION_MIN "1.0.0"
#define SPEC_OCI_VERSION_MAX "1.3.0"
/* The ociVersion kago writes. */
#define SPEC_OCI_VERSION SPEC_OCI_VERSION_MAX

/* Hard caps against hostile input; each violation is a clear error. */
#define SPEC_MAX_FILE_SIZE (8u << 20) /* bytes */
#define SPEC_MAX_DEPTH 64             /* nesting of objects and arrays */
#define SPEC_MAX_ARRAY_LEN 65536u     /* elements of one array or members of one object */
#define SPEC_MAX_NODES (1u << 20)     /* values in one document */

/* ---- optional scalars ------------------------------------------------ */

struct oci_opt_bool { bool set; bool value; };
struct oci_opt_i32 { bool set; int32_t value; };
struct oci_opt_i64 { bool set; int64_t value; };
struct oci_opt_u16 { bool set; uint16_t value; };
struct oci_opt_u32 { bool set; uint32_t value; };
struct oci_opt_u64 { bool set; uint64_t value; };

/* One entry of a string-to-string map. */
struct oci_kv {
        char *key;
        char *value;
};

/* ---- shared pieces --------------------------------------------------- */

struct oci_id_mapping {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
};

struct oci_root {
        char *path;    /* required */
        bool readonly;
};

struct oci_mount {
        char *destination; /* required */
        char *source;
        char *type;
        char **options;
        size_t options_len;
        struct oci_id_mapping *uid_mappings; /* idmapped mount */
        size_t uid_mappings_len;
        struct oci_id_mapping *gid_mappings;
        size_t gid_mappings_len;
};

/* ---- process --------------------------------------------------------- */

struct oci_console_size {
        uint64_t height;
        uint64_t width;
};

struct oci_user {
        uint32_t uid; /* 0 when absent, as the spec says */
        uint32_t gid;
        struct oci_opt_u32 umask;
        uint32_t *additional_gids;
        size_t additional_gids_len;
        char *username; /* Windows only; kept for round trips */
};

struct oci_capabilities {
        char **bounding;
        size_t bounding_len;
        char **effective;
        size_t effective_len;
        char **inheritable;
        size_t inheritable_len;
        char **permitted;
        size_t permitted_len;
        char **ambient;
        size_t ambient_len;
};

struct oci_rlimit {
        char *type; /* "RLIMIT_NOFILE", ... */
        uint64_t hard;
        uint64_t soft;
};

enum oci_ioprio_class {
        OCI_IOPRIO_NONE = 0,
        OCI_IOPRIO_CLASS_RT,
        OCI_IOPRIO_CLASS_BE,
        OCI_IOPRIO_CLASS_IDLE,
};

struct oci_io_priority {
        enum oci_ioprio_class class; /* required */
        struct oci_opt_i32 priority;
};

struct oci_scheduler {
        char *policy; /* required: SCHED_OTHER, SCHED_FIFO, ... (validated) */
        struct oci_opt_i32 nice;
        struct oci_opt_i32 priority;
        char **flags; /* SCHED_FLAG_* (validated) */
        size_t flags_len;
        struct oci_opt_u64 runtime;
        struct oci_opt_u64 deadline;
        struct oci_opt_u64 period;
};

struct oci_exec_cpu_affinity {
        char *initial; /* cpu list, e.g. "0-3,7" */
        char *final;
};

struct oci_process {
        bool terminal;
        struct oci_console_size *console_size;
        struct oci_user user;
        char **args; /* required, at least one entry */
        size_t args_len;
        char *command_line; /* Windows only; kept for round trips */
        char **env;
        size_t env_len;
        char *cwd; /* required, absolute */
        struct oci_capabilities *capabilities;
        struct oci_rlimit *rlimits;
        size_t rlimits_len;
        bool no_new_privileges;
        char *apparmor_profile;
        struct oci_opt_i32 oom_score_adj; /* -1000..1000 */
        char *selinux_label;
        struct oci_io_priority *io_priority;
        struct oci_scheduler *scheduler;
        struct oci_exec_cpu_affinity *exec_cpu_affinity;
};

/* ---- hooks ----------------------------------------------------------- */

enum oci_hook_kind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        OCI_HOOK__COUNT,
};

struct oci_hook {
        char *path; /* required */
        char **args;
        size_t args_len;
        char **env;
        size_t env_len;
        struct oci_opt_i64 timeout; /* seconds, >= 1 */
};

struct oci_hooks {
        struct oci_hook *list[OCI_HOOK__COUNT]; /* indexed by enum oci_hook_kind */
        size_t len[OCI_HOOK__COUNT];
};

/* "prestart", "createRuntime", ...; NULL for an unknown kind. */
const char *oci_hook_kind_name(enum oci_hook_kind kind);

/* ---- linux ----------------------------------------------------------- */

enum oci_ns_type {
        OCI_NS_NONE = 0,
        OCI_NS_MOUNT,
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_UTS,
        OCI_NS_IPC,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        OCI_NS__COUNT,
};

/* "mount", "pid", ...; NULL for an unknown type. */
const char *oci_ns_type_name(enum oci_ns_type type);

struct oci_namespace {
        enum oci_ns_type type; /* required; each type at most once */
        char *path;            /* join this namespace instead of creating one */
};

struct oci_time_offset {
        bool set;
        int64_t secs;
        uint32_t nanosecs;
};

struct oci_time_offsets {
        struct oci_time_offset boottime;
        struct oci_time_offset monotonic;
};

struct oci_device {
        char *type; /* required: "c", "b", "u" or "p" */
        char *path; /* required, absolute */
        struct oci_opt_i64 major; /* required for c, b, u */
        struct oci_opt_i64 minor;
        struct oci_opt_u32 file_mode; /* permission bits, may carry the type's S_IFMT bits */
        struct oci_opt_u32 uid;
        struct oci_opt_u32 gid;
};

/* linux.netDevices: host interface name -> interface in the container. */
struct oci_net_device {
        char *host_name; /* the map key */
        char *name;      /* name inside the container (default: host_name) */
};

struct oci_device_cgroup {
        bool allow; /* required */
        char *type;   /* "a", "c" or "b" */
        struct oci_opt_i64 major; /* -1 or absent: any */
        struct oci_opt_i64 minor;
        char *access; /* subset of "rwm" */
};

struct oci_memory {
        struct oci_opt_i64 limit; /* bytes; -1 = unlimited */
        struct oci_opt_i64 reservation;
        struct oci_opt_i64 swap; /* memory+swap; -1 = unlimited */
        struct oci_opt_i64 kernel;
        struct oci_opt_i64 kernel_tcp;
        struct oci_opt_u64 swappiness; /* 0..100 */
        struct oci_opt_bool disable_oom_killer;
        struct oci_opt_bool use_hierarchy;
        struct oci_opt_bool check_before_update;
};

struct oci_cpu {
        struct oci_opt_u64 shares;
        struct oci_opt_i64 quota; /* -1 = unlimited */
        struct oci_opt_u64 burst;
        struct oci_opt_u64 period;
        struct oci_opt_i64 realtime_runtime;
        struct oci_opt_u64 realtime_period;
        char *cpus;
        char *mems;
        struct oci_opt_i64 idle; /* 0 or 1 */
};

struct oci_blkio_weight_device {
        int64_t major;
        int64_t minor;
        struct oci_opt_u16 weight;
        struct oci_opt_u16 leaf_weight;
};

struct oci_blkio_throttle_device {
        int64_t major;
        int64_t minor;
        uint64_t rate;
};

struct oci_block_io {
        struct oci_opt_u16 weight;
        struct oci_opt_u16 leaf_weight;
        struct oci_blkio_weight_device *weight_device;
        size_t weight_device_len;
        struct oci_blkio_throttle_device *throttle_read_bps_device;
        size_t throttle_read_bps_device_len;
        struct oci_blkio_throttle_device *throttle_write_bps_device;
        size_t throttle_write_bps_device_len;
        struct oci_blkio_throttle_device *throttle_read_iops_device;
        size_t throttle_read_iops_device_len;
        struct oci_blkio_throttle_device *throttle_write_iops_device;
        size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit {
        char *page_size; /* "2MB", "1GB", ... */
        uint64_t limit;
};

struct oci_net_priority {
        char *name;
        uint32_t priority;
};

struct oci_network {
        struct oci_opt_u32 class_id;
        struct oci_net_priority *priorities;
        size_t priorities_len;
};

struct oci_pids {
        int64_t limit; /* required; <= 0 = unlimited */
};

/* linux.resources.rdma: device name -> limits. */
struct oci_rdma {
        char *device; /* the map key */
        struct oci_opt_u32 hca_handles;
        struct oci_opt_u32 hca_objects;
};

struct oci_linux_resources {
        struct oci_device_cgroup *devices;
        size_t devices_len;
        struct oci_memory *memory;
        struct oci_cpu *cpu;
        struct oci_block_io *block_io;
        struct oci_hugepage_limit *hugepage_limits;
        size_t hugepage_limits_len;
        struct oci_network *network;
        struct oci_pids *pids;
        struct oci_rdma *rdma;
        size_t rdma_len;
        struct oci_kv *unified; /* cgroup v2 file -> value */
        size_t unified_len;
};

struct oci_intel_rdt {
        char *clos_id;
        char **schemata;
        size_t schemata_len;
        char *l3_cache_schema;
        char *mem_bw_schema;
        struct oci_opt_bool enable_monitoring;
};

enum oci_seccomp_action {
        OCI_SCMP_ACT_NONE = 0,
        OCI_SCMP_ACT_KILL,
        OCI_SCMP_ACT_KILL_PROCESS,
        OCI_SCMP_ACT_KILL_THREAD,
        OCI_SCMP_ACT_TRAP,
        OCI_SCMP_ACT_ERRNO,
        OCI_SCMP_ACT_TRACE,
        OCI_SCMP_ACT_ALLOW,
        OCI_SCMP_ACT_LOG,
        OCI_SCMP_ACT_NOTIFY,
        OCI_SCMP_ACT__COUNT,
};

enum oci_seccomp_op {
        OCI_SCMP_CMP_NONE = 0,
        OCI_SCMP_CMP_NE,
        OCI_SCMP_CMP_LT,
        OCI_SCMP_CMP_LE,
        OCI_SCMP_CMP_EQ,
        OCI_SCMP_CMP_GE,
        OCI_SCMP_CMP_GT,
        OCI_SCMP_CMP_MASKED_EQ,
        OCI_SCMP_CMP__COUNT,
};

/* "SCMP_ACT_KILL", ... / "SCMP_CMP_NE", ...; NULL when out of range. */
const char *oci_seccomp_action_name(enum oci_seccomp_action action);
const char *oci_seccomp_op_name(enum oci_seccomp_op op);

struct oci_seccomp_arg {
        uint32_t index; /* required */
        uint64_t value; /* required */
        struct oci_opt_u64 value_two;
        enum oci_seccomp_op op; /* required */
};

struct oci_syscall {
        char **names; /* required, at least one */
        size_t names_len;
        enum oci_seccomp_action action; /* required */
        struct oci_opt_u32 errno_ret;
        struct oci_seccomp_arg *args;
        size_t args_len;
};

struct oci_seccomp {
        enum oci_seccomp_action default_action; /* required */
        struct oci_opt_u32 default_errno_ret;
        char **architectures; /* SCMP_ARCH_* (validated) */
        size_t architectures_len;
        char **flags; /* SECCOMP_FILTER_FLAG_* (validated) */
        size_t flags_len;
        char *listener_path;
        char *listener_metadata;
        struct oci_syscall *syscalls;
        size_t syscalls_len;
};

struct oci_personality {
        char *domain; /* "LINUX" or "LINUX32" */
        char **flags;
        size_t flags_len;
};

struct oci_memory_policy {
        char *mode; /* MPOL_* (validated) */
        char *nodes;
        char **flags; /* MPOL_F_* (validated) */
        size_t flags_len;
};

struct oci_linux {
        struct oci_namespace *namespaces;
        size_t namespaces_len;
        struct oci_id_mapping *uid_mappings;
        size_t uid_mappings_len;
        struct oci_id_mapping *gid_mappings;
        size_t gid_mappings_len;
        struct oci_time_offsets *time_offsets;
        struct oci_device *devices;
        size_t devices_len;
        struct oci_net_device *net_devices;
        size_t net_devices_len;
        char *cgroups_path;
        struct oci_linux_resources *resources;
        struct oci_intel_rdt *intel_rdt;
        struct oci_kv *sysctl;
        size_t sysctl_len;
        struct oci_seccomp *seccomp;
        char *rootfs_propagation; /* "private", "shared", "slave", "unbindable" */
        char **masked_paths;
        size_t masked_paths_len;
        char **readonly_paths;
        size_t readonly_paths_len;
        char *mount_label;
        struct oci_personality *personality;
        struct oci_memory_policy *memory_policy;
};

/* ---- vm -------------------------------------------------------------- */

struct oci_vm_hypervisor {
        char *path; /* required */
        char **parameters;
        size_t parameters_len;
};

struct oci_vm_kernel {
        char *path; /* required */
        char **parameters; /* kernel command line words */
        size_t parameters_len;
        char *initrd;
};

struct oci_vm_image {
        char *path;   /* required */
        char *format; /* required: raw, qcow2, vdi, vmdk, vhd */
};

struct oci_vm_iomem {
        struct oci_opt_u64 first_gfn;
        uint64_t first_mfn; /* required */
        uint64_t nr_mfns;   /* required */
};

struct oci_vm_hw_config {
        char *device_tree;
        struct oci_opt_u32 vcpus;
        struct oci_opt_u64 memory; /* bytes */
        char **dtdevs;
        size_t dtdevs_len;
        struct oci_vm_iomem *iomems;
        size_t iomems_len;
        uint32_t *irqs;
        size_t irqs_len;
};

struct oci_vm {
        struct oci_vm_hypervisor *hypervisor;
        struct oci_vm_kernel *kernel; /* required when vm is present */
        struct oci_vm_image *image;
        struct oci_vm_hw_config *hw_config;
};

/* ---- the whole config.json ------------------------------------------- */

struct oci_spec {
        char *oci_version; /* required */
        struct oci_root *root;
        struct oci_mount *mounts;
        size_t mounts_len;
        struct oci_process *process;
        char *hostname;
        char *domainname;
        struct oci_hooks *hooks;
        struct oci_kv *annotations;
        size_t annotations_len;
        struct oci_linux *linux_cfg; /* JSON "linux" (`linux` is a macro in GNU C) */
        struct oci_vm *vm;
};

/* Parse buf (len bytes, need not be NUL-terminated) as a config.json.
 * filename prefixes every error ("config.json: linux.resources.memory.limit:
 * expected integer, got string \"1G\""); syntax errors give line:column. */
int spec_parse(const char *buf, size_t len, const char *filename, struct oci_spec **out,
               struct kago_err *err);
/* Read and parse bundle_dir/config.json (at most SPEC_MAX_FILE_SIZE bytes). */
int spec_load_bundle(const char *bundle_dir, struct oci_spec **out, struct kago_err *err);
void spec_free(struct oci_spec *spec);

/* A standalone `process` object (kago exec --process FILE). */
int spec_parse_process(const char *buf, size_t len, const char *filename,
                       struct oci_process **out, struct kago_err *err);
void spec_process_free(struct oci_process *process);

/* A standalone LinuxResources object (kago update --resources FILE|-). */
int spec_parse_resources(const char *buf, size_t len, const char *filename,
                         struct oci_linux_resources **out, struct kago_err *err);
void spec_resources_free(struct oci_linux_resources *resources);

/* Lookups. */
const char *spec_annotation(const struct oci_spec *spec, const char *key);
const struct oci_namespace *spec_namespace(const struct oci_spec *spec, enum oci_ns_type type);

/* Deep structural equality (round-trip tests). */
bool spec_equal(const struct oci_spec *a, const struct oci_spec *b);
bool spec_process_equal(const struct oci_process *a, const struct oci_process *b);
bool spec_resources_equal(const struct oci_linux_resources *a, const struct oci_linux_resources *b);

/* ---- emitters (malloc'd, NUL-terminated, pretty-printed JSON) ----------- */

/* The whole spec, e.g. to save an updated config. */
char *spec_emit(const struct oci_spec *spec);
char *spec_process_emit(const struct oci_process *process);
char *spec_resources_emit(const struct oci_linux_resources *resources);

/* The default config `kago spec` writes: sh in a terminal, the default
 * capabilities, masked/readonly paths, the usual mounts, all namespaces but
 * user and network; rootless adds a user namespace mapping uid/gid to root
 * and drops what an unprivileged user cannot do. */
struct oci_spec *spec_new_default(bool rootless, uid_t uid, gid_t gid);
char *spec_emit_default(bool rootless, uid_t uid, gid_t gid);

/* ---- mount options ----------------------------------------------------- */

enum spec_mount_option_kind {
        SPEC_MOPT_FLAG,        /* mount(2) MS_* flag in `flag` (set, or cleared when `clear`) */
        SPEC_MOPT_PROPAGATION, /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC) */
        SPEC_MOPT_BIND,        /* MS_BIND (| MS_REC for rbind) */
        SPEC_MOPT_RECURSIVE,   /* mount_setattr(2) MOUNT_ATTR_* in `flag` with AT_RECURSIVE */
        SPEC_MOPT_ATIME,       /* the recursive atime mode: MOUNT_ATTR_RELATIME/NOATIME/
                                  STRICTATIME in `flag` replaces MOUNT_ATTR__ATIME */
        SPEC_MOPT_EXTENSION,   /* not a flag: kago does it itself (tmpcopyup, idmap, ridmap) */
};

struct spec_mount_option {
        const char *name;
        enum spec_mount_option_kind kind;
        bool clear;
        unsigned long flag;
};

/* The mount options kago knows (the `mountOptions` of `kago features`);
 * anything else in mounts[].options is filesystem data ("mode=755"). */
extern const struct spec_mount_option spec_mount_options[];
extern const size_t spec_mount_options_len;
const struct spec_mount_option *spec_mount_option_lookup(const char *name);

/* ---- state ----------------------------------------------------------- */

struct oci_state {
        char *oci_version;
        char *id;
        char *status; /* creating, created, running, paused, stopped */
        int pid;      /* 0 when there is no process */
        char *bundle;
        struct oci_kv *annotations;
        size_t annotations_len;
        char *rootfs;
        char *created; /* RFC 3339 */
        char *owner;
};

char *state_emit(const struct oci_state *state);
int state_parse(const char *buf, size_t len, const char *filename, struct oci_state **out,
                struct kago_err *err);
void state_free(struct oci_state *state);
bool state_equal(const struct oci_state *a, const struct oci_state *b);

/* ---- features -------------------------------------------------------- */

struct oci_features_linux {
        char **namespaces;
        size_t namespaces_len;
        char **capabilities;
        size_t capabilities_len;
        struct oci_opt_bool cgroup_v1;
        struct oci_opt_bool cgroup_v2;
        struct oci_opt_bool cgroup_systemd;
        struct oci_opt_bool cgroup_systemd_user;
        struct oci_opt_bool cgroup_rdma;
        struct oci_opt_bool seccomp_enabled;
        char **seccomp_actions;
        size_t seccomp_actions_len;
        char **seccomp_operators;
        size_t seccomp_operators_len;
        char **seccomp_archs;
        size_t seccomp_archs_len;
        char **seccomp_known_flags;
        size_t seccomp_known_flags_len;
        char **seccomp_supported_flags;
        size_t seccomp_supported_flags_len;
        struct oci_opt_bool apparmor_enabled;
        struct oci_opt_bool selinux_enabled;
        struct oci_opt_bool intel_rdt_enabled;
        struct oci_opt_bool idmap_enabled; /* mountExtensions.idmap */
        struct oci_opt_bool net_devices_enabled;
};

struct oci_features {
        char *oci_version_min;
        char *oci_version_max;
        char **hooks;
        size_t hooks_len;
        char **mount_options;
        size_t mount_options_len;
        struct oci_kv *annotations;
        size_t annotations_len;
        char **potentially_unsafe_config_annotations;
        size_t potentially_unsafe_config_annotations_len;
        struct oci_features_linux *linux_cfg;
};

/* What this kago supports now, built from the tables in specs/features.c. */
struct oci_features *features_new(void);
char *features_emit(void);
char *features_emit_struct(const struct oci_features *features);
int features_parse(const char *buf, size_t len, const char *filename, struct oci_features **out,
                   struct kago_err *err);
void features_free(struct oci_features *features);
/* Append an annotation (key and value copied) to the features document. */
void features_add_annotation(struct oci_features *f, const char *key, const char *value);
bool features_equal(const struct oci_features *a, const struct oci_features *b);

#endif
