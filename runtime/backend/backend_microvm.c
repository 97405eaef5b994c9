/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The microVM backend: the container's init process becomes kago's VMM
 * (microvm/). prepare opens /dev/kvm, the kernel and the initrd while host
 * paths are still reachable; exec turns the OCI config into a microVM
 * config and runs the VM, exiting with the guest workload's status.
 *
 * The VMM's user is process.user: exec runs after the runtime's user switch
 * and security setup, as the container backend's workload would, and the
 * guest init applies the same user to the workload in the guest. The host
 * side of the VM thus has the workload's identity and no more: the file
 * server (virtio-fs or 9P) reaches the rootfs with its permissions, files
 * created from the guest are its own, and an escape from the VMM lands as
 * that user in the container's sandbox (Firecracker's jailer runs its VMM
 * unprivileged for the same reason). /dev/kvm is opened in prepare, as
 * root before the switch; the node kago adds for a VM container
 * (backend_microvm_devices.c) belongs to process.user as well, so a VMM
 * that opens it again can.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>

#include "../../microvm/microvm.h"
#include "backend.h"

struct vm_files {
        int kvm_fd, kernel_fd, initrd_fd;
        int snapshot_state_fd, snapshot_mem_fd; /* kago restore: the image's files, else -1 */
        struct microvm_settings settings;
        struct microvm_disk disks[MICROVM_DISKS_MAX];
        struct vm_nics nics;
};

/* Parsed here before any sandbox is built, and again (by the same
 * function) in init, where the VM is made. */
static int vm_validate(const struct oci_spec *spec, struct kago_err *err)
{
        struct microvm_settings s;

        return microvm_settings_from_spec(spec, &s, err);
}

static int open_host_file(const char *bundle, const char *path, size_t len, int flags,
                          const char *what, int *fd, struct kago_err *err)
{
        _cleanup_free_ char *abs = path[0] == '/' ? xasprintf("%.*s", (int)len, path)
                                                  : xasprintf("%s/%.*s", bundle, (int)len, path);
        *fd = open(abs, flags | O_CLOEXEC);
        if (*fd < 0)
                return kago_err_errno(err, errno, "%s %s", what, abs);
        return 0;
}

/* The disks, opened as root while the bundle is reachable: the VMM later
 * runs as process.user and keeps only these fds. */
int vm_open_disks(const struct container_ctx *c, const struct microvm_settings *s,
                  struct microvm_disk *disks, struct kago_err *err)
{
        for (unsigned i = 0; i < s->n_disks; i++)
                disks[i] = (struct microvm_disk){ -1, s->disks[i].readonly };
        for (unsigned i = 0; i < s->n_disks; i++) {
                const struct microvm_disk_setting *d = &s->disks[i];
                if (open_host_file(c->bundle, d->path, d->path_len, d->readonly ? O_RDONLY : O_RDWR,
                                   d->from, &disks[i].fd, err) < 0)
                        return -1;
        }
        return 0;
}

/* The socket kago exec reaches the VMM by; init inherits it. */
static int vm_prepare_host(struct container_ctx *c, struct kago_err *err)
{
        return microvm_control_listen(c->state_dirfd, &c->control_fd, err);
}

int vm_open_kernel(const struct container_ctx *c, int *fd, struct kago_err *err)
{
        const struct oci_vm_kernel *k = c->spec->vm ? c->spec->vm->kernel : NULL;
        const char *kernel = k ? k->path : microvm_default_kernel();
        return open_host_file(c->bundle, kernel, strlen(kernel), O_RDONLY,
                              k ? "vm.kernel.path" : "guest kernel (make kernel builds it)", fd, err);
}

static int vm_prepare(struct container_ctx *c, struct kago_err *err)
{
        struct vm_files *f = xcalloc(1, sizeof *f);
        const struct oci_vm_kernel *k = c->spec->vm ? c->spec->vm->kernel : NULL;
        f->kvm_fd = f->kernel_fd = f->initrd_fd = f->snapshot_state_fd = f->snapshot_mem_fd = -1;
        c->backend_data = f;
        if (microvm_settings_from_spec(c->spec, &f->settings, err) < 0 ||
            vm_open_kernel(c, &f->kernel_fd, err) < 0)
                return -1;
        if (k && k->initrd &&
            open_host_file(c->bundle, k->initrd, strlen(k->initrd), O_RDONLY, "vm.kernel.initrd",
                           &f->initrd_fd, err) < 0)
                return -1;
        if (vm_open_disks(c, &f->settings, f->disks, err) < 0 ||
            vm_nics_prepare(c->spec, &f->nics, err) < 0)
                return -1;
        if (c->opts->restore_image &&
            vm_snapshot_open(c->opts->restore_image, &f->snapshot_state_fd, &f->snapshot_mem_fd,
                             err) < 0)
                return -1;
        f->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (f->kvm_fd < 0)
                return kago_err_errno(err, errno, "open /dev/kvm%s",
                                      errno == EPERM    ? " (denied by a device cgroup above the "
                                                          "container's, or a security module)"
                                      : errno == EACCES ? ""
                                                        : " (this host has no KVM)");
        return 0;
}

/* words joined by sep (malloc'd). */
static char *join_words(char *const *words, size_t n_words, const char *sep)
{
        size_t n = 1;
        for (size_t i = 0; i < n_words; i++)
                n += strlen(words[i]) + strlen(sep);
        char *s = xcalloc(1, n);
        for (size_t i = 0; i < n_words; i++) {
                if (i)
                        strcat(s, sep);
                strcat(s, words[i]);
        }
        return s;
}

static char *join_params(const struct oci_spec *spec)
{
        const struct oci_vm_kernel *k = spec->vm ? spec->vm->kernel : NULL;
        return k && k->parameters_len ? join_words(k->parameters, k->parameters_len, " ") : NULL;
}

int vm_process(const struct oci_process *p, const char *oci_version, char **envp,
               struct microvm_process *out, struct vm_process_store *store, struct kago_err *err)
{
        struct microvm_rlimit *rl = store->rlimits = xcalloc(p->rlimits_len + 1, sizeof *rl);
        for (size_t i = 0; i < p->rlimits_len; i++) {
                int res = proc_rlimit_resource(p->rlimits[i].type);
                if (res < 0)
                        return kago_err_set(err, "process.rlimits[%zu].type '%s': unknown", i,
                                            p->rlimits[i].type);
                rl[i] = (struct microvm_rlimit){ res, p->rlimits[i].soft, p->rlimits[i].hard };
        }
        /* The guest's kernel is the one that counts: no check against the
         * host's bounding set, as a container gets. */
        struct kago_caps caps;
        if (caps_from_config(oci_version, p->capabilities, &caps, err) < 0)
                return -1;
        uint64_t *c = store->caps;
        c[MICROVM_CAP_BOUNDING] = caps.bounding, c[MICROVM_CAP_EFFECTIVE] = caps.effective;
        c[MICROVM_CAP_PERMITTED] = caps.permitted, c[MICROVM_CAP_INHERITABLE] = caps.inheritable;
        c[MICROVM_CAP_AMBIENT] = caps.ambient;
        *out = (struct microvm_process){
                .args = p->args, .env = envp, .cwd = p->cwd, .uid = p->user.uid,
                .gid = p->user.gid, .additional_gids = p->user.additional_gids,
                .n_additional_gids = p->user.additional_gids_len,
                .umask = p->user.umask.set ? (int)p->user.umask.value : -1,
                .rlimits = rl, .n_rlimits = p->rlimits_len, .terminal = p->terminal,
                .caps = caps.set ? c : NULL, .no_new_privs = p->no_new_privileges,
        };
        return 0;
}

static bool vm_own_root(const struct oci_spec *spec)
{
        return spec->vm && spec->vm->image;
}

static bool vm_own_mount(const struct oci_mount *m)
{
        return microvm_mount_is_disk(m->source);
}

/* The mounts the guest makes, with their options joined for the disks'. */
static struct microvm_mount *vm_mounts(const struct oci_spec *spec, size_t *n)
{
        struct microvm_mount *m = xcalloc(spec->mounts_len + 1, sizeof *m);
        *n = 0;
        for (size_t i = 0; i < spec->mounts_len; i++) {
                const struct oci_mount *o = &spec->mounts[i];
                if (!o->type)
                        continue;
                char *opts = vm_own_mount(o) ? join_words(o->options, o->options_len, ",") : NULL;
                m[*n] = (struct microvm_mount){ o->destination, o->type, o->source, opts };
                (*n)++;
        }
        return m;
}

/* Terminal mode: our stdio is the container's pty slave; the guest has its
 * own pty, so this side passes bytes through untouched. */
static void stdio_raw(void)
{
        struct termios t;
        if (tcgetattr(0, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(0, TCSANOW, &t);
        }
}

static int vm_exec(struct container_ctx *c, const char *exe, char **argv, char **envp,
                   struct kago_err *err)
{
        (void)exe, (void)argv;
        struct vm_files *f = c->backend_data;
        close(c->fifo_fd); /* no exec of the workload here will close it */
        const struct oci_spec *spec = c->spec;
        struct microvm_config cfg;
        struct vm_process_store store = { 0 };
        _cleanup_free_ struct microvm_rlimit *rlimits = NULL; /* store's, freed on every return */
        _cleanup_free_ struct microvm_mount *mounts = NULL;
        _cleanup_free_ char *params = join_params(spec);
        microvm_config_init(&cfg);
        int rc = vm_process(spec->process, spec->oci_version, envp, &cfg.process, &store, err);
        rlimits = store.rlimits;
        if (rc < 0)
                return -1;
        microvm_config_apply(&cfg, &f->settings);
        cfg.disks = f->disks;
        cfg.n_disks = f->settings.n_disks;
        cfg.nics = f->nics.v;
        cfg.n_nics = f->nics.n;
        cfg.kvm_fd = f->kvm_fd;
        cfg.kernel_fd = f->kernel_fd;
        cfg.initrd_fd = f->initrd_fd;
        cfg.cmdline_extra = params;
        cfg.process.hostname = spec->hostname;
        mounts = vm_mounts(spec, &cfg.n_mounts);
        cfg.mounts = mounts;
        cfg.root = "/";
        cfg.root_readonly = spec->root && spec->root->readonly;
        cfg.stdin_fd = 0, cfg.stdout_fd = 1, cfg.stderr_fd = 2;
        cfg.control_fd = c->control_fd;
        cfg.restore_state_fd = f->snapshot_state_fd;
        cfg.restore_mem_fd = f->snapshot_mem_fd;
        cfg.restore_prefault = c->opts->restore_prefault;
        if (spec->process->terminal) {
                stdio_raw();
                cfg.console_fd = 0;
        }
        int status;
        rc = microvm_run(&cfg, &status, NULL, err);
        for (size_t i = 0; i < cfg.n_mounts; i++)
                free((char *)mounts[i].options);
        if (rc < 0)
                return kago_err_wrap(err, "microVM");
        _exit(status); /* the VMM is the container's process: its status is the workload's */
}

/* Before the freeze, the vCPUs leave the guest; after the thaw they enter
 * it again, telling it that it was paused (microvm/park.c). */
static int vm_pause(const struct container_state *st, int timeout_ms, struct kago_err *err)
{
        return microvm_park(st->pid, timeout_ms, err);
}

static int vm_resume(const struct container_state *st, struct kago_err *err)
{
        return microvm_unpark(st->pid, err);
}

const struct kago_backend backend_microvm = {
        .name = "microvm",
        .state_vm = true,
        .validate = vm_validate,
        .prepare = vm_prepare,
        .exec = vm_exec,
        .make_devices = vm_make_devices,
        .own_root = vm_own_root,
        .own_mount = vm_own_mount,
        .device_rules = vm_device_rules,
        .n_device_rules = 2,
        .prepare_sees_network = true,
        .prepare_host = vm_prepare_host,
        .exec_spawn = vm_exec_spawn,
        .ps_table = vm_ps,
        .stats_extra = vm_stats_extra,
        .update = vm_update,
        .pause = vm_pause,
        .release = vm_nics_release,
        .resume = vm_resume,
        .checkpoint = vm_checkpoint,
        .restore_resumed = vm_restore_resumed,
        .image_checks = vm_image_checks,
        .image_manifest = vm_image_manifest,
};
