/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago exec's side of a microVM exec: the control socket the VMM listens on
 * (made by kago create in the state directory), the start of a process in
 * the guest (OPEN, then STARTED or ERROR within a timeout), and the host
 * process that stands for it until its EXIT: stdin, stdout and stderr
 * relayed, signals and terminal sizes passed on. Also the questions of
 * kago ps and kago events --stats for the guest's processes and figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "guest_proto.h"
#include "vm.h"

#define FRAME_MAX KAGO_AGENT_FRAME_MAX
#define ANSWER_MAX (4u << 20) /* the most a guest may answer a query with */

/* Signals the stand-in passes to the guest process (SIGWINCH becomes a
 * window size). */
static const int passed_on[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
                                 SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
                                 SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
                                 SIGWINCH };

static void socket_path(int dirfd, struct sockaddr_un *a)
{
        *a = (struct sockaddr_un){ .sun_family = AF_UNIX };
        snprintf(a->sun_path, sizeof a->sun_path, "/proc/self/fd/%d/%s", dirfd,
                 MICROVM_CONTROL_SOCKET);
}

int microvm_control_listen(int dirfd, int *fd, struct kago_err *err)
{
        struct sockaddr_un a;
        socket_path(dirfd, &a);
        *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (*fd < 0)
                return kago_err_errno(err, errno, "control socket");
        if (bind(*fd, (struct sockaddr *)&a, sizeof a) < 0 ||
            fchmodat(dirfd, MICROVM_CONTROL_SOCKET, 0600, 0) < 0 || listen(*fd, 16) < 0) {
                int e = errno;
                close(*fd);
                *fd = -1;
                unlinkat(dirfd, MICROVM_CONTROL_SOCKET, 0);
                return kago_err_errno(err, e, "control socket %s in the state directory",
                                      MICROVM_CONTROL_SOCKET);
        }
        return 0;
}

static int frame_send(int fd, uint8_t type, const void *data, uint32_t len)
{
        uint8_t h[KAGO_AGENT_HDR];
        kago_agent_hdr_put(h, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, 0, len });
        if (fd_write_all(fd, h, sizeof h) < 0 || fd_write_all(fd, data, len) < 0)
                return -1;
        return 0;
}

/* A frame whose header carries n_fds fds (SCM_RIGHTS), at most 2. */
static int frame_send_fds(int fd, uint8_t type, const void *data, uint32_t len, const int *fds,
                          int n_fds)
{
        if (!n_fds)
                return frame_send(fd, type, data, len);
        uint8_t h[KAGO_AGENT_HDR];
        kago_agent_hdr_put(h, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, 0, len });
        union {
                char buf[CMSG_SPACE(2 * sizeof(int))];
                struct cmsghdr align;
        } u = { 0 };
        struct iovec iov = { h, sizeof h };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                            .msg_controllen = CMSG_SPACE((size_t)n_fds * sizeof(int)) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN((size_t)n_fds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, (size_t)n_fds * sizeof(int));
        if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof h)
                return -1;
        return fd_write_all(fd, data, len);
}

/* One whole frame within timeout_ms: 1, 0 at the end of the stream, -1 on
 * a timeout (errno ETIMEDOUT) or error. data holds FRAME_MAX bytes. */
static int frame_recv(int fd, int timeout_ms, struct kago_agent_hdr *h, uint8_t *data)
{
        uint8_t hdr[KAGO_AGENT_HDR];
        size_t got = 0, want = sizeof hdr;
        uint8_t *dst = hdr;
        for (int part = 0; part < 2; part++) {
                while (got < want) {
                        struct pollfd p = { fd, POLLIN, 0 };
                        int r = poll(&p, 1, timeout_ms);
                        if (r == 0)
                                errno = ETIMEDOUT;
                        if (r <= 0)
                                return -1;
                        ssize_t n = read(fd, dst + got, want - got);
                        if (n == 0 && part == 0 && got == 0)
                                return 0;
                        if (n <= 0)
                                return n == 0 ? (errno = EPIPE, -1) : -1;
                        got += (size_t)n;
                }
                if (part == 0 && kago_agent_hdr_get(hdr, h) < 0)
                        return errno = EPROTO, -1;
                got = 0, want = h->len, dst = data;
        }
        return 1;
}

static int connect_vmm(int dirfd, const char *id, int *fd, struct kago_err *err)
{
        struct sockaddr_un a;
        socket_path(dirfd, &a);
        *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (*fd < 0)
                return kago_err_errno(err, errno, "socket");
        if (connect(*fd, (struct sockaddr *)&a, sizeof a) == 0)
                return 0;
        int e = errno;
        close(*fd);
        *fd = -1;
        return kago_err_errno(err, e, "container \"%s\": connect to its VMM's control socket %s%s",
                              id, MICROVM_CONTROL_SOCKET,
                              e == ECONNREFUSED ? " (the VMM is gone)"
                              : e == ENOENT     ? " (the container was created by a kago without "
                                                  "exec for microVMs: recreate it)"
                                                : "");
}

/* Wait for STARTED: the guest agent runs the process. */
static int await_start(int fd, int timeout_ms, struct kago_err *err)
{
        struct kago_agent_hdr h;
        _cleanup_free_ uint8_t *data = xmalloc(FRAME_MAX + 1);
        int r = frame_recv(fd, timeout_ms, &h, data);
        if (r < 0 && errno == ETIMEDOUT)
                return kago_err_set(err, "the guest agent did not answer within %d ms (the guest "
                                         "is still booting, or stuck)", timeout_ms);
        if (r <= 0)
                return kago_err_errno(err, r == 0 ? EPIPE : errno, "the VMM's control socket");
        if (h.type == KAGO_AGENT_STARTED)
                return 0;
        if (h.type == KAGO_AGENT_ERROR) {
                data[h.len] = 0;
                return kago_err_set(err, "%s", (char *)data);
        }
        return kago_err_set(err, "the guest agent answered with frame type %u instead of STARTED",
                            h.type);
}

int microvm_exec_start(int dirfd, const char *id, const struct microvm_process *p, int timeout_ms,
                       int *conn, struct kago_err *err)
{
        struct bytes open = { 0 };
        int rc = guest_conf_encode_process(p, &open, err);
        if (rc == 0 && open.len > KAGO_AGENT_DATA_MAX)
                rc = kago_err_set(err, "the process's arguments and environment take %zu bytes; a "
                                       "microVM exec takes %u at most", open.len,
                                  KAGO_AGENT_DATA_MAX);
        if (rc == 0)
                rc = connect_vmm(dirfd, id, conn, err);
        if (rc == 0 && frame_send(*conn, KAGO_AGENT_OPEN, open.data, (uint32_t)open.len) < 0)
                rc = kago_err_errno(err, errno, "send the process to the VMM");
        if (rc == 0)
                rc = await_start(*conn, timeout_ms, err);
        bytes_free(&open);
        if (rc < 0 && *conn >= 0) {
                close(*conn);
                *conn = -1;
        }
        return rc;
}

static uint64_t now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int left_ms(uint64_t deadline)
{
        uint64_t now = now_ms();
        return now < deadline ? (int)(deadline - now) : 0;
}

/* One request and its text answer (STDOUT frames up to EXIT, ANSWER_MAX
 * bytes at most), all within timeout_ms. */
struct request {
        uint8_t type;
        const void *data;
        uint32_t len;
        const int *fds; /* passed with it, n_fds of them (at most 2) */
        int n_fds;
        const char *what;
        int timeout_ms;
};

static int request(int dirfd, const char *id, const struct request *q, char **text,
                   struct kago_err *err)
{
        const char *what = q->what;
        int timeout_ms = q->timeout_ms;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *data = xmalloc(FRAME_MAX + 1);
        struct bytes out = { 0 };
        struct kago_agent_hdr h = { 0 };
        if (connect_vmm(dirfd, id, &fd, err) < 0)
                return -1;
        if (frame_send_fds(fd, q->type, q->data, q->len, q->fds, q->n_fds) < 0)
                return kago_err_errno(err, errno, "ask the VMM for %s", what);
        int r;
        uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
        while ((r = frame_recv(fd, left_ms(deadline), &h, data)) > 0 &&
               h.type == KAGO_AGENT_STDOUT && out.len + h.len <= ANSWER_MAX)
                bytes_put(&out, data, h.len);
        if (r > 0 && h.type == KAGO_AGENT_EXIT) {
                bytes_put(&out, "", 1);
                *text = (char *)out.data;
                return 0;
        }
        bytes_free(&out);
        if (r > 0 && h.type == KAGO_AGENT_STDOUT)
                return kago_err_set(err, "%s: the answer is over %u MiB", what, ANSWER_MAX >> 20);
        if (r < 0 && errno == ETIMEDOUT)
                return kago_err_set(err, "no answer with %s within %d ms", what, timeout_ms);
        if (r > 0 && h.type == KAGO_AGENT_ERROR) {
                data[h.len] = 0;
                return kago_err_set(err, "%s", (char *)data);
        }
        return kago_err_errno(err, r == 0 ? EPIPE : errno ? errno : EPROTO, "%s", what);
}

int microvm_query(int dirfd, const char *id, enum microvm_query q, int timeout_ms, char **text,
                  struct kago_err *err)
{
        static const uint8_t types[] = { [MICROVM_QUERY_PS] = KAGO_AGENT_PS,
                                         [MICROVM_QUERY_STATS] = KAGO_AGENT_STATS };
        static const char *const what[] = { [MICROVM_QUERY_PS] = "the guest's processes",
                                            [MICROVM_QUERY_STATS] = "the guest's figures" };
        struct request r = { .type = types[q], .what = what[q], .timeout_ms = timeout_ms };
        return request(dirfd, id, &r, text, err);
}

int microvm_balloon(int dirfd, const char *id, uint64_t guest_bytes, struct microvm_balloon *now,
                    struct kago_err *err)
{
        uint8_t le[8];
        for (int i = 0; i < 8; i++)
                le[i] = (uint8_t)(guest_bytes >> (8 * i));
        _cleanup_free_ char *text = NULL;
        struct request r = { .type = KAGO_AGENT_BALLOON, .data = le, .len = guest_bytes ? 8 : 0,
                             .what = "the balloon's size", .timeout_ms = 5000 };
        if (request(dirfd, id, &r, &text, err) < 0)
                return -1;
        if (sscanf(text, "%" SCNu64 " %" SCNu64 " %" SCNu64, &now->ram, &now->target,
                   &now->given) != 3)
                return kago_err_set(err, "the VMM's balloon answer \"%s\" is not three sizes", text);
        return 0;
}

int microvm_checkpoint(int dirfd, const char *id, int state_fd, int mem_fd, bool leave_running,
                       int timeout_ms, struct kago_err *err)
{
        uint8_t flags[4] = { leave_running ? KAGO_CHECKPOINT_LEAVE_RUNNING : 0 };
        int fds[2] = { state_fd, mem_fd };
        struct request r = { .type = KAGO_AGENT_CHECKPOINT, .data = flags, .len = sizeof flags,
                             .fds = fds, .n_fds = 2, .what = "the microVM's snapshot",
                             .timeout_ms = timeout_ms };
        _cleanup_free_ char *text = NULL;
        return request(dirfd, id, &r, &text, err);
}

/* ---- the stand-in ------------------------------------------------------------ */

struct relay {
        int conn, in, out, err, tty, sfd;
        bool in_open;
        uint8_t rx[FRAME_MAX];
        size_t rx_len;
        uint8_t tx[2 * FRAME_MAX]; /* frames for the VMM, not yet sent */
        size_t tx_len;
        int status; /* -1 until EXIT */
        uint32_t in_unacked; /* stdin sent that the guest has not written yet */
        uint32_t ack_due;    /* output written that the guest has not heard of */
        sigset_t old_mask;
};

static void queue(struct relay *r, uint8_t type, const void *data, uint32_t len)
{
        /* Only signals and sizes can meet a full queue: rare, and no lost data. */
        if (r->tx_len + KAGO_AGENT_HDR + len <= sizeof r->tx)
                r->tx_len += kago_agent_frame_put(r->tx + r->tx_len, type, 0, data, len);
}

static void send_winsize(struct relay *r)
{
        struct winsize ws;
        if (r->tty < 0 || ioctl(r->tty, TIOCGWINSZ, &ws) < 0)
                return;
        uint8_t d[4] = { (uint8_t)ws.ws_row, (uint8_t)(ws.ws_row >> 8), (uint8_t)ws.ws_col,
                         (uint8_t)(ws.ws_col >> 8) };
        queue(r, KAGO_AGENT_WINCH, d, 4);
}

static void on_signal(struct relay *r)
{
        struct signalfd_siginfo si;
        while (read(r->sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH) {
                        send_winsize(r);
                        continue;
                }
                uint8_t d[4] = { (uint8_t)si.ssi_signo, 0, 0, 0 };
                queue(r, KAGO_AGENT_SIGNAL, d, 4);
        }
}

static void on_input(struct relay *r)
{
        static uint8_t buf[16384];
        size_t room = KAGO_AGENT_WINDOW - r->in_unacked; /* > 0: polled only then */
        ssize_t n = read(r->in, buf, room < sizeof buf ? room : sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) { /* end of input; EIO: a terminal whose other end closed */
                r->in_open = false;
                queue(r, KAGO_AGENT_STDIN, NULL, 0);
                return;
        }
        queue(r, KAGO_AGENT_STDIN, buf, (uint32_t)n);
        r->in_unacked += (uint32_t)n;
}

static void flush_tx(struct relay *r)
{
        if (r->ack_due && r->tx_len + KAGO_AGENT_HDR + 4 <= sizeof r->tx) {
                uint8_t d[4] = { (uint8_t)r->ack_due, (uint8_t)(r->ack_due >> 8),
                                 (uint8_t)(r->ack_due >> 16), (uint8_t)(r->ack_due >> 24) };
                queue(r, KAGO_AGENT_ACK, d, 4);
                r->ack_due = 0;
        }
        ssize_t n = send(r->conn, r->tx, r->tx_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
                return;
        memmove(r->tx, r->tx + n, r->tx_len - (size_t)n);
        r->tx_len -= (size_t)n;
}

static void on_frame(struct relay *r, const struct kago_agent_hdr *h, const uint8_t *data)
{
        if (h->type == KAGO_AGENT_STDOUT || h->type == KAGO_AGENT_STDERR) {
                int *fd = h->type == KAGO_AGENT_STDOUT ? &r->out : &r->err;
                if (*fd >= 0 && fd_write_all(*fd, data, h->len) < 0)
                        *fd = -1; /* the reader is gone: drop, as a closed pipe would */
                r->ack_due += h->len;
        } else if (h->type == KAGO_AGENT_ACK && h->len == 4) {
                uint32_t n = kago_le32(data);
                r->in_unacked -= n < r->in_unacked ? n : r->in_unacked;
        } else if (h->type == KAGO_AGENT_EXIT && h->len == 4) {
                r->status = (int)(kago_le32(data) & 0xff);
        }
}

/* false once the VMM has nothing more to say. */
static bool on_conn(struct relay *r)
{
        ssize_t n = recv(r->conn, r->rx + r->rx_len, sizeof r->rx - r->rx_len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0)
                return false;
        r->rx_len += (size_t)n;
        size_t off = 0;
        struct kago_agent_hdr h;
        const uint8_t *data;
        int rc;
        while ((rc = kago_agent_next(r->rx, r->rx_len, &off, &h, &data)) > 0)
                on_frame(r, &h, data);
        memmove(r->rx, r->rx + off, r->rx_len - off);
        r->rx_len -= off;
        return rc == 0 && r->status < 0;
}

static int relay_signals(struct relay *r)
{
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < ARRAY_SIZE(passed_on); i++)
                sigaddset(&set, passed_on[i]);
        signal(SIGPIPE, SIG_IGN);
        sigprocmask(SIG_BLOCK, &set, &r->old_mask);
        r->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return r->sfd;
}

int microvm_exec_relay(int conn, int in, int out, int err_fd, int tty)
{
        struct relay *r = xcalloc(1, sizeof *r);
        *r = (struct relay){ .conn = conn, .in = in, .out = out, .err = err_fd, .tty = tty,
                             .in_open = in >= 0, .status = -1 };
        if (relay_signals(r) < 0) {
                free(r);
                return 255;
        }
        send_winsize(r);
        for (;;) {
                bool take_in = r->in_open && !r->tx_len && r->in_unacked < KAGO_AGENT_WINDOW;
                struct pollfd p[3] = {
                        { conn, (short)(POLLIN | (r->tx_len || r->ack_due ? POLLOUT : 0)), 0 },
                        { r->sfd, POLLIN, 0 },
                        { take_in ? in : -1, POLLIN, 0 },
                };
                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        break;
                if (p[1].revents)
                        on_signal(r);
                if (p[2].revents)
                        on_input(r);
                if (p[0].revents & POLLOUT)
                        flush_tx(r);
                if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !on_conn(r))
                        break;
        }
        /* No EXIT: the VM ended under the process, which died with it. */
        int status = r->status >= 0 ? r->status : 128 + SIGKILL;
        close(r->sfd);
        sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
        free(r);
        return status;
}
