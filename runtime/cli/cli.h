/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/cli/: kago's command line. main.c reads the global options and
 * finds the command in the table (commands.c); each cmd_*.c parses its
 * options and calls the lifecycle, the container's record or its backend.
 * Also what several commands share: create's and run's options, the cgroup
 * access of pause, resume, update and events, kago run --rootfs, and how
 * kago exec builds its process.
 */
#ifndef KAGO_RUNTIME_CLI_H
#define KAGO_RUNTIME_CLI_H

#include "../../cgroups/cgroups.h"
#include "../lifecycle/lifecycle.h"

struct kago_command {
        const char *name;
        const char *summary;
        const char *usage; /* full --help text after the "Usage:" line */
        int (*run)(struct kago_global *g, int argc, char **argv, struct kago_err *err);
};

/* All commands, NULL-terminated by name. */
extern const struct kago_command kago_commands[];
const struct kago_command *cli_find_command(const char *name);
void cli_print_command_help(FILE *f, const struct kago_command *cmd);
void cli_print_help(FILE *f);
void cli_print_version(FILE *f);
/* An error for a usage mistake; the message names the bad word. */
int cli_usage_error(struct kago_err *err, const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* After getopt: the one container id left at argv[optind] (missing or
 * followed by more words: a usage error). */
int cli_take_id(const char *cmd, int argc, char **argv, const char **id, struct kago_err *err);
/* True when argv holds -h/--help before any "--". */
bool cli_wants_help(int argc, char **argv);
/* Standard getopt error handling: turns '?'/':' into a usage error naming the flag. */
int cli_bad_option(struct kago_err *err, const char *cmd, int opt, char **argv);

/* ---- the commands ---------------------------------------------------- */

#define KAGO_COMMAND_ARGS struct kago_global *g, int argc, char **argv, struct kago_err *err

int cmd_help(KAGO_COMMAND_ARGS);
int cmd_exec(KAGO_COMMAND_ARGS);
int cmd_pause(KAGO_COMMAND_ARGS);
int cmd_resume(KAGO_COMMAND_ARGS);
int cmd_update(KAGO_COMMAND_ARGS);
int cmd_events(KAGO_COMMAND_ARGS);
int cmd_ps(KAGO_COMMAND_ARGS);
int cmd_list(KAGO_COMMAND_ARGS);
int cmd_run(KAGO_COMMAND_ARGS);
int cmd_delete(KAGO_COMMAND_ARGS);
int cmd_kill(KAGO_COMMAND_ARGS);
int cmd_state(KAGO_COMMAND_ARGS);
int cmd_start(KAGO_COMMAND_ARGS);
int cmd_create(KAGO_COMMAND_ARGS);
int cmd_spec(KAGO_COMMAND_ARGS);
int cmd_features(KAGO_COMMAND_ARGS);
int cmd_checkpoint(KAGO_COMMAND_ARGS);
int cmd_restore(KAGO_COMMAND_ARGS);

/* ---- create_opts.c: options shared by create and run ----------------- */

struct run_opts {
        bool detach;
        bool keep;
        /* init is the tree's own (run --rootfs --boot): SIGTERM and SIGINT
         * ask it to halt (SIGRTMIN+3), its poweroff exits 0 and its reboot
         * starts the container again. */
        bool boot;
};

/* r is NULL for create (no run-only flags). */
int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o,
                      struct run_opts *r, struct kago_err *err);

/* Forward signals to pid, a child of kago, until it exits: its exit code
 * (128+N when killed by signal N). cmd_run.c */
int run_wait_child(pid_t pid);

#define CREATE_USAGE_OPTIONS                                                                      \
        "  -b, --bundle DIR         the bundle (default: the current directory)\n"                \
        "  --pid-file FILE          write the init process's pid to FILE\n"                      \
        "  --console-socket SOCK    send the terminal's pty master to the unix socket SOCK\n"   \
        "  --no-pivot               chroot instead of pivot_root (root on ramfs)\n"             \
        "  --no-new-keyring         keep the caller's session keyring\n"                         \
        "  --preserve-fds N         pass fds 3..3+N-1 to the container\n"

#define RUN_USAGE_OPTIONS                                                                         \
        "  -d, --detach             return once the container is started\n"                      \
        "  --keep                   keep the container when it stops (no delete)\n"              \
        "  --vm                     run the container as a microVM\n"

/* ---- cgroup_cmd.c: what pause, resume, update and events share ------- */

struct cgroup_cmd {
        int rootfd;
        int dirfd;
        struct container_state st;
        enum container_status status;
        struct cgroup *cg;
};

/* Open container id (locked unless lock is false), read its state and open
 * its cgroup; an error naming the container when it has none. */
int cgroup_cmd_open(const char *root, const char *id, bool lock, struct cgroup_cmd *c,
                    struct kago_err *err);
void cgroup_cmd_close(struct cgroup_cmd *c);

/* pause/resume: [--timeout DURATION] ID (default 10 s). */
int cgroup_cmd_parse_args(const char *name, int argc, char **argv, int *timeout_ms, const char **id,
                          struct kago_err *err);

/* "5s", "250ms", "2m", "1.5s" or plain seconds, into milliseconds (> 0). */
int cgroup_cmd_parse_duration(const char *s, int *ms);

/* Fold the limits set in update into the saved config's linux.resources and
 * write the config back (atomically). */
int cgroup_cmd_save_resources(int dirfd, const char *id, struct oci_linux_resources *update,
                              struct kago_err *err);

/* ---- checkpoint's and restore's options ------------------------------ */

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

/* ---- exec_build.c ---------------------------------------------------- */

/* Build the process to run from the options and the container's config. */
int exec_build_process(const struct exec_opts *o, const struct oci_spec *spec,
                       struct oci_process **out, struct kago_err *err);

/* ---- run_rootfs*.c: kago run --rootfs DIR ----------------------------- */

/* A --bind/--bind-ro/--tmpfs, in the order given. */
struct rootfs_mount {
        const char *kind;  /* the option, for errors */
        char *source;      /* absolute host path; NULL for a tmpfs */
        char *destination; /* absolute path in the container */
        bool readonly;
};

struct rootfs_run {
        char *tree;           /* the directory, absolute */
        const char *machine;  /* -M; NULL: generated */
        char *id;             /* the container id (machine or generated) */
        char **cmd;           /* the command (argv after the options) */
        struct rootfs_mount *mounts;
        size_t mounts_len;
        const char **env;     /* -E K=V */
        size_t env_len;
        const char *chdir;
        const char *hostname;
        bool user_set;
        uint32_t uid, gid;
        bool ephemeral, readonly, print_spec;
        bool register_machine;    /* --register: kago.machined=true */
        const char *save_bundle;
        int64_t memory;       /* -1: unset */
        double cpus;          /* 0: unset */
        int64_t pids;         /* 0: unset */
        bool vm;
        bool boot;            /* --boot: the tree's init is PID 1 */
        char *boot_init;      /* its path in the tree */
        const char *vm_cpus, *vm_memory;
        char *vm_kernel;      /* absolute */
        const char *pid_file;
        char *network;            /* --network, --network-veth, --network-bridge: kago.net */
        const char **annotations; /* --annotation KEY=VALUE */
        size_t annotations_len;
        struct run_opts r;
};

/* Whether argv (a run command line) names --rootfs before any "--". */
bool run_rootfs_wanted(int argc, char **argv);
int run_rootfs_parse(int argc, char **argv, struct rootfs_run *rr, struct kago_err *err);
void run_rootfs_free(struct rootfs_run *rr);
/* The config for rr, rooted at root (the tree, or the ephemeral overlay). */
struct oci_spec *run_rootfs_spec(const struct rootfs_run *rr, const char *root);
/* --ephemeral: an overlay of the tree with a throwaway upper layer, in a
 * mount namespace of kago's own; *dir is the temp dir to remove at the end. */
int run_rootfs_ephemeral(const char *tree, char **dir, char **merged, struct kago_err *err);
void run_rootfs_ephemeral_remove(const char *dir);
int run_rootfs_main(struct kago_global *g, int argc, char **argv, struct kago_err *err);

/* cmd_run.c: run a container created from o (foreground or --detach). */
int run_container(struct kago_global *g, struct create_opts *o, const struct run_opts *r,
                  struct kago_err *err);

#endif
