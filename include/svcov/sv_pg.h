/*
 * sv_pg.h - the PostgreSQL/PostGIS result store. Only src/adapters/store_pg.c
 * includes libpq.
 *
 * The tables are those of the SpatiaLite store, made from the same
 * description (src/core/schema.c), in one PostgreSQL schema (default
 * "svcov"), with typed geometry columns (geometry(MultiPolygon, SRID)), GiST
 * indexes, and runs side by side: `runs.run_id` is an identity column that
 * grows with every run, and every other table has `run_id` (referencing
 * runs, ON DELETE CASCADE) before its own key. A run is built in a private
 * SpatiaLite file as always, then published with COPY in one transaction: a
 * reader sees a run whole or not at all. Readers fetch one run back into a
 * SpatiaLite file of the same schema and read that with the usual handle.
 */
#ifndef SV_PG_H
#define SV_PG_H

#include "svcov/sv_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SV_PG_DEFAULT_SCHEMA "svcov"

/* 1 when path names a PostgreSQL database: "PG:" and a libpq connection string (GDAL's prefix). */
int sv_pg_is_uri(const char *path);
/* A usable schema name (lower-case letters, digits, _; at most 63 bytes; not pg_*); else SV_ERR_USAGE
 * naming --pg-schema. */
sv_status sv_pg_check_schema_name(sv_ctx *ctx, const char *schema);

/* Before any work: the database answers, has PostGIS, and the schema is ours to write (absent, or one we
 * may create tables in). Nothing is written. SV_ERR_INPUT/SV_ERR_OUTPUT with what to do. */
sv_status sv_pg_check_target(sv_ctx *ctx, const char *uri, const char *schema);

/* Publish the svcov result database db_path (one analyze run) as a new run in one transaction; *run_id
 * (may be NULL) gets its id. On failure nothing of it is visible. */
sv_status sv_pg_publish(sv_ctx *ctx, const char *uri, const char *schema, const char *db_path, long long *run_id);

/* Write run (0: the latest) of the schema into a new svcov result database at out_path (atomic, as
 * sv_store_create/commit). *run_id (may be NULL) gets the run's id. A run that does not exist is
 * SV_ERR_USAGE listing those that do. */
sv_status sv_pg_fetch(sv_ctx *ctx, const char *uri, const char *schema, long long run, const char *out_path,
                      long long *run_id);

/* Add the newest site run of db_path (a fetched copy of run run_id to which svcov site added one) to that
 * run, in one transaction, after any that others added meanwhile; *site_run_id (may be NULL) gets its id. */
sv_status sv_pg_publish_site(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *db_path,
                             long long *site_run_id);

/* The id of run (0: the latest) of the schema, checked as sv_pg_fetch does. */
sv_status sv_pg_run_id(sv_ctx *ctx, const char *uri, const char *schema, long long run, long long *run_id);

/* ---- sharded runs (svcov plan, worker, finish, status) ---- */

#include "svcov/sv_shards.h"

/* A row of a shard's analysis belongs to the shard (sv_shard_keep_row). */
typedef int (*sv_pg_keep_fn)(void *userdata, sv_table table, const sv_value *values, size_t n,
                             const unsigned char *wkb, size_t len);

/* One input file of a plan: the argument it stands for (args[arg]) and the files it is made of (a
 * shapefile's .shp first, then .dbf, .shx, .prj, .cpg ...). */
typedef struct {
    int arg;
    const char *layer;  /* ":LAYER" kept after the path, or NULL */
    const char **files;
    size_t n_files;
} sv_pg_input;

/* Create a planned run: its runs record (command, version, start), the plan (the analysis's arguments
 * with the inputs' paths replaced, the halo), one shard per shard of p (core: its districts' envelope,
 * halo: that grown by the halo) and the district assignment, and the input files; one transaction.
 * *run_id gets the run's id. */
sv_status sv_pg_plan(sv_ctx *ctx, const char *uri, const char *schema, const sv_shard_plan *p, const char *command,
                     const char *const *args, size_t n_args, const sv_pg_input *inputs, size_t n_inputs,
                     long long *run_id);
/* The plan of run (0: the latest planned run not yet finished): its districts and shards into *p, its
 * arguments (args[i] of *n_args, "@input:N@" standing for input N; free with sv_pg_strings_free). */
sv_status sv_pg_plan_load(sv_ctx *ctx, const char *uri, const char *schema, long long run, long long *run_id,
                          sv_shard_plan *p, char ***args, size_t *n_args);
void sv_pg_strings_free(char **s, size_t n);
/* Write the plan's input files into dir (new folders dir/N/); paths[N] gets input N's first file and
 * originals[N] (may be NULL) its path where the plan read it (free both with sv_pg_strings_free). */
sv_status sv_pg_inputs_fetch(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *dir,
                             char ***paths, size_t *n_paths, char ***originals, size_t *n_originals);
/* Claim the largest shard that is todo or whose lease ran out (FOR UPDATE SKIP LOCKED). *state: 1 claimed
 * (*shard_no, *attempt), 2 none free but others hold some (wait), 0 nothing left to do. */
sv_status sv_pg_claim(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *worker,
                      int lease_s, int *shard_no, int *attempt, int *state);
/* A thread renewing the lease of a claimed shard every lease_s / 3 seconds. When a renewal finds the shard
 * no longer ours (its lease ran out, e.g. while this process was stopped, and another worker claimed it),
 * the lease is lost: the renewals stop and on_lost(userdata) is called once, from that thread (on_lost may
 * be NULL). sv_pg_lease_lost: 1 lost (*now, when not NULL: the shard's status, worker and attempt then), 2 a
 * renewal failed (the database did not answer; the lease may run out), 0 held. sv_pg_lease_stop ends the
 * thread, frees l and returns the same. */
typedef struct sv_pg_lease sv_pg_lease;
typedef struct {
    char status[16], worker[300];
    int attempt;
} sv_pg_holder;
sv_pg_lease *sv_pg_lease_start(const char *uri, const char *schema, long long run_id, int shard_no,
                               const char *worker, int attempt, int lease_s, void (*on_lost)(void *userdata),
                               void *userdata);
int sv_pg_lease_lost(sv_pg_lease *l, sv_pg_holder *now);
int sv_pg_lease_stop(sv_pg_lease *l);
/* Publish a shard's rows (db_path: its analysis; keep chooses) and mark it done, in one transaction; rows
 * of an earlier attempt are removed first. SV_ERR_OUTPUT when the lease was lost (nothing published). */
sv_status sv_pg_publish_shard(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, int shard_no,
                              const char *worker, int attempt, const char *db_path, sv_pg_keep_fn keep,
                              void *keep_ud, const char *const *from, const char *const *to, size_t n_rewrite,
                              long long *n_rows);
/* A shard whose analysis failed: todo again (claimed up to 3 times), then failed, with message. */
sv_status sv_pg_fail_shard(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, int shard_no,
                           const char *worker, int attempt, const char *message);
/* Check that every shard is done and every district there once, compute the whole-area rows
 * (city_coverage with the Gini), remove the repeated rows of issues, roads and breaks, complete the runs
 * record and mark the run complete, in one transaction. */
sv_status sv_pg_finish(sv_ctx *ctx, const char *uri, const char *schema, long long run_id);
/* The runs of the schema (run 0) or the shards of one run, as rows for the CLI to print (sv_row_fn: names
 * first with values NULL, then each row). */
sv_status sv_pg_status(sv_ctx *ctx, const char *uri, const char *schema, long long run, sv_row_fn fn,
                       void *userdata);

/* s with every password as *** (free()); NULL for NULL. A connection string PG:... (or --db=PG:...) that
 * libpq parses is masked exactly where libpq reads its password (keyword/value with quotes and \ escapes, a
 * URI's user:PASSWORD@ and password= parameter), checked against libpq's own parse; one without a password
 * is returned as it is. Anything else (a command line, a GDAL PG: string with tables=) by its words: the value
 * of each password keyword after a blank and a URI's user:PASSWORD@ and password= parameter. */
char *sv_pg_hide_password(const char *s);
/* A connection string PG:... as messages show it (free()): sv_pg_hide_password, and the password libpq reads
 * from it (PQconninfoParse) masked wherever it still appears. NULL for NULL. */
char *sv_pg_shown_connection(const char *uri);
/* The password libpq reads from the connection string PG:... (PQconninfoParse; free()), NULL when none or
 * when libpq cannot parse it. */
char *sv_pg_conninfo_password(const char *uri);

/* The options libpq reads from the connection string PG:... (PQconninfoParse: no defaults, no environment),
 * one line keyword=value each, in libpq's order, the password's value as password when that is not NULL
 * (free()); NULL when libpq cannot parse it. */
char *sv_pg_conninfo_options(const char *uri, const char *password);

/* libpq's version as text (static). */
const char *sv_pg_libpq_version(void);

#ifdef __cplusplus
}
#endif
#endif
