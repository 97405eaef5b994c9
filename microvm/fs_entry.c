/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_entry.h"

int fs_make_entry(int dfd, const char *name, const struct fs_new_entry *e)
{
        int rc = 0;
        switch (e->kind) {
        case FS_NEW_DIR: rc = mkdirat(dfd, name, e->mode & 07777); break;
        case FS_NEW_SYMLINK: rc = symlinkat(e->target, dfd, name); break;
        case FS_NEW_NODE: rc = mknodat(dfd, name, e->mode, e->dev); break;
        }
        return rc < 0 ? -errno : 0;
}
