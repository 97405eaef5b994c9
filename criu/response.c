/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_resp off the wire: bounds-checked, unknown fields skipped. */
#include "criu.h"
#include "pb.h"

enum { /* criu_resp */
        RESP_TYPE = 1, RESP_SUCCESS = 2, RESP_RESTORE = 4, RESP_NOTIFY = 5, RESP_CR_ERRNO = 7,
        RESP_CR_ERRMSG = 9, RESP_VERSION = 10,
};
enum { RESTORE_PID = 1 };                   /* criu_restore_resp */
enum { NOTIFY_SCRIPT = 1, NOTIFY_PID = 2 }; /* criu_notify */
enum { VERSION_MAJOR = 1, VERSION_MINOR = 2, VERSION_SUBLEVEL = 4 }; /* criu_version */

static int decode_restore(const struct pb_field *f, struct criu_result *res)
{
        struct pb_in in = { f->bytes, f->bytes + f->len };
        struct pb_field g;
        int r;

        while ((r = pb_next(&in, &g)) > 0)
                if (g.number == RESTORE_PID && g.wire == PB_VARINT)
                        res->restored_pid = (pid_t)(int32_t)g.varint;
        return r;
}

static int decode_notify(const struct pb_field *f, char **script, pid_t *pid)
{
        struct pb_in in = { f->bytes, f->bytes + f->len };
        struct pb_field g;
        int r;

        while ((r = pb_next(&in, &g)) > 0) {
                if (g.number == NOTIFY_SCRIPT && g.wire == PB_LEN) {
                        free(*script);
                        *script = pb_field_string(&g);
                } else if (g.number == NOTIFY_PID && g.wire == PB_VARINT) {
                        *pid = (pid_t)(int32_t)g.varint;
                }
        }
        return r;
}

static int decode_version(const struct pb_field *f, struct criu_result *res)
{
        struct pb_in in = { f->bytes, f->bytes + f->len };
        struct pb_field g;
        int r;

        while ((r = pb_next(&in, &g)) > 0) {
                if (g.wire != PB_VARINT)
                        continue;
                if (g.number == VERSION_MAJOR)
                        res->version_major = (int)(int32_t)g.varint;
                else if (g.number == VERSION_MINOR)
                        res->version_minor = (int)(int32_t)g.varint;
                else if (g.number == VERSION_SUBLEVEL)
                        res->version_sublevel = (int)(int32_t)g.varint;
        }
        return r;
}

static int decode_field(const struct pb_field *f, int *type, char **script, pid_t *pid,
                        struct criu_result *res)
{
        bool len = f->wire == PB_LEN, num = f->wire == PB_VARINT;

        switch (f->number) {
        case RESP_TYPE: if (num) *type = (int)f->varint; return 0;
        case RESP_SUCCESS: if (num) res->success = f->varint != 0; return 0;
        case RESP_CR_ERRNO: if (num) res->cr_errno = (int)(int32_t)f->varint; return 0;
        case RESP_RESTORE: return len ? decode_restore(f, res) : 0;
        case RESP_NOTIFY: return len ? decode_notify(f, script, pid) : 0;
        case RESP_VERSION: return len ? decode_version(f, res) : 0;
        case RESP_CR_ERRMSG:
                if (len) {
                        free(res->cr_errmsg);
                        res->cr_errmsg = pb_field_string(f);
                }
                return 0;
        }
        return 0;
}

int criu_decode_response(const uint8_t *buf, size_t len, int *type, char **script,
                         pid_t *notify_pid, struct criu_result *res)
{
        struct pb_in in = { buf, buf + len };
        struct pb_field f;
        int r;

        *type = -1;
        while ((r = pb_next(&in, &f)) > 0)
                if (decode_field(&f, type, script, notify_pid, res) < 0)
                        return -1;
        return r < 0 || *type < 0 ? -1 : 0;
}
