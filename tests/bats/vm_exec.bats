#!/usr/bin/env bats
# kago exec into a microVM container: the VMM's control socket (vmm.sock in
# the state directory, mode 0600) takes the request, kago-init's agent starts
# the process in the guest, and a host process in the container's cgroup
# stands for it. Proven on one running VM (booting is costly under nested
# KVM): the process runs in the guest with the container's environment and
# the flags (--env, --cwd, --user, --additional-gids, --cap), the
# container's capabilities and noNewPrivileges; its stdout, stderr
# and status come back apart (3, 126, 127, 137); stdin reaches it to its
# end, and a megabyte goes each way intact; a reader that falls behind or
# a process that reads no stdin stalls no other exec (flow control); a
# signal to kago exec reaches it; --detach --pid-file names the stand-in, inside the container's
# cgroup, and killing that ends the guest process; --tty gives it a guest
# terminal whose size follows the host's, through --console-socket or
# kago's own proxy. kago ps lists the guest's processes (its JSON stays the
# host pids engines expect);
# kago events --stats adds the guest's memory and CPU view ("kago.guest");
# kago update --memory shrinks and regrows the guest through its balloon
# (MemTotal in the guest follows) along with the cgroup limit, and refuses
# a limit the guest's use does not leave room for.
# Refused with a reason: --preserve-fds, a paused VM, ps(1) options. A
# VMM killed under a running exec ends the exec (137), and delete leaves
# nothing behind.

bats_require_minimum_version 1.5.0
load helpers
load container_helpers
load cgroup_helpers

# One VM, one state root, for the whole file.
setup_file() {
        _container_setup_file
        export ROOT=$BATS_FILE_TMPDIR/root
        mkdir -p "$ROOT"
        export KAGO_VM_KERNEL="${KAGO_VM_KERNEL:-${KAGO_CACHE:-/var/cache/kago}/kernel/vmlinux}"
        [ "$(id -u)" = 0 ] && _has_kvm && [ -r "$KAGO_VM_KERNEL" ] || return 0
        local b=$BATS_FILE_TMPDIR/vm i
        bundle "$b" sh -c 'echo guest-up; exec sleep 100000'
        config "$b" '.annotations["run.oci.handler"] = "microvm" | .process.env += ["FROM_CONFIG=yes"]'
        "$KAGO" --root "$ROOT" create --bundle "$b" vx </dev/null >"$BATS_FILE_TMPDIR/vx.out" 2>&1
        "$KAGO" --root "$ROOT" start vx
        for i in $(seq 1200); do grep -q guest-up "$BATS_FILE_TMPDIR/vx.out" && break; sleep 0.1; done
}

teardown_file() {
        "$KAGO" --root "$ROOT" delete --force vx 2>/dev/null || true
}

setup() { :; }
teardown() { :; }

requires_vx() {
        requires root kvm
        [ -r "$KAGO_VM_KERNEL" ] || skip "no guest kernel at $KAGO_VM_KERNEL (make kernel)"
        grep -q guest-up "$BATS_FILE_TMPDIR/vx.out" || {
                cat "$BATS_FILE_TMPDIR/vx.out"
                false
        }
}

# Lines of the guest's `ps` (busybox: PID USER TIME COMMAND) running ARGS.
guest_ps_count() {
        kg exec vx ps | grep -c -- " $*\$" || true
}

@test "vm exec: runs in the guest with the container's environment; stdout, stderr and status come back apart" {
        requires_vx
        [ "$(stat -c %a "$ROOT/vx/vmm.sock")" = 600 ]
        run --separate-stderr kg exec vx sh -c 'grep -o rdinit=/init /proc/cmdline; echo $FROM_CONFIG; echo to-stderr >&2; exit 3'
        [ "$status" -eq 3 ]
        [ "$output" = "rdinit=/init
yes" ]
        [ "$stderr" = to-stderr ]
}

@test "vm exec: --env, --cwd, --user and --additional-gids apply in the guest" {
        requires_vx
        run kg exec --env A=b --cwd /tmp -u 1000:1000 --additional-gids 5,7 vx sh -c 'echo $A; pwd; id -u; id -G'
        [ "$status" -eq 0 ]
        [ "$output" = "b
/tmp
1000
1000 5 7" ]
}

# The capability sets and NoNewPrivs of a guest process, from its status.
guest_caps() {
        kg exec "$@" grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status |
                awk '{ printf "%s%s", sep, $2; sep = " " } END { print "" }'
}

@test "vm exec: process.capabilities and noNewPrivileges hold in the guest; --cap adds one" {
        requires_vx
        # The container's: AUDIT_WRITE (29), KILL (5), NET_BIND_SERVICE (10);
        # inheritable and ambient empty; no_new_privs.
        [ "$(guest_caps vx)" = "0000000000000000 0000000020000420 0000000020000420 0000000020000420 0000000000000000 1" ]
        # The workload has them too.
        local wl
        wl=$(kg ps vx | awk '$4 == "sleep" && $5 == 100000 { print $1 }')
        run kg exec vx grep -E '^(CapEff|NoNewPrivs):' "/proc/$wl/status"
        echo "workload $wl: $output"
        [ "$(echo $output)" = "CapEff: 0000000020000420 NoNewPrivs: 1" ]
        # --cap CAP_SYS_ADMIN (21) joins every set, as for a container.
        [ "$(guest_caps --cap CAP_SYS_ADMIN vx)" = "0000000000200000 0000000020200420 0000000020200420 0000000020200420 0000000000200000 1" ]
        run kg exec vx hostname guest-renamed
        [ "$status" -ne 0 ]
        kg exec --cap CAP_SYS_ADMIN vx sh -c 'hostname guest-renamed; hostname vx'
        # A --process of its own: CAP_CHOWN (0) only, no_new_privs off.
        jq '.process | .capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"],
                permitted: ["CAP_CHOWN"]} | .noNewPrivileges = false | .args = ["grep", "-E",
                "^(CapEff|NoNewPrivs):", "/proc/self/status"]' "$BATS_FILE_TMPDIR/vm/config.json" \
                >"$BATS_TEST_TMPDIR/process.json"
        run kg exec --process "$BATS_TEST_TMPDIR/process.json" vx
        [ "$status" -eq 0 ]
        [ "$(echo $output)" = "CapEff: 0000000000000001 NoNewPrivs: 0" ]
}

@test "vm exec: exit statuses 127 (no such command), 126 (not executable), 137 (killed)" {
        requires_vx
        run -127 kg exec vx no-such-command
        [[ "$output" == *"no-such-command"* ]]
        run -126 kg exec vx /etc/passwd
        run kg exec vx sh -c 'kill -9 $$'
        [ "$status" -eq 137 ]
}

@test "vm exec: stdin reaches the process to its end; a megabyte goes each way intact" {
        requires_vx
        run sh -c 'echo hello | "$1" --root "$2" exec vx cat' sh "$KAGO" "$ROOT"
        [ "$output" = hello ]
        head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/mb"
        want=$(md5sum <"$BATS_TEST_TMPDIR/mb" | cut -d' ' -f1)
        got=$(kg exec vx md5sum <"$BATS_TEST_TMPDIR/mb" | cut -d' ' -f1)
        [ "$got" = "$want" ]
        [ "$(kg exec vx head -c 1048576 /dev/zero | wc -c)" = 1048576 ]
}

@test "vm exec: a signal to kago exec reaches the guest process" {
        requires_vx
        local out=$BATS_TEST_TMPDIR/out
        "$KAGO" --root "$ROOT" exec vx sh -c 'trap "echo got-term; exit 7" TERM; echo armed; while :; do sleep 0.1; done' \
                </dev/null >"$out" 2>&1 &
        local p=$!
        for i in $(seq 600); do grep -q armed "$out" && break; sleep 0.1; done
        grep -q armed "$out"
        kill -TERM "$p"
        local rc=0
        wait "$p" || rc=$?
        echo "status $rc"; cat "$out"
        [ "$rc" -eq 7 ]
        grep -q got-term "$out"
}

@test "vm exec: a reader that falls behind or a process that reads no stdin stalls no other exec" {
        requires_vx
        local out=$BATS_TEST_TMPDIR/slow
        # 8 MB of output read only after 20 s; 1 MB of stdin nobody reads for 20 s.
        (kg exec vx head -c 8000000 /dev/zero | (sleep 20; wc -c >"$out")) &
        local slow=$!
        (head -c 1000000 /dev/zero | kg exec vx sh -c 'sleep 20; wc -c' >"$out.in") &
        local deaf=$!
        sleep 3
        SECONDS=0
        run timeout 15 "$KAGO" --root "$ROOT" exec vx echo alive
        echo "answered in ${SECONDS}s"
        [ "$output" = alive ]
        wait "$slow" "$deaf"
        [ "$(cat "$out")" = 8000000 ]
        [ "$(tr -d ' ' <"$out.in")" = 1000000 ]
}

@test "vm exec: --detach --pid-file names the stand-in in the container's cgroup; killing it ends the guest process" {
        requires_vx
        kg exec -d --pid-file "$BATS_TEST_TMPDIR/pid" vx sleep 4242 </dev/null >/dev/null 2>&1
        local pid
        pid=$(cat "$BATS_TEST_TMPDIR/pid")
        grep -qx "$pid" "$(cgroup_dir_of vx)/cgroup.procs"
        [ "$(guest_ps_count sleep 4242)" -eq 1 ]
        kill -KILL "$pid"
        for i in $(seq 100); do [ "$(guest_ps_count sleep 4242)" -eq 0 ] && break; sleep 0.2; done
        [ "$(guest_ps_count sleep 4242)" -eq 0 ]
}

@test "vm exec: --tty gives a guest terminal whose size follows the host's, via --console-socket or kago's proxy" {
        requires_vx
        sock=$(mktemp -u /tmp/kago-console.XXXXXX)
        WINSIZE=40x132 /usr/bin/python3 "$KAGO_SRC/tests/fixtures/console-socket.py" "$sock" \
                "$BATS_TEST_TMPDIR/tty" --record $'stty size; tty; exit\n' &
        rpid=$!
        for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
        run kg exec -t -d --console-socket "$sock" vx sh
        [ "$status" -eq 0 ]
        wait "$rpid"
        rm -f "$sock"
        cat "$BATS_TEST_TMPDIR/tty"
        grep -q '^40 132' "$BATS_TEST_TMPDIR/tty"
        grep -q '^/dev/pts/' "$BATS_TEST_TMPDIR/tty"
        run kg exec -t vx sh -c '[ -t 0 ] && [ -t 1 ] && echo on-a-tty; exit 4'
        [ "$status" -eq 4 ]
        [[ "$output" == *on-a-tty* ]]
}

@test "vm exec: bad arguments, --preserve-fds and a paused VM are refused with the reason" {
        requires_vx
        run kg exec --cwd relative vx true
        [ "$status" -eq 255 ]
        [[ "$output" == *'--cwd: "relative" is not an absolute path'* ]]
        run kg exec -u someone vx true
        [ "$status" -eq 255 ]
        [[ "$output" == *'--user: "someone" is not uid[:gid]'* ]]
        run kg exec vx
        [ "$status" -ne 0 ]
        [[ "$output" == *"no command"* ]]
        run kg exec --preserve-fds 1 vx true 3</dev/null
        [ "$status" -eq 255 ]
        [[ "$output" == *"--preserve-fds 1: the process runs in the microVM's guest"* ]]
        kg pause vx
        run kg exec --ignore-paused vx true
        kg resume vx
        [ "$status" -eq 255 ]
        [[ "$output" == *'container "vx" is paused: its microVM'*'resume it first'* ]]
        run kg exec vx echo still-serving
        [ "$output" = still-serving ]
}

@test "vm ps: the table lists the guest's processes, JSON the host pids; ps(1) options are refused" {
        requires_vx
        kg exec -d vx sleep 4545 </dev/null >/dev/null 2>&1
        run kg ps vx
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "    PID    PPID     UID  CMD" ]
        [[ "$output" == *"      1       0       0  /init"* ]]
        [[ "$output" == *"  sleep 4545"* ]]
        [[ "$output" == *"  sleep 100000"* ]]
        local pid
        pid=$(awk '$4 == "sleep" && $5 == 4545 { print $1 }' <<<"$output")
        # JSON stays the host pids engines expect: the VMM's among them.
        kg ps --format json vx | jq -e --argjson p "$(kg state vx | jq .pid)" 'index($p) != null'
        run kg ps vx -ef
        [ "$status" -ne 0 ]
        [[ "$output" == *'container "vx" runs as a microVM: its guest'*'takes no ps(1) options (got "-ef")'* ]]
        kg exec vx pkill -f 'sleep 4545' || kg exec vx kill "$pid"
}

@test "vm events --stats: the guest's own memory and CPU figures beside the cgroup's" {
        requires_vx
        run kg events --stats vx
        [ "$status" -eq 0 ]
        echo "$output"
        jq -e '.data["kago.guest"] as $g | .data.cpu.usage.total > 0 and $g.memory.total > 0
                and $g.memory.available <= $g.memory.total and $g.cpu.idle > 0 and $g.tasks > 0' <<<"$output"
        local kib
        kib=$(kg exec vx awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
        [ "$(jq '.data["kago.guest"].memory.total' <<<"$output")" -eq $((kib * 1024)) ]
}

guest_mem_mib() {
        echo $(($(kg exec vx awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024))
}

@test "vm update: --memory resizes the guest through its balloon, and the cgroup limit follows" {
        requires_vx
        local full
        full=$(guest_mem_mib)
        # 100 MiB less the VMM's 8 MiB: the 128 MiB guest gives 36 MiB back.
        kg update --memory 100M vx
        [ "$(cat "$(cgroup_dir_of vx)/memory.max")" = 104857600 ]
        local small
        small=$(guest_mem_mib)
        echo "guest MemTotal: $full MiB, then $small MiB"
        [ $((full - small)) -ge 34 ] && [ $((full - small)) -le 38 ]
        kg update --memory 1G vx
        [ "$(guest_mem_mib)" -eq "$full" ]
        # A guest that uses most of its memory cannot give it back.
        kg exec vx sh -c 'head -c 60000000 /dev/zero >/dev/shm/fill'
        run kg update --memory 60M vx
        [ "$status" -ne 0 ]
        [[ "$output" == *"--memory: the guest would keep 52 MiB, but it uses more"* ]]
        [[ "$output" == *"(limits unchanged)"* ]]
        [ "$(cat "$(cgroup_dir_of vx)/memory.max")" = 1073741824 ]
        kg exec vx rm /dev/shm/fill
        [ "$(guest_mem_mib)" -eq "$full" ]
}

@test "vm exec: a VMM killed under a running exec ends it (137), and delete leaves nothing behind" {
        requires_vx
        "$KAGO" --root "$ROOT" exec vx sleep 4343 </dev/null >/dev/null 2>&1 &
        local p=$!
        for i in $(seq 100); do [ "$(guest_ps_count sleep 4343)" -eq 1 ] && break; sleep 0.2; done
        kill -KILL "$(kg state vx | jq .pid)"
        local rc=0
        wait "$p" || rc=$?
        [ "$rc" -eq 137 ]
        kg delete --force vx
        assert_gone vx
        run pgrep -f 'exec vx sleep 4343'
        [ "$status" -eq 1 ]
}
