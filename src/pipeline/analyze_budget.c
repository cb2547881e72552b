/* analyze_budget.c - the budget stage of svcov analyze (issue 18, item 6): once
 * every input is read, before any geometry is built, the memory and time the
 * run will take are estimated from what drives them (stations x breaks x
 * circle vertices, the districts' vertices, the network's edges, the demand
 * points, the population polygons' vertices and raster cells) and held
 * against the memory svcov may use (pipeline/budget.c, sv_mem_available):
 * above it the run is refused with the figures unless --force; above half of
 * it, or when it will take more than a minute, it is warned about. */
#include "pipeline/analyze_stages.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_site.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Coordinates in the WKB of a featureset (2-D: 16 bytes each). */
static double fs_vertices(const sv_featureset *fs)
{
    double v = 0;
    for (size_t i = 0; i < fs->n; i++)
        v += (double)fs->items[i].wkb_len / 16.0;
    return v;
}

void sv_analyze_counts_init(sv_analyze_counts *e)
{
    memset(e, 0, sizeof *e);
}

/* The model: the run holds its inputs and the coverage (the Voronoi cells, what each circle leaves of its cell,
 * and the covered and gap polygons of every district, kept until the people tables are written) from the coverage
 * stage on; on top of that the redundancy (its faces and critical areas) or, after it and on its own, the category
 * coverage (one category's diagram and polygons at a time, each written as it is made). The service areas' early
 * writer works beside the coverage: SQLite's page cache (32 MiB, STORE_CACHE_KIB) and one round of circles
 * (analyze_write.c, CIRCLE_ROUND stations, their WKB); it is done before the redundancy's peak, of it only about
 * 20 MB (the cache) stays beside the later stages. The peak is what is held plus the largest of those, not their
 * sum. Refitted (branch est11, 2026-12-03, main 321692e: after 2a446c2, the redundancy's cell rings in one buffer)
 * on peak RSS (/usr/bin/time) of clustered svcov-gencity cities (--clusters 6 --seed 42), radii 500 and 1000 m,
 * 10,000 / 1,000, 30,000 / 3,000 and 100,000 / 10,000 (2.58, 7.74 and 25.8 million circle vertices; DESIGN.md,
 * "Memory and time before the run"): like with like 104.5, 150.0 and 334.4 MB; on top, the service areas
 * 47.5, 55.6 and 30.9 MB (not growing with the city), the redundancy 33.2, 55.0 and 137.2 (about 21 MB + 4.6 B per
 * circle vertex), the categories 20.7, 24.7 and 1.7; the defaults 53.6, 75.4 and 144.3 (the service areas and the
 * redundancy do not add up). Every estimate there is 3-15% above the peak; at 200,000 / 20,000 (twice the largest)
 * 6-8% (like with like 577 MB for 624, the redundancy 834 for 882, the defaults 851 for 902). Cities with more
 * stations per district are over-estimated (200,000 / 10,000 defaults: 799 MB, measured 577; 1,000,000 / 50,000:
 * 3.5 GB, measured 2.45): the polygons grow slower than the circle vertices where circles overlap more. Network, demand and
 * population terms as first measured (issue 18): 400 per raster cell, 324 per district vertex and break + 2 on a
 * district of a million vertices. */
#define B_BASE 82e6                 /* GDAL, PROJ, GEOS, SQLite themselves */
#define B_PER_CIRCLE_VERTEX 6.5     /* coverage: cells, uncovered cell parts (WKB and the workers' GEOS copies) */
#define B_PER_DISTRICT_VERTEX 330.0 /* per break + 2: GDAL's copy, the WKB, GEOS copies, covered part and gap */
#define B_REDUNDANCY 21e6           /* its faces by depth, critical areas, their people */
#define B_REDUNDANCY_PER_CIRCLE_VERTEX 4.6
#define B_CATEGORIES 19e6 /* the largest category's coverage, once the coverage's polygons are written */
#define B_CATEGORIES_PER_CIRCLE_VERTEX 0.5
#define B_SERVICE_AREAS 40e6 /* the early writer beside the coverage: SQLite's page cache, statements */
#define B_SERVICE_AREAS_ROUND 4096.0 /* stations of one round of circles (analyze_write.c, CIRCLE_ROUND) */
#define B_SERVICE_AREAS_PER_ROUND_VERTEX 16.0 /* its WKB */
#define B_SERVICE_AREAS_BESIDE 20e6           /* what stays of the writer beside the later stages */
#define B_PER_NETWORK_VERTEX 160.0 /* graph nodes, edges, adjacency, labels */
#define B_PER_DEMAND_POINT 256.0
#define B_PER_POPULATION_VERTEX 160.0
#define B_PER_RASTER_CELL 480.0 /* its corners, value, the people point it becomes and its pieces */
#define OPS_PER_RASTER_CELL 1000.0
#define OPS_PER_SECOND 4e6 /* vertex operations per second on one core (overlay, union) */

/* Time per circle vertex (S x B x V), each stage's CPU seconds split into what runs on the context's threads and
 * what runs on one (reading, the Voronoi diagram of a category, writing the tables and their indexes). Fitted (branch
 * red8, 2026-12-02, main c10b14d, load 0.9-1.6 on the 2-core machine) on the `timings` table of clustered
 * svcov-gencity cities, --radius 500,1000, 30,000 / 3,000 and 100,000 / 10,000 (7.74 and 25.8 million circle
 * vertices): like with like, + service areas, + categories (--no-redundancy), + redundancy (--no-category-coverage)
 * and the defaults. Per circle vertex the wall time is the same within 8% from 10,000 to 100,000 stations, like
 * with like and defaults; the service areas' share grows (0.10 to 0.17 microseconds: the wait for the early writer)
 * and is taken between (bench/README.md, "red8"). A wall-time estimate for a machine like that one, not a bound. */
#define S_SERIAL_PER_CIRCLE_VERTEX 0.08e-6 /* reading, writing the coverage and people tables, their indexes */
#define S_PARALLEL_PER_CIRCLE_VERTEX 0.33e-6 /* Voronoi cells, circles, coverage, people */
#define S_SERVICE_AREAS_PER_CIRCLE_VERTEX 0.14e-6 /* the early writer beside, and the wait for it at the end */
#define S_REDUNDANCY_SERIAL_PER_CIRCLE_VERTEX 0.05e-6 /* its people tables and indexes */
#define S_REDUNDANCY_PARALLEL_PER_CIRCLE_VERTEX 0.85e-6
#define S_CATEGORIES_SERIAL_PER_CIRCLE_VERTEX 0.08e-6 /* each category's Voronoi diagram, its tables and indexes */
#define S_CATEGORIES_PARALLEL_PER_CIRCLE_VERTEX 0.55e-6
/* The districts' own vertices, beyond what the cities above hold (8 a district): the union of the places stage and the
 * cuts of each break, n log n in a district's vertices, on one thread per district. Fitted on one district of a
 * million vertices and three stations (--radius 500,1000: 33.6 s wall, 9.0 s of it the places stage, 18.6 s the
 * coverage), bench/README.md, "red8". */
#define OPS_PER_DISTRICT_VERTEX_AND_BREAK 3.5

void sv_analyze_estimate(sv_analyze_counts *e, int threads)
{
    double nb = e->n_breaks > 0 ? e->n_breaks : 1;
    double circle = e->n_stations * nb * e->circle_vertices;
    e->bytes_held = B_BASE + circle * B_PER_CIRCLE_VERTEX + e->district_vertices * (2 + nb) * B_PER_DISTRICT_VERTEX +
                    e->network_vertices * B_PER_NETWORK_VERTEX + e->demand_points * B_PER_DEMAND_POINT +
                    e->population_vertices * B_PER_POPULATION_VERTEX + e->raster_cells * B_PER_RASTER_CELL;
    e->bytes_redundancy = e->redundancy ? B_REDUNDANCY + circle * B_REDUNDANCY_PER_CIRCLE_VERTEX : 0;
    e->bytes_categories = e->categories ? B_CATEGORIES + circle * B_CATEGORIES_PER_CIRCLE_VERTEX : 0;
    double round = fmin(e->n_stations, B_SERVICE_AREAS_ROUND) * nb * e->circle_vertices;
    e->bytes_service_areas =
        e->service_areas ? B_SERVICE_AREAS + round * B_SERVICE_AREAS_PER_ROUND_VERTEX : 0;
    double later = fmax(e->bytes_redundancy, e->bytes_categories);
    if (later > 0 && e->service_areas)
        later += B_SERVICE_AREAS_BESIDE;
    e->bytes = e->bytes_held + fmax(e->bytes_service_areas, later);
    double nt = threads > 0 ? threads : 1;
    double serial = S_SERIAL_PER_CIRCLE_VERTEX, parallel = S_PARALLEL_PER_CIRCLE_VERTEX;
    if (e->service_areas)
        serial += S_SERVICE_AREAS_PER_CIRCLE_VERTEX;
    if (e->redundancy) {
        serial += S_REDUNDANCY_SERIAL_PER_CIRCLE_VERTEX;
        parallel += S_REDUNDANCY_PARALLEL_PER_CIRCLE_VERTEX;
    }
    if (e->categories) {
        serial += S_CATEGORIES_SERIAL_PER_CIRCLE_VERTEX;
        parallel += S_CATEGORIES_PARALLEL_PER_CIRCLE_VERTEX;
    }
    double nd = e->n_districts > 0 ? e->n_districts : 1;
    double districts = e->district_vertices * nb * OPS_PER_DISTRICT_VERTEX_AND_BREAK *
                       log2(e->district_vertices / nd + 2) / OPS_PER_SECOND / fmin(nt, nd);
    /* the rest in vertex operations, as first measured (issue 18; not refitted) */
    double ops = e->network_vertices * (1 + e->n_stations * nb / 1e3) + e->raster_cells * OPS_PER_RASTER_CELL +
                 (e->demand_points + e->population_vertices) * log2(e->n_stations + 2);
    e->seconds = circle * (serial + parallel / nt) + districts + ops / OPS_PER_SECOND / nt;
}

static void human_time(sv_lang L, double s, char *buf, size_t size)
{
    if (s >= 5400)
        snprintf(buf, size, sv_tr(L, "%.1f h"), s / 3600);
    else if (s >= 90)
        snprintf(buf, size, sv_tr(L, "%.0f min"), s / 60);
    else
        snprintf(buf, size, sv_tr(L, "%.0f s"), s < 1 ? 1 : s);
}

sv_status sv_analyze_budget_check(sv_ctx *ctx, const sv_analyze_counts *e, int force)
{
    double have = sv_mem_available();
    const char *bad = sv_mem_limit_invalid();
    if (bad)
        sv_warning(ctx, "SVCOV_MEM_LIMIT=%s is not a size (bytes, or with k, M, G or T, e.g. 8G); ignored", bad);
    char need_s[32], have_s[32], time_s[32], what[512];
    sv_human_bytes(e->bytes, need_s, sizeof need_s);
    sv_human_bytes(have, have_s, sizeof have_s);
    sv_lang L = sv_ctx_lang(ctx); /* the sizes in the message's language, as the message */
    human_time(L, e->seconds, time_s, sizeof time_s);
    snprintf(what, sizeof what, sv_tr(L, "%.0f stations x %.0f breaks x %.0f circle vertices, %.0f district vertices"),
             e->n_stations, e->n_breaks, e->circle_vertices, e->district_vertices);
    if (e->network_vertices > 0)
        snprintf(what + strlen(what), sizeof what - strlen(what), sv_tr(L, ", %.0f network vertices"),
                 e->network_vertices);
    if (e->demand_points > 0)
        snprintf(what + strlen(what), sizeof what - strlen(what), sv_tr(L, ", %.0f demand points"), e->demand_points);
    if (e->population_vertices > 0)
        snprintf(what + strlen(what), sizeof what - strlen(what), sv_tr(L, ", %.0f population vertices"),
                 e->population_vertices);
    if (e->raster_cells > 0)
        snprintf(what + strlen(what), sizeof what - strlen(what), sv_tr(L, ", %.0f raster cells"), e->raster_cells);
    if (have > 0 && e->bytes > have && !force) {
        /* the stages that can be left out, each with what it saves (only those that lower the peak): the estimate
           again without it */
        char drop[320] = "";
        sv_analyze_counts no_red = *e, no_cat = *e, no_sa = *e;
        no_red.redundancy = no_cat.categories = no_sa.service_areas = 0;
        sv_analyze_estimate(&no_red, 1);
        sv_analyze_estimate(&no_cat, 1);
        sv_analyze_estimate(&no_sa, 1);
        struct {
            const char *option;
            double saves;
        } opt[] = {
            {"--no-redundancy", e->bytes - no_red.bytes},
            {"--no-category-coverage", e->bytes - no_cat.bytes},
            {"--no-service-areas", e->bytes - no_sa.bytes},
        };
        for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
            if (!(opt[i].saves > 0))
                continue;
            char saves[32];
            sv_human_bytes(opt[i].saves, saves, sizeof saves);
            snprintf(drop + strlen(drop), sizeof drop - strlen(drop), sv_tr(sv_ctx_lang(ctx), "%s%s (about %s less)"),
                     *drop ? sv_tr(sv_ctx_lang(ctx), ", ") : "", opt[i].option, saves);
        }
        return sv_error(ctx, SV_ERR_DATA,
                        "this analysis (%s) would need about %s of memory and %s; %s are available: nothing was "
                        "computed; %s%s%suse fewer or coarser inputs (--quad-segs, fewer --minutes, simplified "
                        "districts, a coarser --population-raster), split the city with svcov plan, or add --force to "
                        "try anyway",
                        what, need_s, time_s, have_s,
                        *drop ? sv_tr(sv_ctx_lang(ctx), "leave out what is not needed: ") : "", drop,
                        *drop ? sv_tr(sv_ctx_lang(ctx), "; or ") : "");
    }
    if (have > 0 && e->bytes > have)
        sv_warning(ctx, "this analysis (%s) would need about %s of memory; %s are available: going on (--force), "
                   "it may run out of memory", what, need_s, have_s);
    else if (have > 0 && e->bytes > have / 2)
        sv_warning(ctx, "this analysis (%s) will need about %s of memory, more than half of the %s available, and "
                   "about %s", what, need_s, have_s, time_s);
    else if (e->seconds > 60)
        sv_warning(ctx, "this analysis (%s) will take about %s and about %s of memory (%s available)", what, time_s,
                   need_s, have_s);
    return SV_OK;
}

sv_status sv_analyze_budget(sv_analyze_state *s)
{
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_analyze_counts e;
    sv_analyze_counts_init(&e);
    /* before the places stage (whose union of a huge district can take minutes): the features as read */
    e.n_stations = (double)s->sfs.n;
    e.n_breaks = (double)a->n_breaks;
    e.circle_vertices = 4.0 * o->quad_segs + 1;
    e.n_districts = (double)s->dfs.n;
    e.district_vertices = fs_vertices(&s->dfs);
    e.network_vertices = fs_vertices(&s->nfs);
    e.demand_points = (double)s->mfs.n;
    e.population_vertices = fs_vertices(&s->pfs);
    e.redundancy = o->redundancy != 0;
    e.categories = o->by_category && s->sfs.category_field && *s->sfs.category_field;
    e.service_areas = o->service_areas != 0;
    if (o->population_raster && s->dfs.n) { /* the cells of the window over the districts, as the people stage reads */
        sv_env env = {NAN, NAN, NAN, NAN};
        sv_geos *h = sv_geos_create();
        for (size_t i = 0; h && i < s->dfs.n; i++) {
            sv_geom *g = sv_geom_from_wkb(h, s->dfs.items[i].wkb, s->dfs.items[i].wkb_len);
            sv_env ge;
            if (g && sv_geom_envelope(h, g, &ge) == 0)
                sv_env_union(&env, &ge);
            sv_geom_destroy(h, g);
        }
        sv_geos_destroy(h);
        if (isfinite(env.xmin) && isfinite(env.ymax)) {
            sv_raster_cells win;
            sv_status rc = sv_raster_window(s->ctx, o->population_raster, a->crs.epsg, &env, &win);
            e.raster_cells = (double)win.window[2] * (double)win.window[3];
            sv_raster_cells_free(&win);
            if (rc != SV_OK)
                return rc;
        }
    }
    sv_analyze_estimate(&e, sv_ctx_threads(s->ctx));
    return sv_analyze_budget_check(s->ctx, &e, o->force);
}
