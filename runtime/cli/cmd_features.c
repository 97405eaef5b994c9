/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago features: print the runtime-spec features document; the annotation
 * kago.checkpoint.enabled says whether CRIU works here (as runc's
 * org.opencontainers.runc.checkpoint.enabled does). */
#include <errno.h>

#include "../../criu/criu.h"
#include "../../specs/specs.h"
#include "cli.h"

int cmd_features(KAGO_COMMAND_ARGS)
{
        (void)g;
        if (argc > 1)
                return cli_usage_error(err, "features", "unexpected argument \"%s\"", argv[1]);
        struct oci_features *f = features_new();
        security_features_refine(f); /* what only this host can say */
        features_add_annotation(f, "kago.checkpoint.enabled", criu_usable() ? "true" : "false");
        _cleanup_free_ char *json = features_emit_struct(f);
        features_free(f);
        if (fputs(json, stdout) == EOF || fflush(stdout) == EOF)
                return kago_err_errno(err, errno, "write the features document");
        return 0;
}
