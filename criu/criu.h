/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRIU, driven the way runc drives it: `criu swrk 3` as a child with a
 * SOCK_SEQPACKET socket on fd 3, one protobuf request (rpc.proto's criu_req)
 * and its answer, with the notifications CRIU sends in between. kago speaks
 * the RPC itself rather than loading libcriu: it needs no protobuf-c at build
 * time, it can place the swrk process (in the container's cgroup, in a
 * private mount namespace) before it runs, and it gets what libcriu 3.17
 * does not expose (lazy pages, the pty master's fd with its notification).
 */
#ifndef KAGO_CRIU_CRIU_H
#define KAGO_CRIU_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/base.h"

/* rpc.proto's criu_req_type. */
enum criu_req_type {
        CRIU_REQ_DUMP = 1,
        CRIU_REQ_RESTORE = 2,
        CRIU_REQ_CHECK = 3,
        CRIU_REQ_PRE_DUMP = 4,
        CRIU_REQ_NOTIFY = 6,
        CRIU_REQ_FEATURE_CHECK = 9,
        CRIU_REQ_VERSION = 10,
};

/* rpc.proto's criu_cg_mode; CRIU_CG_UNSET leaves CRIU's default. */
enum criu_cg_mode {
        CRIU_CG_UNSET = -1,
        CRIU_CG_IGNORE = 0,
        CRIU_CG_NONE = 1,
        CRIU_CG_PROPS = 2,
        CRIU_CG_SOFT = 3,
        CRIU_CG_FULL = 4,
        CRIU_CG_STRICT = 5,
};

struct criu_pair {
        const char *key, *val;
};

struct criu_inherit {
        const char *key;
        int fd; /* an fd of kago's; it is passed to CRIU under the same number */
};

/* The options of one request (rpc.proto's criu_opts); zero/NULL/-1 = unset. */
struct criu_opts {
        int images_dir_fd, work_dir_fd, status_fd; /* -1 when unset */
        pid_t pid;
        const char *log_file;
        const char *root;
        const char *parent_img;
        const char *freeze_cgroup;
        const char *config_file;
        const char *lsm_profile, *lsm_mount_context;
        const char *ps_address; /* page server */
        int ps_port;
        enum criu_cg_mode cg_mode;
        uint32_t empty_ns; /* CLONE_NEW* flags */
        bool leave_running, ext_unix_sk, tcp_established, tcp_close, tcp_skip_in_flight;
        bool shell_job, file_locks, track_mem, auto_dedup, link_remap, lazy_pages;
        bool manage_cgroups, rst_sibling, orphan_pts_master, notify_scripts;
        struct criu_pair *ext_mnt; /* key: the mount in the container, val: its source */
        size_t n_ext_mnt;
        struct criu_pair *cg_root; /* key: controller (NULL: all), val: new root */
        size_t n_cg_root;
        struct criu_inherit *inherit;
        size_t n_inherit;
        char **external; /* NULL-terminated, or NULL */
};

void criu_opts_init(struct criu_opts *o);
/* Append to the opts' lists (strings are not copied: they must outlive the request). */
void criu_opts_add_ext_mnt(struct criu_opts *o, const char *key, const char *val);
void criu_opts_add_cg_root(struct criu_opts *o, const char *ctrl, const char *path);
void criu_opts_add_inherit(struct criu_opts *o, const char *key, int fd);
/* external strings are copied and freed by criu_opts_free. */
void criu_opts_add_external(struct criu_opts *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void criu_opts_free(struct criu_opts *o);

/* A notification from CRIU during a request ("setup-namespaces",
 * "post-restore", "orphan-pts-master" with its fd, ...). Return 0 to let CRIU
 * go on, or -1 with err set to make it fail. fd is -1 when none came; the
 * callback owns it otherwise. */
typedef int (*criu_notify_fn)(void *data, const char *script, pid_t pid, int fd,
                              struct kago_err *err);

/* Runs in kago once the swrk child exists, before it gets the request (to
 * place it in a cgroup, say). Return -1 with err to abort. */
typedef int (*criu_started_fn)(void *data, pid_t criu, struct kago_err *err);

struct criu_call {
        enum criu_req_type type;
        const struct criu_opts *opts; /* NULL for VERSION and CHECK */
        criu_notify_fn notify;
        criu_started_fn started;
        void *data;
};

/* What CRIU answered. */
struct criu_result {
        bool success;
        pid_t restored_pid;  /* RESTORE: the restored tree's root */
        int cr_errno;
        char *cr_errmsg;     /* malloc'd or NULL */
        int version_major, version_minor, version_sublevel; /* VERSION */
};

void criu_result_free(struct criu_result *r);

/* The criu binary: $KAGO_CRIU, else `criu` on $PATH, else /usr/sbin/criu. */
const char *criu_binary(void);
/* Run one request through a fresh `criu swrk`. -1 (err set) when CRIU could
 * not be run or talked to; otherwise 0 with res->success saying how it went. */
int criu_call(const struct criu_call *call, struct criu_result *res, struct kago_err *err);
/* CRIU's version as major*10000 + minor*100 + sublevel; -1 with err when
 * CRIU is missing or does not answer. */
int criu_version(int *version, struct kago_err *err);

/* The oldest CRIU kago drives (3.15: extRootPidNS, the v2 freezer). */
#define CRIU_VERSION_MIN 31500
/* Whether CRIU is installed, new enough, and `criu check` passes on this
 * kernel (runs criu twice). */
bool criu_usable(void);

/* After a failed request: err gets the first errors of the log (work_dirfd/
 * log_name), a hint where the log shows a known cause, and the log's path
 * (log_path, as the user named it). */
void criu_explain_failure(int work_dirfd, const char *log_name, const char *log_path,
                          const struct criu_result *res, struct kago_err *err);

/* Encoding and decoding, exposed for the unit tests and the fuzzer. */
int criu_encode_request(const struct criu_call *call, uint8_t **buf, size_t *len);
/* The answer to a notification (notify_success = ok). */
int criu_encode_notify_ack(bool ok, uint8_t **buf, size_t *len);
/* Decode a criu_resp; *type gets its type, *script and *notify_pid a notification's. */
int criu_decode_response(const uint8_t *buf, size_t len, int *type, char **script,
                         pid_t *notify_pid, struct criu_result *res);

#endif
