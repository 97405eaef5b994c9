/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --no-pivot keeps the host's mounts in the container's mount namespace,
 * out of reach of its chroot but not of the kernel: a procfs or sysfs left
 * fully visible there lets a process of the container mount a fresh one
 * (unshare -mrpf mount -t proc ...), which undoes maskedPaths. Before the
 * root moves, every proc and sysfs mount outside the rootfs is detached,
 * or covered by an empty read-only tmpfs where it cannot be (a mount locked
 * by a user namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "rootfs.h"

/* The mount point of a mountinfo line whose filesystem is proc or sysfs. */
static bool mountinfo_kernfs_point(char *line, char **point)
{
        char *sep = strstr(line, " - ");
        char *save = NULL, *field = strtok_r(line, " ", &save);

        if (!sep)
                return false;
        for (int i = 1; field && i < 5; i++)
                field = strtok_r(NULL, " ", &save);
        if (!field)
                return false;
        *point = field;
        return str_has_prefix(sep, " - proc ") || str_has_prefix(sep, " - sysfs ");
}

static bool path_is_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int hide_mount(const char *point, struct kago_err *err)
{
        if (umount2(point, MNT_DETACH) == 0)
                return 0;
        if (mount("tmpfs", point, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=0") == 0 || errno == ENOENT || errno == ENOTDIR)
                return 0; /* ENOENT: gone with a mount detached before it */
        return kago_err_errno(err, errno, "--no-pivot: hide the host's %s", point);
}

int rootfs_hide_host_kernfs(const char *rootfs, struct kago_err *err)
{
        _cleanup_free_ char *info = NULL;
        _cleanup_free_ char **lines = NULL;
        size_t len, n = 0;

        if (file_read_at(AT_FDCWD, "/proc/self/mountinfo", 4 << 20, &info, &len, err) < 0)
                return -1;
        lines = xcalloc(len / 2 + 1, sizeof *lines);
        for (char *save = NULL, *l = strtok_r(info, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                lines[n++] = l;
        /* Last line first: a mount is detached before the one it sits on. */
        while (n-- > 0) {
                char *point;
                if (mountinfo_kernfs_point(lines[n], &point) && !path_is_under(point, rootfs) &&
                    hide_mount(point, err) < 0)
                        return -1;
        }
        return 0;
}
