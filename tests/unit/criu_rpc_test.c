/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves criu/: the protobuf wire format, criu_req encoding, criu_resp
 * decoding (malformed input refused), a live VERSION request and the failure
 * explanation read from a CRIU log. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../criu/criu.h"
#include "../../criu/pb.h"
#include "unit.h"

static size_t count_fields(const uint8_t *buf, size_t len, unsigned number)
{
        struct pb_in in = { buf, buf + len };
        struct pb_field f;
        size_t n = 0;

        while (pb_next(&in, &f) > 0)
                n += f.number == number;
        return n;
}

UNIT_TEST(pb_varints_round_trip)
{
        static const uint64_t values[] = { 0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX };
        struct pb_out o = { 0 };

        for (size_t i = 0; i < ARRAY_SIZE(values); i++)
                pb_put_varint(&o, (unsigned)i + 1, values[i]);
        pb_put_int32(&o, 99, -1);
        struct pb_in in = { o.buf, o.buf + o.len };
        struct pb_field f;
        for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
                CHECK(pb_next(&in, &f) == 1);
                CHECK(f.number == i + 1 && f.wire == PB_VARINT && f.varint == values[i]);
        }
        CHECK(pb_next(&in, &f) == 1);
        CHECK(f.number == 99 && (int32_t)f.varint == -1);
        CHECK(pb_next(&in, &f) == 0);
        pb_out_free(&o);
}

UNIT_TEST(pb_reader_refuses_truncated_input)
{
        static const uint8_t overlong_len[] = { 0x0a, 0x05, 'a', 'b' };     /* 5 bytes promised */
        static const uint8_t cut_varint[] = { 0x08, 0x80 };                 /* continuation, no end */
        static const uint8_t field_zero[] = { 0x00, 0x01 };                 /* field number 0 */
        static const uint8_t group[] = { 0x0b };                            /* wire type 3 */
        const struct {
                const uint8_t *p;
                size_t n;
        } cases[] = { { overlong_len, sizeof overlong_len }, { cut_varint, sizeof cut_varint },
                      { field_zero, sizeof field_zero }, { group, sizeof group } };
        struct pb_field f;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct pb_in in = { cases[i].p, cases[i].p + cases[i].n };
                CHECK(pb_next(&in, &f) == -1);
        }
}

UNIT_TEST(request_carries_type_options_and_lists)
{
        struct criu_opts o;
        struct criu_call call = { .type = CRIU_REQ_RESTORE, .opts = &o };
        uint8_t *buf;
        size_t len;

        criu_opts_init(&o);
        o.images_dir_fd = 7;
        o.rst_sibling = true;
        o.cg_mode = CRIU_CG_IGNORE;
        criu_opts_add_ext_mnt(&o, "/data", "/srv/data");
        criu_opts_add_ext_mnt(&o, "/etc/hosts", "/tmp/hosts");
        criu_opts_add_inherit(&o, "pipe:[42]", 0);
        criu_opts_add_external(&o, "net[%u]:extRootNetNS", 4026531992u);
        CHECK(criu_encode_request(&call, &buf, &len) == 0);
        CHECK(len > 4 && buf[0] == 0x08 && buf[1] == CRIU_REQ_RESTORE);
        struct pb_in in = { buf, buf + len };
        struct pb_field f;
        CHECK(pb_next(&in, &f) == 1 && pb_next(&in, &f) == 1);
        CHECK(f.number == 2 && f.wire == PB_LEN); /* criu_req.opts */
        CHECK(count_fields(f.bytes, f.len, 1) == 1);  /* images_dir_fd */
        CHECK(count_fields(f.bytes, f.len, 23) == 2); /* ext_mnt */
        CHECK(count_fields(f.bytes, f.len, 26) == 1); /* rst_sibling */
        CHECK(count_fields(f.bytes, f.len, 27) == 1); /* inherit_fd */
        CHECK(count_fields(f.bytes, f.len, 34) == 1); /* manage_cgroups_mode, 0 sent */
        CHECK(count_fields(f.bytes, f.len, 37) == 1); /* external */
        CHECK(count_fields(f.bytes, f.len, 3) == 0);  /* leave_running unset: absent */
        free(buf);
        criu_opts_free(&o);
}

UNIT_TEST(response_decodes_notify_and_restore)
{
        struct pb_out notify = { 0 }, inner = { 0 }, restore = { 0 }, pid = { 0 };
        struct criu_result res = { 0 };
        char *script = NULL;
        pid_t npid = 0;
        int type;

        pb_put_string(&inner, 1, "post-restore");
        pb_put_int32(&inner, 2, 4242);
        pb_put_varint(&notify, 1, CRIU_REQ_NOTIFY);
        pb_put_bool(&notify, 2, true);
        pb_put_message(&notify, 5, &inner);
        pb_put_varint(&notify, 77, 1); /* an unknown field is skipped */
        CHECK(criu_decode_response(notify.buf, notify.len, &type, &script, &npid, &res) == 0);
        CHECK(type == CRIU_REQ_NOTIFY && npid == 4242);
        CHECK_STR(script, "post-restore");
        free(script);
        script = NULL;

        pb_put_int32(&pid, 1, 31337);
        pb_put_varint(&restore, 1, CRIU_REQ_RESTORE);
        pb_put_bool(&restore, 2, true);
        pb_put_message(&restore, 4, &pid);
        CHECK(criu_decode_response(restore.buf, restore.len, &type, &script, &npid, &res) == 0);
        CHECK(type == CRIU_REQ_RESTORE && res.success && res.restored_pid == 31337);
        /* Cut short, it is refused. */
        CHECK(criu_decode_response(restore.buf, restore.len - 1, &type, &script, &npid, &res) ==
              -1);
        criu_result_free(&res);
        pb_out_free(&notify);
        pb_out_free(&restore);
}

UNIT_TEST(failure_names_log_errors_and_hint)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct criu_result res = { .cr_errno = 0 };
        struct kago_err err = { 0 };
        static const char log[] =
                "(00.001) Version: 3.17.1\n"
                "(00.020) Error (criu/files-reg.c:1880): Can't open file tmp/x on restore: "
                "No such file or directory\n"
                "(00.021) Error (criu/cr-restore.c:1480): 1 exited, status=1\n";

        CHECK(mkdtemp(dir) != NULL);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        CHECK(file_write_atomic_at(dfd, "restore.log", log, sizeof log - 1, 0600, &err) == 0);
        criu_explain_failure(dfd, "restore.log", "/w/restore.log", &res, &err);
        CHECK(strstr(err.msg, "Error (criu/files-reg.c:1880): Can't open file tmp/x") != NULL);
        CHECK(strstr(err.msg, "; Error (criu/cr-restore.c:1480)") != NULL);
        CHECK(strstr(err.msg, "hint: a file the workload had open") != NULL);
        CHECK(strstr(err.msg, "(log: /w/restore.log)") != NULL);
        unlinkat(dfd, "restore.log", 0);
        close(dfd);
        rmdir(dir);
}

UNIT_TEST(version_request_talks_to_criu_or_names_it_missing)
{
        struct kago_err err = { 0 };
        int version = 0;

        setenv("KAGO_CRIU", "/nonexistent/criu", 1);
        CHECK(criu_version(&version, &err) == -1);
        CHECK(strstr(err.msg, "cannot run /nonexistent/criu: CRIU is not installed") != NULL);
        unsetenv("KAGO_CRIU");
        if (access(criu_binary(), X_OK) != 0)
                return; /* make deps installs criu; without it only the refusal is proved */
        CHECK(criu_version(&version, &err) == 0);
        CHECK(version >= 30000);
}

UNIT_MAIN("criu", UNIT(pb_varints_round_trip), UNIT(pb_reader_refuses_truncated_input),
          UNIT(request_carries_type_options_and_lists), UNIT(response_decodes_notify_and_restore),
          UNIT(failure_names_log_errors_and_hint),
          UNIT(version_request_talks_to_criu_or_names_it_missing))
