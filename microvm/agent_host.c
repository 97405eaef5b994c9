/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM's side of kago exec: the control socket in the container's state
 * directory (root-only; kago exec connects to it) and the guest agent's
 * console. Each connection is one session: the VMM gives it a number, passes
 * its frames (OPEN first, then STDIN, SIGNAL, WINCH) to the guest, and the
 * guest's frames for that number back to it, until EXIT or ERROR. A
 * connection that closes early has its process killed in the guest. PS and
 * STATS requests take a session of their own the same way. The
 * guest's transmissions reach a pipe on the vCPU thread; the main loop
 * (run.c) reads it here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "guest_proto.h"
#include "vm.h"

#define FRAME_MAX KAGO_AGENT_FRAME_MAX
/* Room a client's frame needs in the queue to the guest, leaving enough
 * for every session's kill (client_gone). */
#define CLIENT_ROOM (FRAME_MAX + KAGO_AGENT_SESSIONS * (KAGO_AGENT_HDR + 4))
/* A client reads what it acknowledges (KAGO_AGENT_WINDOW per session), so
 * a send blocks only for a client that stopped reading: then it goes. */
#define CLIENT_SEND_TIMEOUT_S 10

struct client {
        int fd; /* -1: a free slot */
        uint16_t session;
        bool opened;
        uint8_t *rx;
        size_t rx_len;
        int fds[2]; /* passed with the request (a checkpoint's files), or -1 */
};

struct agent_host {
        struct vm *vm;
        struct console *con;
        int listen_fd;
        int from_guest[2]; /* the console's transmissions: pipe */
        uint8_t grx[FRAME_MAX];
        size_t grx_len;
        uint8_t q[2 * FRAME_MAX]; /* frames for the guest, not yet taken */
        size_t q_len;
        uint16_t next_session;
        struct client c[KAGO_AGENT_SESSIONS];
        agent_checkpoint_fn *checkpoint;
        void *checkpoint_ctx;
};

void agent_host_on_checkpoint(struct agent_host *h, agent_checkpoint_fn *fn, void *ctx)
{
        h->checkpoint = fn;
        h->checkpoint_ctx = ctx;
}

int agent_host_new(struct vm *vm, int listen_fd, struct agent_host **out, struct kago_err *err)
{
        struct agent_host *h = xcalloc(1, sizeof *h);
        h->vm = vm;
        h->listen_fd = listen_fd;
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                h->c[i] = (struct client){ .fd = -1, .fds = { -1, -1 } };
        if (pipe2(h->from_guest, O_CLOEXEC) < 0) {
                free(h);
                return kago_err_errno(err, errno, "agent console: pipe");
        }
        fcntl(h->from_guest[0], F_SETFL, O_NONBLOCK);
        /* Room for many sessions' windows (1 MiB: the most an unprivileged
         * pipe may hold), so the guest's vCPU seldom waits for this pipe. */
        fcntl(h->from_guest[1], F_SETPIPE_SZ, 1 << 20);
        *out = h;
        return console_add(vm, h->from_guest[1], &h->con, err);
}

static void client_close_fds(struct client *c)
{
        for (int i = 0; i < 2; i++)
                if (c->fds[i] >= 0)
                        close(c->fds[i]);
        c->fds[0] = c->fds[1] = -1;
}

static void client_close(struct client *c)
{
        if (c->fd >= 0)
                close(c->fd);
        client_close_fds(c);
        free(c->rx);
        *c = (struct client){ .fd = -1, .fds = { -1, -1 } };
}

void agent_host_free(struct agent_host *h)
{
        if (!h)
                return;
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                client_close(&h->c[i]);
        close(h->from_guest[0]);
        close(h->from_guest[1]);
        free(h);
}

static int send_frame(int fd, uint8_t type, uint16_t session, const void *data, uint32_t len)
{
        uint8_t hdr[KAGO_AGENT_HDR];
        kago_agent_hdr_put(hdr, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, session, len });
        struct iovec iov[2] = { { hdr, sizeof hdr }, { (void *)data, len } };
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
        size_t want = sizeof hdr + len;
        while (want) {
                ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                want -= (size_t)n;
                for (size_t k = (size_t)n; k;) { /* skip what went */
                        size_t step = k < m.msg_iov->iov_len ? k : m.msg_iov->iov_len;
                        m.msg_iov->iov_base = (uint8_t *)m.msg_iov->iov_base + step;
                        m.msg_iov->iov_len -= step;
                        k -= step;
                        if (!m.msg_iov->iov_len) {
                                m.msg_iov++;
                                m.msg_iovlen--;
                        }
                }
        }
        return 0;
}

static void refuse(int fd, const char *text)
{
        send_frame(fd, KAGO_AGENT_ERROR, 0, text, (uint32_t)strlen(text));
}

static void queue_for_guest(struct agent_host *h, uint8_t type, uint16_t session,
                            const void *data, uint32_t len)
{
        if (h->q_len + KAGO_AGENT_HDR + len <= sizeof h->q) /* always: see CLIENT_ROOM */
                h->q_len += kago_agent_frame_put(h->q + h->q_len, type, session, data, len);
}

/* The client went away before its process ended: the process goes too. */
static void client_gone(struct agent_host *h, struct client *c)
{
        if (c->opened) {
                uint8_t kill9[4] = { SIGKILL, 0, 0, 0 };
                queue_for_guest(h, KAGO_AGENT_SIGNAL, c->session, kill9, 4);
        }
        client_close(c);
}

static uint16_t new_session(struct agent_host *h)
{
        for (;;) {
                uint16_t s = ++h->next_session;
                bool used = !s;
                for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                        used |= h->c[i].fd >= 0 && h->c[i].session == s;
                if (!used)
                        return s;
        }
}

static void accept_client(struct agent_host *h)
{
        int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return;
        struct client *c = NULL;
        for (int i = 0; i < KAGO_AGENT_SESSIONS && !c; i++)
                if (h->c[i].fd < 0)
                        c = &h->c[i];
        if (!c) {
                refuse(fd, "the microVM runs as many exec sessions as it takes (16): wait for one "
                           "to end");
                close(fd);
                return;
        }
        struct timeval tv = { CLIENT_SEND_TIMEOUT_S, 0 };
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        *c = (struct client){ .fd = fd, .session = new_session(h), .rx = xmalloc(FRAME_MAX),
                              .fds = { -1, -1 } };
}

/* A balloon request is the VMM's own: answered at once. */
static int balloon_request(struct agent_host *h, struct client *c, const struct kago_agent_hdr *f)
{
        if (!h->vm->balloon || (f->len != 0 && f->len != 8)) {
                refuse(c->fd, h->vm->balloon ? "a balloon request takes 0 or 8 bytes"
                                             : "this VM has no balloon device");
                return -1;
        }
        struct balloon_state now;
        const uint8_t *d = c->rx + KAGO_AGENT_HDR;
        balloon_set(h->vm->balloon, f->len ? kago_le64(d) : 0, &now);
        char text[96];
        int n = snprintf(text, sizeof text, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", now.ram,
                         now.target, now.given);
        uint8_t ok[4] = { 0 };
        send_frame(c->fd, KAGO_AGENT_STDOUT, 0, text, (uint32_t)n);
        send_frame(c->fd, KAGO_AGENT_EXIT, 0, ok, 4);
        return -1; /* answered: the connection closes */
}

static unsigned sessions_open(const struct agent_host *h)
{
        unsigned n = 0;
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                n += h->c[i].fd >= 0 && h->c[i].opened;
        return n;
}

/* A checkpoint is the VMM's own too; no session may run meanwhile: its
 * process would be restored without the connection it talks to. */
static int checkpoint_request(struct agent_host *h, struct client *c,
                              const struct kago_agent_hdr *f)
{
        struct kago_err e = { 0 };
        unsigned open = sessions_open(h);
        if (f->len != 4 || c->fds[0] < 0 || c->fds[1] < 0)
                kago_err_set(&e, "a checkpoint request takes 4 bytes and two files");
        else if (!h->checkpoint)
                kago_err_set(&e, "this VMM takes no checkpoint");
        else if (open)
                kago_err_set(&e, "%u kago exec session%s run%s in the microVM: checkpoint it "
                                 "once they end", open, open > 1 ? "s" : "", open > 1 ? "" : "s");
        else if (h->checkpoint(h->checkpoint_ctx, c->fds[0], c->fds[1],
                               kago_le32(c->rx + KAGO_AGENT_HDR), &e) == 0) {
                uint8_t ok[4] = { 0 };
                send_frame(c->fd, KAGO_AGENT_EXIT, 0, ok, 4);
                return -1; /* answered: the connection closes */
        }
        refuse(c->fd, kago_err_text(&e));
        return -1;
}

/* A whole frame from a client: checked, renumbered, queued for the guest. */
static int client_frame(struct agent_host *h, struct client *c, const struct kago_agent_hdr *f)
{
        if (f->type == KAGO_AGENT_BALLOON && !c->opened)
                return balloon_request(h, c, f);
        if (f->type == KAGO_AGENT_CHECKPOINT && !c->opened)
                return checkpoint_request(h, c, f);
        bool open = f->type == KAGO_AGENT_OPEN || f->type == KAGO_AGENT_PS ||
                    f->type == KAGO_AGENT_STATS;
        if (open == c->opened || (!open && f->type != KAGO_AGENT_STDIN &&
                                  f->type != KAGO_AGENT_SIGNAL && f->type != KAGO_AGENT_WINCH &&
                                  f->type != KAGO_AGENT_ACK)) {
                refuse(c->fd, open ? "a second request on one connection"
                                   : "a frame a client may not send, or one before OPEN");
                return -1;
        }
        c->opened = true;
        queue_for_guest(h, f->type, c->session, c->rx + KAGO_AGENT_HDR, f->len);
        return 0;
}

/* Up to n bytes into c->rx; fds that come with them are kept in c->fds
 * (two at most; more are closed). */
static ssize_t recv_with_fds(struct client *c, size_t n)
{
        union {
                char buf[CMSG_SPACE(4 * sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { c->rx + c->rx_len, n };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                            .msg_controllen = sizeof u.buf };
        ssize_t got = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        for (struct cmsghdr *cm = got >= 0 ? CMSG_FIRSTHDR(&m) : NULL; cm; cm = CMSG_NXTHDR(&m, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[4];
                memcpy(fds, CMSG_DATA(cm), k * sizeof(int));
                client_close_fds(c);
                for (size_t i = 0; i < k; i++) {
                        if (i < 2)
                                c->fds[i] = fds[i];
                        else
                                close(fds[i]);
                }
        }
        return got;
}

static void client_read(struct agent_host *h, struct client *c)
{
        struct kago_agent_hdr f;
        size_t want = KAGO_AGENT_HDR;
        if (c->rx_len >= KAGO_AGENT_HDR) {
                if (kago_agent_hdr_get(c->rx, &f) < 0)
                        goto bad;
                want += f.len;
        }
        ssize_t n = recv_with_fds(c, want - c->rx_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                client_gone(h, c);
                return;
        }
        c->rx_len += (size_t)n;
        if (c->rx_len < KAGO_AGENT_HDR)
                return;
        if (kago_agent_hdr_get(c->rx, &f) < 0)
                goto bad;
        if (c->rx_len < KAGO_AGENT_HDR + f.len)
                return;
        c->rx_len = 0;
        if (client_frame(h, c, &f) == 0)
                return;
        client_gone(h, c);
        return;
bad:;
        char text[160];
        snprintf(text, sizeof text, "kago exec and this VMM speak different agent protocols "
                                    "(a frame of version %u, type %u; the VMM speaks version %u)",
                 c->rx[1], c->rx[0], KAGO_AGENT_VERSION);
        refuse(c->fd, text);
        client_gone(h, c);
}

/* A whole frame from the guest: to its session's client, if it is still there. */
static void guest_frame(struct agent_host *h, const struct kago_agent_hdr *f, const uint8_t *data)
{
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++) {
                struct client *c = &h->c[i];
                if (c->fd < 0 || c->session != f->session)
                        continue;
                bool last = f->type == KAGO_AGENT_EXIT || f->type == KAGO_AGENT_ERROR;
                if (send_frame(c->fd, f->type, 0, data, f->len) < 0)
                        client_gone(h, c);
                else if (last)
                        client_close(c);
                return;
        }
}

static void guest_read(struct agent_host *h)
{
        ssize_t n = read(h->from_guest[0], h->grx + h->grx_len, sizeof h->grx - h->grx_len);
        if (n <= 0)
                return;
        h->grx_len += (size_t)n;
        size_t off = 0;
        struct kago_agent_hdr f;
        const uint8_t *data;
        int rc;
        while ((rc = kago_agent_next(h->grx, h->grx_len, &off, &f, &data)) > 0)
                guest_frame(h, &f, data);
        if (rc < 0) {
                log_debug("microvm: agent: the guest sent a malformed frame; channel reset");
                off = h->grx_len;
        }
        memmove(h->grx, h->grx + off, h->grx_len - off);
        h->grx_len -= off;
}

int agent_host_poll_fds(struct agent_host *h, struct pollfd *p)
{
        int n = 0;
        bool room = sizeof h->q - h->q_len >= CLIENT_ROOM;
        p[n++] = (struct pollfd){ h->listen_fd, POLLIN, 0 };
        p[n++] = (struct pollfd){ h->from_guest[0], POLLIN, 0 };
        p[n++] = (struct pollfd){ console_space_fd(h->con), POLLIN, 0 };
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                p[n++] = (struct pollfd){ room ? h->c[i].fd : -1, POLLIN, 0 };
        return n;
}

void agent_host_serve(struct agent_host *h, const struct pollfd *p, bool guest_ready, bool *busy)
{
        if (p[0].revents)
                accept_client(h);
        if (p[1].revents)
                guest_read(h);
        if (p[2].revents) {
                uint64_t v;
                if (read(p[2].fd, &v, sizeof v) < 0)
                        v = 0;
        }
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                if (p[3 + i].fd >= 0 && p[3 + i].revents && h->c[i].fd == p[3 + i].fd &&
                    sizeof h->q - h->q_len >= CLIENT_ROOM)
                        client_read(h, &h->c[i]);
        if (guest_ready && h->q_len) {
                size_t n = console_rx_push(h->con, h->q, h->q_len, busy);
                memmove(h->q, h->q + n, h->q_len - n);
                h->q_len -= n;
        }
}
