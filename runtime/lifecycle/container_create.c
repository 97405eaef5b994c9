/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create, the parent side: load and check the config, make the state
 * directory, clone init into its namespaces, give it its id maps and cgroup,
 * run the prestart/createRuntime hooks when it asks, and once it reports
 * ready record its pid. Any failure kills init and removes what was made.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../rootfs/rootfs.h"
#include "lifecycle.h"

static int load_spec(struct container_ctx *c, const char *bundle_arg, char **raw, size_t *len,
                     struct kago_err *err)
{
        c->bundle = realpath(bundle_arg, NULL);
        if (!c->bundle)
                return kago_err_errno(err, errno, "--bundle %s", bundle_arg);
        if (c->opts->config) {
                *raw = xmalloc(c->opts->config_len);
                memcpy(*raw, c->opts->config, c->opts->config_len);
                *len = c->opts->config_len;
                return spec_parse(*raw, *len, "config", &c->spec, err);
        }
        _cleanup_close_ int dfd = open(c->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return kago_err_errno(err, errno, "bundle %s", c->bundle);
        if (file_read_at(dfd, "config.json", SPEC_MAX_FILE_SIZE, raw, len, err) < 0 ||
            spec_parse(*raw, *len, "config.json", &c->spec, err) < 0)
                return kago_err_wrap(err, "bundle %s", c->bundle);
        return 0;
}

static int check_spec(struct container_ctx *c, struct kago_err *err)
{
        const struct oci_spec *s = c->spec;
        struct stat sb;

        if (!s || !s->process)
                return kago_err_set(err, "config.json: process: required to create a container");
        if (!s->root || !s->root->path)
                return kago_err_set(err, "config.json: root.path: required");
        _cleanup_free_ char *root = s->root->path[0] == '/'
                                            ? xstrdup(s->root->path)
                                            : xasprintf("%s/%s", c->bundle, s->root->path);
        c->rootfs = realpath(root, NULL);
        if (!c->rootfs || stat(c->rootfs, &sb) < 0)
                return kago_err_errno(err, errno, "config.json: root.path: %s", root);
        if (!S_ISDIR(sb.st_mode))
                return kago_err_set(err, "config.json: root.path: %s is not a directory", root);
        if (ns_validate(s, err) < 0 || rootless_check_user(s, err) < 0)
                return kago_err_wrap(err, "config.json");
        if (net_devices_check(s, err) < 0 || net_managed_check(s, err) < 0 ||
            machine_check(s, c->g->cgroup_manager, err) < 0)
                return -1;
        if (s->process->terminal && c->console_fd < 0 && !c->opts->console_socket)
                return kago_err_set(err, "process.terminal is true: --console-socket is required");
        if (backend_select(c->g, s, c->opts->vm, &c->backend, err) < 0)
                return -1;
        if (c->backend->validate && c->backend->validate(s, err) < 0)
                return kago_err_wrap(err, "%s backend", c->backend->name);
        return 0;
}

/* LISTEN_FDS (socket activation) and --preserve-fds: the fds must be open. */
static int check_fds(struct container_ctx *c, struct kago_err *err)
{
        const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID");
        int64_t n = 0, p;

        if (lf && (!lp || (str_to_i64(lp, 1, INT32_MAX, &p) == 0 && p == getpid())) &&
            str_to_i64(lf, 0, 1024, &n) == 0)
                c->listen_fds = (int)n;
        for (int fd = 3; fd < 3 + c->listen_fds + c->opts->preserve_fds; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        return kago_err_set(err, "--preserve-fds %d%s: fd %d is not open",
                                            c->opts->preserve_fds,
                                            c->listen_fds ? " (plus LISTEN_FDS)" : "", fd);
        return 0;
}

int container_ctx_load(struct container_ctx *c, char **raw, size_t *len, struct kago_err *err)
{
        const struct create_opts *o = c->opts;

        if (container_id_validate(o->id, err) < 0)
                return -1;
        if (load_spec(c, o->bundle ? o->bundle : ".", raw, len, err) < 0 || check_spec(c, err) < 0 ||
            check_fds(c, err) < 0)
                return -1;
        return 0;
}

static void fill_state(struct container_ctx *c)
{
        c->st.id = xstrdup(c->opts->id);
        c->st.bundle = xstrdup(c->bundle);
        c->st.rootfs = xstrdup(c->rootfs);
        c->st.created = time_now_rfc3339();
        c->st.owner = geteuid();
        backend_record(c->backend, &c->st);
        c->st.own_pidns = spec_namespace(c->spec, OCI_NS_PID) &&
                          !spec_namespace(c->spec, OCI_NS_PID)->path;
        c->st.creating = true;
}

/* Record a step (the cgroup, init's pid) before going on, so that a create
 * killed from here on leaves what delete needs to find what it made. */
static int record_state(struct container_ctx *c, struct kago_err *err)
{
        return store_write_state(c->state_dirfd, &c->st, err);
}

static int record_init(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        c->st.pid = pid;
        if (proc_start_time(pid, &c->st.start_time) < 0)
                return 0; /* gone already: drive_init reports why */
        return record_state(c, err);
}

int container_ctx_make_dir(struct container_ctx *c, int rootfd, const char *raw, size_t len,
                           bool fifo, struct kago_err *err)
{
        fill_state(c);
        if (store_create_dir(rootfd, c->opts->id, &c->state_dirfd, err) < 0)
                return -1;
        if (store_write_file(c->state_dirfd, STATE_CONFIG_FILE, raw, len, err) < 0 ||
            store_write_state(c->state_dirfd, &c->st, err) < 0 ||
            (fifo && (exec_fifo_make(c->state_dirfd, err) < 0 ||
                      exec_fifo_open_for_init(c->state_dirfd, &c->fifo_fd, err) < 0)))
                return kago_err_wrap(err, "container \"%s\"", c->opts->id);
        return 0;
}

/* Whether init must wait for the parent before its setup: for its id maps,
 * or to be placed in its cgroup after the clone. Each handshake costs two
 * context switches, which a loaded host pays in scheduling delays. */
static bool init_needs_go(const struct container_ctx *c)
{
        const struct oci_namespace *user = spec_namespace(c->spec, OCI_NS_USER);

        return (user && !user->path) || !container_cgroup_before_clone(c) || !c->cgroup_entered;
}

/* A cgroup namespace is rooted at the cgroup its maker is in: when the
 * parent places init after the clone (cgroup v1 hierarchies, the systemd
 * driver, no clone3), init makes it itself once placed, or the container
 * would see kago's cgroup as its root. */
static unsigned long init_clone_flags(struct container_ctx *c, unsigned long flags)
{
        c->init_waits_go = init_needs_go(c);
        c->init_waits_runtime = spec_has_runtime_hooks(c->spec) || c->backend->prepare_sees_network;
        c->init_makes_cgroupns = (flags & CLONE_NEWCGROUP) &&
                                 (!container_cgroup_before_clone(c) || !c->cgroup_entered);
        return c->init_makes_cgroupns ? flags & ~CLONE_NEWCGROUP : flags;
}

/* clone3 straight into the cgroup: no migration afterwards, which costs a
 * cgroup-wide lock and milliseconds. Without clone3 or CLONE_INTO_CGROUP
 * (kernels before 5.7), a plain clone; the parent then moves the pid. */
static pid_t clone_into_cgroup(struct container_ctx *c, unsigned long flags)
{
        int cgfd = container_cgroup_clone_fd(c);
        struct clone_args args = { .flags = init_clone_flags(c, flags), .exit_signal = SIGCHLD };

        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgfd;
        }
        pid_t p = (pid_t)syscall(SYS_clone3, &args, sizeof args);
        if (p >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
                return p;
        c->cgroup_entered = false;
        return (pid_t)syscall(SYS_clone, init_clone_flags(c, flags) | SIGCHLD, NULL, NULL, NULL, 0);
}

static int clone_init(struct container_ctx *c, pid_t *pid, struct kago_err *err)
{
        unsigned long flags;
        int sp[2];

        if (ns_clone_flags(c->spec, &flags, err) < 0 || ns_join_for_children(c->spec, err) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return kago_err_errno(err, errno, "socketpair");
        c->parent_sync_fd = sp[0];
        c->sync_fd = sp[1];
        fflush(NULL);
        pid_t p = clone_into_cgroup(c, flags);
        if (p < 0)
                return kago_err_errno(err, errno, "clone the container's init (flags 0x%lx)", flags);
        if (p == 0)
                init_main(c);
        close(c->sync_fd);
        c->sync_fd = -1;
        close(c->fifo_fd);
        c->fifo_fd = -1;
        *pid = p;
        return 0;
}

static int run_runtime_hooks(struct container_ctx *c, struct kago_err *err)
{
        _cleanup_free_ char *state = container_state_json(&c->st, STATUS_CREATING, c->spec);

        if (hooks_run(c->spec, OCI_HOOK_PRESTART, state, err) < 0 ||
            hooks_run(c->spec, OCI_HOOK_CREATE_RUNTIME, state, err) < 0)
                return -1;
        return 0;
}

/* With a joined user namespace init forks once more: learn its pid and reap
 * the first process. */
static int receive_forked_pid(struct container_ctx *c, pid_t *pid, struct kago_err *err)
{
        struct kago_err msg = { 0 };
        enum sync_type type = 0;
        int64_t p;

        if (sync_recv(c->parent_sync_fd, &type, &msg, err) < 0)
                return -1;
        if (type == SYNC_ERROR)
                return kago_err_set(err, "%s", msg.msg);
        if (type != SYNC_PID || str_to_i64(msg.msg, 1, INT32_MAX, &p) < 0)
                return kago_err_set(err, "unexpected message %d from the container's init", type);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                ;
        *pid = (pid_t)p;
        return 0;
}

/* The final record; until init hears of it, it dies with kago create. */
static int commit_state(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        c->st.creating = false;
        if (record_state(c, err) < 0)
                return -1;
        if (c->opts->pid_file && pid_file_write(c->opts->pid_file, pid, err) < 0)
                return -1;
        if (sync_send(c->parent_sync_fd, SYNC_GO, NULL) < 0)
                return kago_err_errno(err, errno, "tell the container's init its state is saved");
        return 0;
}

/* After the clone: talk init through its setup. */
static int drive_init(struct container_ctx *c, pid_t *pidp, struct kago_err *err)
{
        const struct oci_namespace *user = spec_namespace(c->spec, OCI_NS_USER);
        pid_t pid = *pidp;

        if (user && !user->path && ns_write_id_maps(c->spec, pid, err) < 0)
                return -1;
        if (!container_cgroup_before_clone(c) &&
            (rootless_cgroup_create(c, pid, err) < 0 || record_state(c, err) < 0))
                return -1;
        if (container_cgroup_before_clone(c) && !c->cgroup_entered &&
            container_cgroup_enter(c, pid, err) < 0)
                return -1;
        if (c->init_waits_go && sync_send(c->parent_sync_fd, SYNC_GO, NULL) < 0)
                return kago_err_errno(err, errno, "talk to the container's init");
        if (bind_trees_send(c, pid, err) < 0)
                return -1;
        if (ns_joins_user(c->spec) &&
            (receive_forked_pid(c, pidp, err) < 0 || record_init(c, *pidp, err) < 0))
                return -1;
        pid = *pidp;
        if (proc_start_time(pid, &c->st.start_time) < 0) {
                /* Gone already: its own message says why. */
                if (sync_expect(c->parent_sync_fd, SYNC_READY, err) == 0)
                        kago_err_set(err, "the container's init process exited during setup");
                return -1;
        }
        if (net_devices_attach(c->state_dirfd, &c->st, c->spec, pid, err) < 0 ||
            net_managed_attach(c->state_dirfd, &c->st, c->spec, pid, err) < 0)
                return -1;
        if (c->init_waits_runtime) {
                if (sync_expect(c->parent_sync_fd, SYNC_CREATE_RUNTIME, err) < 0 ||
                    run_runtime_hooks(c, err) < 0)
                        return -1;
                if (sync_send(c->parent_sync_fd, SYNC_GO, NULL) < 0)
                        return kago_err_errno(err, errno, "talk to the container's init");
        }
        if (sync_expect(c->parent_sync_fd, SYNC_READY, err) < 0 ||
            machine_register(&c->st, c->spec, err) < 0)
                return -1;
        return commit_state(c, pid, err);
}

void container_ctx_abort(struct container_ctx *c, int rootfd, pid_t pid)
{
        struct kago_err err = { 0 };

        if (c->state_dirfd >= 0)
                net_devices_detach(c->state_dirfd, &c->st);
        net_managed_detach(&c->st);
        if (pid > 0)
                machine_unregister(&c->st, c->spec);
        if (pid > 0) {
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        container_cgroup_abort(c);
        if (c->state_dirfd >= 0 && store_remove(rootfd, c->opts->id, &err) < 0)
                log_warning("%s", kago_err_text(&err));
}

void container_ctx_free(struct container_ctx *c)
{
        if (c->state_dirfd >= 0)
                close(c->state_dirfd);
        if (c->parent_sync_fd >= 0)
                close(c->parent_sync_fd);
        if (c->console_fd >= 0)
                close(c->console_fd);
        if (c->fifo_fd >= 0)
                close(c->fifo_fd);
        if (c->control_fd >= 0)
                close(c->control_fd);
        container_cgroup_release(c);
        container_state_free(&c->st);
        spec_free(c->spec);
        free(c->bundle);
        free(c->rootfs);
}

static int create_in_store(struct container_ctx *c, int rootfd, const char *raw, size_t len,
                           pid_t *pid, struct kago_err *err)
{
        pid_t p = 0;

        if (container_ctx_make_dir(c, rootfd, raw, len, true, err) < 0 ||
            (c->backend->prepare_host && c->backend->prepare_host(c, err) < 0)) {
                if (c->state_dirfd >= 0)
                        container_ctx_abort(c, rootfd, 0);
                return -1;
        }
        if (c->opts->console_socket && c->spec->process->terminal &&
            console_connect(c->opts->console_socket, &c->console_fd, err) < 0) {
                container_ctx_abort(c, rootfd, 0);
                return -1;
        }
        if (container_cgroup_before_clone(c) &&
            (rootless_cgroup_create(c, 0, err) < 0 || (c->cgroup && record_state(c, err) < 0))) {
                container_ctx_abort(c, rootfd, 0);
                return kago_err_wrap(err, "create container \"%s\"", c->opts->id);
        }
        c->cgroup_entered = container_cgroup_clone_fd(c) >= 0 || !c->cgroup;
        if (clone_init(c, &p, err) < 0 || record_init(c, p, err) < 0 || drive_init(c, &p, err) < 0) {
                container_ctx_abort(c, rootfd, p);
                return kago_err_wrap(err, "create container \"%s\"", c->opts->id);
        }
        *pid = p;
        return 0;
}

int container_create_fd(struct kago_global *g, const struct create_opts *o, int console_fd,
                        pid_t *pid, struct kago_err *err)
{
        struct container_ctx c = CONTAINER_CTX_INIT(g, o, console_fd);
        _cleanup_close_ int rootfd = -1;
        _cleanup_free_ char *raw = NULL;
        size_t len = 0;
        int rc = -1;

        if (container_ctx_load(&c, &raw, &len, err) < 0)
                goto out;
        if (store_open_root(g->root, &rootfd, err) < 0)
                goto out;
        rc = create_in_store(&c, rootfd, raw, len, pid, err);
out:
        container_ctx_free(&c);
        return rc;
}

int container_create(struct kago_global *g, const struct create_opts *o, pid_t *pid,
                     struct kago_err *err)
{
        return container_create_fd(g, o, -1, pid, err);
}
