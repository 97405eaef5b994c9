/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON paths for error messages, and the errors that name them. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "json.h"

static size_t path_push(struct json_path *p, enum json_seg_kind kind, const char *key, size_t index)
{
        size_t old = p->len;

        if (p->len < JSON_PATH_MAX_SEGS)
                p->seg[p->len] = (struct json_path_seg){ kind, key, index };
        p->len++;
        return old;
}

size_t json_path_push_key(struct json_path *p, const char *key)
{
        return path_push(p, JSON_SEG_KEY, key, 0);
}

size_t json_path_push_index(struct json_path *p, size_t index)
{
        return path_push(p, JSON_SEG_INDEX, NULL, index);
}

size_t json_path_push_map_key(struct json_path *p, const char *key)
{
        return path_push(p, JSON_SEG_MAP_KEY, key, 0);
}

void json_path_pop(struct json_path *p, size_t len)
{
        p->len = len;
}

bool json_path_in_array(const struct json_path *p)
{
        return p->len > 0 && p->len <= JSON_PATH_MAX_SEGS && p->seg[p->len - 1].kind == JSON_SEG_INDEX;
}

const char *json_path_str(struct json_path *p)
{
        size_t n = 0, size = sizeof p->text;
        size_t segs = p->len < JSON_PATH_MAX_SEGS ? p->len : JSON_PATH_MAX_SEGS;

        if (p->len == 0)
                return "(top level)";
        p->text[0] = '\0';
        for (size_t i = 0; i < segs && n < size - 1; i++) {
                const struct json_path_seg *s = &p->seg[i];
                int w = 0;
                if (s->kind == JSON_SEG_KEY)
                        w = snprintf(p->text + n, size - n, "%s%s", i ? "." : "", s->key);
                else if (s->kind == JSON_SEG_INDEX)
                        w = snprintf(p->text + n, size - n, "[%zu]", s->index);
                else
                        w = snprintf(p->text + n, size - n, "[\"%.100s%s\"]", s->key,
                                     strlen(s->key) > 100 ? "..." : "");
                if (w > 0)
                        n += (size_t)w;
        }
        return p->text;
}

int json_path_error(struct kago_err *err, struct json_path *p, const char *fmt, ...)
{
        char what[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        return kago_err_set(err, "%s: %s", json_path_str(p), what);
}

const char *json_type_name(const struct json_node *node)
{
        switch (node->type) {
        case JSON_NULL: return "null";
        case JSON_BOOL: return "boolean";
        case JSON_NUMBER: return strpbrk(node->text, ".eE") ? "number" : "integer";
        case JSON_STRING: return "string";
        case JSON_OBJECT: return "object";
        case JSON_ARRAY: return "array";
        }
        return "value";
}

const char *json_excerpt(const char *s, char *out, size_t size)
{
        size_t n = 0;

        for (; *s && n + 8 < size; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        n += (size_t)snprintf(out + n, size - n, "\\%c", c);
                else if (c < 0x20 || c == 0x7f)
                        n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
                else
                        out[n++] = (char)c;
        }
        if (*s)
                n += (size_t)snprintf(out + n, size - n, "...");
        out[n] = '\0';
        return out;
}

int json_path_type_error(struct kago_err *err, struct json_path *p, const char *want,
                         const struct json_node *got)
{
        const char *type = json_type_name(got);
        char excerpt[JSON_EXCERPT_SIZE];

        switch (got->type) {
        case JSON_STRING:
                return json_path_error(err, p, "expected %s, got string \"%s\"", want,
                                       json_excerpt(got->text, excerpt, sizeof excerpt));
        case JSON_NUMBER:
                return json_path_error(err, p, "expected %s, got %s %.64s", want, type, got->text);
        case JSON_BOOL:
                return json_path_error(err, p, "expected %s, got boolean %s", want,
                                       got->boolean ? "true" : "false");
        default:
                return json_path_error(err, p, "expected %s, got %s", want, type);
        }
}
