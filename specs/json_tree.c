/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Build a json_doc from yajl events, enforcing the caps of specs.h. */
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json.h"

#define ARENA_BLOCK_MIN (4u << 10)
#define ARENA_BLOCK_MAX (1u << 20)

struct arena_block {
        struct arena_block *prev;
        size_t used, size;
        char data[];
};

struct json_arena {
        struct arena_block *top;
        size_t block_size; /* sized from the input: one block holds a typical config */
};

static void *arena_alloc(struct json_arena *a, size_t n)
{
        n = (n + 7) & ~(size_t)7;
        if (!a->top || a->top->size - a->top->used < n) {
                size_t size = n > a->block_size ? n : a->block_size;
                struct arena_block *b = xmalloc(sizeof *b + size);
                b->prev = a->top;
                b->used = 0;
                b->size = size;
                a->top = b;
        }
        void *p = a->top->data + a->top->used;
        a->top->used += n;
        return p;
}

static void arena_free(struct json_arena *a)
{
        while (a && a->top) {
                struct arena_block *prev = a->top->prev;
                free(a->top);
                a->top = prev;
        }
        free(a);
}

struct builder {
        struct json_arena *arena;
        struct json_node *root;
        struct json_node *stack[SPEC_MAX_DEPTH];
        unsigned depth;
        size_t nodes;
        const char *pending_key;
        char why[256]; /* set when a callback stops the parse */
};

static int builder_stop(struct builder *b, const char *why)
{
        snprintf(b->why, sizeof b->why, "%s", why);
        return 0;
}

static const char *arena_strndup(struct json_arena *a, const unsigned char *s, size_t len)
{
        char *p = arena_alloc(a, len + 1);
        memcpy(p, s, len);
        p[len] = '\0';
        return p;
}

/* Attach a new node of type to the current container; NULL when a cap is hit. */
static struct json_node *builder_add(struct builder *b, enum json_type type)
{
        if (++b->nodes > SPEC_MAX_NODES) {
                snprintf(b->why, sizeof b->why, "more than %u values in one document",
                         SPEC_MAX_NODES);
                return NULL;
        }
        struct json_node *node = arena_alloc(b->arena, sizeof *node);
        memset(node, 0, sizeof *node);
        node->type = type;
        if (b->depth == 0) {
                b->root = node;
                return node;
        }
        struct json_node *parent = b->stack[b->depth - 1];
        if (parent->n >= SPEC_MAX_ARRAY_LEN) {
                snprintf(b->why, sizeof b->why, "%s has more than %u %s",
                         parent->type == JSON_ARRAY ? "array" : "object", SPEC_MAX_ARRAY_LEN,
                         parent->type == JSON_ARRAY ? "elements" : "members");
                return NULL;
        }
        if (parent->type == JSON_OBJECT) {
                node->key = b->pending_key;
                b->pending_key = NULL;
        }
        if (parent->last)
                parent->last->next = node;
        else
                parent->first = node;
        parent->last = node;
        parent->n++;
        return node;
}

static int on_null(void *ctx)
{
        return builder_add(ctx, JSON_NULL) != NULL;
}

static int on_boolean(void *ctx, int value)
{
        struct json_node *node = builder_add(ctx, JSON_BOOL);
        if (node)
                node->boolean = value != 0;
        return node != NULL;
}

static int on_number(void *ctx, const char *text, size_t len)
{
        struct builder *b = ctx;
        struct json_node *node = builder_add(b, JSON_NUMBER);
        if (!node)
                return 0;
        node->text = arena_strndup(b->arena, (const unsigned char *)text, len);
        node->n = (uint32_t)len;
        return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
        struct builder *b = ctx;
        if (memchr(s, '\0', len))
                return builder_stop(b, "string contains a NUL character (\\u0000)");
        struct json_node *node = builder_add(b, JSON_STRING);
        if (!node)
                return 0;
        node->text = arena_strndup(b->arena, s, len);
        node->n = (uint32_t)len;
        return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
        struct builder *b = ctx;
        if (memchr(s, '\0', len))
                return builder_stop(b, "object key contains a NUL character (\\u0000)");
        b->pending_key = arena_strndup(b->arena, s, len);
        return 1;
}

static int on_open(struct builder *b, enum json_type type)
{
        if (b->depth >= SPEC_MAX_DEPTH) {
                snprintf(b->why, sizeof b->why, "nesting deeper than %d levels", SPEC_MAX_DEPTH);
                return 0;
        }
        struct json_node *node = builder_add(b, type);
        if (!node)
                return 0;
        b->stack[b->depth++] = node;
        return 1;
}

static int on_start_map(void *ctx)
{
        return on_open(ctx, JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
        return on_open(ctx, JSON_ARRAY);
}

static int on_close(void *ctx)
{
        struct builder *b = ctx;
        b->depth--;
        return 1;
}

static const yajl_callbacks builder_callbacks = {
        .yajl_null = on_null,
        .yajl_boolean = on_boolean,
        .yajl_number = on_number,
        .yajl_string = on_string,
        .yajl_start_map = on_start_map,
        .yajl_map_key = on_key,
        .yajl_end_map = on_close,
        .yajl_start_array = on_start_array,
        .yajl_end_array = on_close,
};

static void offset_to_line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
        size_t l = 1, line_start = 0;

        for (size_t i = 0; i < off; i++)
                if (buf[i] == '\n') {
                        l++;
                        line_start = i + 1;
                }
        *line = l;
        *col = off - line_start + 1;
}

/* yajl's message, first line only, without the "parse error: " noise. */
static void yajl_reason(yajl_handle h, const char *buf, size_t len, char *out, size_t size)
{
        unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)buf, len);
        const char *m = msg ? (const char *)msg : "invalid JSON";

        snprintf(out, size, "%s", m);
        out[strcspn(out, "\n")] = '\0';
        if (msg)
                yajl_free_error(h, msg);
}

/* The message names where yajl stopped: at or just after the bad token. */
static int parse_error(yajl_handle h, struct builder *b, yajl_status st, const char *buf,
                       size_t len, bool at_end, struct kago_err *err)
{
        char reason[256];
        size_t off = at_end ? len : yajl_get_bytes_consumed(h), line, col;

        if (off > len)
                off = len;
        if (st == yajl_status_client_canceled) {
                snprintf(reason, sizeof reason, "%s", b->why);
        } else {
                yajl_reason(h, buf, len, reason, sizeof reason);
        }
        offset_to_line_col(buf, off, &line, &col);
        return kago_err_set(err, "line %zu column %zu: %s", line, col, reason);
}

int json_parse(const char *buf, size_t len, struct json_doc *doc, struct kago_err *err)
{
        struct builder b = { .arena = xcalloc(1, sizeof(struct json_arena)) };
        /* about 8 bytes of tree per byte of JSON for a typical config */
        size_t hint = len < ARENA_BLOCK_MAX / 8 ? len * 8 : ARENA_BLOCK_MAX;
        b.arena->block_size = hint < ARENA_BLOCK_MIN ? ARENA_BLOCK_MIN : hint;
        yajl_handle h = yajl_alloc(&builder_callbacks, NULL, &b);

        if (!h) {
                arena_free(b.arena);
                return kago_err_set(err, "out of memory allocating the JSON parser");
        }
        yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
        bool at_end = false;
        if (st == yajl_status_ok) {
                st = yajl_complete_parse(h);
                at_end = true; /* yajl counts the bytes of its last call, not of buf */
        }
        if (st != yajl_status_ok) {
                parse_error(h, &b, st, buf, len, at_end, err);
                yajl_free(h);
                arena_free(b.arena);
                return -1;
        }
        yajl_free(h);
        doc->root = b.root;
        doc->arena = b.arena;
        return 0;
}

void json_doc_free(struct json_doc *doc)
{
        arena_free(doc->arena);
        doc->arena = NULL;
        doc->root = NULL;
}
