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

/* libpq's version as text (static). */
const char *sv_pg_libpq_version(void);

#ifdef __cplusplus
}
#endif
#endif
