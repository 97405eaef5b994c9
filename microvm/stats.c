/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VMM's own memory: process RSS less the resident part of guest RAM. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm.h"

static uint64_t field_kib(const char *line, const char *key)
{
        size_t n = strlen(key);
        uint64_t v = 0;
        if (strncmp(line, key, n) == 0)
                sscanf(line + n, " %" SCNu64, &v);
        return v;
}

uint64_t vm_rss_without_guest_kib(const struct vm *vm)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/smaps", "re");
        char line[512];
        uint64_t total = 0, guest = 0;
        bool in_guest = false;
        if (!f)
                return 0;
        while (fgets(line, sizeof line, f)) {
                uintptr_t start, end;
                if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) == 2 && strchr(line, ' ') &&
                    line[strcspn(line, " ") - 1] != ':') {
                        in_guest = start == (uintptr_t)vm->mem.host;
                        continue;
                }
                uint64_t rss = field_kib(line, "Rss:");
                total += rss;
                if (in_guest)
                        guest += rss;
        }
        return total - guest;
}
