/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for linux.seccomp. */
#include "desc.h"

static const struct desc_field seccomp_arg_fields[] = {
        F_INT_RANGE(struct oci_seccomp_arg, "index", index, DN_U32, DF_REQUIRED, 0, 5),
        F_INT(struct oci_seccomp_arg, "value", value, DN_U64, DF_REQUIRED),
        F_OPT_INT(struct oci_seccomp_arg, "valueTwo", value_two, DN_U64),
        F_ENUM(struct oci_seccomp_arg, "op", op, oci_seccomp_op_names, DF_REQUIRED),
};
static DESC_TYPE(desc_seccomp_arg, struct oci_seccomp_arg, seccomp_arg_fields, NULL);

static const struct desc_field syscall_fields[] = {
        F_STRV_FL(struct oci_syscall, "names", names, NULL, DF_REQUIRED | DF_NONEMPTY),
        F_ENUM(struct oci_syscall, "action", action, oci_seccomp_action_names, DF_REQUIRED),
        F_OPT_INT(struct oci_syscall, "errnoRet", errno_ret, DN_U32),
        F_ARRAY(struct oci_syscall, "args", args, desc_seccomp_arg, 0),
};
static DESC_TYPE(desc_syscall, struct oci_syscall, syscall_fields, NULL);

static const struct desc_field seccomp_fields[] = {
        F_ENUM(struct oci_seccomp, "defaultAction", default_action, oci_seccomp_action_names,
               DF_REQUIRED),
        F_OPT_INT(struct oci_seccomp, "defaultErrnoRet", default_errno_ret, DN_U32),
        F_STRV_FL(struct oci_seccomp, "architectures", architectures, oci_seccomp_arch_names, 0),
        F_STRV_FL(struct oci_seccomp, "flags", flags, oci_seccomp_flag_names, 0),
        F_STR(struct oci_seccomp, "listenerPath", listener_path),
        F_STR(struct oci_seccomp, "listenerMetadata", listener_metadata),
        F_ARRAY(struct oci_seccomp, "syscalls", syscalls, desc_syscall, 0),
};
DESC_TYPE(desc_seccomp, struct oci_seccomp, seccomp_fields, NULL);
