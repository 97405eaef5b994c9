/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroup v1 freezer: freezer.state FROZEN / THAWED, then wait until it
 * reads so (FREEZING in between), never forever. */
#include <string.h>
#include <time.h>

#include "internal.h"

#define POLL_MS 5
/* A freeze racing a fork can stall in FREEZING: write FROZEN again now and
 * then (runc does the same). */
#define REWRITE_EVERY 20

static int read_state(const struct cg_v1_dir *d, char *buf, size_t size, struct kago_err *err)
{
        _cleanup_free_ char *s = NULL;

        if (cg_read(d->dirfd, "freezer.state", &s, err) < 0)
                return kago_err_wrap(err, "cgroup %s", d->dir);
        s[strcspn(s, "\n")] = '\0';
        snprintf(buf, size, "%s", s);
        return 0;
}

static const struct cg_v1_dir *freezer_dir(struct cgroup *cg, struct kago_err *err)
{
        const struct cg_v1_dir *d = cg_v1_dir_for(cg, "freezer");

        if (!d)
                kago_err_set(err, "cgroup %s: no cgroup v1 freezer directory", cg->dir);
        return d;
}

static void sleep_ms(int ms)
{
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000L };

        nanosleep(&ts, NULL);
}

int cg_v1_set_frozen(struct cgroup *cg, bool freeze, int timeout_ms, struct kago_err *err)
{
        const char *want = freeze ? "FROZEN" : "THAWED";
        int64_t deadline = cg_now_ms() + timeout_ms;
        char state[32];

        if (!freezer_dir(cg, err))
                return -1;
        for (int round = 0;; round++) {
                if (round % REWRITE_EVERY == 0 && cg_write(cg, "freezer.state", want, err) < 0)
                        return -1;
                if (read_state(cg_v1_dir_for(cg, "freezer"), state, sizeof state, err) < 0)
                        return -1;
                if (strcmp(state, want) == 0)
                        return 0;
                if (cg_now_ms() >= deadline)
                        return kago_err_set(err, "timed out after %d ms waiting for freezer.state %s "
                                                 "(it reads %s)", timeout_ms, want, state);
                sleep_ms(POLL_MS);
        }
}

int cg_v1_is_frozen(struct cgroup *cg, bool *frozen, struct kago_err *err)
{
        const struct cg_v1_dir *d = freezer_dir(cg, err);
        char state[32];

        if (!d || read_state(d, state, sizeof state, err) < 0)
                return -1;
        /* FREEZING counts as frozen: pause is under way (runc reports paused). */
        *frozen = strcmp(state, "THAWED") != 0;
        return 0;
}
