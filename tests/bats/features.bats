#!/usr/bin/env bats
# Proves `kago features`: a features document valid against the runtime-spec
# v1.3.0 schema, with the ociVersionMin/ociVersionMax CRI-O requires, every
# namespace and hook kind, the mount options kago knows, seccomp, capabilities
# and idmapped mounts, linux.netDevices, cgroup v2 with the systemd driver
# and rdma, cgroup v1 (and hybrid hosts), the LSMs
# this host has, "enabled": false for the parts kago does not implement yet,
# and the config annotations kago acts on (so engines can filter them).
# When a part lands and its switch in specs/features.c `kago_supports` is
# turned on, the "enabled false" test below changes with it.

load helpers

VALIDATE="$KAGO_SRC/tests/fixtures/schema/validate.py"

@test "features: prints a schema-valid document" {
        run "$KAGO" features
        [ "$status" -eq 0 ]
        echo "$output" > "$(scratch)/features.json"
        run "$VALIDATE" features "$(scratch)/features.json"
        echo "$output"
        [ "$status" -eq 0 ]
}

@test "features: versions, hooks, namespaces and mount options" {
        run bash -c '"$0" features | python3 -c "
import json, sys
f = json.load(sys.stdin)
print(f[\"ociVersionMin\"], f[\"ociVersionMax\"])
print(\" \".join(f[\"hooks\"]))
print(\" \".join(f[\"linux\"][\"namespaces\"]))
print(all(o in f[\"mountOptions\"] for o in [\"ro\", \"nosuid\", \"rbind\", \"rprivate\", \"rro\"]), \"mode=755\" in f[\"mountOptions\"])
print(f[\"annotations\"][\"kago.version\"])
"' "$KAGO"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "1.0.0 1.3.0" ]
        [ "${lines[1]}" = "prestart createRuntime createContainer startContainer poststart poststop" ]
        [ "${lines[2]}" = "mount pid network uts ipc user cgroup time" ]
        [ "${lines[3]}" = "True False" ]
        [[ "$("$KAGO" --version)" == "kago version ${lines[4]}"* ]]
}

@test "features: seccomp, capabilities, idmap and netDevices on; LSMs as this host has them; the rest false" {
        run bash -c '"$0" features | python3 -c "
import json, sys
l = json.load(sys.stdin)[\"linux\"]
print(l[\"seccomp\"][\"enabled\"], l[\"apparmor\"][\"enabled\"], l[\"selinux\"][\"enabled\"],
      l[\"intelRdt\"][\"enabled\"], l[\"mountExtensions\"][\"idmap\"][\"enabled\"], l[\"netDevices\"][\"enabled\"])
print(\"actions\" in l[\"seccomp\"], \"capabilities\" in l)
"' "$KAGO"
        [ "$status" -eq 0 ]
        aa=False se=False
        [ -e /sys/kernel/security/apparmor ] && grep -q Y /sys/module/apparmor/parameters/enabled && aa=True
        [ -e /sys/fs/selinux/enforce ] && se=True
        [ "${lines[0]}" = "True $aa $se False True True" ]
        [ "${lines[1]}" = "True True" ]
}

@test "features: cgroup v1, v2, systemd and rdma on; kago's annotations listed as potentially unsafe" {
        run bash -c '"$0" features | python3 -c "
import json, sys
f = json.load(sys.stdin)
c = f[\"linux\"][\"cgroup\"]
print(c[\"v1\"], c[\"v2\"], c[\"systemd\"], c[\"systemdUser\"], c[\"rdma\"])
print(\" \".join(f[\"potentiallyUnsafeConfigAnnotations\"]))
"' "$KAGO"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "True True True False True" ]
        [ "${lines[1]}" = "run.oci.handler kago.vm. kago.net kago.net. kago.machined" ]
}

@test "features: extra arguments are a usage error" {
        run "$KAGO" features now
        [ "$status" -eq 1 ]
        [[ "$output" == *'features: unexpected argument "now"'* ]]
}
