#!/bin/bash
# Builds (or finds in the cache) what the test VM boots: Debian's 6.1 kernel
# as an uncompressed vmlinux (PVH boot), its modules with a modules.dep, and an
# initramfs holding busybox, the modules needed to mount the host root, and
# tests/vm/init. Everything lives in $KAGO_CACHE/testvm, keyed by the kernel
# package version and a hash of the initramfs inputs; prints "VMLINUX INITRD
# MODDIR" on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KAGO_CACHE:-/var/cache/kago}/testvm
mkdir -p "$cache"

# Modules the init loads from RAM: those that reach the host root, and KVM
# (loading it from the 9p root costs seconds under emulation).
BOOT_MODULES="virtio_pci 9pnet_virtio 9p overlay kvm_amd"

kernel_package() {
        apt-cache depends linux-image-amd64 2>/dev/null |
                awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Unpack the kernel .deb and decompress the bzImage payload into vmlinux.
fetch_kernel() {
        local pkg=$1 dir=$2 tmp
        tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
        (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
                { echo "tests/vm: cannot download $pkg (run make deps)" >&2; rm -rf "$tmp"; return 1; }
        dpkg-deb -x "$tmp"/*.deb "$tmp/root"
        local bz ver off
        bz=$(ls "$tmp"/root/boot/vmlinuz-*)
        ver=${bz##*/vmlinuz-}
        for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | cut -d: -f1); do
                tail -c +$((off + 1)) "$bz" | xz -dc 2>/dev/null >"$tmp/vmlinux" || true
                [ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] && break
        done
        [ -s "$tmp/vmlinux" ] || { echo "tests/vm: no XZ payload in $bz" >&2; return 1; }
        depmod -b "$tmp/root" "$ver"
        echo "$ver" >"$tmp/version"
        rm -f "$tmp"/*.deb
        rm -rf "$dir" && mv "$tmp" "$dir"
}

# Print the .ko paths for $1 and its dependencies, dependencies first.
module_closure() {
        local moddir=$1 name=$2
        awk -v want="$name" -F: '
                function base(p) { sub(/.*\//, "", p); sub(/\.ko$/, "", p); gsub("-", "_", p); return p }
                { deps[base($1)] = $2; path[base($1)] = $1 }
                function visit(m,   n, i, d) {
                        if (seen[m]++) return
                        n = split(deps[m], d, " ")
                        for (i = 1; i <= n; i++) visit(base(d[i]))
                        print path[m]
                }
                END { visit(want) }' "$moddir/modules.dep"
}

build_initramfs() {
        local kdir=$1 out=$2 ver moddir tmp m
        ver=$(cat "$kdir/version")
        moddir="$kdir/root/lib/modules/$ver"
        tmp=$(mktemp -d "$cache/.initrd.XXXXXX")
        mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev"
        cp /bin/busybox "$tmp/bin/busybox"
        cp "$here/init" "$tmp/init"
        for m in $BOOT_MODULES; do module_closure "$moddir" "$m"; done | awk '!seen[$0]++' >"$tmp/modules/order"
        while read -r m; do
                objcopy --strip-debug "$moddir/$m" "$tmp/modules/${m##*/}"
        done <"$tmp/modules/order"
        sed -i 's|.*/||' "$tmp/modules/order"
        (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
        mv "$out.tmp" "$out"
        rm -rf "$tmp"
}

pkg=$(kernel_package)
[ -n "$pkg" ] || { echo "tests/vm: apt-cache knows no linux-image-amd64 (run make deps)" >&2; exit 1; }
kdir="$cache/$pkg"
[ -s "$kdir/vmlinux" ] || fetch_kernel "$pkg" "$kdir"

key=$( (echo "$pkg"; cat "$here/init" /bin/busybox; echo "$BOOT_MODULES"; cat "$0") | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$key.cpio.gz"
if [ ! -s "$initrd" ]; then
        rm -f "$cache"/initramfs-*.cpio.gz
        build_initramfs "$kdir" "$initrd"
fi
echo "$kdir/vmlinux $initrd $kdir/root/lib/modules"
