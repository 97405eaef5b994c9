/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-machined registration (org.freedesktop.machine1): a container or
 * microVM becomes a machine that machinectl lists, shows and terminates.
 * RegisterMachineWithNetwork registers the unit the leader already runs in,
 * so the container's cgroup must be a systemd unit: the systemd driver's
 * scope. machined forgets a machine by itself when that unit goes;
 * UnregisterMachine makes it forget one at once.
 */
#include <string.h>

#include "cgroups.h"
#include "internal.h"
#include "sd_bus_lib.h"

#define MACHINED "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"

/* The call's error as kago's; -2 when machined says there is no such machine. */
static int bus_error(const sd_bus_error *e, int r, const char *what, struct kago_err *err)
{
        bool missing = e->name && !strcmp(e->name, "org.freedesktop.machine1.NoSuchMachine");
        if (e->name && (!strcmp(e->name, "org.freedesktop.DBus.Error.ServiceUnknown") ||
                        !strcmp(e->name, "org.freedesktop.DBus.Error.NameHasNoOwner")))
                kago_err_set(err, "%s: systemd-machined is not running (apt-get install "
                                  "systemd-container; it needs systemd as PID 1)", what);
        else
                kago_err_set(err, "%s: %s", what, e->message ? e->message : strerror(-r));
        err->errnum = 0;
        return missing ? -2 : -1;
}

static int machine_args(sd_bus_message *m, const struct cgroup_machine *mc)
{
        int r = sd_bus_lib.message_append(m, "s", mc->name);
        if (r >= 0)
                r = sd_bus_lib.message_open_container(m, 'a', "y"); /* no id: machined makes none */
        if (r >= 0)
                r = sd_bus_lib.message_close_container(m);
        if (r >= 0)
                r = sd_bus_lib.message_append(m, "ssus", "kago", mc->vm ? "vm" : "container",
                                              (uint32_t)mc->leader, mc->root ? mc->root : "");
        if (r >= 0)
                r = sd_bus_lib.message_open_container(m, 'a', "i");
        for (size_t i = 0; r >= 0 && i < mc->n_ifindices; i++)
                r = sd_bus_lib.message_append(m, "i", (int32_t)mc->ifindices[i]);
        if (r >= 0)
                r = sd_bus_lib.message_close_container(m);
        return r;
}

/* Call machined's method with the message args fills. */
static int machined_call(const char *method, const char *what, const struct cgroup_machine *mc,
                         const char *name, struct kago_err *err)
{
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int rc = 0;
        if (sd_bus_lib_load(err) < 0)
                return kago_err_wrap(err, "%s", what);
        int r = sd_bus_lib.open_system(&bus);
        if (r < 0)
                return kago_err_errno(err, -r, "%s: connect to the system bus (is systemd running?)",
                                      what);
        r = sd_bus_lib.message_new_method_call(bus, &m, MACHINED, MACHINED_PATH, MACHINED_MANAGER,
                                               method);
        if (r >= 0)
                r = mc ? machine_args(m, mc) : sd_bus_lib.message_append(m, "s", name);
        if (r < 0)
                rc = kago_err_errno(err, -r, "%s", what);
        else if ((r = sd_bus_lib.call(bus, m, 0, &e, &reply)) < 0)
                rc = bus_error(&e, r, what, err);
        sd_bus_lib.error_free(&e);
        if (reply)
                sd_bus_lib.message_unref(reply);
        if (m)
                sd_bus_lib.message_unref(m);
        if (bus)
                sd_bus_lib.flush_close_unref(bus);
        return rc;
}

int cgroup_machine_register(const struct cgroup_machine *mc, struct kago_err *err)
{
        _cleanup_free_ char *what = xasprintf("register machine \"%s\" with systemd-machined",
                                              mc->name);
        return machined_call("RegisterMachineWithNetwork", what, mc, NULL, err) < 0 ? -1 : 0;
}

int cgroup_machine_unregister(const char *name, struct kago_err *err)
{
        _cleanup_free_ char *what = xasprintf("unregister machine \"%s\"", name);
        int rc = machined_call("UnregisterMachine", what, NULL, name, err);
        if (rc == -2) { /* gone with its unit already */
                kago_err_clear(err);
                return 0;
        }
        return rc < 0 ? -1 : 0;
}
