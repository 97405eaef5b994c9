/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mount options of config.json `mounts`: the runtime-spec's list of flags
 * (runtime-spec config.md, "Linux mount options"), the rest is filesystem data. */
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "container.h"

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROP, OPT_ATTR_SET, OPT_ATTR_CLR, OPT_ATTR_ATIME,
                OPT_BIND, OPT_RBIND, OPT_IGNORE };

struct opt_entry {
        const char *name;
        enum opt_kind kind;
        unsigned long flag; /* MS_* or MOUNT_ATTR_* */
};

static const struct opt_entry opt_table[] = {
        { "defaults", OPT_IGNORE, 0 },
        { "async", OPT_CLEAR, MS_SYNCHRONOUS },
        { "sync", OPT_FLAG, MS_SYNCHRONOUS },
        { "atime", OPT_CLEAR, MS_NOATIME },
        { "noatime", OPT_FLAG, MS_NOATIME },
        { "dev", OPT_CLEAR, MS_NODEV },
        { "nodev", OPT_FLAG, MS_NODEV },
        { "diratime", OPT_CLEAR, MS_NODIRATIME },
        { "nodiratime", OPT_FLAG, MS_NODIRATIME },
        { "dirsync", OPT_FLAG, MS_DIRSYNC },
        { "exec", OPT_CLEAR, MS_NOEXEC },
        { "noexec", OPT_FLAG, MS_NOEXEC },
        { "iversion", OPT_FLAG, MS_I_VERSION },
        { "noiversion", OPT_CLEAR, MS_I_VERSION },
        { "lazytime", OPT_FLAG, MS_LAZYTIME },
        { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
        { "loud", OPT_CLEAR, MS_SILENT },
        { "silent", OPT_FLAG, MS_SILENT },
        { "mand", OPT_FLAG, MS_MANDLOCK },
        { "nomand", OPT_CLEAR, MS_MANDLOCK },
        { "relatime", OPT_FLAG, MS_RELATIME },
        { "norelatime", OPT_CLEAR, MS_RELATIME },
        { "strictatime", OPT_FLAG, MS_STRICTATIME },
        { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
        { "suid", OPT_CLEAR, MS_NOSUID },
        { "nosuid", OPT_FLAG, MS_NOSUID },
        { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
        { "nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW },
        { "ro", OPT_FLAG, MS_RDONLY },
        { "rw", OPT_CLEAR, MS_RDONLY },
        { "remount", OPT_FLAG, MS_REMOUNT },
        { "bind", OPT_BIND, 0 },
        { "rbind", OPT_RBIND, 0 },
        { "private", OPT_PROP, MS_PRIVATE },
        { "rprivate", OPT_PROP, MS_PRIVATE | MS_REC },
        { "shared", OPT_PROP, MS_SHARED },
        { "rshared", OPT_PROP, MS_SHARED | MS_REC },
        { "slave", OPT_PROP, MS_SLAVE },
        { "rslave", OPT_PROP, MS_SLAVE | MS_REC },
        { "unbindable", OPT_PROP, MS_UNBINDABLE },
        { "runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC },
        /* Recursive variants: mount_setattr(AT_RECURSIVE) on the whole tree. */
        { "rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY },
        { "rrw", OPT_ATTR_CLR, MOUNT_ATTR_RDONLY },
        { "rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID },
        { "rsuid", OPT_ATTR_CLR, MOUNT_ATTR_NOSUID },
        { "rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV },
        { "rdev", OPT_ATTR_CLR, MOUNT_ATTR_NODEV },
        { "rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC },
        { "rexec", OPT_ATTR_CLR, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", OPT_ATTR_CLR, MOUNT_ATTR_NODIRATIME },
        /* The atime mode is one value: each option picks one. */
        { "rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME },
        { "rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
        { "rnostrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
        { "rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
        { "rnorelatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
        { "ratime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
        { "rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", OPT_ATTR_CLR, MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct opt_entry *opt_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
                if (strcmp(opt_table[i].name, name) == 0)
                        return &opt_table[i];
        return NULL;
}

static void data_append(struct mount_opts *o, const char *opt)
{
        char *next = o->data ? xasprintf("%s,%s", o->data, opt) : xstrdup(opt);
        free(o->data);
        o->data = next;
}

static void opt_apply(struct mount_opts *o, const struct opt_entry *e)
{
        switch (e->kind) {
        case OPT_FLAG: o->flags |= e->flag; o->clear &= ~e->flag; break;
        case OPT_CLEAR: o->flags &= ~e->flag; o->clear |= e->flag; break;
        case OPT_PROP: o->propagation = e->flag; break;
        case OPT_ATTR_SET: o->attr_set |= e->flag; o->attr_clr &= ~e->flag; break;
        case OPT_ATTR_CLR: o->attr_clr |= e->flag; o->attr_set &= ~e->flag; break;
        case OPT_ATTR_ATIME:
                o->attr_set = (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | e->flag;
                o->attr_clr |= MOUNT_ATTR__ATIME;
                break;
        case OPT_BIND: o->bind = true; break;
        case OPT_RBIND: o->bind = o->recursive = true; break;
        case OPT_IGNORE: break;
        }
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *o, struct kago_err *err)
{
        (void)err; /* every word is a flag, an attribute or filesystem data */
        memset(o, 0, sizeof *o);
        for (size_t i = 0; i < n; i++) {
                const char *name = options[i];
                if (strcmp(name, "idmap") == 0 || strcmp(name, "ridmap") == 0)
                        continue; /* rootfs_mount.c: an idmapped bind (userns.c) */
                const struct opt_entry *e = opt_find(name);
                if (e)
                        opt_apply(o, e);
                else if (strcmp(name, "tmpcopyup") == 0)
                        o->tmpcopyup = true;
                else if (name[0] != '\0')
                        data_append(o, name);
        }
        return 0;
}

void mount_opts_free(struct mount_opts *o)
{
        free(o->data);
        o->data = NULL;
}
