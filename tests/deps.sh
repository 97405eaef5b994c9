#!/bin/bash
# make deps: install the Debian packages in tests/deps.list (apt-get update
# once, only when something is missing) and fetch the test VM's kernel into
# the cache. Idempotent and near-instant when everything is present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t pkgs < <(grep -v -E '^\s*(#|$)' "$here/deps.list")
missing=()
for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "deps: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
"$here/vm/artefacts.sh" >/dev/null
echo "deps: all present"
