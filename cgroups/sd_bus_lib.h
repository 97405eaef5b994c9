/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sd-bus calls of the systemd driver and machined.c, from libsystemd loaded on first
 * use (sd_bus_lib.c). Private to cgroups/. */
#ifndef KAGO_CGROUPS_SD_BUS_LIB_H
#define KAGO_CGROUPS_SD_BUS_LIB_H

#include <systemd/sd-bus.h>

#include "../base/base.h"

struct sd_bus_lib {
        __typeof__(sd_bus_open_system) *open_system;
        __typeof__(sd_bus_match_signal) *match_signal;
        __typeof__(sd_bus_slot_unref) *slot_unref;
        __typeof__(sd_bus_flush_close_unref) *flush_close_unref;
        __typeof__(sd_bus_process) *process;
        __typeof__(sd_bus_wait) *wait;
        __typeof__(sd_bus_call) *call;
        __typeof__(sd_bus_error_free) *error_free;
        __typeof__(sd_bus_message_new_method_call) *message_new_method_call;
        __typeof__(sd_bus_message_append) *message_append;
        __typeof__(sd_bus_message_open_container) *message_open_container;
        __typeof__(sd_bus_message_close_container) *message_close_container;
        __typeof__(sd_bus_message_read) *message_read;
        __typeof__(sd_bus_message_unref) *message_unref;
};
/* Filled by sd_bus_lib_load (0, or an error naming what is missing). */
extern struct sd_bus_lib sd_bus_lib;
int sd_bus_lib_load(struct kago_err *err);

#endif
