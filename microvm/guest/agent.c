/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest agent, part of kago-init: on its console (hvc2) the VMM sends
 * an OPEN frame for each kago exec; the agent starts that process with
 * pipes or a pty of its own, sends back STARTED, its output, and its EXIT
 * status, and passes on stdin, signals and window sizes; PS and STATS
 * frames get the guest's process list and figures (proc.c). Everything runs in
 * init's one poll loop, which never blocks on one session: each direction
 * of each session has at most KAGO_AGENT_WINDOW bytes unacknowledged, so a
 * process's stdin waits in a bounded buffer and a host reader that falls
 * behind only pauses the reading of that process's output.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest.h"

struct session {
        uint16_t id; /* 0: a free slot */
        pid_t pid;
        int in, out, err; /* our ends: its stdin, stdout (or pty master), stderr; -1 */
        int pty;          /* the pty master (== out), or -1 */
        uint8_t pending[KAGO_AGENT_WINDOW]; /* stdin bytes its pipe did not take yet */
        size_t pending_len, pending_off;
        bool close_in;         /* end of input came behind pending */
        uint32_t out_unacked;  /* output sent that the host has not written yet */
};

struct agent {
        int fd;
        struct session s[KAGO_AGENT_SESSIONS];
        uint8_t rx[KAGO_AGENT_HDR + KAGO_AGENT_DATA_MAX];
        size_t rx_len;
        int n_polled; /* the fds agent_poll_fds added */
};

static int write_all(int fd, const void *p, size_t n)
{
        const uint8_t *b = p;
        while (n) {
                ssize_t w = write(fd, b, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                b += w;
                n -= (size_t)w;
        }
        return 0;
}

void agent_send(int fd, uint8_t type, uint16_t session, const void *data, uint32_t len)
{
        uint8_t h[KAGO_AGENT_HDR];
        kago_agent_hdr_put(h, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, session, len });
        if (write_all(fd, h, sizeof h) < 0 || write_all(fd, data, len) < 0)
                say("kago-init: agent: write to the VMM: %s", strerror(errno));
}

static void send_frame(struct agent *a, uint8_t type, uint16_t session, const void *data,
                       uint32_t len)
{
        agent_send(a->fd, type, session, data, len);
}

static void send_u32(struct agent *a, uint8_t type, uint16_t session, uint32_t v)
{
        uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
        send_frame(a, type, session, d, 4);
}

static void send_error(struct agent *a, uint16_t session, const char *what)
{
        char text[256];
        int n = snprintf(text, sizeof text, "guest agent: %s: %s", what, strerror(errno));
        send_frame(a, KAGO_AGENT_ERROR, session, text, (uint32_t)(n < 0 ? 0 : n));
}

struct agent *agent_new(int fd)
{
        struct agent *a = calloc(1, sizeof *a); /* pages only touched when used */
        if (!a)
                return NULL;
        a->fd = fd;
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                a->s[i].in = a->s[i].out = a->s[i].err = a->s[i].pty = -1;
        return a;
}

static struct session *session_find(struct agent *a, uint16_t id)
{
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++)
                if (a->s[i].id == id && id)
                        return &a->s[i];
        return NULL;
}

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* ---- starting a process --------------------------------------------------- */

static _Noreturn void child(const struct conf *c, int in, int out, int err)
{
        ioperm(KAGO_PORT_STATUS, 8, 0); /* inherited from init: the VM's status is not ours */
        const char *failed = process_setup(c, in, out, err);
        if (failed) {
                say("kago-init: %s: %s", failed, strerror(errno));
                _exit(126);
        }
        process_exec(c);
}

/* The child's stdio (fds) and our ends in s. */
static int session_stdio(struct session *s, const struct conf *c, int fds[3])
{
        int ours[3];
        if (stdio_make(c->terminal, fds, ours) < 0)
                return -1;
        s->in = ours[0], s->out = ours[1], s->err = ours[2];
        if (c->terminal) {
                s->pty = ours[0];
                fcntl(s->pty, F_SETFL, O_NONBLOCK);
        }
        return 0;
}

static void session_end(struct session *s)
{
        if (s->pty < 0)
                close_fd(&s->in);
        close_fd(&s->out);
        close_fd(&s->err);
        s->id = 0;
        s->pid = 0;
        s->in = s->out = s->err = s->pty = -1;
        s->pending_len = s->pending_off = s->out_unacked = 0;
        s->close_in = false;
}

static void start(struct agent *a, struct session *s, const struct conf *c)
{
        int fds[3];
        if (session_stdio(s, c, fds) < 0) {
                send_error(a, s->id, "stdio for the process");
                session_end(s);
                return;
        }
        s->pid = fork();
        if (s->pid == 0)
                child(c, fds[0], fds[1], fds[2]);
        int saved = errno;
        close(fds[0]);
        if (fds[1] != fds[0])
                close(fds[1]), close(fds[2]);
        if (s->pid < 0) {
                errno = saved;
                send_error(a, s->id, "fork");
                session_end(s);
                return;
        }
        send_u32(a, KAGO_AGENT_STARTED, s->id, (uint32_t)s->pid);
}

static void open_session(struct agent *a, uint16_t id, const uint8_t *data, uint32_t len)
{
        struct session *s = NULL;
        for (int i = 0; i < KAGO_AGENT_SESSIONS && !s; i++)
                if (!a->s[i].id)
                        s = &a->s[i];
        if (!id || session_find(a, id) || !s) {
                errno = id ? EBUSY : EINVAL;
                send_error(a, id, "no session for this process");
                return;
        }
        session_end(s);
        s->id = id;
        struct conf *c = calloc(1, sizeof *c);
        if (!c || conf_decode(c, data, len) < 0) {
                errno = c ? EINVAL : ENOMEM;
                send_error(a, id, "the process description");
                session_end(s);
        } else {
                start(a, s, c);
        }
        if (c)
                conf_free(c);
        free(c);
}

/* ---- frames from the VMM -------------------------------------------------- */

/* Write what the process's stdin takes; acknowledge it (and what a gone
 * reader drops) so the host sends more. */
static void stdin_flush(struct agent *a, struct session *s)
{
        size_t done = s->pending_off;
        while (s->pending_off < s->pending_len) {
                ssize_t n = write(s->in, s->pending + s->pending_off, s->pending_len - s->pending_off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0)
                        s->pending_off = s->pending_len; /* the reader is gone: drop the rest */
                else
                        s->pending_off += (size_t)n;
        }
        if (s->pending_off > done)
                send_u32(a, KAGO_AGENT_ACK, s->id, (uint32_t)(s->pending_off - done));
        if (s->pending_off < s->pending_len)
                return;
        s->pending_len = s->pending_off = 0;
        if (s->close_in && s->pty < 0)
                close_fd(&s->in);
}

static void stdin_data(struct agent *a, struct session *s, const uint8_t *data, uint32_t len)
{
        if (s->pending_off) {
                memmove(s->pending, s->pending + s->pending_off, s->pending_len - s->pending_off);
                s->pending_len -= s->pending_off;
                s->pending_off = 0;
        }
        if (!len) {
                s->close_in = true; /* a terminal has no end of input */
        } else if (s->in < 0 || s->pending_len + len > sizeof s->pending) {
                send_u32(a, KAGO_AGENT_ACK, s->id, len); /* no reader, or past the window: dropped */
                return;
        } else {
                memcpy(s->pending + s->pending_len, data, len);
                s->pending_len += len;
        }
        stdin_flush(a, s);
}

static void window_size(struct session *s, const uint8_t *d, uint32_t len)
{
        if (len != 4 || s->pty < 0)
                return;
        struct winsize ws = { .ws_row = (unsigned short)(d[0] | d[1] << 8),
                              .ws_col = (unsigned short)(d[2] | d[3] << 8) };
        ioctl(s->pty, TIOCSWINSZ, &ws);
}

static void frame(struct agent *a, const struct kago_agent_hdr *h, const uint8_t *data)
{
        struct session *s = session_find(a, h->session);
        if (h->type == KAGO_AGENT_OPEN) {
                open_session(a, h->session, data, h->len);
        } else if (h->type == KAGO_AGENT_PS || h->type == KAGO_AGENT_STATS) {
                (h->type == KAGO_AGENT_PS ? process_list : guest_stats)(a->fd, h->session);
                send_u32(a, KAGO_AGENT_EXIT, h->session, 0);
        } else if (!s) {
                return; /* a session that ended meanwhile */
        } else if (h->type == KAGO_AGENT_STDIN) {
                stdin_data(a, s, data, h->len);
        } else if (h->type == KAGO_AGENT_ACK && h->len == 4) {
                uint32_t n = kago_le32(data);
                s->out_unacked -= n < s->out_unacked ? n : s->out_unacked;
        } else if (h->type == KAGO_AGENT_SIGNAL && h->len == 4 && s->pid > 0) {
                kill(s->pid, (int)kago_le32(data));
        } else if (h->type == KAGO_AGENT_WINCH) {
                window_size(s, data, h->len);
        }
}

/* Take the whole frames in rx. */
static void frames(struct agent *a)
{
        size_t off = 0;
        struct kago_agent_hdr h;
        const uint8_t *data;
        int rc;
        while ((rc = kago_agent_next(a->rx, a->rx_len, &off, &h, &data)) > 0)
                frame(a, &h, data);
        if (rc < 0) {
                say("kago-init: agent: a frame of another protocol (version %u, type %u): "
                    "channel reset", a->rx[off + 1], a->rx[off]);
                off = a->rx_len;
        }
        memmove(a->rx, a->rx + off, a->rx_len - off);
        a->rx_len -= off;
}

static void channel_read(struct agent *a)
{
        ssize_t n = read(a->fd, a->rx + a->rx_len, sizeof a->rx - a->rx_len);
        if (n > 0)
                a->rx_len += (size_t)n;
        frames(a);
}

/* ---- output and exit ------------------------------------------------------ */

/* One read of fd into a frame of type; false at its end. */
static bool forward(struct agent *a, struct session *s, int fd, uint8_t type)
{
        static uint8_t buf[16384];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0)
                return false; /* EOF, or EIO from a pty whose last slave closed */
        send_frame(a, type, s->id, buf, (uint32_t)n);
        s->out_unacked += (uint32_t)n;
        return true;
}

/* What the ended process left in its pipes or pty. */
static void drain(struct agent *a, struct session *s, int fd, uint8_t type)
{
        if (fd < 0)
                return;
        fcntl(fd, F_SETFL, O_NONBLOCK);
        for (int i = 0; i < 256; i++) {
                errno = 0;
                if (!forward(a, s, fd, type) || errno == EAGAIN)
                        return;
        }
}

void agent_reaped(struct agent *a, pid_t pid, int wait_status)
{
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++) {
                struct session *s = &a->s[i];
                if (!s->id || s->pid != pid)
                        continue;
                drain(a, s, s->out, KAGO_AGENT_STDOUT);
                drain(a, s, s->err, KAGO_AGENT_STDERR);
                int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
                                                    : 128 + WTERMSIG(wait_status);
                send_u32(a, KAGO_AGENT_EXIT, s->id, (uint32_t)status);
                session_end(s);
                return;
        }
}

/* ---- the poll loop's part ------------------------------------------------- */

static void poll_add(struct pollfd *p, int *n, int max, int fd, short events)
{
        if (*n < max)
                p[(*n)++] = (struct pollfd){ fd, fd >= 0 ? events : 0, 0 };
}

void agent_poll_fds(struct agent *a, struct pollfd *p, int *n, int max)
{
        int first = *n;
        poll_add(p, n, max, a->fd, POLLIN);
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++) {
                struct session *s = &a->s[i];
                bool more = s->id && s->out_unacked < KAGO_AGENT_WINDOW;
                poll_add(p, n, max, more ? s->out : -1, POLLIN);
                poll_add(p, n, max, more ? s->err : -1, POLLIN);
                poll_add(p, n, max, s->pending_len ? s->in : -1, POLLOUT);
        }
        a->n_polled = *n - first;
}

void agent_serve(struct agent *a, const struct pollfd *p)
{
        if (a->n_polled < 1 + 3 * KAGO_AGENT_SESSIONS)
                return;
        for (int i = 0; i < KAGO_AGENT_SESSIONS; i++) {
                struct session *s = &a->s[i];
                const struct pollfd *q = p + 1 + 3 * i;
                if (q[0].revents && q[0].fd >= 0 && !forward(a, s, s->out, KAGO_AGENT_STDOUT)) {
                        if (s->in == s->out)
                                s->in = -1;
                        close_fd(&s->out);
                        s->pty = -1;
                }
                if (q[1].revents && q[1].fd >= 0 && !forward(a, s, s->err, KAGO_AGENT_STDERR))
                        close_fd(&s->err);
                if (q[2].revents && q[2].fd >= 0)
                        stdin_flush(a, s);
        }
        if (p[0].revents)
                channel_read(a);
}
