/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decode a JSON tree into the typed model by walking the descriptor tables. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "desc.h"

#define AT(obj, off, type) ((type *)((char *)(obj) + (off)))

int desc_name_index(const char *const *names, const char *s)
{
        for (int i = 0; names[i]; i++)
                if (strcmp(names[i], s) == 0)
                        return i;
        return -1;
}

size_t desc_names_count(const char *const *names)
{
        size_t n = 0;
        while (names[n])
                n++;
        return n;
}

static char *node_strdup(const struct json_node *node)
{
        char *s = xmalloc(node->n + 1);
        memcpy(s, node->text, node->n + 1);
        return s;
}

/* ---- integers -------------------------------------------------------- */

static void num_limits(const struct desc_field *f, int64_t *min, uint64_t *max)
{
        static const struct { int64_t min; uint64_t max; } natural[] = {
                [DN_I32] = { INT32_MIN, INT32_MAX },
                [DN_I64] = { INT64_MIN, INT64_MAX },
                [DN_U16] = { 0, UINT16_MAX },
                [DN_U32] = { 0, UINT32_MAX },
                [DN_U64] = { 0, UINT64_MAX },
        };
        *min = (f->flags & DF_RANGE) ? f->min : natural[f->num].min;
        *max = (f->flags & DF_RANGE) ? f->max : natural[f->num].max;
}

static int range_error(const struct desc_field *f, const struct json_node *node,
                       struct json_path *path, struct kago_err *err)
{
        int64_t min;
        uint64_t max;

        num_limits(f, &min, &max);
        return json_path_error(err, path, "%.64s is out of range (%" PRId64 " to %" PRIu64 ")",
                               node->text, min, max);
}

/* The node as sign + magnitude; -1 when it is not an integer or overflows 64 bits. */
static int node_integer(const struct json_node *node, bool *neg, uint64_t *mag)
{
        const char *t = node->text;
        char *end;

        *neg = t[0] == '-';
        errno = 0;
        *mag = strtoull(t + *neg, &end, 10);
        if (errno == ERANGE || *end != '\0')
                return -1;
        return 0;
}

static void store_int(enum desc_num num, void *p, bool neg, uint64_t mag)
{
        int64_t s = neg ? (int64_t)(0 - mag) : (int64_t)mag;

        switch (num) {
        case DN_I32: *(int32_t *)p = (int32_t)s; break;
        case DN_I64: *(int64_t *)p = s; break;
        case DN_U16: *(uint16_t *)p = (uint16_t)mag; break;
        case DN_U32: *(uint32_t *)p = (uint32_t)mag; break;
        case DN_U64: *(uint64_t *)p = mag; break;
        }
}

static int decode_int(const struct desc_field *f, const struct json_node *node, void *p,
                      struct json_path *path, struct kago_err *err)
{
        int64_t min;
        uint64_t max, mag;
        bool neg;

        if (node->type != JSON_NUMBER || strpbrk(node->text, ".eE"))
                return json_path_type_error(err, path, "integer", node);
        if (node_integer(node, &neg, &mag) < 0)
                return range_error(f, node, path, err);
        num_limits(f, &min, &max);
        if (neg && mag != 0) {
                if (min >= 0 || mag - 1 > (uint64_t)(-(min + 1)))
                        return range_error(f, node, path, err);
        } else if (mag > max || (min > 0 && mag < (uint64_t)min)) {
                return range_error(f, node, path, err);
        }
        store_int(f->num, p, neg && mag != 0, mag);
        return 0;
}

/* ---- strings and string arrays ---------------------------------------- */

static int one_of_error(const char *const *names, const struct json_node *node,
                        struct json_path *path, struct kago_err *err)
{
        char list[512];
        size_t n = 0;

        list[0] = '\0';
        for (size_t i = 0; names[i] && n < sizeof list - 1; i++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", names[i]);
        char excerpt[JSON_EXCERPT_SIZE];
        return json_path_error(err, path, "unknown value \"%s\" (expected one of: %s)",
                               json_excerpt(node->text, excerpt, sizeof excerpt), list);
}

static int decode_str(const struct desc_field *f, const struct json_node *node, char **out,
                      struct json_path *path, struct kago_err *err)
{
        if (node->type != JSON_STRING)
                return json_path_type_error(err, path, "string", node);
        if (f->names && desc_name_index(f->names, node->text) < 0)
                return one_of_error(f->names, node, path, err);
        *out = node_strdup(node);
        return 0;
}

static int decode_enum(const struct desc_field *f, const struct json_node *node, int *out,
                       struct json_path *path, struct kago_err *err)
{
        if (node->type != JSON_STRING)
                return json_path_type_error(err, path, "string", node);
        int i = desc_name_index(f->names, node->text);
        if (i < 0)
                return one_of_error(f->names, node, path, err);
        *out = i + 1;
        return 0;
}

static int expect_array(const struct desc_field *f, const struct json_node *node,
                        struct json_path *path, struct kago_err *err)
{
        if (node->type != JSON_ARRAY)
                return json_path_type_error(err, path, "array", node);
        if ((f->flags & DF_NONEMPTY) && node->n == 0)
                return json_path_error(err, path, "must have at least one element");
        return 0;
}

static int decode_strv(const struct desc_field *f, const struct json_node *node, void *obj,
                       struct json_path *path, struct kago_err *err)
{
        if (expect_array(f, node, path, err) < 0)
                return -1;
        char **v = xcalloc(node->n + 1, sizeof *v);
        *AT(obj, f->off, char **) = v;
        *AT(obj, f->len_off, size_t) = node->n;
        size_t i = 0;
        for (const struct json_node *e = node->first; e; e = e->next, i++) {
                size_t mark = json_path_push_index(path, i);
                struct desc_field elem = { .kind = DK_STR, .names = f->names };
                if (decode_str(&elem, e, &v[i], path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        return 0;
}

static int decode_u32v(const struct desc_field *f, const struct json_node *node, void *obj,
                       struct json_path *path, struct kago_err *err)
{
        if (expect_array(f, node, path, err) < 0)
                return -1;
        uint32_t *v = xcalloc(node->n ? node->n : 1, sizeof *v);
        *AT(obj, f->off, uint32_t *) = v;
        *AT(obj, f->len_off, size_t) = node->n;
        size_t i = 0;
        for (const struct json_node *e = node->first; e; e = e->next, i++) {
                size_t mark = json_path_push_index(path, i);
                struct desc_field elem = { .kind = DK_INT, .num = DN_U32 };
                if (decode_int(&elem, e, &v[i], path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        return 0;
}

/* ---- maps ------------------------------------------------------------ */

static int cmp_key_ptr(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *desc_duplicate(const char **keys, size_t n)
{
        qsort(keys, n, sizeof *keys, cmp_key_ptr);
        for (size_t k = 1; k < n; k++)
                if (strcmp(keys[k - 1], keys[k]) == 0)
                        return keys[k];
        return NULL;
}

/* Map keys must be non-empty and unique (duplicates are ambiguous: two
 * readers of the same file could act on different values). */
static int check_map_keys(const struct json_node *node, struct json_path *path,
                          struct kago_err *err)
{
        _cleanup_free_ const char **keys = xcalloc(node->n ? node->n : 1, sizeof *keys);
        size_t i = 0;

        for (const struct json_node *e = node->first; e; e = e->next) {
                if (e->key[0] == '\0')
                        return json_path_error(err, path, "empty key");
                keys[i++] = e->key;
        }
        const char *dup = desc_duplicate(keys, i);
        if (dup) {
                json_path_push_map_key(path, dup);
                return json_path_error(err, path, "duplicate key");
        }
        return 0;
}

static int decode_kv(const struct desc_field *f, const struct json_node *node, void *obj,
                     struct json_path *path, struct kago_err *err)
{
        if (node->type != JSON_OBJECT)
                return json_path_type_error(err, path, "object", node);
        if (check_map_keys(node, path, err) < 0)
                return -1;
        struct oci_kv *kv = xcalloc(node->n ? node->n : 1, sizeof *kv);
        *AT(obj, f->off, struct oci_kv *) = kv;
        *AT(obj, f->len_off, size_t) = node->n;
        size_t i = 0;
        for (const struct json_node *e = node->first; e; e = e->next, i++) {
                size_t mark = json_path_push_map_key(path, e->key);
                kv[i].key = xstrdup(e->key);
                struct desc_field elem = { .kind = DK_STR };
                if (decode_str(&elem, e, &kv[i].value, path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        return 0;
}

static int decode_map(const struct desc_field *f, const struct json_node *node, void *obj,
                      struct json_path *path, struct kago_err *err)
{
        if (node->type != JSON_OBJECT)
                return json_path_type_error(err, path, "object", node);
        if (check_map_keys(node, path, err) < 0)
                return -1;
        char *arr = xcalloc(node->n ? node->n : 1, f->sub->size);
        *AT(obj, f->off, void *) = arr;
        *AT(obj, f->len_off, size_t) = node->n;
        size_t i = 0;
        for (const struct json_node *e = node->first; e; e = e->next, i++) {
                void *elem = arr + i * f->sub->size;
                size_t mark = json_path_push_map_key(path, e->key);
                *(char **)elem = xstrdup(e->key);
                if (desc_decode(f->sub, e, elem, path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        return 0;
}

/* ---- objects --------------------------------------------------------- */

static int decode_array(const struct desc_field *f, const struct json_node *node, void *obj,
                        struct json_path *path, struct kago_err *err)
{
        if (expect_array(f, node, path, err) < 0)
                return -1;
        char *arr = xcalloc(node->n ? node->n : 1, f->sub->size);
        *AT(obj, f->off, void *) = arr;
        *AT(obj, f->len_off, size_t) = node->n;
        size_t i = 0;
        for (const struct json_node *e = node->first; e; e = e->next, i++) {
                size_t mark = json_path_push_index(path, i);
                if (desc_decode(f->sub, e, arr + i * f->sub->size, path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        return 0;
}

static int decode_field(const struct desc_field *f, const struct json_node *node, void *obj,
                        struct json_path *path, struct kago_err *err)
{
        void *p = (char *)obj + f->off;

        switch (f->kind) {
        case DK_STR: return decode_str(f, node, p, path, err);
        case DK_BOOL:
        case DK_OPT_BOOL:
                if (node->type != JSON_BOOL)
                        return json_path_type_error(err, path, "boolean", node);
                if (f->kind == DK_OPT_BOOL)
                        *(struct oci_opt_bool *)p = (struct oci_opt_bool){ true, node->boolean };
                else
                        *(bool *)p = node->boolean;
                return 0;
        case DK_INT: return decode_int(f, node, p, path, err);
        case DK_OPT_INT:
                if (decode_int(f, node, (char *)p + desc_opt_value_off(f->num), path, err) < 0)
                        return -1;
                *(bool *)p = true;
                return 0;
        case DK_ENUM: return decode_enum(f, node, p, path, err);
        case DK_STRV: return decode_strv(f, node, obj, path, err);
        case DK_U32V: return decode_u32v(f, node, obj, path, err);
        case DK_KV: return decode_kv(f, node, obj, path, err);
        case DK_OBJ:
                if (node->type != JSON_OBJECT)
                        return json_path_type_error(err, path, "object", node);
                *(void **)p = xcalloc(1, f->sub->size);
                return desc_decode(f->sub, node, *(void **)p, path, err);
        case DK_EMBED:
                if (desc_decode(f->sub, node, p, path, err) < 0)
                        return -1;
                if (f->sub->set_off != DESC_NO_SET)
                        *AT(p, f->sub->set_off, bool) = true;
                return 0;
        case DK_INLINE: return desc_decode(f->sub, node, obj, path, err);
        case DK_ARRAY: return decode_array(f, node, obj, path, err);
        case DK_MAP: return decode_map(f, node, obj, path, err);
        }
        return json_path_error(err, path, "internal error: unknown field kind");
}

static int find_field(const struct desc_type *type, const char *key)
{
        for (size_t i = 0; i < type->nfields; i++)
                if (strcmp(type->fields[i].name, key) == 0)
                        return (int)i;
        return -1;
}

static int missing_error(const struct desc_field *f, struct json_path *path, struct kago_err *err)
{
        char parent[sizeof path->text];
        bool in_array = json_path_in_array(path);

        snprintf(parent, sizeof parent, "%s", path->len ? json_path_str(path) : "");
        size_t mark = json_path_push_key(path, f->name);
        if (parent[0] && !in_array)
                json_path_error(err, path, "required when %s is present", parent);
        else
                json_path_error(err, path, "required");
        json_path_pop(path, mark);
        return -1;
}

int desc_decode(const struct desc_type *type, const struct json_node *node, void *obj,
                struct json_path *path, struct kago_err *err)
{
        uint64_t seen = 0;

        if (node->type != JSON_OBJECT)
                return json_path_type_error(err, path, "object", node);
        for (const struct json_node *m = node->first; m; m = m->next) {
                int i = find_field(type, m->key);
                if (i < 0)
                        continue; /* unknown members are ignored, as the spec says */
                size_t mark = json_path_push_key(path, m->key);
                if (seen & (UINT64_C(1) << i))
                        return json_path_error(err, path, "duplicate key");
                if (m->type == JSON_NULL) { /* null is absent, as Go's encoders write it */
                        json_path_pop(path, mark);
                        continue;
                }
                seen |= UINT64_C(1) << i;
                if (decode_field(&type->fields[i], m, obj, path, err) < 0)
                        return -1;
                json_path_pop(path, mark);
        }
        for (size_t i = 0; i < type->nfields; i++)
                if ((type->fields[i].flags & DF_REQUIRED) && !(seen & (UINT64_C(1) << i)))
                        return missing_error(&type->fields[i], path, err);
        return type->check ? type->check(obj, path, err) : 0;
}

int desc_parse(const struct desc_type *type, const char *buf, size_t len, const char *filename,
               void **out, struct kago_err *err)
{
        struct json_doc doc = { 0 };
        struct json_path path = { .len = 0 };

        if (len > SPEC_MAX_FILE_SIZE)
                return kago_err_set(err, "%s: larger than the limit of %u bytes (8 MiB)",
                                    filename, SPEC_MAX_FILE_SIZE);
        if (json_parse(buf, len, &doc, err) < 0)
                return kago_err_wrap(err, "%s", filename);
        void *obj = xcalloc(1, type->size);
        int r = desc_decode(type, doc.root, obj, &path, err);
        json_doc_free(&doc);
        if (r < 0) {
                desc_free(type, obj);
                return kago_err_wrap(err, "%s", filename);
        }
        *out = obj;
        return 0;
}
