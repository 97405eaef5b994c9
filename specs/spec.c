/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry points for config.json, the process and resources documents. */
#include <fcntl.h>
#include <string.h>

#include "desc.h"

int spec_parse(const char *buf, size_t len, const char *filename, struct oci_spec **out,
               struct kago_err *err)
{
        return desc_parse(&desc_spec, buf, len, filename, (void **)out, err);
}

int spec_load_bundle(const char *bundle_dir, struct oci_spec **out, struct kago_err *err)
{
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle_dir);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;

        if (file_read_at(AT_FDCWD, path, SPEC_MAX_FILE_SIZE, &buf, &len, err) < 0)
                return kago_err_wrap(err, "config.json");
        return spec_parse(buf, len, "config.json", out, err);
}

void spec_free(struct oci_spec *spec)
{
        desc_free(&desc_spec, spec);
}

int spec_parse_process(const char *buf, size_t len, const char *filename,
                       struct oci_process **out, struct kago_err *err)
{
        return desc_parse(&desc_process, buf, len, filename, (void **)out, err);
}

void spec_process_free(struct oci_process *process)
{
        desc_free(&desc_process, process);
}

int spec_parse_resources(const char *buf, size_t len, const char *filename,
                         struct oci_linux_resources **out, struct kago_err *err)
{
        return desc_parse(&desc_resources, buf, len, filename, (void **)out, err);
}

void spec_resources_free(struct oci_linux_resources *resources)
{
        desc_free(&desc_resources, resources);
}

const char *spec_annotation(const struct oci_spec *spec, const char *key)
{
        for (size_t i = 0; spec->annotations && i < spec->annotations_len; i++)
                if (strcmp(spec->annotations[i].key, key) == 0)
                        return spec->annotations[i].value;
        return NULL;
}

const struct oci_namespace *spec_namespace(const struct oci_spec *spec, enum oci_ns_type type)
{
        const struct oci_linux *l = spec->linux_cfg;

        for (size_t i = 0; l && i < l->namespaces_len; i++)
                if (l->namespaces[i].type == type)
                        return &l->namespaces[i];
        return NULL;
}

bool spec_equal(const struct oci_spec *a, const struct oci_spec *b)
{
        return desc_equal(&desc_spec, a, b);
}

bool spec_process_equal(const struct oci_process *a, const struct oci_process *b)
{
        return desc_equal(&desc_process, a, b);
}

bool spec_resources_equal(const struct oci_linux_resources *a, const struct oci_linux_resources *b)
{
        return desc_equal(&desc_resources, a, b);
}

char *spec_emit(const struct oci_spec *spec)
{
        return desc_emit(&desc_spec, spec);
}

char *spec_process_emit(const struct oci_process *process)
{
        return desc_emit(&desc_process, process);
}

char *spec_resources_emit(const struct oci_linux_resources *resources)
{
        return desc_emit(&desc_resources, resources);
}
