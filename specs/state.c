/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state document (`kago state`), as runc and crun write it. */
#include "desc.h"

static const struct desc_field state_fields[] = {
        F_STR_REQ(struct oci_state, "ociVersion", oci_version),
        F_STR_REQ(struct oci_state, "id", id),
        F_STR_ONE_OF(struct oci_state, "status", status, oci_state_status_names, DF_REQUIRED),
        F_INT_RANGE(struct oci_state, "pid", pid, DN_I32, DF_REQUIRED, 0, INT32_MAX),
        F_STR_REQ(struct oci_state, "bundle", bundle),
        F_STR(struct oci_state, "rootfs", rootfs),
        F_STR(struct oci_state, "created", created),
        F_STR(struct oci_state, "owner", owner),
        F_KV(struct oci_state, "annotations", annotations),
};
DESC_TYPE(desc_state, struct oci_state, state_fields, NULL);

char *state_emit(const struct oci_state *state)
{
        return desc_emit(&desc_state, state);
}

int state_parse(const char *buf, size_t len, const char *filename, struct oci_state **out,
                struct kago_err *err)
{
        return desc_parse(&desc_state, buf, len, filename, (void **)out, err);
}

void state_free(struct oci_state *state)
{
        desc_free(&desc_state, state);
}

bool state_equal(const struct oci_state *a, const struct oci_state *b)
{
        return desc_equal(&desc_state, a, b);
}
