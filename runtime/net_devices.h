/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.netDevices: host links that move into the container's network
 * namespace at create (renamed, with their addresses) and back to the host
 * under their own names at delete. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_NET_DEVICES_H
#define KAGO_RUNTIME_NET_DEVICES_H

#include "../specs/specs.h"
#include "state.h"

/* The state-directory file where the container's network namespace is bound
 * while it holds moved links, so delete finds them after init is gone. */
#define STATE_NETNS_PIN "netns"

/* Before anything is made: names valid and distinct, each host link there,
 * and a network namespace of the container's own to move them into. */
int net_devices_check(const struct oci_spec *s, struct kago_err *err);
/* Once init exists: record the devices in st (saved in dirfd), pin the
 * container's network namespace, move each link in. On failure the caller
 * runs net_devices_detach. */
int net_devices_attach(int dirfd, struct container_state *st, const struct oci_spec *s, pid_t pid,
                       struct kago_err *err);
/* Return each recorded device still in the container's namespace to the
 * host under its original name, with its addresses, and unpin the
 * namespace. Logs what it cannot do; never fails. */
void net_devices_detach(int dirfd, const struct container_state *st);

#endif
