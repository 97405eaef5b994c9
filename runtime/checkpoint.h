/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago checkpoint and kago restore: their options (runc's flags), and the
 * container backend's CRIU side (criu_dump.c, criu_restore.c, criu_spec.c).
 * Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_CHECKPOINT_H
#define KAGO_RUNTIME_CHECKPOINT_H

#include "../criu/criu.h"
#include "container.h"

/* The flags checkpoint and restore share. */
struct criu_flags {
        const char *image_path; /* default "checkpoint" */
        const char *work_path;  /* default: the image path */
        bool tcp_established, ext_unix_sk, shell_job, file_locks, lazy_pages;
        enum criu_cg_mode cg_mode;
        uint32_t empty_ns; /* CLONE_NEWNET: --empty-ns network */
};

struct checkpoint_opts {
        const char *id;
        struct criu_flags f;
        const char *parent_path;
        const char *page_server; /* ADDRESS:PORT */
        bool leave_running, pre_dump, auto_dedup, link_remap, tcp_skip_in_flight;
        int status_fd; /* -1: none */
};

struct restore_opts {
        struct create_opts c;
        struct criu_flags f;
        bool detach, no_subreaper, tcp_close;
        const char *lsm_profile, *lsm_mount_context;
};

/* getopt entries and their handling, shared by both commands. */
enum {
        CRIU_OPT_IMAGE_PATH = 300, CRIU_OPT_WORK_PATH, CRIU_OPT_TCP_ESTABLISHED,
        CRIU_OPT_EXT_UNIX_SK, CRIU_OPT_SHELL_JOB, CRIU_OPT_FILE_LOCKS, CRIU_OPT_LAZY_PAGES,
        CRIU_OPT_CG_MODE, CRIU_OPT_EMPTY_NS,
};
#define CRIU_FLAG_OPTIONS                                                                         \
        { "image-path", required_argument, NULL, CRIU_OPT_IMAGE_PATH },                           \
        { "work-path", required_argument, NULL, CRIU_OPT_WORK_PATH },                             \
        { "tcp-established", no_argument, NULL, CRIU_OPT_TCP_ESTABLISHED },                       \
        { "ext-unix-sk", no_argument, NULL, CRIU_OPT_EXT_UNIX_SK },                               \
        { "shell-job", no_argument, NULL, CRIU_OPT_SHELL_JOB },                                   \
        { "file-locks", no_argument, NULL, CRIU_OPT_FILE_LOCKS },                                 \
        { "lazy-pages", no_argument, NULL, CRIU_OPT_LAZY_PAGES },                                 \
        { "manage-cgroups-mode", required_argument, NULL, CRIU_OPT_CG_MODE },                     \
        { "empty-ns", required_argument, NULL, CRIU_OPT_EMPTY_NS }
#define CRIU_FLAGS_USAGE                                                                          \
        "  --image-path DIR         the checkpoint image (default: ./checkpoint)\n"              \
        "  --work-path DIR          where CRIU writes its log (default: the image path)\n"       \
        "  --tcp-established        established TCP connections are part of the image\n"         \
        "  --ext-unix-sk            unix sockets to outside the container are allowed\n"         \
        "  --shell-job              the container holds its caller's terminal\n"                 \
        "  --file-locks             file locks are part of the image\n"                          \
        "  --lazy-pages             memory moves after the restore, on demand (userfaultfd)\n"   \
        "  --manage-cgroups-mode M  soft, full, strict or ignore (CRIU's cgroup handling)\n"     \
        "  --empty-ns network       leave the network namespace empty (its owner fills it)\n"

void criu_flags_init(struct criu_flags *f);
/* Handle one of CRIU_FLAG_OPTIONS: 1 when opt was one, 0 when not, -1 on a bad value. */
int criu_flag_parse(const char *cmd, int opt, const char *arg, struct criu_flags *f,
                    struct kago_err *err);

/* kago checkpoint: through the container's backend; afterwards (unless
 * --leave-running or --pre-dump) the container is deleted, as runc does. */
int container_checkpoint(struct kago_global *g, const struct checkpoint_opts *o,
                         struct kago_err *err);
/* kago restore: a new container from an image; *pid is its init. */
int container_restore(struct kago_global *g, const struct restore_opts *o, pid_t *pid,
                      struct kago_err *err);

/* ---- the container backend's CRIU side -------------------------------- */

int criu_dump_container(const struct container_state *st, const struct oci_spec *spec,
                        const struct checkpoint_opts *o, struct kago_err *err);
int criu_restore_container(struct container_ctx *c, const struct restore_opts *o, pid_t *pid,
                           struct kago_err *err);

/* criu_spec.c: what dump and restore derive alike from the config. */
/* Start co with the image and work directories open (made, for a dump);
 * criu_opts_end closes them and frees co. */
int criu_opts_begin(const struct criu_flags *f, bool make, struct criu_opts *co,
                    struct kago_err *err);
void criu_opts_end(struct criu_opts *co);
/* criu_call; a request CRIU failed is an error explained from its log
 * (call->opts->log_file in the work directory). res is the caller's to free
 * on success. */
int criu_run_logged(const struct criu_call *call, const struct criu_flags *f,
                    struct criu_result *res, struct kago_err *err);
/* Keep s in the NULL-terminated list *owned (freed with it); returns s. */
char *criu_own(char ***owned, char *s);
/* The log's path as the user will find it. */
char *criu_log_path(const struct criu_flags *f, const char *name);
/* Bind mounts and masked files as CRIU external mounts: key the destination,
 * value the destination (a dump of the container whose init is dump_pid) or
 * the source (a restore: dump_pid 0; sources relative to bundle). */
void criu_add_external_mounts(struct criu_opts *co, const struct oci_spec *spec,
                              const char *bundle, pid_t dump_pid, char ***owned);
/* The CRIU config file: the org.criu.config annotation ("" for none), else
 * /etc/criu/kago.conf, else /etc/criu/runc.conf when they exist; or NULL. */
const char *criu_config_file(const struct oci_spec *spec);
/* The shared flags into CRIU's options. */
void criu_apply_flags(struct criu_opts *co, const struct criu_flags *f);
/* descriptors.json: the targets of init's fds 0-2 (runc's and crun's file). */
int criu_descriptors_write(int imgfd, pid_t pid, struct kago_err *err);
/* Each pipe in it becomes an inherit_fd of our own fd 0-2 (keys owned). */
int criu_descriptors_inherit(int imgfd, struct criu_opts *co, char ***owned,
                             struct kago_err *err);

#endif
