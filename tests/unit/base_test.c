/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the base module: error wrapping, bounded reads, atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "../../base/base.h"
#include "unit.h"

UNIT_TEST(err_wrap_prefixes_context)
{
        struct kago_err err = { 0 };

        CHECK(kago_err_errno(&err, EBUSY, "write memory.max = %d", 1048576) == -1);
        kago_err_wrap(&err, "container %s", "web");
        CHECK_STR(kago_err_text(&err),
                  "container web: write memory.max = 1048576: Device or resource busy");
}

UNIT_TEST(err_wrap_truncates_long_messages)
{
        struct kago_err err = { 0 };
        char big[3000];

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        kago_err_set(&err, "%s", big);
        kago_err_wrap(&err, "ctx");
        CHECK(strlen(kago_err_text(&err)) == KAGO_ERR_MSG_MAX - 1);
        CHECK(str_has_prefix(err.msg, "ctx: xxx"));
}

UNIT_TEST(file_read_respects_cap)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct kago_err err = { 0 };
        char *buf = NULL;
        size_t len = 0;

        CHECK(mkdtemp(dir) != NULL);
        int dfd = open(dir, O_DIRECTORY | O_RDONLY);
        CHECK(file_write_atomic_at(dfd, "f", "hello", 5, 0644, &err) == 0);
        CHECK(file_read_at(dfd, "f", 100, &buf, &len, &err) == 0);
        CHECK_STR(buf, "hello");
        CHECK(len == 5);
        free(buf);
        buf = NULL;
        CHECK(file_read_at(dfd, "f", 4, &buf, &len, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "larger than the limit of 4 bytes");
        CHECK(file_read_at(dfd, "missing", 4, &buf, &len, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "open missing: No such file or directory");
        unlinkat(dfd, "f", 0);
        close(dfd);
        rmdir(dir);
}

UNIT_TEST(str_to_i64_rejects_junk_and_range)
{
        int64_t v = 0;

        CHECK(str_to_i64("42", 0, 100, &v) == 0 && v == 42);
        CHECK(str_to_i64("101", 0, 100, &v) < 0);
        CHECK(str_to_i64("4x", 0, 100, &v) < 0);
        CHECK(str_to_i64("", 0, 100, &v) < 0);
}

UNIT_MAIN("base", UNIT(err_wrap_prefixes_context), UNIT(err_wrap_truncates_long_messages),
          UNIT(file_read_respects_cap), UNIT(str_to_i64_rejects_junk_and_range))
