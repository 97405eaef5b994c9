/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago run --rootfs DIR: run a directory tree as a container (or, with
 * --vm, a microVM) without a bundle, as simply as systemd-nspawn -D DIR.
 * The config is built in memory and handed to create as bytes; the
 * container lives under --root like any other, with the tree's directory
 * as its bundle. --ephemeral runs it on an overlay whose upper layer is a
 * tmpfs in a temp dir, mounted in a mount namespace of kago's own: the
 * tree is never written, and nothing stays mounted on the host whatever
 * happens to kago.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "cli.h"

static bool id_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.' || c == '+';
}

/* The tree's name plus a short random suffix: "rootfs-3fa9c1". */
static char *generate_id(const char *tree)
{
        const char *base = strrchr(tree, '/');
        char name[49] = "";
        size_t n = 0;
        uint8_t rnd[3] = { 0 };

        for (base = base && base[1] ? base + 1 : "root"; *base && n < sizeof name - 1; base++)
                name[n++] = id_char_ok(*base) ? *base : '-';
        name[n] = '\0';
        if (name[0] == '.' || name[0] == '-')
                name[0] = 'x';
        if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
                rnd[0] = (uint8_t)getpid(), rnd[1] = (uint8_t)(getpid() >> 8);
        return xasprintf("%s-%02x%02x%02x", name, rnd[0], rnd[1], rnd[2]);
}

static int choose_id(struct rootfs_run *rr, struct kago_err *err)
{
        rr->id = rr->machine ? xstrdup(rr->machine) : generate_id(rr->tree);
        if (container_id_validate(rr->id, err) < 0)
                return rr->machine ? kago_err_wrap(err, "run: --machine") : -1;
        return 0;
}

/* The inits systemd-nspawn -b looks for, in its order. */
static const char *const boot_inits[] = { "/usr/lib/systemd/systemd", "/lib/systemd/systemd",
                                          "/sbin/init" };

/* Where path lies: in the --bind whose destination holds it (the deepest),
 * else in the tree; *rest is path inside that directory. */
static const char *init_dir(const struct rootfs_run *rr, const char *path, const char **rest)
{
        const char *dir = rr->tree;
        size_t best = 0;

        *rest = path;
        for (size_t i = 0; i < rr->mounts_len; i++) {
                const struct rootfs_mount *m = &rr->mounts[i];
                size_t n = strlen(m->destination);
                if (m->source && n > best && strncmp(path, m->destination, n) == 0 && path[n] == '/') {
                        dir = m->source;
                        *rest = path + n;
                        best = n;
                }
        }
        return dir;
}

static bool init_there(const struct rootfs_run *rr, const char *path)
{
        const char *rest;
        const char *dir = init_dir(rr, path, &rest);
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = dfd < 0 ? -1 : root_openat2(dfd, rest, O_PATH, 0);
        struct stat sb;

        return fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0111);
}

static int find_init(struct rootfs_run *rr, struct kago_err *err)
{
        for (size_t i = 0; i < sizeof boot_inits / sizeof *boot_inits; i++)
                if (init_there(rr, boot_inits[i])) {
                        rr->boot_init = xstrdup(boot_inits[i]);
                        return 0;
                }
        return kago_err_set(err, "run: --boot: %s has no init to boot (looked for %s, %s and %s, "
                                 "in the tree or the --bind mounts over it)",
                            rr->tree, boot_inits[0], boot_inits[1], boot_inits[2]);
}

static int print_spec(const struct rootfs_run *rr)
{
        struct oci_spec *s = run_rootfs_spec(rr, rr->tree);
        _cleanup_free_ char *json = spec_emit(s);

        spec_free(s);
        puts(json);
        return fflush(stdout) == 0 ? 0 : -1;
}

/* --save-bundle DIR: DIR/config.json with root.path the tree (absolute). */
static int save_bundle(const struct rootfs_run *rr, struct kago_err *err)
{
        const char *dir = rr->save_bundle;
        bool made = mkdir(dir, 0755) == 0;

        if (!made && errno != EEXIST)
                return kago_err_errno(err, errno, "run: --save-bundle \"%s\"", dir);
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = dfd < 0 ? -1 : openat(dfd, "config.json",
                                                       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
                int e = errno;
                if (made)
                        rmdir(dir);
                return e == EEXIST ? kago_err_set(err, "run: --save-bundle \"%s\": %s/config.json "
                                                       "already exists", dir, dir)
                                   : kago_err_errno(err, e, "run: --save-bundle \"%s\"", dir);
        }
        struct oci_spec *s = run_rootfs_spec(rr, rr->tree);
        _cleanup_free_ char *json = spec_emit(s);
        spec_free(s);
        if (fd_write_all(fd, json, strlen(json)) < 0 || fd_write_all(fd, "\n", 1) < 0) {
                int e = errno;
                unlinkat(dfd, "config.json", 0);
                if (made)
                        rmdir(dir);
                return kago_err_errno(err, e, "run: --save-bundle: write %s/config.json", dir);
        }
        return 0;
}

/* The overlay's root takes its owner and mode from the upper layer. */
static int make_layers(const char *dir, const char *tree, struct kago_err *err)
{
        static const char *const sub[] = { "upper", "work", "root" };
        struct stat sb;

        if (stat(tree, &sb) < 0)
                return kago_err_errno(err, errno, "--ephemeral: %s", tree);
        for (size_t i = 0; i < 3; i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, sub[i]);
                if (mkdir(p, 0755) < 0)
                        return kago_err_errno(err, errno, "--ephemeral: mkdir %s", p);
        }
        _cleanup_free_ char *upper = xasprintf("%s/upper", dir);
        if (chown(upper, sb.st_uid, sb.st_gid) < 0 || chmod(upper, sb.st_mode & 07777) < 0)
                return kago_err_errno(err, errno, "--ephemeral: %s: take the tree's owner and mode", upper);
        return 0;
}

static int mount_overlay(const char *dir, const char *tree, struct kago_err *err)
{
        _cleanup_free_ char *opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
                                              tree, dir, dir);
        _cleanup_free_ char *merged = xasprintf("%s/root", dir);

        if (mount("overlay", merged, "overlay", 0, opts) < 0)
                return kago_err_errno(err, errno, "--ephemeral: overlay of %s with a tmpfs upper layer "
                                      "(overlayfs missing, or the tree on a filesystem overlayfs cannot "
                                      "stack on, such as an overlay already two deep)", tree);
        return 0;
}

int run_rootfs_ephemeral(const char *tree, char **dir, char **merged, struct kago_err *err)
{
        const char *tmp = getenv("TMPDIR");

        *dir = *merged = NULL;
        if (strpbrk(tree, ",:\\"))
                return kago_err_set(err, "--ephemeral: %s: an overlay cannot take a path with ',', ':' "
                                    "or '\\'", tree);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return kago_err_errno(err, errno, "--ephemeral: a mount namespace for the overlay");
        *dir = xasprintf("%s/kago-ephemeral-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(*dir)) {
                int e = errno;
                kago_err_errno(err, e, "--ephemeral: make the temp dir %s", *dir);
                free(*dir);
                *dir = NULL;
                return -1;
        }
        if (mount("tmpfs", *dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return kago_err_errno(err, errno, "--ephemeral: mount a tmpfs on %s", *dir);
        if (make_layers(*dir, tree, err) < 0 || mount_overlay(*dir, tree, err) < 0)
                return -1;
        *merged = xasprintf("%s/root", *dir);
        return 0;
}

void run_rootfs_ephemeral_remove(const char *dir)
{
        if (!dir)
                return;
        if (umount2(dir, MNT_DETACH) < 0 && errno != EINVAL)
                log_warning("--ephemeral: unmount %s: %s", dir, strerror(errno));
        if (rmdir(dir) < 0)
                log_warning("--ephemeral: remove %s: %s", dir, strerror(errno));
}

static int run_on(struct kago_global *g, struct rootfs_run *rr, const char *root,
                  struct kago_err *err)
{
        struct oci_spec *s = run_rootfs_spec(rr, root);
        _cleanup_free_ char *json = spec_emit(s);

        spec_free(s);
        struct create_opts o = { .id = rr->id, .bundle = rr->tree, .pid_file = rr->pid_file,
                                 .vm = rr->vm, .config = json, .config_len = strlen(json) };
        rr->r.boot = rr->boot;
        return run_container(g, &o, &rr->r, err);
}

static int run_tree(struct kago_global *g, struct rootfs_run *rr, struct kago_err *err)
{
        _cleanup_free_ char *dir = NULL, *merged = NULL;
        int rc = -1;

        if (!rr->ephemeral)
                return run_on(g, rr, rr->tree, err);
        if (run_rootfs_ephemeral(rr->tree, &dir, &merged, err) == 0)
                rc = run_on(g, rr, merged, err);
        run_rootfs_ephemeral_remove(dir);
        return rc;
}

int run_rootfs_main(struct kago_global *g, int argc, char **argv, struct kago_err *err)
{
        struct rootfs_run rr;
        int rc = -1;

        if (run_rootfs_parse(argc, argv, &rr, err) < 0 || choose_id(&rr, err) < 0 ||
            (rr.boot && find_init(&rr, err) < 0))
                goto out;
        if (rr.print_spec) {
                rc = print_spec(&rr);
                goto out;
        }
        if (rr.save_bundle) {
                rc = save_bundle(&rr, err);
                goto out;
        }
        /* init runs kago's code in the container until start: from a sealed copy. */
        if (exe_guard_ensure(err) < 0)
                goto out;
        rc = run_tree(g, &rr, err);
out:
        run_rootfs_free(&rr);
        return rc;
}
