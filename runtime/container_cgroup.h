/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's cgroup, through cgroups/cgroups.h: every cgroup call of the
 * runtime is in container_cgroup.c. Internal to runtime/. */
#ifndef KAGO_RUNTIME_CONTAINER_CGROUP_H
#define KAGO_RUNTIME_CONTAINER_CGROUP_H

#include "state.h"

struct container_ctx;
struct oci_spec;
struct cgroup;
struct kago_global;

/* Whether spec's linux.resources asks a cgroup for anything (values that
 * ask for nothing do not: cgroup_resources_limit_something); device rules
 * count when devices is true. The runtime's one test of it. */
bool container_cgroup_asks_limits(const struct oci_spec *spec, bool devices);
/* Whether the container's state records a cgroup. */
bool container_has_cgroup(const struct container_state *st);
/* Make the container's cgroup with the config's limits and place pid in it
 * (pid 0: init is cloned into it later); records the cgroup in c->st. No cgroup
 * when --cgroup-manager disabled or the host has no cgroup2 mount (then a
 * requested limit is an error). */
int container_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* The cgroup's directory fd for clone3(CLONE_INTO_CGROUP), -1 when there is
 * none or the driver needs a pid to place (systemd). */
int container_cgroup_clone_fd(const struct container_ctx *c);
/* Move pid into the cgroup made without one (the clone3 fallback). */
int container_cgroup_enter(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* Whether the cgroup is made before the clone (pid 0) or after (systemd). */
bool container_cgroup_before_clone(const struct container_ctx *c);
/* Undo container_cgroup_create after a failed create. */
void container_cgroup_abort(struct container_ctx *c);
/* Drop the handle (the cgroup stays). */
void container_cgroup_release(struct container_ctx *c);
/* The container's cgroup from its state; *cg is NULL when it has none. */
int container_cgroup_open(const struct container_state *st, struct cgroup **cg,
                          struct kago_err *err);
/* The same, refused when the cgroup holds kago itself (the root cgroup, an
 * ancestor of kago's): for killing what it holds. */
int container_cgroup_open_owned(const struct container_state *st, struct cgroup **cg,
                                struct kago_err *err);
bool container_cgroup_is_frozen(const struct container_state *st);
/* Whether its cgroup still holds a process (false when it has none). */
bool container_cgroup_is_populated(const struct container_state *st);
/* Kill what is left in it and remove it. */
int container_cgroup_destroy(const struct container_state *st, struct kago_err *err);
/* For a record without a cgroup (an unreadable state, a create killed before
 * it recorded one): the cgroup the stored config (or, without one, the
 * default) names, when it exists; st->cgroup_path stays NULL otherwise. */
void container_cgroup_guess(const struct kago_global *g, int dirfd, struct container_state *st);

#endif
