/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves kago exec's side of a microVM exec (microvm/agent_client.c) and the
 * agent frames (microvm/guest_proto.h) against a stand-in VMM: a child that
 * accepts on the control socket microvm_control_listen made (mode 0600) and
 * answers as the VMM and guest agent would. A started process's output
 * comes back on the right fd and its status is the relay's; stdin reaches
 * it, then its end; an ERROR is the start's error; a VMM that never answers
 * is a timeout naming the guest agent; a session the VMM drops is 137. The
 * frame decoder takes whole frames only and refuses another version, an
 * unknown type and an oversized length. The guest and VMM ends need KVM:
 * vm_exec.bats.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../microvm/guest_proto.h"
#include "../../microvm/microvm.h"
#include "unit.h"

enum script { ANSWER_AND_ECHO, ANSWER_ERROR, NEVER_ANSWER, DROP_AFTER_START };

static void put_frame(int fd, uint8_t type, const void *data, uint32_t len)
{
        uint8_t h[KAGO_AGENT_HDR];
        kago_agent_hdr_put(h, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, 0, len });
        if (write(fd, h, sizeof h) != (ssize_t)sizeof h || (len && write(fd, data, len) != (ssize_t)len))
                _exit(3);
}

/* One whole frame, read byte-exact; the type, or 0 at the end. */
static int get_frame(int fd, uint8_t *data, uint32_t *len)
{
        uint8_t h[KAGO_AGENT_HDR];
        struct kago_agent_hdr hdr;
        if (fd_read_all(fd, h, sizeof h) != (ssize_t)sizeof h || kago_agent_hdr_get(h, &hdr) < 0)
                return 0;
        if (fd_read_all(fd, data, hdr.len) != (ssize_t)hdr.len)
                return 0;
        *len = hdr.len;
        return hdr.type;
}

/* The stand-in VMM: checks the OPEN names "cat", then follows script.
 * ANSWER_AND_ECHO sends back each STDIN as STDOUT (and "e" as STDERR)
 * and EXIT 9 after the end of input. */
static _Noreturn void fake_vmm(int lfd, enum script s)
{
        static uint8_t buf[KAGO_AGENT_DATA_MAX];
        uint32_t len = 0;
        fcntl(lfd, F_SETFL, 0);
        int c = accept(lfd, NULL, NULL);
        if (c < 0 || get_frame(c, buf, &len) != KAGO_AGENT_OPEN || !memmem(buf, len, "cat", 3))
                _exit(2);
        if (s == NEVER_ANSWER) {
                pause();
                _exit(0);
        }
        if (s == ANSWER_ERROR) {
                put_frame(c, KAGO_AGENT_ERROR, "guest agent: fork: no memory", 28);
                _exit(0);
        }
        uint8_t pid[4] = { 42, 0, 0, 0 };
        put_frame(c, KAGO_AGENT_STARTED, pid, 4);
        if (s == DROP_AFTER_START)
                _exit(0);
        int t;
        while ((t = get_frame(c, buf, &len)) == KAGO_AGENT_ACK || (t == KAGO_AGENT_STDIN && len))
                if (t == KAGO_AGENT_STDIN)
                        put_frame(c, KAGO_AGENT_STDOUT, buf, len);
        put_frame(c, KAGO_AGENT_STDERR, "e", 1);
        uint8_t st[4] = { 9, 0, 0, 0 };
        put_frame(c, KAGO_AGENT_EXIT, st, 4);
        _exit(t == KAGO_AGENT_STDIN ? 0 : 4);
}

struct fixture {
        char dir[64];
        int dirfd, lfd;
        pid_t vmm;
};

static void fixture_start(struct fixture *f, enum script s)
{
        struct kago_err err = { 0 };
        strcpy(f->dir, "/tmp/kago-agent-test.XXXXXX");
        CHECK(mkdtemp(f->dir) != NULL);
        f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(microvm_control_listen(f->dirfd, &f->lfd, &err) == 0);
        struct stat sb;
        CHECK(fstatat(f->dirfd, MICROVM_CONTROL_SOCKET, &sb, 0) == 0 && (sb.st_mode & 0777) == 0600);
        f->vmm = fork();
        if (f->vmm == 0)
                fake_vmm(f->lfd, s);
}

/* The stand-in's exit status once it ends (killed when stop). */
static int fixture_end(struct fixture *f, bool stop)
{
        int st = -1;
        if (stop)
                kill(f->vmm, SIGKILL);
        waitpid(f->vmm, &st, 0);
        close(f->lfd);
        unlinkat(f->dirfd, MICROVM_CONTROL_SOCKET, 0);
        close(f->dirfd);
        rmdir(f->dir);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *const cat_args[] = { "cat", NULL };
static const struct microvm_process cat = { .args = cat_args, .umask = -1 };

UNIT_TEST(a_started_process_relays_its_stdio_and_status)
{
        struct fixture f;
        struct kago_err err = { 0 };
        int conn = -1, in[2], out[2], errp[2];
        fixture_start(&f, ANSWER_AND_ECHO);
        CHECK(microvm_exec_start(f.dirfd, "c1", &cat, 5000, &conn, &err) == 0);
        CHECK(pipe(in) == 0 && pipe(out) == 0 && pipe(errp) == 0);
        CHECK(write(in[1], "hello", 5) == 5);
        close(in[1]); /* its stdin ends */
        CHECK(microvm_exec_relay(conn, in[0], out[1], errp[1], -1) == 9);
        close(out[1]);
        close(errp[1]);
        char got[16] = "";
        CHECK(read(out[0], got, sizeof got) == 5 && memcmp(got, "hello", 5) == 0);
        CHECK(read(errp[0], got, sizeof got) == 1 && got[0] == 'e');
        CHECK(fixture_end(&f, false) == 0);
}

UNIT_TEST(an_error_from_the_agent_is_the_start_error)
{
        struct fixture f;
        struct kago_err err = { 0 };
        int conn = -1;
        fixture_start(&f, ANSWER_ERROR);
        CHECK(microvm_exec_start(f.dirfd, "c1", &cat, 5000, &conn, &err) < 0);
        CHECK_STR(kago_err_text(&err), "guest agent: fork: no memory");
        CHECK(conn == -1);
        CHECK(fixture_end(&f, false) == 0);
}

UNIT_TEST(an_agent_that_never_answers_is_a_timeout_naming_it)
{
        struct fixture f;
        struct kago_err err = { 0 };
        int conn = -1;
        fixture_start(&f, NEVER_ANSWER);
        CHECK(microvm_exec_start(f.dirfd, "c1", &cat, 100, &conn, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "the guest agent did not answer within 100 ms");
        fixture_end(&f, true);
}

UNIT_TEST(a_session_the_vmm_drops_ends_as_killed)
{
        struct fixture f;
        struct kago_err err = { 0 };
        int conn = -1;
        fixture_start(&f, DROP_AFTER_START);
        CHECK(microvm_exec_start(f.dirfd, "c1", &cat, 5000, &conn, &err) == 0);
        CHECK(microvm_exec_relay(conn, -1, -1, -1, -1) == 128 + SIGKILL);
        CHECK(fixture_end(&f, false) == 0);
}

UNIT_TEST(no_socket_is_an_error_naming_the_container)
{
        struct kago_err err = { 0 };
        int conn = -1;
        int dirfd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(microvm_exec_start(dirfd, "c9", &cat, 100, &conn, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "container \"c9\": connect to its VMM's control socket");
        close(dirfd);
}

UNIT_TEST(the_decoder_takes_whole_frames_of_its_version_only)
{
        uint8_t b[KAGO_AGENT_HDR + 3];
        struct kago_agent_hdr h;
        const uint8_t *data;
        size_t off = 0;
        kago_agent_hdr_put(b, &(struct kago_agent_hdr){ KAGO_AGENT_STDOUT, KAGO_AGENT_VERSION, 7, 3 });
        memcpy(b + KAGO_AGENT_HDR, "abc", 3);
        CHECK(kago_agent_next(b, sizeof b - 1, &off, &h, &data) == 0 && off == 0);
        CHECK(kago_agent_next(b, sizeof b, &off, &h, &data) == 1);
        CHECK(off == sizeof b && h.session == 7 && h.len == 3 && memcmp(data, "abc", 3) == 0);
        off = 0;
        b[1] = KAGO_AGENT_VERSION + 1;
        CHECK(kago_agent_next(b, sizeof b, &off, &h, &data) < 0);
        kago_agent_hdr_put(b, &(struct kago_agent_hdr){ KAGO_AGENT_MSG_MAX, KAGO_AGENT_VERSION, 1, 0 });
        CHECK(kago_agent_next(b, sizeof b, &off, &h, &data) < 0);
        kago_agent_hdr_put(b, &(struct kago_agent_hdr){ KAGO_AGENT_STDIN, KAGO_AGENT_VERSION, 1,
                                                        KAGO_AGENT_DATA_MAX + 1 });
        CHECK(kago_agent_next(b, sizeof b, &off, &h, &data) < 0);
}

UNIT_MAIN("microvm_agent", UNIT(a_started_process_relays_its_stdio_and_status),
          UNIT(an_error_from_the_agent_is_the_start_error),
          UNIT(an_agent_that_never_answers_is_a_timeout_naming_it),
          UNIT(a_session_the_vmm_drops_ends_as_killed),
          UNIT(no_socket_is_an_error_naming_the_container),
          UNIT(the_decoder_takes_whole_frames_of_its_version_only))
