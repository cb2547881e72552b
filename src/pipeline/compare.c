/* compare.c - svcov compare: check that two runs can be compared, then the
 * change per district and break, the coverage gained and lost (GEOS
 * difference of the stored coverage polygons), the stations that changed,
 * written with the plan's coverage tables into one svcov database. */
#include "svcov/sv_compare.h"
#include "pipeline/inputs.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Rows of one query, every value as text (numbers printed with 17 digits, so they read back exactly). */
typedef struct {
    size_t ncol, n, cap;
    char **names;
    char **cell; /* n * ncol */
    int failed;
} rowset;

static int collect(void *ud, int ncol, const char *const *names, const char *const *v)
{
    rowset *r = ud;
    if (!v) {
        if (!r->names) {
            r->ncol = (size_t)ncol;
            r->names = sv_calloc((size_t)ncol + 1, sizeof *r->names);
            for (int i = 0; r->names && i < ncol; i++)
                r->names[i] = sv_strdup(names[i]);
            r->failed |= !r->names;
        }
        return 0;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        char **c = sv_realloc(r->cell, cap * r->ncol * sizeof *c);
        if (!c) {
            r->failed = 1;
            return 1;
        }
        r->cell = c;
        r->cap = cap;
    }
    for (size_t i = 0; i < r->ncol; i++) {
        r->cell[r->n * r->ncol + i] = v[i] ? sv_strdup(v[i]) : NULL;
        r->failed |= v[i] && !r->cell[r->n * r->ncol + i];
    }
    r->n++;
    return r->failed;
}

static void rowset_free(rowset *r)
{
    for (size_t i = 0; r->cell && i < r->n * r->ncol; i++)
        sv_free(r->cell[i]);
    for (size_t i = 0; r->names && i < r->ncol; i++)
        sv_free(r->names[i]);
    sv_free(r->cell);
    sv_free(r->names);
    memset(r, 0, sizeof *r);
}

static const char *cell(const rowset *r, size_t row, const char *col)
{
    for (size_t i = 0; i < r->ncol; i++)
        if (strcmp(r->names[i], col) == 0)
            return r->cell[row * r->ncol + i];
    return NULL;
}

static double num(const char *s)
{
    return s ? strtod(s, NULL) : NAN;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A number column read without losing digits. */
#define R17(c) "CASE WHEN typeof(" c ") = 'real' THEN printf('%!.17g', " c ") ELSE " c " END AS " c

static sv_status fetch(sv_ctx *ctx, sv_store_reader *rd, const char *sql, const char *const *names,
                       const char *const *vals, size_t np, rowset *out)
{
    rowset_free(out);
    sv_status rc = sv_store_read(ctx, rd, sql, names, vals, np, collect, out);
    if (rc == SV_OK && out->failed)
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    return rc;
}

/* The two runs' descriptions. */
typedef struct {
    const char *path, *opt;
    sv_store_reader *rd;
    rowset run, breaks, districts, stations, critical, city;
} side;

static sv_status incomparable(sv_ctx *ctx, const side *a, const side *b, const char *what, const char *fix)
{
    return sv_error(ctx, SV_ERR_USAGE, "--base %s and --plan %s cannot be compared: %s; %s", a->path, b->path, what,
                    fix);
}

static sv_status read_side(sv_ctx *ctx, side *s)
{
    sv_status rc = sv_store_open_read(ctx, s->path, &s->rd);
    if (rc != SV_OK)
        return rc;
    rowset t = {0};
    rc = fetch(ctx, s->rd, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'runs'", NULL, NULL, 0,
               &t);
    int has_runs = t.n > 0;
    rowset_free(&t);
    if (rc == SV_OK)
        rc = !has_runs ? SV_ERR_USAGE
                       : fetch(ctx, s->rd,
                               "SELECT run_id, crs_epsg, mode, method, radii_m, network_path, n_stations, redundancy,"
                               " population_method FROM runs"
                               " ORDER BY run_id DESC LIMIT 1",
                               NULL, NULL, 0, &s->run);
    if (rc == SV_OK && s->run.n == 0)
        rc = SV_ERR_USAGE;
    if (rc == SV_ERR_USAGE)
        return sv_error(ctx, SV_ERR_USAGE, "%s %s holds no run of 'svcov analyze' (no row in runs); compare two "
                        "result databases of 'svcov analyze'", s->opt, s->path);
    if (rc == SV_OK)
        rc = fetch(ctx, s->rd, "SELECT DISTINCT mode, " R17("minutes") ", " R17("radius_m") " FROM district_coverage"
                   " ORDER BY district_coverage.radius_m", NULL, NULL, 0, &s->breaks);
    if (rc == SV_OK)
        rc = fetch(ctx, s->rd, "SELECT district_id, district_name, " R17("area_m2") " FROM districts ORDER BY"
                   " district_id", NULL, NULL, 0, &s->districts);
    if (rc == SV_OK)
        rc = fetch(ctx, s->rd, "SELECT station_id, name, printf('%!.17g', ST_X(geom)) AS x, printf('%!.17g', ST_Y(geom))"
                   " AS y FROM stations ORDER BY station_id", NULL, NULL, 0, &s->stations);
    if (rc == SV_OK)
        rc = fetch(ctx, s->rd, "SELECT station_id, " R17("radius_m") ", " R17("area_lost_m2") ", " R17("pop_lost")
                   " FROM critical_stations", NULL, NULL, 0, &s->critical);
    if (rc == SV_OK)
        rc = fetch(ctx, s->rd, "SELECT mode, " R17("minutes") ", " R17("radius_m") ", " R17("covered_m2") ", "
                   R17("covered_pct") ", " R17("gap_m2") ", " R17("pop_covered") ", n_stations FROM city_coverage"
                   " ORDER BY city_coverage.radius_m", NULL, NULL, 0, &s->city);
    return rc;
}

static void side_free(side *s)
{
    sv_store_close_read(s->rd);
    rowset_free(&s->run);
    rowset_free(&s->breaks);
    rowset_free(&s->districts);
    rowset_free(&s->stations);
    rowset_free(&s->critical);
    rowset_free(&s->city);
}

/* What makes two runs comparable: the CRS, the mode (and circles or network), the breaks, the districts. */
static sv_status check_comparable(sv_ctx *ctx, const side *a, const side *b)
{
    char what[512];
    const char *ea = cell(&a->run, 0, "crs_epsg"), *eb = cell(&b->run, 0, "crs_epsg");
    if (!same_text(ea, eb)) {
        snprintf(what, sizeof what, "the base run is in EPSG:%s, the plan in EPSG:%s", ea ? ea : "?", eb ? eb : "?");
        return incomparable(ctx, a, b, what, "run the plan with the base run's --crs (e.g. --crs EPSG:n)");
    }
    const char *ma = cell(&a->run, 0, "mode"), *mb = cell(&b->run, 0, "mode");
    int na = same_text(cell(&a->run, 0, "method"), "network"), nb = same_text(cell(&b->run, 0, "method"), "network");
    if (!same_text(ma, mb) || na != nb) {
        snprintf(what, sizeof what, "the base run is %s (mode %s), the plan %s (mode %s)",
                 na ? "along a street network" : "in circles", ma ? ma : "?", nb ? "along a street network" : "in circles",
                 mb ? mb : "?");
        return incomparable(ctx, a, b, what, "run the plan with the base run's --mode, --speed and --network");
    }
    int same = a->breaks.n == b->breaks.n;
    for (size_t i = 0; same && i < a->breaks.n; i++) {
        double ra = num(cell(&a->breaks, i, "radius_m")), rb = num(cell(&b->breaks, i, "radius_m"));
        double xa = num(cell(&a->breaks, i, "minutes")), xb = num(cell(&b->breaks, i, "minutes"));
        same = fabs(ra - rb) <= 1e-6 * fmax(1, fabs(ra)) && (isnan(xa) == isnan(xb)) && (isnan(xa) || fabs(xa - xb) < 1e-9);
    }
    if (!same) {
        const char *la = cell(&a->run, 0, "radii_m"), *lb = cell(&b->run, 0, "radii_m");
        snprintf(what, sizeof what, "the breaks differ (radii %s m against %s m)", la ? la : "?", lb ? lb : "?");
        return incomparable(ctx, a, b, what, "run the plan with the base run's --minutes or --radius");
    }
    if (a->districts.n != b->districts.n) {
        snprintf(what, sizeof what, "the base run has %zu districts, the plan %zu", a->districts.n, b->districts.n);
        return incomparable(ctx, a, b, what, "run the plan on the base run's --districts");
    }
    for (size_t i = 0; i < a->districts.n; i++) {
        const char *ia = cell(&a->districts, i, "district_id"), *ib = cell(&b->districts, i, "district_id");
        double aa = num(cell(&a->districts, i, "area_m2")), ab = num(cell(&b->districts, i, "area_m2"));
        if (!same_text(ia, ib)) {
            snprintf(what, sizeof what, "district '%s' of the base run is not a district of the plan (which has '%s')",
                     ia ? ia : "?", ib ? ib : "?");
            return incomparable(ctx, a, b, what, "run the plan on the base run's --districts and --district-id");
        }
        if (!(fabs(aa - ab) <= 1e-9 * fmax(aa, ab) + 1e-3)) {
            snprintf(what, sizeof what, "district '%s' has another shape (%.3f m2 in the base run, %.3f m2 in the plan)",
                     ia, aa, ab);
            return incomparable(ctx, a, b, what, "run the plan on the base run's --districts");
        }
    }
    return SV_OK;
}

/* The covered polygon of a district, break by break (ascending radius), as GEOS geometries (empty when none). */
static sv_status district_coverage_geoms(sv_ctx *ctx, sv_geos *h, const side *s, const char *district_id,
                                         size_t nb, sv_geom **out)
{
    rowset r = {0};
    const char *names[] = {"d"}, *vals[] = {district_id};
    sv_status rc = fetch(ctx, s->rd, "SELECT " R17("radius_m") ", hex(ST_AsBinary(geom)) AS g FROM coverage WHERE"
                         " district_id = :d ORDER BY coverage.radius_m", names, vals, 1, &r);
    for (size_t b = 0; b < nb; b++)
        out[b] = NULL;
    for (size_t i = 0; rc == SV_OK && i < r.n && i < nb; i++) {
        const char *hex = cell(&r, i, "g");
        size_t len = 0;
        unsigned char *wkb = NULL;
        if (!hex || !*hex)
            out[i] = sv_geom_empty_polygon(h); /* nothing covered */
        else if (sv_unhex(hex, &wkb, &len) == 0)
            out[i] = sv_geom_from_wkb(h, wkb, len);
        sv_free(wkb);
        if (!out[i])
            rc = sv_error(ctx, SV_ERR_DATA, "%s: the coverage polygon of district '%s' cannot be read (%s)", s->path,
                          district_id, sv_geos_errmsg(h));
    }
    for (size_t b = 0; rc == SV_OK && b < nb; b++)
        if (!out[b] && !(out[b] = sv_geom_empty_polygon(h)))
            rc = SV_ERR_NOMEM;
    rowset_free(&r);
    return rc;
}

/* a minus b as polygons without slivers (stored) and its exact area. */
static sv_status difference(sv_ctx *ctx, sv_geos *h, const sv_geom *a, const sv_geom *b, double *area,
                            unsigned char **wkb, size_t *len)
{
    *wkb = NULL;
    *len = 0;
    sv_geom *d = sv_geom_difference(h, a, b), *p = d ? sv_geom_polygons(h, d) : NULL;
    sv_geom_destroy(h, d);
    if (!p)
        return sv_error(ctx, SV_ERR_GEOM, "the difference of two coverage polygons failed: %s", sv_geos_errmsg(h));
    *area = sv_geom_area(h, p);
    sv_geom *clean = sv_geom_without_slivers(h, p, SV_SLIVER_TOL_M, NULL);
    sv_geom_destroy(h, p);
    if (!clean)
        return sv_error(ctx, SV_ERR_GEOM, "cannot remove slivers: %s", sv_geos_errmsg(h));
    if (sv_geom_is_empty(h, clean) == 0)
        *wkb = sv_geom_to_wkb(h, clean, len);
    sv_geom_destroy(h, clean);
    return SV_OK;
}

/* The coverage tables: district_change, coverage_gained, coverage_lost. */
static sv_status write_districts(sv_ctx *ctx, sv_geos *h, side *a, side *b, sv_store *db, sv_compare *c)
{
    rowset ra = {0}, rb = {0};
    static const char *sql = "SELECT district_id, district_name, mode, " R17("minutes") ", " R17("radius_m") ", "
                             R17("covered_m2") ", " R17("covered_pct") ", " R17("gap_m2") ", " R17("pop_covered")
                             ", n_stations_reaching FROM district_coverage ORDER BY district_id,"
                             " district_coverage.radius_m";
    sv_status rc = fetch(ctx, a->rd, sql, NULL, NULL, 0, &ra);
    if (rc == SV_OK)
        rc = fetch(ctx, b->rd, sql, NULL, NULL, 0, &rb);
    size_t nb = a->breaks.n;
    if (rc == SV_OK && (ra.n != rb.n || ra.n != a->districts.n * nb))
        rc = sv_error(ctx, SV_ERR_DATA, "%s and %s: district_coverage holds %zu and %zu rows where %zu districts "
                      "and %zu breaks make %zu; rerun 'svcov analyze'", a->path, b->path, ra.n, rb.n,
                      a->districts.n, nb, a->districts.n * nb);
    sv_geom **ga = sv_calloc(nb + 1, sizeof *ga), **gb = sv_calloc(nb + 1, sizeof *gb);
    if (rc == SV_OK && (!ga || !gb))
        rc = SV_ERR_NOMEM;
    for (size_t d = 0; rc == SV_OK && d < a->districts.n; d++) {
        const char *id = cell(&a->districts, d, "district_id");
        if ((rc = district_coverage_geoms(ctx, h, a, id, nb, ga)) == SV_OK)
            rc = district_coverage_geoms(ctx, h, b, id, nb, gb);
        for (size_t k = 0; rc == SV_OK && k < nb; k++) {
            size_t i = d * nb + k;
            if (!same_text(cell(&ra, i, "district_id"), id) || !same_text(cell(&rb, i, "district_id"), id)) {
                rc = sv_error(ctx, SV_ERR_DATA, "%s or %s: district_coverage has no row for district '%s' and each "
                              "break; rerun 'svcov analyze'", a->path, b->path, id);
                break;
            }
            double gained = 0, lost = 0;
            unsigned char *wg = NULL, *wl = NULL;
            size_t lg = 0, ll = 0;
            rc = difference(ctx, h, gb[k], ga[k], &gained, &wg, &lg);
            if (rc == SV_OK)
                rc = difference(ctx, h, ga[k], gb[k], &lost, &wl, &ll);
            const char *name = cell(&ra, i, "district_name"), *mode = cell(&ra, i, "mode");
            double minutes = num(cell(&ra, i, "minutes")), radius = num(cell(&ra, i, "radius_m"));
            double pa = num(cell(&ra, i, "covered_pct")), pb = num(cell(&rb, i, "covered_pct"));
            double popa = num(cell(&ra, i, "pop_covered")), popb = num(cell(&rb, i, "pop_covered"));
            const char *sa = cell(&ra, i, "n_stations_reaching"), *sb = cell(&rb, i, "n_stations_reaching");
            const sv_value v[] = {
                SV_TEXT(id), SV_TEXT(name), SV_BREAK(mode, minutes, radius), SV_REAL(pa), SV_REAL(pb),
                SV_REAL(pb - pa), SV_REAL(num(cell(&ra, i, "covered_m2"))), SV_REAL(num(cell(&rb, i, "covered_m2"))),
                SV_REAL(gained), SV_REAL(lost), SV_REAL(num(cell(&ra, i, "gap_m2"))),
                SV_REAL(num(cell(&rb, i, "gap_m2"))), SV_REAL(popa), SV_REAL(popb), SV_REAL(popb - popa),
                sa ? SV_INT(atoll(sa)) : SV_NULL, sb ? SV_INT(atoll(sb)) : SV_NULL,
            };
            if (rc == SV_OK)
                rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_CHANGE, v, sizeof v / sizeof v[0], NULL, 0);
            const sv_value gv[] = {SV_TEXT(id), SV_TEXT(name), SV_BREAK(mode, minutes, radius), SV_REAL(gained)};
            const sv_value lv[] = {SV_TEXT(id), SV_TEXT(name), SV_BREAK(mode, minutes, radius), SV_REAL(lost)};
            if (rc == SV_OK && wg)
                rc = sv_store_insert(ctx, db, SV_TABLE_COVERAGE_GAINED, gv, sizeof gv / sizeof gv[0], wg, lg);
            if (rc == SV_OK && wl)
                rc = sv_store_insert(ctx, db, SV_TABLE_COVERAGE_LOST, lv, sizeof lv / sizeof lv[0], wl, ll);
            sv_free(wg);
            sv_free(wl);
            if (pb - pa > 1e-9)
                c->n_improved++;
            else if (pb - pa < -1e-9)
                c->n_worse++;
        }
        for (size_t k = 0; k < nb; k++) {
            sv_geom_destroy(h, ga[k]);
            sv_geom_destroy(h, gb[k]);
            ga[k] = gb[k] = NULL;
        }
        sv_progress(ctx, "comparing", (double)(d + 1) / (double)a->districts.n);
        if (rc == SV_OK && sv_ctx_interrupted(ctx))
            rc = SV_ERR_INTERRUPTED;
    }
    sv_free(ga);
    sv_free(gb);
    rowset_free(&ra);
    rowset_free(&rb);
    return rc;
}

static sv_status write_city(sv_ctx *ctx, const side *a, const side *b, sv_store *db, sv_compare *c)
{
    size_t n = a->city.n < b->city.n ? a->city.n : b->city.n;
    c->city = sv_calloc(n + 1, sizeof *c->city);
    if (!c->city)
        return SV_ERR_NOMEM;
    sv_status rc = SV_OK;
    for (size_t i = 0; i < n && rc == SV_OK; i++) {
        sv_compare_city *x = &c->city[i];
        snprintf(x->mode, sizeof x->mode, "%s", cell(&a->city, i, "mode") ? cell(&a->city, i, "mode") : "");
        x->minutes = num(cell(&a->city, i, "minutes"));
        x->radius_m = num(cell(&a->city, i, "radius_m"));
        x->pct_base = num(cell(&a->city, i, "covered_pct"));
        x->pct_plan = num(cell(&b->city, i, "covered_pct"));
        x->covered_base = num(cell(&a->city, i, "covered_m2"));
        x->covered_plan = num(cell(&b->city, i, "covered_m2"));
        x->pop_base = num(cell(&a->city, i, "pop_covered"));
        x->pop_plan = num(cell(&b->city, i, "pop_covered"));
        const sv_value v[] = {
            SV_BREAK(x->mode, x->minutes, x->radius_m), SV_REAL(x->pct_base), SV_REAL(x->pct_plan),
            SV_REAL(x->pct_plan - x->pct_base), SV_REAL(x->covered_base), SV_REAL(x->covered_plan),
            SV_REAL(num(cell(&a->city, i, "gap_m2"))), SV_REAL(num(cell(&b->city, i, "gap_m2"))),
            SV_REAL(x->pop_base), SV_REAL(x->pop_plan), SV_REAL(x->pop_plan - x->pop_base),
            SV_INT(atoll(cell(&a->city, i, "n_stations") ? cell(&a->city, i, "n_stations") : "0")),
            SV_INT(atoll(cell(&b->city, i, "n_stations") ? cell(&b->city, i, "n_stations") : "0")),
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_CITY_CHANGE, v, sizeof v / sizeof v[0], NULL, 0);
    }
    c->n_breaks = n;
    return rc;
}

/* What the run with the station alone covers at radius r (critical_stations), NAN when not computed. */
static void alone(const side *s, const char *id, double r, double *area, double *pop)
{
    *area = *pop = NAN;
    for (size_t i = 0; i < s->critical.n; i++)
        if (same_text(cell(&s->critical, i, "station_id"), id) &&
            fabs(num(cell(&s->critical, i, "radius_m")) - r) <= 1e-6 * fmax(1, r)) {
            *area = num(cell(&s->critical, i, "area_lost_m2"));
            *pop = num(cell(&s->critical, i, "pop_lost"));
            return;
        }
    /* critical_stations lists the stations that alone cover something: of a run that computed it (redundancy 1),
       a station without a row covers nothing alone */
    if (same_text(cell(&s->run, 0, "redundancy"), "1")) {
        *area = 0;
        *pop = cell(&s->run, 0, "population_method") ? 0 : NAN;
    }
}

static sv_status station_rows(sv_ctx *ctx, const side *a, const side *b, sv_store *db, const char *change,
                              const rowset *at, size_t i, const rowset *from, size_t j)
{
    const side *own = strcmp(change, "removed") == 0 ? a : b;
    const char *id = cell(at, i, "station_id");
    double x = num(cell(at, i, "x")), y = num(cell(at, i, "y"));
    double bx = from ? num(cell(from, j, "x")) : NAN, by = from ? num(cell(from, j, "y")) : NAN;
    sv_status rc = SV_OK;
    for (size_t k = 0; k < a->breaks.n && rc == SV_OK; k++) {
        double r = num(cell(&a->breaks, k, "radius_m")), area, pop;
        alone(own, id, r, &area, &pop);
        const sv_value v[] = {
            SV_TEXT(id), SV_TEXT(cell(at, i, "name")), SV_TEXT(change),
            SV_BREAK(cell(&a->breaks, k, "mode"), num(cell(&a->breaks, k, "minutes")), r),
            strcmp(change, "moved") == 0 ? SV_REAL(hypot(x - bx, y - by)) : SV_NULL, SV_REAL(bx), SV_REAL(by),
            SV_REAL(area), SV_REAL(pop),
        };
        rc = sv_store_insert_point(ctx, db, SV_TABLE_STATION_CHANGE, v, sizeof v / sizeof v[0], x, y);
    }
    return rc;
}

/* station_change: both station lists are sorted by id (SQLite's BINARY order is strcmp's). A station that keeps
 * its id and moves more than 1 cm (the tolerance of every stored polygon) has moved. */
static sv_status write_stations(sv_ctx *ctx, const side *a, const side *b, sv_store *db, sv_compare *c)
{
    const rowset *sa = &a->stations, *sb = &b->stations;
    size_t i = 0, j = 0;
    sv_status rc = SV_OK;
    while (rc == SV_OK && (i < sa->n || j < sb->n)) {
        int cmp = i == sa->n ? 1 : j == sb->n ? -1 : strcmp(cell(sa, i, "station_id"), cell(sb, j, "station_id"));
        if (cmp < 0) {
            rc = station_rows(ctx, a, b, db, "removed", sa, i, sa, i);
            c->n_removed++;
            i++;
        } else if (cmp > 0) {
            rc = station_rows(ctx, a, b, db, "added", sb, j, NULL, 0);
            c->n_added++;
            j++;
        } else {
            double d = hypot(num(cell(sa, i, "x")) - num(cell(sb, j, "x")), num(cell(sa, i, "y")) - num(cell(sb, j, "y")));
            if (d > SV_SLIVER_TOL_M) {
                rc = station_rows(ctx, a, b, db, "moved", sb, j, sa, i);
                c->n_moved++;
            }
            i++;
            j++;
        }
    }
    return rc;
}

/* The plan's own tables, so that 'svcov map' and 'svcov report' draw the plan under the change. */
static sv_status copy_plan(sv_ctx *ctx, const char *plan, sv_store *db)
{
    static const sv_table tables[] = {SV_TABLE_STATIONS, SV_TABLE_DISTRICTS, SV_TABLE_DISTRICT_COVERAGE,
                                      SV_TABLE_COVERAGE, SV_TABLE_GAPS, SV_TABLE_CITY_COVERAGE, SV_TABLE_BREAKS,
                                      SV_TABLE_ROADS};
    sv_status rc = SV_OK;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == SV_OK; i++)
        rc = sv_store_copy_rows(ctx, db, plan, tables[i], NULL, NULL);
    if (rc == SV_OK)
        rc = sv_store_copy_rows(ctx, db, plan, SV_TABLE_RUNS, "ORDER BY run_id DESC LIMIT 1", NULL);
    return rc;
}

static sv_status write_record(sv_ctx *ctx, const sv_compare_opts *o, const char *started, const side *a,
                              const side *b, sv_store *db, const sv_compare *c)
{
    char finished[32];
    sv_utc_now(finished, sizeof finished);
    const char *ra = cell(&a->run, 0, "run_id"), *rb = cell(&b->run, 0, "run_id"), *epsg = cell(&a->run, 0, "crs_epsg");
    const sv_value v[] = {
        SV_TEXT(started), SV_TEXT(finished), SV_TEXT(SV_VERSION), SV_TEXT(o->command_line), SV_TEXT(o->base_path),
        SV_TEXT(o->plan_path), ra ? SV_INT(atoll(ra)) : SV_NULL, rb ? SV_INT(atoll(rb)) : SV_NULL,
        epsg ? SV_INT(atoll(epsg)) : SV_NULL, SV_TEXT(cell(&a->run, 0, "mode")), SV_TEXT(cell(&a->run, 0, "method")),
        SV_TEXT(cell(&a->run, 0, "radii_m")), SV_INT(c->n_districts), SV_INT(c->n_added), SV_INT(c->n_removed),
        SV_INT(c->n_moved),
    };
    return sv_store_insert(ctx, db, SV_TABLE_COMPARE_RUNS, v, sizeof v / sizeof v[0], NULL, 0);
}

/* The same path, or two names of one existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return strcmp(a, b) == 0 || (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
                                 sa.st_ino == sb.st_ino);
}

sv_status sv_compare_run(sv_ctx *ctx, const sv_compare_opts *o, sv_compare **out)
{
    *out = NULL;
    char started[32];
    sv_utc_now(started, sizeof started);
    if (!o->base_path || !o->plan_path || !o->out_path)
        return sv_error(ctx, SV_ERR_USAGE, "--base, --plan and --out are required");
    if (same_file(o->out_path, o->base_path) || same_file(o->out_path, o->plan_path))
        return sv_error(ctx, SV_ERR_USAGE, "--out %s would replace a database being compared; give another --out",
                        o->out_path);
    side a = {.path = o->base_path, .opt = "--base"}, b = {.path = o->plan_path, .opt = "--plan"};
    sv_compare *c = sv_calloc(1, sizeof *c);
    sv_geos *h = sv_geos_create();
    sv_store *db = NULL;
    sv_status rc = c && h ? SV_OK : SV_ERR_NOMEM;
    if (rc == SV_OK)
        rc = sv_store_check_target(ctx, o->out_path);
    if (rc == SV_OK)
        rc = read_side(ctx, &a);
    if (rc == SV_OK)
        rc = read_side(ctx, &b);
    if (rc == SV_OK)
        rc = check_comparable(ctx, &a, &b);
    if (rc == SV_OK) {
        c->n_districts = a.districts.n;
        c->srid = atoi(cell(&a.run, 0, "crs_epsg") ? cell(&a.run, 0, "crs_epsg") : "0");
        if (c->srid <= 0)
            c->srid = sv_store_db_srid(a.path);
        rc = sv_store_create(ctx, o->out_path, c->srid, &db);
    }
    if (rc == SV_OK)
        rc = copy_plan(ctx, b.path, db);
    if (rc == SV_OK)
        rc = write_districts(ctx, h, &a, &b, db, c);
    if (rc == SV_OK)
        rc = write_city(ctx, &a, &b, db, c);
    if (rc == SV_OK)
        rc = write_stations(ctx, &a, &b, db, c);
    if (rc == SV_OK)
        rc = write_record(ctx, o, started, &a, &b, db, c);
    side_free(&a);
    side_free(&b);
    sv_geos_destroy(h);
    if (rc == SV_OK && sv_ctx_interrupted(ctx))
        rc = SV_ERR_INTERRUPTED;
    if (rc == SV_ERR_INTERRUPTED)
        sv_error(ctx, rc, "interrupted; %s was left as it was", o->out_path);
    if (rc == SV_OK)
        rc = sv_store_commit(ctx, db);
    else
        sv_store_abort(db);
    if (rc != SV_OK) {
        sv_compare_destroy(c);
        return rc;
    }
    *out = c;
    return SV_OK;
}

void sv_compare_destroy(sv_compare *c)
{
    if (!c)
        return;
    sv_free(c->city);
    sv_free(c);
}
