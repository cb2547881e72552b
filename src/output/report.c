/* report.c - the report of a result database: per-district table, city
 * totals, redundancy and fairness when present, the run's parameters; HTML
 * (maps inlined as PNG data URIs), Markdown or CSV. The numbers come from
 * SQL over the stored tables (sv_store_read); tables and columns that
 * newer analyses add are used when they exist and never required. */
#include "svcov/sv_report.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_map.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A query result held as text. */
typedef struct {
    int ncol;
    char **names;
    size_t nrows;
    char **cells; /* nrows * ncol, NULL for SQL NULL */
    int failed;
} rtable;

static void rtable_free(rtable *t)
{
    for (int i = 0; i < t->ncol; i++)
        free(t->names[i]);
    for (size_t i = 0; i < t->nrows * (size_t)t->ncol; i++)
        free(t->cells[i]);
    free(t->names);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static int collect(void *ud, int ncol, const char *const *names, const char *const *v)
{
    rtable *t = ud;
    if (!v) {
        if (t->ncol == 0) {
            t->names = sv_calloc((size_t)ncol, sizeof *t->names);
            if (!t->names)
                return t->failed = 1;
            t->ncol = ncol;
            for (int i = 0; i < ncol; i++)
                t->names[i] = sv_strdup(names[i]);
        }
        return 0;
    }
    if (ncol != t->ncol)
        return 0;
    char **c = sv_realloc(t->cells, (t->nrows + 1) * (size_t)ncol * sizeof *c);
    if (!c)
        return t->failed = 1;
    t->cells = c;
    for (int i = 0; i < ncol; i++)
        c[t->nrows * (size_t)ncol + (size_t)i] = v[i] ? sv_strdup(v[i]) : NULL;
    t->nrows++;
    return 0;
}

static int tcol(const rtable *t, const char *name)
{
    for (int i = 0; i < t->ncol; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    return -1;
}

static const char *cell(const rtable *t, size_t row, const char *name)
{
    int c = tcol(t, name);
    return c < 0 || row >= t->nrows ? NULL : t->cells[row * (size_t)t->ncol + (size_t)c];
}

static sv_status run(sv_ctx *ctx, sv_store_reader *db, const char *sql, rtable *t)
{
    sv_status st = sv_store_read(ctx, db, sql, NULL, NULL, 0, collect, t);
    if (st == SV_OK && t->failed)
        st = SV_ERR_NOMEM;
    return st;
}

/* ",a,b," lists of names */
static int has(const rtable *t, const char *name)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (t->cells[i * (size_t)t->ncol] && strcmp(t->cells[i * (size_t)t->ncol], name) == 0)
            return 1;
    return 0;
}

/* ---- the report's columns ---- */

typedef enum { K_TEXT, K_INT, K_PCT, K_KM2, K_NUM, K_MIN } kind;

typedef struct {
    const char *col;   /* column of the long query */
    const char *title; /* heading */
    kind k;
    int per_break;     /* one column per break in the wide tables */
    int optional;      /* left out when every value is NULL (e.g. fairness without demand points); these are the
                          people, redundancy, distance and demand figures, the HTML report's second district table */
} column;

static void fmt_value(sv_buf *b, const char *v, kind k)
{
    if (!v) {
        sv_buf_puts(b, "–");
        return;
    }
    double x = strtod(v, NULL);
    switch (k) {
    case K_INT: sv_buf_printf(b, "%.0f", x); break;
    case K_PCT: sv_buf_printf(b, "%.1f", x); break;
    case K_KM2: sv_buf_printf(b, "%.3f", x); break;
    case K_MIN: sv_buf_printf(b, "%.1f", x); break;
    case K_NUM: sv_buf_printf(b, "%.4g", x); break;
    default: sv_buf_puts(b, v);
    }
}

typedef struct {
    sv_ctx *ctx;
    const char *db;
    sv_store_reader *rd;
    sv_map *map;
    const sv_report_options *opt;
    rtable tables, dc_cols, red_cols, fair_cols, dem_cols, city_cols;
    rtable breaks, rows, city, runs, critical, issues, sites, overloaded;
    rtable change, city_change, station_change, compare; /* an 'svcov compare' database */
    char *where; /* the break filter, any length */
    column cols[32];
    int ncols;
    int has_pop;
    sv_lang lang;
} report;

static const char *brk_label(sv_lang L, const rtable *br, size_t i, char *buf, size_t size)
{
    const char *m = cell(br, i, "minutes");
    return sv_break_label(L, m ? strtod(m, NULL) : NAN, strtod(cell(br, i, "radius_m"), NULL), cell(br, i, "label"),
                          cell(br, i, "label_zh"), buf, size);
}

static void add_col(report *r, const char *col, const char *title, kind k, int per_break)
{
    if (r->ncols < (int)(sizeof r->cols / sizeof r->cols[0]))
        r->cols[r->ncols++] = (column){col, title, k, per_break, 0};
}

static void add_optional(report *r, const char *col, const char *title, kind k, int per_break)
{
    add_col(r, col, title, k, per_break);
    r->cols[r->ncols - 1].optional = 1;
}

/* Drop optional columns without a single value. */
static void drop_empty(report *r)
{
    int o = 0;
    for (int c = 0; c < r->ncols; c++) {
        int any = !r->cols[c].optional;
        for (size_t i = 0; !any && i < r->rows.nrows; i++)
            any = cell(&r->rows, i, r->cols[c].col) != NULL;
        if (any)
            r->cols[o++] = r->cols[c];
    }
    r->ncols = o;
}

/* The before/after tables of an 'svcov compare' database (none in an analysis). */
static sv_status gather_change(report *r)
{
    sv_status st = run(r->ctx, r->rd, "SELECT * FROM compare_runs ORDER BY compare_run_id DESC LIMIT 1", &r->compare);
    if (st != SV_OK || r->compare.nrows == 0)
        return st;
    sv_buf q = {0};
    sv_buf_printf(&q, "SELECT * FROM district_change c WHERE %s ORDER BY c.radius_m, c.district_id", r->where);
    st = run(r->ctx, r->rd, q.data, &r->change);
    sv_buf_free(&q);
    sv_buf_printf(&q, "SELECT * FROM city_change c WHERE %s ORDER BY c.radius_m", r->where);
    if (st == SV_OK)
        st = run(r->ctx, r->rd, q.data, &r->city_change);
    sv_buf_free(&q);
    sv_buf_printf(&q, "SELECT * FROM station_change c WHERE %s ORDER BY c.radius_m, c.change, c.station_id", r->where);
    if (st == SV_OK)
        st = run(r->ctx, r->rd, q.data, &r->station_change);
    sv_buf_free(&q);
    return st;
}


/* Read everything the report shows from the database (tables present decide which sections there are). */
static sv_status gather(report *r)
{
    sv_ctx *ctx = r->ctx;
    sv_store_reader *db = r->rd;
    sv_status st = run(ctx, db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", &r->tables);
    if (st == SV_OK)
        st = run(ctx, db, "SELECT name FROM pragma_table_info('district_coverage')", &r->dc_cols);
    if (st == SV_OK)
        st = run(ctx, db, "SELECT name FROM pragma_table_info('city_coverage')", &r->city_cols);
    int has_red = st == SV_OK && has(&r->tables, "district_redundancy");
    int has_fair = st == SV_OK && has(&r->tables, "district_fairness");
    int has_dem = st == SV_OK && has(&r->tables, "district_demand");
    if (st == SV_OK && has_red)
        st = run(ctx, db, "SELECT name FROM pragma_table_info('district_redundancy')", &r->red_cols);
    if (st == SV_OK && has_fair)
        st = run(ctx, db, "SELECT name FROM pragma_table_info('district_fairness')", &r->fair_cols);
    if (st == SV_OK && has_dem)
        st = run(ctx, db, "SELECT name FROM pragma_table_info('district_demand')", &r->dem_cols);
    if (st != SV_OK)
        return st;
    /* a table that exists but holds nothing (e.g. district_demand without --demand) adds no columns */
    rtable cnt = {0};
    if (has_dem && run(ctx, db, "SELECT 1 FROM district_demand WHERE district_id IS NOT NULL LIMIT 1", &cnt) == SV_OK)
        has_dem = cnt.nrows > 0;
    rtable_free(&cnt);
    if (has_red && run(ctx, db, "SELECT 1 FROM district_redundancy LIMIT 1", &cnt) == SV_OK)
        has_red = cnt.nrows > 0;
    rtable_free(&cnt);
    if (has_fair && run(ctx, db, "SELECT 1 FROM district_fairness LIMIT 1", &cnt) == SV_OK)
        has_fair = cnt.nrows > 0;
    rtable_free(&cnt);
    has_red = has_red && has(&r->red_cols, "n_cover") && has(&r->red_cols, "district_id") &&
              has(&r->red_cols, "radius_m");
    has_fair = has_fair && has(&r->fair_cols, "district_id") && has(&r->fair_cols, "radius_m");
    has_dem = has_dem && has(&r->dem_cols, "covered_share") && has(&r->dem_cols, "district_id");
    r->has_pop = has(&r->dc_cols, "pop_covered_pct");

    sv_buf q = {0};
    sv_buf_printf(&q, "SELECT DISTINCT mode, minutes, radius_m%s FROM district_coverage c WHERE %s ORDER BY radius_m",
                  has(&r->tables, "breaks") ? ", (SELECT label FROM breaks b WHERE b.radius_m = c.radius_m) AS label,"
                                              " (SELECT label_zh FROM breaks b WHERE b.radius_m = c.radius_m) AS label_zh"
                                            : "",
                  r->where);
    st = run(ctx, db, q.data, &r->breaks);
    sv_buf_free(&q);
    if (st != SV_OK)
        return st;

    /* the long table: one row per district and break */
    add_col(r, "district_id", SV_N_("District"), K_TEXT, 0);
    add_col(r, "district_name", SV_N_("Name"), K_TEXT, 0);
    add_col(r, "area_km2", SV_N_("Area km²"), K_KM2, 0);
    sv_buf_puts(&q, "SELECT c.district_id, c.district_name, c.mode, c.minutes, c.radius_m, c.area_m2 / 1e6 AS"
                    " area_km2, c.covered_m2 / 1e6 AS covered_km2, c.covered_pct, c.gap_m2 / 1e6 AS gap_km2,"
                    " c.n_gap_parts, c.n_stations_inside, c.n_stations_reaching");
    add_col(r, "covered_pct", SV_N_("covered %"), K_PCT, 1);
    add_col(r, "gap_km2", SV_N_("gap km²"), K_KM2, 1);
    add_col(r, "n_gap_parts", SV_N_("gap parts"), K_INT, 1);
    if (r->has_pop) {
        sv_buf_puts(&q, ", c.pop_total, c.pop_covered, c.pop_covered_pct");
        add_optional(r, "pop_covered_pct", SV_N_("people covered %"), K_PCT, 1);
    }
    if (has_red && has(&r->red_cols, "area_pct")) {
        sv_buf_puts(&q, ", (SELECT sum(x.area_pct) FROM district_redundancy x WHERE x.district_id = c.district_id"
                        " AND abs(x.radius_m - c.radius_m) < 1e-6 AND x.n_cover >= 2) AS area_pct_2plus");
        add_optional(r, "area_pct_2plus", SV_N_("area by 2+ stations %"), K_PCT, 1);
    }
    if (has_red && has(&r->red_cols, "pop_pct")) {
        sv_buf_puts(&q, ", (SELECT sum(x.pop_pct) FROM district_redundancy x WHERE x.district_id = c.district_id"
                        " AND abs(x.radius_m - c.radius_m) < 1e-6 AND x.n_cover >= 2) AS pop_pct_2plus");
        add_optional(r, "pop_pct_2plus", SV_N_("people by 2+ stations %"), K_PCT, 1);
    }
    /* the distance to the nearest station does not depend on the break: one column each, from the row of the
       largest break */
    static const char *const fair[][2] = {{"median_min", SV_N_("median min to a station")},
                                          {"p90_min", SV_N_("90th pct min to a station")},
                                          {"median_m", SV_N_("median m to a station")},
                                          {"p90_m", SV_N_("90th pct m to a station")}};
    for (size_t i = 0; has_fair && i < sizeof fair / sizeof fair[0]; i++)
        if (has(&r->fair_cols, fair[i][0])) {
            sv_buf_printf(&q, ", (SELECT x.%s FROM district_fairness x WHERE x.district_id = c.district_id"
                              " ORDER BY x.radius_m DESC LIMIT 1) AS %s",
                          fair[i][0], fair[i][0]);
            add_optional(r, fair[i][0], fair[i][1], strstr(fair[i][0], "min") ? K_MIN : K_INT, 0);
        }
    if (has_dem) {
        sv_buf_puts(&q, ", (SELECT 100.0 * x.covered_share FROM district_demand x WHERE x.district_id ="
                        " c.district_id AND abs(x.radius_m - c.radius_m) < 1e-6 LIMIT 1) AS demand_covered_pct");
        add_optional(r, "demand_covered_pct", SV_N_("demand covered %"), K_PCT, 1);
    }
    add_col(r, "n_stations_inside", SV_N_("stations inside"), K_INT, 0);
    add_col(r, "n_stations_reaching", SV_N_("stations reaching"), K_INT, 1);
    sv_buf_printf(&q, " FROM district_coverage c WHERE %s ORDER BY c.district_id, c.radius_m", r->where);
    if (q.failed)
        return SV_ERR_NOMEM;
    st = run(ctx, db, q.data, &r->rows);
    sv_buf_free(&q);
    if (st != SV_OK)
        return st;
    drop_empty(r);

    sv_buf_puts(&q, "SELECT mode, minutes, radius_m, area_m2 / 1e6 AS area_km2, covered_m2 / 1e6 AS covered_km2,"
                    " covered_pct, gap_m2 / 1e6 AS gap_km2, n_stations");
    if (has(&r->city_cols, "pop_covered_pct"))
        sv_buf_puts(&q, ", pop_total, pop_covered, pop_covered_pct");
    if (has(&r->city_cols, "gini"))
        sv_buf_puts(&q, ", gini");
    sv_buf_printf(&q, " FROM city_coverage c WHERE %s ORDER BY radius_m", r->where);
    st = run(ctx, db, q.data, &r->city);
    sv_buf_free(&q);
    if (st == SV_OK && has(&r->tables, "runs"))
        st = run(ctx, db, "SELECT * FROM runs ORDER BY rowid DESC LIMIT 1", &r->runs);
    if (st == SV_OK && has(&r->tables, "critical_stations")) {
        sv_buf_printf(&q, "SELECT * FROM critical_stations c WHERE %s AND rank <= 5 ORDER BY radius_m, rank",
                      r->where);
        st = run(ctx, db, q.data, &r->critical);
        sv_buf_free(&q);
    }
    if (st == SV_OK && has(&r->tables, "station_load")) { /* the most loaded stations of each break */
        sv_buf_printf(&q, "SELECT * FROM (SELECT c.minutes, c.radius_m, row_number() OVER (PARTITION BY c.radius_m"
                      " ORDER BY c.demand_per_capacity DESC, c.station_id) AS rank, c.station_id, s.name,"
                      " c.capacity, c.demand_within, c.demand_per_capacity FROM station_load c LEFT JOIN stations s"
                      " ON s.station_id = c.station_id WHERE %s AND c.demand_per_capacity IS NOT NULL) WHERE rank"
                      " <= 5 ORDER BY radius_m, rank", r->where);
        st = run(ctx, db, q.data, &r->overloaded);
        sv_buf_free(&q);
    }
    if (st == SV_OK && has(&r->tables, "sites") && has(&r->tables, "site_runs"))
        st = run(ctx, db, "SELECT s.rank, s.candidate_id, s.district_id, s.marginal_gain, 100.0 * s.cumulative_share"
                          " AS cumulative_pct, r.model, r.k, r.radius_m, r.minutes, 100.0 * r.covered_share AS"
                          " covered_pct, r.existing_covered, r.total_weight, r.solver, r.proven_optimal"
                          " FROM sites s JOIN site_runs r ON r.site_run_id = s.site_run_id"
                          " WHERE s.site_run_id = (SELECT max(site_run_id) FROM sites) ORDER BY s.rank",
                 &r->sites);
    if (st == SV_OK && has(&r->tables, "issues"))
        st = run(ctx, db, "SELECT action, count(*) AS n FROM issues GROUP BY action", &r->issues);
    if (st == SV_OK && has(&r->tables, "compare_runs"))
        st = gather_change(r);
    return st;
}

/* The row of district row i's block for break b (rows are ordered by district, radius). */
static size_t find_row(const report *r, const char *district, size_t b)
{
    const char *rad = cell(&r->breaks, b, "radius_m");
    for (size_t i = 0; i < r->rows.nrows; i++)
        if (strcmp(cell(&r->rows, i, "district_id"), district) == 0 &&
            fabs(strtod(cell(&r->rows, i, "radius_m"), NULL) - strtod(rad, NULL)) < 1e-6)
            return i;
    return (size_t)-1;
}

/* ---- writers ---- */

/* The districts table as CSV (RFC 4180, CRLF): the fixed columns first, then every other one. */
static void write_csv(report *r, sv_buf *o)
{
    static const char *const fixed[] = {"district_id", "district_name", "mode", "minutes", "radius_m"};
    for (size_t i = 0; i < 5; i++)
        sv_buf_printf(o, "%s%s", i ? "," : "", fixed[i]);
    for (int c = 0; c < r->rows.ncol; c++) {
        int is_fixed = 0;
        for (size_t i = 0; i < 5; i++)
            is_fixed |= strcmp(r->rows.names[c], fixed[i]) == 0;
        if (!is_fixed)
            sv_buf_printf(o, ",%s", r->rows.names[c]);
    }
    sv_buf_puts(o, "\r\n");
    for (size_t i = 0; i < r->rows.nrows; i++) {
        for (size_t k = 0; k < 5; k++) {
            if (k)
                sv_buf_puts(o, ",");
            sv_buf_csv(o, cell(&r->rows, i, fixed[k]));
        }
        for (int c = 0; c < r->rows.ncol; c++) {
            int is_fixed = 0;
            for (size_t k = 0; k < 5; k++)
                is_fixed |= strcmp(r->rows.names[c], fixed[k]) == 0;
            if (is_fixed)
                continue;
            sv_buf_puts(o, ",");
            sv_buf_csv(o, r->rows.cells[i * (size_t)r->rows.ncol + (size_t)c]);
        }
        sv_buf_puts(o, "\r\n");
    }
    /* the city-wide totals as rows with district_id "(city)" */
    for (size_t i = 0; i < r->city.nrows; i++) {
        sv_buf_puts(o, "(city),(all districts),");
        sv_buf_csv(o, cell(&r->city, i, "mode"));
        sv_buf_puts(o, ",");
        sv_buf_csv(o, cell(&r->city, i, "minutes"));
        sv_buf_puts(o, ",");
        sv_buf_csv(o, cell(&r->city, i, "radius_m"));
        for (int c = 0; c < r->rows.ncol; c++) {
            const char *n = r->rows.names[c];
            int is_fixed = 0;
            for (size_t k = 0; k < 5; k++)
                is_fixed |= strcmp(n, fixed[k]) == 0;
            if (is_fixed)
                continue;
            sv_buf_puts(o, ",");
            if (strcmp(n, "n_stations_reaching") == 0)
                n = "n_stations";
            sv_buf_csv(o, cell(&r->city, i, n));
        }
        sv_buf_puts(o, "\r\n");
    }
}

typedef struct {
    sv_buf *o;
    int html;
    sv_lang lang;
} out;

static void put_text(out *w, const char *s)
{
    if (w->html)
        sv_buf_html(w->o, s);
    else
        sv_buf_md(w->o, s);
}

static void row_start(out *w)
{
    sv_buf_puts(w->o, w->html ? "<tr>" : "|");
}

static void row_end(out *w)
{
    sv_buf_puts(w->o, w->html ? "</tr>\n" : "\n");
}

static void head_cell(out *w, const char *s)
{
    sv_buf_puts(w->o, w->html ? "<th>" : " ");
    put_text(w, s);
    sv_buf_puts(w->o, w->html ? "</th>" : " |");
}

static void data_cell(out *w, const char *v, kind k)
{
    sv_buf_puts(w->o, w->html ? (k == K_TEXT ? "<td class=\"t\">" : "<td>") : " ");
    if (k == K_TEXT)
        put_text(w, v ? v : "");
    else
        fmt_value(w->o, v, k);
    sv_buf_puts(w->o, w->html ? "</td>" : " |");
}

/* align: one letter per column, 'l' left (text) or 'r' right (numbers). */
static void md_rule(out *w, const char *align)
{
    if (w->html)
        return;
    sv_buf_puts(w->o, "|");
    for (const char *a = align; *a; a++)
        sv_buf_puts(w->o, *a == 'l' ? ":---|" : "---:|");
    sv_buf_puts(w->o, "\n");
}

static void heading(out *w, int level, const char *s)
{
    if (w->html) {
        sv_buf_printf(w->o, "<h%d>", level);
        sv_buf_html(w->o, s);
        sv_buf_printf(w->o, "</h%d>\n", level);
    } else {
        sv_buf_printf(w->o, "\n%.*s ", level, "######");
        sv_buf_puts(w->o, s);
        sv_buf_puts(w->o, "\n\n");
    }
}

static void para(out *w, const char *s)
{
    if (w->html) {
        sv_buf_puts(w->o, "<p>");
        sv_buf_html(w->o, s);
        sv_buf_puts(w->o, "</p>\n");
    } else {
        sv_buf_puts(w->o, s);
        sv_buf_puts(w->o, "\n\n");
    }
}

static void table_start(out *w)
{
    if (w->html)
        sv_buf_puts(w->o, "<table>\n");
}

static void table_end(out *w)
{
    sv_buf_puts(w->o, w->html ? "</table>\n" : "\n");
}

/* The whole area, one row per break (people and fairness columns when the run has them). */
static void city_table(report *r, out *w)
{
    const rtable *c = &r->city;
    int pop = tcol(c, "pop_covered_pct") >= 0, gini = tcol(c, "gini") >= 0;
    table_start(w);
    row_start(w);
    int n = 0;
    const sv_lang L = w->lang;
    static const char *const heads[] = {SV_N_("Break"),     SV_N_("Radius m"),  SV_N_("Area km²"),
                                        SV_N_("Covered km²"), SV_N_("Covered %"), SV_N_("Gap km²"),
                                        SV_N_("Stations")};
    for (size_t i = 0; i < 7; i++, n++)
        head_cell(w, sv_tr(L, heads[i]));
    if (pop) {
        head_cell(w, sv_tr(L, "People"));
        head_cell(w, sv_tr(L, "People covered %"));
        n += 2;
    }
    if (gini) {
        head_cell(w, sv_tr(L, "Gini"));
        n++;
    }
    row_end(w);
    char align[16] = "lrrrrrrrrrrrrr";
    align[n] = '\0';
    md_rule(w, align);
    for (size_t i = 0; i < c->nrows; i++) {
        char lb[64];
        row_start(w);
        data_cell(w, brk_label(L, c, i, lb, sizeof lb), K_TEXT);
        data_cell(w, cell(c, i, "radius_m"), K_INT);
        data_cell(w, cell(c, i, "area_km2"), K_KM2);
        data_cell(w, cell(c, i, "covered_km2"), K_KM2);
        data_cell(w, cell(c, i, "covered_pct"), K_PCT);
        data_cell(w, cell(c, i, "gap_km2"), K_KM2);
        data_cell(w, cell(c, i, "n_stations"), K_INT);
        if (pop) {
            data_cell(w, cell(c, i, "pop_total"), K_INT);
            data_cell(w, cell(c, i, "pop_covered_pct"), K_PCT);
        }
        if (gini)
            data_cell(w, cell(c, i, "gini"), K_NUM);
        row_end(w);
    }
    table_end(w);
}

/* The district columns of one table: part 0 all of them, part 1 the area and stations, part 2 the people,
   redundancy, distance and demand figures (the district's id and name head every part). */
static int in_part(const column *c, int part)
{
    int always = strcmp(c->col, "district_id") == 0 || strcmp(c->col, "district_name") == 0;
    return part == 0 || always || (part == 2) == (c->optional != 0);
}

/* The districts table, columns per break, with the columns of part (see in_part). */
static void district_table(report *r, out *w, int part)
{
    size_t nb = r->breaks.nrows;
    char lb[64], h[160];
    table_start(w);
    if (w->html)
        sv_buf_puts(w->o, "<thead>");
    row_start(w);
    int n = 0;
    for (int c = 0; c < r->ncols; c++) {
        if (!in_part(&r->cols[c], part))
            continue;
        if (!r->cols[c].per_break) {
            head_cell(w, sv_tr(w->lang, r->cols[c].title));
            n++;
            continue;
        }
        for (size_t b = 0; b < nb; b++) {
            snprintf(h, sizeof h, "%s %s", brk_label(w->lang, &r->breaks, b, lb, sizeof lb),
                     sv_tr(w->lang, r->cols[c].title));
            head_cell(w, h);
            n++;
        }
    }
    row_end(w);
    if (w->html)
        sv_buf_puts(w->o, "</thead>\n");
    char align[160];
    int na = 0;
    for (int c = 0; c < r->ncols && na < (int)sizeof align - 1; c++)
        for (size_t b = 0; in_part(&r->cols[c], part) && b < (r->cols[c].per_break ? nb : 1) &&
                           na < (int)sizeof align - 1; b++)
            align[na++] = r->cols[c].k == K_TEXT ? 'l' : 'r';
    align[na] = '\0';
    (void)n;
    md_rule(w, align);
    for (size_t i = 0; i < r->rows.nrows; i++) {
        const char *id = cell(&r->rows, i, "district_id");
        if (i > 0 && strcmp(id, cell(&r->rows, i - 1, "district_id")) == 0)
            continue; /* one line per district */
        row_start(w);
        for (int c = 0; c < r->ncols; c++) {
            if (!in_part(&r->cols[c], part))
                continue;
            if (!r->cols[c].per_break) {
                data_cell(w, cell(&r->rows, i, r->cols[c].col), r->cols[c].k);
                continue;
            }
            for (size_t b = 0; b < nb; b++) {
                size_t row = find_row(r, id, b);
                data_cell(w, row == (size_t)-1 ? NULL : cell(&r->rows, row, r->cols[c].col), r->cols[c].k);
            }
        }
        row_end(w);
    }
    table_end(w);
}

/* A heading and the columns of c that it has, one row per row of c. */
static void plain_table(out *w, const rtable *c, const char *title, const char *const *cols,
                        const char *const *heads, const kind *kinds, size_t nc)
{
    if (c->nrows == 0)
        return;
    heading(w, 2, title);
    table_start(w);
    row_start(w);
    char align[16];
    int n = 0;
    for (size_t i = 0; i < nc; i++)
        if (tcol(c, cols[i]) >= 0) {
            head_cell(w, sv_tr(w->lang, heads[i]));
            align[n++] = kinds[i] == K_TEXT ? 'l' : 'r';
        }
    align[n] = '\0';
    row_end(w);
    md_rule(w, align);
    for (size_t r_ = 0; r_ < c->nrows; r_++) {
        row_start(w);
        for (size_t i = 0; i < nc; i++)
            if (tcol(c, cols[i]) >= 0)
                data_cell(w, cell(c, r_, cols[i]), kinds[i]);
        row_end(w);
    }
    table_end(w);
}

/* "10 min" or "500 m" for row i of a table with minutes and radius_m columns. */
static const char *row_break(sv_lang L, const rtable *t, size_t i, char *buf, size_t size)
{
    const char *m = cell(t, i, "minutes"), *rad = cell(t, i, "radius_m");
    return sv_break_label(L, m ? strtod(m, NULL) : NAN, rad ? strtod(rad, NULL) : NAN, NULL, NULL, buf, size);
}

/* The before/after tables of a comparison: the whole city, the districts, the stations that changed. */
static void change_tables(report *r, out *w)
{
    if (r->compare.nrows == 0)
        return;
    const sv_lang L = w->lang;
    heading(w, 2, sv_tr(L, "Before and after the plan (svcov compare)"));
    char line[1024], lb[64];
    const char *na = cell(&r->compare, 0, "n_added"), *nr = cell(&r->compare, 0, "n_removed"),
               *nm = cell(&r->compare, 0, "n_moved");
    snprintf(line, sizeof line, sv_tr(L, "Base run %s against the plan %s: %s stations added, %s removed, %s moved. "
             "The figures below the comparison are the plan's."), cell(&r->compare, 0, "base_path"),
             cell(&r->compare, 0, "plan_path"), na ? na : "0", nr ? nr : "0", nm ? nm : "0");
    para(w, line);
    static const char *const heads[] = {SV_N_("District"), SV_N_("Name"), SV_N_("Break"),
                                        /* xgettext:no-c-format */
                                        SV_N_("Covered % before"),
                                        /* xgettext:no-c-format */
                                        SV_N_("Covered % after"), SV_N_("Change (pp)"),
                                        SV_N_("Gap km² before"), SV_N_("Gap km² after"),
                                        SV_N_("People covered before"), SV_N_("People covered after"),
                                        SV_N_("Change in people")};
    for (int city = 1; city >= 0; city--) {
        const rtable *t = city ? &r->city_change : &r->change;
        if (t->nrows == 0)
            continue;
        int pop = 0;
        for (size_t i = 0; i < t->nrows; i++)
            pop |= cell(t, i, "pop_covered_base") != NULL;
        if (!city)
            heading(w, 3, sv_tr(L, "Districts"));
        table_start(w);
        row_start(w);
        for (size_t h = city ? 2 : 0; h < (pop ? 11u : 8u); h++)
            head_cell(w, sv_tr(L, heads[h]));
        row_end(w);
        md_rule(w, city ? (pop ? "lrrrrrrrr" : "lrrrrr") : (pop ? "lllrrrrrrrr" : "lllrrrrr"));
        for (size_t i = 0; i < t->nrows; i++) {
            row_start(w);
            if (!city) {
                data_cell(w, cell(t, i, "district_id"), K_TEXT);
                data_cell(w, cell(t, i, "district_name"), K_TEXT);
            }
            data_cell(w, row_break(L, t, i, lb, sizeof lb), K_TEXT);
            data_cell(w, cell(t, i, "covered_pct_base"), K_PCT);
            data_cell(w, cell(t, i, "covered_pct_plan"), K_PCT);
            char d[32];
            snprintf(d, sizeof d, "%+.2f", strtod(cell(t, i, "delta_pp") ? cell(t, i, "delta_pp") : "0", NULL));
            data_cell(w, d, K_TEXT);
            char g0[32], g1[32];
            snprintf(g0, sizeof g0, "%.17g", strtod(cell(t, i, "gap_m2_base") ? cell(t, i, "gap_m2_base") : "0", NULL) / 1e6);
            snprintf(g1, sizeof g1, "%.17g", strtod(cell(t, i, "gap_m2_plan") ? cell(t, i, "gap_m2_plan") : "0", NULL) / 1e6);
            data_cell(w, g0, K_KM2);
            data_cell(w, g1, K_KM2);
            if (pop) {
                data_cell(w, cell(t, i, "pop_covered_base"), K_INT);
                data_cell(w, cell(t, i, "pop_covered_plan"), K_INT);
                const char *dp = cell(t, i, "delta_pop");
                if (dp)
                    snprintf(d, sizeof d, "%+.0f", strtod(dp, NULL));
                data_cell(w, dp ? d : NULL, K_TEXT);
            }
            row_end(w);
        }
        table_end(w);
    }
    const rtable *s = &r->station_change;
    if (s->nrows == 0)
        return;
    heading(w, 3, sv_tr(L, "Stations that change"));
    para(w, sv_tr(L, "People alone: the people only this station covers (with the plan for a new or moved station, "
                     "in the base run for a removed one)."));
    static const char *const sheads[] = {SV_N_("Station"), SV_N_("Name"), SV_N_("Change"), SV_N_("Break"),
                                         SV_N_("Moved m"), SV_N_("Area alone km²"), SV_N_("People alone")};
    table_start(w);
    row_start(w);
    for (size_t h = 0; h < 7; h++)
        head_cell(w, sv_tr(L, sheads[h]));
    row_end(w);
    md_rule(w, "llllrrr");
    for (size_t i = 0; i < s->nrows; i++) {
        row_start(w);
        data_cell(w, cell(s, i, "station_id"), K_TEXT);
        data_cell(w, cell(s, i, "name"), K_TEXT);
        const char *change = cell(s, i, "change");
        data_cell(w, change ? sv_trp(L, "station change", change) : NULL, K_TEXT);
        data_cell(w, row_break(L, s, i, lb, sizeof lb), K_TEXT);
        data_cell(w, cell(s, i, "moved_m"), K_NUM);
        char a[32];
        const char *al = cell(s, i, "area_alone_m2");
        if (al)
            snprintf(a, sizeof a, "%.17g", strtod(al, NULL) / 1e6);
        data_cell(w, al ? a : NULL, K_KM2);
        data_cell(w, cell(s, i, "pop_alone"), K_INT);
        row_end(w);
    }
    table_end(w);
}

static void critical_table(report *r, out *w)
{
    static const char *const cols[] = {"minutes", "radius_m", "rank", "station_id", "name", "pop_lost",
                                       "pop_lost_pct", "area_lost_m2"};
    static const char *const heads[] = {SV_N_("Minutes"),     SV_N_("Radius m"),      SV_N_("Rank"),
                                        SV_N_("Station"),     SV_N_("Name"),          SV_N_("People lost"),
                                        SV_N_("People lost %"), SV_N_("Area lost m²")};
    static const kind kinds[] = {K_NUM, K_INT, K_INT, K_TEXT, K_TEXT, K_INT, K_PCT, K_INT};
    plain_table(w, &r->critical, sv_tr(w->lang, "Critical stations (the most lost if one closes)"), cols, heads,
                kinds, sizeof cols / sizeof cols[0]);
}

/* The stations with the most demand per unit of capacity (svcov analyze --capacity-field). */
static void overloaded_table(report *r, out *w)
{
    static const char *const cols[] = {"minutes", "radius_m", "rank", "station_id", "name", "capacity",
                                       "demand_within", "demand_per_capacity"};
    static const char *const heads[] = {SV_N_("Minutes"),  SV_N_("Radius m"),      SV_N_("Rank"),
                                        SV_N_("Station"),  SV_N_("Name"),          SV_N_("Capacity"),
                                        SV_N_("Demand within reach"), SV_N_("Demand per unit of capacity")};
    static const kind kinds[] = {K_NUM, K_INT, K_INT, K_TEXT, K_TEXT, K_NUM, K_MIN, K_MIN}; /* one decimal */
    plain_table(w, &r->overloaded, sv_tr(w->lang, "Most loaded stations (demand per unit of capacity)"), cols,
                heads, kinds, sizeof cols / sizeof cols[0]);
}


/* The latest siting run and its chosen sites, when the database holds one. */
static void sites_table(report *r, out *w)
{
    const rtable *t = &r->sites;
    if (t->nrows == 0)
        return;
    const sv_lang L = w->lang;
    heading(w, 2, sv_tr(L, "Proposed sites (svcov site)"));
    char line[512];
    const char *mins = cell(t, 0, "minutes");
    snprintf(line, sizeof line, sv_tr(L, "The latest siting run: model %s, k %s, reach %s%s; demand weight %s, of "
             "which the existing stations cover %s; with the sites %.1f %% (solver %s%s)."),
             cell(t, 0, "model") ? cell(t, 0, "model") : "?", cell(t, 0, "k") ? cell(t, 0, "k") : "-",
             mins ? mins : (cell(t, 0, "radius_m") ? cell(t, 0, "radius_m") : "?"),
             mins ? sv_tr(L, " min") : sv_tr(L, " m"),
             cell(t, 0, "total_weight") ? cell(t, 0, "total_weight") : "?",
             cell(t, 0, "existing_covered") ? cell(t, 0, "existing_covered") : "?",
             cell(t, 0, "covered_pct") ? strtod(cell(t, 0, "covered_pct"), NULL) : NAN,
             cell(t, 0, "solver") ? cell(t, 0, "solver") : "?",
             cell(t, 0, "proven_optimal") && strtod(cell(t, 0, "proven_optimal"), NULL) == 1 ? sv_tr(L, ", proven optimal")
                                                                                   : "");
    para(w, line);
    table_start(w);
    row_start(w);
    static const char *const heads[] = {SV_N_("Rank"), SV_N_("Candidate"), SV_N_("District"),
                                        SV_N_("Adds demand weight"),
                                        /* xgettext:no-c-format */
                                        SV_N_("Covered % so far")};
    for (size_t i = 0; i < 5; i++)
        head_cell(w, sv_tr(L, heads[i]));
    row_end(w);
    md_rule(w, "rllrr");
    for (size_t i = 0; i < t->nrows; i++) {
        row_start(w);
        data_cell(w, cell(t, i, "rank"), K_INT);
        data_cell(w, cell(t, i, "candidate_id"), K_TEXT);
        data_cell(w, cell(t, i, "district_id"), K_TEXT);
        data_cell(w, cell(t, i, "marginal_gain"), K_NUM);
        data_cell(w, cell(t, i, "cumulative_pct"), K_PCT);
        row_end(w);
    }
    table_end(w);
}

static void params_table(report *r, out *w)
{
    const rtable *t = &r->runs;
    if (t->nrows == 0)
        return;
    const sv_lang L = w->lang;
    heading(w, 2, sv_tr(L, "Run parameters and versions"));
    table_start(w);
    row_start(w);
    head_cell(w, sv_tr(L, "Parameter"));
    head_cell(w, sv_tr(L, "Value"));
    row_end(w);
    md_rule(w, "ll");
    for (int c = 0; c < t->ncol; c++) {
        const char *v = t->cells[(t->nrows - 1) * (size_t)t->ncol + (size_t)c];
        if (!v || !*v || strcmp(t->names[c], "run_id") == 0)
            continue;
        row_start(w);
        /* the column's name (the catalogue names the known ones in Chinese), its value as stored */
        data_cell(w, sv_trp(L, "runs column", t->names[c]), K_TEXT);
        char when[64];
        if (L != SV_LANG_EN && strstr(t->names[c], "_utc")) {
            sv_lang_date(L, v, when, sizeof when);
            v = when;
        } else if (L != SV_LANG_EN && (strcmp(t->names[c], "mode") == 0 || strcmp(t->names[c], "method") == 0))
            v = sv_trp(L, "mode", v);
        data_cell(w, v, K_TEXT);
        row_end(w);
    }
    row_start(w);
    data_cell(w, sv_trp(L, "runs column", "report_by"), K_TEXT);
    char by[160];
    snprintf(by, sizeof by, "svcov %s (cairo %s, Pango %s, Leaflet %s)", SV_VERSION, sv_cairo_version(),
             sv_pango_version(), sv_map_leaflet_version());
    data_cell(w, by, K_TEXT);
    row_end(w);
    table_end(w);
}

static sv_status embed_map(report *r, out *w, const char *district_id, const char *caption, int wpx, int hpx)
{
    sv_map_page_options po = {0};
    po.district_id = district_id;
    po.width_px = wpx;
    po.height_px = hpx;
    unsigned char *png = NULL;
    size_t len = 0;
    sv_status st = sv_map_render(r->ctx, r->map, &po, SV_CANVAS_PNG, NULL, &png, &len);
    if (st != SV_OK)
        return st;
    sv_buf_puts(w->o, "<figure><img alt=\"");
    sv_buf_html(w->o, caption);
    sv_buf_printf(w->o, "\" width=\"%d\" height=\"%d\" src=\"data:image/png;base64,", wpx > 600 && district_id ? wpx * 2 / 3 : wpx,
                  wpx > 600 && district_id ? hpx * 2 / 3 : hpx);
    sv_buf_base64(w->o, png, len);
    sv_buf_puts(w->o, "\"><figcaption>");
    sv_buf_html(w->o, caption);
    sv_buf_puts(w->o, "</figcaption></figure>\n");
    sv_free(png);
    return SV_OK;
}

static const char *report_css =
    "body{font-family:'Noto Sans CJK SC','Noto Sans',system-ui,sans-serif;margin:24px auto;max-width:1200px;"
    "color:#222;padding:0 16px}table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f0f2f4}td.t{text-align:left;white-space:nowrap}"
    "figure{display:inline-block;margin:6px;vertical-align:top}figure img{max-width:100%;height:auto;"
    "border:1px solid #ddd}figcaption{font-size:12px;color:#555}.note{color:#555;font-size:13px}"
    "th{vertical-align:bottom}"
    /* printed: A4 across, smaller table text and headers that wrap, maps no taller than the page */
    "@page{size:A4 landscape;margin:12mm 10mm}"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:12px}table{font-size:9.5px}"
    "th,td{padding:2px 4px}thead{display:table-header-group}tr{page-break-inside:avoid}"
    "h2,h3{page-break-after:avoid}figure{page-break-inside:avoid}figure img{max-height:160mm;object-fit:contain}}";

sv_status sv_report_write(sv_ctx *ctx, const char *db_path, const sv_report_options *opt, const char *path)
{
    sv_report_options defaults = {0};
    if (!opt)
        opt = &defaults;
    report r = {0};
    r.ctx = ctx;
    r.db = db_path;
    r.opt = opt;
    r.lang = opt->lang;
    const sv_lang L = r.lang;
    /* the map loader checks the schema, the breaks and that there are districts; its figures speak the report's
       language */
    sv_map_options mo = opt->map ? *opt->map : (sv_map_options){0};
    mo.lang = L;
    sv_status st = sv_map_load(ctx, db_path, &mo, &r.map);
    r.where = sv_map_break_filter(opt->map, "c.");
    if (st == SV_OK && !r.where)
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    if (st == SV_OK)
        st = sv_store_open_read(ctx, db_path, &r.rd);
    if (st == SV_OK)
        st = gather(&r);
    sv_buf o = {0};
    out w = {&o, opt->format == SV_REPORT_HTML, L};
    const char *title = opt->title ? opt->title : sv_tr(L, "Service coverage report");
    const char *base = strrchr(db_path, '/');
    base = base ? base + 1 : db_path;
    if (st == SV_OK && opt->format == SV_REPORT_CSV)
        write_csv(&r, &o);
    else if (st == SV_OK) {
        char line[1024];
        const char *mode = r.runs.nrows ? cell(&r.runs, 0, "mode") : NULL;
        const char *speed = r.runs.nrows ? cell(&r.runs, 0, "speed_kmh") : NULL;
        char kmh[32];
        if (speed && *speed) { /* a REAL column: "5.0" reads 5 km/h */
            snprintf(kmh, sizeof kmh, "%g", strtod(speed, NULL));
            speed = kmh;
        }
        const char *finished = r.runs.nrows ? cell(&r.runs, 0, "finished_utc") : NULL;
        const char *crs = r.runs.nrows ? cell(&r.runs, 0, "crs_name") : NULL;
        char when[64], at[64] = "";
        sv_lang_date(L, finished ? finished : "?", when, sizeof when);
        if (speed)
            snprintf(at, sizeof at, sv_tr(L, " at %s km/h"), speed);
        snprintf(line, sizeof line, sv_tr(L, "%s: %zu districts, %zu breaks; mode %s%s; CRS %s; analysed %s."), base,
                 sv_map_district_count(r.map), r.breaks.nrows, mode ? sv_trp(L, "mode", mode) : "?", at,
                 crs ? crs : "?", when);
        if (w.html) {
            sv_buf_printf(&o, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                          sv_lang_tag(L));
            sv_buf_html(&o, title);
            sv_buf_printf(&o, "</title>\n<meta name=\"generator\" content=\"svcov %s\">\n<style>%s</style>\n"
                              "</head>\n<body>\n", SV_VERSION, report_css);
            heading(&w, 1, title);
        } else {
            sv_buf_puts(&o, "# ");
            sv_buf_md(&o, title);
            sv_buf_puts(&o, "\n\n");
        }
        para(&w, line);
        change_tables(&r, &w);
        heading(&w, 2, sv_tr(L, "The whole city"));
        city_table(&r, &w);
        if (w.html)
            st = embed_map(&r, &w, NULL, sv_tr(L, "The whole city"), 1130, 800);
        heading(&w, 2, sv_tr(L, "Districts"));
        para(&w, sv_tr(L, "Covered: the share of the district's area within the break of a station (people: of its "
                          "population, where the analysis had one). Gap: the area beyond the break. Stations "
                          "reaching: those whose break reaches into the district."));
        int second = 0;
        for (int c = 0; c < r.ncols; c++)
            second |= r.cols[c].optional;
        if (w.html && second) {
            /* two tables, each narrow enough for an A4 page across */
            heading(&w, 3, sv_tr(L, "Area and stations"));
            district_table(&r, &w, 1);
            heading(&w, 3, sv_tr(L, "People, redundancy and distance to a station"));
            district_table(&r, &w, 2);
        } else
            district_table(&r, &w, 0);
        critical_table(&r, &w);
        overloaded_table(&r, &w);
        sites_table(&r, &w);
        if (st == SV_OK && w.html && opt->district_maps) {
            heading(&w, 2, sv_tr(L, "District maps"));
            for (size_t i = 0; i < sv_map_district_count(r.map) && st == SV_OK; i++) {
                char cap[512];
                if (sv_ctx_interrupted(ctx)) {
                    st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was not written", path);
                    break;
                }
                snprintf(cap, sizeof cap, "%s · %s", sv_map_district_name(r.map, i), sv_map_district_id(r.map, i));
                st = embed_map(&r, &w, sv_map_district_id(r.map, i), cap, 840, 594);
            }
        }
        params_table(&r, &w);
        long skipped = 0, repaired = 0;
        for (size_t i = 0; i < r.issues.nrows; i++) {
            const char *a = cell(&r.issues, i, "action");
            long n = strtol(cell(&r.issues, i, "n"), NULL, 10);
            if (a && strcmp(a, "repaired") == 0)
                repaired += n;
            else
                skipped += n;
        }
        snprintf(line, sizeof line,
                 sv_trn(L, "Data issues: %ld feature skipped, %ld repaired (svcov query --db %s data_issues lists "
                           "them).",
                        "Data issues: %ld features skipped, %ld repaired (svcov query --db %s data_issues lists "
                        "them).", (unsigned long)skipped),
                 skipped, repaired, base);
        para(&w, line);
        if (w.html)
            sv_buf_puts(&o, "</body>\n</html>\n");
    }
    if (st == SV_OK && o.failed)
        st = SV_ERR_NOMEM;
    /* a signal during the last map or table: the earlier report stays */
    if (st == SV_OK && sv_ctx_interrupted(ctx))
        st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was not written", path);
    if (st == SV_OK)
        st = sv_write_file_atomic(ctx, path, o.data ? o.data : "", o.len);
    sv_buf_free(&o);
    rtable *all[] = {&r.tables, &r.dc_cols, &r.red_cols, &r.fair_cols, &r.dem_cols, &r.city_cols,
                     &r.breaks, &r.rows,   &r.city,     &r.runs,      &r.critical, &r.issues, &r.sites,
                     &r.change, &r.city_change, &r.station_change, &r.compare, &r.overloaded};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rtable_free(all[i]);
    free(r.where);
    sv_map_destroy(r.map);
    sv_store_close_read(r.rd);
    return st;
}
