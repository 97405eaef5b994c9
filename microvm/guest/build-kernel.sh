#!/bin/sh
# Build kago's guest kernel from Debian's linux-source-6.1 with
# microvm/guest/kernel.config on top of tinyconfig, cached in
# $KAGO_CACHE/kernel/<hash of config, this script and the source version>/.
# Prints the cache directory (holding vmlinux, bzImage, config) on stdout.
# $KAGO_CACHE/kernel/vmlinux and bzImage point at the latest build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${KAGO_CACHE:-/var/cache/kago}
src=/usr/src/linux-source-6.1.tar.xz
[ -r "$src" ] || { echo "build-kernel: $src missing (apt-get install linux-source-6.1)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (cat "$here/kernel.config" "$here/build-kernel.sh"; echo "$srcver") | sha256sum | cut -c1-16)
out=$cache/kernel/$key
link_latest() {
        ln -sfn "$key/vmlinux" "$cache/kernel/vmlinux"
        ln -sfn "$key/bzImage" "$cache/kernel/bzImage"
}
if [ -f "$out/vmlinux" ] && [ -f "$out/bzImage" ]; then
        link_latest
        echo "$out"
        exit 0
fi
mkdir -p "$cache/kernel"
work=$(mktemp -d "$cache/kernel/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
tar -xf "$src" -C "$work"
cd "$work/linux-source-6.1"
make -s tinyconfig >&2
scripts/kconfig/merge_config.sh -m .config "$here/kernel.config" >/dev/null
make -s olddefconfig >&2
# Every option asked for must be in the final config exactly as written.
grep -E '^(CONFIG_|# CONFIG_)' "$here/kernel.config" | while IFS= read -r line; do
        grep -qxF "$line" .config || { echo "build-kernel: kernel.config: '$line' did not survive olddefconfig" >&2; exit 1; }
done
make -s -j"$(nproc)" vmlinux bzImage >&2
mkdir -p "$out.tmp"
cp vmlinux "$out.tmp/vmlinux"
cp arch/x86/boot/bzImage "$out.tmp/bzImage"
cp .config "$out.tmp/config"
echo "$srcver" >"$out.tmp/source-version"
rm -rf "$out"
mv "$out.tmp" "$out"
link_latest
echo "build-kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
