/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves runtime/safe_path.c with attacks, not only the happy path: a rootfs
 * whose /proc, /dev or mount target is a symlink to a host path, ".." walks
 * and /proc/self/fd magic links all stay inside the root; masked paths
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

#include "../../runtime/security.h"
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
        int fd = safe_path_mount_target(rootfd, "/proc", true, &err);
        CHECK(fd >= 0 && same_file(fd, "etc")); /* not the host's /etc */
        close(fd);
        fd = safe_path_mount_target(rootfd, "/dev/hostname", false, &err);
        CHECK(fd >= 0 && same_file(fd, "etc/hostname"));
        close(fd);
        fd = safe_path_open(rootfd, "/../../../etc", O_PATH, &err);
        CHECK(fd >= 0 && same_file(fd, "etc"));
        close(fd);
        /* A target below a symlink to a host path is created inside the root. */
        fd = safe_path_mount_target(rootfd, "/proc/sub/dir", true, &err);
        CHECK(fd >= 0 && same_file(fd, "etc/sub/dir"));
        close(fd);
        CHECK(access("/etc/sub", F_OK) < 0);
        fd = safe_path_mount_target(rootfd, "/proc/newfile", false, &err);
        CHECK(fd >= 0 && same_file(fd, "etc/newfile"));
        close(fd);
        CHECK(access("/etc/newfile", F_OK) < 0);
        /* A dangling symlink to a host path: an error, nothing made on the host. */
        CHECK(safe_path_mount_target(rootfd, "/dangling", true, &err) < 0);
        CHECK(access("/nonexistent-kago", F_OK) < 0);
        teardown_root();
}

UNIT_TEST(magic_links_are_refused)
{
        struct kago_err err = { 0 };
        int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        /* /proc/self/root is a magic link: following it could leave any root. */
        CHECK(safe_path_open(host, "/proc/self/root/etc", O_PATH, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "magic link");
        close(host);
}

UNIT_TEST(mkdir_all_creates_nested_directories)
{
        struct kago_err err = { 0 };

        setup_root();
        int fd = safe_path_mkdir_all(rootfd, "/a//b/c/", 0755, &err);
        CHECK(fd >= 0 && same_file(fd, "a/b/c"));
        close(fd);
        mk("a/file", false);
        CHECK(safe_path_mkdir_all(rootfd, "/a/file/x", 0755, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "/a/file");
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
        if (safe_path_mask(rootfd, "/etc/hostname", &err) == 0)
                return 11;
        if (!strstr(kago_err_text(&err), "open /dev/null in the container root") &&
            !strstr(kago_err_text(&err), "not the null device"))
                return 12;
        _cleanup_free_ char *dev = xasprintf("%s/dev", root), *null = xasprintf("%s/dev/null", root);
        unlink(dev);
        mkdir(dev, 0755);
        close(open(null, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)); /* a regular file */
        if (safe_path_mask(rootfd, "/etc/hostname", &err) == 0 ||
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
        if (safe_path_mask(rootfd, "/etc/hostname", &err) < 0 ||
            safe_path_mask(rootfd, "/etc/sub", &err) < 0 ||
            safe_path_mask(rootfd, "/missing", &err) < 0)
                return fprintf(stderr, "  %s\n", kago_err_text(&err)), 16;
        int r = open(secret, O_RDONLY | O_CLOEXEC);
        if (r < 0 || read(r, buf, sizeof buf) != 0)
                return 17; /* reads as /dev/null */
        close(r);
        _cleanup_free_ char *in_sub = xasprintf("%s/etc/sub/x", root);
        if (open(in_sub, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) >= 0 || errno != EROFS)
                return 18; /* an empty read-only tmpfs */
        if (safe_path_readonly(rootfd, "/etc", &err) < 0)
                return 19;
        _cleanup_free_ char *newf = xasprintf("%s/etc/new", root);
        if (open(newf, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) >= 0 || errno != EROFS)
                return 20;
        return 0;
}

UNIT_TEST(masked_and_readonly_paths)
{
        int st = 0;

        setup_root();
        mk("etc/sub", true);
        mk("etc/sub/data", false);
        pid_t pid = fork();
        if (pid == 0)
                _exit(mask_child());
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fprintf(stderr, "  mask child status 0x%x\n", st);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* The host's /etc/hostname was never covered or written. */
        char buf[8];
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && read(fd, buf, sizeof buf) > 0);
        close(fd);
        teardown_root();
}

UNIT_MAIN("security_paths", UNIT(symlinks_resolve_inside_the_root), UNIT(magic_links_are_refused),
          UNIT(mkdir_all_creates_nested_directories), UNIT(masked_and_readonly_paths))
