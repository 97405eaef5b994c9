/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago-init's parts: the process description (init.c reads /kago.conf into
 * it, the agent an OPEN frame), the setup and exec of a process, and the
 * guest agent (agent.c) that starts processes for kago exec. Private to
 * microvm/guest/.
 */
#ifndef KAGO_GUEST_H
#define KAGO_GUEST_H

#include <poll.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "../guest_proto.h"

#define MAX_ARGS 1024
#define MAX_GROUPS 64
#define MAX_RLIMITS 32
#define MAX_MOUNTS 64
#define MAX_NICS 4
#define MAX_NIC_ADDRS 32
#define MAX_NIC_ROUTES 64

struct rlim {
        int resource;
        struct rlimit lim;
};

struct mnt {
        const char *dest, *type, *source, *options;
};

/* A NIC (KAGO_CONF_NIC), and the addresses and routes of the NIC with that MAC. */
struct nic {
        uint8_t mac[6];
        unsigned mtu;
        char name[16];
};
struct nic_addr {
        uint8_t mac[6], family, prefix, ip[16]; /* family AF_INET or AF_INET6 */
};
struct nic_route {
        uint8_t mac[6], family, dst_len, dst[16], gw[16];
};

struct conf {
        char *argv[MAX_ARGS + 1];
        int argc;
        char *envp[MAX_ARGS + 1];
        int envc;
        const char *cwd, *hostname;
        uid_t uid;
        gid_t gid;
        gid_t groups[MAX_GROUPS];
        int ngroups;
        int umask;
        struct rlim rlimits[MAX_RLIMITS];
        int nrlimits;
        struct mnt mounts[MAX_MOUNTS];
        int nmounts;
        bool terminal, root_ro;
        unsigned msize;
        unsigned root_fs; /* KAGO_CONF_ROOT_FS: 0 9P, 1 virtio-fs */
        bool caps_set, no_new_privs;
        struct {
                uint64_t bounding, effective, permitted, inheritable, ambient;
        } caps; /* KAGO_CONF_CAPS */
        struct nic nics[MAX_NICS];
        int nnics;
        struct nic_addr addrs[MAX_NIC_ADDRS];
        int naddrs;
        struct nic_route routes[MAX_NIC_ROUTES];
        int nroutes;
};

/* net.c: each NIC found by its MAC, renamed, its MTU set, up, with its
 * addresses; then the routes. NULL, or the step that failed (errno says why). */
const char *net_setup(const struct conf *c);
/* After a restore: each NIC of now (found in cur by its interface name)
 * loses cur's addresses and routes now lacks, takes now's MTU, addresses,
 * MAC and routes, and announces itself; cur then holds now's network. */
const char *net_renew(struct conf *cur, const struct conf *now);

/* caps.c: process.capabilities and noNewPrivileges, around the user
 * switch. NULL, or the step that failed (errno says why). */
const char *caps_before_user(const struct conf *c);
const char *caps_after_user(const struct conf *c);

/* A line on init's stderr (hvc1), or on a process's own after its dup2. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int errfd;

/* Decode records buf[0..len) into c (zeroed by the caller): 0, or -1 when
 * a record is malformed or no argument is given. conf_free releases them. */
int conf_decode(struct conf *c, const uint8_t *buf, size_t len);
void conf_free(struct conf *c);

/* In a new child: stdio, session, rlimits, capabilities, groups, user,
 * umask, cwd and no_new_privs of c. NULL, or the step that failed (errno
 * says why). */
const char *process_setup(const struct conf *c, int in, int out, int err);
/* execve c's program (PATH searched); on failure says why and exits 127
 * (not found) or 126 (found, not executable). */
_Noreturn void process_exec(const struct conf *c);
/* A new process's stdio: child[] its fds 0-2, ours[] our ends (its stdin's
 * writer, non-blocking; its stdout's and stderr's readers). With terminal,
 * one pty: child[] the slave, ours[0] and ours[1] the master, ours[2] -1.
 * All close-on-exec; -1 when they cannot be made (none left open). */
int stdio_make(bool terminal, int child[3], int ours[3]);

/* The guest agent: processes started through hvc2 for kago exec. */
struct agent;
struct agent *agent_new(int fd);
/* Add the agent's fds to p[*n..max), remembered for agent_serve. */
void agent_poll_fds(struct agent *a, struct pollfd *p, int *n, int max);
/* Serve what poll found on those fds. */
void agent_serve(struct agent *a, const struct pollfd *p);
/* A child that ended: its EXIT, when it was one of the agent's processes. */
void agent_reaped(struct agent *a, pid_t pid, int wait_status);
/* One frame to the VMM on the agent's console fd. */
void agent_send(int fd, uint8_t type, uint16_t session, const void *data, uint32_t len);
/* The guest's processes, kernel threads left out, as STDOUT frames of
 * "PID PPID UID COMMAND" lines (proc.c). */
void process_list(int fd, uint16_t session);
/* The guest's memory, CPU time and task figures, as "KEY VALUE" lines. */
void guest_stats(int fd, uint16_t session);

#endif
