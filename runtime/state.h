/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state store: one directory per container under --root, holding the
 * runtime's record of the container (state.json, written atomically), the copy
 * of its config, and the exec fifo while it waits for start. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_STATE_H
#define KAGO_RUNTIME_STATE_H

#include "../base/base.h"

#define CONTAINER_ID_MAX 255 /* a directory name (NAME_MAX) */
#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define STATE_EXEC_FIFO "exec.fifo"

enum container_status {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
};

/* What kago records about one container. */
struct container_state {
        char *id;
        pid_t pid;           /* host pid of the init process; 0 before the clone */
        uint64_t start_time; /* its start time (/proc/PID/stat field 22) */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        uid_t owner;
        bool vm;           /* runs the microVM backend */
        char *cgroup_path;   /* NULL when the container has no cgroup */
        char *cgroup_driver; /* "cgroupfs", "systemd" */
        bool own_pidns;    /* has its own pid namespace */
        bool creating;     /* create has not committed it yet */
        /* linux.netDevices moved in at create: host name, name in the
         * container, host name, ... (NULL-terminated; NULL when none). */
        char **net_devices;
};

void container_state_free(struct container_state *st);
const char *container_status_name(enum container_status s);

/* Ids: 1..255 chars of [A-Za-z0-9_.+-], not "." or "..", not starting with '.' or '-'. */
int container_id_validate(const char *id, struct kago_err *err);

/* Make (0700) and open the --root directory. */
int store_open_root(const char *root, int *rootfd, struct kago_err *err);
/* Make the directory of a new container and lock it; "already exists" if taken. */
int store_create_dir(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Open and lock an existing container's directory; `container "X" does not exist`
 * when it (or its state file) is missing. */
int store_open_locked(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Open without the lock (readers: state, list, ps). */
int store_open(int rootfd, const char *id, int *dirfd, struct kago_err *err);
/* Replace a file in a container's directory atomically (temp + rename). */
int store_write_file(int dirfd, const char *name, const char *buf, size_t len,
                     struct kago_err *err);
int store_write_state(int dirfd, const struct container_state *st, struct kago_err *err);
int store_read_state(int dirfd, const char *id, struct container_state *st, struct kago_err *err);
/* After store_read_state failed with err: say "no state.json" when that is why. */
void store_state_unreadable(int dirfd, const char *id, struct kago_err *err);
/* Whether a create or delete holds the directory (or has just removed it):
 * then a missing or partial state is no damage. */
bool store_busy(int dirfd);
/* Whether a directory for id exists in the store. */
bool store_exists(int rootfd, const char *id);
/* Remove a container's directory and everything in it. */
int store_remove(int rootfd, const char *id, struct kago_err *err);
/* The ids in the store, sorted; NULL-terminated. */
int store_list_ids(int rootfd, char ***ids, struct kago_err *err);

/* Process liveness: the start time of pid, or -1 (errno ESRCH) when it is gone
 * or a zombie. */
int proc_start_time(pid_t pid, uint64_t *start_time);
/* Whether pid is still the process recorded with start_time. */
bool proc_is_alive(pid_t pid, uint64_t start_time);
/* A pidfd for pid that is verified to be the recorded process; -1 when gone. */
int proc_open_pidfd(pid_t pid, uint64_t start_time);

/* A pidfd for the container's init once it is checked to be the container's:
 * never pid 1 nor kago or one of its ancestors, and inside the container's
 * cgroup (or, without one, init of its own pid namespace). *pidfd is -1 when
 * init is gone; an error when the recorded pid is some other process. */
int container_open_init(const struct container_state *st, int *pidfd, struct kago_err *err);
/* pid's cgroup (the cgroup2 "0::" line of /proc/PID/cgroup), or NULL. */
char *proc_cgroup(pid_t pid);
/* Whether pid's (v2) cgroup is path or below it. */
bool proc_in_cgroup(pid_t pid, const char *path);

/* The status, derived from the live process, never just from the record. */
enum container_status container_status_get(int dirfd, const struct container_state *st);

/* The exec fifo: the init process reads one byte from it before running the
 * workload; start writes that byte. */
int exec_fifo_make(int dirfd, struct kago_err *err);
int exec_fifo_open_for_init(int dirfd, int *fd, struct kago_err *err);
int exec_fifo_wait(int fd, struct kago_err *err);
int exec_fifo_release(int dirfd, struct kago_err *err);
bool exec_fifo_exists(int dirfd);

/* The pid file (conmon reads it after create exits). */
int pid_file_write(const char *path, pid_t pid, struct kago_err *err);

/* Current time as RFC 3339 with nanoseconds. */
char *time_now_rfc3339(void);

#endif
