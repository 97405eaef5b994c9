/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replays every seed and every kept finding of the state, ninep, fuse,
 * guest, blk, netlink, manifest, snap and fstable fuzz targets (tests/fuzz/seeds/TARGET/,
 * tests/fuzz/regressions/TARGET/)
 * through the targets themselves, under ASan/UBSan: each fixed decoder bug
 * stays fixed, and the targets' invariants (replies fit and say their
 * length, nothing beyond the served root changes, no fd leaks, state.json
 * and the servers' checkpoint tables round-trip) hold on them. The fuzzing itself is `make fuzz FUZZ_TARGET=T`. */
#include <dirent.h>

#define LLVMFuzzerTestOneInput state_fuzz_input
#include "../fuzz/state_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ninep_fuzz_input
#include "../fuzz/ninep_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuse_fuzz_input
#include "../fuzz/fuse_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput guest_fuzz_input
#include "../fuzz/guest_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput blk_fuzz_input
#include "../fuzz/blk_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput netlink_fuzz_input
#include "../fuzz/netlink_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput manifest_fuzz_input
#include "../fuzz/manifest_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput snap_fuzz_input
#include "../fuzz/snap_fuzz.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fstable_fuzz_input
#include "../fuzz/fstable_fuzz.c"
#undef LLVMFuzzerTestOneInput

#include "unit.h"

typedef int (*fuzz_input_fn)(const uint8_t *data, size_t size);

/* Feed every file of tests/fuzz/KIND/TARGET to fn; returns how many. */
static int replay_dir(const char *kind, const char *target, fuzz_input_fn fn)
{
        const char *file = __FILE__; /* .../tests/unit/fuzz_corpus_test.c */
        const char *cut = strstr(file, "unit/fuzz_corpus_test.c");
        _cleanup_free_ char *dir = xasprintf("%.*sfuzz/%s/%s", (int)(cut - file), file, kind, target);
        DIR *d = opendir(dir);
        int n = 0;

        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
                        continue;
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;
                struct kago_err err = { 0 };
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, e->d_name);
                CHECK(file_read_at(AT_FDCWD, path, 1u << 20, &buf, &len, &err) == 0);
                if (buf)
                        fn((const uint8_t *)buf, len);
                n++;
        }
        if (d)
                closedir(d);
        return n;
}

static int replay(const char *target, fuzz_input_fn fn)
{
        return replay_dir("seeds", target, fn) + replay_dir("regressions", target, fn);
}

UNIT_TEST(state_inputs_keep_the_invariants)
{
        CHECK(replay("state", state_fuzz_input) >= 2);
}

UNIT_TEST(ninep_inputs_keep_the_invariants)
{
        CHECK(replay("ninep", ninep_fuzz_input) >= 7);
}

UNIT_TEST(fuse_inputs_keep_the_invariants)
{
        CHECK(replay("fuse", fuse_fuzz_input) >= 6);
}

UNIT_TEST(guest_inputs_keep_the_invariants)
{
        CHECK(replay("guest", guest_fuzz_input) >= 1);
}

UNIT_TEST(blk_inputs_keep_the_invariants)
{
        CHECK(replay("blk", blk_fuzz_input) >= 4);
}

UNIT_TEST(manifest_inputs_keep_the_invariants)
{
        CHECK(replay("manifest", manifest_fuzz_input) >= 5);
}

UNIT_TEST(netlink_inputs_keep_the_invariants)
{
        CHECK(replay("netlink", netlink_fuzz_input) >= 2);
}

UNIT_TEST(snap_inputs_keep_the_invariants)
{
        CHECK(replay("snap", snap_fuzz_input) >= 4);
}

UNIT_TEST(fstable_inputs_keep_the_invariants)
{
        CHECK(replay("fstable", fstable_fuzz_input) >= 7);
}

UNIT_MAIN("fuzz_corpus", UNIT(state_inputs_keep_the_invariants),
          UNIT(ninep_inputs_keep_the_invariants), UNIT(fuse_inputs_keep_the_invariants),
          UNIT(guest_inputs_keep_the_invariants), UNIT(blk_inputs_keep_the_invariants),
          UNIT(netlink_inputs_keep_the_invariants), UNIT(manifest_inputs_keep_the_invariants),
          UNIT(snap_inputs_keep_the_invariants), UNIT(fstable_inputs_keep_the_invariants))
