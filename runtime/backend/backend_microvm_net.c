/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A microVM container's network is the one its engine (or kago.net) made:
 * each interface in the container's network namespace that is up, other
 * than loopback, becomes a NIC of the guest with the interface's name, MAC,
 * MTU, addresses and routes (IPv4 and IPv6; the IPv6 link-local address the
 * guest's kernel makes from the same MAC is the interface's own). In init,
 * in that namespace and before pivot_root (kago create has attached
 * kago.net's links and run the createRuntime hooks by then), each
 * interface gets a tap, kagotapN, and tc
 * redirects both ways between the two (ingress qdisc, u32 match-all,
 * mirred egress redirect): every frame the interface receives leaves
 * through the tap to the guest's NIC, every frame the guest sends leaves
 * through the interface.
 *
 * The interface keeps its addresses, where the engine put them and reads
 * them back (podman inspect, its teardown). They do not break ARP: the
 * ingress redirect takes every frame before the namespace's own stack sees
 * it, so only the guest, with the same MAC and addresses, answers. The tap
 * goes with the VMM's fd; the redirects go with the namespace, or, in a
 * namespace the engine keeps (joined by path), at kago delete with the
 * interfaces' ingress qdiscs (vm_nics_release). One microVM per network
 * namespace: its redirects take every frame the interfaces receive.
 *
 * A container without a network namespace of its own shares the host's:
 * its guest gets no NIC, since redirecting the host's interfaces would take
 * the host's network away.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../netns/netns.h"
#include "backend.h"

static bool link_wanted(const struct netns_link_info *l)
{
        static const uint8_t none[6];
        return l->up && !l->loopback && memcmp(l->mac, none, 6) != 0 &&
               strncmp(l->name, VM_TAP_PREFIX, strlen(VM_TAP_PREFIX)) != 0;
}

static int nic_addrs(struct netns_nl *nl, struct microvm_nic *nic, struct kago_err *err)
{
        _cleanup_free_ struct netns_addr *addrs = NULL;
        size_t n;
        if (netns_addr_list(nl, nic->name, &addrs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (nic->n_addrs == MICROVM_NIC_ADDRS_MAX)
                        return kago_err_set(err, "interface %s: more than %d addresses",
                                            nic->name, MICROVM_NIC_ADDRS_MAX);
                struct microvm_nic_addr *a = &nic->addrs[nic->n_addrs++];
                a->family = addrs[i].family;
                memcpy(a->ip, addrs[i].local, sizeof a->ip);
                a->prefix = addrs[i].prefixlen;
        }
        return 0;
}

static int nic_routes(const struct netns_route *routes, size_t n, int ifindex,
                      struct microvm_nic *nic, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                if (routes[i].oif != ifindex)
                        continue;
                if (nic->n_routes == MICROVM_NIC_ROUTES_MAX)
                        return kago_err_set(err, "interface %s: more than %d routes",
                                            nic->name, MICROVM_NIC_ROUTES_MAX);
                struct microvm_nic_route *r = &nic->routes[nic->n_routes++];
                r->family = routes[i].family;
                memcpy(r->dst, routes[i].dst, sizeof r->dst);
                memcpy(r->gw, routes[i].gw, sizeof r->gw);
                r->dst_len = routes[i].dst_len;
        }
        return 0;
}

/* The tap for nic, its MTU the interface's, and the redirects both ways. */
static int nic_plumb(struct netns_nl *nl, unsigned idx, struct microvm_nic *nic,
                     struct kago_err *err)
{
        char tap[IFNAMSIZ];
        snprintf(tap, sizeof tap, "%s%u", VM_TAP_PREFIX, idx);
        if (netns_tap_open(tap, &nic->tap_fd, err) < 0 ||
            netns_link_set_mtu(nl, tap, nic->mtu, err) < 0 ||
            netns_link_set_up(nl, tap, true, err) < 0 ||
            netns_tc_redirect_ingress(nl, tap, nic->name, err) < 0 ||
            netns_tc_redirect_ingress(nl, nic->name, tap, err) < 0)
                return -1;
        return 0;
}

static int nic_add(struct netns_nl *nl, const struct netns_link_info *l,
                   const struct netns_route *routes, size_t n_routes, struct vm_nics *nics,
                   struct kago_err *err)
{
        if (nics->n == MICROVM_NICS_MAX)
                return kago_err_set(err, "more than %d network interfaces in the container's "
                                    "network namespace (interface %s): a microVM takes at most %d",
                                    MICROVM_NICS_MAX, l->name, MICROVM_NICS_MAX);
        struct microvm_nic *nic = &nics->v[nics->n];
        *nic = (struct microvm_nic){ .tap_fd = -1, .mtu = (uint16_t)l->mtu };
        snprintf(nic->name, sizeof nic->name, "%s", l->name);
        memcpy(nic->mac, l->mac, 6);
        if (l->mtu > UINT16_MAX)
                return kago_err_set(err, "interface %s: MTU %u, a virtio NIC takes at most %u",
                                    l->name, l->mtu, UINT16_MAX);
        nics->n++;
        if (nic_addrs(nl, nic, err) < 0 || nic_routes(routes, n_routes, l->ifindex, nic, err) < 0 ||
            nic_plumb(nl, (unsigned)nics->n - 1, nic, err) < 0)
                return kago_err_wrap(err, "microVM network");
        return 0;
}

/* A failed create leaves the interfaces as they were: the taps go with
 * their fds, the redirects with the interfaces' ingress qdiscs. */
static void nics_undo(struct netns_nl *nl, struct vm_nics *nics)
{
        struct kago_err e = { 0 };
        for (size_t i = 0; i < nics->n; i++) {
                if (nics->v[i].tap_fd >= 0)
                        close(nics->v[i].tap_fd);
                if (netns_tc_ingress_remove(nl, nics->v[i].name, &e) < 0)
                        log_warning("microVM network: %s", kago_err_text(&e));
        }
        nics->n = 0;
}

int vm_nics_prepare(const struct oci_spec *spec, struct vm_nics *nics, struct kago_err *err)
{
        _cleanup_netns_nl_ struct netns_nl *nl = NULL;
        _cleanup_free_ struct netns_link_info *links = NULL;
        _cleanup_free_ struct netns_route *routes = NULL;
        size_t n_links, n_routes;
        nics->n = 0;
        if (!spec_namespace(spec, OCI_NS_NETWORK))
                return 0;
        if (netns_nl_open(-1, &nl, err) < 0 || netns_link_list(nl, &links, &n_links, err) < 0 ||
            netns_route_list(nl, AF_UNSPEC, &routes, &n_routes, err) < 0)
                return kago_err_wrap(err, "microVM network");
        for (size_t i = 0; i < n_links; i++)
                if (link_wanted(&links[i]) &&
                    nic_add(nl, &links[i], routes, n_routes, nics, err) < 0) {
                        nics_undo(nl, nics);
                        return -1;
                }
        return 0;
}

void vm_nics_release(const struct container_state *st, const struct oci_spec *spec)
{
        const struct oci_namespace *ns = spec_namespace(spec, OCI_NS_NETWORK);
        _cleanup_netns_nl_ struct netns_nl *nl = NULL;
        _cleanup_free_ struct netns_link_info *links = NULL;
        struct kago_err err = { 0 };
        size_t n;
        if (!ns || !ns->path)
                return; /* none, or its own: gone with the VMM */
        _cleanup_close_ int nsfd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0) {
                if (errno != ENOENT) /* the engine removed it first */
                        log_warning("container \"%s\": microVM network: open %s: %s", st->id,
                                    ns->path, strerror(errno));
                return;
        }
        if (netns_nl_open(nsfd, &nl, &err) < 0 || netns_link_list(nl, &links, &n, &err) < 0) {
                log_warning("container \"%s\": microVM network: %s", st->id, kago_err_text(&err));
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (link_wanted(&links[i]) && netns_tc_ingress_remove(nl, links[i].name, &err) < 0)
                        log_warning("container \"%s\": microVM network: %s", st->id,
                                    kago_err_text(&err));
}
