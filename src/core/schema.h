/*
 * schema.h - the result schema, described once as data (private to src/).
 *
 * Every table svcov writes, with its columns (name, declared type, NOT NULL,
 * meaning), its geometry column (type, in the analysis SRID), its indexes and
 * whether its rows belong to a run. The SpatiaLite writer (store_spatialite.c)
 * creates and fills tables from this description; a second store (PostGIS)
 * writes the same description. tests/test_schema.c checks a fresh database
 * against it, and it against DESIGN.md's schema section.
 */
#ifndef SV_SCHEMA_H
#define SV_SCHEMA_H

#include "svcov/sv_store.h"

#include <stddef.h>

/* TEXT, INTEGER (PostgreSQL bigint), REAL (double precision); the rest only in PostgreSQL-only tables
 * (pg_only): INT4 (integer), TEXT_ARRAY (text[]), TIMESTAMPTZ, BYTEA, POLYGON (geometry(Polygon, the
 * schema's SRID)). */
typedef enum {
    SV_COL_TEXT = 0,
    SV_COL_INTEGER,
    SV_COL_REAL,
    SV_COL_INT4,
    SV_COL_TEXT_ARRAY,
    SV_COL_TIMESTAMPTZ,
    SV_COL_BYTEA,
    SV_COL_POLYGON
} sv_col_type;

typedef struct {
    const char *name;
    sv_col_type type;
    int not_null;
    const char *meaning; /* one line, for documentation */
    const char *default_sql; /* DEFAULT expression (SQL), NULL: none */
    const char *check_sql;   /* CHECK (expression) of the column, NULL: none */
} sv_column;

typedef struct {
    const char *name;
    const char *columns; /* "radius_m, district_id" */
    const char *method;  /* USING method (PostgreSQL: "gist"), NULL: the default */
} sv_index_desc; /* (sv_geom.h has an sv_index: the STR-tree) */

typedef struct {
    const char *name;
    const char *meaning;
    const char *key;           /* the INTEGER PRIMARY KEY column: "id", "run_id", "site_run_id" */
    const sv_column *columns;  /* in table order, after the key */
    size_t n_columns;
    const char *geometry;      /* POINT, POLYGON, MULTIPOLYGON, MULTILINESTRING; NULL: no geometry */
    const char *geometry_column; /* "geom" */
    const sv_index_desc *indexes;
    size_t n_indexes;
    /* Rows belong to one run (issue 14: a store that keeps runs side by
     * side adds a run_id column to exactly these tables). */
    int per_run;
    /* A run record (runs, site_runs): created on first use (CREATE TABLE IF
     * NOT EXISTS, also in a copied database), values given as text by
     * column name with sv_store_record. */
    int record;
    /* Only in PostgreSQL (the coordination of sharded runs, svcov_meta): key is NULL (no surrogate key),
     * primary_key lists the key columns (with run_id of a per_run table: "run_id, shard_no"), and the
     * index columns are as given (no run_id before them). The SpatiaLite writer skips these. */
    int pg_only;
    const char *primary_key;
} sv_table_desc;

/* The description of table t (SV_TABLE_*), in creation order. */
const sv_table_desc *sv_schema_table(sv_table t);
/* The table named name, or -1. */
int sv_schema_find(const char *name);
/* The tables only in PostgreSQL (pg_only), in creation order: svcov_meta first (before the others: it
 * holds the schema's version and SRID), then shard_plans, shards, shard_districts, shard_inputs. i from 0;
 * NULL past the last. */
const sv_table_desc *sv_schema_pg_table(int i);
/* "TEXT", "INTEGER", "REAL" (SpatiaLite's declared types; the PostgreSQL-only types by their PostgreSQL
 * names). */
const char *sv_col_type_name(sv_col_type type);

#endif
