#!/usr/bin/env bats
# Proves what create builds from config.json: mounts (bind ro/rbind, tmpfs
# with tmpcopyup, recursive flags), read-only root, linux.devices and the /dev
# symlinks, hostname/domainname, sysctl, masked and read-only paths, process
# env/cwd/user/umask/rlimits, --preserve-fds and LISTEN_FDS, namespaces
# joined by path, rootfsPropagation, and a user namespace with mappings.

load helpers
load container_helpers

# Run the bundle in $BATS_TEST_TMPDIR/b in the foreground; output in $output.
run_b() {
        run kg run --bundle "$BATS_TEST_TMPDIR/b" "${1:-c$RANDOM}"
}

@test "create: bind mounts read-only and read-write, rbind, tmpfs with tmpcopyup" {
        requires root
        mkdir -p "$BATS_TEST_TMPDIR"/{ro,rw,rb/sub}
        echo hello >"$BATS_TEST_TMPDIR/ro/file"
        mount -t tmpfs tmpfs "$BATS_TEST_TMPDIR/rb/sub"
        echo nested >"$BATS_TEST_TMPDIR/rb/sub/n"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /ro/file; echo x 2>/dev/null >/ro/file && echo ro-writable; echo w > /rw/out; cat /rb/sub/n; ls /etc-copy/passwd; touch /etc-copy/new && echo tmp-writable'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
          {destination: \"/ro\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/ro\", options: [\"bind\", \"ro\", \"nosuid\"]},
          {destination: \"/rw\", source: \"$BATS_TEST_TMPDIR/rw\", options: [\"bind\", \"rw\"]},
          {destination: \"/rb\", source: \"$BATS_TEST_TMPDIR/rb\", options: [\"rbind\", \"rro\"]},
          {destination: \"/etc-copy\", type: \"tmpfs\", source: \"tmpfs\", options: [\"tmpcopyup\", \"mode=755\"]}]"
        # tmpcopyup copies what the directory held: give it something.
        mkdir -p "$BUSYBOX_ROOTFS/etc-copy" && cp "$BUSYBOX_ROOTFS/etc/passwd" "$BUSYBOX_ROOTFS/etc-copy/"
        run_b
        umount "$BATS_TEST_TMPDIR/rb/sub"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = hello ]
        [[ "$output" != *ro-writable* ]]
        [ "$(cat "$BATS_TEST_TMPDIR/rw/out")" = w ]
        [ "${lines[1]}" = nested ]
        [ "${lines[2]}" = /etc-copy/passwd ]
        [ "${lines[3]}" = tmp-writable ]
        [ ! -e "$BUSYBOX_ROOTFS/etc-copy/new" ]
        rm -rf "$BUSYBOX_ROOTFS/etc-copy"
}

@test "create: read-only root, devices, /dev symlinks, hostname, domainname" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'touch /x 2>/dev/null && echo root-writable; ls -l /dev/fuse /dev/null | cut -c1-10; for l in fd stdin ptmx; do readlink /dev/$l; done; hostname; cat /proc/sys/kernel/domainname'
        config "$BATS_TEST_TMPDIR/b" '.root.readonly = true | .hostname = "box" | .domainname = "example.org"
          | .linux.devices = [{type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 432}]'
        run_b
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [[ "$output" != *root-writable* ]]
        [ "${lines[0]}" = "crw-rw----" ]
        [ "${lines[1]}" = "crw-rw-rw-" ]
        [ "${lines[2]}" = /proc/self/fd ]
        [ "${lines[3]}" = /proc/self/fd/0 ]
        [ "${lines[4]}" = pts/ptmx ]
        [ "${lines[5]}" = box ]
        [ "${lines[6]}" = example.org ]
}

@test "create: process env, cwd (made when missing), user, groups, umask, rlimits" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo $FOO; pwd; id; umask; ulimit -n; ulimit -Hn'
        config "$BATS_TEST_TMPDIR/b" '.process.env += ["FOO=bar baz"] | .process.cwd = "/work/dir"
          | .process.user = {uid: 1000, gid: 1001, additionalGids: [2000, 2001], umask: 63}
          | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}]'
        run_b
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "bar baz" ]
        [ "${lines[1]}" = /work/dir ]
        [ "${lines[2]}" = "uid=1000 gid=1001 groups=2000,2001" ]
        [ "${lines[3]}" = 0077 ]
        [ "${lines[4]}" = 100 ]
        [ "${lines[5]}" = 200 ]
        rm -rf "$BUSYBOX_ROOTFS/work"
}

@test "create: sysctl in the container's namespaces, masked and read-only paths" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat /proc/sys/kernel/shmmax; cat /proc/cpuinfo | wc -c; ls /proc/acpi 2>/dev/null | wc -l; echo 1 > /proc/sys/kernel/shmmni 2>/dev/null && echo sys-writable; echo done'
        config "$BATS_TEST_TMPDIR/b" '.linux.sysctl = {"kernel.shmmax": "12345678"}
          | .linux.maskedPaths = ["/proc/cpuinfo", "/proc/acpi", "/nonexistent"]
          | .linux.readonlyPaths = ["/proc/sys"]'
        run_b
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 12345678 ]
        [ "${lines[1]}" = 0 ]
        [ "${lines[2]}" = 0 ]
        [[ "$output" != *sys-writable* ]]
        [ "$(cat /proc/sys/kernel/shmmax)" != 12345678 ]
}

@test "create: --preserve-fds and LISTEN_FDS pass fds to the container" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'cat <&3; cat <&4; echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; ls /proc/self/fd | wc -l'
        echo three >"$BATS_TEST_TMPDIR/f3"
        echo four >"$BATS_TEST_TMPDIR/f4"
        run kg run --preserve-fds 2 --bundle "$BATS_TEST_TMPDIR/b" pf1 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = three ]
        [ "${lines[1]}" = four ]
        # stdin, stdout, stderr, 3, 4 and ls's own directory fd: nothing else leaks in.
        [ "${lines[3]}" = 6 ]
        run env LISTEN_FDS=2 "$KAGO" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b" pf2 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = three ]
        [ "${lines[2]}" = "fds=2 pid=1" ]
}

@test "create: namespaces joined by path" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" host1
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        mkdir -p "$BATS_TEST_TMPDIR/b2"
        bundle "$BATS_TEST_TMPDIR/b2" sh -c 'hostname; for n in net ipc uts; do readlink /proc/self/ns/$n; done'
        config "$BATS_TEST_TMPDIR/b2" "del(.hostname) | .linux.namespaces |= map(if .type == \"network\" or .type == \"ipc\" or .type == \"uts\" then .path = \"/proc/$pid/ns/\" + (if .type == \"network\" then \"net\" else .type end) else . end)"
        run kg run --bundle "$BATS_TEST_TMPDIR/b2" guest1
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = kago ]
        [ "${lines[1]}" = "$(readlink /proc/$pid/ns/net)" ]
        [ "${lines[2]}" = "$(readlink /proc/$pid/ns/ipc)" ]
        [ "${lines[3]}" = "$(readlink /proc/$pid/ns/uts)" ]
        config "$BATS_TEST_TMPDIR/b2" '.linux.namespaces += [] | .linux.namespaces |= map(if .type == "ipc" then .path = "/nonexistent/ns" else . end)'
        run kg run --bundle "$BATS_TEST_TMPDIR/b2" guest2
        [ "$status" -eq 1 ]
        [[ "$output" == *"open ipc namespace /nonexistent/ns: No such file or directory"* ]]
        assert_gone guest2
}

@test "create: a user namespace with uid/gid mappings" {
        requires root userns
        # The mapped root (host uid 100000) must reach the rootfs: a copy
        # under a directory anyone may enter.
        urootfs=$(mktemp -d /tmp/kago-userns.XXXXXX)
        chmod 755 "$urootfs"
        cp -a "$BUSYBOX_ROOTFS" "$urootfs/rootfs"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'id -u; cat /proc/self/uid_map'
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces += [{type: "user"}] | .root.path = "'"$urootfs/rootfs"'"
          | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
          | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
          | .mounts |= map(select(.type != "sysfs" and .type != "cgroup" and .type != "mqueue"))'
        run_b
        rm -rf "$urootfs"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 0 ]
        [[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
}

@test "create: rootfsPropagation values and a bad one" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" true
        for p in private slave shared unbindable; do
                config "$BATS_TEST_TMPDIR/b" ".linux.rootfsPropagation = \"$p\""
                run_b "prop-$p"
                echo "$p: $output" >&2
                [ "$status" -eq 0 ]
        done
        config "$BATS_TEST_TMPDIR/b" '.linux.rootfsPropagation = "sideways"'
        run_b bad
        [ "$status" -eq 1 ]
}

@test "create: pid and time namespaces (joined by path; new with timeOffsets)" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" pidhost
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        bundle "$BATS_TEST_TMPDIR/b2" sh -c 'readlink /proc/self/ns/pid; echo $$'
        config "$BATS_TEST_TMPDIR/b2" ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)"
        run kg run --bundle "$BATS_TEST_TMPDIR/b2" pidguest
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$(readlink /proc/$pid/ns/pid)" ]
        [ "${lines[1]}" != 1 ]
        bundle "$BATS_TEST_TMPDIR/b3" cut -d. -f1 /proc/uptime
        config "$BATS_TEST_TMPDIR/b3" '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: 1000000, nanosecs: 0}}'
        run kg run --bundle "$BATS_TEST_TMPDIR/b3" timens
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "$output" -ge $(( $(cut -d. -f1 /proc/uptime) + 999000 )) ]
}

@test "create: --cgroup-manager disabled places nothing and ignores limits with a warning" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.resources.memory = {limit: 67108864}'
        run kgd --cgroup-manager disabled create --bundle "$BATS_TEST_TMPDIR/b" nocg
        [ "$status" -eq 0 ]
        [[ "$output" == *"linux.resources ignored: --cgroup-manager disabled"* ]]
        [ "$(jq -r .cgroupPath "$ROOT/nocg/state.json")" = null ]
        ! ls -d /sys/fs/cgroup/kago/nocg /sys/fs/cgroup/unified/kago/nocg 2>/dev/null
}

@test "create: every lifecycle command has --help" {
        for cmd in create start state kill delete run list ps; do
                run kg "$cmd" --help
                [ "$status" -eq 0 ]
                [[ "$output" == *"Usage: kago $cmd"* ]]
        done
}

@test "create: bind flags per mount and recursive (r*) flags on a tree, cgroup2" {
        requires root
        mkdir -p "$BATS_TEST_TMPDIR/fl/sub"
        mount -t tmpfs tmpfs "$BATS_TEST_TMPDIR/fl/sub"
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'grep -E " /(m|r|r/sub|cg) " /proc/self/mountinfo | cut -d" " -f5,6,9'
        config "$BATS_TEST_TMPDIR/b" ".mounts += [
          {destination: \"/m\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/fl\", options: [\"bind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\", \"noatime\", \"nodiratime\", \"nosymfollow\", \"private\"]},
          {destination: \"/r\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/fl\", options: [\"rbind\", \"rro\", \"rnosuid\", \"rnodev\", \"rnoexec\"]},
          {destination: \"/cg\", type: \"cgroup2\", source: \"cgroup2\", options: [\"nosuid\", \"noexec\", \"nodev\"]}]"
        run_b
        umount "$BATS_TEST_TMPDIR/fl/sub"
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "/m ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow "* ]]
        [[ "${lines[1]}" == "/r ro,nosuid,nodev,noexec"* ]]
        [[ "${lines[2]}" == "/r/sub ro,nosuid,nodev,noexec"*" tmpfs" ]]
        [[ "${lines[3]}" == "/cg rw,nosuid,nodev,noexec"* ]]
}

@test "create: a user namespace joined by path owns the namespaces the container makes" {
        requires root userns
        unshare --user --map-root-user sleep 4545 &
        holder=$!
        for i in $(seq 50); do [ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break; sleep 0.1; done
        bundle "$BATS_TEST_TMPDIR/b" sh -c 'echo pid=$$; hostname; cat /proc/self/uid_map'
        config "$BATS_TEST_TMPDIR/b" ".linux.namespaces += [{type: \"user\", path: \"/proc/$holder/ns/user\"}]
          | .mounts |= map(select(.type != \"sysfs\" and .type != \"cgroup\" and .type != \"mqueue\"))
          | .mounts |= map(if .type == \"devpts\" then .options -= [\"gid=5\"] else . end)"
        run kg run --bundle "$BATS_TEST_TMPDIR/b" ujoin
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = pid=1 ]
        [ "${lines[1]}" = kago ]
        [ "$(echo "${lines[2]}" | tr -s ' ')" = "$(tr -s ' ' </proc/$holder/uid_map)" ]
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" ujoin2
        [ "$(readlink /proc/"$(cat "$BATS_TEST_TMPDIR/pid")"/ns/user)" = "$(readlink /proc/$holder/ns/user)" ]
        [ "$(status_of ujoin2)" = created ]
        kg delete ujoin2
        assert_gone ujoin2
        kill "$holder"
}

@test "create: cgroup and time namespaces joined by path" {
        requires root
        bundle "$BATS_TEST_TMPDIR/b" sleep 1000
        config "$BATS_TEST_TMPDIR/b" '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {monotonic: {secs: 500000, nanosecs: 0}}'
        kgd create --bundle "$BATS_TEST_TMPDIR/b" --pid-file "$BATS_TEST_TMPDIR/pid" nshost
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        bundle "$BATS_TEST_TMPDIR/b2" sh -c 'for n in cgroup time; do readlink /proc/self/ns/$n; done'
        config "$BATS_TEST_TMPDIR/b2" ".linux.namespaces |= map(if .type == \"cgroup\" then .path = \"/proc/$pid/ns/cgroup\" else . end)
          | .linux.namespaces += [{type: \"time\", path: \"/proc/$pid/ns/time\"}]"
        run kg run --bundle "$BATS_TEST_TMPDIR/b2" nsguest
        echo "$output" >&2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$(readlink /proc/$pid/ns/cgroup)" ]
        [ "${lines[1]}" = "$(readlink /proc/$pid/ns/time)" ]
        [ "${lines[1]}" != "$(readlink /proc/self/ns/time)" ]
}
