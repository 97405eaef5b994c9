/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago checkpoint and restore of a microVM: kago's own snapshot, not
 * CRIU. Checkpoint makes the image directory's two files (microvm.h:
 * MICROVM_SNAPSHOT_STATE and MICROVM_SNAPSHOT_MEMORY) and hands them to the
 * VMM over its control socket; the VMM, which runs as the workload's user,
 * writes them with its vCPUs parked. Restore creates the container as
 * create does, with the image directory named in create_opts.restore_image:
 * init opens the two files (vm_snapshot_open) while host paths are
 * reachable, and the new VMM resumes the snapshot instead of booting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "backend.h"

#define CHECKPOINT_TIMEOUT_MS 120000

/* CRIU's flags that name nothing a microVM has, refused before anything is
 * touched. The others (--tcp-established, --ext-unix-sk, --shell-job,
 * --file-locks) ask to keep what a snapshot of the whole VM keeps anyway. */
static int vm_checkpoint_check(const struct checkpoint_opts *o, struct kago_err *err)
{
        const char *flag = o->pre_dump                     ? "--pre-dump"
                           : o->f.lazy_pages               ? "--lazy-pages"
                           : o->page_server                ? "--page-server"
                           : o->parent_path                ? "--parent-path"
                           : o->auto_dedup                 ? "--auto-dedup"
                           : o->f.cg_mode != CRIU_CG_UNSET ? "--manage-cgroups-mode"
                           : o->f.empty_ns                 ? "--empty-ns"
                                                           : NULL;
        if (flag)
                return kago_err_set(err,
                                    "%s is CRIU's: a microVM's snapshot is kago's own and "
                                    "takes the whole VM at once",
                                    flag);
        return 0;
}

#define NEW_SUFFIX ".new"

/* name.new, made afresh: the image's files are replaced only once both are
 * written, never truncated in place (a VM restored from this directory
 * maps its memory file: truncating it would pull its RAM away). */
static int create_image_file(int dirfd, const char *name, int *fd, struct kago_err *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s" NEW_SUFFIX, name);
        unlinkat(dirfd, tmp, 0);
        *fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (*fd < 0)
                return kago_err_errno(err, errno, "image file %s", tmp);
        return 0;
}

/* Both written: each takes its name (keep), or both go. */
static int settle_image_files(int dirfd, bool keep, struct kago_err *err)
{
        static const char *const names[] = { MICROVM_SNAPSHOT_STATE, MICROVM_SNAPSHOT_MEMORY };
        int rc = 0;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *tmp = xasprintf("%s" NEW_SUFFIX, names[i]);
                if (keep && rc == 0 && renameat(dirfd, tmp, dirfd, names[i]) < 0)
                        rc = kago_err_errno(err, errno, "image file %s", names[i]);
                else if (!keep || rc < 0)
                        unlinkat(dirfd, tmp, 0);
        }
        return rc;
}

/* podman takes an image directory for complete once CRIU's inventory.img
 * is in it (it looks for nothing else before it calls kago restore): an
 * empty one says so for kago's snapshot. CRIU never reads it: the manifest
 * refuses a microVM's image to any mode but microVM, and CRIU itself
 * stops at an empty inventory. */
#define ENGINE_COMPLETE_MARK "inventory.img"

static int mark_complete(int dirfd, struct kago_err *err)
{
        int fd = openat(dirfd, ENGINE_COMPLETE_MARK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
                                                         O_NOFOLLOW, 0600);
        if (fd < 0)
                return kago_err_errno(err, errno, "image file %s", ENGINE_COMPLETE_MARK);
        close(fd);
        return 0;
}

int vm_checkpoint(const struct container_state *st, int dirfd, const struct oci_spec *spec,
                  const struct checkpoint_opts *o, struct kago_err *err)
{
        (void)spec;
        _cleanup_close_ int imgfd = -1, state_fd = -1, mem_fd = -1;
        if (vm_checkpoint_check(o, err) < 0)
                return -1;
        if (o->paused)
                return kago_err_set(err,
                                    "container \"%s\" is paused: its VMM is frozen with it; "
                                    "resume it first (kago checkpoint stops the vCPUs "
                                    "itself)",
                                    st->id);
        if (mkdir(o->f.image_path, 0700) < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "--image-path %s", o->f.image_path);
        imgfd = open(o->f.image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (imgfd < 0)
                return kago_err_errno(err, errno, "--image-path %s", o->f.image_path);
        if (create_image_file(imgfd, MICROVM_SNAPSHOT_STATE, &state_fd, err) < 0 ||
            create_image_file(imgfd, MICROVM_SNAPSHOT_MEMORY, &mem_fd, err) < 0) {
                settle_image_files(imgfd, false, err);
                return -1;
        }
        if (microvm_checkpoint(dirfd, st->id, state_fd, mem_fd, o->leave_running,
                               CHECKPOINT_TIMEOUT_MS, err) < 0) {
                settle_image_files(imgfd, false, err);
                return kago_err_wrap(err, "microVM snapshot");
        }
        if (settle_image_files(imgfd, true, err) < 0)
                return -1;
        return mark_complete(imgfd, err);
}

static int open_image_file(const char *image, const char *name, int *fd, struct kago_err *err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", image, name);
        *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (*fd < 0)
                return kago_err_errno(err, errno, "checkpoint image %s%s", path,
                                      errno == ENOENT ? " (not a microVM's image?)" : "");
        return 0;
}

int vm_snapshot_open(const char *image, int *state_fd, int *mem_fd, struct kago_err *err)
{
        if (open_image_file(image, MICROVM_SNAPSHOT_STATE, state_fd, err) < 0 ||
            open_image_file(image, MICROVM_SNAPSHOT_MEMORY, mem_fd, err) < 0)
                return -1;
        return 0;
}

/* The VMM answers its control socket once it serves the guest: after the
 * snapshot is loaded and the vCPUs run. A VMM that failed is gone. */
int vm_restore_resumed(const struct container_state *st, int dirfd, struct kago_err *err)
{
        struct microvm_balloon now;
        if (microvm_balloon(dirfd, st->id, 0, &now, err) < 0)
                return kago_err_wrap(err, "the restored microVM does not run (its log says why)");
        return 0;
}

static void add_row(struct restore_checks *r, const char *name, bool ok, const char *detail)
{
        if (r->n < ARRAY_SIZE(r->v)) {
                r->v[r->n] = (struct restore_check){ .name = name, .ok = ok };
                snprintf(r->v[r->n].detail, sizeof r->v[r->n].detail, "%s", detail);
                r->n++;
        }
}

static void close_disks(struct microvm_disk *disks, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (disks[i].fd >= 0)
                        close(disks[i].fd);
}

/* The snapshot against the VM this config makes here: the files, vCPUs and
 * RAM, CPUID, TSC, kernel, disks (microvm_snapshot_checks). */
void vm_image_checks(const struct container_ctx *c, const char *image, struct restore_checks *r)
{
        _cleanup_close_ int state_fd = -1, mem_fd = -1, kernel_fd = -1, kvm_fd = -1;
        struct microvm_settings s;
        struct microvm_disk disks[MICROVM_DISKS_MAX];
        int disk_fds[MICROVM_DISKS_MAX];
        struct microvm_check rows[MICROVM_CHECKS_MAX];
        struct kago_err err = { 0 };
        size_t n = 0;
        for (unsigned i = 0; i < MICROVM_DISKS_MAX; i++)
                disks[i].fd = -1;
        if (microvm_settings_from_spec(c->spec, &s, &err) < 0)
                return add_row(r, "vm image", false, kago_err_text(&err));
        if (vm_snapshot_open(image, &state_fd, &mem_fd, &err) < 0 ||
            vm_open_kernel(c, &kernel_fd, &err) < 0 || vm_open_disks(c, &s, disks, &err) < 0) {
                close_disks(disks, s.n_disks);
                return add_row(r, "vm image", false, kago_err_text(&err));
        }
        kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm_fd < 0) {
                close_disks(disks, s.n_disks);
                return add_row(r, "kvm", false, "open /dev/kvm: this host has no KVM");
        }
        for (unsigned i = 0; i < s.n_disks; i++)
                disk_fds[i] = disks[i].fd;
        struct microvm_snapshot_files h = { state_fd, mem_fd, kvm_fd, kernel_fd, disk_fds,
                                            s.n_disks };
        microvm_snapshot_checks(&h, s.vcpus, s.memory, rows, &n);
        close_disks(disks, s.n_disks);
        for (size_t i = 0; i < n; i++)
                add_row(r, rows[i].name, rows[i].ok, rows[i].detail);
}

/* The snapshot's VM in kago-checkpoint.json: what the restore checks
 * compare, readable without kago. */
char *vm_image_manifest(const char *image)
{
        _cleanup_close_ int state_fd = -1, mem_fd = -1;
        struct kago_err err = { 0 };
        char *json = NULL;
        if (vm_snapshot_open(image, &state_fd, &mem_fd, &err) < 0 ||
            microvm_snapshot_describe(state_fd, &json, &err) < 0)
                log_warning("checkpoint: the manifest says nothing of the VM: %s",
                            kago_err_text(&err));
        return json;
}
