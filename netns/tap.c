/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tap for a VMM's virtio-net device, made in the caller's namespace. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netns.h"

/* struct virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size, csum_start,
 * csum_offset, num_buffers. */
#define TAP_VNET_HDR_LEN 12

int netns_tap_open(const char *name, int *fd, struct kago_err *err)
{
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
        int hdr = TAP_VNET_HDR_LEN;

        if (!netns_ifname_valid(name))
                return kago_err_set(err, "tap \"%s\": not a valid interface name", name);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        *fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (*fd < 0)
                return kago_err_errno(err, errno, "tap \"%s\": open /dev/net/tun%s", name,
                                      errno == ENOENT ? " (the tun module is not loaded: modprobe tun)"
                                                      : "");
        if (ioctl(*fd, TUNSETIFF, &ifr) < 0 || ioctl(*fd, TUNSETVNETHDRSZ, &hdr) < 0) {
                int e = errno;
                close(*fd);
                *fd = -1;
                return kago_err_errno(err, e, "tap \"%s\": create", name);
        }
        return 0;
}
