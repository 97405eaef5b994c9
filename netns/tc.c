/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bandwidth limits: a token bucket on what leaves a link, and the redirect
 * that turns what arrives on a link into what leaves another (an ifb), so
 * that a bucket there limits it too. */
#include <errno.h>

#include "internal.h"

int netns_tc_limit(struct netns_nl *nl, const char *name, const struct netns_tbf *t,
                   struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];
        int ifindex;

        if (t->rate == 0 || t->burst == 0)
                return kago_err_set(err,
                                    "link \"%s\": limit bandwidth: rate and burst must be "
                                    "above 0",
                                    name);
        if (netns_link_index(nl, name, &ifindex, err) < 0)
                return -1;
        if (netns_nl_request(nl, netns_msg_qdisc_tbf(buf, netns_nl_seq(nl), ifindex, t), NULL,
                             NULL) < 0)
                return kago_err_errno(err, errno,
                                      "link \"%s\": limit bandwidth to %llu bit/s "
                                      "(burst %llu bit)",
                                      name, (unsigned long long)t->rate,
                                      (unsigned long long)t->burst);
        return 0;
}

int netns_tc_redirect_ingress(struct netns_nl *nl, const char *name, const char *target,
                              struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];
        int ifindex, to;

        if (netns_link_index(nl, name, &ifindex, err) < 0 ||
            netns_link_index(nl, target, &to, err) < 0)
                return -1;
        if (netns_nl_request(nl, netns_msg_qdisc_ingress(buf, netns_nl_seq(nl), ifindex), NULL,
                             NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": add the ingress qdisc", name);
        if (netns_nl_request(nl, netns_msg_filter_redirect(buf, netns_nl_seq(nl), ifindex, to),
                             NULL, NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": redirect what arrives to \"%s\"",
                                      name, target);
        return 0;
}

int netns_tc_ingress_remove(struct netns_nl *nl, const char *name, struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];
        int ifindex;

        if (netns_link_index(nl, name, &ifindex, err) < 0)
                return -1;
        if (netns_nl_request(nl, netns_msg_qdisc_ingress_delete(buf, netns_nl_seq(nl), ifindex),
                             NULL, NULL) < 0 && errno != ENOENT && errno != EINVAL)
                return kago_err_errno(err, errno, "link \"%s\": remove the ingress qdisc", name);
        return 0;
}
