/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link offloads, through the ethtool ioctl on a socket in the link's
 * network namespace. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "netns.h"

int netns_link_tx_csum_off(int nsfd, const char *name, struct kago_err *err)
{
        struct ethtool_value v = {.cmd = ETHTOOL_STXCSUM, .data = 0};
        struct ifreq ifr = {.ifr_data = (char *)&v};
        _cleanup_close_ int fd = netns_socket_in(nsfd, AF_INET, SOCK_DGRAM, err);

        if (fd < 0)
                return kago_err_wrap(err, "link \"%s\": turn off transmit checksum offload", name);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
                return kago_err_errno(err, errno, "link \"%s\": turn off transmit checksum offload",
                                      name);
        return 0;
}
