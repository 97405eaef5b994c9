# Helpers for tests/bats/clients.bats: real engines (podman, containerd's ctr,
# docker) with kago as their runtime, every step run with runc too and compared.
#
#   RT=runc|kago          the runtime the engine commands below use
#   rt_bin                the binary of $RT
#   pm ARGS...            podman with this suite's own root, runroot, tmpdir,
#                         vfs storage, cgroupfs, file events, Debian's conmon,
#                         --runtime $(rt_bin)
#   cctr ARGS...          ctr against this suite's own containerd, namespace
#                         kagotest-$RT
#   ctr_run [FLAG...] ID CMD...  ctr run with --runc-binary/--runc-root for
#                         $RT and a rootfs of its own (--rootfs)
#   dk ARGS...            docker against this suite's own dockerd (its own
#                         data and exec roots, no network setup, vfs storage,
#                         cgroups under kagotest-docker), which knows kago as
#                         the runtime "kago" beside its own "runc"
#   dkx ARGS...           dk with each @NAME argument made NAME-$RT
#   dk_run SUB ARGS...    dkx SUB (run, create) --network none --runtime $RT
#   step DESC CMD...      runs CMD with RT=runc, then RT=kago; fails naming both
#                         outcomes when their exit status or stdout differ.
#                         $STEP_NORM, when set, is a command stdout goes through
#                         before the comparison; $STEP_STDOUT=0 compares the
#                         exit status only. Leaves OUT_runc, OUT_kago, RC_runc,
#                         RC_kago.
#   clients_setup_file / clients_teardown_file / clients_check_clean

rt_bin() {
        case "$RT" in
        kago) echo "$KAGO" ;;
        runc) command -v runc ;;
        *) echo "RT is '$RT', not runc or kago" >&2; return 1 ;;
        esac
}

pm() {
        local d="$CLIENTS_DIR/podman-$RT"
        timeout 120 podman --root "$d/root" --runroot "$d/runroot" --tmpdir "$d/tmp" \
                --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
                --conmon /usr/bin/conmon --runtime "$(rt_bin)" "$@"
}

# podman run's options every container here gets: no network, the imported
# busybox image never pulled, and rlimits this host's root may set: podman's
# defaults (nofile 1048576, nproc 4194304) need CAP_SYS_RESOURCE, which it
# lacks here, and runc fails its create on them too.
pm_run() {
        local sub=$1
        shift
        pm "$sub" --network none --pull never \
                --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@"
}

# The status podman reports for container NAME.
pm_status() {
        pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1"
}

cctr() {
        timeout 120 ctr --address "$CLIENTS_DIR/containerd/containerd.sock" -n "kagotest-$RT" "$@"
}

ctr_run() {
        local flags=()
        while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
                flags+=("$1")
                shift
        done
        cctr run --runc-binary "$(rt_bin)" --runc-root "$CLIENTS_DIR/containerd/runc-root-$RT" \
                "${flags[@]}" --rootfs "$CLIENTS_DIR/containerd/rootfs-$RT" "$@"
}

dk() {
        timeout 120 /usr/bin/docker -H "unix://$CLIENTS_DIR/docker/docker.sock" "$@"
}

# dk with each argument @NAME made NAME-$RT: both runtimes' containers live
# in the one dockerd. Where docker echoes a name, NAME-$RT is NAME again.
dkx() {
        local a args=()
        for a in "$@"; do
                [ "${a#@}" != "$a" ] && a="${a#@}-$RT"
                args+=("$a")
        done
        dk "${args[@]}" | sed "s/^\([a-z0-9]*\)-$RT\$/\1/"
        return "${PIPESTATUS[0]}"
}

dk_run() {
        local sub=$1
        shift
        dkx "$sub" --network none --runtime "$RT" "$@"
}

# The status docker reports for container @NAME.
dk_status() {
        dkx inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1"
}

# Starts this suite's dockerd (pid in docker/pid) and imports the image.
dockerd_start() {
        local d="$CLIENTS_DIR/docker"
        mkdir -p "$d"
        dockerd --data-root "$d/data" --exec-root "$d/exec" --host "unix://$d/docker.sock" \
                --pidfile "$d/dockerd.pid" --iptables=false --ip-forward=false --ip-masq=false \
                --bridge=none --storage-driver vfs --cgroup-parent /kagotest-docker \
                --add-runtime "kago=$KAGO" >"$d/log" 2>&1 &
        echo $! >"$d/pid"
        daemon_wait dockerd "$d" dk version || return 1
        dk import "$CLIENTS_DIR/rootfs.tar" kago-busybox:1 >/dev/null
}

# Waits up to 30 s for CMD to succeed against daemon NAME (its pid and log
# in DIR); fails with its log when it died or never answered.
daemon_wait() {
        local name=$1 dir=$2 i
        shift 2
        for ((i = 0; i < 300; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
                sleep 0.1
        done
        echo "$name did not come up:" >&2
        cat "$dir/log" >&2
        return 1
}

# Stops a daemon by the pid in FILE: TERM, then KILL after 10 s.
daemon_stop() {
        [ -f "$1" ] || return 0
        local pid i
        pid=$(cat "$1")
        kill "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
}

# The status of ctr task ID (RUNNING, PAUSED, STOPPED, ...).
ctr_status() {
        cctr task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# Polls until ctr task ID has STATUS (default 30 s).
ctr_wait_status() {
        local id=$1 want=$2 secs=${3:-30} i
        for ((i = 0; i < secs * 10; i++)); do
                [ "$(ctr_status "$id")" = "$want" ] && return 0
                sleep 0.1
        done
        echo "ctr task $id: status '$(ctr_status "$id")', wanted $want" >&2
        return 1
}

step() {
        local desc=$1 rt out err
        shift
        for rt in runc kago; do
                out="$BATS_TEST_TMPDIR/step.$rt.out"
                err="$BATS_TEST_TMPDIR/step.$rt.err"
                local rc=0
                RT=$rt "$@" </dev/null >"$out.raw" 2>"$err" || rc=$?
                printf -v "RC_$rt" %d "$rc"
                if [ -n "${STEP_NORM:-}" ]; then
                        $STEP_NORM <"$out.raw" >"$out"
                else
                        tr -d '\r' <"$out.raw" >"$out"
                fi
                printf -v "OUT_$rt" %s "$(cat "$out")"
        done
        if [ "$RC_runc" != "$RC_kago" ] ||
                { [ "${STEP_STDOUT:-1}" = 1 ] && [ "$OUT_runc" != "$OUT_kago" ]; }; then
                {
                        echo "step '$desc' differs: $*"
                        for rt in runc kago; do
                                local rcv="RC_$rt"
                                echo "--- $rt: exit ${!rcv}, stdout:"
                                cat "$BATS_TEST_TMPDIR/step.$rt.out"
                                echo "--- $rt: stderr:"
                                cat "$BATS_TEST_TMPDIR/step.$rt.err"
                        done
                } >&2
                return 1
        fi
        echo "step '$desc': both exit $RC_runc${OUT_runc:+, stdout: $OUT_runc}" >&3
}

clients_setup_file() {
        export CLIENTS_DIR
        CLIENTS_DIR=$(mktemp -d /tmp/kago-clients.XXXXXX) # short: socket paths under it
        "$KAGO_SRC/tests/bundle.sh" "$CLIENTS_DIR/bundle" true >/dev/null
        tar -C "$CLIENTS_DIR/bundle/rootfs" -cf "$CLIENTS_DIR/rootfs.tar" .
        local rt
        for rt in runc kago; do
                mkdir -p "$CLIENTS_DIR/podman-$rt"
                RT=$rt pm import -q "$CLIENTS_DIR/rootfs.tar" localhost/kago-busybox:1 >/dev/null
                mkdir -p "$CLIENTS_DIR/containerd"
                cp -a "$CLIENTS_DIR/bundle/rootfs" "$CLIENTS_DIR/containerd/rootfs-$rt"
        done
        local cd="$CLIENTS_DIR/containerd"
        sed "s|@DIR@|$cd|g" "$KAGO_SRC/tests/clients/containerd.toml" >"$cd/config.toml"
        containerd --config "$cd/config.toml" >"$cd/log" 2>&1 &
        echo $! >"$cd/pid"
        daemon_wait containerd "$cd" cctr version && dockerd_start
}

# Removes what a failed test left (podman containers, ctr tasks and
# containers), stops containerd by its pid, removes the directory.
clients_teardown_file() {
        [ -n "${CLIENTS_DIR:-}" ] && [ -d "$CLIENTS_DIR" ] || return 0
        clients_force_clean
        daemon_stop "$CLIENTS_DIR/docker/pid"
        daemon_stop "$CLIENTS_DIR/containerd/pid"
        # the engines' parent cgroups, named for this suite (empty by now)
        rmdir /sys/fs/cgroup/*/kagotest-* /sys/fs/cgroup/kagotest-* 2>/dev/null
        local m
        for m in $(awk -v d="$CLIENTS_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
                umount -l "$m" 2>/dev/null
        done
        rm -rf "$CLIENTS_DIR"
}

clients_force_clean() {
        local RT id
        [ -S "$CLIENTS_DIR/docker/docker.sock" ] && dk rm -f $(dk ps -aq) >/dev/null 2>&1
        for RT in runc kago; do
                [ -d "$CLIENTS_DIR/podman-$RT" ] || continue
                pm rm -a -f -t 0 >/dev/null 2>&1
                [ -S "$CLIENTS_DIR/containerd/containerd.sock" ] || continue
                for id in $(cctr task ls -q 2>/dev/null); do
                        cctr task kill -s KILL "$id" >/dev/null 2>&1
                        ctr_wait_status "$id" STOPPED 10 2>/dev/null
                        cctr task delete -f "$id" >/dev/null 2>&1
                done
                for id in $(cctr container ls -q 2>/dev/null); do
                        cctr container delete "$id" >/dev/null 2>&1
                done
        done
}

# Nothing of this test left: no podman or ctr containers, no runtime state
# for them (podman's runtimes keep theirs in their default roots, /run/runc
# and /run/kago; ctr's in runc-root-RT), no cgroup, no process started from
# CLIENTS_DIR but containerd, no mount under CLIENTS_DIR. Prints what it
# finds and cleans it up; returns 1 if there was anything.
clients_check_clean() {
        local left=() rt id ids
        for rt in runc kago; do
                ids=$(RT=$rt pm ps -aq --no-trunc 2>/dev/null)
                [ -z "$ids" ] || left+=("podman ($rt) containers: $ids")
                ids=$(RT=$rt cctr container ls -q 2>/dev/null)
                [ -z "$ids" ] || left+=("ctr ($rt) containers: $ids")
                # every container this podman ever made, from its events log
                for id in $(grep -ho '"ID":"[0-9a-f]\{64\}"' "$CLIENTS_DIR/podman-$rt/tmp/events/events.log" 2>/dev/null |
                        cut -d'"' -f4 | sort -u); do
                        [ ! -e "/run/$rt/$id" ] || left+=("$rt state /run/$rt/$id")
                done
                ids=$(ls -A "$CLIENTS_DIR/containerd/runc-root-$rt/kagotest-$rt" 2>/dev/null)
                [ -z "$ids" ] || left+=("$rt state under ctr's runc-root: $ids")
                ids=$(ls -A "$CLIENTS_DIR/docker/exec/runtime-$rt/moby" 2>/dev/null)
                [ -z "$ids" ] || left+=("$rt state under dockerd's exec root: $ids")
        done
        ids=$(dk ps -aq 2>/dev/null)
        [ -z "$ids" ] || left+=("docker containers: $ids")
        local cg
        for cg in /sys/fs/cgroup/*/libpod_parent/libpod-* /sys/fs/cgroup/libpod_parent/libpod-* \
                /sys/fs/cgroup/*/kagotest-*/* /sys/fs/cgroup/kagotest-*/*; do
                [ -d "$cg" ] && left+=("cgroup $cg")
        done
        local daemons p
        # containerd, dockerd and the containerd dockerd runs
        daemons=$(cat "$CLIENTS_DIR/containerd/pid" "$CLIENTS_DIR/docker/pid" 2>/dev/null;
                pgrep -P "$(cat "$CLIENTS_DIR/docker/pid" 2>/dev/null)" -x containerd)
        local i procs
        for ((i = 0; i < 100; i++)); do # conmon and shims exit just after the engine command
                procs=$(pgrep -f "$CLIENTS_DIR" | grep -vxF "$daemons")
                [ -z "$procs" ] && break
                sleep 0.1
        done
        for p in $procs; do
                [ -r "/proc/$p/cmdline" ] || continue
                left+=("process $p: $(tr '\0' ' ' <"/proc/$p/cmdline")")
        done
        local m
        for m in $(awk -v d="$CLIENTS_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo); do
                [ "$m" = "$CLIENTS_DIR/docker/data" ] && continue # dockerd's own, while it runs
                left+=("mount $m")
        done
        [ ${#left[@]} -eq 0 ] && return 0
        printf 'left behind: %s\n' "${left[@]}" >&2
        clients_force_clean
        return 1
}

# In the test VM (tests/vm mounts its share at /run/kago-vm) no engine is set
# up: skip there. On the host the engines are part of tests/deps.list, so a
# missing one fails.
clients_require() {
        [ -e /run/kago-vm ] && skip "podman, containerd and docker are not set up in the test VM (this suite runs on the host)"
        [ "$(id -u)" = 0 ] || skip "needs root"
        local b
        for b in podman conmon ctr containerd runc dockerd /usr/bin/docker; do
                command -v "$b" >/dev/null || {
                        echo "$b is missing: make deps (tests/deps.list installs podman, containerd and docker.io)" >&2
                        return 1
                }
        done
}
