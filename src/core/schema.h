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

typedef enum { SV_COL_TEXT = 0, SV_COL_INTEGER, SV_COL_REAL } sv_col_type;

typedef struct {
    const char *name;
    sv_col_type type;
    int not_null;
    const char *meaning; /* one line, for documentation */
} sv_column;

typedef struct {
    const char *name;
    const char *columns; /* "radius_m, district_id" */
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
} sv_table_desc;

/* The description of table t (SV_TABLE_*), in creation order. */
const sv_table_desc *sv_schema_table(sv_table t);
/* The table named name, or -1. */
int sv_schema_find(const char *name);
/* "TEXT", "INTEGER", "REAL". */
const char *sv_col_type_name(sv_col_type type);

#endif
