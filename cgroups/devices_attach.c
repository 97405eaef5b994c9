/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading the device program and attaching it to a cgroup, replacing the
 * program attached before (update). */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>

#include "internal.h"

#define MAX_OLD_PROGS 64

static int sys_bpf(int cmd, union bpf_attr *attr)
{
        return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int prog_load(const struct bpf_insn *insns, size_t n, struct kago_err *err)
{
        static char log[16384];
        union bpf_attr attr;

        memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t)"GPL";
        int fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        int e = errno;
        /* Load again with the verifier's log so the error says why. */
        log[0] = '\0';
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        size_t l = strlen(log);
        while (l && log[l - 1] == '\n')
                log[--l] = '\0';
        return kago_err_errno(err, e, "load the device allow-list eBPF program (%zu instructions)%s%.400s",
                              n, l ? ": verifier: " : "", log);
}

/* The ids of the device programs attached to the cgroup now. */
static int prog_query(int dirfd, uint32_t *ids, uint32_t *n, struct kago_err *err)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof attr);
        attr.query.target_fd = (uint32_t)dirfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
        attr.query.prog_cnt = *n;
        if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
                return kago_err_errno(err, errno, "query the cgroup's device programs");
        *n = attr.query.prog_cnt;
        return 0;
}

static int prog_detach_id(int dirfd, uint32_t id, struct kago_err *err)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof attr);
        attr.prog_id = id;
        _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (fd < 0)
                return errno == ENOENT ? 0 : kago_err_errno(err, errno, "open device program %u", id);
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (uint32_t)dirfd;
        attr.attach_bpf_fd = (uint32_t)fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
                return kago_err_errno(err, errno, "detach the previous device program %u", id);
        return 0;
}

int cg_devices_attach(int dirfd, const struct bpf_insn *insns, size_t n, struct kago_err *err)
{
        uint32_t old[MAX_OLD_PROGS], n_old = MAX_OLD_PROGS;
        union bpf_attr attr;

        if (prog_query(dirfd, old, &n_old, err) < 0)
                return -1;
        _cleanup_close_ int prog = prog_load(insns, n, err);
        if (prog < 0)
                return -1;
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (uint32_t)dirfd;
        attr.attach_bpf_fd = (uint32_t)prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                return kago_err_errno(err, errno, "attach the device allow-list eBPF program");
        /* The new program is in place: only now drop the old ones, so the
         * cgroup is never without a filter. */
        for (uint32_t i = 0; i < n_old && i < MAX_OLD_PROGS; i++)
                if (prog_detach_id(dirfd, old[i], err) < 0)
                        return -1;
        return 0;
}
