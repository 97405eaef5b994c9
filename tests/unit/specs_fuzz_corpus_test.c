/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the fuzz target's invariants (every failure says why; whatever
 * parses, emits and parses back equal) on its seeds, on every finding kept
 * in tests/fuzz/regressions/ and on the fixture configs, under ASan/UBSan. */
#include <dirent.h>

#include "../fuzz/spec_fuzz.c"
#include "specs_test.h"

/* Feed every file of tests/REL to the fuzz target; returns how many. */
static int feed_dir(const char *rel)
{
        _cleanup_free_ char *dir = specs_test_path(rel);
        DIR *d = opendir(dir);
        int n = 0;

        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0 ||
                    e->d_type == DT_DIR) /* another target's seeds or findings */
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", rel, e->d_name);
                size_t len = 0;
                _cleanup_free_ char *buf = read_fixture(path, &len);
                if (buf)
                        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
                n++;
        }
        if (d)
                closedir(d);
        return n;
}

UNIT_TEST(seeds_and_kept_findings_keep_the_invariants)
{
        CHECK(feed_dir("fuzz/seeds") + feed_dir("fuzz/regressions") >= 7);
}

UNIT_TEST(fixtures_keep_the_invariants)
{
        CHECK(feed_dir("fixtures/configs") >= 12);
}

UNIT_MAIN("specs_fuzz_corpus", UNIT(seeds_and_kept_findings_keep_the_invariants),
          UNIT(fixtures_keep_the_invariants))
