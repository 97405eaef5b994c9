/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Descriptions of the spec's structures: one table per struct saying, for
 * each JSON member, its C member, kind and limits. The parser, the emitter,
 * free and equality all walk these tables, so the four always agree.
 * Private to specs/.
 */
#ifndef KAGO_SPECS_DESC_H
#define KAGO_SPECS_DESC_H

#include <stddef.h>

#include "json.h"

enum desc_kind {
        DK_STR,      /* char *; with .names: one of them */
        DK_BOOL,     /* bool (absent: false) */
        DK_OPT_BOOL, /* struct oci_opt_bool */
        DK_INT,      /* int32_t/int64_t/uint16_t/uint32_t/uint64_t per .num */
        DK_OPT_INT,  /* struct oci_opt_<num> */
        DK_ENUM,     /* int: .names[v - 1] is the JSON string of value v; 0 = absent */
        DK_STRV,     /* char ** (NULL-terminated) + size_t at .len_off; .names validates */
        DK_U32V,     /* uint32_t * + size_t at .len_off */
        DK_KV,       /* struct oci_kv * + size_t at .len_off (string -> string object) */
        DK_OBJ,      /* pointer to a struct of type .sub */
        DK_EMBED,    /* a struct of type .sub inside this one */
        DK_INLINE,   /* a JSON object whose members are stored in this very struct */
        DK_ARRAY,    /* array of struct .sub + size_t at .len_off */
        DK_MAP,      /* object of name -> struct .sub, whose first member is char *key */
};

enum desc_num { DN_I32, DN_I64, DN_U16, DN_U32, DN_U64 };

enum desc_flag {
        DF_REQUIRED = 1 << 0, /* error when missing; always emitted */
        DF_RANGE = 1 << 1,    /* .min/.max narrow the C type's range */
        DF_NONEMPTY = 1 << 2, /* arrays: at least one element */
};

struct desc_type;

struct desc_field {
        const char *name;
        enum desc_kind kind;
        enum desc_num num;
        unsigned flags;
        size_t off;
        size_t len_off;
        int64_t min;
        uint64_t max;
        const struct desc_type *sub;
        const char *const *names; /* NULL-terminated */
};

struct desc_type {
        const char *name;
        size_t size;
        const struct desc_field *fields;
        size_t nfields;
        /* For DK_EMBED: offset of a `bool set` presence flag, or (size_t)-1. */
        size_t set_off;
        /* Cross-field checks after decoding; NULL when none. */
        int (*check)(const void *obj, struct json_path *path, struct kago_err *err);
};

#define DESC_NO_SET ((size_t)-1)

#define DESC_TYPE(var, ctype, table, checkfn)                                                      \
        const struct desc_type var = { #ctype, sizeof(ctype), table, ARRAY_SIZE(table),            \
                                       DESC_NO_SET, checkfn }

/* Field builders: S = C struct, J = JSON name, M = C member. */
#define F_STR(S, J, M) { .name = J, .kind = DK_STR, .off = offsetof(S, M) }
#define F_STR_REQ(S, J, M) { .name = J, .kind = DK_STR, .flags = DF_REQUIRED, .off = offsetof(S, M) }
#define F_STR_ONE_OF(S, J, M, NAMES, FL)                                                           \
        { .name = J, .kind = DK_STR, .flags = FL, .off = offsetof(S, M), .names = NAMES }
#define F_BOOL(S, J, M) { .name = J, .kind = DK_BOOL, .off = offsetof(S, M) }
#define F_BOOL_REQ(S, J, M) { .name = J, .kind = DK_BOOL, .flags = DF_REQUIRED, .off = offsetof(S, M) }
#define F_OPT_BOOL(S, J, M) { .name = J, .kind = DK_OPT_BOOL, .off = offsetof(S, M) }
#define F_INT(S, J, M, NUM, FL) { .name = J, .kind = DK_INT, .num = NUM, .flags = FL, .off = offsetof(S, M) }
#define F_INT_RANGE(S, J, M, NUM, FL, MIN, MAX)                                                    \
        { .name = J, .kind = DK_INT, .num = NUM, .flags = (FL) | DF_RANGE, .off = offsetof(S, M),  \
          .min = MIN, .max = MAX }
#define F_OPT_INT(S, J, M, NUM) { .name = J, .kind = DK_OPT_INT, .num = NUM, .off = offsetof(S, M) }
#define F_OPT_INT_RANGE(S, J, M, NUM, MIN, MAX)                                                    \
        { .name = J, .kind = DK_OPT_INT, .num = NUM, .flags = DF_RANGE, .off = offsetof(S, M),     \
          .min = MIN, .max = MAX }
#define F_ENUM(S, J, M, NAMES, FL)                                                                 \
        { .name = J, .kind = DK_ENUM, .flags = FL, .off = offsetof(S, M), .names = NAMES }
#define F_STRV(S, J, M) { .name = J, .kind = DK_STRV, .off = offsetof(S, M), .len_off = offsetof(S, M##_len) }
#define F_STRV_FL(S, J, M, NAMES, FL)                                                              \
        { .name = J, .kind = DK_STRV, .flags = FL, .off = offsetof(S, M),                          \
          .len_off = offsetof(S, M##_len), .names = NAMES }
#define F_U32V(S, J, M) { .name = J, .kind = DK_U32V, .off = offsetof(S, M), .len_off = offsetof(S, M##_len) }
#define F_KV(S, J, M) { .name = J, .kind = DK_KV, .off = offsetof(S, M), .len_off = offsetof(S, M##_len) }
#define F_OBJ(S, J, M, T, FL) { .name = J, .kind = DK_OBJ, .flags = FL, .off = offsetof(S, M), .sub = &T }
#define F_EMBED(S, J, M, T) { .name = J, .kind = DK_EMBED, .off = offsetof(S, M), .sub = &T }
#define F_INLINE(J, T) { .name = J, .kind = DK_INLINE, .off = 0, .sub = &T }
#define F_ARRAY(S, J, M, T, FL)                                                                    \
        { .name = J, .kind = DK_ARRAY, .flags = FL, .off = offsetof(S, M),                         \
          .len_off = offsetof(S, M##_len), .sub = &T }
#define F_MAP(S, J, M, T) { .name = J, .kind = DK_MAP, .off = offsetof(S, M), .len_off = offsetof(S, M##_len), .sub = &T }

/* Where the value of a struct oci_opt_<num> lives. */
static inline size_t desc_opt_value_off(enum desc_num num)
{
        switch (num) {
        case DN_I32: return offsetof(struct oci_opt_i32, value);
        case DN_I64: return offsetof(struct oci_opt_i64, value);
        case DN_U16: return offsetof(struct oci_opt_u16, value);
        case DN_U32: return offsetof(struct oci_opt_u32, value);
        case DN_U64: return offsetof(struct oci_opt_u64, value);
        }
        return 0;
}

/* The walkers (desc_decode.c, desc_encode.c, desc_free.c, desc_equal.c). */
int desc_decode(const struct desc_type *type, const struct json_node *node, void *obj,
                struct json_path *path, struct kago_err *err);
/* Parse buf and decode its top-level object into a new struct of type. */
int desc_parse(const struct desc_type *type, const char *buf, size_t len, const char *filename,
               void **out, struct kago_err *err);
void desc_free_fields(const struct desc_type *type, void *obj);
/* Free a heap struct of type and everything it owns. */
void desc_free(const struct desc_type *type, void *obj);
bool desc_equal(const struct desc_type *type, const void *a, const void *b);
/* A malloc'd, pretty-printed JSON document of obj. */
char *desc_emit(const struct desc_type *type, const void *obj);

/* Index of s in NULL-terminated names, or -1. */
int desc_name_index(const char *const *names, const char *s);
size_t desc_names_count(const char *const *names);
/* A string that occurs twice in keys (sorted in place), or NULL. */
const char *desc_duplicate(const char **keys, size_t n);

/* The tables (desc_*.c). */
extern const struct desc_type desc_spec;
extern const struct desc_type desc_process;
extern const struct desc_type desc_linux;
extern const struct desc_type desc_resources;
extern const struct desc_type desc_seccomp;
extern const struct desc_type desc_vm;
extern const struct desc_type desc_hooks;
extern const struct desc_type desc_mount;
extern const struct desc_type desc_id_mapping;
extern const struct desc_type desc_state;
extern const struct desc_type desc_features;

/* Name tables shared by the parser and the features document (names.c). */
extern const char *const oci_ns_type_names[];        /* index = enum oci_ns_type - 1 */
extern const char *const oci_hook_kind_names[];      /* index = enum oci_hook_kind */
extern const char *const oci_capability_names[];
extern const char *const oci_seccomp_action_names[]; /* index = enum oci_seccomp_action - 1 */
extern const char *const oci_seccomp_op_names[];     /* index = enum oci_seccomp_op - 1 */
extern const char *const oci_seccomp_arch_names[];
extern const char *const oci_seccomp_flag_names[];
extern const char *const oci_ioprio_class_names[];
extern const char *const oci_rootfs_propagation_names[];
extern const char *const oci_sched_policy_names[];
extern const char *const oci_sched_flag_names[];
extern const char *const oci_mpol_mode_names[];
extern const char *const oci_mpol_flag_names[];
extern const char *const oci_personality_domain_names[];
extern const char *const oci_device_type_names[];
extern const char *const oci_vm_image_format_names[];
extern const char *const oci_state_status_names[];

#endif
