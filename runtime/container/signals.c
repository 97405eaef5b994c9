/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signal names for kill: "KILL", "SIGKILL", "kill", "9", "RTMIN+3"; "0" checks
 * that the container is alive without signalling it (kill(2)'s signal 0). */
#include <ctype.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>

#include "container.h"

static const struct { const char *name; int signo; } signal_names[] = {
        { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },         { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

static int signal_rt(const char *s, int *signo)
{
        int base, sign;
        int64_t off = 0;

        if (strncasecmp(s, "RTMIN", 5) == 0)
                base = SIGRTMIN, sign = 1;
        else if (strncasecmp(s, "RTMAX", 5) == 0)
                base = SIGRTMAX, sign = -1;
        else
                return -1;
        s += 5;
        if (*s) {
                if ((sign > 0 && *s != '+') || (sign < 0 && *s != '-'))
                        return -1;
                if (str_to_i64(s + 1, 1, SIGRTMAX - SIGRTMIN, &off) < 0)
                        return -1;
        }
        *signo = base + sign * (int)off;
        return 0;
}

int signal_parse(const char *s, int *signo, struct kago_err *err)
{
        int64_t n;
        const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;

        if (isdigit((unsigned char)s[0])) {
                if (str_to_i64(s, 0, SIGRTMAX, &n) < 0)
                        return kago_err_set(err, "invalid signal \"%s\": numbers go from 0 to %d",
                                            s, SIGRTMAX);
                *signo = (int)n;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
                if (strcasecmp(signal_names[i].name, name) == 0) {
                        *signo = signal_names[i].signo;
                        return 0;
                }
        if (signal_rt(name, signo) == 0)
                return 0;
        return kago_err_set(err, "invalid signal \"%s\"", s);
}

static const int forwarded_signals[] = { SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
                                         SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

int signal_forwarding_fd(sigset_t *old)
{
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
                sigaddset(&set, forwarded_signals[i]);
        sigprocmask(SIG_BLOCK, &set, old);
        return signalfd(-1, &set, SFD_CLOEXEC);
}
