# Helpers for the cgroup suites (pause, update, events, cgroups): load with
# `load cgroup_helpers` after container_helpers.
#
#   cgroup_root        where cgroup2 is mounted (/sys/fs/cgroup, or the hybrid
#                      host's /sys/fs/cgroup/unified)
#   cgroup_dir_of ID   the directory of container ID's cgroup (from its state)
#   cg_file ID FILE    the content of FILE in that cgroup

cgroup_root() {
        if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
                echo /sys/fs/cgroup
        else
                echo /sys/fs/cgroup/unified
        fi
}

cgroup_dir_of() {
        echo "$(cgroup_root)$(jq -r .cgroupPath "$ROOT/$1/state.json")"
}

cg_file() {
        cat "$(cgroup_dir_of "$1")/$2"
}
