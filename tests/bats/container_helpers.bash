# Helpers for the container lifecycle suites: load with `load container_helpers`
# (after `load helpers`).
#
#   $ROOT         a --root of this test's own; teardown deletes what is left in it
#   kg ARGS...    $KAGO --root $ROOT ARGS...
#   bundle DIR ARG...   a bundle in DIR running ARG... on the suite's busybox rootfs
#   config DIR JQ       edit DIR/config.json with a jq expression
#   wait_status ID STATUS [SECONDS]
#   counter_bundle DIR [COUNT]  a bundle counting in memory into COUNT (DIR/count)
#   count_of COUNT, wait_count_above COUNT MIN

_container_setup_file() {
        export BUSYBOX_ROOTFS="$BATS_FILE_TMPDIR/rootfs"
        "$KAGO_SRC/tests/bundle.sh" "$BATS_FILE_TMPDIR/template" true >/dev/null
        mv "$BATS_FILE_TMPDIR/template/rootfs" "$BUSYBOX_ROOTFS"
}

setup_file() {
        _container_setup_file
}

# The default setup and teardown; a suite with its own calls these from it.
_container_setup() {
        ROOT="$BATS_TEST_TMPDIR/root"
        mkdir -p "$ROOT"
}

_container_teardown() {
        local id
        for id in $("$KAGO" --root "$ROOT" list -q 2>/dev/null); do
                "$KAGO" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
        done
}

setup() {
        _container_setup
}

teardown() {
        _container_teardown
}

kg() {
        "$KAGO" --root "$ROOT" "$@"
}

bundle() {
        local dir=$1
        shift
        mkdir -p "$dir"
        local args='[]' a
        for a in "$@"; do
                args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args")
        done
        jq --arg root "$BUSYBOX_ROOTFS" --argjson args "$args" '.root.path = $root | .process.args = $args' \
                "$BATS_FILE_TMPDIR/template/config.json" >"$dir/config.json"
}

config() {
        local dir=$1 expr=$2
        jq "$expr" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# The status field of `kago state ID`.
status_of() {
        kg state "$1" | jq -r .status
}

wait_status() {
        local id=$1 want=$2 secs=${3:-20} i
        for ((i = 0; i < secs * 10; i++)); do
                [ "$(status_of "$id" 2>/dev/null)" = "$want" ] && return 0
                sleep 0.1
        done
        echo "container $id: status $(status_of "$id" 2>&1), wanted $want" >&2
        return 1
}

# No state and no cgroup left for ID.
assert_gone() {
        local id=$1
        [ ! -e "$ROOT/$id" ] || { echo "state directory $ROOT/$id left behind" >&2; return 1; }
        ! ls -d /sys/fs/cgroup/kago/"$id" /sys/fs/cgroup/unified/kago/"$id" 2>/dev/null ||
                { echo "cgroup of $id left behind" >&2; return 1; }
}

# kg for commands that leave a container behind (create, run -d): its stdio
# goes to a file, since a pipe the container holds open would block bats.
# Prints what was written there.
kgd() {
        local out="$BATS_TEST_TMPDIR/ctr.out" rc
        : >"$out.new"
        kg "$@" </dev/null >>"$out.new" 2>&1
        rc=$?
        cat "$out.new"
        cat "$out.new" >>"$out"
        return $rc
}

# PID is gone (or a zombie nobody reaped yet).
assert_dead() {
        local state
        state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
        [ "$state" = Z ] || { echo "pid $1 still alive (state $state)" >&2; return 1; }
}

# A container counting in memory; each count goes to /count/n and, through
# an fd held open since the start, to /count/log.
counter_bundle() {
        local dir=$1 count=${2:-$1/count}
        bundle "$dir" sh -c 'exec 3>>/count/log; i=0; while :; do i=$((i+1)); echo $i >/count/n; echo $i >&3; sleep 0.1; done'
        mkdir -p "$count"
        config "$dir" ".mounts += [{\"destination\":\"/count\",\"type\":\"bind\",\"source\":\"$count\",\"options\":[\"rbind\"]}]"
}

# The counter in DIR/n (0 before the first write). The writer truncates the
# file before it writes the next number: a read that finds it empty looks again.
count_of() {
        local v i
        for ((i = 0; i < 50; i++)); do
                v=$(cat "$1/n" 2>/dev/null) || { echo 0; return; }
                [ -n "$v" ] && { echo "$v"; return; }
                sleep 0.01
        done
        echo 0
}

wait_count_above() {
        local dir=$1 min=$2 i
        for ((i = 0; i < 600; i++)); do
                [ "$(count_of "$dir")" -gt "$min" ] && return 0
                sleep 0.1
        done
        echo "counter in $dir stuck at $(count_of "$dir"), wanted above $min" >&2
        return 1
}

# Skips a test that boots a microVM when there is no guest kernel.
requires_vm_kernel() {
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
}

# Run kago ARGS... in the foreground with stdout and stderr into $output and
# the exit status into $status, whatever the status is (bats' run would
# warn about 127, which is how a container's init ends after start).
kg_status() {
        status=0
        timeout 600 "$KAGO" --root "$ROOT" "$@" >"$BATS_TEST_TMPDIR/kg.out" 2>&1 </dev/null || status=$?
        output=$(cat "$BATS_TEST_TMPDIR/kg.out")
}

# The smallest tree that boots systemd (kago run --rootfs DIR --boot
# --bind-ro=/usr): the host's /usr bound read-only over an empty usr/, the
# merged-usr links, and just the /etc that systemd, D-Bus and PAM read.
# Skips without systemd, or on a host whose / is not merged-usr.
systemd_tree() {
        local t=$1 l
        [ -x /usr/lib/systemd/systemd ] || skip "no systemd in /usr"
        [ -L /bin ] && [ -L /lib ] || skip "the host's / is not merged-usr"
        mkdir -p "$t"/{etc,proc,sys,dev,run,tmp,var/log,var/lib,var/tmp,root,usr}
        for l in bin sbin lib lib64; do
                ln -s "usr/$l" "$t/$l"
        done
        cp -a /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/nsswitch.conf /etc/login.defs \
                /etc/pam.d /etc/security "$t/etc/"
        ln -s ../usr/lib/os-release "$t/etc/os-release"
        : >"$t/etc/machine-id"
}

# kago run --rootfs TREE --boot --bind-ro=/usr -M ID [OPTION...] in the
# background ($BOOT_GLOBAL: kago's global options): its pid in $BOOT_PID,
# its exit status (once it ends) in $BATS_TEST_TMPDIR/ID.rc, and the shell
# that waits for it in $BOOT_SHELL.
boot_bg() {
        local id=$1 tree=$2
        shift 2
        rm -f "$BATS_TEST_TMPDIR/$id.pid" "$BATS_TEST_TMPDIR/$id.rc"
        (
                # shellcheck disable=SC2086
                "$KAGO" --root "$ROOT" ${BOOT_GLOBAL:-} run --rootfs "$tree" --boot --bind-ro=/usr \
                        -M "$id" "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>&1 &
                echo $! >"$BATS_TEST_TMPDIR/$id.pid"
                wait $!
                echo $? >"$BATS_TEST_TMPDIR/$id.rc"
        ) 3>&- &
        BOOT_SHELL=$!
        while [ ! -s "$BATS_TEST_TMPDIR/$id.pid" ]; do sleep 0.1; done
        BOOT_PID=$(cat "$BATS_TEST_TMPDIR/$id.pid")
}

# Wait (up to SECONDS, default 200) until the booted container ID's
# systemd finished starting up.
wait_booted() {
        local id=$1 state end=$((SECONDS + ${2:-200}))
        while [ "$SECONDS" -lt "$end" ]; do
                state=$(timeout 60 "$KAGO" --root "$ROOT" exec "$id" systemctl is-system-running 2>&1) || true
                case "$state" in
                running | degraded) return 0 ;;
                esac
                sleep 1
        done
        echo "container $id: systemd is $state" >&2
        return 1
}
