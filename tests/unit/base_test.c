/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the base module: error wrapping, bounded reads, atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../../base/base.h"
#include "unit.h"

UNIT_TEST(err_wrap_prefixes_context)
{
        struct kago_err err = { 0 };

        CHECK(kago_err_errno(&err, EBUSY, "write memory.max = %d", 1048576) == -1);
        kago_err_wrap(&err, "container %s", "web");
        CHECK_STR(kago_err_text(&err),
                  "container web: write memory.max = 1048576: Device or resource busy");
}

UNIT_TEST(err_wrap_truncates_long_messages)
{
        struct kago_err err = { 0 };
        char big[3000];

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        kago_err_set(&err, "%s", big);
        kago_err_wrap(&err, "ctx");
        CHECK(strlen(kago_err_text(&err)) == KAGO_ERR_MSG_MAX - 1);
        CHECK(str_has_prefix(err.msg, "ctx: xxx"));
}

UNIT_TEST(file_read_respects_cap)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct kago_err err = { 0 };
        char *buf = NULL;
        size_t len = 0;

        CHECK(mkdtemp(dir) != NULL);
        int dfd = open(dir, O_DIRECTORY | O_RDONLY);
        CHECK(file_write_atomic_at(dfd, "f", "hello", 5, 0644, &err) == 0);
        CHECK(file_read_at(dfd, "f", 100, &buf, &len, &err) == 0);
        CHECK_STR(buf, "hello");
        CHECK(len == 5);
        free(buf);
        buf = NULL;
        CHECK(file_read_at(dfd, "f", 4, &buf, &len, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "larger than the limit of 4 bytes");
        CHECK(file_read_at(dfd, "missing", 4, &buf, &len, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "open missing: No such file or directory");
        unlinkat(dfd, "f", 0);
        close(dfd);
        rmdir(dir);
}

UNIT_TEST(str_to_i64_rejects_junk_and_range)
{
        int64_t v = 0;

        CHECK(str_to_i64("42", 0, 100, &v) == 0 && v == 42);
        CHECK(str_to_i64("101", 0, 100, &v) < 0);
        CHECK(str_to_i64("4x", 0, 100, &v) < 0);
        CHECK(str_to_i64("", 0, 100, &v) < 0);
}

/* The one size grammar: units k/m/g/t (any case, b or ib after), -1 only
 * bare, the range the caller gives, no overflow. */
UNIT_TEST(str_to_size_grammar)
{
        int64_t v = 0;

        CHECK(str_to_size("1048576", 0, INT64_MAX, &v) == 0 && v == 1048576);
        CHECK(str_to_size("64m", 0, INT64_MAX, &v) == 0 && v == 64 << 20);
        CHECK(str_to_size("256M", 0, INT64_MAX, &v) == 0 && v == 256 << 20);
        CHECK(str_to_size("1G", 0, INT64_MAX, &v) == 0 && v == 1 << 30);
        CHECK(str_to_size("512MiB", 0, INT64_MAX, &v) == 0 && v == 512 << 20);
        CHECK(str_to_size("2gb", 0, INT64_MAX, &v) == 0 && v == 2ll << 30);
        CHECK(str_to_size("3k", 0, INT64_MAX, &v) == 0 && v == 3072);
        CHECK(str_to_size("1T", 0, INT64_MAX, &v) == 0 && v == 1ll << 40);
        CHECK(str_to_size("-1", -1, INT64_MAX, &v) == 0 && v == -1);
        CHECK(str_to_size("-1", 0, INT64_MAX, &v) < 0);
        CHECK(str_to_size("-1k", -1, INT64_MAX, &v) < 0);
        CHECK(str_to_size("-2", -1, INT64_MAX, &v) < 0);
        static const char *const junk[] = { "", "lots", "12X", "1Mx", "1MiBs", "m", " 1M",
                                            "+1M", "1.5G", "99999999999999999999",
                                            "9999999999999G", "8388608T" };
        for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
                if (str_to_size(junk[i], -1, INT64_MAX, &v) == 0)
                        fprintf(stderr, "  \"%s\" accepted\n", junk[i]);
                CHECK(str_to_size(junk[i], -1, INT64_MAX, &v) < 0);
        }
        CHECK(str_to_size(NULL, 0, 1, &v) < 0);
        CHECK(str_to_size("1M", 0, 1 << 19, &v) < 0);
        CHECK(str_to_size("8388607T", 0, INT64_MAX, &v) == 0 && v == 8388607ll << 40);
}

/* fd_send / fd_recv: several fds and the data in one message. */
UNIT_TEST(fd_pass_round_trip_several_fds)
{
        struct kago_err err = { 0 };
        int sv[2], p1[2], p2[2], got[4] = { -1, -1, -1, -1 };
        char data[16] = { 0 };
        size_t n = 9;

        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        CHECK(pipe(p1) == 0 && pipe(p2) == 0);
        int fds[3] = { p1[1], p2[1], p1[0] };
        CHECK(fd_send(sv[0], fds, 3, "abc", 3, &err) == 0);
        CHECK(fd_recv(sv[1], got, 4, &n, data, sizeof data, &err) == 3);
        CHECK(n == 3);
        CHECK_STR(data, "abc");
        /* The received fds are the same pipes, close-on-exec. */
        CHECK(write(got[0], "x", 1) == 1 && write(got[1], "y", 1) == 1);
        char c1 = 0, c2 = 0;
        CHECK(read(got[2], &c1, 1) == 1 && c1 == 'x');
        CHECK(read(p2[0], &c2, 1) == 1 && c2 == 'y');
        CHECK(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
        /* No fds: data only, *nfds 0. */
        CHECK(fd_send(sv[0], NULL, 0, "z", 1, &err) == 0);
        CHECK(fd_recv(sv[1], got + 3, 1, &n, data, sizeof data, &err) == 1);
        CHECK(n == 0 && data[0] == 'z');
        for (int i = 0; i < 3; i++)
                close(got[i]);
        close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
        close(sv[0]), close(sv[1]);
}

UNIT_TEST(fd_pass_too_many_fds_are_refused_and_closed)
{
        struct kago_err err = { 0 };
        int sv[2], got[1] = { -1 };
        char data[4];
        size_t n = 9;

        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        int fds[2] = { sv[0], sv[0] };
        CHECK(fd_send(sv[0], fds, 2, "a", 1, &err) == 0);
        CHECK(fd_recv(sv[1], got, 1, &n, data, sizeof data, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "more came than the 1 expected");
        CHECK(n == 0 && got[0] == -1);
        CHECK(fd_send(sv[0], fds, FD_PASS_MAX + 1, "a", 1, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "at most 253");
        CHECK(fd_send(sv[0], fds, 1, "", 0, &err) < 0);
        close(sv[0]), close(sv[1]);
}

UNIT_TEST(fd_pass_closed_socket_fails_and_eof_reads_zero)
{
        struct kago_err err = { 0 };
        int sv[2], fd = -1;
        char data[4];
        size_t n = 9;

        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
        close(sv[1]);
        CHECK(fd_send(sv[0], &sv[0], 1, "a", 1, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "send 1 fd: Broken pipe");
        close(sv[0]);
        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv + 0) == 0);
        int peer = sv[1];
        close(sv[0]);
        CHECK(fd_recv(peer, &fd, 1, &n, data, sizeof data, &err) == 0);
        CHECK(n == 0 && fd == -1);
        close(peer);
        CHECK(fd_recv(peer, &fd, 1, &n, data, sizeof data, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "receive fds: Bad file descriptor");
}

UNIT_MAIN("base", UNIT(err_wrap_prefixes_context), UNIT(err_wrap_truncates_long_messages),
          UNIT(file_read_respects_cap), UNIT(str_to_i64_rejects_junk_and_range),
          UNIT(str_to_size_grammar),
          UNIT(fd_pass_round_trip_several_fds), UNIT(fd_pass_too_many_fds_are_refused_and_closed),
          UNIT(fd_pass_closed_socket_fails_and_eof_reads_zero))
