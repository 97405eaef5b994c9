/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the reader of kago's own state file
 * (runtime/container/state_file.c, store_read_state): every input is the state.json of
 * a container "fuzz". A read that fails must say why; a read that succeeds
 * must name the asked id, and what kago writes back from it must read back
 * equal. Crashes, leaks and sanitizer reports are findings; each one is kept
 * in tests/fuzz/regressions/state/.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/container/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char state_fuzz_path[] = "/tmp/kago-state-fuzz.XXXXXX";

static void state_fuzz_cleanup(void)
{
        char file[64];
        snprintf(file, sizeof file, "%s/%s", state_fuzz_path, STATE_FILE);
        unlink(file);
        rmdir(state_fuzz_path);
}

/* The container directory the input is written to, made once. */
static int state_fuzz_dir(void)
{
        static int dirfd = -1;
        if (dirfd < 0) {
                if (!mkdtemp(state_fuzz_path) ||
                    (dirfd = open(state_fuzz_path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                        abort();
                atexit(state_fuzz_cleanup);
        }
        return dirfd;
}

static bool str_same(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static bool state_same(const struct container_state *a, const struct container_state *b)
{
        return str_same(a->id, b->id) && a->pid == b->pid && a->start_time == b->start_time &&
               str_same(a->bundle, b->bundle) && str_same(a->rootfs, b->rootfs) &&
               str_same(a->created, b->created) && a->owner == b->owner && a->vm == b->vm &&
               str_same(a->cgroup_path, b->cgroup_path) &&
               str_same(a->cgroup_driver, b->cgroup_driver) && a->own_pidns == b->own_pidns;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct container_state st = { 0 }, back = { 0 };
        struct kago_err err = { 0 };
        int dirfd = state_fuzz_dir();

        if (store_write_file(dirfd, STATE_FILE, (const char *)data, size, &err) < 0)
                abort();
        if (store_read_state(dirfd, "fuzz", &st, &err) < 0) {
                if (err.msg[0] == '\0')
                        __builtin_trap(); /* a failure must say why */
                return 0;
        }
        if (!st.id || strcmp(st.id, "fuzz") != 0)
                __builtin_trap(); /* read another container's record */
        if (store_write_state(dirfd, &st, &err) < 0)
                abort();
        if (store_read_state(dirfd, "fuzz", &back, &err) < 0 || !state_same(&st, &back))
                __builtin_trap(); /* what kago writes, kago must read back */
        container_state_free(&st);
        container_state_free(&back);
        return 0;
}
