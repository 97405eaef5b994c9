/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves kago's 9P2000.L server against a temporary directory: session,
 * walk (".." stays inside the root), create/write/read, getattr/setattr,
 * readdir, mkdir/symlink/readlink/rename/unlink, read-only mode, bad input,
 * and the fids saved for a checkpoint and loaded into a new server;
 * without openat2 the server refuses to start rather than open unconfined. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../microvm/p9.h"
#include "unit.h"

struct msg {
        uint8_t b[65536];
        size_t len;
};

static void m_le(struct msg *m, uint64_t v, int n)
{
        for (int i = 0; i < n; i++)
                m->b[m->len++] = (uint8_t)(v >> (8 * i));
}

static void m_str(struct msg *m, const char *s)
{
        m_le(m, strlen(s), 2);
        memcpy(m->b + m->len, s, strlen(s));
        m->len += strlen(s);
}

/* Start a message; fields follow; send() fills in the size. */
static struct msg *begin(struct msg *m, uint8_t type)
{
        m->len = 0;
        m_le(m, 0, 4);
        m_le(m, type, 1);
        m_le(m, 1, 2);
        return m;
}

static uint8_t reply[65536];

/* Returns the reply type; reply[] holds the body at offset 7. */
static int send(struct p9_server *s, struct msg *m)
{
        uint32_t size = (uint32_t)m->len;
        memcpy(m->b, &size, 4);
        size_t n = p9_handle(s, m->b, m->len, reply, sizeof reply);
        if (n < 7)
                return -1;
        return reply[4];
}

static uint32_t r32(size_t off)
{
        uint32_t v;
        memcpy(&v, reply + off, 4);
        return v;
}

static struct p9_server *srv;
static char root[256];
static struct msg m;

static void setup(bool ro)
{
        snprintf(root, sizeof root, "/tmp/kago-p9-test.XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        struct kago_err err = { 0 };
        CHECK(p9_server_new(root, ro, 8192, &srv, &err) == 0);
        begin(&m, P9_TVERSION);
        m_le(&m, 1 << 20, 4);
        m_str(&m, "9P2000.L");
        CHECK(send(srv, &m) == P9_TVERSION + 1);
        CHECK(r32(7) == 8192);
        begin(&m, P9_TATTACH);
        m_le(&m, 1, 4);
        m_le(&m, P9_NOFID, 4);
        m_str(&m, "root");
        m_str(&m, "");
        m_le(&m, 0, 4);
        CHECK(send(srv, &m) == P9_TATTACH + 1);
        CHECK(reply[7] == P9_QTDIR);
}

static void teardown(void)
{
        p9_server_free(srv);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        CHECK(system(cmd) == 0);
}

static int walk(uint32_t fid, uint32_t newfid, int n, ...)
{
        va_list ap;
        va_start(ap, n);
        begin(&m, P9_TWALK);
        m_le(&m, fid, 4);
        m_le(&m, newfid, 4);
        m_le(&m, (uint64_t)n, 2);
        for (int i = 0; i < n; i++)
                m_str(&m, va_arg(ap, const char *));
        va_end(ap);
        return send(srv, &m);
}

static int lcreate(uint32_t fid, const char *name)
{
        begin(&m, P9_TLCREATE);
        m_le(&m, fid, 4);
        m_str(&m, name);
        m_le(&m, O_RDWR, 4);
        m_le(&m, 0644, 4);
        m_le(&m, 0, 4);
        return send(srv, &m);
}

static int rw(uint8_t type, uint32_t fid, uint64_t off, const char *data, uint32_t count)
{
        begin(&m, type);
        m_le(&m, fid, 4);
        m_le(&m, off, 8);
        m_le(&m, count, 4);
        if (data) {
                memcpy(m.b + m.len, data, count);
                m.len += count;
        }
        return send(srv, &m);
}

UNIT_TEST(create_write_read_lands_in_the_directory)
{
        setup(false);
        CHECK(walk(1, 2, 0) == P9_TWALK + 1);
        CHECK(lcreate(2, "hello.txt") == P9_TLCREATE + 1);
        CHECK(rw(P9_TWRITE, 2, 0, "from the guest\n", 15) == P9_TWRITE + 1);
        CHECK(r32(7) == 15);
        CHECK(rw(P9_TREAD, 2, 5, NULL, 100) == P9_TREAD + 1);
        CHECK(r32(7) == 10 && memcmp(reply + 11, "the guest\n", 10) == 0);
        char path[300], buf[64] = { 0 };
        snprintf(path, sizeof path, "%s/hello.txt", root);
        int fd = open(path, O_RDONLY);
        CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 15);
        close(fd);
        CHECK_STR(buf, "from the guest\n");
        /* getattr through a fresh walk */
        CHECK(walk(1, 3, 1, "hello.txt") == P9_TWALK + 1);
        begin(&m, P9_TGETATTR);
        m_le(&m, 3, 4);
        m_le(&m, 0x7ff, 8);
        CHECK(send(srv, &m) == P9_TGETATTR + 1);
        uint64_t size;
        memcpy(&size, reply + 7 + 8 + 13 + 4 + 4 + 4 + 8 + 8, 8);
        CHECK(r32(7 + 8 + 13) == (S_IFREG | 0644) && size == 15);
        teardown();
}

UNIT_TEST(dotdot_stays_inside_the_root)
{
        setup(false);
        CHECK(walk(1, 2, 3, "..", "..", "..") == P9_TWALK + 1);
        begin(&m, P9_TLOPEN);
        m_le(&m, 2, 4);
        m_le(&m, O_RDONLY | O_DIRECTORY, 4);
        CHECK(send(srv, &m) == P9_TLOPEN + 1);
        begin(&m, P9_TREADDIR);
        m_le(&m, 2, 4);
        m_le(&m, 0, 8);
        m_le(&m, 4096, 4);
        CHECK(send(srv, &m) == P9_TREADDIR + 1);
        /* the (empty) temp dir: only "." and ".." — not the host's / */
        CHECK(r32(7) == 2 * (13 + 8 + 1 + 2) + 1 + 2);
        teardown();
}

UNIT_TEST(directories_links_rename_unlink)
{
        setup(false);
        begin(&m, P9_TMKDIR);
        m_le(&m, 1, 4);
        m_str(&m, "d");
        m_le(&m, 0755, 4);
        m_le(&m, 0, 4);
        CHECK(send(srv, &m) == P9_TMKDIR + 1);
        begin(&m, P9_TSYMLINK);
        m_le(&m, 1, 4);
        m_str(&m, "l");
        m_str(&m, "/etc/passwd");
        m_le(&m, 0, 4);
        CHECK(send(srv, &m) == P9_TSYMLINK + 1);
        CHECK(reply[7] == P9_QTSYMLINK);
        CHECK(walk(1, 2, 1, "l") == P9_TWALK + 1);
        begin(&m, P9_TREADLINK);
        m_le(&m, 2, 4);
        CHECK(send(srv, &m) == P9_TREADLINK + 1);
        CHECK(memcmp(reply + 9, "/etc/passwd", 11) == 0);
        /* opening the symlink itself must not follow it to the host's file */
        begin(&m, P9_TLOPEN);
        m_le(&m, 2, 4);
        m_le(&m, O_RDONLY, 4);
        CHECK(send(srv, &m) == 7 && r32(7) == ELOOP);
        begin(&m, P9_TRENAMEAT);
        m_le(&m, 1, 4);
        m_str(&m, "l");
        m_le(&m, 1, 4);
        m_str(&m, "l2");
        CHECK(send(srv, &m) == P9_TRENAMEAT + 1);
        begin(&m, P9_TUNLINKAT);
        m_le(&m, 1, 4);
        m_str(&m, "d");
        m_le(&m, AT_REMOVEDIR, 4);
        CHECK(send(srv, &m) == P9_TUNLINKAT + 1);
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "%s/l2", root);
        CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
        snprintf(path, sizeof path, "%s/d", root);
        CHECK(lstat(path, &st) < 0 && errno == ENOENT);
        teardown();
}

UNIT_TEST(setattr_truncates_and_chmods)
{
        setup(false);
        CHECK(walk(1, 2, 0) == P9_TWALK + 1);
        CHECK(lcreate(2, "f") == P9_TLCREATE + 1);
        CHECK(rw(P9_TWRITE, 2, 0, "0123456789", 10) == P9_TWRITE + 1);
        begin(&m, P9_TSETATTR);
        m_le(&m, 2, 4);
        m_le(&m, 0x1 | 0x8, 4); /* mode, size */
        m_le(&m, 0600, 4);
        m_le(&m, 0, 4);
        m_le(&m, 0, 4);
        m_le(&m, 4, 8);
        for (int i = 0; i < 4; i++)
                m_le(&m, 0, 8);
        CHECK(send(srv, &m) == P9_TSETATTR + 1);
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "%s/f", root);
        CHECK(stat(path, &st) == 0 && st.st_size == 4 && (st.st_mode & 07777) == 0600);
        teardown();
}

UNIT_TEST(read_only_server_refuses_changes)
{
        setup(true);
        CHECK(walk(1, 2, 0) == P9_TWALK + 1);
        CHECK(lcreate(2, "x") == 7 && r32(7) == EROFS);
        begin(&m, P9_TMKDIR);
        m_le(&m, 1, 4);
        m_str(&m, "d");
        m_le(&m, 0755, 4);
        m_le(&m, 0, 4);
        CHECK(send(srv, &m) == 7 && r32(7) == EROFS);
        teardown();
}

UNIT_TEST(bad_input_gets_errors)
{
        setup(false);
        CHECK(walk(99, 2, 0) == 7 && r32(7) == EBADF);             /* unknown fid */
        CHECK(walk(1, 2, 1, "missing") == 7 && r32(7) == ENOENT);  /* first name fails */
        CHECK(walk(1, 2, 1, "a/b") == 7 && r32(7) == EINVAL);      /* slash in a name */
        CHECK(walk(1, 1, 0) == P9_TWALK + 1);                       /* clone onto itself */
        CHECK(walk(1, 1, 0) == P9_TWALK + 1);
        begin(&m, P9_TREAD);
        m_le(&m, 1, 4); /* truncated: no offset/count */
        CHECK(send(srv, &m) == 7 && r32(7) == EINVAL);
        CHECK(rw(P9_TREAD, 1, 0, NULL, 10) == 7 && r32(7) == EBADF); /* not opened */
        begin(&m, 200);
        CHECK(send(srv, &m) == 7 && r32(7) == EOPNOTSUPP);
        uint8_t tiny[3] = { 1, 2, 3 };
        CHECK(p9_handle(srv, tiny, 3, reply, sizeof reply) == 0);
        /* a size field larger than the message */
        begin(&m, P9_TCLUNK);
        m_le(&m, 1, 4);
        uint32_t big = 1000;
        memcpy(m.b, &big, 4);
        CHECK(p9_handle(srv, m.b, m.len, reply, sizeof reply) == 11 && r32(7) == EINVAL);
        teardown();
}

/* Seccomp answers ENOSYS for openat2, as a kernel before 5.6 would. */
static int no_openat2_child(void)
{
        struct kago_err err = { 0 };
        struct p9_server *s = NULL;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
            seccomp_load(ctx) < 0)
                return 10;
        seccomp_release(ctx);
        if (p9_server_new("/tmp", false, 8192, &s, &err) == 0)
                return 11;
        if (!strstr(kago_err_text(&err), "openat2 (Linux 5.6) is needed"))
                return fprintf(stderr, "  %s\n", kago_err_text(&err)), 12;
        return 0;
}

UNIT_TEST(no_openat2_refuses_to_serve)
{
        int st = 0;
        pid_t pid = fork();

        if (pid == 0)
                _exit(no_openat2_child());
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- checkpoint: the fids saved and loaded into a new server ----------- */

static int lopen(uint32_t fid, uint32_t flags)
{
        begin(&m, P9_TLOPEN);
        m_le(&m, fid, 4);
        m_le(&m, flags, 4);
        return send(srv, &m);
}

static void host_file(const char *rel, const char *data)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        FILE *f = fopen(p, "w");
        CHECK(f != NULL);
        if (f) {
                fputs(data, f);
                fclose(f);
        }
}

/* Save srv's fids, free it, serve the same root from a new server loaded with them. */
static int p9_restart(void (*between)(void), struct kago_err *err)
{
        uint8_t *data = NULL;
        size_t len = 0;
        CHECK(p9_server_save(srv, &data, &len, err) == 0);
        p9_server_free(srv);
        if (between)
                between();
        CHECK(p9_server_new(root, false, 8192, &srv, err) == 0);
        int rc = p9_server_load(srv, data, len, err);
        free(data);
        return rc;
}

static void remove_c(void)
{
        char p[512];
        snprintf(p, sizeof p, "%s/a/b/c", root);
        CHECK(unlink(p) == 0);
}

static void p9_snapshot_tree(void)
{
        char p[512];
        snprintf(p, sizeof p, "%s/a", root);
        CHECK(mkdir(p, 0755) == 0);
        snprintf(p, sizeof p, "%s/a/b", root);
        CHECK(mkdir(p, 0755) == 0);
        host_file("a/b/c", "hello");
        CHECK(walk(1, 2, 3, "a", "b", "c") == P9_TWALK + 1);
        CHECK(lopen(2, O_RDWR) == P9_TLOPEN + 1);
        CHECK(walk(1, 3, 1, "a") == P9_TWALK + 1);
        CHECK(lopen(3, O_RDONLY | O_DIRECTORY) == P9_TLOPEN + 1);
        CHECK(walk(1, 4, 2, "a", "b") == P9_TWALK + 1); /* walked, not open */
}

UNIT_TEST(snapshot_keeps_fids_and_open_files)
{
        setup(false);
        p9_snapshot_tree();
        struct kago_err err = { 0 };
        CHECK(p9_restart(NULL, &err) == 0);
        CHECK(rw(P9_TWRITE, 2, 5, " world", 6) == P9_TWRITE + 1 && r32(7) == 6);
        CHECK(rw(P9_TREAD, 2, 0, NULL, 100) == P9_TREAD + 1);
        CHECK(r32(7) == 11 && memcmp(reply + 11, "hello world", 11) == 0);
        begin(&m, P9_TREADDIR);
        m_le(&m, 3, 4);
        m_le(&m, 0, 8);
        m_le(&m, 4096, 4);
        CHECK(send(srv, &m) == P9_TREADDIR + 1 && r32(7) > 0);
        CHECK(walk(4, 5, 1, "c") == P9_TWALK + 1); /* from a walked fid */
        CHECK(walk(1, 6, 1, "a") == P9_TWALK + 1); /* from the root fid */
        CHECK(walk(1, 2, 0) != P9_TWALK + 1);      /* fid 2 is in use */
        teardown();
}

UNIT_TEST(snapshot_open_file_gone_fails_the_9p_load)
{
        setup(false);
        p9_snapshot_tree();
        struct kago_err err = { 0 };
        CHECK(p9_restart(remove_c, &err) == -1);
        CHECK_CONTAINS(kago_err_text(&err), "a/b/c");
        CHECK(walk(1, 2, 0) != P9_TWALK + 1); /* no fid left */
        teardown();
}

static uint8_t pt[4096];
static size_t pt_len;

static void pt_put(uint64_t v, size_t n)
{
        for (size_t k = 0; k < n; k++)
                pt[pt_len++] = (uint8_t)(v >> (8 * k));
}

static void pt_begin(uint32_t n)
{
        pt_len = 0;
        pt_put(1, 4);
        pt_put(n, 4);
}

static void pt_fid(uint32_t fid, bool open, uint32_t flags, const char *path)
{
        pt_put(fid, 4);
        pt_put(0, 4);
        pt_put(flags, 4);
        pt_put(open, 1);
        pt_put(strlen(path), 2);
        memcpy(pt + pt_len, path, strlen(path));
        pt_len += strlen(path);
}

static void pt_refused(const char *what)
{
        struct kago_err err = { 0 };
        CHECK(p9_server_load(srv, pt, pt_len, &err) == -1);
        CHECK_CONTAINS(kago_err_text(&err), what);
}

UNIT_TEST(snapshot_malformed_9p_tables_are_refused)
{
        snprintf(root, sizeof root, "/tmp/kago-p9-test.XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        struct kago_err err = { 0 };
        CHECK(p9_server_new(root, false, 8192, &srv, &err) == 0);
        host_file("f", "f");
        pt_begin(2);
        pt_fid(1, false, 0, ".");
        pt_fid(2, true, O_RDONLY, "f");
        size_t good = pt_len;
        for (size_t cut = 0; cut < good; cut++) {
                struct kago_err e2 = { 0 };
                CHECK(p9_server_load(srv, pt, cut, &e2) == -1);
        }
        pt_put(0, 1);
        pt_refused("after the last fid");
        const char *bad[] = { "..", "a/../b", "/etc", "a//b", "a/", "", "./a" };
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
                pt_begin(1);
                pt_fid(7, false, 0, bad[k]);
                pt_refused("fid 7: invalid path");
        }
        pt_begin(2);
        pt_fid(3, false, 0, ".");
        pt_fid(3, false, 0, "f");
        pt_refused("fid 3 twice");
        pt_begin(1);
        pt_fid(P9_NOFID, false, 0, ".");
        pt_refused("invalid");
        pt_begin(0xffffffffu);
        pt_refused("fids in");
        pt_begin(1);
        pt_fid(1, true, O_RDONLY, "missing");
        pt_refused("missing");
        pt_begin(2);
        pt_fid(1, false, 0, ".");
        pt_fid(2, true, O_RDONLY, "f");
        CHECK(p9_server_load(srv, pt, pt_len, &err) == 0);
        CHECK(rw(P9_TREAD, 2, 0, NULL, 10) == P9_TREAD + 1 && r32(7) == 1 && reply[11] == 'f');
        CHECK(p9_server_load(srv, pt, pt_len, &err) == -1); /* not fresh any more */
        teardown();
}

UNIT_MAIN("microvm_p9", UNIT(create_write_read_lands_in_the_directory),
          UNIT(dotdot_stays_inside_the_root), UNIT(directories_links_rename_unlink),
          UNIT(setattr_truncates_and_chmods), UNIT(read_only_server_refuses_changes),
          UNIT(bad_input_gets_errors), UNIT(no_openat2_refuses_to_serve),
          UNIT(snapshot_keeps_fids_and_open_files), UNIT(snapshot_open_file_gone_fails_the_9p_load),
          UNIT(snapshot_malformed_9p_tables_are_refused))
