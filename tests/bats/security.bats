#!/usr/bin/env bats
# Proves the isolation of a kago container, attacks included: a denied
# syscall returns the configured errno; SCMP_ACT_NOTIFY hands the listener and
# the process state to an agent that answers; capabilities the config names
# wrongly or the host lacks stop create with a clear error and leave nothing;
# masked and read-only paths hide and protect; a rootfs whose /proc, /dev or
# mount target is a symlink to a host directory does not make kago touch that
# directory; a container process cannot overwrite the kago binary through
# /proc/PID/exe (CVE-2019-5736); user namespaces with several ranges,
# idmapped mounts, time offsets, personality, oomScoreAdj, rlimits and the
# LSM fields behave as configured or fail clearly.

load helpers
load container_helpers

# run the bundle in $BATS_TEST_TMPDIR/b in the foreground as container $1.
run_b() {
        run kg run --bundle "$BATS_TEST_TMPDIR/b" "$1" </dev/null
}

@test "security: a syscall the seccomp profile denies returns the configured errno" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/x; echo rc=$?; touch /tmp/y && echo touched'
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                syscalls: [{names: ["mkdir", "mkdirat", "no_such_syscall"], action: "SCMP_ACT_ERRNO", errnoRet: 122}]}'
        run_b s1
        [ "$status" -eq 0 ]
        [[ "$output" == *"Seccomp:	2"* ]]
        [[ "$output" == *"Disk quota exceeded"* ]] # errno 122 (EDQUOT), unmistakably the configured one
        [[ "$output" == *rc=1* ]]
        [[ "$output" == *touched* ]]
}

@test "security: seccomp defaultErrnoRet, argument comparisons and SCMP_ACT_KILL_PROCESS" {
        requires root
        # personality(0xffffffff) only reads the persona: refused by the argument match.
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'uname -m; echo survived'
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["uname"], action: "SCMP_ACT_KILL_PROCESS"}]}'
        run_b s2
        [ "$status" -eq $((128 + 31)) ] # SIGSYS
        [[ "$output" != *survived* ]]
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 13,
                            args: [{index: 1, value: 10, op: "SCMP_CMP_EQ"}]}]}
                | .process.args = ["sh", "-c", "kill -USR1 $$; echo usr1=$?; kill -0 $$; echo zero=$?"]'
        run_b s3
        [[ "$output" == *"Permission denied"* ]] # errno 13 for SIGUSR1 (10) only
        [[ "$output" == *usr1=1* ]]
        [[ "$output" == *zero=0* ]]
}

@test "security: SCMP_ACT_NOTIFY sends the listener and the state to an agent, which answers" {
        requires root
        sock=$(mktemp -u /tmp/kago-agent.XXXXXX)
        timeout 120 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/security/seccomp-agent.py" "$sock" "$BATS_TEST_TMPDIR/agent" &
        apid=$!
        for i in $(seq 300); do [ -S "$sock" ] && break; sleep 0.1; done
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'mkdir /tmp/faked; echo rc=$?; [ -d /tmp/faked ] || echo not-made'
        config "$BATS_TEST_TMPDIR/b" ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
                listenerPath: \"$sock\", listenerMetadata: \"kago-test-metadata\",
                flags: [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],
                syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
        run_b s4
        wait "$apid" || true
        rm -f "$sock"
        [ "$status" -eq 0 ]
        [[ "$output" == *rc=0* ]]     # the agent said yes...
        [[ "$output" == *not-made* ]] # ...without making it
        jq -e '.ociVersion and .fds == ["seccompFd"] and .metadata == "kago-test-metadata"
               and .state.id == "s4" and (.pid > 0) and .state.pid == .pid' "$BATS_TEST_TMPDIR/agent"
        grep -qE '^(83|258)$' "$BATS_TEST_TMPDIR/agent.calls"
}

@test "security: kago exec hands its own seccomp listener to the agent" {
        requires root
        sock=$(mktemp -u /tmp/kago-agent.XXXXXX)
        timeout 120 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/security/seccomp-agent.py" "$sock" "$BATS_TEST_TMPDIR/agent" 2 &
        apid=$!
        for i in $(seq 300); do [ -S "$sock" ] && break; sleep 0.1; done
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
                listenerPath: \"$sock\", listenerMetadata: \"exec-meta\",
                syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
        kgd run -d --bundle "$BATS_TEST_TMPDIR/b" s6 >/dev/null
        wait_status s6 running
        run kg exec s6 sh -c 'mkdir /tmp/by-exec; echo rc=$?; [ -d /tmp/by-exec ] || echo not-made; echo pid=$$'
        kg delete --force s6
        wait "$apid" || true
        rm -f "$sock"
        [ "$status" -eq 0 ]
        [[ "$output" == *rc=0* ]]
        [[ "$output" == *not-made* ]]
        [ "$(wc -l <"$BATS_TEST_TMPDIR/agent")" -eq 2 ]
        tail -n1 "$BATS_TEST_TMPDIR/agent" | jq -e '.state.id == "s6" and .state.status == "running"
                and .metadata == "exec-meta" and .pid != .state.pid'
}

@test "security: SCMP_ACT_NOTIFY of read reaches the agent; write and sendmsg, which kago needs, are refused" {
        requires root
        sock=$(mktemp -u /tmp/kago-agent.XXXXXX)
        timeout 120 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/security/seccomp-agent.py" "$sock" "$BATS_TEST_TMPDIR/agent" &
        apid=$!
        for i in $(seq 300); do [ -S "$sock" ] && break; sleep 0.1; done
        # The agent answers EXDEV to every call but mkdir: the shell's read fails so.
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'read -r line </etc/passwd; echo "rc=$? [$line]"'
        config "$BATS_TEST_TMPDIR/b" ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
                listenerPath: \"$sock\", syscalls: [{names: [\"read\"], action: \"SCMP_ACT_NOTIFY\"}]}"
        run_b s7
        wait "$apid" || true
        rm -f "$sock"
        echo "$output"
        [[ "$output" == *"rc=1 []"* ]]
        grep -qx 0 "$BATS_TEST_TMPDIR/agent.calls" # x86_64 read
        for name in write sendmsg; do
                config "$BATS_TEST_TMPDIR/b" ".linux.seccomp.syscalls[0].names = [\"$name\"]"
                run_b s8
                [ "$status" -eq 1 ]
                [[ "$output" == *"SCMP_ACT_NOTIFY cannot be used for $name"* ]]
        done
}

@test "security: SCMP_ACT_NOTIFY with no agent listening fails create clearly" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                listenerPath: "/nonexistent/agent.sock",
                syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
        run_b s5
        [ "$status" -eq 1 ]
        [[ "$output" == *"connect to the seccomp agent at /nonexistent/agent.sock"* ]]
        assert_gone s5
}

@test "security: unknown capabilities warn (ociVersion 1.1+) or stop create (1.0.x); host-missing ones stop create and leave nothing" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        config "$BATS_TEST_TMPDIR/b" '.process.capabilities.bounding += ["CAP_TELEPORT"]'
        run_b c0
        [ "$status" -eq 0 ]
        [[ "$output" == *'unknown capability "CAP_TELEPORT": ignored'* ]]
        config "$BATS_TEST_TMPDIR/b" '.ociVersion = "1.0.2"'
        run_b c1
        [ "$status" -eq 1 ]
        [[ "$output" == *CAP_TELEPORT* ]]
        assert_gone c1
        bnd=$(awk '/^CapBnd/{print $2}' /proc/self/status)
        if [ $(( 0x$bnd >> 24 & 1 )) -eq 0 ]; then # this host lacks CAP_SYS_RESOURCE
                bundle "$BATS_TEST_TMPDIR/b" true
                config "$BATS_TEST_TMPDIR/b" '.process.capabilities.permitted += ["CAP_SYS_RESOURCE"] | .process.capabilities.effective += ["CAP_SYS_RESOURCE"]'
                run_b c2
                [ "$status" -eq 1 ]
                [[ "$output" == *"CAP_SYS_RESOURCE is not in this host's capability bounding set"* ]]
                assert_gone c2
        fi
}

@test "security: the five capability sets and no_new_privs reach the workload" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" grep -E '^(Cap|NoNewPrivs)' /proc/self/status
        config "$BATS_TEST_TMPDIR/b" '.process.noNewPrivileges = false | .process.capabilities = {
                bounding: ["CAP_KILL", "CAP_NET_RAW", "CAP_CHOWN"], effective: ["CAP_KILL", "CAP_NET_RAW"],
                permitted: ["CAP_KILL", "CAP_NET_RAW"], inheritable: ["CAP_NET_RAW"], ambient: ["CAP_NET_RAW"]}
                | .process.user = {uid: 1000, gid: 1000}'
        run_b c3
        [ "$status" -eq 0 ]
        [[ "$output" == *"CapInh:	0000000000002000"* ]]
        [[ "$output" == *"CapPrm:	0000000000002000"* ]] # a non-root execve keeps the ambient set
        [[ "$output" == *"CapEff:	0000000000002000"* ]]
        [[ "$output" == *"CapBnd:	0000000000002021"* ]]
        [[ "$output" == *"CapAmb:	0000000000002000"* ]]
        [[ "$output" == *"NoNewPrivs:	0"* ]]
}

@test "security: masked paths read empty, read-only paths refuse writes" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'wc -c </proc/keys; ls -A /proc/acpi | wc -l; touch /proc/acpi/x 2>&1;
                echo 1 >/proc/sys/kernel/printk_ratelimit 2>&1; grep -E " /proc/(keys|acpi|sys) " /proc/self/mountinfo'
        run_b m1
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        [[ "$output" == *"/proc/keys rw,nosuid"* ]]
        [[ "$output" == *"/proc/acpi ro,"*"tmpfs tmpfs ro"* ]]
        [[ "$output" == *"/proc/sys ro,"* ]]
}

# A copy of the busybox rootfs the test may damage.
hostile_rootfs() {
        cp -a "$BUSYBOX_ROOTFS" "$BATS_TEST_TMPDIR/rootfs"
        config "$BATS_TEST_TMPDIR/b" ".root.path = \"$BATS_TEST_TMPDIR/rootfs\""
}

@test "attack: a rootfs whose /dev is a symlink to a host directory gets no device nodes there" {
        requires root
        host="$BATS_TEST_TMPDIR/host-dev"
        mkdir "$host"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'ls /dev/null >/dev/null && echo has-null'
        hostile_rootfs
        rm -rf "$BATS_TEST_TMPDIR/rootfs/dev"
        ln -s "$host" "$BATS_TEST_TMPDIR/rootfs/dev"
        run_b a1
        [ -z "$(ls -A "$host")" ] # nothing made on the host
}

@test "attack: a rootfs whose /proc is a symlink to a host directory does not mount over it" {
        requires root
        host="$BATS_TEST_TMPDIR/host-proc"
        mkdir "$host"
        echo keep >"$host/file"
        bundle "$BATS_TEST_TMPDIR/b" true
        hostile_rootfs
        rm -rf "$BATS_TEST_TMPDIR/rootfs/proc"
        ln -s "$host" "$BATS_TEST_TMPDIR/rootfs/proc"
        run_b a2
        [ "$(ls -A "$host")" = file ]
        [ "$(cat "$host/file")" = keep ]
        ! grep -q " $host " /proc/self/mountinfo
}

@test "attack: a mount target that is a symlink to a host directory stays inside the rootfs" {
        requires root
        host="$BATS_TEST_TMPDIR/host-target"
        mkdir "$host" "$BATS_TEST_TMPDIR/src"
        echo from-src >"$BATS_TEST_TMPDIR/src/f"
        bundle "$BATS_TEST_TMPDIR/b" cat /data/sub/f
        hostile_rootfs
        ln -s "$host" "$BATS_TEST_TMPDIR/rootfs/data"
        config "$BATS_TEST_TMPDIR/b" ".mounts += [{destination: \"/data/sub\", type: \"bind\",
                source: \"$BATS_TEST_TMPDIR/src\", options: [\"rbind\"]}]"
        run_b a3
        # The symlink resolves inside the rootfs, where its target is missing: an error.
        [ "$status" -eq 1 ]
        [[ "$output" == *"open /data in the container (a symlink to a path the rootfs does not have)"* ]]
        [ -z "$(ls -A "$host")" ] # no "sub" made on the host
        assert_gone a3
        # With the target present inside the rootfs, the mount lands there.
        mkdir -p "$BATS_TEST_TMPDIR/rootfs/$host"
        run_b a3b
        [ "$status" -eq 0 ]
        [ "$output" = from-src ]
        [ -z "$(ls -A "$host")" ]
        [ -d "$BATS_TEST_TMPDIR/rootfs/$host/sub" ]
}

@test "attack: masking with a /dev/null that is not the null device is refused" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        hostile_rootfs
        # No /dev mount: the rootfs's own /dev, whose null is a symlink to a host file.
        config "$BATS_TEST_TMPDIR/b" '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
        mkdir -p "$BATS_TEST_TMPDIR/rootfs/dev"
        echo secret >"$BATS_TEST_TMPDIR/hostfile"
        ln -sf "$BATS_TEST_TMPDIR/hostfile" "$BATS_TEST_TMPDIR/rootfs/dev/null"
        run_b a4
        [ "$status" -eq 1 ]
        [[ "$output" == *"not the null device"* || "$output" == *"/dev/null"* ]]
        [ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = secret ]
        assert_gone a4
}

@test "attack: a container process cannot overwrite kago through /proc/PID/exe (CVE-2019-5736)" {
        requires root
        # A copy of kago: if the defence failed, the copy is what breaks.
        cp "$KAGO" "$BATS_TEST_TMPDIR/kago"
        sum=$(sha256sum <"$BATS_TEST_TMPDIR/kago")
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        # The host's pid namespace and every capability: the container sees
        # (and may ptrace-read) the kago process that execs into it.
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces |= map(select(.type != "pid"))
                | .process.capabilities = {bounding: ["CAP_SYS_PTRACE", "CAP_KILL", "CAP_DAC_OVERRIDE"],
                    effective: ["CAP_SYS_PTRACE", "CAP_KILL", "CAP_DAC_OVERRIDE"],
                    permitted: ["CAP_SYS_PTRACE", "CAP_KILL", "CAP_DAC_OVERRIDE"]}'
        "$BATS_TEST_TMPDIR/kago" --root "$ROOT" run -d --bundle "$BATS_TEST_TMPDIR/b" x1 </dev/null >/dev/null 2>&1
        wait_status x1 running
        # The exec'd shell keeps an fd on its parent's (kago exec's) binary,
        # waits for that kago to exit, then reopens the fd for writing.
        "$BATS_TEST_TMPDIR/kago" --root "$ROOT" exec x1 sh -c '
                exec 3</proc/$PPID/exe || { echo no-fd >/tmp/result; exit 0; }
                readlink /proc/self/fd/3 >/tmp/seen
                ( exec </dev/null >/dev/null 2>&1
                  while kill -0 $PPID 2>/dev/null; do sleep 0.05; done
                  if printf "#!/bin/sh\necho pwned\n" >/proc/self/fd/3; then echo written; else echo refused; fi >/tmp/result ) &'
        for i in $(seq 100); do
                r=$(kg exec x1 cat /tmp/result 2>/dev/null || true)
                [ -n "$r" ] && break
                sleep 0.1
        done
        echo "result: $r, seen: $(kg exec x1 cat /tmp/seen)"
        [ "$r" = refused ]
        [[ "$(kg exec x1 cat /tmp/seen)" == *memfd:kago* ]]
        [ "$(sha256sum <"$BATS_TEST_TMPDIR/kago")" = "$sum" ]
}

@test "userns: several uid/gid ranges are mapped as written" {
        requires root userns
        # The mapped root (host uid 100000) must reach the rootfs: a copy
        # under a directory anyone may enter.
        urootfs=$(mktemp -d /tmp/kago-userns.XXXXXX)
        chmod 755 "$urootfs"
        cp -a "$BUSYBOX_ROOTFS" "$urootfs/rootfs"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces += [{type: "user"}] | .root.path = "'"$urootfs/rootfs"'"
                | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1000}, {containerID: 1000, hostID: 201000, size: 64536}]
                | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                | .mounts |= map(select(.type != "sysfs" and .type != "cgroup" and .type != "mqueue"))'
        run_b u1
        rm -rf "$urootfs"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^\ +0\ +100000\ +1000$ ]]
        [[ "${lines[1]}" =~ ^\ +1000\ +201000\ +64536$ ]]
        [[ "${lines[2]}" =~ ^\ +0\ +100000\ +65536$ ]]
        [ "${lines[3]}" = 0 ]
}

@test "idmap: an idmapped bind mount shows files with the mapped owner" {
        requires root
        mkdir "$BATS_TEST_TMPDIR/data"
        touch "$BATS_TEST_TMPDIR/data/f"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'stat -c "%u:%g" /m1/f /m2/f /m3/f'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
                {destination: \"/m1\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/data\", options: [\"rbind\"],
                 uidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
                 gidMappings: [{containerID: 0, hostID: 200000, size: 65536}]},
                {destination: \"/m2\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/data\", options: [\"bind\", \"ridmap\"],
                 uidMappings: [{containerID: 0, hostID: 7, size: 1}], gidMappings: [{containerID: 0, hostID: 8, size: 1}]},
                {destination: \"/m3\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/data\", options: [\"bind\"]}]"
        run_b i1
        if [[ "$output" == *"may not support idmapped mounts"* ]]; then
                skip "$(df --output=fstype "$BATS_TEST_TMPDIR" | tail -1) here cannot be idmapped on Linux $(uname -r)"
        fi
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 100000:200000 ]
        [ "${lines[1]}" = 7:8 ]
        [ "${lines[2]}" = 0:0 ]
        # A bare idmap needs the container's mappings; a tmpfs cannot be idmapped.
        config "$BATS_TEST_TMPDIR/b" '.mounts += [{destination: "/m4", type: "tmpfs", source: "tmpfs", options: ["idmap"]}]'
        run_b i2
        [ "$status" -eq 1 ]
        [[ "$output" == *"/m4"* ]]
        assert_gone i2
}

# A bundle in $BATS_TEST_TMPDIR/b with a user namespace (container 0 -> host
# 100000, 65536 ids) on a rootfs copy under $udir (which the mapped root can
# reach and owns), and $udir/data (1000:1000, mode 777) holding f (owner
# 0:0) and g (1000:1000).
userns_idmap_bundle() {
        udir=$(mktemp -d /tmp/kago-idmap.XXXXXX)
        chmod 755 "$udir"
        cp -a "$BUSYBOX_ROOTFS" "$udir/rootfs"
        chown 100000:100000 "$udir/rootfs"
        mkdir -m 777 "$udir/data"
        touch "$udir/data/f" "$udir/data/g"
        # Owned by an id every mapping below has: the kernel refuses writes
        # to a directory whose owner a mount leaves unmapped.
        chown 1000:1000 "$udir/data" "$udir/data/g"
        bundle "$BATS_TEST_TMPDIR/b" "$@"
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces += [{type: "user"}] | .root.path = "'"$udir/rootfs"'"
                | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                | .mounts |= map(select(.type != "sysfs" and .type != "cgroup" and .type != "mqueue"))'
}

# The mounts of the host that mention $1.
mounts_of() {
        grep -c -- "$1" /proc/self/mountinfo || true
}

# Skip, saying why, when create failed because the filesystem of $1 cannot be
# idmapped (tmpfs before Linux 6.3); $1 is removed.
skip_unless_idmappable() {
        local fstype
        if [[ "$output" == *"may not support idmapped mounts"* ]]; then
                fstype=$(df --output=fstype "$1" | tail -1)
                rm -rf "$1"
                skip "$fstype here cannot be idmapped on Linux $(uname -r)"
        fi
}

@test "idmap: idmapped binds in a container with its own user namespace" {
        requires root userns
        userns_idmap_bundle sh -c 'stat -c "%u:%g" /m1/f /m1/g /m2/g /m2/f; touch /m1/c1 /m2/c2'
        # /m1: the container's mapping (on-disk 0 is its root); /m2: its own,
        # on-disk 1000 -> host 100000, the container's root.
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
                {destination: \"/m1\", type: \"bind\", source: \"$udir/data\", options: [\"bind\", \"idmap\"]},
                {destination: \"/m2\", type: \"bind\", source: \"$udir/data\", options: [\"rbind\"],
                 uidMappings: [{containerID: 1000, hostID: 100000, size: 1}],
                 gidMappings: [{containerID: 1000, hostID: 100000, size: 1}]}]"
        run_b i3
        echo "$output"
        skip_unless_idmappable "$udir"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 0:0 ]
        [ "${lines[1]}" = 1000:1000 ]
        [ "${lines[2]}" = 0:0 ]
        [ "${lines[3]}" = 65534:65534 ] # on-disk 0 is not in /m2's mapping
        # What the container's root created is owned on disk by the id each
        # mount maps it to.
        [ "$(stat -c %u:%g "$udir/data/c1")" = 0:0 ]
        [ "$(stat -c %u:%g "$udir/data/c2")" = 1000:1000 ]
        # Without an idmapped mount the container sees on-disk 0 as nobody.
        config "$BATS_TEST_TMPDIR/b" '.mounts |= map(if .destination == "/m1" then .options = ["bind"] else . end)'
        run_b i4
        [ "${lines[0]}" = 65534:65534 ]
        [ "$(mounts_of "$udir")" -eq 0 ]
        rm -rf "$udir"
}

@test "idmap: ridmap idmaps the sub-mounts of the tree too, in a user-namespaced container" {
        requires root userns
        userns_idmap_bundle sh -c 'stat -c "%u:%g" /m3/sub/h /m4/sub/h 2>&1; ls /m5/sub'
        mkdir -m 755 "$udir/data/sub" "$udir/other"
        touch "$udir/other/h"
        chown 1000:1000 "$udir/other/h"
        # /m3 recursive and idmapped throughout; /m4 recursive, the sub-mount
        # not idmapped; /m5 not recursive: no sub-mount.
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
                {destination: \"/m3\", type: \"bind\", source: \"$udir/data\", options: [\"rbind\", \"ridmap\"]},
                {destination: \"/m4\", type: \"bind\", source: \"$udir/data\", options: [\"rbind\"]},
                {destination: \"/m5\", type: \"bind\", source: \"$udir/data\", options: [\"bind\", \"idmap\"]}]"
        # The sub-mount lives in a mount namespace of the test's own.
        run unshare -m --propagation private sh -c 'mount --bind "$1/other" "$1/data/sub" &&
                exec "$2" --root "$3" run --bundle "$4" i5 </dev/null' sh "$udir" "$KAGO" "$ROOT" "$BATS_TEST_TMPDIR/b"
        echo "$output"
        skip_unless_idmappable "$udir"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 1000:1000 ]
        [ "${lines[1]}" = 65534:65534 ]
        [ "${#lines[@]}" -eq 2 ] # /m5/sub is the empty directory under the sub-mount
        [ ! -e "$udir/data/sub/h" ]
        rm -rf "$udir"
}

@test "idmap: a mount whose mapping is invalid stops create, names the mount, leaves nothing" {
        requires root userns
        userns_idmap_bundle true
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
                {destination: \"/m6\", type: \"bind\", source: \"$udir/data\", options: [\"rbind\"],
                 uidMappings: [{containerID: 0, hostID: 100000, size: 10}, {containerID: 5, hostID: 200000, size: 10}],
                 gidMappings: [{containerID: 0, hostID: 100000, size: 10}]}]"
        before=$(ps -e --no-headers | wc -l)
        run kg create --bundle "$BATS_TEST_TMPDIR/b" i6
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'create container "i6": mounts['*'] (idmapped bind of '"$udir"'/data): mount /m6: uidMappings: write /proc/'*'/uid_map "0 100000 10"'*': Invalid argument'* ]]
        assert_gone i6
        [ "$(mounts_of "$udir")" -eq 0 ]
        # Neither init nor a namespace holder is left.
        if pgrep -f "kago --root $ROOT" >/dev/null; then false; fi
        # A mapping given for uids only is refused too, by name.
        config "$BATS_TEST_TMPDIR/b" '.mounts[-1].gidMappings = []'
        run kg create --bundle "$BATS_TEST_TMPDIR/b" i7
        [ "$status" -eq 1 ]
        [[ "$output" == *"mount /m6: give both uidMappings and gidMappings, or neither"* ]]
        assert_gone i7
        rm -rf "$udir"
}

@test "process: timeOffsets, personality, oomScoreAdj, scheduler, ioPriority" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cut -d. -f1 /proc/uptime; uname -m; cat /proc/self/oom_score_adj;
                awk "{print \$41}" /proc/self/stat; cat /proc/self/timens_offsets'
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces += [{type: "time"}]
                | .linux.timeOffsets = {boottime: {secs: 86400000, nanosecs: 0}, monotonic: {secs: 5, nanosecs: 0}}
                | .linux.personality = {domain: "LINUX32"} | .process.oomScoreAdj = 500
                | .process.scheduler = {policy: "SCHED_BATCH", nice: 3}
                | .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
        run_b p1
        [ "$status" -eq 0 ]
        [ "${lines[0]}" -ge 86400000 ]
        [ "${lines[1]}" = i686 ]
        [ "${lines[2]}" = 500 ]
        [ "${lines[3]}" = 3 ] # SCHED_BATCH
        [[ "$output" == *"boottime"*"86400000"* ]]
}

@test "process: an rlimit above the host's hard limit and absent LSMs fail clearly" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'ulimit -Hn'
        hard=$(ulimit -Hn)
        config "$BATS_TEST_TMPDIR/b" ".process.rlimits = [{type: \"RLIMIT_NOFILE\", soft: 1024, hard: $((hard + 1000))}]"
        run_b r1
        bnd=$(awk '/^CapBnd/{print $2}' /proc/self/status)
        if [ $(( 0x$bnd >> 24 & 1 )) -eq 0 ]; then
                [ "$status" -eq 1 ]
                [[ "$output" == *"RLIMIT_NOFILE: raising the hard limit from $hard to $((hard + 1000)) needs CAP_SYS_RESOURCE"* ]]
                assert_gone r1
        else
                [ "$status" -eq 0 ]
                [ "$output" = $((hard + 1000)) ]
        fi
        if [ ! -e /sys/kernel/security/apparmor ]; then
                bundle "$BATS_TEST_TMPDIR/b" true
                config "$BATS_TEST_TMPDIR/b" '.process.apparmorProfile = "kago-default"'
                run_b l1
                [ "$status" -eq 1 ]
                [[ "$output" == *'process.apparmorProfile "kago-default": AppArmor is not enabled on this host'* ]]
                assert_gone l1
        fi
        if [ ! -e /sys/fs/selinux/enforce ]; then
                bundle "$BATS_TEST_TMPDIR/b" true
                config "$BATS_TEST_TMPDIR/b" '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
                run_b l2
                [ "$status" -eq 1 ]
                [[ "$output" == *"SELinux is not enabled on this host"* ]]
                assert_gone l2
        fi
}

@test "attack: between create and start, the container's init is a sealed copy of kago" {
        requires root
        # Until start, init runs kago's code inside the container, where an exec'd
        # process could open /proc/1/exe and, once init has exec'd the workload,
        # write through it: the file it would reach is the sealed memfd.
        bundle "$BATS_TEST_TMPDIR/b" true
        kgd create --bundle "$BATS_TEST_TMPDIR/b" x2 >/dev/null
        pid=$(kg state x2 | jq .pid)
        [[ "$(readlink /proc/$pid/exe)" == "/memfd:kago (deleted)" ]]
        run sh -c "printf x >>/proc/$pid/exe"
        [ "$status" -ne 0 ] # sealed: no write, even for root
        kg delete --force x2
}

@test "security: a syscall newer than the seccomp profile gets ENOSYS, not the default errno (as runc)" {
        requires root
        command -v gcc >/dev/null || skip "needs gcc to build the probe"
        gcc -static -O1 -o "$BATS_TEST_TMPDIR/rawsyscall" "$KAGO_SRC/tests/fixtures/security/rawsyscall.c"
        local b="$BATS_TEST_TMPDIR/b" names
        # Every x86_64 syscall numbered 0..300 allowed, the rest denied (EPERM).
        names=$(printf '#include <asm/unistd_64.h>\n' | gcc -E -dM - |
                awk '$2 ~ /^__NR_/ && $3 <= 300 {sub("__NR_", "", $2); print $2}' | jq -R . | jq -sc .)
        bundle "$b" /rawsyscall 332 # statx: above the profile's highest
        mkdir -p "$b/rootfs"
        cp -a "$BUSYBOX_ROOTFS/." "$b/rootfs/"
        cp "$BATS_TEST_TMPDIR/rawsyscall" "$b/rootfs/rawsyscall"
        config "$b" ".root.path = \"rootfs\" | .linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\",
                architectures: [\"SCMP_ARCH_X86_64\"],
                syscalls: [{names: $names, action: \"SCMP_ACT_ALLOW\"}]}"
        run kg run --bundle "$b" nosys
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "332 38" ] # ENOSYS
        # Below the highest named, the default action stands: EPERM.
        config "$b" '.process.args = ["/rawsyscall", "135"]' # personality: not in the list
        config "$b" ".linux.seccomp.syscalls[0].names -= [\"personality\"]"
        run kg run --bundle "$b" perm
        [ "$output" = "135 1" ]
        if command -v runc >/dev/null; then
                config "$b" '.process.args = ["/rawsyscall", "332"]'
                run runc --root "$BATS_TEST_TMPDIR/runc" run --bundle "$b" nosys-runc </dev/null
                [ "$output" = "332 38" ]
        fi
}
