/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves base/root_path.c and runtime/rootfs/path_masks.c with attacks, not only
 * the happy path: a rootfs whose /proc, /dev or mount target is a symlink to
 * a host path, ".." walks and /proc/self/fd magic links all stay inside the
 * root, and so does a chdir; without openat2 nothing is opened; masked paths
 * (/dev/null over files, a read-only tmpfs over directories) and read-only
 * paths really hide and protect, in a private mount namespace; a /dev/null
 * that is not the null device is refused instead of bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <seccomp.h>

#include "../../runtime/rootfs/rootfs.h"
#include "unit.h"

static char root[64];
static int rootfd = -1;

static void mk(const char *rel, bool dir)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        if (dir)
                mkdir(p, 0755);
        else
                close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
}

static void ln(const char *target, const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        CHECK(symlink(target, p) == 0);
}

static void setup_root(void)
{
        strcpy(root, "/tmp/kago-unit-XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        mk("etc", true);
        mk("etc/hostname", false);
        ln("/etc", "proc");            /* absolute symlink to a host path */
        ln("../../../../etc", "dev");  /* climbing out with .. */
        ln("/nonexistent-kago", "dangling");
}

static void teardown_root(void)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
        close(rootfd);
        CHECK(system(cmd) == 0);
}

/* fd and root/rel are the same inode. */
static bool same_file(int fd, const char *rel)
{
        struct stat a, b;
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);

        return fstat(fd, &a) == 0 && lstat(p, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

UNIT_TEST(symlinks_resolve_inside_the_root)
{
        struct kago_err err = { 0 };

        setup_root();
        int fd = -1;
        CHECK(root_make_target(rootfd, "/proc", true, &fd, &err) == 0);
        CHECK(fd >= 0 && same_file(fd, "etc")); /* not the host's /etc */
        close(fd);
        CHECK(root_make_target(rootfd, "/dev/hostname", false, &fd, &err) == 0);
        CHECK(same_file(fd, "etc/hostname"));
        close(fd);
        CHECK(root_open(rootfd, "/../../../etc", O_PATH, &fd, &err) == 0);
        CHECK(same_file(fd, "etc"));
        close(fd);
        /* A target below a symlink to a host path is created inside the root. */
        CHECK(root_make_target(rootfd, "/proc/sub/dir", true, &fd, &err) == 0);
        CHECK(same_file(fd, "etc/sub/dir"));
        close(fd);
        CHECK(access("/etc/sub", F_OK) < 0);
        CHECK(root_make_target(rootfd, "/proc/newfile", false, &fd, &err) == 0);
        CHECK(same_file(fd, "etc/newfile"));
        close(fd);
        CHECK(access("/etc/newfile", F_OK) < 0);
        /* A dangling symlink to a host path: an error, nothing made on the host. */
        CHECK(root_make_target(rootfd, "/dangling", true, &fd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "a symlink to a path the rootfs does not have");
        CHECK(access("/nonexistent-kago", F_OK) < 0);
        teardown_root();
}

UNIT_TEST(magic_links_are_refused)
{
        struct kago_err err = { 0 };
        int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;

        /* /proc/self/root is a magic link: following it could leave any root. */
        CHECK(root_open(host, "/proc/self/root/etc", O_PATH, &fd, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "magic link");
        close(host);
}

UNIT_TEST(mkdir_p_creates_nested_directories)
{
        struct kago_err err = { 0 };

        setup_root();
        int fd = -1;
        CHECK(root_mkdir_p(rootfd, "/a//b/c/", 0755, &fd, &err) == 0);
        CHECK(fd >= 0 && same_file(fd, "a/b/c"));
        close(fd);
        CHECK(root_mkdir_p(rootfd, "/proc/d", 0700, NULL, &err) == 0);
        struct stat st;
        _cleanup_free_ char *d = xasprintf("%s/etc/d", root);
        CHECK(stat(d, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
        mk("a/file", false);
        CHECK(root_mkdir_p(rootfd, "/a/file/x", 0755, NULL, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "/a/file");
        teardown_root();
}

UNIT_TEST(openat2_creates_with_mode_inside_the_root)
{
        struct stat st;

        setup_root();
        /* /proc is a symlink to /etc: the file lands in the root's etc. */
        int fd = root_openat2(rootfd, "/proc/made", O_CREAT | O_EXCL | O_WRONLY, 0600);
        CHECK(fd >= 0 && same_file(fd, "etc/made"));
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
        close(fd);
        CHECK(access("/etc/made", F_OK) < 0);
        fd = root_openat2(rootfd, "", O_PATH | O_DIRECTORY, 0); /* "" is the root */
        CHECK(fd >= 0 && same_file(fd, "."));
        close(fd);
        char p[32];
        root_fd_path(7, p);
        CHECK_STR(p, "/proc/self/fd/7");
        teardown_root();
}

/* chroot into the root, then chdir through a symlink that names the host. */
static int chdir_child(void)
{
        struct kago_err err = { 0 };
        char cwd[64];

        if (chroot(root) < 0)
                return 10;
        if (root_chdir("/proc", &err) < 0)
                return fprintf(stderr, "  %s\n", kago_err_text(&err)), 11;
        if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/etc") != 0)
                return 12;
        if (root_chdir("/etc/hostname", &err) == 0 || err.errnum != ENOTDIR)
                return 13;
        return 0;
}

/* Without openat2 (seccomp answers ENOSYS, as an old kernel would) every
 * call fails, naming the kernel it needs; nothing falls back to openat. */
static int no_openat2_child(void)
{
        struct kago_err err = { 0 };
        int fd = -1;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
            seccomp_load(ctx) < 0)
                return 10;
        seccomp_release(ctx);
        if (root_open(rootfd, "/etc", O_PATH, &fd, &err) == 0 || err.errnum != ENOSYS)
                return 11;
        if (!strstr(kago_err_text(&err), "openat2 needs Linux 5.6"))
                return 12;
        if (root_mkdir_p(rootfd, "/etc", 0755, NULL, &err) == 0 ||
            root_make_target(rootfd, "/new", false, &fd, &err) == 0 ||
            root_chdir("/etc", &err) == 0)
                return 13;
        _cleanup_free_ char *made = xasprintf("%s/new", root);
        if (access(made, F_OK) == 0)
                return 14;
        return 0;
}

static int in_child(int (*fn)(void))
{
        int st = 0;
        pid_t pid = fork();

        if (pid == 0)
                _exit(fn());
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fprintf(stderr, "  child status 0x%x\n", st);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

UNIT_TEST(chdir_stays_inside_the_root)
{
        setup_root();
        CHECK(in_child(chdir_child) == 0);
        teardown_root();
}

UNIT_TEST(no_openat2_means_no_open)
{
        setup_root();
        CHECK(in_child(no_openat2_child) == 0);
        teardown_root();
}

/* In a private mount namespace: mask, readonly, and the fake /dev/null. */
static int mask_child(void)
{
        struct kago_err err = { 0 };
        char buf[16];

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return 10;
        /* Mounts are placed through fds of this mount namespace. */
        close(rootfd);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* The root's /dev is a symlink to the host's /etc: refused as null. */
        if (path_mask(rootfd, "/etc/hostname", &err) == 0)
                return 11;
        if (!strstr(kago_err_text(&err), "open /dev/null in the container root") &&
            !strstr(kago_err_text(&err), "not the null device"))
                return 12;
        _cleanup_free_ char *dev = xasprintf("%s/dev", root), *null = xasprintf("%s/dev/null", root);
        unlink(dev);
        mkdir(dev, 0755);
        close(open(null, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)); /* a regular file */
        if (path_mask(rootfd, "/etc/hostname", &err) == 0 ||
            !strstr(kago_err_text(&err), "is not the null device"))
                return 13;
        unlink(null);
        if (mknod(null, S_IFCHR | 0666, makedev(1, 3)) < 0)
                return 14;
        _cleanup_free_ char *secret = xasprintf("%s/etc/hostname", root);
        int w = open(secret, O_WRONLY | O_CLOEXEC);
        if (w < 0 || write(w, "secret", 6) != 6)
                return 15;
        close(w);
        if (path_mask(rootfd, "/etc/hostname", &err) < 0 ||
            path_mask(rootfd, "/etc/sub", &err) < 0 ||
            path_mask(rootfd, "/missing", &err) < 0)
                return fprintf(stderr, "  %s\n", kago_err_text(&err)), 16;
        int r = open(secret, O_RDONLY | O_CLOEXEC);
        if (r < 0 || read(r, buf, sizeof buf) != 0)
                return 17; /* reads as /dev/null */
        close(r);
        _cleanup_free_ char *in_sub = xasprintf("%s/etc/sub/x", root);
        if (open(in_sub, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) >= 0 || errno != EROFS)
                return 18; /* an empty read-only tmpfs */
        if (path_make_readonly(rootfd, "/etc", &err) < 0)
                return 19;
        _cleanup_free_ char *newf = xasprintf("%s/etc/new", root);
        if (open(newf, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) >= 0 || errno != EROFS)
                return 20;
        return 0;
}

UNIT_TEST(masked_and_readonly_paths)
{
        setup_root();
        mk("etc/sub", true);
        mk("etc/sub/data", false);
        CHECK(in_child(mask_child) == 0);
        /* The host's /etc/hostname was never covered or written. */
        char buf[8];
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && read(fd, buf, sizeof buf) > 0);
        close(fd);
        teardown_root();
}

UNIT_MAIN("security_paths", UNIT(symlinks_resolve_inside_the_root), UNIT(magic_links_are_refused),
          UNIT(mkdir_p_creates_nested_directories), UNIT(openat2_creates_with_mode_inside_the_root),
          UNIT(chdir_stays_inside_the_root), UNIT(no_openat2_means_no_open),
          UNIT(masked_and_readonly_paths))
