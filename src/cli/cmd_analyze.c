/* cmd_analyze.c - svcov analyze. */
#define _GNU_SOURCE
#include "cli.h"
#include "table.h"

#include "svcov/sv_text.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ISSUE_LINES 20

/* svcov analyze --help: every option, grouped, with examples. */
static void help(void)
{
    cli_help("Usage: svcov analyze --stations PATH[:LAYER] --districts PATH[:LAYER] --out DB [OPTIONS]\n\n");
    cli_help("Draws a service circle around every station for every break, measures each district\n"
             "(area, covered area and share, gaps, stations inside) and writes one SpatiaLite database\n"
             "(tables stations, districts, service_areas, coverage, gaps, gap_parts, district_coverage,\n"
             "city_coverage, issues, runs) that opens in QGIS. An existing --out is replaced only when the\n"
             "run succeeds, and only if svcov wrote it.\n\n");
    cli_help("Inputs (any vector format GDAL reads; CSV with lon/lat columns; an OSM .pbf layer):\n"
             "  --stations PATH[:LAYER]   station points (a polygon is taken at a point on its surface)\n"
             "  --districts PATH[:LAYER]  district polygons; they may overlap, each is measured on its own\n"
             "  --station-id FIELD        default: station_id, id or osm_id, else the feature id\n"
             "  --station-name FIELD      default: name\n"
             "  --category FIELD          station kind, default: category, services or amenity\n"
             "  --services-field FIELD    what a station offers (water;charging, 热水;充电: posters draw icons),\n"
             "                            default: services\n"
             "  --hours-field FIELD       opening hours, default: opening_hours or hours\n"
             "  --district-id FIELD       default: district_id, id, code or osm_id, else the feature id\n"
             "  --district-name FIELD     default: name\n"
             "  --where EXPR              OGR filter on stations, e.g. \"amenity IN ('shelter','toilets')\"\n\n");
    cli_help("Breaks (give minutes or metres):\n"
             "  --minutes LIST            e.g. 10,15 (default 10,15); sorted, a repeated value is one break\n"
             "  --mode walk|bike|ebike    walk 5 km/h (default), bike 15 km/h, ebike 20 km/h\n"
             "  --speed KMH               your own speed instead of the mode's (stored as mode 'custom')\n"
             "  --detour FACTOR           network circuity: radius = speed x time / FACTOR (default 1)\n"
             "  --radius LIST             straight-line radii in metres, e.g. 500,1000\n"
             "  --preset NAME             named breaks (labels stored in the breaks table for maps and reports);\n"
             "                            with --radius LIST (one per break, ascending) the labels keep the new\n"
             "                            distances, e.g. --preset gb50180 --radius 300,500,800. Presets:\n");
    for (const sv_preset *p = sv_presets(); p->name; p++)
        printf("    %-10s %s\n", p->name, sv_tr(cli_msg_lang(), p->what));
    cli_help("    (GB 50180-2018 gives 800-1000 m for the 15-minute circle; these are the standard's planning\n"
             "    distances, not speed x time, and are stored as distance breaks)\n\n");
    cli_help("Network mode (true service areas along the streets instead of circles):\n"
             "  --network PATH[:LAYER]    road lines (GeoJSON, GeoPackage, Shapefile, an OSM .pbf's lines layer);\n"
             "                            ways are joined at shared vertices only (bridges do not connect)\n"
             "  --mode walk|bike|ebike|car  who may use which highway class at what speed (walking ignores\n"
             "                            oneway; cars honour maxspeed); --speeds FILE.csv (highway,speed_kmh)\n"
             "                            replaces rows of that table; --highway-field FIELD (default highway)\n"
             "  --minutes LIST | --radius LIST  time at the mode's speeds, or metres along the streets\n"
             "  --snap edge|node          attach points to the nearest point of the nearest street (default) or\n"
             "                            to the nearest street vertex\n"
             "  --access-legs on|off      count the straight walk to and from the street (default on, 5 km/h)\n"
             "  --max-snap M              points farther from any usable street are not reachable (default 500)\n"
             "  --trim M                  off-street allowance around reached streets (default 50)\n\n");
    cli_help("Demand (any mode):\n"
             "  --demand PATH[:LAYER]     households, buildings (polygons at their centroid): nearest station,\n"
             "                            distance and time to it, stations within each break (tables\n"
             "                            demand_access, demand_reach, district_demand)\n"
             "  --demand-id FIELD  --demand-weight FIELD (default weight, else 1)\n"
             "  --demand-only             only the demand's access: each point's nearest station and distance\n"
             "                            (demand_access), within each break (demand_reach; along the streets\n"
             "                            its n_stations empty) and per district (district_demand); no service\n"
             "                            areas, district coverage, gaps or people (those tables stay empty):\n"
             "                            the quick run when only \"how far is the nearest station\" is asked\n\n");
    cli_help("People (who is covered; tables district_coverage.pop_*, district_redundancy,\n"
             "critical_stations, district_fairness, responsibility):\n"
             "  --population-field FIELD  people per district (a field of --districts), spread over its area;\n"
             "                            with --demand, spread over the buildings (footprint x levels)\n"
             "  --population PATH[:LAYER] population polygons (census blocks) with --population-field FIELD,\n"
             "                            spread over their area (areal weighting), or with --demand over the\n"
             "                            buildings inside them (dasymetric)\n"
             "  --population-raster FILE  a population grid (WorldPop, GHS-POP; any GDAL raster, any CRS):\n"
             "                            cells cut by a boundary count by the share inside; nodata is no one\n"
             "  --levels-field FIELD      building levels on --demand (default building:levels or levels)\n"
             "  --no-redundancy           skip the areas and people covered by 0/1/2/3+ stations and the\n"
             "                            critical stations (what each station alone covers)\n"
             "  --no-category-coverage    skip coverage per station category (--category; a value like\n"
             "                            \"water;charging\" counts for both; tables category_coverage, category_gaps)\n\n");
    cli_help("Capacity-aware access (2SFCA; tables station_load, district_access):\n"
             "  --capacity-field FIELD    station capacity (seats, chargers...); a missing, negative or text value\n"
             "                            is an issue (the station still covers, with no capacity)\n"
             "  --access 2sfca|e2sfca     R_j = capacity / sum of the demand within reach (weighted by the decay),\n"
             "                            A_i = sum of R_j within reach; the breaks are the catchments (default\n"
             "                            2sfca with --capacity-field); demand: --demand points (their people with\n"
             "                            --population(-field), else --demand-weight), else raster cells,\n"
             "                            population polygons or districts with their people\n"
             "  --decay gaussian|linear|step  e2sfca's W(d) within the break d0 (default gaussian: (exp(-d^2/2d0^2)\n"
             "                            - exp(-1/2)) / (1 - exp(-1/2)); linear 1 - d/d0; step 1, 0.68, 0.22 by thirds)\n"
             "  --min-access X            district_access.pop_below_pct: people with less than X per 1,000 people\n\n");
    cli_help("Coverage by time of day (tables time_coverage, time_gaps):\n"
             "  --hours-field FIELD       station opening hours in the OpenStreetMap opening_hours syntax (24/7,\n"
             "                            Mo-Fr 08:00-18:00; Sa 10:00-14:00; Tu off); none or unreadable: always open\n"
             "  --at LIST                 moments, e.g. \"Mo 12:00,Mo 22:00,Sa 03:00\" or 2026-12-07T12:00: coverage\n"
             "                            and gaps with the stations open then\n\n");
    cli_help("Geometry:\n"
             "  --crs auto|auto-cgcs2000|EPSG:n  analysis CRS (default auto: the UTM zone of the data's centre;\n"
             "                            auto-cgcs2000: the CGCS2000 3-degree Gauss-Kruger zone, e.g. EPSG:4547\n"
             "                            at 114E, what Chinese planning offices use)\n"
             "  --quad-segs N             circle segments per quarter (default 32: 128 vertices, area\n"
             "                            0.04%% below the true circle)\n"
             "  --method voronoi|union    voronoi (default, fast) or union (textbook cross-check); same numbers\n"
             "  --no-service-areas        do not store one circle (network: area) per station and break\n"
             "                            (network: also no redundancy; stations reaching are still counted)\n"
             "  --threads N               worker threads (default: all cores)\n\n");
    cli_help("Station plan (a scenario: compare it with the run without the plan by 'svcov compare'):\n"
             "  --add-stations PATH[:LAYER]  new stations (ids, names, categories read with the --station-id,\n"
             "                            --station-name and --category fields)\n"
             "  --remove-stations IDS|PATH   stations to close: ids separated by commas, a .txt file with one id\n"
             "                            per line, or a layer of those stations; an unknown id stops the run\n"
             "                            (exit 2). Removing an id and adding it elsewhere moves that station\n"
             "  --add-sites DB[:RUN]      open the sites chosen by 'svcov site' (run RUN of site_runs; default\n"
             "                            its latest run)\n\n");
    cli_inputs_help();
    cli_help("Run:\n"
             "  --out DB                  result database (.sqlite), or PG:\"host=... dbname=... user=...\" (a libpq\n"
             "                            connection string): a new run in a PostGIS database, its id printed last\n"
             "  --pg-schema NAME          the PostgreSQL schema of --out PG:... (default svcov)\n"
             "  --strict                  stop at the first bad feature instead of skipping/repairing it\n"
             "  --force                   run even when the memory it is estimated to need (printed, with its\n"
             "                            time, before any geometry is built) exceeds what is available (the\n"
             "                            machine's, its cgroup's, or SVCOV_MEM_LIMIT, e.g. 8G); refused otherwise\n"
             "  --allow-network           read inputs given as URLs or /vsicurl/, /vsis3/ ... paths (refused\n"
             "                            otherwise: svcov works offline)\n"
             "  --lang LANG               en or zh (简体中文): the summary table; default from LANG/LC_ALL\n"
             "  -q, --quiet               no progress, no table\n\n");
    cli_help("Examples:\n"
             "  svcov analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \\\n"
             "                --minutes 10,15 --mode ebike --out out/results.sqlite\n"
             "  svcov analyze --stations osm.pbf:points --where \"amenity='toilets'\" \\\n"
             "                --districts parishes.gpkg --radius 500,1000 --crs EPSG:32631 --out r.sqlite\n"
             "  svcov analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \\\n"
             "                --population-field population --minutes 10,15 --out out/people.sqlite\n"
             "  svcov analyze --stations s.gpkg --districts d.gpkg --population-raster worldpop.tif --out r.sqlite\n"
             "  svcov analyze --stations stations.geojson --districts districts.geojson --network roads.gpkg \\\n"
             "                --mode walk --minutes 10,15 --demand buildings.geojson --out network.sqlite\n"
             "  svcov analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \\\n"
             "                --remove-stations S000003 --add-sites siting.sqlite --out out/plan.sqlite\n"
             "  svcov analyze --stations stations.geojson --districts districts.geojson --population-field pop \\\n"
             "                --capacity-field seats --access e2sfca --decay gaussian --min-access 2 --out access.sqlite\n"
             "  svcov analyze --stations stations.geojson --districts districts.geojson --hours-field opening_hours \\\n"
             "                --at \"Mo 12:00,Mo 22:00,Sa 03:00\" --out hours.sqlite\n"
             "  svcov analyze --stations stations.geojson --districts districts.geojson --minutes 10,15 \\\n"
             "                --out PG:\"host=localhost dbname=gis user=planner\" --pg-schema svcov\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n");
}

/* The summary's break words: minutes or metres, no life-circle label. */
static void break_label(sv_lang L, char *buf, size_t n, const sv_break *b)
{
    sv_break_label(L, b->minutes, b->radius_m, NULL, NULL, buf, n);
}

#define MAX_TABLE_DISTRICTS 40

static const sv_analysis *sort_analysis;

/* Least covered first, by the first break. */
static int by_first_break(const void *x, const void *y)
{
    const sv_analysis *a = sort_analysis;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const sv_cov_cell *ci = &a->cov.cells[i * a->n_breaks], *cj = &a->cov.cells[j * a->n_breaks];
    double pi = ci->area_m2 > 0 ? ci->covered_m2 / ci->area_m2 : 0, pj = cj->area_m2 > 0 ? cj->covered_m2 / cj->area_m2 : 0;
    return pi < pj ? -1 : pi > pj ? 1 : (i > j) - (i < j);
}

/* Redundancy and the most critical stations of the largest break. */
static void print_people(sv_lang L, const sv_analysis *a, int people)
{
    const sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    if (people)
        printf(sv_tr(L, "People: %s (Gini: 0 = every district equally covered, 1 = all coverage in one)\n"),
               sv_trp(L, "population method", sv_pop_method_name(P->method)));
    if (P->n_categories && nb) {
        char brk[32];
        break_label(L, brk, sizeof brk, &a->breaks[0]);
        printf(sv_tr(L, "\nWithin %s, by category (category_coverage):"), brk);
        for (size_t c = 0; c < P->n_categories; c++) {
            const sv_cov_cell *cell = &P->cat_cov[c].cells[nd * nb];
            double t = P->cat_total[c * (nd + 1) * nb + nd * nb], cv = P->cat_covered[c * (nd + 1) * nb + nd * nb];
            printf(sv_tr(L, "%s %s (%zu stations) %.1f%% of the area"), c ? sv_tr(L, ";") : "", P->categories[c],
                   P->cat_stations[c], cell->area_m2 > 0 ? 100.0 * cell->covered_m2 / cell->area_m2 : 0.0);
            if (people && t > 0 && isfinite(cv))
                printf(sv_tr(L, " / %.1f%% of people"), 100.0 * cv / t);
        }
        printf("\n");
    }
    if (!P->red || nb == 0)
        return;
    size_t b = nb - 1;
    const sv_redundancy *r = &P->red[nd * nb + b];
    double area = a->cov.cells[nd * nb + b].area_m2, pop = 0;
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++)
        pop += r->people[c];
    char brk[32];
    break_label(L, brk, sizeof brk, &a->breaks[b]);
    printf(sv_tr(L, "\nRedundancy within %s (district_redundancy): "), brk);
    static const char *label[] = {SV_N_("no station"), SV_N_("1 station"), SV_N_("2 stations"), SV_N_("3 or more")};
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        printf(sv_tr(L, "%s%s %.1f%% of the area"), c ? sv_tr(L, "; ") : "", sv_tr(L, label[c]),
               area > 0 ? 100.0 * r->area[c] / area : 0.0);
        if (people && pop > 0)
            printf(sv_tr(L, " / %.1f%% of people"), 100.0 * r->people[c] / pop);
    }
    printf("\n");
    /* The three stations whose closing would uncover the most. */
    size_t best[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    for (size_t i = 0; i < ns; i++) {
        double v = people ? P->crit_pop[b * ns + i] : P->crit_area[b * ns + i];
        for (int k = 0; k < 3; k++) {
            double w = best[k] == (size_t)-1 ? -1
                       : people             ? P->crit_pop[b * ns + best[k]]
                                            : P->crit_area[b * ns + best[k]];
            if (v > w && v > 0) {
                for (int m = 2; m > k; m--)
                    best[m] = best[m - 1];
                best[k] = i;
                break;
            }
        }
    }
    if (best[0] == (size_t)-1)
        return;
    printf("%s", sv_tr(L, "Critical stations (critical_stations): "));
    for (int k = 0; k < 3 && best[k] != (size_t)-1; k++) {
        size_t i = best[k];
        const char *id = P->station_ids && P->station_ids[i] ? P->station_ids[i] : "?";
        if (people)
            printf(sv_tr(L, "%s%s alone covers %.0f people"), k ? sv_tr(L, "; ") : "", id, P->crit_pop[b * ns + i]);
        else
            printf(sv_tr(L, "%s%s alone covers %.3f km2"), k ? sv_tr(L, "; ") : "", id, P->crit_area[b * ns + i] / 1e6);
    }
    printf("\n");
}

/* Capacity-aware access and coverage by time of day, at the first break. */
static void print_access(sv_lang L, const sv_analysis *a)
{
    double index, load;
    const char *method;
    size_t j;
    char brk[32];
    if (a->n_breaks == 0)
        return;
    break_label(L, brk, sizeof brk, &a->breaks[0]);
    if (sv_analysis_access(a, 0, &index, &method, &j, &load)) {
        printf(sv_tr(L, "\nAccess (%s; tables station_load, district_access) within %s: "), method, brk);
        if (isfinite(index))
            printf(sv_tr(L, "%.3f units of capacity per 1,000 people"), index);
        else
            printf("%s", sv_tr(L, "no demand"));
        if (j != (size_t)-1 && a->people.station_ids && a->people.station_ids[j])
            printf(sv_tr(L, "; the most loaded station: %s, %.1f demand per unit of capacity"),
                   a->people.station_ids[j], load);
        printf("\n");
    }
    size_t nm = sv_analysis_moments(a);
    if (nm)
        printf(sv_tr(L, "\nBy time of day within %s (tables time_coverage, time_gaps):\n"), brk);
    for (size_t m = 0; m < nm; m++) {
        size_t open;
        double area, pop;
        const char *label = sv_analysis_moment(a, m, 0, &open, &area, &pop);
        printf(sv_trn(L, "  %s: %zu station open, %.1f%% of the area", "  %s: %zu stations open, %.1f%% of the area",
                      open),
               label, open, area);
        if (isfinite(pop))
            printf(sv_tr(L, " / %.1f%% of people"), pop);
        printf("\n");
    }
}


/* The graph's size and the demand within each break (network mode, --demand). */
static void print_network_demand(sv_lang L, const sv_analysis *a)
{
    if (a->network)
        printf(sv_tr(L, "\nNetwork: %zu nodes, %zu edges, %zu connected components (the largest %zu nodes), %.1f km "
                        "of streets usable by %s; %zu stations beyond --max-snap\n"),
               a->net.nodes, a->net.edges, a->net.components, a->net.main_nodes, a->net.length_m / 1000,
               sv_trp(L, "mode", a->mode),
               a->n_unattached);
    if (a->demand_total) {
        printf(sv_tr(L, "Demand: %zu points"), a->n_demand);
        for (size_t b = 0; b < a->n_breaks; b++) {
            size_t k = a->n_districts * a->n_breaks + b;
            char brk[32];
            break_label(L, brk, sizeof brk, &a->breaks[b]);
            printf(sv_tr(L, "%s %.1f%% within %s"), b ? sv_tr(L, ",") : sv_tr(L, ";"),
                   a->demand_total[k] > 0 ? 100.0 * a->demand_covered[k] / a->demand_total[k] : 0.0, brk);
        }
        printf("%s", sv_tr(L, " (tables demand_access, district_demand)\n"));
    }
}

/* The table printed after a run: the least covered districts per break (all of a small city), then the city. */
static void print_summary(sv_lang L, const sv_analysis *a, const char *out_path)
{
    int people = a->people.total != NULL && a->people.method != SV_POP_NONE;
    if (!a->cov.cells) { /* --demand-only: no coverage to show */
        print_network_demand(L, a);
        printf(sv_tr(L, "\nResults: %s\n"), out_path);
        return;
    }
    const char *hdr[] = {sv_tr(L, "district"), sv_tr(L, "break"),           sv_tr(L, "radius m"),
                         sv_tr(L, "covered %"), sv_tr(L, "gap km2"),        sv_tr(L, "stations inside"),
                         sv_tr(L, "people"),    sv_tr(L, "people covered %")};
    cli_table *t = table_create(people ? 8 : 6, hdr, "llrrrrrr");
    if (!t)
        return;
    /* A big city gets its least covered districts only. */
    size_t *order = malloc((a->n_districts + 1) * sizeof *order), shown = a->n_districts;
    if (!order) {
        table_destroy(t);
        return;
    }
    for (size_t d = 0; d < a->n_districts; d++)
        order[d] = d;
    if (a->n_districts > MAX_TABLE_DISTRICTS) {
        sort_analysis = a;
        qsort(order, a->n_districts, sizeof *order, by_first_break);
        shown = MAX_TABLE_DISTRICTS / 2;
    }
    for (size_t k = 0; k < shown; k++)
        for (size_t b = 0, d = order[k]; b < a->n_breaks; b++) {
            const sv_cov_cell *c = &a->cov.cells[d * a->n_breaks + b];
            char brk[32], rad[32], pct[32], gap[32], ins[32];
            break_label(L, brk, sizeof brk, &a->breaks[b]);
            snprintf(rad, sizeof rad, "%.0f", a->breaks[b].radius_m);
            snprintf(pct, sizeof pct, "%.2f", c->area_m2 > 0 ? 100.0 * c->covered_m2 / c->area_m2 : 0.0);
            snprintf(gap, sizeof gap, "%.3f", c->gap_m2 / 1e6);
            snprintf(ins, sizeof ins, "%d", a->cov.n_inside[d]);
            char pt[32] = "?", pc[32] = "?";
            double tot = people ? a->people.total[d * a->n_breaks + b] : NAN;
            double cov = people ? a->people.covered[d * a->n_breaks + b] : NAN;
            if (isfinite(tot))
                snprintf(pt, sizeof pt, "%.0f", tot);
            if (isfinite(cov) && tot > 0)
                snprintf(pc, sizeof pc, "%.2f", 100.0 * cov / tot);
            const char *row[] = {a->district_names[d], brk, rad, pct, gap, ins, pt, pc};
            table_add(t, row);
        }
    table_print(t, stdout);
    table_destroy(t);
    free(order);
    if (shown < a->n_districts)
        printf(sv_tr(L, "(the %zu least covered of %zu districts; all are in the district_coverage table: "
                        "svcov query --db %s below_target)\n"),
               shown, a->n_districts, out_path);

    print_network_demand(L, a);
    printf(sv_tr(L, "\nWhole area (union of the %zu districts, %zu stations, %s, EPSG:%d):\n"), a->n_districts,
           a->n_stations, sv_trp(L, "mode", a->mode), a->crs.epsg);
    const char *chdr[] = {sv_tr(L, "break"),   sv_tr(L, "radius m"),       sv_tr(L, "area km2"), sv_tr(L, "covered km2"),
                          sv_tr(L, "covered %"), sv_tr(L, "gap km2"),      sv_tr(L, "people"),
                          sv_tr(L, "people covered"), sv_tr(L, "people %"), sv_tr(L, "Gini")};
    t = table_create(people ? 10 : 6, chdr, "lrrrrrrrrr");
    if (!t)
        return;
    for (size_t b = 0; b < a->n_breaks; b++) {
        const sv_cov_cell *c = &a->cov.cells[a->n_districts * a->n_breaks + b];
        char brk[32], rad[32], area[32], cov[32], pct[32], gap[32];
        break_label(L, brk, sizeof brk, &a->breaks[b]);
        snprintf(rad, sizeof rad, "%.0f", a->breaks[b].radius_m);
        snprintf(area, sizeof area, "%.3f", c->area_m2 / 1e6);
        snprintf(cov, sizeof cov, "%.3f", c->covered_m2 / 1e6);
        snprintf(pct, sizeof pct, "%.2f", c->area_m2 > 0 ? 100.0 * c->covered_m2 / c->area_m2 : 0.0);
        snprintf(gap, sizeof gap, "%.3f", c->gap_m2 / 1e6);
        size_t k = a->n_districts * a->n_breaks + b;
        char pt[32] = "?", pc[32] = "?", pp[32] = "?", gi[32] = "-";
        if (people && isfinite(a->people.total[k]))
            snprintf(pt, sizeof pt, "%.0f", a->people.total[k]);
        if (people && isfinite(a->people.covered[k]))
            snprintf(pc, sizeof pc, "%.0f", a->people.covered[k]);
        if (people && isfinite(a->people.covered[k]) && a->people.total[k] > 0)
            snprintf(pp, sizeof pp, "%.2f", 100.0 * a->people.covered[k] / a->people.total[k]);
        if (people && isfinite(a->people.gini[b]))
            snprintf(gi, sizeof gi, "%.3f", a->people.gini[b]);
        const char *row[] = {brk, rad, area, cov, pct, gap, pt, pc, pp, gi};
        table_add(t, row);
    }
    table_print(t, stdout);
    table_destroy(t);
    if (people && a->people.n_pop_unknown)
        printf(sv_trn(L, "(%zu district with unknown people (see issues) is measured but left out of the people above)\n",
                      "(%zu districts with unknown people (see issues) are measured but left out of the people "
                      "above)\n", a->people.n_pop_unknown),
               a->people.n_pop_unknown);
    print_people(L, a, people);
    if (a->plan.n_added || a->plan.n_removed)
        printf(sv_tr(L, "\nStation plan: %zu stations added, %zu removed (compare with the run without it: svcov "
                        "compare)\n"), a->plan.n_added, a->plan.n_removed);

    print_access(L, a);
    printf(sv_tr(L, "\nResults: %s\n"), out_path);
}

/* One line per feature problem (up to a limit), then a count. */
void cli_print_issues(const sv_ctx *ctx, const char *cmd)
{
    size_t n = sv_ctx_issue_count(ctx);
    for (size_t i = 0; i < n && i < MAX_ISSUE_LINES; i++) {
        const sv_issue *is = sv_ctx_issue(ctx, i);
        /* the problem in the command's language (the issues table keeps the English) */
        cli_eprintf(cmd, "warning: %s: layer '%s', feature %s %s; %s", is->file, is->layer,
                is->feature_id, is->message,
                is->action == SV_ISSUE_SKIPPED
                    ? sv_tr(cli_msg_lang(), "skipped it (fix or remove the feature; --strict stops here)")
                    : sv_tr(cli_msg_lang(), "kept it (check the result; --strict stops here)"));
    }
    if (n > MAX_ISSUE_LINES)
        cli_eprintf(cmd, "warning: ... and %zu more feature problems, all listed in the 'issues' table of the "
                    "result database", n - MAX_ISSUE_LINES);
}

sv_shard_hook_fn cli_analyze_hook;
void *cli_analyze_hook_data;
int (*cli_analyze_resp_district)(void *userdata, const char *district_id);
size_t (*cli_analyze_run_categories)(void *userdata, const char *const **values);
const double *cli_analyze_window;
int cli_analyze_window_epsg;
unsigned cli_analyze_window_more;

int cmd_analyze(int argc, char **argv)
{
    sv_analyze_opts o;
    sv_analyze_opts_init(&o);
    cli_list minutes = {0}, radii = {0};
    int quiet = 0, threads = 0, rc = EXIT_OK, allow_network = 0, rest;
    int method = o.method, snap = o.snap;
    const char *lang_arg = NULL;
    sv_lang lang = SV_LANG_EN;
    const char *default_minutes = "10,15";
    const char *pg_schema = NULL;
    cli_inputs inputs;
    memset(&inputs, 0, sizeof inputs);
    static const cli_choice methods[] = {{"voronoi", SV_METHOD_VORONOI}, {"union", SV_METHOD_UNION}, {NULL, 0}};
    static const cli_choice access_words[] = {{"2sfca", SV_ACCESS_2SFCA}, {"e2sfca", SV_ACCESS_E2SFCA}, {NULL, 0}};
    static const cli_choice decay_words[] = {
        {"gaussian", SV_DECAY_GAUSSIAN}, {"linear", SV_DECAY_LINEAR}, {"step", SV_DECAY_STEP}, {NULL, 0}};
    int access = SV_ACCESS_NONE, decay = -1;
    const cli_arg args[] = {
        CLI_STR("stations", &o.stations.spec),
        CLI_STR("districts", &o.districts.spec),
        CLI_STR("station-id", &o.stations.id_field),
        CLI_STR("station-name", &o.stations.name_field),
        CLI_STR("category", &o.stations.category_field),
        CLI_STR("services-field", &o.stations.services_field),
        CLI_STR("hours-field", &o.stations.hours_field),
        CLI_STR("district-id", &o.districts.id_field),
        CLI_STR("district-name", &o.districts.name_field),
        CLI_STR("where", &o.stations.where),
        CLI_LIST("minutes", &minutes, "give numbers separated by commas, e.g. 10,15"),
        CLI_STR("mode", &o.mode),
        CLI_NUM("speed", &o.speed_kmh, 0, 1, INFINITY, "not a number", SV_N_("give a speed in km/h above 0")),
        CLI_NUM("detour", &o.detour, -INFINITY, 0, INFINITY, "not a number", NULL),
        CLI_LIST("radius", &radii, "give metres separated by commas, e.g. 500,1000"),
        CLI_STR("crs", &o.crs),
        CLI_WHOLE("quad-segs", &o.quad_segs, 1, 100000, "expected a whole number above 0"),
        CLI_CHOICE("method", &method, methods, "use voronoi or union"),
        CLI_SET("no-service-areas", 0, &o.service_areas, 0),
        CLI_WHOLE("threads", &threads, 1, 100000, "expected a whole number above 0"),
        CLI_STR("out", &o.out_path),
        CLI_STR("pg-schema", &pg_schema),
        CLI_SET("strict", 0, &o.strict, 1),
        CLI_SET("allow-network", 0, &allow_network, 1),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_PRINT("help", help),
        CLI_STR("lang", &lang_arg),
        CLI_STR("network", &o.network.spec),
        CLI_STR("highway-field", &o.network.category_field),
        CLI_STR("speeds", &o.speeds_csv),
        CLI_SNAP_OPTIONS(&snap, &o.access_legs, &o.max_snap_m),
        CLI_NUM("trim", &o.trim_m, 0, 0, INFINITY, "not a number", SV_N_("give metres, 0 or more")),
        CLI_STR("demand", &o.demand.spec),
        CLI_STR("demand-id", &o.demand.id_field),
        CLI_STR("demand-weight", &o.demand.weight_field),
        CLI_STR("population", &o.population.spec),
        CLI_STR("population-field", &o.population_field),
        CLI_STR("population-raster", &o.population_raster),
        CLI_STR("levels-field", &o.demand.levels_field),
        CLI_SET("no-redundancy", 0, &o.redundancy, 0),
        CLI_SET("no-category-coverage", 0, &o.by_category, 0),
        CLI_SET("demand-only", 0, &o.demand_only, 1),
        CLI_STR("preset", &o.preset),
        CLI_STR("add-stations", &o.plan.add_stations),
        CLI_STR("remove-stations", &o.plan.remove_stations),
        CLI_STR("add-sites", &o.plan.add_sites),

        CLI_STR("capacity-field", &o.stations.weight_field),
        CLI_CHOICE("access", &access, access_words, "use 2sfca or e2sfca"),
        CLI_CHOICE("decay", &decay, decay_words, "use gaussian, linear or step"),
        CLI_NUM("min-access", &o.min_access, 0, 0, INFINITY, "not a number",
                SV_N_("give capacity per 1,000 people, 0 or more")),
        CLI_STR("at", &o.at),
        CLI_SET("force", 0, &o.force, 1),
        CLI_INPUT_ARGS(&inputs),
        CLI_END,
    };
    if ((rc = cli_args_parse("analyze", argc, argv, args, &rest)) != 0) {
        rc = rc == CLI_ARGS_DONE ? EXIT_OK : rc;
        goto done;
    }
    o.method = (sv_method)method;
    o.snap = (sv_snap)snap;
    o.access = (sv_access_method)access;
    if (decay >= 0) {
        o.decay = (sv_decay)decay;
        o.decay_set = 1;
    }
    if ((rc = cli_lang("analyze", lang_arg, &lang)) != 0)
        goto done;
    if (rest < argc) {
        rc = cli_usage("analyze", "unexpected argument '%s'", argv[rest]);
        goto done;
    }
    if (!o.stations.spec || !o.districts.spec || !o.out_path) {
        rc = cli_usage("analyze", "--stations, --districts and --out are required");
        goto done;
    }
    if (pg_schema && !sv_pg_is_uri(o.out_path)) {
        rc = cli_usage("analyze", "--pg-schema is for --out PG:\"CONNECTION\" (a PostgreSQL database)");
        goto done;
    }
    if (o.demand_only && !o.demand.spec) {
        rc = cli_usage("analyze", "--demand-only needs --demand (the points whose nearest station is measured)");
        goto done;
    }
    if (o.demand_only && (o.population.spec || o.population_field || o.population_raster ||
                          o.stations.weight_field || o.access != SV_ACCESS_NONE || o.at)) {
        rc = cli_usage("analyze", "--demand-only measures the demand's access only: leave out --population, "
                       "--population-field, --population-raster, --capacity-field, --access and --at, or "
                       "--demand-only");
        goto done;
    }
    if (o.demand_only) /* nothing is drawn or covered: no circles, areas, redundancy or categories */
        o.service_areas = o.redundancy = o.by_category = 0;
    if (!minutes.n && !radii.n && !o.preset)
        cli_parse_list(default_minutes, &minutes.v, &minutes.n);
    sv_source_opts *const srcs[CLI_INPUTS] = {[SV_ROLE_STATIONS] = &o.stations, [SV_ROLE_DISTRICTS] = &o.districts,
                                              [SV_ROLE_DEMAND] = &o.demand, [SV_ROLE_NETWORK] = &o.network,
                                              [SV_ROLE_POPULATION] = &o.population};
    if ((rc = cli_inputs_apply("analyze", &inputs, srcs)) != 0)
        goto done;
    if (o.population_raster && (inputs.coords_set[1 + SV_ROLE_POPULATION] || inputs.encoding[1 + SV_ROLE_POPULATION])) {
        rc = cli_usage("analyze", "--population-coords/--population-encoding are for --population polygons; a "
                       "--population-raster is read in its own CRS (population grids are published in WGS 84 or a "
                       "projected CRS, never GCJ-02/BD-09)");
        goto done;
    }
    o.minutes = minutes.v;
    o.n_minutes = minutes.n;
    o.radii = radii.v;
    o.n_radii = radii.n;
    o.shard_hook = cli_analyze_hook; /* svcov plan and worker only */
    o.shard_userdata = cli_analyze_hook_data;
    o.resp_district = cli_analyze_resp_district;
    o.run_categories = cli_analyze_run_categories;
    o.read_window = cli_analyze_window;
    o.read_window_epsg = cli_analyze_window_epsg;
    o.read_window_more = cli_analyze_window_more;

    /* The command line, for the runs table. */
    char *cmdline = cli_command_line(argc, argv);
    o.command_line = cmdline;

    sv_ctx *ctx = cli_run_ctx("analyze", allow_network, threads, quiet);
    if (!ctx) {
        free(cmdline);
        rc = EXIT_DATA;
        goto done;
    }
    sv_analysis *a = NULL;
    /* one writer of --out at a time, from reading the inputs to the rename */
    sv_lock *lock = NULL;
    long long run_id = 0;
    sv_status st = SV_OK;
    if (sv_pg_is_uri(o.out_path)) /* PostGIS: published as a new run in one transaction, no file to lock */
        st = sv_analyze_pg(ctx, &o, pg_schema ? pg_schema : SV_PG_DEFAULT_SCHEMA, &a, &run_id);
    else if ((st = sv_lock_output(ctx, o.out_path, &lock)) == SV_OK)
        st = sv_analyze_run(ctx, &o, &a);
    sv_unlock_output(lock);
    if (!quiet)
        cli_progress_end();
    cli_print_issues(ctx, "analyze");
    if (st != SV_OK) {
        rc = cli_fail(ctx, st, "analyze");
    } else if (!quiet) {
        char shown[1200];
        if (run_id)
            snprintf(shown, sizeof shown, sv_tr(lang, "run %lld in schema %s of %s"), run_id,
                     pg_schema ? pg_schema : SV_PG_DEFAULT_SCHEMA, o.out_path);
        print_summary(lang, a, run_id ? shown : o.out_path);
    }
    if (st == SV_OK && run_id)
        printf("%lld\n", run_id); /* the run id alone on the last line, for scripts */
    sv_analysis_destroy(a);
    cli_run_ctx_end(ctx);
    free(cmdline);
done:
    free(minutes.v);
    free(radii.v);
    return rc;
}
