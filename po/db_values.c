/* po/db_values.c - words svcov stores in the result database and shows to
 * people (the runs table's column names, travel modes, methods), marked for
 * xgettext: the code looks them up with sv_trp(lang, CONTEXT, value), which
 * xgettext cannot follow. Never compiled; `cmake --build build --target pot`
 * reads it with the sources. */
#include "svcov/sv_lang.h"

static const char *const db_values[] = {
    /* travel modes and methods (runs.mode, runs.method, district_coverage.mode) */
    SV_NP_("mode", "walk"), SV_NP_("mode", "bike"), SV_NP_("mode", "ebike"), SV_NP_("mode", "car"),
    SV_NP_("mode", "distance"), SV_NP_("mode", "network"), SV_NP_("mode", "voronoi"), SV_NP_("mode", "union"),
    SV_NP_("mode", "straight"),
    /* sv_pop_method_name */
    SV_NP_("population method", "district-field-areal"), SV_NP_("population method", "areal"),
    SV_NP_("population method", "dasymetric"), SV_NP_("population method", "raster"),
    SV_NP_("population method", "none"),
    /* the runs table (analyze.c) and the report's own line */
    SV_NP_("runs column", "started_utc"), SV_NP_("runs column", "finished_utc"),
    SV_NP_("runs column", "svcov_version"), SV_NP_("runs column", "command"),
    SV_NP_("runs column", "stations_path"), SV_NP_("runs column", "stations_layer"),
    SV_NP_("runs column", "stations_where"), SV_NP_("runs column", "station_id_field"),
    SV_NP_("runs column", "station_name_field"), SV_NP_("runs column", "category_field"),
    SV_NP_("runs column", "districts_path"), SV_NP_("runs column", "districts_layer"),
    SV_NP_("runs column", "district_id_field"), SV_NP_("runs column", "district_name_field"),
    SV_NP_("runs column", "crs_requested"), SV_NP_("runs column", "crs_epsg"), SV_NP_("runs column", "crs_name"),
    SV_NP_("runs column", "method"), SV_NP_("runs column", "mode"), SV_NP_("runs column", "speed_kmh"),
    SV_NP_("runs column", "detour"), SV_NP_("runs column", "minutes"), SV_NP_("runs column", "radii_m"),
    SV_NP_("runs column", "quad_segs"), SV_NP_("runs column", "circle_vertices"), SV_NP_("runs column", "strict"),
    SV_NP_("runs column", "threads"), SV_NP_("runs column", "n_stations_read"),
    SV_NP_("runs column", "n_stations"), SV_NP_("runs column", "n_districts_read"),
    SV_NP_("runs column", "n_districts"), SV_NP_("runs column", "n_issues"),
    SV_NP_("runs column", "gdal_version"), SV_NP_("runs column", "geos_version"),
    SV_NP_("runs column", "proj_version"), SV_NP_("runs column", "spatialite_version"),
    SV_NP_("runs column", "sqlite_version"), SV_NP_("runs column", "network_path"),
    SV_NP_("runs column", "cbc_version"), /* site_runs */
    SV_NP_("runs column", "speeds_path"), SV_NP_("runs column", "snap"), SV_NP_("runs column", "access_legs"),
    SV_NP_("runs column", "max_snap_m"), SV_NP_("runs column", "trim_m"), SV_NP_("runs column", "network_nodes"),
    SV_NP_("runs column", "network_edges"), SV_NP_("runs column", "network_components"),
    SV_NP_("runs column", "network_length_m"), SV_NP_("runs column", "stations_unattached"),
    SV_NP_("runs column", "demand_path"), SV_NP_("runs column", "n_demand"),
    SV_NP_("runs column", "population_method"), SV_NP_("runs column", "population_path"),
    SV_NP_("runs column", "population_field"), SV_NP_("runs column", "population_raster"),
    SV_NP_("runs column", "raster_cells"), SV_NP_("runs column", "raster_nodata"),
    SV_NP_("runs column", "raster_negative"), SV_NP_("runs column", "raster_people"),
    SV_NP_("runs column", "population_pieces"), SV_NP_("runs column", "blocks_without_buildings"),
    SV_NP_("runs column", "distances_from"), SV_NP_("runs column", "responsibility_method"),
    SV_NP_("runs column", "redundancy"), SV_NP_("runs column", "report_by"),
    SV_NP_("runs column", "preset"), SV_NP_("runs column", "input_coords"),
    SV_NP_("runs column", "input_encoding"), SV_NP_("runs column", "sliver_tol_m"),
    SV_NP_("runs column", "plan_add_stations"), SV_NP_("runs column", "plan_remove_stations"),
    SV_NP_("runs column", "plan_add_sites"), SV_NP_("runs column", "n_stations_added"),
    SV_NP_("runs column", "n_stations_removed"),
    /* station_change.change (svcov compare), shown in the report */
    SV_NP_("station change", "added"), SV_NP_("station change", "removed"), SV_NP_("station change", "moved"),

    SV_NP_("runs column", "access_method"), SV_NP_("runs column", "access_decay"),
    SV_NP_("runs column", "capacity_field"), SV_NP_("runs column", "min_access"),
    SV_NP_("runs column", "access_demand"), SV_NP_("runs column", "hours_field"),
    SV_NP_("runs column", "moments"), SV_NP_("runs column", "stations_without_hours"),
    SV_NP_("runs column", "hours_unreadable"),

    /* the stages of the stage times the CLI prints (sv_progress; timings.stage keeps the English) */
    SV_NP_("stage", "reading"), SV_NP_("stage", "projecting"), SV_NP_("stage", "checks"),
    SV_NP_("stage", "districts"), SV_NP_("stage", "voronoi"), SV_NP_("stage", "circles"),
    SV_NP_("stage", "coverage"), SV_NP_("stage", "city coverage"), SV_NP_("stage", "coverage tables"),
    SV_NP_("stage", "people"), SV_NP_("stage", "people tables"), SV_NP_("stage", "redundancy"),
    SV_NP_("stage", "categories"), SV_NP_("stage", "access"), SV_NP_("stage", "time of day"),
    SV_NP_("stage", "demand"), SV_NP_("stage", "network"), SV_NP_("stage", "graph"), SV_NP_("stage", "reach"),
    SV_NP_("stage", "grid"), SV_NP_("stage", "whole area"), SV_NP_("stage", "comparing"),
    SV_NP_("stage", "writing"), SV_NP_("stage", "indexes"), SV_NP_("stage", "early writer"), SV_NP_("stage", "early writer (thread)"),
    SV_NP_("stage", "finish"), SV_NP_("stage", "other"), SV_NP_("stage", "total"),
    /* svcov status: the columns of its tables and the states of runs and shards (shards.status) */
    SV_NP_("status column", "run"), SV_NP_("status column", "started_utc"), SV_NP_("status column", "status"),
    SV_NP_("status column", "shards_done"), SV_NP_("status column", "districts"),
    SV_NP_("status column", "command"), SV_NP_("status column", "shard"), SV_NP_("status column", "attempt"),
    SV_NP_("status column", "worker"), SV_NP_("status column", "lease_until"), SV_NP_("status column", "rows"),
    SV_NP_("status column", "seconds"), SV_NP_("status column", "message"),
    SV_NP_("shard status", "todo"), SV_NP_("shard status", "running"), SV_NP_("shard status", "done"),
    SV_NP_("shard status", "failed"), SV_NP_("shard status", "planned"), SV_NP_("shard status", "complete"),
};
