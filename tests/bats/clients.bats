#!/usr/bin/env bats
# Real engines with kago as their OCI runtime, on this host (issue 11, design
# §4): Debian's podman 4.3 (with conmon), containerd 1.6 through ctr, and
# docker 20.10 (dockerd with kago added as a runtime). Every
# step runs with runc and then with kago in the same run and compares exit
# status and output, so a difference fails naming both outcomes; a step that
# fails for runc too on this host holds when kago fails the same way.
#
# Each engine has its own root under a directory of this suite (podman:
# --root/--runroot/--tmpdir, vfs storage, cgroupfs, file events; containerd:
# its own config, tests/clients/containerd.toml; dockerd: its own data and
# exec roots, no network setup, cgroups under kagotest-docker; both started
# here and stopped by pid). After every test nothing is left: no container, no runtime state, no
# cgroup, no process, no mount. Skipped in the test VM, where the engines are
# not set up.

load helpers
load ../clients/helpers

IMG=localhost/kago-busybox:1

setup_file() {
        [ -e /run/kago-vm ] && return 0
        [ "$(id -u)" = 0 ] || return 0
        command -v podman >/dev/null && command -v containerd >/dev/null || return 0
        clients_setup_file
}

teardown_file() {
        clients_teardown_file
}

setup() {
        clients_require
}

teardown() {
        [ -n "${CLIENTS_DIR:-}" ] || return 0
        clients_check_clean
}

# Steps: small commands whose stdout is what both runtimes must agree on.
pm_id_quiet() { pm_run run -d --name "$1" "${@:2}" >/dev/null; }
pm_quiet() { pm "$@" >/dev/null; }
pm_rm() { pm rm -f -t 0 "$@" >/dev/null; }
pm_exec_t() { pm exec -t "$@"; }
pm_exec_it() { script -qec "$(printf '%q ' podman --root "$CLIENTS_DIR/podman-$RT/root" \
        --runroot "$CLIENTS_DIR/podman-$RT/runroot" --tmpdir "$CLIENTS_DIR/podman-$RT/tmp" \
        --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
        --conmon /usr/bin/conmon --runtime "$(rt_bin)" exec -it "$@")" /dev/null; }
pm_wait_status() {
        local name=$1 want=$2 end=$((SECONDS + 30))
        while [ "$(pm inspect --format '{{.State.Status}}' "$name")" != "$want" ] && [ $SECONDS -lt $end ]; do
                sleep 0.2
        done
        pm_status "$name"
}
pm_stats() {
        pm stats --no-stream --format '{{.ContainerStats.PIDs}} {{.ContainerStats.MemUsage}}' "$1" |
                awk '{ print "pids " $1 ", memory under 2 MiB: " ($2 > 0 && $2 < 2097152) }'
}
pm_cgroup() {
        pm exec "$1" cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
                /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null ||
                pm exec "$1" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
}

@test "podman: run prints the workload's output and exits with its status" {
        step "run echo" pm_run run --rm "$IMG" echo hello from podman
        [ "$OUT_runc" = "hello from podman" ] # the setup works: runc runs it
        step "run exit 7" pm_run run --rm "$IMG" sh -c 'echo out; echo err >&2; exit 7'
        [ "$RC_runc" = 7 ]
        step "run killed by a signal" pm_run run --rm "$IMG" sh -c 'kill -9 $$'
        step "run a process with its own cwd, env and user" \
                pm_run run --rm -w /tmp -e FOO=bar -u 65534:65534 "$IMG" sh -c 'pwd; echo $FOO; id'
}

# 126 for a file that is not executable, 127 for a missing path or
# command, through RUNNER (pm_run, dk_run) and image IMAGE.
exit_code_steps() {
        local runner=$1 image=$2
        STEP_STDOUT=0 step "run a file that is not executable" "$runner" run --rm "$image" /etc/passwd
        [ "$RC_runc" = 126 ]
        STEP_STDOUT=0 step "run a path that does not exist" "$runner" run --rm "$image" /no/such/file
        [ "$RC_runc" = 127 ]
        STEP_STDOUT=0 step "run a command not in PATH" "$runner" run --rm "$image" no-such-command
        [ "$RC_runc" = 127 ]
}

@test "podman: exit codes 126 (not executable) and 127 (no such command)" {
        exit_code_steps pm_run "$IMG"
}

@test "podman: run -d, exec, exec -t, exec -it, top" {
        step "run -d" pm_id_quiet c1 "$IMG" sleep 1000
        step "status" pm_wait_status c1 running
        step "exec" pm exec c1 sh -c 'echo in c1; exit 5'
        [ "$RC_runc" = 5 ]
        step "exec with env, cwd and user" pm exec -e A=b -w /tmp -u 65534 c1 sh -c 'echo $A; pwd; id -u'
        STEP_STDOUT=0 step "exec of a missing command" pm exec c1 no-such-command
        STEP_STDOUT=0 step "exec of a file that is not executable" pm exec c1 /etc/passwd
        step "exec -t" pm_exec_t c1 sh -c '[ -t 0 ] && [ -t 1 ] && tty | sed "s/[0-9]*$/N/"'
        step "exec -it through a terminal" pm_exec_it c1 sh -c 'read -t 5 x; [ -t 0 ] && echo tty; exit 3'
        step "top" pm top c1 pid user args
        step "rm -f" pm_rm c1
}

@test "podman: pause and unpause, update, stats" {
        step "run -d" pm_id_quiet c2 "$IMG" sleep 1000
        step "pause" pm pause c2
        step "paused" pm_wait_status c2 paused
        step "stats of a paused container" pm_stats c2
        step "unpause" pm unpause c2
        step "running again" pm_wait_status c2 running
        step "stats" pm_stats c2
        step "update --memory --cpu-quota" pm_quiet update --memory 64m --cpu-period 100000 --cpu-quota 50000 c2
        step "the cgroup after update" pm_cgroup c2
        step "exec after update" pm exec c2 echo still here
        step "rm -f" pm_rm c2
}

@test "podman: --memory, --pids-limit, --device /dev/fuse, --privileged" {
        [ -c /dev/fuse ] || modprobe fuse
        step "--memory --pids-limit at run" pm_run run --rm --memory 32m --pids-limit 50 "$IMG" sh -c \
                'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null ||
                 cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
        step "--device /dev/fuse" pm_run run --rm --device /dev/fuse "$IMG" sh -c \
                'ls -l /dev/fuse | cut -c1-10; exec 3<>/dev/fuse && echo opened'
        [ "$OUT_runc" = "$(printf 'crw-rw-rw-\nopened')" ] || [ "$RC_runc" = 0 ]
        step "no /dev/fuse without --device" pm_run run --rm "$IMG" sh -c 'ls /dev/fuse'
        step "--privileged" pm_run run --rm --privileged "$IMG" sh -c \
                'grep -E "^Cap(Eff|Bnd)" /proc/self/status; [ -e /dev/fuse ] && echo has-fuse;
                 mount -t tmpfs t /tmp && echo mounted; grep -c . /proc/self/attr/current 2>/dev/null; echo done'
        step "unprivileged cannot mount" pm_run run --rm "$IMG" sh -c 'mount -t tmpfs t /tmp 2>&1 || echo refused'
}

@test "podman: stop, start, restart, kill, rm" {
        step "run -d" pm_id_quiet c3 "$IMG" sh -c 'trap "exit 3" TERM; while :; do sleep 0.2; done'
        step "stop (the workload exits on TERM)" pm stop -t 20 c3
        step "stopped" pm_wait_status c3 exited
        step "start" pm start c3
        step "started" pm_wait_status c3 running
        step "restart" pm restart -t 20 c3
        step "restarted" pm_wait_status c3 running
        step "kill -s KILL" pm kill -s KILL c3
        step "wait" pm wait c3
        step "killed" pm_wait_status c3 exited
        STEP_STDOUT=0 step "kill of a stopped container" pm kill c3
        step "rm" pm rm c3
        STEP_STDOUT=0 step "inspect after rm" pm inspect c3
        step "run -d sleep" pm_id_quiet c4 "$IMG" sleep 1000
        step "stop a workload that ignores TERM" pm stop -t 1 c4
        step "stopped with SIGKILL" pm_wait_status c4 exited
        step "rm" pm rm c4
}

# ctr: the rootfs is a directory (--rootfs), no image; the task runs
# /bin/... by path, since ctr without an image sets no PATH.
ctr_rm() {
        cctr task delete "$1" >/dev/null
        cctr container delete "$1"
}
ctr_metrics() {
        cctr task metrics --format json "$1" | jq -c '{pids: .pids.current,
                memory_set: (.memory.usage.usage > 0), memory_under_2MiB: (.memory.usage.usage < 2097152),
                cpu_set: (.cpu.usage.total > 0), sections: (keys | sort)}'
}
ctr_ps() {
        cctr task ps "$1" | tail -n +2 | wc -l
}
ctr_state() {
        ctr_wait_status "$1" "$2" && echo "$2"
}

@test "ctr: run --rm with --rootfs prints the output and exits with the status" {
        step "run --rm" ctr_run --rm k1 /bin/sh -c 'echo hi from ctr; id -u; pwd'
        [ "$OUT_runc" = "$(printf 'hi from ctr\n0\n/')" ]
        step "run --rm, exit 3" ctr_run --rm k1 /bin/sh -c 'exit 3'
        [ "$RC_runc" = 3 ]
        step "run --rm, killed by a signal" ctr_run --rm k1 /bin/sh -c 'kill -9 $$'
        STEP_STDOUT=0 step "run --rm of a missing path" ctr_run --rm k1 /no/such/file
        RT=runc cctr container delete k1 >/dev/null 2>&1 || true
        RT=kago cctr container delete k1 >/dev/null 2>&1 || true
        STEP_STDOUT=0 step "run --rm of a file that is not executable" ctr_run --rm k1 /etc/passwd
        RT=runc cctr container delete k1 >/dev/null 2>&1 || true
        RT=kago cctr container delete k1 >/dev/null 2>&1 || true
}

@test "ctr: run -d, exec, ps, pause and resume, metrics, kill, delete" {
        step "run -d" ctr_run -d --null-io k2 /bin/sleep 1000
        step "running" ctr_state k2 RUNNING
        step "exec" cctr task exec --exec-id e1 k2 /bin/sh -c 'echo exec in $(hostname); exit 4'
        [ "$RC_runc" = 4 ]
        STEP_STDOUT=0 step "exec of a missing path" cctr task exec --exec-id e2 k2 /no/such/file
        step "task ps" ctr_ps k2
        step "metrics" ctr_metrics k2
        step "pause" cctr task pause k2
        step "paused" ctr_state k2 PAUSED
        step "resume" cctr task resume k2
        step "running again" ctr_state k2 RUNNING
        step "exec after resume" cctr task exec --exec-id e3 k2 /bin/echo back
        step "kill -s KILL" cctr task kill -s KILL k2
        step "stopped" ctr_state k2 STOPPED
        step "delete" ctr_rm k2
}

# docker: both runtimes' containers share one dockerd, so each name gets
# the runtime as a suffix (dkx's @NAME); run -d prints a random id, dropped.
dk_id_quiet() { dk_run run -d --name "@$1" "${@:2}" >/dev/null; }
dk_wait_status() {
        local name=$1 want=$2 end=$((SECONDS + 30))
        while [ "$(dkx inspect --format '{{.State.Status}}' "@$name")" != "$want" ] && [ $SECONDS -lt $end ]; do
                sleep 0.2
        done
        dk_status "@$name"
}
dk_stats() {
        dkx stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "@$1" | awk '{
                v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
                f = u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : 1
                print "pids " $1 ", memory under 2 MiB: " (v * f > 0 && v * f < 2097152) }'
}
dk_top() {
        dkx top "@$1" | awk 'NR > 1 { print $(NF - 1), $NF }'
}
dk_cgroup() {
        dkx exec "@$1" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
                /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null ||
                cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max'
}
DIMG=kago-busybox:1

@test "docker: run prints the output and exits with the status; 126, 127" {
        step "run echo" dk_run run --rm "$DIMG" echo hello from docker
        [ "$OUT_runc" = "hello from docker" ] # the setup works: runc runs it
        step "run exit 7" dk_run run --rm "$DIMG" sh -c 'echo out; echo err >&2; exit 7'
        [ "$RC_runc" = 7 ]
        step "run killed by a signal" dk_run run --rm "$DIMG" sh -c 'kill -9 $$'
        step "run a process with its own cwd, env and user" \
                dk_run run --rm -w /tmp -e FOO=bar -u 65534:65534 "$DIMG" sh -c 'pwd; echo $FOO; id'
        exit_code_steps dk_run "$DIMG"
}

@test "docker: run -d, exec, exec -t, top, pause and unpause, stats, update" {
        step "run -d" dk_id_quiet d1 --memory 64m --pids-limit 100 "$DIMG" sleep 1000
        step "status" dk_wait_status d1 running
        step "exec" dkx exec @d1 sh -c 'echo in d1; exit 5'
        [ "$RC_runc" = 5 ]
        step "exec with env, cwd and user" dkx exec -e A=b -w /tmp -u 65534 @d1 sh -c 'echo $A; pwd; id -u'
        STEP_STDOUT=0 step "exec of a missing command" dkx exec @d1 no-such-command
        STEP_STDOUT=0 step "exec of a file that is not executable" dkx exec @d1 /etc/passwd
        step "exec -t" dkx exec -t @d1 sh -c '[ -t 0 ] && [ -t 1 ] && tty | sed "s/[0-9]*$/N/"'
        step "top" dk_top d1
        step "pause" dkx pause @d1
        step "paused" dk_wait_status d1 paused
        step "unpause" dkx unpause @d1
        step "running again" dk_wait_status d1 running
        step "stats" dk_stats d1
        step "update --memory --cpu-quota" dkx update --memory 128m --memory-swap 256m \
                --cpu-period 100000 --cpu-quota 50000 @d1
        step "the cgroup after update" dk_cgroup d1
        step "rm -f" dkx rm -f @d1
}

@test "docker: --device /dev/fuse, --privileged; stop, start, restart, kill, rm" {
        [ -c /dev/fuse ] || modprobe fuse
        step "--device /dev/fuse" dk_run run --rm --device /dev/fuse "$DIMG" sh -c \
                'ls -l /dev/fuse | cut -c1-10; exec 3<>/dev/fuse && echo opened'
        step "no /dev/fuse without --device" dk_run run --rm "$DIMG" sh -c 'ls /dev/fuse'
        STEP_STDOUT=0 step "--privileged" dk_run run --rm --privileged "$DIMG" sh -c \
                'grep -E "^Cap(Eff|Bnd)" /proc/self/status; mount -t tmpfs t /tmp && echo mounted'
        step "run -d" dk_id_quiet d2 "$DIMG" sh -c 'trap "exit 3" TERM; while :; do sleep 0.2; done'
        step "stop (the workload exits on TERM)" dkx stop -t 20 @d2
        step "stopped" dk_wait_status d2 exited
        step "start" dkx start @d2
        step "started" dk_wait_status d2 running
        step "restart" dkx restart -t 20 @d2
        step "restarted" dk_wait_status d2 running
        step "kill" dkx kill @d2
        step "wait" dkx wait @d2
        STEP_STDOUT=0 step "kill of a stopped container" dkx kill @d2
        step "rm" dkx rm @d2
        STEP_STDOUT=0 step "inspect after rm" dkx inspect @d2
}
