#!/usr/bin/env bats
# Proves that kago runs a `kago spec --rootless` bundle as an unprivileged
# user, with runc's conventions: the container's root is the caller's own uid
# and gid (uid_map "0 UID 1"), setgroups is denied in its user namespace, the
# state lives under the caller's $XDG_RUNTIME_DIR/kago, there is no cgroup
# when none the user may write exists (a warning), exec works, and delete
# leaves nothing.
# The bad cases fail clearly and leave nothing behind: mapping ids the caller
# does not own, limits without a writable cgroup, additional groups that a
# denied setgroups cannot give. Without XDG_RUNTIME_DIR, the denied /run/kago
# names the two ways out (XDG_RUNTIME_DIR, --root DIR).

load helpers
load container_helpers

# The unprivileged user: nobody, whose only ids are 65534.
RUID=65534

# Skip, saying why, unless an unprivileged user may make a user namespace here.
requires_unprivileged_userns() {
        local why=""
        [ "$(id -u)" = 0 ] || skip "needs root (to become the unprivileged user)"
        command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
        if ! as_user unshare --user --map-root-user true >/dev/null 2>&1; then
                [ -r /proc/sys/kernel/unprivileged_userns_clone ] &&
                        why+=" kernel.unprivileged_userns_clone=$(cat /proc/sys/kernel/unprivileged_userns_clone)"
                why+=" user.max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)"
                skip "unprivileged user namespaces are not allowed here:$why"
        fi
}

as_user() {
        setpriv --reuid=$RUID --regid=$RUID --clear-groups --reset-env \
                env XDG_RUNTIME_DIR="$XDG" "$@"
}

# kago as the unprivileged user, from a copy it can reach, with no --root.
kgu() {
        as_user "$UDIR/kago" "$@"
}

setup() {
        # Everything the user needs, under a directory it may enter.
        UDIR=$(mktemp -d /tmp/kago-rootless.XXXXXX)
        XDG=$UDIR/run
        chmod 755 "$UDIR"
        cp "$KAGO" "$UDIR/kago"
        chmod 755 "$UDIR/kago"
        mkdir -m 700 "$XDG"
        mkdir "$UDIR/b"
        cp -a "$BUSYBOX_ROOTFS" "$UDIR/b/rootfs"
        chown -R $RUID:$RUID "$XDG" "$UDIR/b"
        cd "$UDIR/b"
}

teardown() {
        local id
        cd /
        for id in $(kgu list -q 2>/dev/null); do
                kgu delete --force "$id" >/dev/null 2>&1 || true
        done
        rm -rf "$UDIR"
}

# The rootless bundle in $UDIR/b, running sh -c "$1".
rootless_bundle() {
        as_user sh -c 'cd "$1" && "$2" spec --rootless' sh "$UDIR/b" "$UDIR/kago"
        as_user sh -c 'jq --arg c "$2" ".process.args = [\"sh\", \"-c\", \$c] | .process.terminal = false | .root.readonly = false" \
                "$1/config.json" >"$1/c.json" && mv "$1/c.json" "$1/config.json"' sh "$UDIR/b" "$1"
}

# Edit the bundle's config.json with jq expression $1, as the user.
uconfig() {
        as_user sh -c 'jq "$2" "$1/config.json" >"$1/c.json" && mv "$1/c.json" "$1/config.json"' \
                sh "$UDIR/b" "$1"
}

# Nothing left of container $1: no state directory, no process of the user
# running from or inside $UDIR.
assert_rootless_gone() {
        local p
        [ ! -e "$XDG/kago/$1" ] || { echo "state directory $XDG/kago/$1 left behind" >&2; return 1; }
        for p in $(pgrep -u $RUID); do
                case "$(readlink /proc/$p/root 2>/dev/null) $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)" in
                *"$UDIR"*) echo "process $p left: $(tr '\0' ' ' </proc/$p/cmdline)" >&2; return 1 ;;
                esac
        done
}

@test "rootless: a spec --rootless bundle runs as an unprivileged user, mapped to root" {
        requires_unprivileged_userns
        rootless_bundle 'echo "uid=$(id -u) gid=$(id -g)"; echo "setgroups=$(cat /proc/self/setgroups)";
                echo "uidmap=$(cat /proc/self/uid_map | xargs)"; echo "gidmap=$(cat /proc/self/gid_map | xargs)";
                touch /owned && stat -c "owner=%u:%g" /owned'
        jq -e '.linux.uidMappings == [{containerID: 0, hostID: 65534, size: 1}]' config.json
        run kgu run --bundle "$UDIR/b" r1 </dev/null
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"uid=0 gid=0"* ]]
        [[ "$output" == *"setgroups=deny"* ]]
        [[ "$output" == *"uidmap=0 $RUID 1"* ]]
        [[ "$output" == *"gidmap=0 $RUID 1"* ]]
        [[ "$output" == *"owner=0:0"* ]]
        # On the host, what the container's root made is the caller's.
        [ "$(stat -c %u:%g "$UDIR/b/rootfs/owned")" = $RUID:$RUID ]
        if ! as_user test -w /sys/fs/cgroup/cgroup.procs; then
                [[ "$output" == *'container "r1": no cgroup: kago (uid 65534) may not write one'* ]]
        fi
        assert_rootless_gone r1
}

@test "rootless: the state is under \$XDG_RUNTIME_DIR/kago; delete leaves nothing" {
        requires_unprivileged_userns
        rootless_bundle 'sleep 1000'
        # Its output to a file: a pipe the container holds open would block bats.
        kgu run -d --bundle "$UDIR/b" r2 </dev/null >"$UDIR/r2.out" 2>&1
        [ -d "$XDG/kago/r2" ]
        [ "$(stat -c %u "$XDG/kago/r2")" = $RUID ]
        run kgu state r2
        [ "$status" -eq 0 ]
        pid=$(jq .pid <<<"$output")
        [ "$(jq -r .status <<<"$output")" = running ]
        [ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = $RUID ]
        run kgu list -q
        [ "$output" = r2 ]
        # exec joins the container's user namespace first (it owns the others).
        run kgu exec r2 sh -c 'echo "$(id -u) $(cat /proc/self/uid_map | xargs)"'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "0 0 $RUID 1" ]
        run kgu exec r2 /no/such/command
        [ "$status" -eq 255 ]
        [[ "$output" == *"process.args[0]: /no/such/command"* ]]
        run kgu delete --force r2
        [ "$status" -eq 0 ]
        assert_dead "$pid"
        [ -z "$(ls -A "$XDG/kago")" ]
        assert_rootless_gone r2
}

@test "rootless: mapping ids the caller does not own fails, naming the mapping, and leaves nothing" {
        requires_unprivileged_userns
        rootless_bundle true
        uconfig '.linux.uidMappings = [{containerID: 0, hostID: 65534, size: 1}, {containerID: 1, hostID: 100000, size: 1000}]'
        run kgu run --bundle "$UDIR/b" r3 </dev/null
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'create container "r3": linux.uidMappings: write /proc/'*'/uid_map "0 65534 1" (a host id this process may not map): Operation not permitted'* ]]
        assert_rootless_gone r3
        [ -z "$(ls -A "$XDG/kago")" ]
}

@test "rootless: limits without a writable cgroup, and additional groups, are clear errors" {
        requires_unprivileged_userns
        if as_user test -w /sys/fs/cgroup/cgroup.procs; then
                skip "uid $RUID may write the root cgroup here"
        fi
        rootless_bundle true
        uconfig '.linux.resources = {pids: {limit: 10}}'
        run kgu run --bundle "$UDIR/b" r4 </dev/null
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *'linux.resources: limits need a cgroup, and kago (uid 65534) may not write one'* ]]
        assert_rootless_gone r4
        uconfig 'del(.linux.resources) | .process.user.additionalGids = [0]'
        run kgu run --bundle "$UDIR/b" r5 </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *'process.user.additionalGids: an unprivileged kago (uid 65534) must deny setgroups'* ]]
        uconfig '.process.user.additionalGids = [5]'
        run kgu run --bundle "$UDIR/b" r6 </dev/null
        [ "$status" -eq 1 ]
        [[ "$output" == *'process.user.additionalGids[0]: 5 is not in linux.gidMappings'* ]]
        assert_rootless_gone r5
        assert_rootless_gone r6
        [ -z "$(ls -A "$XDG/kago" 2>/dev/null)" ]
}

@test "rootless: without XDG_RUNTIME_DIR the denied /run/kago names the two ways out" {
        [ "$(id -u)" = 0 ] || skip "needs root (to become the unprivileged user)"
        command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
        # No XDG_RUNTIME_DIR: the default root is /run/kago, which the user may
        # not open (root's, 0700, as root's first kago command makes it).
        [ -d /run/kago ] || mkdir -m 0700 /run/kago
        [ "$(stat -c %a /run/kago)" = 700 ] || skip "/run/kago here is not root's private directory"
        run setpriv --reuid=$RUID --regid=$RUID --clear-groups --reset-env "$UDIR/kago" state r9
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [[ "$output" == *"/run/kago: Permission denied"* ]]
        [[ "$output" == *"set XDG_RUNTIME_DIR"* ]]
        [[ "$output" == *"--root DIR"* ]]
        # Each way out works: the error is then only that r9 does not exist.
        run kgu state r9
        [ "$status" -eq 1 ]
        [[ "$output" == *"does not exist"* && "$output" != *"Permission denied"* ]]
        run setpriv --reuid=$RUID --regid=$RUID --clear-groups --reset-env "$UDIR/kago" --root "$XDG/k" state r9
        [ "$status" -eq 1 ]
        [[ "$output" == *"does not exist"* && "$output" != *"Permission denied"* ]]
}
