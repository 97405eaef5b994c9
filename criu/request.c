/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_req on the wire. Field numbers are rpc.proto's (CRIU 3.x). */
#include "criu.h"
#include "pb.h"

enum { /* criu_opts */
        OPT_IMAGES_DIR_FD = 1, OPT_PID = 2, OPT_LEAVE_RUNNING = 3, OPT_EXT_UNIX_SK = 4,
        OPT_TCP_ESTABLISHED = 5, OPT_SHELL_JOB = 7, OPT_FILE_LOCKS = 8, OPT_LOG_LEVEL = 9,
        OPT_LOG_FILE = 10, OPT_PS = 11, OPT_NOTIFY_SCRIPTS = 12, OPT_ROOT = 13,
        OPT_PARENT_IMG = 14, OPT_TRACK_MEM = 15, OPT_AUTO_DEDUP = 16, OPT_WORK_DIR_FD = 17,
        OPT_LINK_REMAP = 18, OPT_EXT_MNT = 23, OPT_MANAGE_CGROUPS = 24, OPT_CG_ROOT = 25,
        OPT_RST_SIBLING = 26, OPT_INHERIT_FD = 27, OPT_MANAGE_CGROUPS_MODE = 34,
        OPT_EXTERNAL = 37, OPT_EMPTY_NS = 38, OPT_FREEZE_CGROUP = 44, OPT_TCP_SKIP_IN_FLIGHT = 46,
        OPT_LAZY_PAGES = 48, OPT_STATUS_FD = 49, OPT_ORPHAN_PTS_MASTER = 50, OPT_CONFIG_FILE = 51,
        OPT_TCP_CLOSE = 52, OPT_LSM_PROFILE = 53, OPT_LSM_MOUNT_CONTEXT = 63,
};
enum { REQ_TYPE = 1, REQ_OPTS = 2, REQ_NOTIFY_SUCCESS = 3 };
enum { PAIR_KEY = 1, PAIR_VAL = 2 };           /* ext_mount_map, cgroup_root (ctrl, path) */
enum { PS_ADDRESS = 1, PS_PORT = 2 };          /* criu_page_server_info */
enum { INHERIT_KEY = 1, INHERIT_FD = 2 };      /* inherit_fd */

#define CRIU_LOG_LEVEL_DEBUG 4 /* what runc asks for: the log is the only diagnosis */

static void put_opt_string(struct pb_out *o, unsigned field, const char *s)
{
        if (s)
                pb_put_string(o, field, s);
}

static void put_opt_bool(struct pb_out *o, unsigned field, bool v)
{
        if (v)
                pb_put_bool(o, field, true);
}

static void put_pairs(struct pb_out *o, unsigned field, const struct criu_pair *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct pb_out m = { 0 };
                if (p[i].key)
                        pb_put_string(&m, PAIR_KEY, p[i].key);
                pb_put_string(&m, PAIR_VAL, p[i].val);
                pb_put_message(o, field, &m);
        }
}

static void put_inherit(struct pb_out *o, const struct criu_opts *c)
{
        for (size_t i = 0; i < c->n_inherit; i++) {
                struct pb_out m = { 0 };
                pb_put_string(&m, INHERIT_KEY, c->inherit[i].key);
                pb_put_int32(&m, INHERIT_FD, c->inherit[i].fd);
                pb_put_message(o, OPT_INHERIT_FD, &m);
        }
}

static void put_page_server(struct pb_out *o, const struct criu_opts *c)
{
        struct pb_out m = { 0 };

        if (!c->ps_address)
                return;
        pb_put_string(&m, PS_ADDRESS, c->ps_address);
        pb_put_int32(&m, PS_PORT, c->ps_port);
        pb_put_message(o, OPT_PS, &m);
}

static void put_flags(struct pb_out *o, const struct criu_opts *c)
{
        static const struct {
                size_t offset;
                unsigned field;
        } flags[] = {
#define FLAG(member, field) { offsetof(struct criu_opts, member), field }
                FLAG(leave_running, OPT_LEAVE_RUNNING),
                FLAG(ext_unix_sk, OPT_EXT_UNIX_SK),
                FLAG(tcp_established, OPT_TCP_ESTABLISHED),
                FLAG(shell_job, OPT_SHELL_JOB),
                FLAG(file_locks, OPT_FILE_LOCKS),
                FLAG(notify_scripts, OPT_NOTIFY_SCRIPTS),
                FLAG(track_mem, OPT_TRACK_MEM),
                FLAG(auto_dedup, OPT_AUTO_DEDUP),
                FLAG(link_remap, OPT_LINK_REMAP),
                FLAG(manage_cgroups, OPT_MANAGE_CGROUPS),
                FLAG(rst_sibling, OPT_RST_SIBLING),
                FLAG(tcp_skip_in_flight, OPT_TCP_SKIP_IN_FLIGHT),
                FLAG(lazy_pages, OPT_LAZY_PAGES),
                FLAG(orphan_pts_master, OPT_ORPHAN_PTS_MASTER),
                FLAG(tcp_close, OPT_TCP_CLOSE),
#undef FLAG
        };
        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                put_opt_bool(o, flags[i].field, *(const bool *)((const char *)c + flags[i].offset));
}

static void put_opts(struct pb_out *o, const struct criu_opts *c)
{
        pb_put_int32(o, OPT_IMAGES_DIR_FD, c->images_dir_fd);
        if (c->pid > 0)
                pb_put_int32(o, OPT_PID, c->pid);
        pb_put_int32(o, OPT_LOG_LEVEL, CRIU_LOG_LEVEL_DEBUG);
        put_opt_string(o, OPT_LOG_FILE, c->log_file);
        put_page_server(o, c);
        put_opt_string(o, OPT_ROOT, c->root);
        put_opt_string(o, OPT_PARENT_IMG, c->parent_img);
        if (c->work_dir_fd >= 0)
                pb_put_int32(o, OPT_WORK_DIR_FD, c->work_dir_fd);
        put_flags(o, c);
        put_pairs(o, OPT_EXT_MNT, c->ext_mnt, c->n_ext_mnt);
        put_pairs(o, OPT_CG_ROOT, c->cg_root, c->n_cg_root);
        put_inherit(o, c);
        if (c->cg_mode != CRIU_CG_UNSET)
                pb_put_varint(o, OPT_MANAGE_CGROUPS_MODE, (uint64_t)c->cg_mode);
        for (size_t i = 0; c->external && c->external[i]; i++)
                pb_put_string(o, OPT_EXTERNAL, c->external[i]);
        if (c->empty_ns)
                pb_put_varint(o, OPT_EMPTY_NS, c->empty_ns);
        put_opt_string(o, OPT_FREEZE_CGROUP, c->freeze_cgroup);
        if (c->status_fd >= 0)
                pb_put_int32(o, OPT_STATUS_FD, c->status_fd);
        put_opt_string(o, OPT_CONFIG_FILE, c->config_file);
        put_opt_string(o, OPT_LSM_PROFILE, c->lsm_profile);
        put_opt_string(o, OPT_LSM_MOUNT_CONTEXT, c->lsm_mount_context);
}

int criu_encode_request(const struct criu_call *call, uint8_t **buf, size_t *len)
{
        struct pb_out o = { 0 };

        pb_put_varint(&o, REQ_TYPE, call->type);
        if (call->opts) {
                struct pb_out m = { 0 };
                put_opts(&m, call->opts);
                pb_put_message(&o, REQ_OPTS, &m);
        }
        *buf = o.buf;
        *len = o.len;
        return 0;
}

/* The answer to a notification: notify_success tells CRIU to go on. */
int criu_encode_notify_ack(bool ok, uint8_t **buf, size_t *len)
{
        struct pb_out o = { 0 };

        pb_put_varint(&o, REQ_TYPE, CRIU_REQ_NOTIFY);
        pb_put_bool(&o, REQ_NOTIFY_SUCCESS, ok);
        *buf = o.buf;
        *len = o.len;
        return 0;
}
