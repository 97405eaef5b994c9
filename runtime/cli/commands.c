/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command table: one line per command, each implemented in its cmd_*.c. */
#include "cli.h"

const struct kago_command kago_commands[] = {
        { "help", "show the commands, or one command's options", "[COMMAND]\n", cmd_help },
        { "spec", "write a default config.json into a bundle", "[--bundle DIR] [--rootless]\n\n  -b, --bundle DIR  the bundle directory (default: the current directory)\n  --rootless        a config for an unprivileged user: user namespace, host network\n", cmd_spec },
        { "features", "print the runtime-spec features document (JSON)", "\n", cmd_features },
        { "create", "create a container: build its sandbox, leave it waiting for start", "[options] ID\n\nOptions:\n" CREATE_USAGE_OPTIONS, cmd_create },
        { "start", "start a created container", "ID\n", cmd_start },
        { "state", "print a container's OCI state as JSON", "ID\n", cmd_state },
        { "kill", "signal a container's init (--all: all its processes)", "[--all|-a] ID [SIGNAL]\n\nSIGNAL: a number or a name, with or without SIG (default TERM).\n", cmd_kill },
        { "delete", "delete a stopped container (--force: any container)", "[--force|-f] ID\n", cmd_delete },
        { "run", "create and start a container; in the foreground, wait for it", "[options] ID\n"
          "       kago run --rootfs DIR [options] [--] [COMMAND [ARG...]]\n\nOptions:\n" CREATE_USAGE_OPTIONS RUN_USAGE_OPTIONS
          "\nA directory without a bundle (--rootfs): kago's default config (kago spec) built in\n"
          "memory; COMMAND defaults to /bin/sh, with a terminal when stdin is one.\n"
          "  --rootfs DIR, -D DIR     the tree to run (the container's bundle is DIR)\n"
          "  -M, --machine NAME       the container id (default: DIR's name and a random suffix)\n"
          "  --bind SRC[:DST]         bind SRC from the host at DST (default SRC), read-write\n"
          "  --bind-ro SRC[:DST]      the same, read-only\n"
          "  --tmpfs DST              a fresh tmpfs at DST\n"
          "  -x, --ephemeral          run on a throwaway overlay (tmpfs upper): DIR is untouched\n"
          "  --read-only              the root is read-only\n"
          "  -E, --setenv KEY=VALUE   set an environment variable (repeatable)\n"
          "  --chdir DIR              working directory in the container\n"
          "  -u, --user UID[:GID]     run as this user (numbers)\n"
          "  --hostname NAME          the hostname (default: the container id)\n"
          "  --memory SIZE            memory limit (K, M, G suffixes)\n"
          "  --cpus N                 CPU time limit in CPUs (1.5: one and a half)\n"
          "  --pids N                 maximum number of processes\n"
          "  --network-veth           a veth pair: eth0 in the container, kg<hash>-0 on the host\n"
          "  --network-bridge BR      the same, the host end a port of bridge BR\n"
          "  --network MODE           kago.net: none, loopback, veth, bridge:BR[:vlan=N],\n"
          "                           ovs:BR[:vlan=N|:trunks=N,M,...]\n"
          "  --annotation KEY=VALUE   a config annotation (kago.net.address=10.0.0.2/24, ...)\n"
          "  -b, --boot               run the tree's init (systemd) as PID 1; the arguments after\n"
          "                           -- go to it; SIGTERM halts it, its reboot runs it again\n"
          "  --register               register with systemd-machined (kago.machined=true;\n"
          "                           needs --systemd-cgroup)\n"
          "  --vm-cpus N, --vm-memory SIZE, --vm-kernel FILE\n"
          "                           the microVM's size and kernel (each implies --vm)\n"
          "  -d, --detach, --keep, --pid-file FILE   as for a bundle\n"
          "  --print-spec             print the config.json it would use and exit\n"
          "  --save-bundle DIR        write DIR/config.json (root.path: the tree) and exit\n", cmd_run },
        { "list", "list containers", "[--format table|json] [-q|--quiet]\n", cmd_list },
        { "ps", "list a container's processes", "[--format table|json] ID [-- PS-ARGS...]\n", cmd_ps },
        { "pause", "freeze every process of a container", "[--timeout DURATION] ID\n\n  -t, --timeout DURATION  give up (and thaw again) after DURATION (default 10s)\n", cmd_pause },
        { "resume", "thaw a paused container", "[--timeout DURATION] ID\n\n  -t, --timeout DURATION  wait at most DURATION for the thaw (default 10s)\n", cmd_resume },
        { "update", "change a container's resource limits live", "[--resources FILE|-] [options] ID\n\n  -r, --resources FILE     linux.resources JSON (\"-\": stdin); flags below override it\n  --memory BYTES           memory limit (k, m, g suffixes; -1: unlimited)\n  --memory-reservation BYTES  memory.low\n  --memory-swap BYTES      memory plus swap (-1: unlimited)\n  --cpu-shares N           relative weight (2..262144)\n  --cpu-quota USEC         CPU time per period (-1: unlimited)\n  --cpu-period USEC        the period of --cpu-quota\n  --cpu-burst USEC         burst above the quota\n  --cpuset-cpus LIST       CPUs to run on (0-3,7)\n  --cpuset-mems LIST       memory nodes\n  --pids-limit N           maximum processes (-1: unlimited)\n  --blkio-weight N         I/O weight (10..1000)\n", cmd_update },
        { "events", "container stats and OOM events as JSON lines", "[--interval DURATION] [--stats] ID\n\n  --interval DURATION  time between stats (default 5s)\n  --stats              print the stats once and exit\n", cmd_events },
        { "exec", "run a process in a running container", "[options] ID [COMMAND [ARG...]]\n\nOptions:\n  -p, --process FILE       the process (runtime-spec process JSON) instead of COMMAND\n  -t, --tty                give the process a terminal\n  --console-socket SOCK    send the terminal's pty master to the unix socket SOCK\n  -d, --detach             return once the process runs\n  --pid-file FILE          write the process's pid to FILE\n  --cwd DIR                working directory in the container\n  -e, --env KEY=VALUE      set an environment variable (repeatable)\n  -u, --user UID[:GID]     run as this user\n  -g, --additional-gids G  additional groups (repeatable, or comma-separated)\n  -c, --cap CAP            add a capability (repeatable)\n  --no-new-privs           set no_new_privs\n  --preserve-fds N         pass fds 3..3+N-1 to the process\n  --process-label LABEL    SELinux label of the process\n  --apparmor PROFILE       AppArmor profile of the process\n  --ignore-paused          exec even when the container is paused\n", cmd_exec },
        { "checkpoint", "save a running container into an image directory (CRIU)", "[options] ID\n\nOptions:\n" CRIU_FLAGS_USAGE
          "  --leave-running          keep the container running after the checkpoint\n"
          "  --pre-dump               save only memory, for a later checkpoint with --parent-path\n"
          "  --parent-path DIR        the pre-dump this checkpoint builds on (absolute, or relative\n"
          "                           to the image path)\n"
          "  --page-server ADDR:PORT  send memory to a CRIU page server instead of the image\n"
          "  --status-fd FD           with --lazy-pages: CRIU writes one byte to FD when ready\n"
          "  --auto-dedup             free pre-dump pages the new image repeats\n"
          "  --link-remap             save open files that were deleted, as links\n"
          "  --tcp-skip-in-flight     drop TCP connections still being set up\n"
          "\nAfterwards the container is deleted, unless --leave-running or --pre-dump.\n", cmd_checkpoint },
        { "restore", "create and start a container from a checkpoint image", "[options] ID\n\nOptions:\n" CRIU_FLAGS_USAGE
          "  -b, --bundle DIR         the new container's bundle (default: the current directory)\n"
          "  -d, --detach             return once the container runs (else wait for it, like run)\n"
          "  --pid-file FILE          write the restored init's pid to FILE\n"
          "  --console-socket SOCK    send the terminal's pty master to the unix socket SOCK\n"
          "  --no-subreaper           in the foreground, do not adopt the container's orphans\n"
          "  --no-pivot               accepted for runc's callers: CRIU restores the root itself\n"
          "  --tcp-close              close the image's TCP connections instead of restoring them\n"
          "  --check                  only check the image (its kago-checkpoint.json; a microVM's\n"
          "                           snapshot) against this host, the bundle and CRIU; print the\n"
          "                           checks as a table\n"
          "  --clone                  restore a microVM image that was restored before: an\n"
          "                           independent clone, with a fresh random seed\n"
          "  --prefault               a microVM's memory read in whole before it runs, not as\n"
          "                           the guest first touches each page\n"
          "  --lsm-profile TYPE:NAME  the LSM profile of the restored processes\n"
          "  --lsm-mount-context CTX  the SELinux mount context of restored mounts\n", cmd_restore },
        { NULL, NULL, NULL, NULL },
};
