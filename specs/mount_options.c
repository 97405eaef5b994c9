/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mount options of mounts[].options that are flags rather than fs data. */
#include <string.h>
#include <sys/mount.h>

#include "specs.h"

#define FLAG(N, F) { N, SPEC_MOPT_FLAG, false, F }
#define CLEAR(N, F) { N, SPEC_MOPT_FLAG, true, F }
#define PROP(N, F) { N, SPEC_MOPT_PROPAGATION, false, F }
#define RSET(N, F) { N, SPEC_MOPT_RECURSIVE, false, F }
#define RCLEAR(N, F) { N, SPEC_MOPT_RECURSIVE, true, F }
#define ATIME(N, F) { N, SPEC_MOPT_ATIME, false, F }

/* Sorted by name for bsearch. */
const struct spec_mount_option spec_mount_options[] = {
        CLEAR("async", MS_SYNCHRONOUS),
        CLEAR("atime", MS_NOATIME),
        { "bind", SPEC_MOPT_BIND, false, MS_BIND },
        FLAG("defaults", 0),
        CLEAR("dev", MS_NODEV),
        CLEAR("diratime", MS_NODIRATIME),
        FLAG("dirsync", MS_DIRSYNC),
        CLEAR("exec", MS_NOEXEC),
        { "idmap", SPEC_MOPT_EXTENSION, false, 0 }, /* an idmapped bind mount */
        FLAG("iversion", MS_I_VERSION),
        FLAG("lazytime", MS_LAZYTIME),
        CLEAR("loud", MS_SILENT),
        FLAG("mand", MS_MANDLOCK),
        FLAG("noatime", MS_NOATIME),
        FLAG("nodev", MS_NODEV),
        FLAG("nodiratime", MS_NODIRATIME),
        FLAG("noexec", MS_NOEXEC),
        CLEAR("noiversion", MS_I_VERSION),
        CLEAR("nolazytime", MS_LAZYTIME),
        CLEAR("nomand", MS_MANDLOCK),
        CLEAR("norelatime", MS_RELATIME),
        CLEAR("nostrictatime", MS_STRICTATIME),
        FLAG("nosuid", MS_NOSUID),
        FLAG("nosymfollow", MS_NOSYMFOLLOW),
        PROP("private", MS_PRIVATE),
        ATIME("ratime", MOUNT_ATTR_STRICTATIME),
        { "rbind", SPEC_MOPT_BIND, false, MS_BIND | MS_REC },
        RCLEAR("rdev", MOUNT_ATTR_NODEV),
        RCLEAR("rdiratime", MOUNT_ATTR_NODIRATIME),
        FLAG("relatime", MS_RELATIME),
        FLAG("remount", MS_REMOUNT),
        RCLEAR("rexec", MOUNT_ATTR_NOEXEC),
        { "ridmap", SPEC_MOPT_EXTENSION, false, 0 }, /* idmapped, recursively */
        ATIME("rnoatime", MOUNT_ATTR_NOATIME),
        RSET("rnodev", MOUNT_ATTR_NODEV),
        RSET("rnodiratime", MOUNT_ATTR_NODIRATIME),
        RSET("rnoexec", MOUNT_ATTR_NOEXEC),
        ATIME("rnorelatime", MOUNT_ATTR_STRICTATIME),
        ATIME("rnostrictatime", MOUNT_ATTR_RELATIME),
        RSET("rnosuid", MOUNT_ATTR_NOSUID),
        RSET("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
        FLAG("ro", MS_RDONLY),
        PROP("rprivate", MS_PRIVATE | MS_REC),
        ATIME("rrelatime", MOUNT_ATTR_RELATIME),
        RSET("rro", MOUNT_ATTR_RDONLY),
        RCLEAR("rrw", MOUNT_ATTR_RDONLY),
        PROP("rshared", MS_SHARED | MS_REC),
        PROP("rslave", MS_SLAVE | MS_REC),
        ATIME("rstrictatime", MOUNT_ATTR_STRICTATIME),
        RCLEAR("rsuid", MOUNT_ATTR_NOSUID),
        RCLEAR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
        PROP("runbindable", MS_UNBINDABLE | MS_REC),
        CLEAR("rw", MS_RDONLY),
        PROP("shared", MS_SHARED),
        FLAG("silent", MS_SILENT),
        PROP("slave", MS_SLAVE),
        FLAG("strictatime", MS_STRICTATIME),
        CLEAR("suid", MS_NOSUID),
        CLEAR("symfollow", MS_NOSYMFOLLOW),
        FLAG("sync", MS_SYNCHRONOUS),
        { "tmpcopyup", SPEC_MOPT_EXTENSION, false, 0 }, /* copy the directory into the new tmpfs */
        PROP("unbindable", MS_UNBINDABLE),
};
const size_t spec_mount_options_len = ARRAY_SIZE(spec_mount_options);

static int cmp_option(const void *key, const void *elem)
{
        return strcmp(key, ((const struct spec_mount_option *)elem)->name);
}

const struct spec_mount_option *spec_mount_option_lookup(const char *name)
{
        return bsearch(name, spec_mount_options, spec_mount_options_len,
                       sizeof spec_mount_options[0], cmp_option);
}
