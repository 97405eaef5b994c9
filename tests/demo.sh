#!/bin/bash
# make demo: kago's main job on a built-in default. Builds a busybox bundle
# (Debian's busybox-static, cached in $KAGO_CACHE), runs a short session in
# it with `kago run`, and removes the container afterwards.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
kago=${KAGO:-$src/kago}
bundle=${KAGO_CACHE:-/var/cache/kago}/demo-bundle
root=${KAGO_DEMO_ROOT:-/run/kago-demo}

[ "$(id -u)" = 0 ] || { echo "make demo: run as root (containers need namespaces and mounts)" >&2; exit 1; }
[ -x "$kago" ] || { echo "make demo: $kago missing: run make first" >&2; exit 1; }

KAGO="$kago" "$src/tests/bundle.sh" "$bundle" sh /demo-session >/dev/null
# What the container runs: each command echoed as a prompt, then its output.
cat >"$bundle/rootfs/demo-session" <<'SESSION'
for cmd in "hostname" "id" "ps" "grep -E ^NS /proc/self/status" "ls -l /proc/self/ns"; do
        echo "[kago-demo] # $cmd"
        $cmd
done
SESSION
id="demo-$$"
echo "host$ kago run --bundle $bundle $id"
"$kago" --root "$root" run --bundle "$bundle" "$id"
status=$?
echo "host$ kago list   (the container is gone: run deletes it when it exits)"
"$kago" --root "$root" list
exit $status
