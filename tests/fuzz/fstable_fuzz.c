/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the loaders of the shared root's server tables in a
 * microVM checkpoint image (fuse_server_load in microvm/fuse_snapshot.c,
 * p9_server_load in microvm/p9_snapshot.c): the image is untrusted.
 *
 * An input is one selector byte, then the table's bytes. Bit 0 of the
 * selector picks the loader (0 the FUSE server's, 1 the 9P server's), bit 1
 * a read-only server; the other bits are ignored. Each input is loaded into
 * a fresh server over a small directory tree made once per process (a
 * private temporary directory: files f, d/g, d/e/h, directories d, d/e, a
 * FIFO "fifo" and a symlink "ln" to f), so that a valid table reopens real
 * files; the loaders never change the tree.
 *
 * Invariants: no crash, leak, hang or sanitizer report; a refused table
 * leaves the server as it was made (its own save gives the bytes a fresh
 * server's save gives); a loaded table, saved, loads into another fresh
 * server, whose save gives the same bytes again (a round trip); once the
 * servers are freed the process holds the fds it held before. Findings are
 * kept in tests/fuzz/regressions/fstable/.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../microvm/fuse.h"
#include "../../microvm/p9.h"

#define FST_FUZZ_MAX_WRITE 8192
#define FST_FUZZ_MSIZE 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fst_base[64];

__attribute__((noreturn)) static void fst_die(const char *what)
{
        perror(what);
        abort();
}

static int fst_count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;
        if (!d)
                fst_die("opendir /proc/self/fd");
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void fst_file(const char *name, const char *text)
{
        char path[128];
        snprintf(path, sizeof path, "%s/%s", fst_base, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                fst_die(path);
        close(fd);
}

static void fst_dir(const char *name)
{
        char path[128];
        snprintf(path, sizeof path, "%s/%s", fst_base, name);
        if (mkdir(path, 0755) < 0)
                fst_die(path);
}

static int fst_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path) < 0 ? -1 : 0;
}

static void fst_tree_cleanup(void)
{
        nftw(fst_base, fst_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Once per process: the served tree. */
static const char *fst_tree(void)
{
        char path[128];
        if (fst_base[0])
                return fst_base;
        snprintf(fst_base, sizeof fst_base, "/tmp/kago-fstable.XXXXXX");
        if (!mkdtemp(fst_base))
                fst_die("mkdtemp");
        chmod(fst_base, 0755);
        fst_file("f", "hello, tables\n");
        fst_dir("d");
        fst_file("d/g", "g\n");
        fst_dir("d/e");
        fst_file("d/e/h", "h\n");
        snprintf(path, sizeof path, "%s/fifo", fst_base);
        if (mkfifo(path, 0644) < 0)
                fst_die(path);
        snprintf(path, sizeof path, "%s/ln", fst_base);
        if (symlink("f", path) < 0)
                fst_die(path);
        atexit(fst_tree_cleanup);
        return fst_base;
}

/* One loader, as the target drives it. */
struct fst_ops {
        void *(*make)(bool readonly);
        void (*release)(void *s);
        int (*save)(void *s, uint8_t **data, size_t *len, struct kago_err *err);
        int (*load)(void *s, const uint8_t *data, size_t len, struct kago_err *err);
};

static void *fst_fuse_make(bool readonly)
{
        struct fuse_server *s = NULL;
        struct kago_err err = { 0 };
        if (fuse_server_new(fst_tree(), readonly, FST_FUZZ_MAX_WRITE, &s, &err) < 0)
                fst_die(err.msg);
        return s;
}

static void fst_fuse_release(void *s)
{
        fuse_server_free(s);
}

static int fst_fuse_save(void *s, uint8_t **data, size_t *len, struct kago_err *err)
{
        return fuse_server_save(s, data, len, err);
}

static int fst_fuse_load(void *s, const uint8_t *data, size_t len, struct kago_err *err)
{
        return fuse_server_load(s, data, len, err);
}

static void *fst_p9_make(bool readonly)
{
        struct p9_server *s = NULL;
        struct kago_err err = { 0 };
        if (p9_server_new(fst_tree(), readonly, FST_FUZZ_MSIZE, &s, &err) < 0)
                fst_die(err.msg);
        return s;
}

static void fst_p9_release(void *s)
{
        p9_server_free(s);
}

static int fst_p9_save(void *s, uint8_t **data, size_t *len, struct kago_err *err)
{
        return p9_server_save(s, data, len, err);
}

static int fst_p9_load(void *s, const uint8_t *data, size_t len, struct kago_err *err)
{
        return p9_server_load(s, data, len, err);
}

static const struct fst_ops fst_kinds[2] = {
        { fst_fuse_make, fst_fuse_release, fst_fuse_save, fst_fuse_load },
        { fst_p9_make, fst_p9_release, fst_p9_save, fst_p9_load },
};

/* s's table as bytes; a save that fails is a finding. */
static uint8_t *fst_save(const struct fst_ops *ops, void *s, size_t *len)
{
        uint8_t *p = NULL;
        struct kago_err err = { 0 };
        if (ops->save(s, &p, len, &err) < 0 || !p) {
                fprintf(stderr, "fstable: save failed: %s\n", err.msg);
                __builtin_trap();
        }
        return p;
}

static bool fst_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
        return alen == blen && memcmp(a, b, alen) == 0;
}

/* A refused table: s must save as a fresh server does. */
static void fst_check_fresh(const struct fst_ops *ops, void *s, bool readonly)
{
        void *fresh = ops->make(readonly);
        size_t want_len, got_len;
        uint8_t *want = fst_save(ops, fresh, &want_len), *got = fst_save(ops, s, &got_len);
        if (!fst_same(want, want_len, got, got_len))
                __builtin_trap(); /* a refused load left the server changed */
        free(want);
        free(got);
        ops->release(fresh);
}

/* A loaded table: saved, it loads into another fresh server, which saves
 * the same bytes. */
static void fst_check_round_trip(const struct fst_ops *ops, void *s, bool readonly)
{
        size_t len, again_len;
        struct kago_err err = { 0 };
        uint8_t *saved = fst_save(ops, s, &len);
        void *other = ops->make(readonly);
        if (ops->load(other, saved, len, &err) < 0) {
                fprintf(stderr, "fstable: a saved table does not load again: %s\n", err.msg);
                __builtin_trap();
        }
        uint8_t *again = fst_save(ops, other, &again_len);
        if (!fst_same(saved, len, again, again_len))
                __builtin_trap(); /* the round trip changed the table */
        free(saved);
        free(again);
        ops->release(other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        const struct fst_ops *ops = &fst_kinds[data[0] & 1];
        bool readonly = data[0] & 2;
        struct kago_err err = { 0 };
        fst_tree();
        int fds = fst_count_fds();
        void *s = ops->make(readonly);
        /* a heap copy of exactly the table, so ASan sees any read beyond it */
        uint8_t *table = malloc(size - 1 ? size - 1 : 1);
        if (!table)
                abort();
        memcpy(table, data + 1, size - 1);
        if (ops->load(s, table, size - 1, &err) < 0) {
                if (!err.msg[0])
                        __builtin_trap(); /* refused without saying why */
                fst_check_fresh(ops, s, readonly);
        } else {
                fst_check_round_trip(ops, s, readonly);
        }
        free(table);
        ops->release(s);
        if (fst_count_fds() != fds)
                __builtin_trap(); /* an fd leaked */
        return 0;
}
