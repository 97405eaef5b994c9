#!/bin/bash
# tests/bundle.sh DIR [ARG...]: make an OCI bundle in DIR that runs ARG...
# (default: sh) on a busybox root filesystem.
#
# The rootfs is Debian's busybox-static: /bin/busybox plus a symlink for each
# applet, built once and cached in $KAGO_CACHE (default /var/cache/kago) under
# the binary's hash; each bundle gets a copy. config.json is `kago spec`'s
# default with the terminal off, the given args, and the rootfs writable
# unless KAGO_BUNDLE_READONLY=1.
set -euo pipefail

dir=${1:?usage: tests/bundle.sh DIR [ARG...]}
shift
src=$(cd "$(dirname "$0")/.." && pwd)
kago=${KAGO:-$src/kago}
busybox=/bin/busybox
cache=${KAGO_CACHE:-/var/cache/kago}

[ -x "$busybox" ] || { echo "bundle.sh: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
        { echo "bundle.sh: $busybox is not static: apt-get install busybox-static" >&2; exit 1; }

hash=$(sha256sum "$busybox" | cut -c1-16)
rootfs_cache=$cache/busybox-rootfs-$hash
if [ ! -d "$rootfs_cache" ]; then
        mkdir -p "$cache"
        tmp=$(mktemp -d "$cache/.busybox.XXXXXX")
        chmod 755 "$tmp"
        mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,var}
        chmod 1777 "$tmp/tmp"
        cp "$busybox" "$tmp/bin/busybox"
        for applet in $("$busybox" --list-full); do
                [ -e "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
        done
        echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
        echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$tmp/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
        mv -T "$tmp" "$rootfs_cache" 2>/dev/null || rm -rf "$tmp" # another run won the race
fi

mkdir -p "$dir"
rm -rf "$dir/rootfs"
cp -a "$rootfs_cache" "$dir/rootfs"
chmod 755 "$dir/rootfs"
rm -f "$dir/config.json"
"$kago" spec --bundle "$dir"
[ $# -gt 0 ] || set -- sh
python3 - "$dir/config.json" "${KAGO_BUNDLE_READONLY:-0}" "$@" <<'PY'
import json, sys
path, ro, args = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["root"]["readonly"] = ro
json.dump(c, open(path, "w"), indent=2)
PY
