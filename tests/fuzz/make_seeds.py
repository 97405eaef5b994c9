#!/usr/bin/env python3
# Writes the seed inputs of the state, ninep, fuse, guest, netlink, snap and fstable fuzz targets
# (tests/fuzz/seeds/TARGET/): short request sessions that reach every
# operation, so the fuzzer starts from well-formed traffic. Rerun after a
# protocol change: tests/fuzz/make_seeds.py
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def save(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- 9P2000.L ------------------------------------------------------------
def s9(x):
    b = x.encode()
    return struct.pack("<H", len(b)) + b


def m9(typ, body, tag=1):
    return struct.pack("<IBH", 7 + len(body), typ, tag) + body


def I(*v):
    return b"".join(struct.pack("<I", x) for x in v)


def Q(*v):
    return b"".join(struct.pack("<Q", x) for x in v)


def walk(fid, newfid, *names):
    return m9(110, I(fid, newfid) + struct.pack("<H", len(names)) + b"".join(s9(n) for n in names))


HELLO = m9(100, I(8192) + s9("9P2000.L")) + m9(104, I(0, 0xFFFFFFFF) + s9("root") + s9("") + I(0))
save("ninep", "read-file", HELLO + walk(0, 1, "f") + m9(12, I(1, 0)) + m9(116, I(1) + Q(0) + I(100))
     + m9(24, I(1) + Q(0x3FFF)) + m9(120, I(1)))
save("ninep", "readdir", HELLO + walk(0, 1, "d") + m9(12, I(1, 0o200000)) + m9(40, I(1) + Q(0) + I(4096))
     + m9(40, I(1) + Q(2) + I(64)))
save("ninep", "create-write", HELLO + walk(0, 1) + m9(14, I(1) + s9("new") + I(0o102, 0o644, 0))
     + m9(118, I(1) + Q(0) + I(5) + b"hello") + m9(50, I(1, 0)) + m9(120, I(1)))
save("ninep", "mkdir-symlink-mknod", HELLO + m9(72, I(0) + s9("nd") + I(0o755, 0))
     + m9(16, I(0) + s9("ln") + s9("../outside") + I(0))
     + m9(18, I(0) + s9("fifo") + I(0o10644, 0, 0, 0)) + walk(0, 2, "ln") + m9(22, I(2)))
save("ninep", "escape-walks", HELLO + walk(0, 1, "..", "..", "outside") + walk(0, 2, "up")
     + m9(12, I(2, 2)) + walk(0, 3, "abs", "etc") + walk(0, 4, "dot", "dd", "g") + m9(12, I(4, 1))
     + m9(118, I(4) + Q(0) + I(3) + b"xyz"))
save("ninep", "rename-link-unlink", HELLO + walk(0, 1, "d") + m9(74, I(0) + s9("f") + I(1) + s9("f2"))
     + walk(0, 2, "d", "f2") + m9(70, I(0, 2) + s9("hard")) + m9(20, I(2, 0) + s9("f3"))
     + m9(76, I(0) + s9("hard") + I(0)) + m9(76, I(0) + s9("d") + I(0x200)) + m9(122, I(2)))
save("ninep", "setattr-statfs", HELLO + walk(0, 1, "f")
     + m9(26, I(1, 0x7F, 0o600, 0, 0) + Q(3, 1, 2, 3, 4)) + m9(8, I(1))
     + m9(30, I(1, 5, 0)) + m9(52, I(1) + bytes(30)) + m9(54, I(1) + bytes(26)) + m9(108, struct.pack("<H", 1)))

# ---- FUSE ----------------------------------------------------------------
U = 0


def mf(op, node, body=b""):
    global U
    U += 1
    return struct.pack("<IIQQIIII", 40 + len(body), op, U, node, 0, 0, 1, 0) + body


def z(name):
    return name.encode() + b"\0"


def read_in(fh, off, size):
    return Q(fh, off) + I(size, 0) + Q(0) + I(0, 0)


INIT = mf(26, 0, I(7, 31, 65536, 0xFFFFFFFF) + bytes(48))
save("fuse", "lookup-read", INIT + mf(1, 1, z("f")) + mf(3, 2, bytes(16)) + mf(14, 2, I(0, 0))
     + mf(15, 2, read_in(0, 0, 4096)) + mf(18, 2, Q(0) + I(0, 0) + Q(0)) + mf(2, 2, Q(1)))
save("fuse", "readdir", INIT + mf(1, 1, z("d")) + mf(27, 2, I(0o200000, 0)) + mf(28, 2, read_in(0, 0, 4096))
     + mf(44, 2, read_in(0, 0, 4096)) + mf(44, 2, read_in(0, 3, 100)) + mf(29, 2, Q(0) + I(0, 0) + Q(0)))
save("fuse", "create-write", INIT + mf(35, 1, I(0o102, 0o100644, 0o22, 0) + z("new"))
     + mf(16, 2, Q(0, 0) + I(5, 0) + Q(0) + I(0, 0) + b"hello") + mf(20, 2, Q(0) + I(0, 0))
     + mf(25, 2, Q(0) + I(0, 0) + Q(0)) + mf(4, 2, I(1 << 3, 0) + Q(0, 2) + bytes(64)))
save("fuse", "mkdir-symlink-mknod", INIT + mf(9, 1, I(0o755, 0o22) + z("nd"))
     + mf(6, 1, z("ln") + z("../outside")) + mf(8, 1, I(0o10644, 0, 0o22, 0) + z("fifo"))
     + mf(5, 4) + mf(1, 1, z("fifo")) + mf(14, 5, I(0, 0)))
save("fuse", "escape", INIT + mf(1, 1, z("up")) + mf(14, 2, I(2, 0)) + mf(1, 1, z("abs"))
     + mf(1, 3, z("etc")) + mf(1, 1, z("..")) + mf(1, 1, z("dot")) + mf(1, 4, z("d")))
save("fuse", "rename-link-unlink", INIT + mf(1, 1, z("d")) + mf(12, 1, Q(2) + z("f") + z("f2"))
     + mf(1, 2, z("f2")) + mf(13, 1, Q(3) + z("hard")) + mf(45, 1, Q(2) + I(1, 0) + z("hard") + z("h2"))
     + mf(10, 1, z("h2")) + mf(11, 1, z("d")) + mf(42, 0, I(2, 0) + Q(2, 1, 3, 1)) + mf(17, 1) + mf(34, 1, I(4, 0)))

# ---- state.json ----------------------------------------------------------
save("state", "state.json", b'{"id":"fuzz","pid":1234,"startTime":"98765","bundle":"/b",'
     b'"rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z","owner":0,"vm":false,'
     b'"cgroupPath":"/kago/fuzz","cgroupDriver":"cgroupfs","ownPidNamespace":true}')
save("state", "creating.json", b'{"id":"fuzz","pid":0,"startTime":"0","bundle":"/b","rootfs":null,'
     b'"created":null,"owner":1000,"vm":true,"cgroupPath":null,"cgroupDriver":null}')


# ---- guest /kago.conf and control messages --------------------------------
def rec(tag, data):
    return struct.pack("<BI", tag, len(data)) + data


conf = (rec(1, b"sh") + rec(1, b"-c") + rec(2, b"PATH=/bin") + rec(3, b"/") + rec(4, I(0)) + rec(5, I(0))
        + rec(6, I(10)) + rec(7, I(0o22)) + rec(8, I(7) + Q(1024, 4096)) + rec(9, b"host") + rec(10, b"")
        + rec(11, b"/data\0virtiofs\0tag\0ro") + rec(12, b"") + rec(13, I(131072)) + rec(14, I(1))
        + rec(17, b"\x02\x33\0\0\x01\x02" + struct.pack("<H", 1400) + b"eth0")
        + rec(18, b"\x02\x33\0\0\x01\x02" + bytes([4, 24, 10, 0, 0, 2] + [0] * 12))
        + rec(18, b"\x02\x33\0\0\x01\x02" + bytes([6, 64, 0xfd] + [0] * 14 + [2]))
        + rec(19, b"\x02\x33\0\0\x01\x02" + bytes([4, 0] + [0] * 16 + [10, 0, 0, 1] + [0] * 12)))
save("guest", "conf-and-control", struct.pack("<H", len(conf)) + conf + b"S\x0fW\x18w\x50E\x00S\x09")


# ---- rtnetlink replies ----------------------------------------------------
def nla(typ, payload):
    n = 4 + len(payload)
    return struct.pack("<HH", n, typ) + payload + bytes((4 - n % 4) % 4)


def nlmsg(typ, body, flags=2):
    return struct.pack("<IHHII", 16 + len(body), typ, flags, 1, 0) + body


RTM_NEWLINK, RTM_NEWADDR, NLMSG_DONE = 16, 20, 3
ifinfo = struct.pack("<BBHiII", 0, 0, 1, 12, 0x1003, 0)
bridge = nlmsg(RTM_NEWLINK, ifinfo + nla(3, b"br0\0") + nla(4, I(1500)) + nla(10, I(3))
               + nla(18 | 0x8000, nla(1, b"bridge\0") + nla(2 | 0x8000, nla(7, b"\x01"))))
addr4 = nlmsg(RTM_NEWADDR, struct.pack("<BBBBI", 2, 24, 0, 0, 12) + nla(2, bytes([10, 0, 0, 2]))
              + nla(1, bytes([10, 0, 0, 2])) + nla(3, b"eth0\0"))
addr6 = nlmsg(RTM_NEWADDR, struct.pack("<BBBBI", 10, 64, 0, 0, 12) + nla(1, bytes(15) + b"\x02"))
save("netlink", "link-bridge", bridge + nlmsg(NLMSG_DONE, I(0)))
save("netlink", "addr-dump", addr4 + addr6 + nlmsg(NLMSG_DONE, I(0)))
RTM_NEWROUTE = 24
route4 = nlmsg(RTM_NEWROUTE, struct.pack("<BBBBBBBBI", 2, 0, 0, 0, 254, 4, 0, 1, 0)
               + nla(15, I(254)) + nla(5, bytes([10, 0, 0, 1])) + nla(4, I(12)))
route6 = nlmsg(RTM_NEWROUTE, struct.pack("<BBBBBBBBI", 10, 64, 0, 0, 254, 2, 253, 1, 0)
               + nla(1, bytes([0xfd] + [0] * 15)) + nla(4, I(12)))
save("netlink", "route-dump", route4 + route6 + nlmsg(NLMSG_DONE, I(0)))


# ---- microVM snapshot files (microvm/snap.h) --------------------------------
# The snap fuzz target knows tags 1 to 4; 9 stands for a section of a newer kago.
def snap_header(major=1, minor=0):
    h = b"KAGOSNAP" + struct.pack("<HH", major, minor)
    return h + I(zlib.crc32(h))


def snap_section(tag, payload, version=1, flags=0):
    pad = bytes((8 - len(payload) % 8) % 8)
    return struct.pack("<IHHQII", tag, version, flags, len(payload), zlib.crc32(payload), 0) + payload + pad


vcpu = Q(0x1000, 0xfff0, 0x2) + I(0x80050033, 0)
save("snap", "header-only", snap_header())
save("snap", "sections", snap_header() + snap_section(1, vcpu, flags=1) + snap_section(1, vcpu, flags=1)
     + snap_section(2, b"", version=3) + snap_section(3, b"device state", version=2, flags=1))
save("snap", "unknown-optional", snap_header(minor=4) + snap_section(9, b"from a newer kago")
     + snap_section(4, Q(1 << 30) + I(7)))
save("snap", "unknown-required", snap_header() + snap_section(2, I(5)) + snap_section(9, b"x", flags=1))


# ---- the shared root's server tables in a microVM checkpoint ------------------
# One selector byte (bit 0: 0 FUSE, 1 9P; bit 1: a read-only server), then the
# table as microvm/fuse_snapshot.c and microvm/p9_snapshot.c lay it out. The
# fstable target serves f, d/g, d/e/h, directories d and d/e, a FIFO and a symlink ln.
def fuse_node(nid, parent, name, gen=None, nlookup=1):
    b = name.encode()
    return Q(nid, parent, nid + 10 if gen is None else gen, nlookup) + struct.pack("<H", len(b)) + b


def fuse_fh(fh, node, flags, is_dir=False, pos=0):
    return Q(fh, node) + I(flags) + bytes([1 if is_dir else 0]) + Q(pos)


def fuse_table(nodes, fhs, gen=20):
    return I(1) + Q(gen) + I(len(nodes), len(fhs)) + b"".join(nodes) + b"".join(fhs)


O_RDWR, O_APPEND, O_NONBLOCK, O_DIRECTORY = 0o2, 0o2000, 0o4000, 0o200000
save("fstable", "fuse-root", b"\0" + fuse_table([fuse_node(1, 0, "", gen=1)], []))
save("fstable", "fuse-tree-handles", b"\0" + fuse_table(
    [fuse_node(2, 1, "d"), fuse_node(1, 0, "", gen=1), fuse_node(3, 2, "g"), fuse_node(4, 6, "h"),
     fuse_node(6, 2, "e", nlookup=3), fuse_node(5, 1, "f"), fuse_node(7, 1, "gone"), fuse_node(8, 1, "ln"),
     fuse_node(9, 1, "fifo")],
    [fuse_fh(0, 3, 0), fuse_fh(1, 5, O_RDWR | O_APPEND), fuse_fh(2, 2, 0, True, 0), fuse_fh(7, 4, O_RDWR),
     fuse_fh(3, 1, 0, True, 0)]))
save("fstable", "fuse-readonly", b"\2" + fuse_table(
    [fuse_node(1, 0, "", gen=1), fuse_node(2, 1, "d"), fuse_node(3, 2, "g"), fuse_node(4, 1, "f")],
    [fuse_fh(0, 3, O_NONBLOCK), fuse_fh(1, 2, 0, True), fuse_fh(2, 4, 0)]))


def p9_fid(fid, path, is_open=False, flags=0, uid=0):
    b = path.encode()
    return I(fid, uid, flags) + bytes([1 if is_open else 0]) + struct.pack("<H", len(b)) + b


def p9_table(fids):
    return I(1, len(fids)) + b"".join(fids)


save("fstable", "p9-root", b"\1" + p9_table([p9_fid(0, ".")]))
save("fstable", "p9-tree-fids", b"\1" + p9_table(
    [p9_fid(0, "."), p9_fid(1, "f", True, 0), p9_fid(2, "d", True, O_DIRECTORY), p9_fid(3, "d/e/h", True, O_RDWR),
     p9_fid(9, "gone", uid=1000), p9_fid(5, "d/e"), p9_fid(6, "fifo"), p9_fid(7, "ln")]))
save("fstable", "p9-readonly", b"\3" + p9_table(
    [p9_fid(0, "."), p9_fid(1, "d/g", True, O_NONBLOCK), p9_fid(4, "d", True, O_DIRECTORY | O_APPEND)]))
