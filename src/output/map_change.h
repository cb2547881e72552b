/* map_change.h - the layers of an 'svcov compare' database on a printable
 * map (private to src/output): coverage gained and lost, stations added,
 * removed and moved. map.c calls these at four places (load, areas,
 * stations, legend). */
#ifndef SV_MAP_CHANGE_H
#define SV_MAP_CHANGE_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_lang.h"
#include "adapters/render.h"
#include "svcov/sv_store.h"

typedef struct sv_map_change sv_map_change;

/* When rd is a comparison (a compare_runs row): the change at the largest of
 * the n breaks drawn (radii, ascending) that gains or loses coverage
 * anywhere, else at the largest; *out NULL for an analysis. Free with
 * sv_map_change_destroy (NULL ok). */
sv_status sv_map_change_load(sv_ctx *ctx, sv_store_reader *rd, sv_geos *h, const double *radii, int n,
                             sv_map_change **out);
/* The index (in radii) of the break whose change is drawn. */
int sv_map_change_break(const sv_map_change *c);
void sv_map_change_destroy(sv_map_change *c);

/* World to page: page x = ox + X * s, page y = oy - Y * s. */
void sv_map_change_draw_areas(const sv_map_change *c, sv_canvas *cv, double s, double ox, double oy);
void sv_map_change_draw_stations(const sv_map_change *c, sv_canvas *cv, double s, double ox, double oy);
/* Legend rows at (x, y), naming the break (its label); returns the height used. */
double sv_map_change_legend(const sv_map_change *c, sv_canvas *cv, sv_lang L, double x, double y,
                            const char *break_label);
/* The number of stations added, removed and moved. */
void sv_map_change_counts(const sv_map_change *c, size_t *added, size_t *removed, size_t *moved);

#endif
