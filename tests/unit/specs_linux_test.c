/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the linux object but resources: namespaces, id mappings, devices,
 * netDevices, timeOffsets, sysctl, seccomp, intelRdt, personality,
 * memoryPolicy, propagation and paths, valid and invalid. */
#include "specs_test.h"

UNIT_TEST(linux_misc_fixture)
{
        size_t len = 0;
        _cleanup_free_ char *buf = read_fixture("fixtures/configs/linux-misc.json", &len);
        struct kago_err err = { 0 };
        struct oci_spec *s = NULL;

        CHECK(buf && spec_parse(buf, len, "config.json", &s, &err) == 0);
        if (!s || !s->linux_cfg)
                return;
        const struct oci_linux *l = s->linux_cfg;
        CHECK(l->namespaces_len == 8 && l->namespaces[7].type == OCI_NS_TIME);
        CHECK(spec_namespace(s, OCI_NS_USER) != NULL && spec_namespace(s, OCI_NS_NETWORK) != NULL);
        CHECK(l->uid_mappings_len == 1 && l->uid_mappings[0].host_id == 100000 && l->uid_mappings[0].size == 65536);
        CHECK(l->time_offsets && l->time_offsets->boottime.set && l->time_offsets->boottime.secs == -86400);
        CHECK(l->time_offsets->monotonic.set && l->time_offsets->monotonic.nanosecs == 500000000);
        CHECK(l->devices_len == 3 && l->devices[0].file_mode.value == 0666 && l->devices[0].major.value == 10);
        CHECK(!l->devices[2].major.set);
        CHECK_STR(l->devices[2].type, "p");
        CHECK(l->net_devices_len == 2);
        CHECK_STR(l->net_devices[0].host_name, "eth1");
        CHECK_STR(l->net_devices[0].name, "net1");
        CHECK(l->net_devices[1].name == NULL);
        CHECK(l->intel_rdt && l->intel_rdt->schemata_len == 2 && l->intel_rdt->enable_monitoring.value);
        CHECK(l->sysctl_len == 3);
        CHECK_STR(l->sysctl[0].key, "net.ipv4.ip_forward");
        CHECK_STR(l->rootfs_propagation, "private");
        CHECK(l->personality && l->personality->flags_len == 0 && l->personality->flags);
        CHECK_STR(l->personality->domain, "LINUX32");
        CHECK(l->memory_policy && l->memory_policy->flags_len == 1);
        CHECK_STR(l->memory_policy->mode, "MPOL_INTERLEAVE");
        CHECK_STR(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2");
        spec_free(s);
}

UNIT_TEST(namespaces_errors)
{
        CHECK_PARSE_ERROR(LINUX("\"namespaces\": [{\"type\": \"net\"}]"),
                          "config.json: linux.namespaces[0].type: unknown value \"net\" (expected one of: "
                          "mount, pid, network, uts, ipc, user, cgroup, time)");
        CHECK_PARSE_ERROR(LINUX("\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}]"),
                          "config.json: linux.namespaces[2]: duplicate namespace type \"pid\"");
        CHECK_PARSE_ERROR(LINUX("\"namespaces\": [{\"path\": \"/proc/1/ns/pid\"}]"),
                          "config.json: linux.namespaces[0].type: required");
        CHECK_STR(oci_ns_type_name(OCI_NS_CGROUP), "cgroup");
        CHECK(oci_ns_type_name(OCI_NS_NONE) == NULL && oci_ns_type_name(OCI_NS__COUNT) == NULL);
}

UNIT_TEST(devices_and_mappings_errors)
{
        CHECK_PARSE_ERROR(LINUX("\"devices\": [{\"type\": \"c\", \"path\": \"/dev/null\", \"major\": 1}]"),
                          "config.json: linux.devices[0]: major and minor are required for a device of type \"c\"");
        CHECK_PARSE_ERROR(LINUX("\"devices\": [{\"type\": \"x\", \"path\": \"/dev/null\"}]"),
                          "config.json: linux.devices[0].type: unknown value \"x\" (expected one of: c, b, u, p)");
        CHECK_PARSE_ERROR(LINUX("\"devices\": [{\"type\": \"p\", \"path\": \"dev/fifo\"}]"),
                          "config.json: linux.devices[0].path: \"dev/fifo\" is not an absolute path");
        CHECK_PARSE_ERROR(LINUX("\"devices\": [{\"type\": \"p\", \"path\": \"/f\", \"fileMode\": 65536}]"),
                          "config.json: linux.devices[0].fileMode: 65536 is out of range (0 to 65535)");
        CHECK_PARSE_ERROR(LINUX("\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": -5}]"),
                          "config.json: linux.uidMappings[0].size: -5 is out of range (0 to 4294967295)");
        CHECK_PARSE_ERROR(LINUX("\"timeOffsets\": {\"monotonic\": {\"secs\": 1, \"nanosecs\": 1000000000}}"),
                          "config.json: linux.timeOffsets.monotonic.nanosecs: 1000000000 is out of range (0 to 999999999)");
        CHECK_PARSE_ERROR(LINUX("\"netDevices\": {\"eth0\": {\"name\": 7}}"),
                          "config.json: linux.netDevices[\"eth0\"].name: expected string, got integer 7");
        CHECK_PARSE_ERROR(LINUX("\"sysctl\": {\"net.ipv4.ip_forward\": 1}"),
                          "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got integer 1");
}

UNIT_TEST(misc_linux_errors)
{
        CHECK_PARSE_ERROR(LINUX("\"rootfsPropagation\": \"recursive\""),
                          "config.json: linux.rootfsPropagation: unknown value \"recursive\" "
                          "(expected one of: private, shared, slave, unbindable, rprivate, rshared, "
                          "rslave, runbindable)");
        CHECK_PARSE_ERROR(LINUX("\"maskedPaths\": [\"/proc/kcore\", null]"),
                          "config.json: linux.maskedPaths[1]: expected string, got null");
        CHECK_PARSE_ERROR(LINUX("\"intelRdt\": {\"memBwSchema\": \"L3:0=1\"}"),
                          "config.json: linux.intelRdt.memBwSchema: must be one line starting with \"MB:\"");
        CHECK_PARSE_ERROR(LINUX("\"personality\": {\"domain\": \"LINUX64\"}"),
                          "config.json: linux.personality.domain: unknown value \"LINUX64\" (expected one of: LINUX, LINUX32)");
        CHECK_PARSE_ERROR(LINUX("\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"flags\": [\"MPOL_F_X\"]}"),
                          "config.json: linux.memoryPolicy.flags[0]: unknown value \"MPOL_F_X\" (expected one of: "
                          "MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)");
        CHECK_PARSE_ERROR(LINUX("\"cgroupsPath\": false"),
                          "config.json: linux.cgroupsPath: expected string, got boolean false");
}

UNIT_TEST(seccomp_profile)
{
        struct oci_spec *s = parse_ok(LINUX(
                "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
                "\"architectures\": [\"SCMP_ARCH_X86_64\"], \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
                "\"listenerPath\": \"/run/agent.sock\", \"listenerMetadata\": \"m\","
                "\"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
                " \"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}"));

        CHECK(s && s->linux_cfg && s->linux_cfg->seccomp);
        if (s && s->linux_cfg && s->linux_cfg->seccomp) {
                const struct oci_seccomp *sc = s->linux_cfg->seccomp;
                CHECK(sc->default_action == OCI_SCMP_ACT_ERRNO && sc->default_errno_ret.value == 38);
                CHECK(sc->architectures_len == 1 && sc->flags_len == 1 && sc->syscalls_len == 2);
                CHECK(sc->syscalls[0].names_len == 2 && sc->syscalls[0].action == OCI_SCMP_ACT_ALLOW);
                CHECK(!sc->syscalls[0].errno_ret.set && sc->syscalls[1].errno_ret.value == 1);
                const struct oci_seccomp_arg *a = &sc->syscalls[1].args[0];
                CHECK(a->index == 0 && a->value == 2114060288 && a->value_two.set && a->op == OCI_SCMP_CMP_MASKED_EQ);
                CHECK_STR(oci_seccomp_action_name(sc->default_action), "SCMP_ACT_ERRNO");
                CHECK_STR(oci_seccomp_op_name(a->op), "SCMP_CMP_MASKED_EQ");
        }
        spec_free(s);
        CHECK(oci_seccomp_action_name(OCI_SCMP_ACT__COUNT) == NULL);
        CHECK_PARSE_ERROR(LINUX("\"seccomp\": {\"syscalls\": []}"),
                          "config.json: linux.seccomp.defaultAction: required when linux.seccomp is present");
        CHECK_PARSE_ERROR(LINUX("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_DENY\"}"),
                          "config.json: linux.seccomp.defaultAction: unknown value \"SCMP_ACT_DENY\" (expected one of: "
                          "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
                          "SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)");
        CHECK_PARSE_ERROR(LINUX("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_LOG\"}]}"),
                          "config.json: linux.seccomp.syscalls[0].names: must have at least one element");
        CHECK_PARSE_ERROR(LINUX("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 6, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
                          "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)");
        CHECK_PARSE_ERROR(LINUX("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}"),
                          "config.json: linux.seccomp.architectures[0]: unknown value \"x86_64\" (expected one of: "
                          "SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, "
                          "SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, "
                          "SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, "
                          "SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_SH, SCMP_ARCH_SHEB, "
                          "SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64)");
}

UNIT_MAIN("specs_linux", UNIT(linux_misc_fixture), UNIT(namespaces_errors),
          UNIT(devices_and_mappings_errors), UNIT(misc_linux_errors), UNIT(seccomp_profile))
