/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The devices a microVM container gets from kago, as crun's krun handler
 * gives them: the VMM needs /dev/kvm, so the node (unless linux.devices has
 * /dev/kvm) and an allow rule for c 10:232 rwm; init opens /dev/net/tun
 * (the host's, before pivot_root) for the NICs' taps, so an allow rule for
 * c 10:200 rwm and no node. The rules come after
 * linux.resources.devices, so a config that denies every device, or
 * /dev/kvm itself, still gets a VM that boots: asking for a VM is asking
 * for KVM.
 *
 * The VMM runs as process.user (see backend_microvm.c), so the node is that
 * user's, mode 0600, as Firecracker's jailer makes it for its unprivileged
 * VMM. In a user namespace the host's node is bound instead (its owner and
 * mode stay the host's).
 */
#include <string.h>
#include <sys/stat.h>

#include "../rootfs/rootfs.h"
#include "../../cgroups/cgroups.h"
#include "backend.h"

#define KVM_MAJOR 10
#define KVM_MINOR 232

#define TUN_MAJOR 10
#define TUN_MINOR 200

const struct cgroup_device_rule vm_device_rules[2] = {
        { .allow = true, .type = 'c', .major = KVM_MAJOR, .minor = KVM_MINOR, .access = "rwm" },
        { .allow = true, .type = 'c', .major = TUN_MAJOR, .minor = TUN_MINOR, .access = "rwm" },
};

static bool spec_has_device(const struct oci_linux *l, const char *path)
{
        for (size_t i = 0; l && i < l->devices_len; i++)
                if (l->devices[i].path && !strcmp(l->devices[i].path, path))
                        return true;
        return false;
}

int vm_make_devices(struct container_ctx *c, int rootfd, struct kago_err *err)
{
        const struct oci_process *p = c->spec->process;
        const struct dev_node kvm = { "/dev/kvm", S_IFCHR, KVM_MAJOR, KVM_MINOR, 0600,
                                      p ? p->user.uid : 0, p ? p->user.gid : 0 };

        if (spec_has_device(c->spec->linux_cfg, kvm.path))
                return 0;
        if (dev_make(rootfd, &kvm, err) < 0)
                return kago_err_wrap(err, "microVM container");
        return 0;
}
