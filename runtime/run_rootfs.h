/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago run --rootfs DIR: a directory tree run without a bundle. The config
 * is kago's default spec with nspawn-spelled options applied, built in
 * memory and handed to create as bytes. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_RUN_ROOTFS_H
#define KAGO_RUNTIME_RUN_ROOTFS_H

#include "container.h"
#include "create_opts.h"

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
        const char *save_bundle;
        int64_t memory;       /* -1: unset */
        double cpus;          /* 0: unset */
        int64_t pids;         /* 0: unset */
        bool vm;
        const char *vm_cpus, *vm_memory;
        char *vm_kernel;      /* absolute */
        const char *pid_file;
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
