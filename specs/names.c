/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime-spec 1.3 enumerations, as the JSON spells them. */
#include "desc.h"

const char *const oci_ns_type_names[] = {
        "mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time", NULL,
};

/* Linux capabilities through 6.x, as the spec spells them. */
const char *const oci_capability_names[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE", NULL,
};

const char *const oci_hook_kind_names[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        NULL,
};

const char *const oci_seccomp_action_names[] = {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
        NULL,
};

const char *const oci_seccomp_op_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *const oci_seccomp_arch_names[] = {
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS",
        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
        "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL,
};

const char *const oci_seccomp_flag_names[] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

const char *const oci_ioprio_class_names[] = {
        "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL,
};

const char *const oci_rootfs_propagation_names[] = {
        "private", "shared", "slave", "unbindable",
        "rprivate", "rshared", "rslave", "runbindable", NULL,
};

const char *const oci_sched_policy_names[] = {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
        "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

const char *const oci_sched_flag_names[] = {
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
        "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
        "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

const char *const oci_mpol_mode_names[] = {
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
        "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL,
};

const char *const oci_mpol_flag_names[] = {
        "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES", NULL,
};

const char *const oci_personality_domain_names[] = { "LINUX", "LINUX32", NULL };

const char *const oci_device_type_names[] = { "c", "b", "u", "p", NULL };

const char *const oci_vm_image_format_names[] = { "raw", "qcow2", "vdi", "vmdk", "vhd", NULL };

const char *const oci_state_status_names[] = {
        "creating", "created", "running", "paused", "stopped", NULL,
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
        return (unsigned)kind < OCI_HOOK__COUNT ? oci_hook_kind_names[kind] : NULL;
}

const char *oci_ns_type_name(enum oci_ns_type type)
{
        return type > OCI_NS_NONE && type < OCI_NS__COUNT ? oci_ns_type_names[type - 1] : NULL;
}

const char *oci_seccomp_action_name(enum oci_seccomp_action action)
{
        return action > OCI_SCMP_ACT_NONE && action < OCI_SCMP_ACT__COUNT
                       ? oci_seccomp_action_names[action - 1]
                       : NULL;
}

const char *oci_seccomp_op_name(enum oci_seccomp_op op)
{
        return op > OCI_SCMP_CMP_NONE && op < OCI_SCMP_CMP__COUNT ? oci_seccomp_op_names[op - 1]
                                                                  : NULL;
}
