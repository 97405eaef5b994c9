/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the virtio-blk request handling (microvm/virtio_blk.c) on a real
 * file: writes and reads land at their sector, flush, get-id, discard and
 * write-zeroes do what they say, and every request a hostile guest can
 * make up (short header, no status byte, ranges past the end or wrapping
 * around, partial sectors, unknown types, writes to a read-only disk) gets
 * an error status and leaves the file untouched.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../microvm/vm.h"
#include "unit.h"

#define DISK_SECTORS 64

static uint8_t status_byte, data[8192], header[16];

/* A disk on a fresh temporary file of DISK_SECTORS sectors filled with 'x'. */
static struct blk_disk disk_new(bool readonly)
{
        char path[] = "/tmp/kago-blk-test.XXXXXX";
        int fd = mkstemp(path);
        unlink(path);
        memset(data, 'x', sizeof data);
        for (int i = 0; i < DISK_SECTORS * 512 / (int)sizeof data; i++)
                CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data);
        struct blk_disk d;
        struct kago_err err = { 0 };
        CHECK(blk_disk_init(&d, fd, readonly, 1, &err) == 0);
        CHECK(d.sectors == DISK_SECTORS);
        return d;
}

static void set_header(uint32_t type, uint64_t sector)
{
        memset(header, 0, sizeof header);
        kago_put_le(header, type, 4);
        kago_put_le(header + 8, sector, 8);
}

/* A request of type on sector: the header, then data readable by the
 * device (out) or writable (in), then the status byte. */
static uint32_t request(const struct blk_disk *d, uint32_t type, uint64_t sector, bool out,
                        size_t len)
{
        struct vq_chain c = { 0 };
        set_header(type, sector);
        c.out[c.n_out++] = (struct iovec){ header, sizeof header };
        c.out_len = sizeof header;
        if (out && len) {
                c.out[c.n_out++] = (struct iovec){ data, len };
                c.out_len += len;
        } else if (len) {
                c.in[c.n_in++] = (struct iovec){ data, len };
                c.in_len += len;
        }
        c.in[c.n_in++] = (struct iovec){ &status_byte, 1 };
        c.in_len += 1;
        status_byte = 0xff;
        return blk_serve(d, &c);
}

static void file_at(const struct blk_disk *d, uint64_t sector, void *buf, size_t len)
{
        CHECK(pread(d->fd, buf, len, (off_t)(sector * 512)) == (ssize_t)len);
}

UNIT_TEST(write_then_read_at_the_sector)
{
        struct blk_disk d = disk_new(false);
        uint8_t buf[1024];
        memset(data, 'A', 1024);
        CHECK(request(&d, 1, 3, true, 1024) == 1 && status_byte == 0);
        file_at(&d, 3, buf, 1024);
        CHECK(memcmp(buf, data, 1024) == 0);
        file_at(&d, 2, buf, 512);
        CHECK(buf[0] == 'x' && buf[511] == 'x'); /* the sector before stays */
        memset(data, 0, sizeof data);
        CHECK(request(&d, 0, 3, false, 1024) == 1025 && status_byte == 0);
        CHECK(data[0] == 'A' && data[1023] == 'A');
        CHECK(request(&d, 0, DISK_SECTORS - 2, false, 1024) == 1025 && status_byte == 0);
        CHECK(request(&d, 4, 0, false, 0) == 1 && status_byte == 0); /* flush */
        close(d.fd);
}

UNIT_TEST(get_id_names_the_disk)
{
        struct blk_disk d = disk_new(false);
        memset(data, 0xee, 32);
        CHECK(request(&d, 8, 0, false, 20) == 21 && status_byte == 0);
        CHECK(memcmp(data, "kago-disk-1", 11) == 0 && data[11] == 0 && data[19] == 0);
        CHECK(request(&d, 8, 0, false, 4) == 5 && memcmp(data, "kago", 4) == 0);
        close(d.fd);
}

UNIT_TEST(discard_and_write_zeroes_read_back_zero)
{
        struct blk_disk d = disk_new(false);
        uint8_t buf[1024], zero[1024] = { 0 };
        memset(data, 0, 16);
        kago_put_le(data, 8, 8);  /* sector */
        kago_put_le(data + 8, 2, 4); /* sectors */
        CHECK(request(&d, 13, 0, true, 16) == 1 && status_byte == 0); /* write zeroes */
        file_at(&d, 8, buf, 1024);
        CHECK(memcmp(buf, zero, 1024) == 0);
        file_at(&d, 10, buf, 1);
        CHECK(buf[0] == 'x');
        kago_put_le(data, 20, 8);
        kago_put_le(data + 12, 1, 4); /* UNMAP: a hole */
        CHECK(request(&d, 13, 0, true, 16) == 1 && status_byte == 0);
        file_at(&d, 20, buf, 1024);
        CHECK(memcmp(buf, zero, 1024) == 0);
        kago_put_le(data + 12, 0, 4);
        kago_put_le(data, 30, 8);
        CHECK(request(&d, 11, 0, true, 16) == 1 && status_byte == 0); /* discard */
        /* a discard with flags, or two ranges where one is allowed */
        kago_put_le(data + 12, 1, 4);
        CHECK(request(&d, 11, 0, true, 16) == 1 && status_byte == 2);
        CHECK(request(&d, 11, 0, true, 32) == 1 && status_byte == 2);
        close(d.fd);
}

UNIT_TEST(hostile_requests_get_an_error_and_touch_nothing)
{
        struct blk_disk d = disk_new(false);
        static const struct {
                uint32_t type;
                uint64_t sector;
                bool out;
                size_t len;
                uint8_t status;
        } bad[] = {
                { 1, DISK_SECTORS, true, 512, 1 },       /* one past the end */
                { 1, DISK_SECTORS - 1, true, 1024, 1 },  /* runs over the end */
                { 0, UINT64_MAX, false, 512, 1 },        /* wraps around */
                { 0, UINT64_MAX / 512 + 1, false, 512, 1 },
                { 1, 0, true, 100, 1 },                   /* part of a sector */
                { 0, 0, false, 513, 1 },
                { 99, 0, false, 512, 2 },                 /* unknown type */
                { 13, 0, true, 8, 2 },                    /* range shorter than one */
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                memset(data, 'B', sizeof data);
                request(&d, bad[i].type, bad[i].sector, bad[i].out, bad[i].len);
                CHECK(status_byte == bad[i].status);
        }
        /* a write-zeroes range past the end, or wider than the limit */
        memset(data, 0, 16);
        kago_put_le(data, DISK_SECTORS - 1, 8);
        kago_put_le(data + 8, 2, 4);
        CHECK(request(&d, 13, 0, true, 16) == 1 && status_byte == 1);
        kago_put_le(data, 0, 8);
        kago_put_le(data + 8, UINT32_MAX, 4);
        CHECK(request(&d, 13, 0, true, 16) == 1 && status_byte == 1);
        /* no status byte: nothing to answer with */
        struct vq_chain c = { 0 };
        set_header(0, 0);
        c.out[c.n_out++] = (struct iovec){ header, sizeof header };
        c.out_len = sizeof header;
        CHECK(blk_serve(&d, &c) == 0);
        /* a header cut short */
        c.out[0].iov_len = c.out_len = 8;
        c.in[c.n_in++] = (struct iovec){ &status_byte, 1 };
        c.in_len = 1;
        CHECK(blk_serve(&d, &c) == 1 && status_byte == 1);
        uint8_t buf[DISK_SECTORS * 512];
        file_at(&d, 0, buf, sizeof buf);
        for (size_t i = 0; i < sizeof buf; i++)
                if (buf[i] != 'x') {
                        CHECK(buf[i] == 'x');
                        break;
                }
        close(d.fd);
}

UNIT_TEST(read_only_disk_refuses_writes)
{
        struct blk_disk d = disk_new(true);
        memset(data, 'C', 512);
        CHECK(request(&d, 1, 0, true, 512) == 1 && status_byte == 1);
        memset(data, 0, 16);
        kago_put_le(data + 8, 1, 4);
        CHECK(request(&d, 13, 0, true, 16) == 1 && status_byte == 1);
        CHECK(request(&d, 11, 0, true, 16) == 1 && status_byte == 1);
        CHECK(request(&d, 0, 0, false, 512) == 513 && status_byte == 0 && data[0] == 'x');
        close(d.fd);
}

UNIT_TEST(disk_size_from_the_file)
{
        struct blk_disk d;
        struct kago_err err = { 0 };
        char path[] = "/tmp/kago-blk-test.XXXXXX";
        int fd = mkstemp(path);
        unlink(path);
        CHECK(blk_disk_init(&d, fd, false, 0, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "disk 0: 0 bytes, less than one 512-byte sector");
        CHECK(ftruncate(fd, 1000) == 0);
        CHECK(blk_disk_init(&d, fd, false, 0, &err) == 0 && d.sectors == 1); /* whole sectors */
        close(fd);
        fd = open("/tmp", O_RDONLY | O_DIRECTORY);
        CHECK(blk_disk_init(&d, fd, false, 2, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "disk 2: not a regular file or block device");
        close(fd);
}

UNIT_MAIN("microvm_blk", UNIT(write_then_read_at_the_sector), UNIT(get_id_names_the_disk),
          UNIT(discard_and_write_zeroes_read_back_zero),
          UNIT(hostile_requests_get_an_error_and_touch_nothing),
          UNIT(read_only_disk_refuses_writes), UNIT(disk_size_from_the_file))
