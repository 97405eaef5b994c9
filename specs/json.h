/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A read-only JSON tree built with yajl's event parser, with the caps of
 * specs.h (depth, array length, node count) enforced while parsing and
 * line:column in syntax errors. Private to specs/.
 */
#ifndef KAGO_SPECS_JSON_H
#define KAGO_SPECS_JSON_H

#include "specs.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_OBJECT, JSON_ARRAY };

struct json_node {
        enum json_type type;
        bool boolean;
        uint32_t n;          /* members/elements (object/array), bytes (string/number) */
        const char *key;     /* member name when the parent is an object */
        const char *text;    /* string value or the number as written; NUL-terminated */
        struct json_node *first, *last; /* children (object/array) */
        struct json_node *next;         /* next sibling */
};

struct json_arena;

struct json_doc {
        struct json_node *root;
        struct json_arena *arena;
};

/* Parse buf as one JSON value. Errors read "line L column C: why". */
int json_parse(const char *buf, size_t len, struct json_doc *doc, struct kago_err *err);
void json_doc_free(struct json_doc *doc);

/* "string", "integer", "number", "boolean", "null", "object", "array". */
const char *json_type_name(const struct json_node *node);

/* A JSON path being walked, for error messages: "linux.resources.memory.limit".
 * Pushing and popping only record segments (the keys must outlive the
 * walk); the text is built when an error needs it. */
enum json_seg_kind { JSON_SEG_KEY, JSON_SEG_INDEX, JSON_SEG_MAP_KEY };

struct json_path_seg {
        enum json_seg_kind kind;
        const char *key;
        size_t index;
};

#define JSON_PATH_MAX_SEGS 64

struct json_path {
        struct json_path_seg seg[JSON_PATH_MAX_SEGS];
        size_t len;
        char text[512];
};

/* Each push returns the previous length to hand back to json_path_pop. */
size_t json_path_push_key(struct json_path *p, const char *key);
size_t json_path_push_index(struct json_path *p, size_t index);
size_t json_path_push_map_key(struct json_path *p, const char *key);
void json_path_pop(struct json_path *p, size_t len);
/* True when the innermost segment is an array index. */
bool json_path_in_array(const struct json_path *p);
/* The path as text, or "(top level)" for the root; valid until the next call. */
const char *json_path_str(struct json_path *p);

/* s shortened for a message, with quotes, backslashes and control characters
 * escaped; returns out. */
#define JSON_EXCERPT_SIZE 80
const char *json_excerpt(const char *s, char *out, size_t size);

/* err = "PATH: message" */
int json_path_error(struct kago_err *err, struct json_path *p, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* err = "PATH: expected WANT, got TYPE VALUE" */
int json_path_type_error(struct kago_err *err, struct json_path *p, const char *want,
                         const struct json_node *got);

#endif
