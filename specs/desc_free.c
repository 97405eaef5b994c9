/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Free a typed structure by walking its descriptor table. */
#include "desc.h"

#define AT(obj, off, type) ((type *)((char *)(obj) + (off)))

static void free_strv(char **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void free_kv(struct oci_kv *kv, size_t n)
{
        if (!kv)
                return;
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

static void free_elems(const struct desc_field *f, void *obj, bool keyed)
{
        char *arr = *AT(obj, f->off, char *);
        size_t n = *AT(obj, f->len_off, size_t);

        if (!arr)
                return;
        for (size_t i = 0; i < n; i++) {
                char *elem = arr + i * f->sub->size;
                if (keyed)
                        free(*(char **)elem);
                desc_free_fields(f->sub, elem);
        }
        free(arr);
}

static void free_field(const struct desc_field *f, void *obj)
{
        void *p = (char *)obj + f->off;

        switch (f->kind) {
        case DK_STR: free(*(char **)p); break;
        case DK_STRV: free_strv(*(char ***)p, *AT(obj, f->len_off, size_t)); break;
        case DK_U32V: free(*(uint32_t **)p); break;
        case DK_KV: free_kv(*(struct oci_kv **)p, *AT(obj, f->len_off, size_t)); break;
        case DK_OBJ: desc_free(f->sub, *(void **)p); break;
        case DK_EMBED: desc_free_fields(f->sub, p); break;
        case DK_INLINE: desc_free_fields(f->sub, obj); break;
        case DK_ARRAY: free_elems(f, obj, false); break;
        case DK_MAP: free_elems(f, obj, true); break;
        case DK_BOOL:
        case DK_OPT_BOOL:
        case DK_INT:
        case DK_OPT_INT:
        case DK_ENUM: break;
        }
}

void desc_free_fields(const struct desc_type *type, void *obj)
{
        for (size_t i = 0; i < type->nfields; i++)
                free_field(&type->fields[i], obj);
}

void desc_free(const struct desc_type *type, void *obj)
{
        if (!obj)
                return;
        desc_free_fields(type, obj);
        free(obj);
}
