/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for the vm object (runtime-spec 1.3 config-vm). */
#include "desc.h"

static const struct desc_field hypervisor_fields[] = {
        F_STR_REQ(struct oci_vm_hypervisor, "path", path),
        F_STRV(struct oci_vm_hypervisor, "parameters", parameters),
};
static DESC_TYPE(desc_vm_hypervisor, struct oci_vm_hypervisor, hypervisor_fields, NULL);

static const struct desc_field kernel_fields[] = {
        F_STR_REQ(struct oci_vm_kernel, "path", path),
        F_STRV(struct oci_vm_kernel, "parameters", parameters),
        F_STR(struct oci_vm_kernel, "initrd", initrd),
};
static DESC_TYPE(desc_vm_kernel, struct oci_vm_kernel, kernel_fields, NULL);

static const struct desc_field image_fields[] = {
        F_STR_REQ(struct oci_vm_image, "path", path),
        F_STR_ONE_OF(struct oci_vm_image, "format", format, oci_vm_image_format_names, DF_REQUIRED),
};
static DESC_TYPE(desc_vm_image, struct oci_vm_image, image_fields, NULL);

static const struct desc_field iomem_fields[] = {
        F_OPT_INT(struct oci_vm_iomem, "firstGFN", first_gfn, DN_U64),
        F_INT(struct oci_vm_iomem, "firstMFN", first_mfn, DN_U64, DF_REQUIRED),
        F_INT(struct oci_vm_iomem, "nrMFNs", nr_mfns, DN_U64, DF_REQUIRED),
};
static DESC_TYPE(desc_vm_iomem, struct oci_vm_iomem, iomem_fields, NULL);

static const struct desc_field hw_config_fields[] = {
        F_STR(struct oci_vm_hw_config, "deviceTree", device_tree),
        F_OPT_INT(struct oci_vm_hw_config, "vcpus", vcpus, DN_U32),
        F_OPT_INT(struct oci_vm_hw_config, "memory", memory, DN_U64),
        F_STRV(struct oci_vm_hw_config, "dtdevs", dtdevs),
        F_ARRAY(struct oci_vm_hw_config, "iomems", iomems, desc_vm_iomem, 0),
        F_U32V(struct oci_vm_hw_config, "irqs", irqs),
};
static DESC_TYPE(desc_vm_hw_config, struct oci_vm_hw_config, hw_config_fields, NULL);

static const struct desc_field vm_fields[] = {
        F_OBJ(struct oci_vm, "hypervisor", hypervisor, desc_vm_hypervisor, 0),
        F_OBJ(struct oci_vm, "kernel", kernel, desc_vm_kernel, DF_REQUIRED),
        F_OBJ(struct oci_vm, "image", image, desc_vm_image, 0),
        F_OBJ(struct oci_vm, "hwConfig", hw_config, desc_vm_hw_config, 0),
};
DESC_TYPE(desc_vm, struct oci_vm, vm_fields, NULL);
