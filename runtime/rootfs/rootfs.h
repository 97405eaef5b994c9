/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/rootfs/: the container's root filesystem as init builds it: the
 * mounts of config.json (binds cloned by kago create for a container with
 * a user namespace of its own, idmapped mounts, the cgroup mount), /dev and
 * its nodes, masked and read-only paths, pivot_root (or chroot), and the
 * hiding of the host's kernel filesystems with --no-pivot.
 */
#ifndef KAGO_RUNTIME_ROOTFS_H
#define KAGO_RUNTIME_ROOTFS_H

#include "../container/container.h"

int rootfs_prepare(struct container_ctx *c, struct kago_err *err);
int rootfs_mount_all(struct container_ctx *c, int rootfd, struct kago_err *err);
/* After /dev is filled: the tmpfs mounts asked read-only become so. */
int rootfs_readonly_tmpfs(struct container_ctx *c, int rootfd, struct kago_err *err);
int rootfs_pivot(struct container_ctx *c, struct kago_err *err);
/* --no-pivot: detach (or cover) the host's proc and sysfs mounts outside rootfs. */
int rootfs_hide_host_kernfs(const char *rootfs, struct kago_err *err);
int rootfs_finish(struct container_ctx *c, struct kago_err *err);
int devices_create(struct container_ctx *c, int rootfd, struct kago_err *err);
int devices_symlinks(int rootfd, struct kago_err *err);
/* A device node to make in the container's /dev. */
struct dev_node {
        const char *path;
        mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
        unsigned major, minor;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};
/* mknod d inside rootfd (EEXIST is fine); in a user namespace, a bind of the
 * host's node. */
int dev_make(int rootfd, const struct dev_node *d, struct kago_err *err);

/* ---- bind_trees.c: bind mounts of a container with a user namespace of its
 * own, cloned by kago create with the host's rights (and idmapped when
 * asked): init may not reach their sources and cannot idmap. */
/* A bind mount (type "bind", or a bind/rbind option); *rec: rbind. */
bool mount_is_bind(const struct oci_mount *m, bool *rec);
/* Whether mount m of c comes from kago create that way. */
bool bind_tree_from_parent(const struct container_ctx *c, const struct oci_mount *m);
/* kago create, once init's maps are written: clone each such mount (sources
 * relative to the bundle) and send it to init over the sync socket. */
int bind_trees_send(const struct container_ctx *c, pid_t init_pid, struct kago_err *err);
/* init: receive them (before its rootfs is built). */
int bind_trees_receive(const struct container_ctx *c, struct kago_err *err);
/* init: the detached mount received for spec->mounts[index]; the caller
 * closes it. */
int bind_trees_take(size_t index, int *tree_fd, struct kago_err *err);

/* Parse mount options into flags, propagation, recursive attributes and data. */
struct mount_opts {
        unsigned long flags;      /* MS_* to set */
        unsigned long clear;      /* MS_* cleared explicitly (rw, suid, ...) */
        unsigned long propagation;
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* applied recursively */
        bool bind, recursive;
        bool tmpcopyup; /* tmpfs: copy what the directory held into it */
        char *data; /* comma-separated filesystem options */
};
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *o, struct kago_err *err);
void mount_opts_free(struct mount_opts *o);

/* ---- rootfs_cgroup.c: the `cgroup` mount of config.json -------------- */

/* Mount the container's own cgroups at dest inside rootfd: flags and clear
 * are the mount's MS_* set and explicitly cleared (an explicit rw keeps a v1
 * tree writable); in_cgroupns when init has a cgroup namespace. */
int rootfs_mount_cgroup(int rootfd, const char *dest, unsigned long flags, unsigned long clear,
                        bool in_cgroupns, struct kago_err *err);

/* ---- userns.c -------------------------------------------------------- */

/* "0 100000 65536\n..." for /proc/PID/uid_map. */
char *userns_format_map(const struct oci_id_mapping *maps, size_t n);
/* Write linux.uidMappings/gidMappings of the process pid (from its parent);
 * setgroups is denied first when the writer lacks CAP_SETGID. */
int userns_write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t nuids,
                      const struct oci_id_mapping *gids, size_t ngids, struct kago_err *err);
/* A user namespace fd with these mappings (for MOUNT_ATTR_IDMAP). */
int userns_open_mapped(const struct oci_id_mapping *uids, size_t nuids,
                       const struct oci_id_mapping *gids, size_t ngids, int *nsfd,
                       struct kago_err *err);
/* Whether mount m is an idmapped mount, and whether recursively (ridmap). */
bool userns_mount_is_idmapped(const struct oci_mount *m, bool *recursive);
/* A detached clone of the source of m, idmapped with m's mappings, or with the
 * container's (l) for a bare idmap/ridmap option. Attach it with
 * mount_attach_tree(). Done in the parent: it needs the host's privileges. */
int userns_open_idmapped_tree(const struct oci_mount *m, const struct oci_linux *l, int *tree_fd,
                              struct kago_err *err);
/* The same with the user namespace nsfd (a container's own, for a bare
 * idmap/ridmap). m's checks are the caller's. */
int userns_open_idmapped_tree_in(const struct oci_mount *m, int nsfd, int *tree_fd,
                                 struct kago_err *err);
/* Whether a check of m for idmapping passes (a bind with a source, both maps
 * or neither, and the container's maps (l) for neither). */
int userns_check_idmapped(const struct oci_mount *m, const struct oci_linux *l,
                          struct kago_err *err);

/* ---- path_masks.c ---------------------------------------------------- */

/* Move a detached mount (open_tree / fsmount) onto the target fd. */
int mount_attach_tree(int tree_fd, int target_fd, struct kago_err *err);
/* Masked path: /dev/null over a file, an empty read-only tmpfs over a
 * directory; a missing path is fine. The container's /dev/null is checked
 * to be the real null device. */
int path_mask(int rootfd, const char *path, struct kago_err *err);
/* Readonly path: a recursive read-only bind of itself; missing is fine. */
int path_make_readonly(int rootfd, const char *path, struct kago_err *err);
/* All of linux.maskedPaths and linux.readonlyPaths. */
int path_masks_apply(int rootfd, const struct oci_linux *l, struct kago_err *err);

#endif
