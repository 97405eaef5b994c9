/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_opts: the lists a request carries. */
#include <stdarg.h>
#include <stdio.h>

#include "criu.h"

void criu_opts_init(struct criu_opts *o)
{
        *o = (struct criu_opts){ .images_dir_fd = -1, .work_dir_fd = -1, .status_fd = -1,
                                 .cg_mode = CRIU_CG_UNSET };
}

#define APPEND(arr, n, item)                                                                      \
        do {                                                                                      \
                (arr) = xrealloc((arr), ((n) + 1) * sizeof *(arr));                               \
                (arr)[(n)++] = (item);                                                            \
        } while (0)

void criu_opts_add_ext_mnt(struct criu_opts *o, const char *key, const char *val)
{
        APPEND(o->ext_mnt, o->n_ext_mnt, ((struct criu_pair){ key, val }));
}

void criu_opts_add_cg_root(struct criu_opts *o, const char *ctrl, const char *path)
{
        APPEND(o->cg_root, o->n_cg_root, ((struct criu_pair){ ctrl, path }));
}

void criu_opts_add_inherit(struct criu_opts *o, const char *key, int fd)
{
        APPEND(o->inherit, o->n_inherit, ((struct criu_inherit){ key, fd }));
}

void criu_opts_add_external(struct criu_opts *o, const char *fmt, ...)
{
        size_t n = strv_length(o->external);
        va_list ap;
        char *s;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                abort();
        va_end(ap);
        o->external = xrealloc(o->external, (n + 2) * sizeof *o->external);
        o->external[n] = s;
        o->external[n + 1] = NULL;
}

void criu_opts_free(struct criu_opts *o)
{
        free(o->ext_mnt);
        free(o->cg_root);
        free(o->inherit);
        for (size_t i = 0; o->external && o->external[i]; i++)
                free(o->external[i]);
        free(o->external);
        criu_opts_init(o);
}

void criu_result_free(struct criu_result *r)
{
        free(r->cr_errmsg);
        *r = (struct criu_result){ 0 };
}
