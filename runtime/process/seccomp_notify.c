/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCMP_ACT_NOTIFY: hand the seccomp listener fd to the agent at
 * linux.seccomp.listenerPath with the container's process state (the
 * runtime-spec containerProcessState document: ociVersion, fds, pid,
 * metadata, state), one sendmsg with SCM_RIGHTS, as runc and crun do.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <yajl/yajl_gen.h>

#include "process.h"

static void gen_str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
        gen_str(g, k);
        gen_str(g, v ? v : "");
}

static void gen_kv_int(yajl_gen g, const char *k, long long v)
{
        gen_str(g, k);
        yajl_gen_integer(g, v);
}

static void gen_state(yajl_gen g, const struct oci_state *st)
{
        yajl_gen_map_open(g);
        gen_kv_str(g, "ociVersion", st->oci_version ? st->oci_version : SPEC_OCI_VERSION);
        gen_kv_str(g, "id", st->id);
        gen_kv_str(g, "status", st->status);
        gen_kv_int(g, "pid", st->pid);
        gen_kv_str(g, "bundle", st->bundle);
        gen_str(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < st->annotations_len; i++)
                gen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

char *seccomp_notify_state_emit(const struct oci_state *state, pid_t pid, const char *metadata)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        yajl_gen_map_open(g);
        gen_kv_str(g, "ociVersion", SPEC_OCI_VERSION);
        gen_str(g, "fds");
        yajl_gen_array_open(g);
        gen_str(g, "seccompFd");
        yajl_gen_array_close(g);
        gen_kv_int(g, "pid", pid);
        gen_kv_str(g, "metadata", metadata);
        gen_str(g, "state");
        gen_state(g, state);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        char *out = xmalloc(len + 1);
        memcpy(out, buf, len);
        out[len] = '\0';
        yajl_gen_free(g);
        return out;
}

int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct kago_err *err)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };

        if (strlen(listener_path) >= sizeof addr.sun_path)
                return kago_err_set(err, "linux.seccomp.listenerPath %s: longer than %zu bytes",
                                    listener_path, sizeof addr.sun_path - 1);
        strcpy(addr.sun_path, listener_path);
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return kago_err_errno(err, errno, "socket for the seccomp agent");
        if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
                return kago_err_errno(err, errno, "connect to the seccomp agent at %s",
                                      listener_path);
        if (fd_send(sock, &listener_fd, 1, state_json, strlen(state_json), err) < 0)
                return kago_err_wrap(err, "seccomp agent at %s", listener_path);
        return 0;
}
