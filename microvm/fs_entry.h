/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What both shared-root servers (9P, virtio-fs) create for the guest. */
#ifndef KAGO_MICROVM_FS_ENTRY_H
#define KAGO_MICROVM_FS_ENTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct fs_new_entry {
        enum { FS_NEW_DIR, FS_NEW_SYMLINK, FS_NEW_NODE } kind;
        uint32_t mode;      /* FS_NEW_DIR: permission bits; FS_NEW_NODE: type and bits */
        const char *target; /* FS_NEW_SYMLINK */
        dev_t dev;          /* FS_NEW_NODE */
};

/* Create name in directory dfd: 0 or -errno. */
int fs_make_entry(int dfd, const char *name, const struct fs_new_entry *e);

/* The guest opens files of the served tree with O_NONBLOCK added, so that a
 * FIFO it made cannot block the VMM's only thread. Then: keep fd only when
 * it is a regular file (or a directory, when dir_ok) — special files live
 * in the guest's kernel, never behind the server — and give it back the
 * blocking mode unless the guest asked for O_NONBLOCK. 0 with st filled, or
 * -errno with fd closed (EACCES for a special file). */
int fs_open_settle(int fd, bool dir_ok, bool nonblock, struct stat *st);

#endif
