/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The directory tree the file-server fuzz targets (ninep_fuzz.c, fuse_fuzz.c)
 * serve: a fresh one for every input, so that each input replays the same
 * way. BASE/root is served; BASE/outside sits beside it, and root holds
 * symlinks pointing there and to "/". After an input, BASE must still hold
 * exactly root and an unchanged outside (no request reached beyond the
 * served root) and the process its fds of before (no fd leaked).
 *
 * As root, BASE is a private tmpfs (nodev, nosuid, 64 MiB) in a mount
 * namespace of the fuzzing process's own: a device node the input creates
 * cannot be opened, and nothing the input writes reaches the host's disks.
 */
#ifndef KAGO_FUZZ_TREE_H
#define KAGO_FUZZ_TREE_H

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_OUTSIDE "outside, never to be touched\n"

static char fuzz_base[64];
static char fuzz_root[96];
static int fuzz_fds_before;

__attribute__((noreturn)) static void fuzz_die(const char *what)
{
        perror(what);
        abort();
}

static int fuzz_count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;
        if (!d)
                fuzz_die("opendir /proc/self/fd");
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void fuzz_write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                fuzz_die(path);
        close(fd);
}

/* At exit: BASE and what it holds (a crash leaves it for inspection). */
static void fuzz_tree_cleanup(void)
{
        char outside[128];
        snprintf(outside, sizeof outside, "%s/outside", fuzz_base);
        unlink(outside);
        if (geteuid() == 0)
                umount2(fuzz_base, MNT_DETACH);
        rmdir(fuzz_base);
}

/* Once per process: BASE, its tmpfs as root, and BASE/outside. */
static void fuzz_tree_init(void)
{
        if (fuzz_base[0])
                return;
        snprintf(fuzz_base, sizeof fuzz_base, "/tmp/kago-fuzz.XXXXXX");
        if (!mkdtemp(fuzz_base))
                fuzz_die("mkdtemp");
        if (geteuid() == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        fuzz_die("fuzz tree: private mount namespace");
                if (mount("kago-fuzz", fuzz_base, "tmpfs", MS_NODEV | MS_NOSUID, "size=64m,mode=0755") < 0)
                        fuzz_die("fuzz tree: tmpfs");
        }
        snprintf(fuzz_root, sizeof fuzz_root, "%s/root", fuzz_base);
        char outside[128];
        snprintf(outside, sizeof outside, "%s/outside", fuzz_base);
        fuzz_write_file(outside, FUZZ_OUTSIDE);
        atexit(fuzz_tree_cleanup);
}

static void fuzz_tree_link(const char *target, const char *name)
{
        char path[160];
        snprintf(path, sizeof path, "%s/%s", fuzz_root, name);
        if (symlink(target, path) < 0)
                fuzz_die(path);
}

/* A fresh root: f (a file), d/ with d/g, and symlinks up (../outside),
 * abs (/), dot (.) and dd (d). Returns its path. */
static const char *fuzz_tree_make(void)
{
        char path[160];
        fuzz_tree_init();
        fuzz_fds_before = fuzz_count_fds();
        if (mkdir(fuzz_root, 0755) < 0)
                fuzz_die(fuzz_root);
        snprintf(path, sizeof path, "%s/f", fuzz_root);
        fuzz_write_file(path, "hello, fuzz\n");
        snprintf(path, sizeof path, "%s/d", fuzz_root);
        if (mkdir(path, 0755) < 0)
                fuzz_die(path);
        snprintf(path, sizeof path, "%s/d/g", fuzz_root);
        fuzz_write_file(path, "g\n");
        fuzz_tree_link("../outside", "up");
        fuzz_tree_link("/", "abs");
        fuzz_tree_link(".", "dot");
        fuzz_tree_link("d", "dd");
        return fuzz_root;
}

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_D || flag == FTW_DNR)
                chmod(path, 0700);
        return remove(path) < 0 ? -1 : 0;
}

static int fuzz_chmod_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)ftw;
        if (flag == FTW_D && (st->st_mode & 0700) != 0700)
                chmod(path, 0700);
        return 0;
}

/* BASE must hold root and an unchanged outside, nothing else. */
static void fuzz_tree_check_base(void)
{
        char outside[128], buf[128] = { 0 };
        snprintf(outside, sizeof outside, "%s/outside", fuzz_base);
        int fd = open(outside, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0 || strcmp(buf, FUZZ_OUTSIDE) != 0)
                __builtin_trap(); /* a request reached beyond the served root */
        close(fd);
        DIR *d = opendir(fuzz_base);
        if (!d)
                fuzz_die(fuzz_base);
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                    strcmp(e->d_name, "root") && strcmp(e->d_name, "outside"))
                        __builtin_trap(); /* something was made beyond the served root */
        closedir(d);
}

/* After the server is freed: check the invariants, then remove root. */
static void fuzz_tree_done(void)
{
        if (fuzz_count_fds() != fuzz_fds_before)
                __builtin_trap(); /* the server leaked an fd */
        fuzz_tree_check_base();
        chmod(fuzz_root, 0755);
        nftw(fuzz_root, fuzz_chmod_dir, 16, FTW_PHYS);
        if (nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
                fuzz_die("remove fuzz root");
}

/* The length of the next request at data[0..size): its own little-endian
 * 32-bit length field when that is sane, else all that is left. */
static size_t fuzz_next_len(const uint8_t *data, size_t size, size_t min)
{
        if (size < 4)
                return size;
        uint32_t n = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                     (uint32_t)data[3] << 24;
        return n < min || n > size ? size : n;
}

#endif
