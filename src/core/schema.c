/* schema.c - the result schema as data: every table, column, geometry column
 * and index svcov writes (see schema.h). A new column is one line here. */
#include "core/schema.h"

#include <string.h>

/* Most columns have no DEFAULT or CHECK and most indexes no method: positional entries leave those
 * trailing fields NULL, which is meant (-Wextra would flag each line). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define T SV_COL_TEXT
#define I SV_COL_INTEGER
#define R SV_COL_REAL
#define NN 1

/* The columns most tables share. */
#define DISTRICT_ID_NN {"district_id", T, NN, "the district's id (--district-id-field)"}
#define DISTRICT_ID {"district_id", T, 0, "the district's id (--district-id-field); NULL: the whole area"}
#define DISTRICT_NAME {"district_name", T, 0, "the district's name (--district-name-field)"}
#define BREAK_NN                                                                                                \
    {"mode", T, NN, "walk, bike, ebike, custom (--speed) or distance (--radius breaks)"},                       \
        {"minutes", R, 0, "the break in minutes; NULL for --radius breaks"},                                    \
        {"radius_m", R, NN, "the straight-line reach of the break, metres"}
#define BREAK                                                                                                   \
    {"mode", T, 0, "walk, bike, ebike, custom (--speed) or distance (--radius breaks)"},                        \
        {"minutes", R, 0, "the break in minutes; NULL for --radius breaks"},                                    \
        {"radius_m", R, 0, "the straight-line reach of the break, metres"}

static const sv_column stations[] = {
    {"station_id", T, NN, "the station's id (--station-id-field, else its feature id)"},
    {"name", T, 0, "the station's name (--station-name-field)"},
    {"category", T, 0, "the station's category (--category-field)"},
    {"source_fid", I, 0, "the feature id in the stations file"},
};
static const sv_column districts[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    {"source_fid", I, 0, "the feature id in the districts file"},
    {"area_m2", R, NN, "area, square metres"},
    {"repaired", I, NN, "1 when the polygon was made valid"},
};
static const sv_column service_areas[] = {
    {"station_id", T, NN, "the station"},
    BREAK_NN,
    {"area_m2", R, NN, "area of the service area, square metres"},
    {"reached_m", R, 0, "street length reached (network mode), metres"},
};
static const sv_column reached_streets[] = {
    {"station_id", T, 0, "the station; NULL: all stations together"},
    BREAK_NN,
    {"length_m", R, NN, "street length reached, metres"},
};
static const sv_column district_coverage[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"area_m2", R, NN, "district area, square metres"},
    {"covered_m2", R, NN, "area inside a service area, square metres"},
    {"covered_pct", R, NN, "covered share of the area, percent"},
    {"gap_m2", R, NN, "area outside every service area, square metres"},
    {"n_gap_parts", I, NN, "polygons of the gap"},
    {"n_stations_inside", I, NN, "stations inside the district"},
    {"n_stations_reaching", I, NN, "stations whose service area reaches the district"},
    {"pop_total", R, 0, "people in the district; NULL without population"},
    {"pop_covered", R, 0, "people inside a service area"},
    {"pop_covered_pct", R, 0, "covered share of the people, percent"},
};
static const sv_index_desc district_coverage_idx[] = {{"district_coverage_break", "radius_m, district_id"}};
static const sv_column coverage[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"covered_m2", R, NN, "covered area, square metres"},
    {"covered_pct", R, NN, "covered share of the district, percent"},
};
static const sv_column gaps[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"gap_m2", R, NN, "area outside every service area, square metres"},
    {"gap_pct", R, NN, "gap share of the district, percent"},
    {"n_parts", I, NN, "polygons of the gap"},
};
static const sv_column gap_parts[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"part_no", I, NN, "the polygon's number within the district's gap, from 1"},
    {"area_m2", R, NN, "area of the polygon, square metres"},
};
static const sv_column issues[] = {
    {"file", T, 0, "the input file"},
    {"layer", T, 0, "the layer"},
    {"feature_id", T, 0, "the feature"},
    {"problem", T, 0, "what was wrong"},
    {"action", T, 0, "skipped or repaired"},
};
static const sv_column city_coverage[] = {
    BREAK_NN,
    {"area_m2", R, NN, "area of the union of all districts, square metres"},
    {"covered_m2", R, NN, "covered area, square metres"},
    {"covered_pct", R, NN, "covered share, percent"},
    {"gap_m2", R, NN, "area outside every service area, square metres"},
    {"n_stations", I, NN, "stations analysed"},
    {"pop_total", R, 0, "people; NULL without population"},
    {"pop_covered", R, 0, "people inside a service area"},
    {"pop_covered_pct", R, 0, "covered share of the people, percent"},
    {"gini", R, 0, "Gini coefficient of the districts' covered shares of people"},
};
static const sv_column sites[] = {
    {"site_run_id", I, NN, "the siting run (site_runs)"},
    {"rank", I, NN, "order of choice, from 1"},
    {"candidate_id", T, NN, "the candidate site"},
    {"marginal_gain", R, 0, "demand weight this site adds"},
    {"cumulative_weight", R, 0, "demand weight covered with the sites up to this one"},
    {"cumulative_share", R, 0, "that weight as a share of all demand (0-1)"},
    {"district_id", T, 0, "the district the site lies in"},
    {"load", R, 0, "capacitated siting: demand weight assigned to the site (its gain); NULL otherwise"},
    {"capacity", R, 0, "capacitated siting: the most demand weight the site may serve; NULL otherwise"},
};
static const sv_column site_district_coverage[] = {
    {"site_run_id", I, NN, "the siting run (site_runs)"},
    {"district_id", T, 0, "the district"},
    DISTRICT_NAME,
    {"demand_total", R, 0, "demand weight in the district"},
    {"covered_before", R, 0, "weight covered by the existing stations"},
    {"covered_after", R, 0, "weight covered with the new sites"},
    {"share_before_pct", R, 0, "covered share before, percent"},
    {"share_after_pct", R, 0, "covered share after, percent"},
    {"floor_weight", R, 0, "weight --min-district-share asks for"},
    {"floor_met", I, 0, "1 when the floor is met, 0 when not, NULL without a floor"},
};
static const sv_column demand_access[] = {
    {"demand_id", T, NN, "the demand point"},
    {"district_id", T, 0, "the district it lies in"},
    {"weight", R, NN, "its weight (--demand-weight-field, else 1)"},
    {"nearest_station_id", T, 0, "the nearest station (by travel cost)"},
    {"snap_m", R, 0, "distance to the street it was snapped to, metres"},
    {"network_m", R, 0, "distance along the streets to the nearest station, metres"},
    {"minutes", R, 0, "travel time to the nearest station"},
    {"euclid_m", R, 0, "straight-line distance to the nearest station, metres"},
    {"method", T, NN, "network or straight"},
};
static const sv_column demand_reach[] = {
    {"demand_id", T, NN, "the demand point"},
    BREAK_NN,
    {"within", I, NN, "1 when a station is within the break"},
    {"n_stations", I, 0, "stations within the break"},
};
static const sv_column district_demand[] = {
    {"district_id", T, 0, "the district; NULL: all demand"},
    DISTRICT_NAME,
    BREAK_NN,
    {"demand_total", R, NN, "demand weight"},
    {"demand_covered", R, NN, "weight within the break"},
    {"covered_share", R, 0, "covered share (0-1); NULL without demand"},
    {"n_points", I, NN, "demand points"},
};
static const sv_column people_points[] = {
    {"district_id", T, NN, "the first district (in input order) that holds it"},
    {"weight", R, NN, "its people"},
    {"nearest_station_id", T, 0, "the nearest station (by travel cost); NULL: none reachable"},
    {"distance_m", R, 0, "metres to the nearest station (along the streets in network mode); NULL: none"},
    {"minutes", R, 0, "travel time to the nearest station; NULL: none"},
};
static const sv_column district_redundancy[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    BREAK,
    {"n_cover", I, 0, "service areas covering the piece: 0, 1, 2, 3 (= 3 or more)"},
    {"area_m2", R, 0, "area of the piece, square metres"},
    {"area_pct", R, 0, "share of the district's area, percent"},
    {"pop", R, 0, "people in the piece"},
    {"pop_pct", R, 0, "share of the district's people, percent"},
};
static const sv_column critical_stations[] = {
    BREAK,
    {"rank", I, 0, "rank by people lost, from 1"},
    {"station_id", T, 0, "the station"},
    {"name", T, 0, "its name"},
    {"pop_lost", R, 0, "people no longer covered without it"},
    {"pop_lost_pct", R, 0, "those people as a share of all, percent"},
    {"area_lost_m2", R, 0, "area no longer covered without it, square metres"},
};
static const sv_column district_fairness[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    BREAK,
    {"pop_total", R, 0, "people"},
    {"pop_covered_pct", R, 0, "covered share of the people, percent"},
    {"median_m", R, 0, "median distance of the people to the nearest station, metres"},
    {"p90_m", R, 0, "90th percentile of that distance, metres"},
    {"median_min", R, 0, "median travel time, minutes"},
    {"p90_min", R, 0, "90th percentile of the travel time, minutes"},
    {"n_points", I, 0, "points the distances were measured from"},
    {"source", T, 0, "what those points are"},
};
static const sv_column category_coverage[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    {"category", T, 0, "the station category"},
    BREAK,
    {"n_stations", I, 0, "stations of the category"},
    {"area_m2", R, 0, "district area, square metres"},
    {"covered_m2", R, 0, "area covered by the category, square metres"},
    {"covered_pct", R, 0, "covered share of the area, percent"},
    {"gap_m2", R, 0, "area the category does not cover, square metres"},
    {"pop_total", R, 0, "people"},
    {"pop_covered", R, 0, "people covered by the category"},
    {"pop_covered_pct", R, 0, "covered share of the people, percent"},
};
static const sv_column category_gaps[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    {"category", T, 0, "the station category"},
    BREAK,
    {"gap_m2", R, 0, "area the category does not cover, square metres"},
};
static const sv_column responsibility[] = {
    {"station_id", T, 0, "the station"},
    {"name", T, 0, "its name"},
    {"method", T, 0, "how the areas were drawn (voronoi or network)"},
    {"area_m2", R, 0, "area the station is responsible for, square metres"},
    {"pop_served", R, 0, "people in that area"},
    {"pop_share_pct", R, 0, "their share of all people served, percent"},
    {"n_points", I, 0, "demand or population points assigned to it"},
};
static const sv_column station_load[] = {
    {"station_id", T, NN, "the station"},
    BREAK_NN,
    {"capacity", R, 0, "its capacity (--capacity-field); NULL: unknown"},
    {"demand_within", R, NN, "demand weight within reach, weighted by the decay: sum P_k W(d_kj)"},
    {"ratio", R, 0, "capacity per unit of demand R_j = capacity / demand_within; NULL: no demand within reach"},
    {"demand_per_capacity", R, 0, "demand_within / capacity (1 / ratio): the load; NULL without capacity"},
};
static const sv_column district_access[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    BREAK_NN,
    {"access_index", R, 0, "people-weighted mean of A_i x 1000: capacity per 1,000 people"},
    {"p10", R, 0, "weighted 10th percentile of A_i x 1000"},
    {"median", R, 0, "weighted median of A_i x 1000"},
    {"p90", R, 0, "weighted 90th percentile of A_i x 1000"},
    {"pop_below_pct", R, 0, "share of the people whose A_i x 1000 is below --min-access, percent"},
    {"pop_total", R, 0, "demand weight (people) of the points in the district"},
    {"n_points", I, NN, "demand points in the district"},
};
static const sv_column point_access[] = {
    {"district_id", T, NN, "the first district (in input order) that holds the point"},
    BREAK_NN,
    {"access", R, 0, "its A_i x 1000: capacity per 1,000 people within reach; NULL: not a number"},
    {"weight", R, NN, "its people (demand weight)"},
};
static const sv_column time_coverage[] = {
    DISTRICT_ID,
    DISTRICT_NAME,
    BREAK_NN,
    {"moment", T, NN, "the moment as given to --at (Mo 12:00)"},
    {"stations_open", I, NN, "stations open at that moment (--hours-field)"},
    {"area_m2", R, NN, "district area, square metres"},
    {"covered_m2", R, NN, "area covered by the open stations, square metres"},
    {"covered_pct", R, NN, "covered share of the area, percent"},
    {"gap_m2", R, NN, "area outside every open station's service area, square metres"},
    {"n_stations_reaching", I, NN, "open stations whose service area reaches the district"},
    {"pop_total", R, 0, "people; NULL without population"},
    {"pop_covered", R, 0, "people covered by the open stations"},
    {"pop_covered_pct", R, 0, "covered share of the people, percent"},
};
static const sv_column time_gaps[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"moment", T, NN, "the moment as given to --at"},
    {"gap_m2", R, NN, "area outside every open station's service area, square metres"},
    {"gap_pct", R, NN, "gap share of the district, percent"},
    {"n_parts", I, NN, "polygons of the gap"},
};
static const sv_column roads[] = {
    {"road_id", T, 0, "the road feature"},
    {"highway", T, 0, "its class (OSM highway=*)"},
    {"name", T, 0, "its name"},
};

/* One row per `svcov analyze`: what was run on what, with which versions. */
static const sv_column runs[] = {
    {"started_utc", T, 0, "start time, ISO 8601 UTC"},
    {"finished_utc", T, 0, "end time, ISO 8601 UTC"},
    {"svcov_version", T, 0, "svcov's version"},
    {"command", T, 0, "the command line"},
    {"stations_path", T, 0, "the stations file"},
    {"stations_layer", T, 0, "its layer"},
    {"stations_where", T, 0, "--stations-where"},
    {"station_id_field", T, 0, "the station id field"},
    {"station_name_field", T, 0, "the station name field"},
    {"category_field", T, 0, "the category field"},
    {"districts_path", T, 0, "the districts file"},
    {"districts_layer", T, 0, "its layer"},
    {"district_id_field", T, 0, "the district id field"},
    {"district_name_field", T, 0, "the district name field"},
    {"crs_requested", T, 0, "--crs as given (auto by default)"},
    {"crs_epsg", I, 0, "the analysis CRS"},
    {"crs_name", T, 0, "its name"},
    {"method", T, 0, "union, voronoi or network"},
    {"mode", T, 0, "the travel mode"},
    {"speed_kmh", R, 0, "speed, km/h; NULL for --radius breaks"},
    {"detour", R, 0, "--detour factor"},
    {"minutes", T, 0, "the breaks in minutes, comma-separated"},
    {"radii_m", T, 0, "the breaks as radii, metres, comma-separated"},
    {"quad_segs", I, 0, "circle segments per quarter"},
    {"circle_vertices", I, 0, "vertices per circle"},
    {"strict", I, 0, "1 with --strict"},
    {"threads", I, 0, "worker threads"},
    {"n_stations_read", I, 0, "station features read"},
    {"n_stations", I, 0, "stations analysed"},
    {"n_districts_read", I, 0, "district features read"},
    {"n_districts", I, 0, "districts analysed"},
    {"n_issues", I, 0, "rows in issues"},
    {"gdal_version", T, 0, "GDAL's version"},
    {"geos_version", T, 0, "GEOS's version"},
    {"proj_version", T, 0, "PROJ's version"},
    {"spatialite_version", T, 0, "SpatiaLite's version"},
    {"sqlite_version", T, 0, "SQLite's version"},
    {"network_path", T, 0, "--network"},
    {"speeds_path", T, 0, "--speeds CSV"},
    {"snap", T, 0, "node or edge snapping (network mode)"},
    {"access_legs", I, 0, "1 when snapping legs are walked (network mode)"},
    {"max_snap_m", R, 0, "--max-snap, metres"},
    {"trim_m", R, 0, "--trim, metres"},
    {"network_nodes", I, 0, "nodes of the road graph"},
    {"network_edges", I, 0, "edges of the road graph"},
    {"network_components", I, 0, "connected components of the graph"},
    {"network_length_m", R, 0, "street length of the graph, metres"},
    {"stations_unattached", I, 0, "stations beyond --max-snap of every street"},
    {"demand_path", T, 0, "--demand"},
    {"n_demand", I, 0, "demand points analysed"},
    {"population_method", T, 0, "how people were placed"},
    {"population_path", T, 0, "--population"},
    {"population_field", T, 0, "--population-field"},
    {"population_raster", T, 0, "--population-raster"},
    {"raster_cells", I, 0, "raster cells read"},
    {"raster_nodata", I, 0, "cells without data"},
    {"raster_negative", I, 0, "cells with a negative count (taken as 0)"},
    {"raster_people", R, 0, "sum of the raster cells read (people)"},
    {"population_pieces", I, 0, "pieces of the population surface"},
    {"blocks_without_buildings", I, 0, "population blocks without a building (dasymetric)"},
    {"distances_from", T, 0, "the points fairness distances are measured from"},
    {"responsibility_method", T, 0, "how areas of responsibility were drawn"},
    {"redundancy", I, 0, "1 when redundancy was computed"},
    {"preset", T, 0, "--preset (gb50180)"},
    {"input_coords", T, 0, "the coordinate system of each input (stations=gcj02,...)"},
    {"input_encoding", T, 0, "the text encoding of each input given or detected"},
    {"sliver_tol_m", R, 0, "polygon parts and holes thinner than this (2 x area / perimeter) are left out"},
    {"plan_add_stations", T, 0, "--add-stations: the plan's new stations"},
    {"plan_remove_stations", T, 0, "--remove-stations: the ids or file of the stations the plan closes"},
    {"plan_add_sites", T, 0, "--add-sites: the siting run whose sites the plan opens"},
    {"n_stations_added", I, 0, "stations the plan adds"},
    {"n_stations_removed", I, 0, "stations the plan closes"},

    {"access_method", T, 0, "--access: 2sfca or e2sfca; NULL: not computed"},
    {"access_decay", T, 0, "--decay of e2sfca: gaussian, linear or step"},
    {"capacity_field", T, 0, "--capacity-field of the stations"},
    {"min_access", R, 0, "--min-access, capacity per 1,000 people"},
    {"access_demand", T, 0, "the demand points of the access index and their weights"},
    {"hours_field", T, 0, "--hours-field of the stations (OSM opening_hours)"},
    {"moments", T, 0, "--at: the moments of time_coverage"},
    {"stations_without_hours", I, 0, "stations without an hours value: counted as always open"},
    {"hours_unreadable", I, 0, "stations whose hours could not be read (issues): counted as always open"},
};

/* One row per `svcov site`. */
static const sv_column site_runs[] = {
    {"started_utc", T, 0, "start time, ISO 8601 UTC"},
    {"finished_utc", T, 0, "end time, ISO 8601 UTC"},
    {"svcov_version", T, 0, "svcov's version"},
    {"command", T, 0, "the command line"},
    {"model", T, 0, "mclp or lscp"},
    {"k", I, 0, "new sites asked for (mclp)"},
    {"radius_m", R, 0, "reach, metres"},
    {"minutes", R, 0, "reach, minutes"},
    {"mode", T, 0, "the travel mode"},
    {"objective", R, 0, "demand weight covered (mclp) or sites (lscp)"},
    {"existing_covered", R, 0, "weight covered by the existing stations"},
    {"total_weight", R, 0, "all demand weight"},
    {"coverable_weight", R, 0, "weight some candidate or station can reach"},
    {"covered_share", R, 0, "objective / total_weight"},
    {"n_new_sites", I, 0, "sites chosen"},
    {"solver", T, 0, "greedy or glpk"},
    {"proven_optimal", I, 0, "1 when GLPK proved the answer optimal"},
    {"gap", R, 0, "relative gap to the bound"},
    {"bound", R, 0, "the solver's bound"},
    {"greedy_objective", R, 0, "the greedy answer's objective"},
    {"greedy_sites", I, 0, "sites of the greedy answer"},
    {"greedy_ratio", R, 0, "greedy against exact"},
    {"target_share", R, 0, "--target-share"},
    {"min_district_share", R, 0, "--min-district-share"},
    {"n_floor_unmet", I, 0, "districts below their floor"},
    {"n_demand", I, 0, "demand points"},
    {"n_candidates", I, 0, "candidate sites"},
    {"n_stations", I, 0, "existing stations"},
    {"n_uncoverable", I, 0, "demand points no site can reach"},
    {"greedy_s", R, 0, "greedy time, seconds"},
    {"exact_s", R, 0, "exact solver time, seconds"},
    {"note", T, 0, "what the solver said (time-out, capped target)"},
    {"demand_path", T, 0, "--demand"},
    {"candidates", T, 0, "--candidates, or the grid"},
    {"stations_path", T, 0, "--stations"},
    {"crs_epsg", I, 0, "the analysis CRS"},
    {"glpk_version", T, 0, "GLPK's version"},
    {"input_coords", T, 0, "the coordinate system of each input (stations=gcj02,...)"},
    {"input_encoding", T, 0, "the text encoding of each input given or detected"},
    {"reach", T, 0, "circle (straight line) or network (along the streets)"},
    {"network_path", T, 0, "--network, or the network of the --db analysis"},
    {"snap", T, 0, "node or edge snapping (network reach)"},
    {"access_legs", I, 0, "1 when the walks to and from the street count (network reach)"},
    {"max_snap_m", R, 0, "--max-snap, metres (network reach)"},
    {"n_demand_unattached", I, 0, "demand points beyond --max-snap of any usable street (network reach)"},
    {"network_nodes", I, 0, "nodes of the street graph (network reach)"},
    {"network_edges", I, 0, "edges of the street graph (network reach)"},
    {"reach_s", R, 0, "time of the reach lists along the network, seconds"},
    {"capacity", R, 0, "--capacity: the most demand weight one new site serves; NULL without"},
    {"capacity_field", T, 0, "--capacity-field on the candidates; NULL without"},
    {"swap_objective", R, 0, "weight covered after the swap search that follows the greedy (mclp); NULL without it (--exact with CBC skips it)"},
    {"n_swaps", I, 0, "improving moves made by that search (one site for another, or 2-3 sites out and as many in)"},
    {"cbc_version", T, 0, "COIN-OR CBC's version; NULL when svcov was built without CBC"},
};

/* svcov compare: a base run against a plan run (the same districts, breaks, CRS and mode). */
static const sv_column district_change[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"covered_pct_base", R, NN, "covered share of the area in the base run, percent"},
    {"covered_pct_plan", R, NN, "covered share of the area with the plan, percent"},
    {"delta_pp", R, NN, "covered_pct_plan - covered_pct_base, percentage points"},
    {"covered_m2_base", R, NN, "covered area in the base run, square metres"},
    {"covered_m2_plan", R, NN, "covered area with the plan, square metres"},
    {"gained_m2", R, NN, "area of coverage_gained (covered with the plan only), square metres"},
    {"lost_m2", R, NN, "area of coverage_lost (covered in the base run only), square metres"},
    {"gap_m2_base", R, NN, "gap in the base run, square metres"},
    {"gap_m2_plan", R, NN, "gap with the plan, square metres"},
    {"pop_covered_base", R, 0, "people covered in the base run; NULL without people"},
    {"pop_covered_plan", R, 0, "people covered with the plan"},
    {"delta_pop", R, 0, "pop_covered_plan - pop_covered_base"},
    {"n_stations_reaching_base", I, 0, "stations reaching the district in the base run"},
    {"n_stations_reaching_plan", I, 0, "stations reaching the district with the plan"},
};
static const sv_index_desc district_change_idx[] = {{"district_change_break", "radius_m, district_id"}};
static const sv_column city_change[] = {
    BREAK_NN,
    {"covered_pct_base", R, NN, "covered share of the whole area in the base run, percent"},
    {"covered_pct_plan", R, NN, "covered share with the plan, percent"},
    {"delta_pp", R, NN, "covered_pct_plan - covered_pct_base, percentage points"},
    {"covered_m2_base", R, NN, "covered area in the base run, square metres"},
    {"covered_m2_plan", R, NN, "covered area with the plan, square metres"},
    {"gap_m2_base", R, NN, "gap in the base run, square metres"},
    {"gap_m2_plan", R, NN, "gap with the plan, square metres"},
    {"pop_covered_base", R, 0, "people covered in the base run; NULL without people"},
    {"pop_covered_plan", R, 0, "people covered with the plan"},
    {"delta_pop", R, 0, "pop_covered_plan - pop_covered_base"},
    {"n_stations_base", I, NN, "stations of the base run"},
    {"n_stations_plan", I, NN, "stations of the plan"},
};
static const sv_column coverage_change[] = {
    DISTRICT_ID_NN,
    DISTRICT_NAME,
    BREAK_NN,
    {"area_m2", R, NN, "area, square metres"},
};
static const sv_column station_change[] = {
    {"station_id", T, NN, "the station"},
    {"name", T, 0, "its name"},
    {"change", T, NN, "added (only in the plan), removed (only in the base run) or moved (same id, over 1 cm apart)"},
    BREAK_NN,
    {"moved_m", R, 0, "distance moved, metres (moved only)"},
    {"base_x", R, 0, "its place in the base run (removed, moved), analysis CRS"},
    {"base_y", R, 0, "its place in the base run (removed, moved), analysis CRS"},
    {"area_alone_m2", R, 0, "area only this station covers (critical_stations of the plan; of the base run when "
     "removed), square metres"},
    {"pop_alone", R, 0, "people only this station covers: gained by adding it, lost by removing it"},
};
static const sv_column compare_runs[] = {
    {"started_utc", T, 0, "start time, ISO 8601 UTC"},
    {"finished_utc", T, 0, "end time, ISO 8601 UTC"},
    {"svcov_version", T, 0, "svcov's version"},
    {"command", T, 0, "the command line"},
    {"base_path", T, 0, "--base"},
    {"plan_path", T, 0, "--plan"},
    {"base_run_id", I, 0, "the run of --base compared (its latest)"},
    {"plan_run_id", I, 0, "the run of --plan compared (its latest)"},
    {"crs_epsg", I, 0, "the analysis CRS of both"},
    {"mode", T, 0, "the travel mode of both"},
    {"method", T, 0, "circles (union, voronoi) or network"},
    {"radii_m", T, 0, "the breaks as radii, metres, comma-separated"},
    {"n_districts", I, 0, "districts compared"},
    {"n_added", I, 0, "stations added"},
    {"n_removed", I, 0, "stations removed"},
    {"n_moved", I, 0, "stations moved"},
};

/* What each station offers, for the posters (svcov poster). */
static const sv_column station_services[] = {
    {"station_id", T, NN, "the station"},
    {"services", T, 0, "what it offers as given, e.g. water;charging or 热水;充电 (--services-field)"},
    {"opening_hours", T, 0, "opening hours as given, e.g. Mo-Su 08:00-22:00 (--hours-field)"},
};

/* One row per break of the run. */
static const sv_column breaks[] = {
    {"break_no", I, 0, "1, 2, ... in ascending order"},
    {"mode", T, 0, "the travel mode, or distance"},
    {"minutes", R, 0, "minutes (a preset's life circle: 5, 10, 15)"},
    {"radius_m", R, 0, "reach, metres"},
    {"preset", T, 0, "the preset the break comes from"},
    {"label", T, 0, "the name maps and reports print"},
    {"label_zh", T, 0, "its Chinese name"},
};

/* Where the run's time went (issue 19): one row per stage line as printed, then "other" and "total". */
static const sv_column timings[] = {
    {"stage", T, NN, "the stage as printed on stderr, sub-stages after their parent: people > redundancy"},
    {"parent", T, 0, "the enclosing stage's row; NULL at the top"},
    {"seconds", R, NN, "wall time in the stage itself, not its sub-stages; the rows add up to total"},
    {"cpu_seconds", R, 0, "CPU time of all threads meanwhile (2 x seconds: both cores busy)"},
    {"rows_written", I, 0, "result rows written meanwhile"},
    {"beside", I, NN, "1: another thread's time beside the others (the early writer), not in the sum"},
    {"peak_rss_mib", R, 0, "the process's peak resident memory so far as the stage last ran, MiB"},
};

#define COLS(c) (c), sizeof(c) / sizeof(c)[0]
#define NO_INDEX NULL, 0

static const sv_table_desc tables[SV_TABLE_COUNT] = {
    [SV_TABLE_STATIONS] = {"stations", "the stations analysed", "id", COLS(stations), "POINT", "geom", NO_INDEX,
                           1, 0},
    [SV_TABLE_DISTRICTS] = {"districts", "the districts analysed (valid polygons)", "id", COLS(districts),
                            "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_SERVICE_AREAS] = {"service_areas", "one per station and break", "id", COLS(service_areas), "POLYGON",
                                "geom", NO_INDEX, 1, 0},
    [SV_TABLE_REACHED_STREETS] = {"reached_streets", "the streets reached (network mode)", "id",
                                  COLS(reached_streets), "MULTILINESTRING", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_DISTRICT_COVERAGE] = {"district_coverage", "the numbers per district and break; acceptance checks "
                                    "read it", "id", COLS(district_coverage), NULL, NULL,
                                    COLS(district_coverage_idx), 1, 0},
    [SV_TABLE_COVERAGE] = {"coverage", "the covered part of each district", "id", COLS(coverage), "MULTIPOLYGON",
                           "geom", NO_INDEX, 1, 0},
    [SV_TABLE_GAPS] = {"gaps", "the uncovered part of each district", "id", COLS(gaps), "MULTIPOLYGON", "geom",
                       NO_INDEX, 1, 0},
    [SV_TABLE_GAP_PARTS] = {"gap_parts", "each polygon of a gap", "id", COLS(gap_parts), "POLYGON", "geom",
                            NO_INDEX, 1, 0},
    [SV_TABLE_ISSUES] = {"issues", "input features skipped or repaired", "id", COLS(issues), NULL, NULL, NO_INDEX,
                         1, 0},
    [SV_TABLE_CITY_COVERAGE] = {"city_coverage", "the whole area per break, over the union of all districts", "id",
                                COLS(city_coverage), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_SITES] = {"sites", "the sites chosen by svcov site", "id", COLS(sites), "POINT", "geom", NO_INDEX, 1,
                        0},
    [SV_TABLE_SITE_DISTRICT_COVERAGE] = {"site_district_coverage", "demand covered per district before and after "
                                         "the new sites", "id", COLS(site_district_coverage), NULL, NULL, NO_INDEX,
                                         1, 0},
    [SV_TABLE_DEMAND_ACCESS] = {"demand_access", "one per demand point", "id", COLS(demand_access), "POINT",
                                "geom", NO_INDEX, 1, 0},
    [SV_TABLE_DEMAND_REACH] = {"demand_reach", "one per demand point and break", "id", COLS(demand_reach), NULL,
                               NULL, NO_INDEX, 1, 0},
    [SV_TABLE_DISTRICT_DEMAND] = {"district_demand", "demand per district and break (NULL district_id: all "
                                  "demand)", "id", COLS(district_demand), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_REDUNDANCY] = {"district_redundancy", "pieces of each district by the number of service areas "
                             "covering them (NULL district_id: the whole area)", "id", COLS(district_redundancy),
                             "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_CRITICAL] = {"critical_stations", "what is lost without each station", "id",
                           COLS(critical_stations), "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_FAIRNESS] = {"district_fairness", "distances of the people to the nearest station", "id",
                           COLS(district_fairness), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_PEOPLE_POINTS] = {"people_points", "the people points of district_fairness inside the districts "
                                "(population polygons, raster cells, buildings; not written for demand points: "
                                "demand_access holds them)", "id", COLS(people_points), "POINT", "geom", NO_INDEX, 1,
                                0},
    [SV_TABLE_CATEGORY] = {"category_coverage", "coverage by station category", "id", COLS(category_coverage),
                           "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_CATEGORY_GAPS] = {"category_gaps", "gaps by station category", "id", COLS(category_gaps),
                                "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_RESPONSIBILITY] = {"responsibility", "the area and people each station is responsible for", "id",
                                 COLS(responsibility), "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_STATION_LOAD] = {"station_load", "capacity against demand within reach, per station and break "
                               "(2SFCA step 1)", "id", COLS(station_load), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_DISTRICT_ACCESS] = {"district_access", "capacity-aware access per district and break (2SFCA step 2; "
                                  "NULL district_id: the whole area)", "id", COLS(district_access), NULL, NULL,
                                  NO_INDEX, 1, 0},
    [SV_TABLE_POINT_ACCESS] = {"point_access", "the access index of each demand or people point inside a district "
                               "with people, per break (the quantiles of district_access are over these)", "id",
                               COLS(point_access), "POINT", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_TIME_COVERAGE] = {"time_coverage", "coverage by the stations open at each --at moment, per district "
                                "and break (NULL district_id: the whole area)", "id", COLS(time_coverage), NULL,
                                NULL, NO_INDEX, 1, 0},
    [SV_TABLE_TIME_GAPS] = {"time_gaps", "the uncovered part of each district at each --at moment", "id",
                            COLS(time_gaps), "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_ROADS] = {"roads", "the road lines of a network-mode run (map context)", "id", COLS(roads),
                        "MULTILINESTRING", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_BREAKS] = {"breaks", "one row per break, with a preset's names (joined on radius_m)", "id",
                         COLS(breaks), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_STATION_SERVICES] = {"station_services", "what each station with a services or hours value offers "
                                   "(posters)", "id", COLS(station_services), NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_RUNS] = {"runs", "one row per svcov analyze", "run_id", COLS(runs), NULL, NULL, NO_INDEX, 0, 1},
    [SV_TABLE_SITE_RUNS] = {"site_runs", "one row per svcov site; acceptance checks read it", "site_run_id",
                            COLS(site_runs), NULL, NULL, NO_INDEX, 0, 1},
    [SV_TABLE_DISTRICT_CHANGE] = {"district_change", "svcov compare: per district and break, base run against "
                                  "plan", "id", COLS(district_change), NULL, NULL, COLS(district_change_idx), 1, 0},
    [SV_TABLE_CITY_CHANGE] = {"city_change", "svcov compare: the whole area per break", "id", COLS(city_change),
                              NULL, NULL, NO_INDEX, 1, 0},
    [SV_TABLE_COVERAGE_GAINED] = {"coverage_gained", "svcov compare: covered with the plan only (plan minus base, "
                                  "GEOS difference)", "id", COLS(coverage_change), "MULTIPOLYGON", "geom", NO_INDEX,
                                  1, 0},
    [SV_TABLE_COVERAGE_LOST] = {"coverage_lost", "svcov compare: covered in the base run only", "id",
                                COLS(coverage_change), "MULTIPOLYGON", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_STATION_CHANGE] = {"station_change", "svcov compare: stations added, removed and moved, per break",
                                 "id", COLS(station_change), "POINT", "geom", NO_INDEX, 1, 0},
    [SV_TABLE_COMPARE_RUNS] = {"compare_runs", "one row per svcov compare", "compare_run_id", COLS(compare_runs),
                               NULL, NULL, NO_INDEX, 0, 0},
    [SV_TABLE_TIMINGS] = {"timings", "where the run's time went: one row per stage and sub-stage, other, total",
                          "id", COLS(timings), NULL, NULL, NO_INDEX, 1, 0},
};

/* Only in PostgreSQL: the schema's own record, and the coordination of sharded runs (svcov plan, worker,
 * finish; DESIGN.md "Sharded runs"). Not results: sv_table does not name them, so the result writers and
 * readers (publish, export, fetch) never see them. */
#define I4 SV_COL_INT4
#define TS SV_COL_TIMESTAMPTZ
static const sv_column svcov_meta[] = {
    {"key", T, NN, "schema_version or srid"},
    {"value", T, NN, "its value"},
};
static const sv_column shard_plans[] = {
    {"status", T, NN, "planned, or complete once svcov finish checked every shard", NULL,
     "status IN ('planned', 'complete')"},
    {"args", SV_COL_TEXT_ARRAY, NN, "the analyze options of the plan, with the inputs' paths"},
    {"n_shards", I4, NN, "shards of the run"},
    {"halo_m", R, NN, "the halo: the largest reach, metres"},
    {"planned_utc", TS, NN, "when svcov plan made it", "now()"},
    {"completed_utc", TS, 0, "when svcov finish completed it"},
};
static const sv_column shards[] = {
    {"shard_no", I4, NN, "the shard, from 1"},
    {"status", T, NN, "todo, running, done or failed", "'todo'", "status IN ('todo', 'running', 'done', 'failed')"},
    {"n_districts", I4, NN, "its districts"},
    {"work", R, NN, "its work (its districts): workers claim the largest first"},
    {"worker", T, 0, "the worker that holds or held it (host:pid)"},
    {"lease_until", TS, 0, "the worker's lease: claimed again after it"},
    {"attempt", I4, NN, "how many times it was claimed", "0"},
    {"started_utc", TS, 0, "when the last claim started it"},
    {"finished_utc", TS, 0, "when it was published"},
    {"n_rows", SV_COL_INTEGER, 0, "result rows published"},
    {"message", T, 0, "why it failed"},
    {"core", SV_COL_POLYGON, 0, "the box of its districts' envelopes"},
    {"halo", SV_COL_POLYGON, 0, "the core grown by halo_m"},
};
static const sv_index_desc shards_idx[] = {{"shards_core_gist", "core", "gist"}};
static const sv_column shard_districts[] = {
    {"district_id", T, NN, "the district"},
    {"shard_no", I4, NN, "its shard"},
    {"x_min", R, NN, "its envelope, analysis CRS"},
    {"y_min", R, NN, "its envelope"},
    {"x_max", R, NN, "its envelope"},
    {"y_max", R, NN, "its envelope"},
};
static const sv_column shard_inputs[] = {
    {"input_no", I4, NN, "the input, in the order of the plan's inputs"},
    {"file_no", I4, NN, "the file of the input (a shapefile's .shp, .dbf, ...)"},
    {"file_name", T, NN, "its name"},
    {"path", T, NN, "its path on the plan's machine"},
    {"data", SV_COL_BYTEA, NN, "its bytes: workers read the inputs from here"},
};
#undef I4
#undef TS

static const sv_table_desc pg_tables[] = {
    {"svcov_meta", "the schema's version and SRID (PostgreSQL only)", NULL, COLS(svcov_meta), NULL, NULL, NO_INDEX,
     0, 0, 1, "key"},
    {"shard_plans", "one per sharded run: its options and halo (PostgreSQL only)", NULL, COLS(shard_plans), NULL,
     NULL, NO_INDEX, 1, 0, 1, "run_id"},
    {"shards", "the shards of a sharded run: status, worker, lease, attempts, core and halo (PostgreSQL only)",
     NULL, COLS(shards), NULL, NULL, COLS(shards_idx), 1, 0, 1, "run_id, shard_no"},
    {"shard_districts", "the shard and envelope of each district of a sharded run (PostgreSQL only)", NULL,
     COLS(shard_districts), NULL, NULL, NO_INDEX, 1, 0, 1, "run_id, district_id"},
    {"shard_inputs", "the input files of a sharded run, for the workers (PostgreSQL only)", NULL,
     COLS(shard_inputs), NULL, NULL, NO_INDEX, 1, 0, 1, "run_id, input_no, file_no"},
};

const sv_table_desc *sv_schema_pg_table(int i)
{
    return i >= 0 && (size_t)i < sizeof pg_tables / sizeof pg_tables[0] ? &pg_tables[i] : NULL;
}

const sv_table_desc *sv_schema_table(sv_table t)
{
    return (int)t >= 0 && t < SV_TABLE_COUNT ? &tables[t] : NULL;
}

int sv_schema_find(const char *name)
{
    for (int t = 0; t < SV_TABLE_COUNT; t++)
        if (strcmp(tables[t].name, name) == 0)
            return t;
    return -1;
}

const char *sv_table_name(sv_table t)
{
    const sv_table_desc *d = sv_schema_table(t);
    return d ? d->name : NULL;
}

int sv_table_has_column(sv_table t, const char *name)
{
    const sv_table_desc *d = sv_schema_table(t);
    for (size_t c = 0; d && c < d->n_columns; c++)
        if (strcmp(d->columns[c].name, name) == 0)
            return 1;
    return 0;
}

const char *sv_col_type_name(sv_col_type type)
{
    switch (type) {
    case SV_COL_INTEGER:
        return "INTEGER";
    case SV_COL_REAL:
        return "REAL";
    case SV_COL_INT4:
        return "integer";
    case SV_COL_TEXT_ARRAY:
        return "text[]";
    case SV_COL_TIMESTAMPTZ:
        return "timestamptz";
    case SV_COL_BYTEA:
        return "bytea";
    case SV_COL_POLYGON:
        return "geometry(Polygon)";
    default:
        return "TEXT";
    }
}
