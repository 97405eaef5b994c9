/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The workload's description for the guest init (/kago.conf records). */
#include <string.h>
#include <sys/socket.h>

#include "guest_proto.h"
#include "vm.h"

static void rec(struct bytes *b, enum kago_conf_tag tag, const void *data, size_t len)
{
        uint8_t h[5] = { (uint8_t)tag, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                         (uint8_t)(len >> 24) };
        bytes_put(b, h, 5);
        bytes_put(b, data, len);
}

static void rec_str(struct bytes *b, enum kago_conf_tag tag, const char *s)
{
        rec(b, tag, s, strlen(s));
}

static void rec_u32(struct bytes *b, enum kago_conf_tag tag, uint32_t v)
{
        uint8_t d[4];
        kago_put_le(d, v, 4);
        rec(b, tag, d, 4);
}

static void conf_rlimits(const struct microvm_process *p, struct bytes *b)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                uint8_t d[20];
                kago_put_le(d, (uint32_t)p->rlimits[i].resource, 4);
                kago_put_le(d + 4, p->rlimits[i].soft, 8);
                kago_put_le(d + 12, p->rlimits[i].hard, 8);
                rec(b, KAGO_CONF_RLIMIT, d, sizeof d);
        }
}

static void conf_mounts(const struct microvm_config *cfg, struct bytes *b)
{
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                const struct microvm_mount *m = &cfg->mounts[i];
                struct bytes r = { 0 };
                const char *f[4] = { m->destination, m->type ? m->type : "",
                                     m->source ? m->source : "", m->options ? m->options : "" };
                for (int k = 0; k < 4; k++)
                        bytes_put(&r, f[k], strlen(f[k]) + 1);
                rec(b, KAGO_CONF_MOUNT, r.data, r.len - 1);
                bytes_free(&r);
        }
}

/* Each NIC, its addresses and routes, keyed by its MAC. */
void guest_conf_encode_nics(const struct microvm_config *cfg, struct bytes *b)
{
        for (size_t i = 0; i < cfg->n_nics; i++) {
                const struct microvm_nic *n = &cfg->nics[i];
                uint8_t d[KAGO_NIC_REC_LEN + sizeof n->name];
                size_t name_len = strnlen(n->name, sizeof n->name);
                memcpy(d, n->mac, 6);
                kago_put_le(d + 6, n->mtu, 2);
                memcpy(d + KAGO_NIC_REC_LEN, n->name, name_len);
                rec(b, KAGO_CONF_NIC, d, KAGO_NIC_REC_LEN + name_len);
                for (unsigned k = 0; k < n->n_addrs; k++) {
                        const struct microvm_nic_addr *x = &n->addrs[k];
                        uint8_t a[KAGO_NIC_ADDR_REC_LEN];
                        memcpy(a, n->mac, 6);
                        a[6] = x->family == AF_INET6 ? 6 : 4;
                        a[7] = x->prefix;
                        memcpy(a + 8, x->ip, 16);
                        rec(b, KAGO_CONF_NIC_ADDR, a, sizeof a);
                }
                for (unsigned k = 0; k < n->n_routes; k++) {
                        const struct microvm_nic_route *x = &n->routes[k];
                        uint8_t r[KAGO_NIC_ROUTE_REC_LEN];
                        memcpy(r, n->mac, 6);
                        r[6] = x->family == AF_INET6 ? 6 : 4;
                        r[7] = x->dst_len;
                        memcpy(r + 8, x->dst, 16);
                        memcpy(r + 24, x->gw, 16);
                        rec(b, KAGO_CONF_NIC_ROUTE, r, sizeof r);
                }
        }
}

int guest_conf_encode_process(const struct microvm_process *p, struct bytes *b,
                              struct kago_err *err)
{
        if (!p->args || !p->args[0])
                return kago_err_set(err, "process.args: must name a program");
        for (char *const *a = p->args; *a; a++)
                rec_str(b, KAGO_CONF_ARG, *a);
        for (char *const *e = p->env; e && *e; e++)
                rec_str(b, KAGO_CONF_ENV, *e);
        if (p->cwd)
                rec_str(b, KAGO_CONF_CWD, p->cwd);
        if (p->hostname)
                rec_str(b, KAGO_CONF_HOSTNAME, p->hostname);
        rec_u32(b, KAGO_CONF_UID, p->uid);
        rec_u32(b, KAGO_CONF_GID, p->gid);
        for (size_t i = 0; i < p->n_additional_gids; i++)
                rec_u32(b, KAGO_CONF_GROUP, p->additional_gids[i]);
        if (p->umask >= 0)
                rec_u32(b, KAGO_CONF_UMASK, (uint32_t)p->umask);
        conf_rlimits(p, b);
        if (p->terminal)
                rec(b, KAGO_CONF_TERMINAL, NULL, 0);
        if (p->caps) {
                uint8_t d[8 * MICROVM_CAP_SETS];
                for (int i = 0; i < MICROVM_CAP_SETS; i++)
                        kago_put_le(d + 8 * i, p->caps[i], 8);
                rec(b, KAGO_CONF_CAPS, d, sizeof d);
        }
        if (p->no_new_privs)
                rec(b, KAGO_CONF_NO_NEW_PRIVS, NULL, 0);
        return 0;
}

int guest_conf_encode(const struct microvm_config *cfg, uint32_t msize, struct bytes *b,
                      struct kago_err *err)
{
        if (guest_conf_encode_process(&cfg->process, b, err) < 0)
                return -1;
        if (cfg->root_readonly)
                rec(b, KAGO_CONF_ROOT_RO, NULL, 0);
        rec_u32(b, KAGO_CONF_MSIZE, msize);
        rec_u32(b, KAGO_CONF_ROOT_FS, cfg->root_disk ? KAGO_ROOT_DISK : (uint32_t)cfg->rootfs);
        conf_mounts(cfg, b);
        guest_conf_encode_nics(cfg, b);
        if (b->len > KAGO_CONF_MAX_LEN)
                return kago_err_set(err, "process description is %zu bytes, the guest takes at most %u",
                                    b->len, KAGO_CONF_MAX_LEN);
        return 0;
}
