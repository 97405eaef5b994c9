/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Emit a typed structure as JSON with yajl's generator, by descriptor table. */
#include <inttypes.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "desc.h"

#define AT(obj, off, type) ((type const *)((const char *)(obj) + (off)))

static void gen_encode(yajl_gen g, const struct desc_type *type, const void *obj);

static void gen_str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_int(yajl_gen g, enum desc_num num, const void *p)
{
        char buf[32];
        int n = 0;

        switch (num) {
        case DN_I32: n = snprintf(buf, sizeof buf, "%" PRId32, *(const int32_t *)p); break;
        case DN_I64: n = snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)p); break;
        case DN_U16: n = snprintf(buf, sizeof buf, "%" PRIu16, *(const uint16_t *)p); break;
        case DN_U32: n = snprintf(buf, sizeof buf, "%" PRIu32, *(const uint32_t *)p); break;
        case DN_U64: n = snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)p); break;
        }
        yajl_gen_number(g, buf, (size_t)n);
}

static bool type_present(const struct desc_type *type, const void *obj);

static bool field_present(const struct desc_field *f, const void *obj)
{
        const char *p = (const char *)obj + f->off;

        switch (f->kind) {
        case DK_STR:
        case DK_STRV:
        case DK_U32V:
        case DK_KV:
        case DK_OBJ:
        case DK_ARRAY:
        case DK_MAP: return *(void *const *)p != NULL;
        case DK_BOOL: return *(const bool *)p || (f->flags & DF_REQUIRED);
        case DK_OPT_BOOL:
        case DK_OPT_INT: return *(const bool *)p;
        case DK_INT: return true;
        case DK_ENUM: /* a value outside the table was never parsed: leave it out */
                return *(const int *)p > 0 &&
                       (size_t)*(const int *)p <= desc_names_count(f->names);
        case DK_EMBED:
                return f->sub->set_off == DESC_NO_SET || *AT(p, f->sub->set_off, bool);
        case DK_INLINE: return type_present(f->sub, obj);
        }
        return false;
}

static bool type_present(const struct desc_type *type, const void *obj)
{
        for (size_t i = 0; i < type->nfields; i++)
                if (field_present(&type->fields[i], obj))
                        return true;
        return false;
}

static void gen_elems(yajl_gen g, const struct desc_field *f, const void *obj, bool keyed)
{
        const char *arr = *AT(obj, f->off, char *);
        size_t n = *AT(obj, f->len_off, size_t);

        keyed ? yajl_gen_map_open(g) : yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++) {
                const char *elem = arr + i * f->sub->size;
                if (keyed)
                        gen_str(g, *(char *const *)elem);
                gen_encode(g, f->sub, elem);
        }
        keyed ? yajl_gen_map_close(g) : yajl_gen_array_close(g);
}

static void gen_value(yajl_gen g, const struct desc_field *f, const void *obj)
{
        const char *p = (const char *)obj + f->off;
        size_t n = f->len_off ? *AT(obj, f->len_off, size_t) : 0;

        switch (f->kind) {
        case DK_STR: gen_str(g, *(char *const *)p); break;
        case DK_BOOL: yajl_gen_bool(g, *(const bool *)p); break;
        case DK_OPT_BOOL: yajl_gen_bool(g, ((const struct oci_opt_bool *)p)->value); break;
        case DK_INT: gen_int(g, f->num, p); break;
        case DK_OPT_INT: gen_int(g, f->num, p + desc_opt_value_off(f->num)); break;
        case DK_ENUM: gen_str(g, f->names[*(const int *)p - 1]); break;
        case DK_STRV:
                yajl_gen_array_open(g);
                for (size_t i = 0; i < n; i++)
                        gen_str(g, (*(char **const *)p)[i]);
                yajl_gen_array_close(g);
                break;
        case DK_U32V:
                yajl_gen_array_open(g);
                for (size_t i = 0; i < n; i++)
                        gen_int(g, DN_U32, &(*(uint32_t *const *)p)[i]);
                yajl_gen_array_close(g);
                break;
        case DK_KV:
                yajl_gen_map_open(g);
                for (size_t i = 0; i < n; i++) {
                        gen_str(g, (*(struct oci_kv *const *)p)[i].key);
                        gen_str(g, (*(struct oci_kv *const *)p)[i].value);
                }
                yajl_gen_map_close(g);
                break;
        case DK_OBJ: gen_encode(g, f->sub, *(void *const *)p); break;
        case DK_EMBED: gen_encode(g, f->sub, p); break;
        case DK_INLINE: gen_encode(g, f->sub, obj); break;
        case DK_ARRAY: gen_elems(g, f, obj, false); break;
        case DK_MAP: gen_elems(g, f, obj, true); break;
        }
}

static void gen_encode(yajl_gen g, const struct desc_type *type, const void *obj)
{
        yajl_gen_map_open(g);
        for (size_t i = 0; i < type->nfields; i++) {
                const struct desc_field *f = &type->fields[i];
                if (!field_present(f, obj))
                        continue;
                gen_str(g, f->name);
                gen_value(g, f, obj);
        }
        yajl_gen_map_close(g);
}

char *desc_emit(const struct desc_type *type, const void *obj)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        if (!g)
                return NULL;
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "\t");
        gen_encode(g, type, obj);
        yajl_gen_get_buf(g, &buf, &len);
        char *out = xmalloc(len + 2);
        memcpy(out, buf, len);
        if (len == 0 || out[len - 1] != '\n')
                out[len++] = '\n';
        out[len] = '\0';
        yajl_gen_free(g);
        return out;
}
