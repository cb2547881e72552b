/* pg_db.c - `--db PG:... [--run ID] [--pg-schema NAME]` for the commands that read a result database
 * (map, report, export, query, site): the run is fetched into a private temporary SpatiaLite file of the
 * same schema, and the command reads that file as it reads any other. */
#include "cli.h"

#include "svcov/sv_pg.h"
#include "svcov/sv_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_pg_arg(const char *cmd, const cli_arg *a, const char *arg)
{
    cli_pg *pg = a->ptr;
    if (a->value == CLI_O_PG_SCHEMA) {
        pg->schema = arg;
        return 0;
    }
    long v = 0;
    if (cli_whole(arg, 1, 2147483647L, &v) != 0)
        return cli_usage(cmd, "--run %s: give a run id (a whole number above 0, as 'svcov analyze --out PG:...' "
                         "printed), or leave --run out for the latest run", arg);
    pg->run = v;
    return 0;
}

int cli_pg_check(const char *cmd, const char *db, const cli_pg *pg)
{
    if ((pg->run || pg->schema) && !sv_pg_is_uri(db))
        return cli_usage(cmd, "--run and --pg-schema are for --db PG:\"CONNECTION\" (a PostgreSQL database); a "
                         "SpatiaLite file holds one run");
    return 0;
}

sv_status cli_pg_fetch(sv_ctx *ctx, cli_pg *pg, const char **db)
{
    if (!sv_pg_is_uri(*db))
        return SV_OK;
    const char *schema = pg->schema ? pg->schema : SV_PG_DEFAULT_SCHEMA;
    /* the copy is named SCHEMA-runID.sqlite: maps and reports print the database's file name */
    long long id = 0;
    sv_status st = sv_pg_run_id(ctx, *db, schema, pg->run, &id);
    if (st != SV_OK)
        return st;
    const char *tmpdir = getenv("TMPDIR");
    char base[4096];
    snprintf(base, sizeof base, "%s/%s-run%lld.sqlite", tmpdir && *tmpdir ? tmpdir : "/tmp", schema, id);
    if ((st = sv_tmp_create(ctx, base, pg->local, sizeof pg->local)) != SV_OK)
        return st;
    st = sv_pg_fetch(ctx, *db, schema, id, pg->local, &pg->run_id);
    if (st != SV_OK) {
        sv_tmp_remove(pg->local);
        pg->local[0] = '\0';
        return st;
    }
    *db = pg->local;
    return SV_OK;
}

void cli_pg_done(cli_pg *pg)
{
    if (pg->local[0])
        sv_tmp_remove(pg->local);
    pg->local[0] = '\0';
}
