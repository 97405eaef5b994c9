/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libsystemd, loaded when kago first talks to systemd or machined (dlopen)
 * rather than at every start of kago: linked, it and the five libraries it
 * pulls in (gcrypt, gpg-error, lzma, zstd, lz4) cost each kago process
 * about half a millisecond of loading and relocation, and most kago
 * processes (state, start, kill, delete with cgroupfs, the container's init)
 * never use it. Only the sd-bus calls systemd.c and machined.c make are
 * resolved.
 */
#include <dlfcn.h>

#include "internal.h"
#include "sd_bus_lib.h"

#define SD_BUS_LIB "libsystemd.so.0"

struct sd_bus_lib sd_bus_lib;

#define RESOLVE(field, name) { #name, (void **)&sd_bus_lib.field }

int sd_bus_lib_load(struct kago_err *err)
{
        static void *handle;
        const struct {
                const char *name;
                void **slot;
        } syms[] = {
                RESOLVE(open_system, sd_bus_open_system),
                RESOLVE(match_signal, sd_bus_match_signal),
                RESOLVE(slot_unref, sd_bus_slot_unref),
                RESOLVE(flush_close_unref, sd_bus_flush_close_unref),
                RESOLVE(process, sd_bus_process),
                RESOLVE(wait, sd_bus_wait),
                RESOLVE(call, sd_bus_call),
                RESOLVE(error_free, sd_bus_error_free),
                RESOLVE(message_new_method_call, sd_bus_message_new_method_call),
                RESOLVE(message_append, sd_bus_message_append),
                RESOLVE(message_open_container, sd_bus_message_open_container),
                RESOLVE(message_close_container, sd_bus_message_close_container),
                RESOLVE(message_read, sd_bus_message_read),
                RESOLVE(message_unref, sd_bus_message_unref),
        };
        if (handle)
                return 0;
        void *h = dlopen(SD_BUS_LIB, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return kago_err_set(err, "cannot load %s (%s; apt-get "
                                         "install libsystemd0)", SD_BUS_LIB, dlerror());
        for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
                *syms[i].slot = dlsym(h, syms[i].name);
                if (!*syms[i].slot) {
                        dlclose(h);
                        return kago_err_set(err, "%s lacks %s", SD_BUS_LIB,
                                            syms[i].name);
                }
        }
        handle = h;
        return 0;
}
