/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Help, version and usage errors shared by all commands. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

#ifndef KAGO_VERSION
#define KAGO_VERSION "0.0.0"
#endif
#ifndef KAGO_COMMIT
#define KAGO_COMMIT "unknown"
#endif
#define KAGO_SPEC_VERSION "1.3.0"

const struct kago_command *cli_find_command(const char *name)
{
        for (const struct kago_command *c = kago_commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        return NULL;
}

void cli_print_version(FILE *f)
{
        fprintf(f, "kago version %s\nspec: %s\ncommit: %s\n", KAGO_VERSION, KAGO_SPEC_VERSION,
                KAGO_COMMIT);
}

void cli_print_help(FILE *f)
{
        fputs("kago: an OCI runtime for containers and KVM microVMs\n\n"
              "Usage: kago [global options] COMMAND [options] [arguments]\n\n"
              "Commands:\n",
              f);
        for (const struct kago_command *c = kago_commands; c->name; c++)
                fprintf(f, "  %-12s %s\n", c->name, c->summary);
        fputs("\nGlobal options:\n"
              "  --root DIR             state directory (default " KAGO_DEFAULT_ROOT ";\n"
              "                         $XDG_RUNTIME_DIR/kago when not run as root)\n"
              "  --log FILE             write log lines to FILE\n"
              "  --log-format FORMAT    text or json\n"
              "  --log-level LEVEL      error, warning, info or debug\n"
              "  --debug                same as --log-level debug\n"
              "  --systemd-cgroup       same as --cgroup-manager systemd\n"
              "  --cgroup-manager MGR   cgroupfs, systemd or disabled\n"
              "  -v, --version          print the version\n"
              "  -h, --help             print this help\n\n"
              "Run 'kago help COMMAND' or 'kago COMMAND --help' for a command's options.\n",
              f);
}

void cli_print_command_help(FILE *f, const struct kago_command *cmd)
{
        fprintf(f, "kago %s: %s\n\nUsage: kago %s %s", cmd->name, cmd->summary, cmd->name,
                cmd->usage);
}

int cli_usage_error(struct kago_err *err, const char *cmd, const char *fmt, ...)
{
        char what[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        if (cmd)
                return kago_err_set(err, "%s: %s (see 'kago %s --help')", cmd, what, cmd);
        return kago_err_set(err, "%s (see 'kago --help')", what);
}

bool cli_wants_help(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        return false;
                if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
                        return true;
        }
        return false;
}

int cli_bad_option(struct kago_err *err, const char *cmd, int opt, char **argv)
{
        const char *word = argv[optind - 1];

        if (opt == ':')
                return cli_usage_error(err, cmd, "flag needs an argument: %s", word);
        if (optopt && optopt != '?' && optopt < 256 && !str_has_prefix(word, "--"))
                return cli_usage_error(err, cmd, "unknown flag: -%c", optopt);
        return cli_usage_error(err, cmd, "unknown flag: %s", word);
}

int cli_take_id(const char *cmd, int argc, char **argv, const char **id, struct kago_err *err)
{
        if (optind >= argc)
                return cli_usage_error(err, cmd, "missing container id");
        if (optind + 1 < argc)
                return cli_usage_error(err, cmd, "unexpected argument \"%s\"", argv[optind + 1]);
        *id = argv[optind];
        return 0;
}
