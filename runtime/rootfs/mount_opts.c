/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mount options of config.json `mounts`: the flags of specs/'s table
 * (runtime-spec config.md, "Linux mount options"), the rest is filesystem data. */
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "rootfs.h"

static void data_append(struct mount_opts *o, const char *opt)
{
        char *next = o->data ? xasprintf("%s,%s", o->data, opt) : xstrdup(opt);
        free(o->data);
        o->data = next;
}

static void opt_apply_flag(struct mount_opts *o, const struct spec_mount_option *e)
{
        if (e->clear) {
                o->flags &= ~e->flag;
                o->clear |= e->flag;
        } else {
                o->flags |= e->flag;
                o->clear &= ~e->flag;
        }
}

static void opt_apply_attr(struct mount_opts *o, const struct spec_mount_option *e)
{
        uint64_t *on = e->clear ? &o->attr_clr : &o->attr_set;
        uint64_t *off = e->clear ? &o->attr_set : &o->attr_clr;
        *on |= e->flag;
        *off &= ~(uint64_t)e->flag;
}

static void opt_apply(struct mount_opts *o, const struct spec_mount_option *e)
{
        switch (e->kind) {
        case SPEC_MOPT_FLAG: opt_apply_flag(o, e); break;
        case SPEC_MOPT_PROPAGATION: o->propagation = e->flag; break;
        case SPEC_MOPT_BIND:
                o->bind = true;
                o->recursive = o->recursive || (e->flag & MS_REC);
                break;
        case SPEC_MOPT_RECURSIVE: opt_apply_attr(o, e); break;
        case SPEC_MOPT_ATIME: /* one mode: the last option wins */
                o->attr_set = (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | e->flag;
                o->attr_clr |= MOUNT_ATTR__ATIME;
                break;
        case SPEC_MOPT_EXTENSION: /* idmap/ridmap: rootfs_mount.c and userns.c */
                if (strcmp(e->name, "tmpcopyup") == 0)
                        o->tmpcopyup = true;
                break;
        }
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *o, struct kago_err *err)
{
        (void)err; /* every word is a flag, an attribute or filesystem data */
        memset(o, 0, sizeof *o);
        for (size_t i = 0; i < n; i++) {
                const struct spec_mount_option *e = spec_mount_option_lookup(options[i]);
                if (e)
                        opt_apply(o, e);
                else if (options[i][0] != '\0')
                        data_append(o, options[i]);
        }
        return 0;
}

void mount_opts_free(struct mount_opts *o)
{
        free(o->data);
        o->data = NULL;
}
