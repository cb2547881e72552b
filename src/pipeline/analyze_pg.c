/* analyze_pg.c - `svcov analyze --out PG:...`: the run is computed into a
 * private SpatiaLite file as always (the one writer), then published to the
 * PostGIS store in one transaction (store_pg.c), and the file removed. */
#include "svcov/sv_analyze.h"
#include "svcov/sv_pg.h"
#include "svcov/sv_text.h"

#include <stdio.h>
#include <stdlib.h>

sv_status sv_analyze_pg(sv_ctx *ctx, const sv_analyze_opts *opts, const char *schema, sv_analysis **out,
                        long long *run_id)
{
    *out = NULL;
    /* before reading any input: the server answers, has PostGIS, the schema may be written */
    sv_status rc = sv_pg_check_target(ctx, opts->out_path, schema);
    if (rc != SV_OK)
        return rc;
    const char *tmpdir = getenv("TMPDIR");
    char base[4096], tmp[4600];
    snprintf(base, sizeof base, "%s/svcov-pg-run.sqlite", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if ((rc = sv_tmp_create(ctx, base, tmp, sizeof tmp)) != SV_OK)
        return rc;
    sv_analyze_opts local = *opts;
    local.out_path = tmp;
    /* runs.command is read by everyone who reads the database: no password in it */
    char *cmd = sv_pg_hide_password(opts->command_line);
    if (cmd)
        local.command_line = cmd;
    sv_analysis *a = NULL;
    rc = sv_analyze_run(ctx, &local, &a);
    if (rc == SV_OK)
        rc = sv_pg_publish(ctx, opts->out_path, schema, tmp, run_id);
    sv_tmp_remove(tmp);
    free(cmd);
    if (rc != SV_OK) {
        sv_analysis_destroy(a);
        return rc;
    }
    *out = a;
    return SV_OK;
}
