/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the host side of parking (microvm/park.c) against a stand-in VMM:
 * a child that takes the park signals from a signalfd as the VMM does and
 * names itself MICROVM_PARKED_COMM when asked to park (or never, to make
 * kago pause wait in vain). microvm_park returns once the name is there;
 * gives up after its timeout naming the VMM, releasing it again; and leaves
 * alone (0 at once, no signal) a process that does not take the signal,
 * which the signal would kill. The vCPU side needs KVM: pause.bats.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../microvm/microvm.h"
#include "unit.h"

/* The stand-in: blocks both signals, tells the parent through ready, then
 * answers each park (when obey) by renaming itself, each unpark by taking
 * its name back; exits 10 + the number of unparks seen on SIGTERM. */
static pid_t fake_vmm(bool obey)
{
        int ready[2];
        if (pipe(ready) < 0)
                return -1;
        pid_t pid = fork();
        if (pid != 0) {
                char c;
                close(ready[1]);
                if (pid < 0 || read(ready[0], &c, 1) != 1)
                        pid = -1;
                close(ready[0]);
                return pid;
        }
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, MICROVM_PARK_SIGNAL);
        sigaddset(&set, MICROVM_UNPARK_SIGNAL);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        int sfd = signalfd(-1, &set, 0);
        prctl(PR_SET_NAME, "fake-vmm");
        if (sfd < 0 || write(ready[1], "r", 1) != 1)
                _exit(1);
        int unparks = 0;
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) == sizeof si) {
                if ((int)si.ssi_signo == MICROVM_PARK_SIGNAL && obey)
                        prctl(PR_SET_NAME, MICROVM_PARKED_COMM);
                else if ((int)si.ssi_signo == MICROVM_UNPARK_SIGNAL) {
                        prctl(PR_SET_NAME, "fake-vmm");
                        unparks++;
                } else if (si.ssi_signo == SIGTERM)
                        _exit(10 + unparks);
        }
        _exit(2);
}

/* SIGTERM the stand-in; its exit status (-1 when a signal killed it). */
static int end_vmm(pid_t pid)
{
        int st;
        kill(pid, SIGTERM);
        if (waitpid(pid, &st, 0) != pid)
                return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool comm_is(pid_t pid, const char *want)
{
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        bool same = fgets(comm, sizeof comm, f) && (comm[strcspn(comm, "\n")] = 0, strcmp(comm, want) == 0);
        fclose(f);
        return same;
}

UNIT_TEST(park_waits_for_the_parked_name_and_unpark_releases)
{
        struct kago_err err = { 0 };
        pid_t vmm = fake_vmm(true);
        CHECK(vmm > 0);
        CHECK(microvm_park(vmm, 5000, &err) == 0);
        CHECK(comm_is(vmm, MICROVM_PARKED_COMM));
        CHECK(microvm_unpark(vmm, &err) == 0);
        for (int i = 0; i < 5000 && !comm_is(vmm, "fake-vmm"); i++)
                usleep(1000);
        CHECK(comm_is(vmm, "fake-vmm"));
        CHECK(end_vmm(vmm) == 11);
}

UNIT_TEST(park_times_out_naming_the_vmm_and_releases_it)
{
        struct kago_err err = { 0 };
        pid_t vmm = fake_vmm(false);
        CHECK(vmm > 0);
        CHECK(microvm_park(vmm, 50, &err) < 0);
        char want[96];
        snprintf(want, sizeof want, "the VMM (pid %d) did not park its vCPUs within 50 ms", (int)vmm);
        CHECK_CONTAINS(kago_err_text(&err), want);
        usleep(100000);
        CHECK(end_vmm(vmm) == 11); /* the unpark reached it */
}

UNIT_TEST(a_process_that_does_not_take_the_signal_is_left_alone)
{
        struct kago_err err = { 0 };
        pid_t pid = fork();
        if (pid == 0) {
                pause();
                _exit(0);
        }
        CHECK(pid > 0);
        CHECK(microvm_park(pid, 50, &err) == 0);
        CHECK(microvm_unpark(pid, &err) == 0);
        usleep(50000);
        CHECK(waitpid(pid, NULL, WNOHANG) == 0); /* alive: nothing was sent */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

UNIT_MAIN("microvm_park", UNIT(park_waits_for_the_parked_name_and_unpark_releases),
          UNIT(park_times_out_naming_the_vmm_and_releases_it),
          UNIT(a_process_that_does_not_take_the_signal_is_left_alone))
