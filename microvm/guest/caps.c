/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.capabilities and noNewPrivileges in the guest, for the workload
 * and for each exec, in the order a container's process gets them: the
 * bounding set shrinks and capabilities are kept across the user switch
 * (caps_before_user); after it the effective, permitted and inheritable
 * sets are set, the ambient set raised, and no_new_privs turned on
 * (caps_after_user). Without process.capabilities the process keeps
 * root's sets in the guest.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

/* capset(2)'s arguments (musl has no header for them). */
#define CAP_VERSION_3 0x20080522
struct cap_header {
        uint32_t version;
        int pid;
};
struct cap_data {
        uint32_t effective, permitted, inheritable;
};

/* The highest capability this kernel knows; the bounding set reads -1 past it. */
static int cap_last(void)
{
        int last = 0;
        while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
                last++;
        return last;
}

const char *caps_before_user(const struct conf *c)
{
        if (!c->caps_set)
                return NULL;
        for (int cap = 0, last = cap_last(); cap <= last; cap++)
                if (!(c->caps.bounding >> cap & 1) &&
                    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                        return "drop a capability from the bounding set";
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return "keep capabilities across the user switch";
        return NULL;
}

const char *caps_after_user(const struct conf *c)
{
        if (c->caps_set) {
                struct cap_header h = { CAP_VERSION_3, 0 };
                struct cap_data d[2];
                for (int i = 0; i < 2; i++)
                        d[i] = (struct cap_data){
                                (uint32_t)(c->caps.effective >> 32 * i),
                                (uint32_t)(c->caps.permitted >> 32 * i),
                                (uint32_t)(c->caps.inheritable >> 32 * i) };
                if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || syscall(SYS_capset, &h, d) < 0)
                        return "set process.capabilities";
                for (int cap = 0, last = cap_last(); cap <= last; cap++)
                        if (c->caps.ambient >> cap & 1 &&
                            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                                return "raise process.capabilities.ambient";
        }
        if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return "set noNewPrivileges";
        return NULL;
}
