/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk (device 2, VIRTIO 1.x 5.2): a host file or block device as a
 * guest disk, /dev/vdX. One request queue, served on the notifying vCPU:
 * each request is one preadv/pwritev into guest memory, so the guest's
 * write has reached the host file (its page cache) when the request
 * completes, and the I/O is the VMM's own, inside the container's cgroup,
 * where io.max and blkio throttles bound it. Read, write, flush, get-id,
 * discard and write-zeroes; a read-only disk refuses the writing ones.
 *
 * The guest is not trusted: blk_serve checks every request's header, its
 * length (whole sectors) and its range against the disk before any I/O,
 * and a request it cannot make sense of gets an error status, never a host
 * access outside the disk or guest RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "vm.h"

#define VIRTIO_ID_BLOCK 2
#define REQUESTQ 0

#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_BLK_SIZE (1ull << 6)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_F_DISCARD (1ull << 13)
#define BLK_F_WRITE_ZEROES (1ull << 14)

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

#define HEADER_LEN 16  /* type u32, reserved u32, sector u64 */
#define RANGE_LEN 16   /* discard / write-zeroes: sector u64, sectors u32, flags u32 */
#define RANGE_UNMAP 1
/* Sectors one discard or write-zeroes may span: 1 GiB. */
#define RANGE_MAX_SECTORS (1u << 21)

struct blk {
        struct virtio_dev *dev;
        struct blk_disk disk;
};

int blk_disk_init(struct blk_disk *d, int fd, bool readonly, unsigned index, struct kago_err *err)
{
        struct stat st;
        uint64_t bytes;
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "disk %u: fstat", index);
        if (S_ISBLK(st.st_mode)) {
                if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
                        return kago_err_errno(err, errno, "disk %u: BLKGETSIZE64", index);
        } else if (S_ISREG(st.st_mode)) {
                bytes = (uint64_t)st.st_size;
        } else {
                return kago_err_set(err, "disk %u: not a regular file or block device", index);
        }
        if (bytes < BLK_SECTOR)
                return kago_err_set(err, "disk %u: %llu bytes, less than one %u-byte sector", index,
                                    (unsigned long long)bytes, BLK_SECTOR);
        *d = (struct blk_disk){ .fd = fd, .sectors = bytes / BLK_SECTOR, .readonly = readonly };
        snprintf(d->id, sizeof d->id, "kago-disk-%u", index);
        return 0;
}

/* dst = the part [off, off + len) of src's n segments; the count, or -1
 * when src is shorter. */
static int iov_slice(const struct iovec *src, int n, size_t off, size_t len, struct iovec *dst)
{
        int k = 0;
        for (int i = 0; i < n && len; i++) {
                if (off >= src[i].iov_len) {
                        off -= src[i].iov_len;
                        continue;
                }
                size_t take = src[i].iov_len - off;
                if (take > len)
                        take = len;
                dst[k++] = (struct iovec){ (uint8_t *)src[i].iov_base + off, take };
                len -= take;
                off = 0;
        }
        return len ? -1 : k;
}

/* Whether [sector, sector + bytes / BLK_SECTOR) lies in the disk. */
static bool in_disk(const struct blk_disk *d, uint64_t sector, uint64_t bytes)
{
        return bytes % BLK_SECTOR == 0 && sector <= d->sectors &&
               bytes / BLK_SECTOR <= d->sectors - sector;
}

/* preadv/pwritev until all of iov is moved: 0, or -1. */
static int rw_all(int fd, bool write, struct iovec *iov, int n, uint64_t off)
{
        while (n > 0) {
                ssize_t done = write ? pwritev(fd, iov, n, (off_t)off)
                                     : preadv(fd, iov, n, (off_t)off);
                if (done < 0 && errno == EINTR)
                        continue;
                if (done <= 0)
                        return -1; /* an error, or a read past the file's end */
                off += (uint64_t)done;
                while (n > 0 && (size_t)done >= iov->iov_len) {
                        done -= (ssize_t)iov->iov_len;
                        iov++, n--;
                }
                if (n > 0) {
                        iov->iov_base = (uint8_t *)iov->iov_base + done;
                        iov->iov_len -= (size_t)done;
                }
        }
        return 0;
}

/* IN and OUT: data is the chain's out part after the header (OUT) or its
 * in part before the status byte (IN). */
static uint8_t blk_rw(const struct blk_disk *d, const struct vq_chain *c, bool write,
                      uint64_t sector, uint32_t *data_len)
{
        struct iovec iov[VQ_MAX_SEGS];
        size_t len = write ? c->out_len - HEADER_LEN : c->in_len - 1;
        if (write && d->readonly)
                return S_IOERR;
        if (!in_disk(d, sector, len))
                return S_IOERR;
        int n = write ? iov_slice(c->out, c->n_out, HEADER_LEN, len, iov)
                      : iov_slice(c->in, c->n_in, 0, len, iov);
        if (n < 0 || rw_all(d->fd, write, iov, n, sector * BLK_SECTOR) < 0)
                return S_IOERR;
        if (!write)
                *data_len = (uint32_t)len;
        return S_OK;
}

/* One discard or write-zeroes range: a hole reads back as zeroes, so both
 * punch one, unless write-zeroes without UNMAP asks for allocated zeroes. */
static uint8_t blk_zero_range(const struct blk_disk *d, const uint8_t r[RANGE_LEN], bool discard)
{
        uint64_t sector = kago_le64(r);
        uint32_t sectors = kago_le32(r + 8), flags = kago_le32(r + 12);
        if (sectors > RANGE_MAX_SECTORS || !in_disk(d, sector, (uint64_t)sectors * BLK_SECTOR))
                return S_IOERR;
        if (flags & ~(uint32_t)RANGE_UNMAP || (discard && flags))
                return S_UNSUPP;
        off_t off = (off_t)(sector * BLK_SECTOR), len = (off_t)sectors * BLK_SECTOR;
        if (!discard && !(flags & RANGE_UNMAP) &&
            fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len) == 0)
                return S_OK;
        if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0)
                return S_OK;
        return discard ? S_OK : S_IOERR; /* a discard is a hint: a disk may keep the data */
}

static uint8_t blk_ranges(const struct blk_disk *d, const struct vq_chain *c, bool discard)
{
        size_t len = c->out_len - HEADER_LEN;
        if (d->readonly)
                return S_IOERR;
        if (len == 0 || len % RANGE_LEN || len / RANGE_LEN > 1)
                return S_UNSUPP; /* max_discard_seg and max_write_zeroes_seg are 1 */
        uint8_t r[RANGE_LEN];
        iov_copy_from(c->out, c->n_out, HEADER_LEN, r, RANGE_LEN);
        return blk_zero_range(d, r, discard);
}

static uint8_t blk_get_id(const struct blk_disk *d, const struct vq_chain *c, uint32_t *data_len)
{
        size_t len = c->in_len - 1;
        uint8_t id[BLK_ID_LEN] = { 0 };
        memcpy(id, d->id, strnlen(d->id, sizeof id));
        *data_len = (uint32_t)iov_copy_to(c->in, c->n_in, 0, id, len < sizeof id ? len : sizeof id);
        return S_OK;
}

uint32_t blk_serve(const struct blk_disk *d, const struct vq_chain *c)
{
        if (c->in_len == 0)
                return 0; /* no byte for the status: nothing can be answered */
        uint8_t h[HEADER_LEN];
        uint8_t status = S_IOERR;
        uint32_t data_len = 0;
        if (c->out_len >= HEADER_LEN) {
                iov_copy_from(c->out, c->n_out, 0, h, HEADER_LEN);
                uint64_t sector = kago_le64(h + 8);
                switch (kago_le32(h)) {
                case T_IN: status = blk_rw(d, c, false, sector, &data_len); break;
                case T_OUT: status = blk_rw(d, c, true, sector, &data_len); break;
                case T_FLUSH: status = fdatasync(d->fd) == 0 ? S_OK : S_IOERR; break;
                case T_GET_ID: status = blk_get_id(d, c, &data_len); break;
                case T_DISCARD: status = blk_ranges(d, c, true); break;
                case T_WRITE_ZEROES: status = blk_ranges(d, c, false); break;
                default: status = S_UNSUPP;
                }
        }
        iov_copy_to(c->in, c->n_in, c->in_len - 1, &status, 1);
        return data_len + 1;
}

/* Config space (5.2.4): capacity, seg_max, blk_size, then the discard and
 * write-zeroes limits. */
static void blk_config_read(struct virtio_dev *dev, uint64_t off, void *data, unsigned len)
{
        const struct blk_disk *d = &((struct blk *)dev->priv)->disk;
        uint8_t cfg[60] = { 0 };
        kago_put_le(cfg, d->sectors, 8);
        kago_put_le(cfg + 12, VQ_MAX_SEGS - 2, 4); /* seg_max: the header and status take two */
        kago_put_le(cfg + 20, BLK_SECTOR, 4);      /* blk_size */
        kago_put_le(cfg + 36, RANGE_MAX_SECTORS, 4); /* max_discard_sectors */
        kago_put_le(cfg + 40, 1, 4);               /* max_discard_seg */
        kago_put_le(cfg + 44, 1, 4);               /* discard_sector_alignment */
        kago_put_le(cfg + 48, RANGE_MAX_SECTORS, 4); /* max_write_zeroes_sectors */
        kago_put_le(cfg + 52, 1, 4);               /* max_write_zeroes_seg */
        cfg[56] = 1;                          /* write_zeroes_may_unmap */
        memset(data, 0, len);
        if (off < sizeof cfg)
                memcpy(data, cfg + off, len < sizeof cfg - off ? len : sizeof cfg - off);
}

static uint32_t blk_serve_chain(struct virtio_dev *dev, const struct vq_chain *c)
{
        return blk_serve(&((struct blk *)dev->priv)->disk, c);
}

static int blk_notify(struct virtio_dev *dev, unsigned q, struct kago_err *err)
{
        return virtio_queue_serve(dev, q, blk_serve_chain, err);
}

static const struct virtio_ops blk_ops_rw = {
        .device_id = VIRTIO_ID_BLOCK,
        .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | BLK_F_DISCARD |
                    BLK_F_WRITE_ZEROES,
        .n_queues = 1,
        .queue_max = VQ_MAX_SIZE,
        .config_read = blk_config_read,
        .notify = blk_notify,
};

static const struct virtio_ops blk_ops_ro = {
        .device_id = VIRTIO_ID_BLOCK,
        .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | BLK_F_RO,
        .n_queues = 1,
        .queue_max = VQ_MAX_SIZE,
        .config_read = blk_config_read,
        .notify = blk_notify,
};

int virtio_blk_add(struct vm *vm, const struct microvm_disk *disk, unsigned index,
                   struct kago_err *err)
{
        struct blk *b = xcalloc(1, sizeof *b);
        if (blk_disk_init(&b->disk, disk->fd, disk->readonly, index, err) < 0 ||
            virtio_mmio_add(vm, disk->readonly ? &blk_ops_ro : &blk_ops_rw, b, &b->dev, err) < 0) {
                free(b);
                return -1;
        }
        b->dev->priv_free = free;
        return 0;
}
