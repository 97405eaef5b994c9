/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Deep equality of two typed structures, by descriptor table. */
#include <string.h>

#include "desc.h"

#define AT(obj, off, type) ((type const *)((const char *)(obj) + (off)))

static bool str_eq(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static size_t num_size(enum desc_num num)
{
        switch (num) {
        case DN_I32: return sizeof(int32_t);
        case DN_I64: return sizeof(int64_t);
        case DN_U16: return sizeof(uint16_t);
        case DN_U32: return sizeof(uint32_t);
        case DN_U64: return sizeof(uint64_t);
        }
        return 0;
}

static bool opt_int_eq(enum desc_num num, const void *a, const void *b)
{
        bool sa = *(const bool *)a, sb = *(const bool *)b;
        size_t off = desc_opt_value_off(num);

        if (sa != sb)
                return false;
        return !sa || memcmp((const char *)a + off, (const char *)b + off, num_size(num)) == 0;
}

static bool strv_eq(const struct desc_field *f, const void *a, const void *b)
{
        char *const *va = *AT(a, f->off, char **), *const *vb = *AT(b, f->off, char **);
        size_t n = *AT(a, f->len_off, size_t);

        if (!va || !vb)
                return va == vb;
        if (n != *AT(b, f->len_off, size_t))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!str_eq(va[i], vb[i]))
                        return false;
        return true;
}

static bool u32v_eq(const struct desc_field *f, const void *a, const void *b)
{
        const uint32_t *va = *AT(a, f->off, uint32_t *), *vb = *AT(b, f->off, uint32_t *);
        size_t n = *AT(a, f->len_off, size_t);

        if (!va || !vb)
                return va == vb;
        return n == *AT(b, f->len_off, size_t) && memcmp(va, vb, n * sizeof *va) == 0;
}

static bool kv_eq(const struct desc_field *f, const void *a, const void *b)
{
        const struct oci_kv *ka = *AT(a, f->off, struct oci_kv *);
        const struct oci_kv *kb = *AT(b, f->off, struct oci_kv *);
        size_t n = *AT(a, f->len_off, size_t);

        if (!ka || !kb)
                return ka == kb;
        if (n != *AT(b, f->len_off, size_t))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!str_eq(ka[i].key, kb[i].key) || !str_eq(ka[i].value, kb[i].value))
                        return false;
        return true;
}

static bool elems_eq(const struct desc_field *f, const void *a, const void *b, bool keyed)
{
        const char *ea = *AT(a, f->off, char *), *eb = *AT(b, f->off, char *);
        size_t n = *AT(a, f->len_off, size_t);

        if (!ea || !eb)
                return ea == eb;
        if (n != *AT(b, f->len_off, size_t))
                return false;
        for (size_t i = 0; i < n; i++) {
                const char *x = ea + i * f->sub->size, *y = eb + i * f->sub->size;
                if (keyed && !str_eq(*(char *const *)x, *(char *const *)y))
                        return false;
                if (!desc_equal(f->sub, x, y))
                        return false;
        }
        return true;
}

static bool field_eq(const struct desc_field *f, const void *a, const void *b)
{
        const char *pa = (const char *)a + f->off, *pb = (const char *)b + f->off;

        switch (f->kind) {
        case DK_STR: return str_eq(*(char *const *)pa, *(char *const *)pb);
        case DK_BOOL: return *(const bool *)pa == *(const bool *)pb;
        case DK_OPT_BOOL: {
                const struct oci_opt_bool *x = (const void *)pa, *y = (const void *)pb;
                return x->set == y->set && (!x->set || x->value == y->value);
        }
        case DK_INT: return memcmp(pa, pb, num_size(f->num)) == 0;
        case DK_OPT_INT: return opt_int_eq(f->num, pa, pb);
        case DK_ENUM: return *(const int *)pa == *(const int *)pb;
        case DK_STRV: return strv_eq(f, a, b);
        case DK_U32V: return u32v_eq(f, a, b);
        case DK_KV: return kv_eq(f, a, b);
        case DK_OBJ: {
                const void *x = *(void *const *)pa, *y = *(void *const *)pb;
                if (!x || !y)
                        return x == y;
                return desc_equal(f->sub, x, y);
        }
        case DK_EMBED: return desc_equal(f->sub, pa, pb);
        case DK_INLINE: return desc_equal(f->sub, a, b);
        case DK_ARRAY: return elems_eq(f, a, b, false);
        case DK_MAP: return elems_eq(f, a, b, true);
        }
        return false;
}

bool desc_equal(const struct desc_type *type, const void *a, const void *b)
{
        if (type->set_off != DESC_NO_SET &&
            *AT(a, type->set_off, bool) != *AT(b, type->set_off, bool))
                return false;
        for (size_t i = 0; i < type->nfields; i++)
                if (!field_eq(&type->fields[i], a, b))
                        return false;
        return true;
}
