/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/container/: one container as every other part of the runtime
 * knows it. Its record in the state store (state.json, the config's copy,
 * the exec fifo) and its live status; the context the parent and init share
 * across the clone; its cgroup (every cgroup call of the runtime is in
 * container_cgroup.c); hooks; parent-init sync; signal names;
 * linux.netDevices; rootless defaults; and the backend interface: the
 * operations whose behaviour differs by mode, implemented in
 * runtime/backend/. Nothing here asks which mode a container runs in.
 */
#ifndef KAGO_RUNTIME_CONTAINER_H
#define KAGO_RUNTIME_CONTAINER_H

#include <signal.h>

#include "../../base/base.h"
#include "../../netns/netns.h"
#include "../../specs/specs.h"

/* ---- global options, given before the command name ------------------ */

#define KAGO_DEFAULT_ROOT "/run/kago"

enum cgroup_manager { CGROUP_MANAGER_CGROUPFS, CGROUP_MANAGER_SYSTEMD, CGROUP_MANAGER_DISABLED };

/* Global options, given before the command name. */
struct kago_global {
        const char *root;
        const char *log_path;
        enum kago_log_format log_format;
        enum kago_log_level log_level;
        enum cgroup_manager cgroup_manager;
        bool vm;      /* invoked as kago-vm */
        const char *argv0;
        int error_exit; /* the exit status of a failed command: 0 means 1; exec sets 255 */
};

/* ---- the state store ------------------------------------------------- */

#define CONTAINER_ID_MAX 255 /* a directory name (NAME_MAX) */
#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define STATE_EXEC_FIFO "exec.fifo"

enum container_status {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
};

/* What kago records about one container. */
struct container_state {
        char *id;
        pid_t pid;           /* host pid of the init process; 0 before the clone */
        uint64_t start_time; /* its start time (/proc/PID/stat field 22) */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        uid_t owner;
        bool vm;           /* runs the microVM backend */
        char *cgroup_path;   /* NULL when the container has no cgroup */
        char *cgroup_driver; /* "cgroupfs", "systemd" */
        bool own_pidns;    /* has its own pid namespace */
        bool creating;     /* create has not committed it yet */
        /* linux.netDevices moved in at create: host name, name in the
         * container, host name, ... (NULL-terminated; NULL when none). */
        char **net_devices;
        bool net_managed;  /* kago.net made a link of kago's own (net_managed.c) */
        char *net_ovsdb;   /* the OVS database its host end is a port in; NULL: none */
};

void container_state_free(struct container_state *st);
const char *container_status_name(enum container_status s);

/* Ids: 1..255 chars of [A-Za-z0-9_.+-], not "." or "..", not starting with '.' or '-'. */
int container_id_validate(const char *id, struct kago_err *err);

/* Make (0700) and open the --root directory. */
int store_open_root(const char *root, int *rootfd, struct kago_err *err);
/* Make the directory of a new container and lock it; "already exists" if taken. */
int store_create_dir(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Open and lock an existing container's directory; `container "X" does not exist`
 * when it (or its state file) is missing. */
int store_open_locked(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Open without the lock (readers: state, list, ps). */
int store_open(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Replace a file in a container's directory atomically (temp + rename). */
int store_write_file(int dirfd, const char *name, const char *buf, size_t len,
                     struct kago_err *err);
int store_write_state(int dirfd, const struct container_state *st, struct kago_err *err);
int store_read_state(int dirfd, const char *id, struct container_state *st, struct kago_err *err);
/* After store_read_state failed with err: say "no state.json" when that is why. */
void store_state_unreadable(int dirfd, const char *id, struct kago_err *err);
/* Whether a create or delete holds the directory (or has just removed it):
 * then a missing or partial state is no damage. */
bool store_busy(int dirfd);
/* Whether a directory for id exists in the store. */
bool store_exists(int rootfd, const char *id);
/* Remove a container's directory and everything in it. */
int store_remove(int rootfd, const char *id, struct kago_err *err);
/* The ids in the store, sorted; NULL-terminated. */
int store_list_ids(int rootfd, char ***ids, struct kago_err *err);

/* Process liveness: the start time of pid, or -1 (errno ESRCH) when it is gone
 * or a zombie. */
int proc_start_time(pid_t pid, uint64_t *start_time);
/* Whether pid is still the process recorded with start_time. */
bool proc_is_alive(pid_t pid, uint64_t start_time);
/* A pidfd for pid that is verified to be the recorded process; -1 when gone. */
int proc_open_pidfd(pid_t pid, uint64_t start_time);

/* A pidfd for the container's init once it is checked to be the container's:
 * never pid 1 nor kago or one of its ancestors, and inside the container's
 * cgroup (or, without one, init of its own pid namespace). *pidfd is -1 when
 * init is gone; an error when the recorded pid is some other process. */
int container_open_init(const struct container_state *st, int *pidfd, struct kago_err *err);
/* pid's cgroup (the cgroup2 "0::" line of /proc/PID/cgroup), or NULL. */
char *proc_cgroup(pid_t pid);
/* Whether pid's (v2) cgroup is path or below it. */
bool proc_in_cgroup(pid_t pid, const char *path);

/* The status, derived from the live process, never just from the record. */
enum container_status container_status_get(int dirfd, const struct container_state *st);

/* The exec fifo: the init process reads one byte from it before running the
 * workload; start writes that byte. */
int exec_fifo_make(int dirfd, struct kago_err *err);
int exec_fifo_open_for_init(int dirfd, int *fd, struct kago_err *err);
int exec_fifo_wait(int fd, struct kago_err *err);
int exec_fifo_release(int dirfd, struct kago_err *err);
bool exec_fifo_exists(int dirfd);

/* The pid file (conmon reads it after create exits). */
int pid_file_write(const char *path, pid_t pid, struct kago_err *err);

/* Current time as RFC 3339 with nanoseconds. */
char *time_now_rfc3339(void);

/* ---- the create context ---------------------------------------------- */

struct kago_backend;
struct cgroup;
struct cgroup_device_rule;

/* What `create` (and `run`) were asked for on the command line. */
struct create_opts {
        const char *id;
        const char *bundle;
        const char *pid_file;
        const char *console_socket;
        int preserve_fds;
        bool no_pivot;
        bool no_new_keyring;
        bool vm; /* run --vm */
        /* kago restore of a mode that restores in init (restore_resumed):
         * the image directory, absolute; NULL for create. */
        const char *restore_image;
        bool restore_prefault; /* restore --prefault: read the memory image in at once */
        /* The config as JSON, instead of bundle/config.json (run --rootfs);
         * bundle is then the directory recorded as the container's bundle. */
        const char *config;
        size_t config_len;
};

/* Everything the parent and the init process share across the clone. */
struct container_ctx {
        struct kago_global *g;
        const struct create_opts *opts;
        struct oci_spec *spec;
        char *bundle;       /* absolute */
        char *rootfs;       /* absolute */
        int state_dirfd;    /* locked by the parent; closed in init */
        int sync_fd;        /* init's end of the socketpair */
        int parent_sync_fd; /* the parent's end */
        int console_fd;     /* connected --console-socket, or -1 */
        int fifo_fd;        /* exec fifo, read end held by init */
        int listen_fds;     /* LISTEN_FDS passed through */
        int control_fd;     /* the backend's listening socket init serves (prepare_host), or -1 */
        const struct kago_backend *backend;
        void *backend_data; /* the backend's own, from its prepare step */
        struct container_state st;
        struct cgroup *cgroup;
        bool cgroup_entered; /* init was cloned into it (or there is none) */
        bool init_waits_go;  /* init waits for SYNC_GO before its setup */
        /* init waits, before the backend's prepare, until kago create has
         * run the runtime hooks and attached kago.net's links (SYNC_CREATE_RUNTIME) */
        bool init_waits_runtime;
        bool init_makes_cgroupns; /* init unshares its cgroup namespace after SYNC_GO */
        bool rootless; /* kago create is unprivileged (known before init's user
                        * namespace, where its euid says nothing) */
};

/* create's steps that restore shares (container_create.c). */
#define CONTAINER_CTX_INIT(g_, o_, console_fd_)                                                   \
        { .g = (g_), .opts = (o_), .rootless = rootless_active(), .state_dirfd = -1,              \
          .sync_fd = -1, .parent_sync_fd = -1, .console_fd = (console_fd_), .fifo_fd = -1,       \
          .control_fd = -1 }

/* Load the container's saved config (from its state directory). */
int container_load_config(int dirfd, const char *id, struct oci_spec **spec, struct kago_err *err);
/* The user name of uid, or the number when it has none. */
char *container_owner_name(uid_t uid);
/* The OCI state document for st with status; the caller frees. */
char *container_state_json(const struct container_state *st, enum container_status status,
                           const struct oci_spec *spec);
/* The pids of the container: its cgroup's, else its pid namespace's, else init. */
int container_pids(const struct container_state *st, pid_t **pids, size_t *n, struct kago_err *err);

/* ---- sync between the parent and init --------------------------------- */

enum sync_type {
        SYNC_GO = 1,           /* parent -> init: carry on */
        SYNC_CREATE_RUNTIME,   /* init -> parent: namespaces and mounts ready, run hooks */
        SYNC_READY,            /* init -> parent: waiting on the exec fifo */
        SYNC_PID,              /* init -> parent: its host pid (after a fork, msg) */
        SYNC_ERROR,            /* init -> parent: failed, msg says why */
};

int sync_send(int fd, enum sync_type type, const char *msg);
/* Receive one message; EOF (init died) is an error. msg gets its text. */
int sync_recv(int fd, enum sync_type *type, struct kago_err *msg, struct kago_err *err);
int sync_expect(int fd, enum sync_type want, struct kago_err *err);

/* ---- hooks ----------------------------------------------------------- */

/* Whether prestart or createRuntime hooks exist (init then pauses for them). */
bool spec_has_runtime_hooks(const struct oci_spec *spec);
/* Run every hook of kind with state_json on its stdin; the first failure is
 * the error (a failing hook, a timeout). */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct kago_err *err);
/* Run them, logging failures as warnings (poststart, poststop). */
void hooks_run_logged(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
                      const char *id);

/* ---- signals --------------------------------------------------------- */

/* "KILL", "SIGKILL", "kill", "9" -> 9. */
int signal_parse(const char *s, int *signo, struct kago_err *err);
/* Block SIGCHLD and the signals a foreground run/exec forwards to the
 * container (saving the old mask in old); returns a signalfd for them. */
int signal_forwarding_fd(sigset_t *old);

/* ---- container_cgroup.c: the container's cgroup ---------------------- */


/* Whether spec's linux.resources asks a cgroup for anything (values that
 * ask for nothing do not: cgroup_resources_limit_something); device rules
 * count when devices is true. The runtime's one test of it. */
bool container_cgroup_asks_limits(const struct oci_spec *spec, bool devices);
/* Whether the container's state records a cgroup. */
bool container_has_cgroup(const struct container_state *st);
/* Make the container's cgroup with the config's limits and place pid in it
 * (pid 0: init is cloned into it later); records the cgroup in c->st. No cgroup
 * when --cgroup-manager disabled or the host has no cgroup2 mount (then a
 * requested limit is an error). */
int container_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* The cgroup's directory fd for clone3(CLONE_INTO_CGROUP), -1 when there is
 * none or the driver needs a pid to place (systemd). */
int container_cgroup_clone_fd(const struct container_ctx *c);
/* Move pid into the cgroup made without one (the clone3 fallback). */
int container_cgroup_enter(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* Whether the cgroup is made before the clone (pid 0) or after (systemd). */
bool container_cgroup_before_clone(const struct container_ctx *c);
/* Undo container_cgroup_create after a failed create. */
void container_cgroup_abort(struct container_ctx *c);
/* Drop the handle (the cgroup stays). */
void container_cgroup_release(struct container_ctx *c);
/* The container's cgroup from its state; *cg is NULL when it has none. */
int container_cgroup_open(const struct container_state *st, struct cgroup **cg,
                          struct kago_err *err);
/* The same, refused when the cgroup holds kago itself (the root cgroup, an
 * ancestor of kago's): for killing what it holds. */
int container_cgroup_open_owned(const struct container_state *st, struct cgroup **cg,
                                struct kago_err *err);
bool container_cgroup_is_frozen(const struct container_state *st);
/* Whether its cgroup still holds a process (false when it has none). */
bool container_cgroup_is_populated(const struct container_state *st);
/* Kill what is left in it and remove it. */
int container_cgroup_destroy(const struct container_state *st, struct kago_err *err);
/* For a record without a cgroup (an unreadable state, a create killed before
 * it recorded one): the cgroup the stored config (or, without one, the
 * default) names, when it exists; st->cgroup_path stays NULL otherwise. */
void container_cgroup_guess(const struct kago_global *g, int dirfd, struct container_state *st);

/* ---- net_loopback.c: lo up in a network namespace of the container's own */
int net_loopback_up(const struct oci_spec *s, struct kago_err *err);

/* The container's network namespace: a joined one (linux.namespaces path)
 * or init's. An fd, or -1 with err. */
int net_open_container_ns(const struct oci_spec *s, pid_t pid, struct kago_err *err);

/* ---- net_config.c: the kago.net* annotations --------------------------- */

enum net_mode { NET_MODE_NONE, NET_MODE_LOOPBACK, NET_MODE_VETH, NET_MODE_BRIDGE, NET_MODE_OVS };
#define NET_ADDRS_MAX 8
#define NET_TRUNKS_MAX 64

struct net_config {
        enum net_mode mode;         /* kago.net */
        char bridge[IFNAMSIZ];      /* bridge:BR, ovs:BR */
        uint16_t vlan;              /* BR:vlan=N; 0 = none */
        uint16_t trunks[NET_TRUNKS_MAX]; /* ovs:BR:trunks=N,M,... */
        size_t n_trunks;
        char ovsdb[108];            /* kago.net.ovsdb: the OVS database socket (sun_path) */
        char ifname[IFNAMSIZ];      /* kago.net.ifname, the link in the container: eth0 */
        struct netns_addr addrs[NET_ADDRS_MAX]; /* kago.net.address */
        size_t n_addrs;
        struct netns_route routes[2]; /* default routes via kago.net.gateway */
        size_t n_routes;
        uint8_t mac[6];             /* kago.net.mac, when has_mac */
        bool has_mac;
        uint32_t mtu;               /* kago.net.mtu; 0 = the kernel's */
        struct netns_tbf ingress;   /* kago.net.ingress-rate/-burst; rate 0 = none */
        struct netns_tbf egress;    /* kago.net.egress-rate/-burst */
};

/* systemd-machined registration (machine.c), opt-in by annotation. */
#define MACHINE_ANNOTATION "kago.machined"
/* The annotation's value, and the cgroup driver it needs. */
int machine_check(const struct oci_spec *spec, enum cgroup_manager manager, struct kago_err *err);
/* At create, once st->pid runs; nothing when not asked for. */
int machine_register(const struct container_state *st, const struct oci_spec *spec,
                     struct kago_err *err);
/* At delete (and after a failed create): a machine machined forgot already is fine. */
void machine_unregister(const struct container_state *st, const struct oci_spec *spec);

/* Read and check every kago.net* annotation of s; unknown kago.net.* keys,
 * settings without a link to apply to, and a link without a network
 * namespace of the container's own are errors. */
int net_config_from_spec(const struct oci_spec *s, struct net_config *c, struct kago_err *err);
/* Whether c asks for a link of kago's own (veth, bridge, ovs). */
bool net_config_has_link(const struct net_config *c);

/* ---- net_managed.c: the link kago.net asks for ------------------------- */

/* Before anything is made: the annotations, and the bridge they name. */
int net_managed_check(const struct oci_spec *s, struct kago_err *err);
/* Once init exists: mark st (saved in dirfd), then make and configure the
 * link. On failure the caller runs net_managed_detach. */
int net_managed_attach(int dirfd, struct container_state *st, const struct oci_spec *s, pid_t pid,
                       struct kago_err *err);
/* Remove every host link kago.net made for st (logs what it cannot). */
void net_managed_detach(const struct container_state *st);
/* The host end of st's link (malloc'd), NULL when it has none. */
char *net_managed_host_link(const struct container_state *st);

/* ---- net_devices.c: linux.netDevices --------------------------------- */

/* The state-directory file where the container's network namespace is bound
 * while it holds moved links, so delete finds them after init is gone. */
#define STATE_NETNS_PIN "netns"

/* Before anything is made: names valid and distinct, each host link there,
 * and a network namespace of the container's own to move them into. */
int net_devices_check(const struct oci_spec *s, struct kago_err *err);
/* Once init exists: record the devices in st (saved in dirfd), pin the
 * container's network namespace, move each link in. On failure the caller
 * runs net_devices_detach. */
int net_devices_attach(int dirfd, struct container_state *st, const struct oci_spec *s, pid_t pid,
                       struct kago_err *err);
/* Return each recorded device still in the container's namespace to the
 * host under its original name, with its addresses, and unpin the
 * namespace. Logs what it cannot do; never fails. */
void net_devices_detach(int dirfd, const struct container_state *st);

/* ---- rootless.c: kago run by an unprivileged user -------------------- */

/* Whether kago runs without root's privileges (euid not 0). */
bool rootless_active(void);
/* The default --root: KAGO_DEFAULT_ROOT for root, $XDG_RUNTIME_DIR/kago for
 * an unprivileged user who has one. The caller frees. */
char *rootless_default_root(void);
/* container_cgroup_create(), except that an unprivileged kago without a
 * writable cgroup goes on without one (a warning), unless limits are set. */
int rootless_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* With a user namespace of the container's own: process.user's uid, gid and
 * additionalGids must be inside linux.uidMappings / linux.gidMappings. */
int rootless_check_user(const struct oci_spec *spec, struct kago_err *err);

/* ---- the backend interface ------------------------------------------- */

/* The compatibility checks of a checkpoint image, one row each. */
struct restore_check {
        const char *name; /* "manifest", "format", "mode", "arch", "cpu vendor", "criu", ... */
        bool ok;
        char detail[320];
};
struct restore_checks {
        struct restore_check v[16];
        size_t n;
};

struct checkpoint_opts;
struct restore_opts;
struct exec_ctx;
struct microvm_process;
struct microvm_rlimit;

struct kago_backend {
        const char *name; /* "container", "microvm" */
        /* What state.json records as "vm" for this backend (backend_of_state
         * maps it back). */
        bool state_vm;
        /* Check the config before any sandbox is built (create fails early and
         * leaves nothing behind). May be NULL. */
        int (*validate)(const struct oci_spec *spec, struct kago_err *err);
        /* In kago create, once the state directory (c->state_dirfd) exists
         * and before init is cloned: what init inherits from the host side
         * (c->control_fd). Undone with the state directory. May be NULL. */
        int (*prepare_host)(struct container_ctx *c, struct kago_err *err);
        /* In init, in the container's mount namespace before pivot_root: host
         * paths (a kernel image, say) are still reachable; open what is needed
         * and keep it in c->backend_data. May be NULL. */
        int (*prepare)(struct container_ctx *c, struct kago_err *err);
        /* Whether prepare needs the container's network as the engine made
         * it: init then waits for kago create's createRuntime step (hooks,
         * kago.net's links) before prepare. */
        bool prepare_sees_network;
        /* In init, after the start signal, the user switch and the security
         * setup: become the workload. argv/envp are process.args (the
         * executable resolved on PATH in argv[0]'s place: exe) and the
         * environment. Returns only on error. */
        int (*exec)(struct container_ctx *c, const char *exe, char **argv, char **envp,
                    struct kago_err *err);
        /* In init, after the default nodes and before linux.devices: the
         * device nodes this mode needs in /dev (rootfd). May be NULL. */
        int (*make_devices)(struct container_ctx *c, int rootfd, struct kago_err *err);
        /* Whether the workload's root is the mode's own, not root.path (a
         * microVM booted from vm.image): init then looks for process.cwd
         * and args[0] in neither. May be NULL. */
        bool (*own_root)(const struct oci_spec *spec);
        /* Whether mount m is the mode's own to make (a microVM's disk, mounted
         * by its guest): kago then leaves it out on the host. May be NULL. */
        bool (*own_mount)(const struct oci_mount *m);
        /* Device cgroup rules this mode adds after linux.resources.devices, at
         * create and at every update. */
        const struct cgroup_device_rule *device_rules;
        size_t n_device_rules;
        /* kago exec: start x->process in the running container x->st; *pid
         * gets the host process kago exec waits for, whose pid --pid-file
         * names and whose status is the process's (sub_cgroup: --cgroup). */
        int (*exec_spawn)(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid,
                          struct kago_err *err);
        /* kago ps of the running container st (dirfd: its state directory):
         * print its processes as a table (args: ps's options, if the mode
         * takes any). NULL: the host's processes in the container's cgroup,
         * through ps(1) (cmd_ps.c). --format json is always the latter's
         * pids: engines take them for host processes. */
        int (*ps_table)(const struct container_state *st, int dirfd, char **args, int n_args,
                        struct kago_err *err);
        /* kago events --stats: a JSON member ("name":value, malloc'd in
         * *json) added to the cgroup's figures. May be NULL. */
        int (*stats_extra)(const struct container_state *st, int dirfd, char **json,
                           struct kago_err *err);
        /* kago update: what the mode's process must do for the new
         * resources r, before the cgroup takes them and after (a microVM's
         * guest gives memory back first, takes it back after); status: the
         * container's. May be NULL. */
        int (*update)(const struct container_state *st, enum container_status status, int dirfd,
                      const struct oci_linux_resources *r, bool after_cgroup,
                      struct kago_err *err);
        /* kago pause: what the mode's process must do before its cgroup is
         * frozen (timeout_ms: pause's --timeout). kago resume: what it does
         * after the thaw, and what undoes pause when the freeze fails. May
         * be NULL. */
        int (*pause)(const struct container_state *st, int timeout_ms, struct kago_err *err);
        /* kago delete, once the container's processes are gone: undo what
         * the mode changed outside the container (spec: its config). May be NULL. */
        void (*release)(const struct container_state *st, const struct oci_spec *spec);
        int (*resume)(const struct container_state *st, struct kago_err *err);
        /* kago checkpoint: save the running (or paused) container st (dirfd:
         * its state directory) into o's image directory. NULL: this mode
         * has no checkpoint yet, and kago checkpoint says so. */
        int (*checkpoint)(const struct container_state *st, int dirfd, const struct oci_spec *spec,
                          const struct checkpoint_opts *o, struct kago_err *err);
        /* kago restore: bring o's image back as the container c, whose state
         * directory and cgroup exist; *pid gets its init. NULL: see
         * restore_resumed, else this mode has no restore yet. */
        int (*restore)(struct container_ctx *c, const struct restore_opts *o, pid_t *pid,
                       struct kago_err *err);
        /* Non-NULL: kago restore makes the container as create does, with
         * create_opts.restore_image set (the mode's prepare checks the
         * image, its exec brings it back instead of starting process.args),
         * starts it, and then asks this whether the workload runs again. */
        int (*restore_resumed)(const struct container_state *st, int dirfd, struct kago_err *err);
        /* The mode's own checks of image (a directory) against the config
         * c loaded and this host, appended to r (kago restore and restore
         * --check run them before anything is made). May be NULL. */
        void (*image_checks)(const struct container_ctx *c, const char *image,
                             struct restore_checks *r);
        /* What the mode's image says of itself, as JSON members for the
         * manifest (malloc'd), after a checkpoint; NULL: nothing. May be NULL. */
        char *(*image_manifest)(const char *image);
};

#endif
