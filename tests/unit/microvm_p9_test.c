/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves kago's 9P2000.L server against a temporary directory: session,
 * walk (".." stays inside the root), create/write/read, getattr/setattr,
 * readdir, mkdir/symlink/readlink/rename/unlink, read-only mode, and bad input;
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

UNIT_MAIN("microvm_p9", UNIT(create_write_read_lands_in_the_directory),
          UNIT(dotdot_stays_inside_the_root), UNIT(directories_links_rename_unlink),
          UNIT(setattr_truncates_and_chmods), UNIT(read_only_server_refuses_changes),
          UNIT(bad_input_gets_errors), UNIT(no_openat2_refuses_to_serve))
