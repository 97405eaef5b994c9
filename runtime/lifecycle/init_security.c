/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The security of a container's init, around the runtime's own setup: the
 * settings are checked and the per-process ones applied early (a mistake is
 * an error of kago create, before anything runs), the rest — seccomp,
 * capabilities, the user switch, no_new_privs — right before the workload.
 * With SCMP_ACT_NOTIFY the agent's socket is connected while host paths are
 * still visible, and gets the listener once the filter is loaded.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lifecycle.h"

/* This init process's own: prepared once, finished once. */
static struct kago_security init_sec;
static int init_agent_fd = -1;

static int init_connect_agent(const char *path, struct kago_err *err)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof addr.sun_path)
                return kago_err_set(err, "linux.seccomp.listenerPath %s: too long", path);
        strcpy(addr.sun_path, path);
        init_agent_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (init_agent_fd < 0)
                return kago_err_errno(err, errno, "socket for the seccomp agent");
        if (connect(init_agent_fd, (struct sockaddr *)&addr, sizeof addr) < 0)
                return kago_err_errno(err, errno, "linux.seccomp.listenerPath: connect to the "
                                                  "seccomp agent at %s", path);
        return 0;
}

int init_security_prepare(struct container_ctx *c, struct kago_err *err)
{
        const struct oci_process *p = c->spec->process;

        if (security_prepare(c->spec, p, &init_sec, err) < 0 ||
            security_apply_process(p, c->spec->linux_cfg, err) < 0)
                return -1;
        if (init_sec.seccomp && init_sec.seccomp->notify &&
            init_connect_agent(init_sec.seccomp->listener_path, err) < 0)
                return -1;
        return 0;
}

static int init_send_listener(struct container_ctx *c, int lfd, struct kago_err *err)
{
        struct oci_state st = { .oci_version = SPEC_OCI_VERSION, .id = c->st.id,
                                .status = "created", .pid = c->st.pid, .bundle = c->st.bundle,
                                .annotations = c->spec->annotations,
                                .annotations_len = c->spec->annotations_len };
        _cleanup_free_ char *json = seccomp_notify_state_emit(&st, c->st.pid,
                                                              init_sec.seccomp->listener_metadata);

        if (fd_send(init_agent_fd, &lfd, 1, json, strlen(json), err) < 0)
                return kago_err_wrap(err, "send the seccomp listener to the agent at %s",
                                     init_sec.seccomp->listener_path);
        close(lfd);
        close(init_agent_fd);
        init_agent_fd = -1;
        return 0;
}

int init_security_finish(struct container_ctx *c, struct kago_err *err)
{
        int lfd = -1;

        if (security_finish(&init_sec, &c->spec->process->user, &lfd, err) < 0)
                return -1;
        if (lfd >= 0 && init_send_listener(c, lfd, err) < 0)
                return -1;
        security_release(&init_sec);
        return 0;
}
