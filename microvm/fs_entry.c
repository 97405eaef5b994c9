/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
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

int fs_open_settle(int fd, bool dir_ok, bool nonblock, struct stat *st)
{
        int rc = 0;
        if (fstat(fd, st) < 0)
                rc = -errno;
        else if (!S_ISREG(st->st_mode) && !(dir_ok && S_ISDIR(st->st_mode)))
                rc = -EACCES;
        else if (!nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                rc = -errno;
        if (rc < 0)
                close(fd);
        return rc;
}
