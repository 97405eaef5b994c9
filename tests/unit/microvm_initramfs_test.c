/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the in-memory initramfs (newc cpio with /init, /kago.conf,
 * /dev/console) and a user's initrd ahead of it, the guest config records
 * and their decoder (the VM's settings: microvm_settings_test.c). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../../microvm/guest_proto.h"
#include "../../microvm/vm.h"
#include "unit.h"

struct entry {
        char name[64];
        unsigned mode, size, rmaj, rmin;
        const uint8_t *data;
};

static unsigned hex8(const uint8_t *p)
{
        char b[9];
        memcpy(b, p, 8);
        b[8] = 0;
        return (unsigned)strtoul(b, NULL, 16);
}

/* Parse a newc archive; returns the number of entries (trailer excluded), -1 if malformed. */
static int cpio_parse(const uint8_t *p, size_t len, struct entry *e, int max)
{
        size_t off = 0;
        for (int n = 0; n < max; n++) {
                if (off + 110 > len || memcmp(p + off, "070701", 6) != 0)
                        return -1;
                unsigned namesize = hex8(p + off + 94), size = hex8(p + off + 54);
                e[n].mode = hex8(p + off + 14);
                e[n].size = size;
                e[n].rmaj = hex8(p + off + 78);
                e[n].rmin = hex8(p + off + 86);
                snprintf(e[n].name, sizeof e[n].name, "%s", (const char *)p + off + 110);
                off = (off + 110 + namesize + 3) & ~3ul;
                e[n].data = p + off;
                off = (off + size + 3) & ~3ul;
                if (strcmp(e[n].name, "TRAILER!!!") == 0)
                        return off <= len ? n : -1;
        }
        return -1;
}

static char *args[] = { "/bin/sh", "-c", "echo hi", NULL };
static char *env[] = { "PATH=/bin", "A=b", NULL };
static const uint32_t gids[] = { 10, 20 };
static const struct microvm_rlimit rl[] = { { RLIMIT_NOFILE, 1024, 4096 } };
static const struct microvm_mount mounts[] = { { "/run", "tmpfs", "tmpfs", "size=1m" } };

static struct microvm_config config(void)
{
        struct microvm_config c;
        microvm_config_init(&c);
        c.process.args = args;
        c.process.env = env;
        c.process.cwd = "/tmp";
        c.process.uid = 1000;
        c.process.gid = 100;
        c.process.additional_gids = gids;
        c.process.n_additional_gids = 2;
        c.process.umask = 022;
        c.process.rlimits = rl;
        c.process.n_rlimits = 1;
        c.process.hostname = "vm1";
        c.mounts = mounts;
        c.n_mounts = 1;
        return c;
}

UNIT_TEST(initramfs_holds_init_conf_and_console)
{
        struct microvm_config c = config();
        struct bytes b = { 0 };
        struct kago_err err = { 0 };
        CHECK(initramfs_build(&c, 65536, &b, &err) == 0);
        struct entry e[16];
        int n = cpio_parse(b.data, b.len, e, 16);
        CHECK(n == 5);
        bool init = false, conf = false, console = false;
        for (int i = 0; i < n; i++) {
                if (!strcmp(e[i].name, "init"))
                        init = e[i].mode == (S_IFREG | 0755) &&
                               e[i].size == (unsigned)(microvm_guest_init_end - microvm_guest_init) &&
                               memcmp(e[i].data, "\177ELF", 4) == 0;
                if (!strcmp(e[i].name, "kago.conf"))
                        conf = e[i].size > 0;
                if (!strcmp(e[i].name, "dev/console"))
                        console = S_ISCHR(e[i].mode) && e[i].rmaj == 5 && e[i].rmin == 1;
        }
        CHECK(init && conf && console);
        bytes_free(&b);
}

/* A user's initrd of any length (a compressed one ends anywhere) comes
 * first; kago's archive follows at the next 4-byte boundary, where the
 * kernel looks for it, and its /init is the later one, which wins. */
UNIT_TEST(user_initrd_goes_first)
{
        struct microvm_config c = config();
        struct bytes user = { 0 }, b = { 0 };
        struct kago_err err = { 0 };
        cpio_add(&user, "init", S_IFREG | 0755, 0, 0, "#!/bin/sh\n", 10);
        cpio_add(&user, "etc/from-user", S_IFREG | 0644, 0, 0, "u", 1);
        cpio_finish(&user);
        uint8_t extra[3] = { 0 }; /* trailing bytes that end unaligned */
        bytes_put(&user, extra, sizeof extra);
        initramfs_put_user(&b, user.data, user.len);
        size_t kago_off = b.len;
        CHECK(kago_off % 4 == 0 && kago_off >= user.len && kago_off - user.len < 4);
        CHECK(memcmp(b.data, user.data, user.len) == 0);
        CHECK(initramfs_build(&c, 65536, &b, &err) == 0);
        struct entry u[4], k[16];
        CHECK(cpio_parse(b.data, user.len, u, 4) == 2);
        CHECK(!strcmp(u[1].name, "etc/from-user") && u[1].data[0] == 'u');
        int n = cpio_parse(b.data + kago_off, b.len - kago_off, k, 16);
        CHECK(n == 5);
        bool kago_init = false;
        for (int i = 0; i < n; i++)
                if (!strcmp(k[i].name, "init"))
                        kago_init = memcmp(k[i].data, "\177ELF", 4) == 0;
        CHECK(kago_init);
        bytes_free(&user);
        bytes_free(&b);
}

UNIT_TEST(conf_records_round_trip)
{
        struct microvm_config c = config();
        struct bytes b = { 0 };
        struct kago_err err = { 0 };
        const uint64_t caps[MICROVM_CAP_SETS] = { 0x20000420, 0x420, 0x20000420, 0, 1ull << 40 };
        c.process.caps = caps;
        c.process.no_new_privs = true;
        CHECK(guest_conf_encode(&c, 65536, &b, &err) == 0);
        struct kago_conf_rec r;
        size_t off = 0;
        int nargs = 0, nenv = 0, ngroups = 0, rc;
        bool cwd = false, uid = false, rlim = false, mount = false, host = false, umask = false;
        bool capsets = false, nnp = false;
        while ((rc = kago_conf_next(b.data, b.len, &off, &r)) > 0) {
                switch (r.tag) {
                case KAGO_CONF_ARG: nargs++; break;
                case KAGO_CONF_ENV: nenv++; break;
                case KAGO_CONF_GROUP: ngroups++; break;
                case KAGO_CONF_CWD: cwd = r.len == 4 && !memcmp(r.data, "/tmp", 4); break;
                case KAGO_CONF_UID: uid = kago_le32(r.data) == 1000; break;
                case KAGO_CONF_UMASK: umask = kago_le32(r.data) == 022; break;
                case KAGO_CONF_HOSTNAME: host = r.len == 3; break;
                case KAGO_CONF_RLIMIT:
                        rlim = kago_le32(r.data) == RLIMIT_NOFILE && kago_le64(r.data + 4) == 1024 &&
                               kago_le64(r.data + 12) == 4096;
                        break;
                case KAGO_CONF_CAPS: /* bounding, effective, permitted, inheritable, ambient */
                        capsets = r.len == 40 && kago_le64(r.data) == 0x20000420 &&
                                  kago_le64(r.data + 8) == 0x420 &&
                                  kago_le64(r.data + 16) == 0x20000420 && kago_le64(r.data + 24) == 0 &&
                                  kago_le64(r.data + 32) == 1ull << 40;
                        break;
                case KAGO_CONF_NO_NEW_PRIVS: nnp = r.len == 0; break;
                case KAGO_CONF_MOUNT:
                        mount = r.len == strlen("/run") + 1 + 6 + 6 + 7 &&
                                !memcmp(r.data, "/run\0tmpfs\0tmpfs\0size=1m", r.len);
                        break;
                }
        }
        CHECK(rc == 0 && nargs == 3 && nenv == 2 && ngroups == 2);
        CHECK(cwd && uid && rlim && mount && host && umask && capsets && nnp);
        /* a truncated record and an unknown tag are errors */
        off = 0;
        CHECK(kago_conf_next(b.data, 3, &off, &r) < 0);
        uint8_t bad[5] = { 0x7f, 0, 0, 0, 0 };
        off = 0;
        CHECK(kago_conf_next(bad, 5, &off, &r) < 0);
        bytes_free(&b);
}

/* A NIC: its name, MAC and MTU, then its addresses and routes keyed by the MAC. */
UNIT_TEST(nic_records_carry_name_mac_addresses_and_routes)
{
        struct microvm_config c = config();
        struct microvm_nic nic = { .tap_fd = -1, .name = "eth1", .mac = { 2, 0x33, 0, 0, 1, 2 },
                                   .mtu = 1400, .n_addrs = 2, .n_routes = 1 };
        nic.addrs[0] = (struct microvm_nic_addr){ AF_INET, { 10, 0, 0, 2 }, 24 };
        nic.addrs[1] = (struct microvm_nic_addr){ AF_INET6, { 0xfd, [15] = 2 }, 64 };
        nic.routes[0] = (struct microvm_nic_route){ .family = AF_INET, .gw = { 10, 0, 0, 1 } };
        c.nics = &nic;
        c.n_nics = 1;
        struct bytes b = { 0 };
        struct kago_err err = { 0 };
        CHECK(guest_conf_encode(&c, 65536, &b, &err) == 0);
        struct kago_conf_rec r;
        size_t off = 0;
        int nics = 0, v4 = 0, v6 = 0, routes = 0;
        while (kago_conf_next(b.data, b.len, &off, &r) > 0) {
                if (r.tag == KAGO_CONF_NIC)
                        nics += r.len == KAGO_NIC_REC_LEN + 4 && !memcmp(r.data, nic.mac, 6) &&
                                r.data[6] == (1400 & 0xff) && r.data[7] == 1400 >> 8 &&
                                !memcmp(r.data + KAGO_NIC_REC_LEN, "eth1", 4);
                if (r.tag == KAGO_CONF_NIC_ADDR && r.len == KAGO_NIC_ADDR_REC_LEN &&
                    !memcmp(r.data, nic.mac, 6)) {
                        v4 += r.data[6] == 4 && r.data[7] == 24 && r.data[8] == 10 && r.data[11] == 2;
                        v6 += r.data[6] == 6 && r.data[7] == 64 && r.data[8] == 0xfd && r.data[23] == 2;
                }
                if (r.tag == KAGO_CONF_NIC_ROUTE)
                        routes += r.len == KAGO_NIC_ROUTE_REC_LEN && r.data[6] == 4 && r.data[7] == 0 &&
                                  r.data[24] == 10 && r.data[27] == 1;
        }
        CHECK(nics == 1 && v4 == 1 && v6 == 1 && routes == 1);
        bytes_free(&b);
}

UNIT_TEST(conf_needs_args)
{
        struct microvm_config c = config();
        static char *none[] = { NULL };
        c.process.args = none;
        struct bytes b = { 0 };
        struct kago_err err = { 0 };
        CHECK(guest_conf_encode(&c, 65536, &b, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "process.args");
        bytes_free(&b);
}

UNIT_MAIN("microvm_initramfs", UNIT(initramfs_holds_init_conf_and_console),
          UNIT(user_initrd_goes_first), UNIT(conf_records_round_trip),
          UNIT(nic_records_carry_name_mac_addresses_and_routes), UNIT(conf_needs_args))
