/* svfixtures.h - the inputs several tests share, written once: the 2 km square district in UTM 31N
 * with a station at its centre (the end-to-end tests), and the siting instance on a line (the unit
 * tests of sv_site_solve). String fixtures are literals, so a test may paste them into a larger one.
 * Header-only; a test includes what it uses. */
#ifndef SVFIXTURES_H
#define SVFIXTURES_H

/* GeoJSON's (pre-RFC 7946) crs member for EPSG:32631, UTM zone 31N. */
#define CRS_32631 "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32631\"}},"

/* District "sq" (Square): 499000..501000 x 4699000..4701000, 4 km2. */
#define SVT_SQUARE_DISTRICT                                                                                  \
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["                                           \
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\"},"                    \
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"              \
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}"

/* Station "c1" (Centre, a clinic) at the square's centre, 500000 4700000. */
#define SVT_CENTRE_STATION                                                                                   \
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["                                           \
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\",\"name\":\"Centre\",\"category\":\"clinic\"}," \
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}"

#ifdef SV_SITE_H
#include <string.h>
/* Siting on a line, radius 1: candidate c0 at 0 reaches demand at -0.8, -0.6, 0.6, 0.8; c1 at -1
 * reaches -1.8, -0.8, -0.6; c2 at +1 reaches 0.6, 0.8, 1.8. Greedy takes c0 first (4 points), then
 * one side (5 in all); the optimum for k = 2 is c1 + c2 (all 6). Include after sv_site.h. */
static const double SVT_LINE_DX[] = {-1.8, -0.8, -0.6, 0.6, 0.8, 1.8};
static const double SVT_LINE_DY[] = {0, 0, 0, 0, 0, 0};
static const double SVT_LINE_DW[] = {1, 1, 1, 1, 1, 1};
static const double SVT_LINE_CX[] = {0, -1, 1};
static const double SVT_LINE_CY[] = {0, 0, 0};

static __attribute__((unused)) sv_site_input svt_line_instance(void)
{
    sv_site_input in;
    memset(&in, 0, sizeof in);
    in.dx = SVT_LINE_DX;
    in.dy = SVT_LINE_DY;
    in.dw = SVT_LINE_DW;
    in.n_demand = 6;
    in.cx = SVT_LINE_CX;
    in.cy = SVT_LINE_CY;
    in.n_candidates = 3;
    in.radius_m = 1.0;
    in.time_limit_s = 30;
    return in;
}
#endif

#endif
