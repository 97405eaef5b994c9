/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves kago's FUSE server (virtio-fs) against a temporary directory: INIT
 * negotiation, lookup/getattr/forget, create+write+read back, readdir in
 * pages, readdirplus (counted lookups), mkdir/rename/unlink/rmdir, more
 * inodes than the fd budget (reopened by name, renames followed, a file
 * replaced on the host is stale), names and symlinks that try to leave the
 * root, read-only mode, short or malformed requests, and the tables saved for
 * a checkpoint and loaded into a new server (node ids, lookup counts and open
 * handles kept; gone files stale; a gone open file or a malformed table
 * refused). */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../microvm/fuse.h"
#include "unit.h"

#define OH sizeof(struct fuse_out_header)

static struct fuse_server *srv;
static char root[256];
static uint8_t req[1 << 17], reply[1 << 17];
static size_t req_len;
static size_t reply_len;

static void setup_in(const char *base, bool ro)
{
        snprintf(root, sizeof root, "%s/kago-fuse-test.XXXXXX", base);
        CHECK(mkdtemp(root) != NULL);
        struct kago_err err = { 0 };
        CHECK(fuse_server_new(root, ro, 65536, &srv, &err) == 0);
}

static void setup(bool ro)
{
        setup_in("/tmp", ro);
}

static void teardown(void)
{
        fuse_server_free(srv);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        CHECK(system(cmd) == 0);
}

static void begin(uint32_t opcode, uint64_t nodeid)
{
        struct fuse_in_header h = { .opcode = opcode, .unique = 42, .nodeid = nodeid,
                                    .uid = geteuid(), .gid = getegid() };
        memcpy(req, &h, sizeof h);
        req_len = sizeof h;
}

static void add(const void *p, size_t n)
{
        memcpy(req + req_len, p, n);
        req_len += n;
}

static void add_str(const char *s)
{
        add(s, strlen(s) + 1);
}

/* Send the request; returns the reply's error (0 or -errno), 1 for no reply. */
static int send_cap(size_t cap)
{
        uint32_t len = (uint32_t)req_len;
        memcpy(req, &len, 4);
        reply_len = fuse_handle(srv, req, req_len, reply, cap);
        if (reply_len == 0)
                return 1;
        struct fuse_out_header h;
        memcpy(&h, reply, sizeof h);
        CHECK(h.unique == 42 && h.len == reply_len);
        return h.error;
}

static int send(void)
{
        return send_cap(sizeof reply);
}

static const void *body(void)
{
        return reply + OH;
}

static void write_host(const char *name, const char *data)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, name);
        FILE *f = fopen(p, "w");
        CHECK(f != NULL);
        if (f) {
                fputs(data, f);
                fclose(f);
        }
}

static int lookup(uint64_t parent, const char *name, struct fuse_entry_out *e)
{
        begin(FUSE_LOOKUP, parent);
        add_str(name);
        int rc = send();
        if (rc == 0)
                memcpy(e, body(), sizeof *e);
        return rc;
}

static int do_init(uint32_t major)
{
        struct fuse_init_in in = { .major = major, .minor = 38, .max_readahead = 65536,
                                   .flags = FUSE_MAX_PAGES | FUSE_BIG_WRITES | FUSE_POSIX_ACL };
        begin(FUSE_INIT, 0);
        add(&in, sizeof in);
        return send();
}

UNIT_TEST(init_negotiates_version_and_sizes)
{
        setup(false);
        CHECK(do_init(7) == 0);
        const struct fuse_init_out *o = body();
        CHECK(o->major == 7 && o->minor >= 23);
        CHECK(o->max_write == 65536 && o->max_pages == 16);
        CHECK(o->flags & FUSE_MAX_PAGES);
        CHECK(!(o->flags & FUSE_POSIX_ACL)); /* offered, not taken */
        CHECK(do_init(6) == -EPROTO);
        CHECK(do_init(8) == 0 && ((const struct fuse_init_out *)body())->major == 7);
        begin(FUSE_INIT, 0);
        add("\7\0\0\0", 4); /* short */
        CHECK(send() == -EINVAL);
        teardown();
}

UNIT_TEST(lookup_getattr_and_forget)
{
        setup(false);
        CHECK(do_init(7) == 0);
        write_host("a.txt", "twelve bytes");
        struct fuse_entry_out e, e2;
        CHECK(lookup(FUSE_ROOT_ID, "a.txt", &e) == 0);
        CHECK(e.nodeid > FUSE_ROOT_ID && e.attr.size == 12 && S_ISREG(e.attr.mode));
        CHECK(lookup(FUSE_ROOT_ID, "a.txt", &e2) == 0 && e2.nodeid == e.nodeid);
        struct fuse_getattr_in gi = { 0 };
        begin(FUSE_GETATTR, e.nodeid);
        add(&gi, sizeof gi);
        CHECK(send() == 0 && ((const struct fuse_attr_out *)body())->attr.size == 12);
        CHECK(lookup(FUSE_ROOT_ID, "missing", &e2) == 0 && e2.nodeid == 0); /* negative entry */
        struct fuse_forget_in f = { .nlookup = 1 };
        begin(FUSE_FORGET, e.nodeid);
        add(&f, sizeof f);
        CHECK(send() == 1); /* no reply */
        begin(FUSE_GETATTR, e.nodeid);
        add(&gi, sizeof gi);
        CHECK(send() == 0); /* one lookup still counted */
        struct { struct fuse_batch_forget_in b; struct fuse_forget_one one; } bf = {
                { .count = 1 }, { .nodeid = e.nodeid, .nlookup = 1 } };
        begin(FUSE_BATCH_FORGET, 0);
        add(&bf, sizeof bf);
        CHECK(send() == 1);
        begin(FUSE_GETATTR, e.nodeid);
        add(&gi, sizeof gi);
        CHECK(send() == -ESTALE);
        teardown();
}

static uint64_t create(uint64_t parent, const char *name, uint64_t *fh)
{
        struct fuse_create_in ci = { .flags = O_RDWR | O_CREAT, .mode = S_IFREG | 0640 };
        begin(FUSE_CREATE, parent);
        add(&ci, sizeof ci);
        add_str(name);
        if (send() != 0)
                return 0;
        const struct fuse_entry_out *e = body();
        *fh = ((const struct fuse_open_out *)(e + 1))->fh;
        return e->nodeid;
}

UNIT_TEST(create_write_read_back)
{
        setup(false);
        CHECK(do_init(7) == 0);
        uint64_t fh = 0, node = create(FUSE_ROOT_ID, "hello.txt", &fh);
        CHECK(node > FUSE_ROOT_ID);
        struct fuse_write_in wi = { .fh = fh, .offset = 0, .size = 15 };
        begin(FUSE_WRITE, node);
        add(&wi, sizeof wi);
        add("from the guest\n", 15);
        CHECK(send() == 0 && ((const struct fuse_write_out *)body())->size == 15);
        struct fuse_read_in ri = { .fh = fh, .offset = 5, .size = 100 };
        begin(FUSE_READ, node);
        add(&ri, sizeof ri);
        CHECK(send() == 0 && reply_len == OH + 10 && !memcmp(body(), "the guest\n", 10));
        struct fuse_release_in rel = { .fh = fh };
        begin(FUSE_RELEASE, node);
        add(&rel, sizeof rel);
        CHECK(send() == 0);
        begin(FUSE_READ, node);
        add(&ri, sizeof ri);
        CHECK(send() == -EBADF); /* released */
        char p[512], buf[32] = "";
        snprintf(p, sizeof p, "%s/hello.txt", root);
        FILE *f = fopen(p, "r");
        CHECK(f && fgets(buf, sizeof buf, f));
        if (f)
                fclose(f);
        CHECK_STR(buf, "from the guest\n");
        struct stat st;
        CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640);
        struct fuse_open_in oi = { .flags = O_RDONLY };
        begin(FUSE_OPEN, node);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        teardown();
}

/* All names of the root directory, reading pages of size bytes. */
static int list_root(size_t size, char names[][16], int max)
{
        struct fuse_open_in oi = { 0 };
        begin(FUSE_OPENDIR, FUSE_ROOT_ID);
        add(&oi, sizeof oi);
        if (send() != 0)
                return -1;
        uint64_t fh = ((const struct fuse_open_out *)body())->fh, off = 0;
        int n = 0;
        for (;;) {
                struct fuse_read_in ri = { .fh = fh, .offset = off, .size = (uint32_t)size };
                begin(FUSE_READDIR, FUSE_ROOT_ID);
                add(&ri, sizeof ri);
                if (send() != 0 || reply_len == OH)
                        break;
                for (size_t p = OH; p < reply_len;) {
                        const struct fuse_dirent *d = (const void *)(reply + p);
                        if (n < max)
                                snprintf(names[n++], 16, "%.*s", (int)d->namelen, d->name);
                        off = d->off;
                        p += FUSE_DIRENT_SIZE(d);
                }
        }
        struct fuse_release_in rel = { .fh = fh };
        begin(FUSE_RELEASEDIR, FUSE_ROOT_ID);
        add(&rel, sizeof rel);
        CHECK(send() == 0);
        return n;
}

static int count_name(char names[][16], int n, const char *name)
{
        int c = 0;
        for (int i = 0; i < n; i++)
                c += !strcmp(names[i], name);
        return c;
}

UNIT_TEST(readdir_in_pages_lists_each_entry_once)
{
        setup(false);
        CHECK(do_init(7) == 0);
        char name[16], names[64][16];
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof name, "file%02d", i);
                write_host(name, "x");
        }
        int n = list_root(4096, names, 64);
        CHECK(n == 22); /* ".", "..", 20 files */
        int m = list_root(80, names, 64); /* two or three entries a page */
        CHECK(m == 22);
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof name, "file%02d", i);
                CHECK(count_name(names, m, name) == 1);
        }
        teardown();
}

UNIT_TEST(readdirplus_entries_carry_counted_lookups)
{
        setup(false);
        CHECK(do_init(7) == 0);
        write_host("f", "four");
        struct fuse_open_in oi = { 0 };
        begin(FUSE_OPENDIR, FUSE_ROOT_ID);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        struct fuse_read_in ri = { .fh = ((const struct fuse_open_out *)body())->fh, .size = 4096 };
        begin(FUSE_READDIRPLUS, FUSE_ROOT_ID);
        add(&ri, sizeof ri);
        CHECK(send() == 0);
        uint64_t node = 0;
        int n = 0;
        for (size_t p = OH; p < reply_len; n++) {
                const struct fuse_direntplus *d = (const void *)(reply + p);
                bool dot = d->dirent.name[0] == '.';
                CHECK(dot ? d->entry_out.nodeid == 0 : d->entry_out.nodeid > FUSE_ROOT_ID);
                if (!dot) {
                        node = d->entry_out.nodeid;
                        CHECK(d->entry_out.attr.size == 4 && d->dirent.namelen == 1);
                }
                p += FUSE_DIRENTPLUS_SIZE(d);
        }
        CHECK(n == 3 && node > FUSE_ROOT_ID);
        struct fuse_getattr_in gi = { 0 };
        begin(FUSE_GETATTR, node);
        add(&gi, sizeof gi);
        CHECK(send() == 0);
        struct fuse_forget_in f = { .nlookup = 1 }; /* the one lookup readdirplus counted */
        begin(FUSE_FORGET, node);
        add(&f, sizeof f);
        CHECK(send() == 1);
        begin(FUSE_GETATTR, node);
        add(&gi, sizeof gi);
        CHECK(send() == -ESTALE);
        teardown();
}

/* rm -r's pattern: remove each page of entries before reading the next. On
 * tmpfs a seek by offset counts the entries left, so the server must read on
 * without seeking or it skips as many as were removed. */
UNIT_TEST(readdir_while_removing_misses_nothing)
{
        struct stat st;
        setup_in(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp", false);
        CHECK(do_init(7) == 0);
        char name[16];
        for (int i = 0; i < 300; i++) {
                snprintf(name, sizeof name, "%d", i);
                write_host(name, "x");
        }
        struct fuse_open_in oi = { 0 };
        begin(FUSE_OPENDIR, FUSE_ROOT_ID);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        uint64_t fh = ((const struct fuse_open_out *)body())->fh, off = 0;
        int removed = 0;
        for (int pages = 0; pages < 1000; pages++) {
                struct fuse_read_in ri = { .fh = fh, .offset = off, .size = 512 };
                begin(FUSE_READDIR, FUSE_ROOT_ID);
                add(&ri, sizeof ri);
                if (send() != 0 || reply_len == OH)
                        break;
                static uint8_t page[4096];
                size_t len = reply_len;
                memcpy(page, reply, len);
                for (size_t p = OH; p < len;) {
                        const struct fuse_dirent *d = (const void *)(page + p);
                        snprintf(name, sizeof name, "%.*s", (int)d->namelen, d->name);
                        off = d->off;
                        p += FUSE_DIRENT_SIZE(d);
                        if (name[0] == '.')
                                continue;
                        begin(FUSE_UNLINK, FUSE_ROOT_ID);
                        add_str(name);
                        removed += send() == 0;
                }
        }
        CHECK(removed == 300);
        teardown();
}

static int mkdir_in(uint64_t parent, const char *name, uint64_t *node)
{
        struct fuse_mkdir_in mi = { .mode = 0750 };
        begin(FUSE_MKDIR, parent);
        add(&mi, sizeof mi);
        add_str(name);
        int rc = send();
        if (rc == 0)
                *node = ((const struct fuse_entry_out *)body())->nodeid;
        return rc;
}

static int rename_in(uint32_t op, uint64_t from, const char *a, uint64_t to, const char *b,
                     uint32_t flags)
{
        begin(op, from);
        if (op == FUSE_RENAME2) {
                struct fuse_rename2_in ri = { .newdir = to, .flags = flags };
                add(&ri, sizeof ri);
        } else {
                struct fuse_rename_in ri = { .newdir = to };
                add(&ri, sizeof ri);
        }
        add_str(a);
        add_str(b);
        return send();
}

static bool host_exists(const char *rel)
{
        char p[512];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", root, rel);
        return lstat(p, &st) == 0;
}

UNIT_TEST(mkdir_rename_unlink_rmdir)
{
        setup(false);
        CHECK(do_init(7) == 0);
        uint64_t d = 0, fh;
        CHECK(mkdir_in(FUSE_ROOT_ID, "d", &d) == 0 && d > FUSE_ROOT_ID);
        CHECK(host_exists("d"));
        CHECK(create(d, "x", &fh) > 0 && host_exists("d/x"));
        CHECK(rename_in(FUSE_RENAME, d, "x", FUSE_ROOT_ID, "y", 0) == 0);
        CHECK(!host_exists("d/x") && host_exists("y"));
        write_host("z", "z");
        CHECK(rename_in(FUSE_RENAME2, FUSE_ROOT_ID, "y", FUSE_ROOT_ID, "z", RENAME_NOREPLACE) == -EEXIST);
        CHECK(rename_in(FUSE_RENAME2, FUSE_ROOT_ID, "y", FUSE_ROOT_ID, "z", 1u << 30) == -EINVAL);
        begin(FUSE_RMDIR, FUSE_ROOT_ID);
        add_str("d");
        CHECK(send() == 0 && !host_exists("d"));
        begin(FUSE_UNLINK, FUSE_ROOT_ID);
        add_str("y");
        CHECK(send() == 0 && !host_exists("y"));
        begin(FUSE_UNLINK, FUSE_ROOT_ID);
        add_str("y");
        CHECK(send() == -ENOENT);
        teardown();
}

static int getattr_size(uint64_t node, uint64_t *size)
{
        struct fuse_getattr_in gi = { 0 };
        begin(FUSE_GETATTR, node);
        add(&gi, sizeof gi);
        int rc = send();
        if (rc == 0)
                *size = ((const struct fuse_attr_out *)body())->attr.size;
        return rc;
}

UNIT_TEST(more_inodes_than_the_fd_budget)
{
        setup(false);
        CHECK(do_init(7) == 0);
        srv->open_max = 3;
        uint64_t d = 0, e = 0, fh, files[12], size;
        CHECK(mkdir_in(FUSE_ROOT_ID, "d", &d) == 0 && mkdir_in(d, "e", &e) == 0);
        char name[16];
        for (int k = 0; k < 12; k++) {
                snprintf(name, sizeof name, "f%d", k);
                files[k] = create(k % 2 ? e : d, name, &fh);
                CHECK(files[k] > FUSE_ROOT_ID);
                struct fuse_write_in wi = { .fh = fh, .size = (uint32_t)k };
                begin(FUSE_WRITE, files[k]);
                add(&wi, sizeof wi);
                add("0123456789abc", (size_t)k);
                CHECK(send() == 0);
                CHECK(srv->n_open <= 3);
        }
        for (int k = 0; k < 12; k++) /* each reopened by name, parents first */
                CHECK(getattr_size(files[k], &size) == 0 && size == (uint64_t)k);
        CHECK(srv->n_open <= 3);
        /* moved by the guest: found at the new place */
        CHECK(rename_in(FUSE_RENAME, e, "f1", FUSE_ROOT_ID, "g", 0) == 0);
        CHECK(rename_in(FUSE_RENAME, FUSE_ROOT_ID, "d", FUSE_ROOT_ID, "d2", 0) == 0);
        for (int k = 0; k < 12; k++)
                CHECK(getattr_size(files[k], &size) == 0 && size == (uint64_t)k);
        struct fuse_open_in oi = { .flags = O_RDONLY };
        begin(FUSE_OPEN, files[5]);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        /* replaced on the host behind the guest's back: stale, not another file */
        CHECK(getattr_size(files[3], &size) == 0);
        for (int k = 0; k < 12; k += 2) /* push files[3]'s fd out */
                CHECK(getattr_size(files[k], &size) == 0);
        char p[512];
        snprintf(p, sizeof p, "%s/d2/e/f3", root);
        CHECK(unlink(p) == 0);
        write_host("d2/e/f3", "other");
        CHECK(getattr_size(files[3], &size) == -ESTALE);
        teardown();
}

UNIT_TEST(a_deep_tree_beyond_the_fd_budget)
{
        setup(false);
        CHECK(do_init(7) == 0);
        srv->open_max = 2;
        uint64_t node = FUSE_ROOT_ID, size;
        for (int k = 0; k < 1500 && node; k++) {
                uint64_t next = 0;
                CHECK(mkdir_in(node, "n", &next) == 0);
                node = next;
        }
        CHECK(node > FUSE_ROOT_ID && srv->n_open <= 2);
        CHECK(getattr_size(node, &size) == 0); /* 1500 levels reopened */
        CHECK(srv->n_open <= 2);
        teardown();
}

UNIT_TEST(nothing_leaves_the_root)
{
        setup(false);
        CHECK(do_init(7) == 0);
        struct fuse_entry_out e;
        CHECK(lookup(FUSE_ROOT_ID, "..", &e) == -EINVAL);
        CHECK(lookup(FUSE_ROOT_ID, ".", &e) == -EINVAL);
        CHECK(lookup(FUSE_ROOT_ID, "a/b", &e) == -EINVAL);
        CHECK(lookup(FUSE_ROOT_ID, "", &e) == -EINVAL);
        char p[512];
        snprintf(p, sizeof p, "%s/up", root);
        CHECK(symlink("/", p) == 0);
        CHECK(lookup(FUSE_ROOT_ID, "up", &e) == 0 && S_ISLNK(e.attr.mode));
        uint64_t link = e.nodeid;
        CHECK(lookup(link, "etc", &e) == -ENOTDIR); /* never through the link */
        uint64_t d;
        CHECK(mkdir_in(link, "x", &d) == -ENOTDIR);
        struct fuse_open_in oi = { .flags = O_RDONLY };
        begin(FUSE_OPEN, link);
        add(&oi, sizeof oi);
        CHECK(send() < 0);
        begin(FUSE_OPENDIR, link);
        add(&oi, sizeof oi);
        CHECK(send() < 0);
        begin(FUSE_READLINK, link);
        CHECK(send() == 0 && reply_len == OH + 1 && ((const char *)body())[0] == '/');
        /* a symlink the guest makes is created, never followed by the host */
        begin(FUSE_SYMLINK, FUSE_ROOT_ID);
        add_str("pw");
        add_str("/etc/passwd");
        CHECK(send() == 0);
        uint64_t fh;
        struct fuse_create_in ci = { .flags = O_WRONLY | O_CREAT, .mode = 0644 };
        begin(FUSE_CREATE, FUSE_ROOT_ID);
        add(&ci, sizeof ci);
        add_str("pw");
        CHECK(send() == -ELOOP);
        CHECK(create(FUSE_ROOT_ID, "../escape", &fh) == 0 && !host_exists("../escape"));
        teardown();
}

UNIT_TEST(read_only_server_refuses_changes)
{
        setup(true);
        CHECK(do_init(7) == 0);
        write_host("a", "a");
        uint64_t d, fh;
        CHECK(mkdir_in(FUSE_ROOT_ID, "d", &d) == -EROFS);
        CHECK(create(FUSE_ROOT_ID, "n", &fh) == 0 && !host_exists("n"));
        struct fuse_entry_out e;
        CHECK(lookup(FUSE_ROOT_ID, "a", &e) == 0);
        struct fuse_open_in oi = { .flags = O_RDWR };
        begin(FUSE_OPEN, e.nodeid);
        add(&oi, sizeof oi);
        CHECK(send() == -EROFS);
        oi.flags = O_RDONLY;
        begin(FUSE_OPEN, e.nodeid);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        begin(FUSE_UNLINK, FUSE_ROOT_ID);
        add_str("a");
        CHECK(send() == -EROFS && host_exists("a"));
        teardown();
}

UNIT_TEST(malformed_requests_are_rejected)
{
        setup(false);
        CHECK(do_init(7) == 0);
        uint8_t tiny[8] = { 0 };
        CHECK(fuse_handle(srv, tiny, sizeof tiny, reply, sizeof reply) == 0); /* no header */
        begin(FUSE_GETATTR, FUSE_ROOT_ID);
        struct fuse_getattr_in gi = { 0 };
        add(&gi, sizeof gi);
        uint32_t big = 100000;
        memcpy(req, &big, 4); /* length beyond the buffer */
        CHECK(fuse_handle(srv, req, req_len, reply, sizeof reply) == OH);
        CHECK(((const struct fuse_out_header *)(const void *)reply)->error == -EINVAL);
        begin(FUSE_GETATTR, FUSE_ROOT_ID); /* no getattr_in */
        CHECK(send() == -EINVAL);
        begin(FUSE_GETATTR, 987654);
        add(&gi, sizeof gi);
        CHECK(send() == -ESTALE);
        begin(FUSE_LOOKUP, FUSE_ROOT_ID);
        add("abc", 3); /* no NUL */
        CHECK(send() == -EINVAL);
        struct fuse_write_in wi = { .fh = 0, .size = 1000 };
        begin(FUSE_WRITE, FUSE_ROOT_ID);
        add(&wi, sizeof wi);
        add("short", 5); /* less data than size says */
        CHECK(send() == -EINVAL);
        struct fuse_read_in ri = { .fh = 12345, .size = 10 };
        begin(FUSE_READ, FUSE_ROOT_ID);
        add(&ri, sizeof ri);
        CHECK(send() == -EBADF);
        begin(FUSE_READDIR, FUSE_ROOT_ID);
        add(&ri, sizeof ri);
        CHECK(send() == -EBADF);
        begin(FUSE_IOCTL, FUSE_ROOT_ID);
        CHECK(send() == -ENOSYS);
        begin(9999, FUSE_ROOT_ID);
        CHECK(send() == -ENOSYS);
        struct fuse_batch_forget_in bf = { .count = 1000000 }; /* more than it carries */
        begin(FUSE_BATCH_FORGET, 0);
        add(&bf, sizeof bf);
        CHECK(send() == 1);
        begin(FUSE_STATFS, FUSE_ROOT_ID);
        CHECK(send_cap(OH - 1) == 1); /* no room for a reply: nothing done */
        CHECK(send_cap(OH + 8) == -EINVAL); /* reply does not fit */
        CHECK(send() == 0);
        /* a huge read into a small reply buffer stays inside it */
        uint64_t fh, node = create(FUSE_ROOT_ID, "r", &fh);
        char data[4096];
        memset(data, 'r', sizeof data);
        struct fuse_write_in w2 = { .fh = fh, .size = sizeof data };
        begin(FUSE_WRITE, node);
        add(&w2, sizeof w2);
        add(data, sizeof data);
        CHECK(send() == 0);
        struct fuse_read_in r2 = { .fh = fh, .size = 1u << 30 };
        begin(FUSE_READ, node);
        add(&r2, sizeof r2);
        CHECK(send_cap(OH + 100) == 0 && reply_len == OH + 100);
        teardown();
}

/* ---- checkpoint: the tables saved and loaded into a new server --------- */

static int count_fds(void)
{
        int n = 0;
        DIR *d = opendir("/proc/self/fd");
        while (d && readdir(d))
                n++;
        if (d)
                closedir(d);
        return n;
}

static void host_mkdir(const char *rel)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        CHECK(mkdir(p, 0755) == 0);
}

static void host_unlink(const char *rel)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        CHECK(unlink(p) == 0);
}

/* Save srv's tables, free it and serve the same root with a new server
 * loaded from them; returns the load's result (err: its error). */
static int restart(struct kago_err *err)
{
        uint8_t *data = NULL;
        size_t len = 0;
        struct fuse_server *fresh = NULL;
        CHECK(fuse_server_save(srv, &data, &len, err) == 0);
        fuse_server_free(srv);
        CHECK(fuse_server_new(root, false, 65536, &fresh, err) == 0);
        srv = fresh;
        int rc = fuse_server_load(srv, data, len, err);
        free(data);
        return rc;
}

static int forget(uint64_t node, uint64_t n)
{
        struct fuse_forget_in f = { .nlookup = n };
        begin(FUSE_FORGET, node);
        add(&f, sizeof f);
        return send();
}

static uint64_t open_node(uint32_t op, uint64_t node, uint32_t flags)
{
        struct fuse_open_in oi = { .flags = flags };
        begin(op, node);
        add(&oi, sizeof oi);
        CHECK(send() == 0);
        return ((const struct fuse_open_out *)body())->fh;
}

/* One page of READDIR from off: the names in names[*n..], the next offset. */
static uint64_t read_dir_page(uint64_t node, uint64_t fh, uint64_t off, uint32_t size,
                              char names[][16], int *n)
{
        struct fuse_read_in ri = { .fh = fh, .offset = off, .size = size };
        begin(FUSE_READDIR, node);
        add(&ri, sizeof ri);
        CHECK(send() == 0);
        for (size_t p = OH; p < reply_len;) {
                const struct fuse_dirent *d = (const void *)(reply + p);
                if (*n < 64)
                        snprintf(names[(*n)++], 16, "%.*s", (int)d->namelen, d->name);
                off = d->off;
                p += FUSE_DIRENT_SIZE(d);
        }
        return off;
}

UNIT_TEST(snapshot_keeps_nodes_and_handles)
{
        setup(false);
        CHECK(do_init(7) == 0);
        host_mkdir("a");
        host_mkdir("a/b");
        write_host("a/b/c", "hello");
        char name[16], names[64][16];
        for (int k = 0; k < 10; k++) {
                snprintf(name, sizeof name, "a/f%d", k);
                write_host(name, "x");
        }
        struct fuse_entry_out a, b, c, e;
        CHECK(lookup(FUSE_ROOT_ID, "a", &a) == 0 && lookup(a.nodeid, "b", &b) == 0);
        CHECK(lookup(b.nodeid, "c", &c) == 0 && lookup(b.nodeid, "c", &e) == 0); /* counted twice */
        uint64_t fh = open_node(FUSE_OPEN, c.nodeid, O_RDWR);
        uint64_t dfh = open_node(FUSE_OPENDIR, a.nodeid, 0);
        int n = 0;
        uint64_t off = read_dir_page(a.nodeid, dfh, 0, 80, names, &n); /* a page of 2 or 3 */
        CHECK(n > 0 && n < 12);
        struct kago_err err = { 0 };
        CHECK(restart(&err) == 0);
        uint64_t size;
        CHECK(getattr_size(a.nodeid, &size) == 0 && getattr_size(b.nodeid, &size) == 0);
        CHECK(getattr_size(c.nodeid, &size) == 0 && size == 5);
        struct fuse_write_in wi = { .fh = fh, .offset = 5, .size = 6 };
        begin(FUSE_WRITE, c.nodeid);
        add(&wi, sizeof wi);
        add(" world", 6);
        CHECK(send() == 0 && ((const struct fuse_write_out *)body())->size == 6);
        struct fuse_read_in ri = { .fh = fh, .size = 100 };
        begin(FUSE_READ, c.nodeid);
        add(&ri, sizeof ri);
        CHECK(send() == 0 && reply_len == OH + 11 && !memcmp(body(), "hello world", 11));
        for (int pages = 0; pages < 20; pages++) { /* the directory read on where it stood */
                int before = n;
                off = read_dir_page(a.nodeid, dfh, off, 80, names, &n);
                if (n == before)
                        break;
        }
        CHECK(n == 13 && count_name(names, n, "b") == 1); /* ".", "..", b, f0..f9 */
        for (int k = 0; k < 10; k++) {
                snprintf(name, sizeof name, "f%d", k);
                CHECK(count_name(names, n, name) == 1);
        }
        CHECK(lookup(a.nodeid, "f3", &e) == 0); /* a new node: no old id reused */
        CHECK(e.nodeid != a.nodeid && e.nodeid != b.nodeid && e.nodeid != c.nodeid);
        CHECK(e.generation > c.generation);
        CHECK(forget(c.nodeid, 1) == 1 && getattr_size(c.nodeid, &size) == 0);
        CHECK(forget(c.nodeid, 1) == 1 && getattr_size(c.nodeid, &size) == -ESTALE);
        teardown();
}

UNIT_TEST(snapshot_gone_file_is_stale_after_load)
{
        setup(false);
        CHECK(do_init(7) == 0);
        host_mkdir("d");
        write_host("d/x", "x");
        write_host("d/y", "yy");
        struct fuse_entry_out d, x, y;
        CHECK(lookup(FUSE_ROOT_ID, "d", &d) == 0 && lookup(d.nodeid, "x", &x) == 0);
        CHECK(lookup(d.nodeid, "y", &y) == 0);
        srv->open_max = 1; /* most nodes closed at the save: reopened by name at the load */
        uint8_t *data;
        size_t len;
        struct kago_err err = { 0 };
        CHECK(fuse_server_save(srv, &data, &len, &err) == 0);
        fuse_server_free(srv);
        host_unlink("d/x");
        CHECK(fuse_server_new(root, false, 65536, &srv, &err) == 0);
        srv->open_max = 2;
        CHECK(fuse_server_load(srv, data, len, &err) == 0);
        free(data);
        CHECK(srv->n_open <= 2);
        uint64_t size;
        CHECK(getattr_size(x.nodeid, &size) == -ESTALE);
        CHECK(getattr_size(y.nodeid, &size) == 0 && size == 2);
        write_host("d/x", "new"); /* another file under the old name: still stale */
        CHECK(getattr_size(x.nodeid, &size) == -ESTALE);
        teardown();
}

UNIT_TEST(snapshot_open_file_gone_fails_the_load)
{
        setup(false);
        CHECK(do_init(7) == 0);
        host_mkdir("a");
        host_mkdir("a/b");
        write_host("a/b/c", "c");
        struct fuse_entry_out a, b, c;
        CHECK(lookup(FUSE_ROOT_ID, "a", &a) == 0 && lookup(a.nodeid, "b", &b) == 0);
        CHECK(lookup(b.nodeid, "c", &c) == 0);
        open_node(FUSE_OPEN, c.nodeid, O_WRONLY);
        uint8_t *data;
        size_t len;
        struct kago_err err = { 0 };
        CHECK(fuse_server_save(srv, &data, &len, &err) == 0);
        fuse_server_free(srv);
        host_unlink("a/b/c");
        CHECK(fuse_server_new(root, false, 65536, &srv, &err) == 0);
        int fds = count_fds();
        CHECK(fuse_server_load(srv, data, len, &err) == -1);
        CHECK_CONTAINS(kago_err_text(&err), "a/b/c");
        CHECK(count_fds() == fds && srv->n_open == 1); /* back to a fresh server */
        uint64_t size;
        CHECK(getattr_size(a.nodeid, &size) == -ESTALE);
        write_host("a/b/c", "again");
        CHECK(fuse_server_load(srv, data, len, &err) == 0); /* it was left fresh */
        CHECK(getattr_size(c.nodeid, &size) == 0 && size == 5);
        free(data);
        teardown();
}

static uint8_t tb[4096];
static size_t tb_len;

static void tb_put(uint64_t v, size_t n)
{
        for (size_t k = 0; k < n; k++)
                tb[tb_len++] = (uint8_t)(v >> (8 * k));
}

static void tb_begin(uint32_t nodes, uint32_t handles)
{
        tb_len = 0;
        tb_put(1, 4);
        tb_put(100, 8);
        tb_put(nodes, 4);
        tb_put(handles, 4);
}

static void tb_node(uint64_t id, uint64_t parent, const char *name)
{
        size_t nl = strlen(name);
        tb_put(id, 8);
        tb_put(parent, 8);
        tb_put(id + 10, 8);
        tb_put(1, 8);
        tb_put(nl, 2);
        memcpy(tb + tb_len, name, nl);
        tb_len += nl;
}

static void tb_fh(uint64_t fh, uint64_t node, uint32_t flags, bool dir)
{
        tb_put(fh, 8);
        tb_put(node, 8);
        tb_put(flags, 4);
        tb_put(dir, 1);
        tb_put(0, 8);
}

/* The load of tb fails, saying what, and leaves the server fresh. */
static void tb_refused(const char *what)
{
        struct kago_err err = { 0 };
        int fds = count_fds();
        CHECK(fuse_server_load(srv, tb, tb_len, &err) == -1);
        CHECK_CONTAINS(kago_err_text(&err), what);
        CHECK(count_fds() == fds && srv->n_open == 1);
}

UNIT_TEST(snapshot_malformed_tables_are_refused)
{
        setup(false);
        CHECK(do_init(7) == 0);
        host_mkdir("p");
        write_host("p/q", "q");
        struct kago_err err = { 0 };
        /* a good table: a child (2) with a lower id than its parent (3) */
        tb_begin(3, 2);
        tb_node(2, 3, "q");
        tb_node(1, 0, "");
        tb_node(3, 1, "p");
        tb_fh(0, 2, O_RDONLY, false);
        tb_fh(5, 3, O_RDONLY, true);
        size_t good = tb_len;
        for (size_t cut = 0; cut < good; cut++) { /* every truncation */
                struct kago_err e2 = { 0 };
                CHECK(fuse_server_load(srv, tb, cut, &e2) == -1);
        }
        CHECK(srv->n_open == 1);
        tb_put(0, 1);
        tb_refused("after the last handle");
        tb_len = good;
        tb[0] = 2;
        tb_refused("version 2");
        tb[0] = 1;
        tb_begin(2, 0);
        tb_node(1, 0, "");
        tb_node(17, 99, "x");
        tb_refused("node 17: parent 99 unknown");
        tb_begin(3, 0);
        tb_node(1, 0, "");
        tb_node(2, 3, "x");
        tb_node(3, 2, "y");
        tb_refused("loop");
        tb_begin(2, 0);
        tb_node(1, 0, "");
        tb_node(2, 2, "x");
        tb_refused("loop");
        const char *bad[] = { "a/b", "..", ".", "" };
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
                tb_begin(2, 0);
                tb_node(1, 0, "");
                tb_node(2, 1, bad[k]);
                tb_refused("node 2: invalid name");
        }
        tb_begin(2, 0);
        tb_node(1, 0, "");
        tb_node(2, 1, "a");
        tb[tb_len - 1] = 0; /* a NUL inside */
        tb_refused("node 2: invalid name");
        tb_begin(3, 0);
        tb_node(1, 0, "");
        tb_node(2, 1, "a");
        tb_node(2, 1, "b");
        tb_refused("node 2 twice");
        tb_begin(1, 0);
        tb_node(2, 1, "a");
        tb_refused("no root");
        tb_begin(1, 0);
        tb_node(1, 3, "");
        tb_refused("node 1 (the root)");
        tb_begin(1, 0);
        tb_node(1ull << 40, 1, "a");
        tb_refused("out of range");
        tb_begin(1, 1);
        tb_node(1, 0, "");
        tb_fh(0, 7, O_RDONLY, false);
        tb_refused("handle 0: node 7 unknown");
        tb_begin(1, 2);
        tb_node(1, 0, "");
        tb_fh(3, 1, O_RDONLY, true);
        tb_fh(3, 1, O_RDONLY, true);
        tb_refused("handle 3 twice");
        tb_begin(0xffffffffu, 0);
        tb_refused("nodes and");
        tb_begin(2, 1); /* a handle on a directory opened as a file */
        tb_node(1, 0, "");
        tb_node(2, 1, "p");
        tb_fh(0, 2, O_RDONLY, false);
        tb_refused("handle 0");
        /* the good table loads after all the refusals */
        tb_begin(3, 2);
        tb_node(2, 3, "q");
        tb_node(1, 0, "");
        tb_node(3, 1, "p");
        tb_fh(0, 2, O_RDONLY, false);
        tb_fh(5, 3, O_RDONLY, true);
        CHECK(fuse_server_load(srv, tb, tb_len, &err) == 0);
        struct fuse_read_in ri = { .fh = 0, .size = 10 };
        begin(FUSE_READ, 2);
        add(&ri, sizeof ri);
        CHECK(send() == 0 && reply_len == OH + 1 && ((const char *)body())[0] == 'q');
        CHECK(fuse_server_load(srv, tb, tb_len, &err) == -1); /* not fresh any more */
        teardown();
}

UNIT_MAIN("microvm_fuse", UNIT(init_negotiates_version_and_sizes), UNIT(lookup_getattr_and_forget),
          UNIT(create_write_read_back), UNIT(readdir_in_pages_lists_each_entry_once),
          UNIT(readdirplus_entries_carry_counted_lookups), UNIT(readdir_while_removing_misses_nothing),
          UNIT(mkdir_rename_unlink_rmdir), UNIT(more_inodes_than_the_fd_budget),
          UNIT(a_deep_tree_beyond_the_fd_budget),
          UNIT(nothing_leaves_the_root),
          UNIT(read_only_server_refuses_changes), UNIT(malformed_requests_are_rejected),
          UNIT(snapshot_keeps_nodes_and_handles), UNIT(snapshot_gone_file_is_stale_after_load),
          UNIT(snapshot_open_file_gone_fails_the_load), UNIT(snapshot_malformed_tables_are_refused))
