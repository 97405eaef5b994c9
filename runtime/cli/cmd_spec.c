/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago spec [--bundle DIR] [--rootless]: write a default config.json. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "../../specs/specs.h"
#include "cli.h"

enum { OPT_ROOTLESS = 256 };

static const struct option spec_options[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "rootless", no_argument, NULL, OPT_ROOTLESS },
        { NULL, 0, NULL, 0 },
};

/* Create bundle/config.json with json, refusing to replace one. */
static int spec_write_new(const char *bundle, const char *json, struct kago_err *err)
{
        _cleanup_close_ int dfd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dfd < 0)
                return kago_err_errno(err, errno, "bundle %s", bundle);
        _cleanup_close_ int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                        0644);
        if (fd < 0 && errno == EEXIST)
                return kago_err_set(err, "%s/config.json already exists: remove it first", bundle);
        if (fd < 0)
                return kago_err_errno(err, errno, "create %s/config.json", bundle);
        if (fd_write_all(fd, json, strlen(json)) < 0 || fsync(fd) < 0) {
                int e = errno;
                unlinkat(dfd, "config.json", 0);
                return kago_err_errno(err, e, "write %s/config.json", bundle);
        }
        return 0;
}

int cmd_spec(KAGO_COMMAND_ARGS)
{
        const char *bundle = ".";
        bool rootless = false;
        int opt;

        (void)g;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:b:", spec_options, NULL)) != -1) {
                if (opt == 'b')
                        bundle = optarg;
                else if (opt == OPT_ROOTLESS)
                        rootless = true;
                else
                        return cli_bad_option(err, "spec", opt, argv);
        }
        if (optind < argc)
                return cli_usage_error(err, "spec", "unexpected argument \"%s\"", argv[optind]);
        _cleanup_free_ char *json = spec_emit_default(rootless, geteuid(), getegid());
        return spec_write_new(bundle, json, err) < 0 ? -1 : 0;
}
