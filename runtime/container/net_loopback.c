/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loopback link of a network namespace the container gets for itself,
 * up before the workload runs, as runc and crun bring it up: 127.0.0.1 and
 * ::1 work in the container (a joined namespace is left as it is). */
#include "../../netns/netns.h"
#include "container.h"

int net_loopback_up(const struct oci_spec *s, struct kago_err *err)
{
        const struct oci_namespace *ns = spec_namespace(s, OCI_NS_NETWORK);
        _cleanup_netns_nl_ struct netns_nl *nl = NULL;

        if (!ns || ns->path)
                return 0;
        if (netns_nl_open(-1, &nl, err) < 0 || netns_link_set_up(nl, "lo", true, err) < 0)
                return kago_err_wrap(err, "the container's network namespace");
        return 0;
}
