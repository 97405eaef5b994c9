/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the checkpoint image's manifest reader
 * (restore_checks_run in runtime/lifecycle/checkpoint_manifest.c): an input
 * is the bytes of an untrusted kago-checkpoint.json, checked as kago
 * restore checks it. Invariants: at most one row per check, each detail a
 * terminated string, a verdict that fails exactly when a row failed, and
 * the manifest row always first. Crashes, leaks and sanitizer reports are
 * findings; each one is kept in tests/fuzz/regressions/manifest/.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/lifecycle/lifecycle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kago_err err = { 0 };
        struct restore_checks r;
        bool any_failed = false;

        char manifest_dir[] = "/tmp/kago-manifest-fuzz.XXXXXX";
        if (!mkdtemp(manifest_dir))
                abort();
        _cleanup_free_ char *path = xasprintf("%s/kago-checkpoint.json", manifest_dir);
        if (file_write_atomic_at(AT_FDCWD, path, (const char *)data, size, 0600, &err) < 0)
                abort();
        restore_checks_run(manifest_dir, "container", false, &r);
        if (r.n < 1 || r.n > 5 || strcmp(r.v[0].name, "manifest") != 0)
                abort();
        for (size_t i = 0; i < r.n; i++) {
                if (memchr(r.v[i].detail, '\0', sizeof r.v[i].detail) == NULL)
                        abort();
                any_failed |= !r.v[i].ok;
        }
        if ((restore_checks_verdict(&r, manifest_dir, &err) < 0) != any_failed)
                abort();
        unlink(path);
        rmdir(manifest_dir);
        return 0;
}
