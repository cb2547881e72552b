#!/usr/bin/env bash
# The SpatiaLite SQL peer of the benchmarks (bench_sql.sh, bench_scale.sh): what a planner
# would write by hand. See bench/README.md.
#
#   peer_spatialite.sh load DB STATIONS DISTRICTS CRS
#       ogr2ogr both layers (layers "stations" and "districts") into a fresh SpatiaLite
#       database DB, projected to CRS, with the spatial indexes ogr2ogr makes;
#   peer_spatialite.sh compute DB RADII QUADSEGS
#       table peer_coverage (district_id, radius_m, area_m2, covered_m2, gap): per district
#       and radius (RADII: metres, comma-separated), the area covered by the union of the
#       circles (QUADSEGS segments per quarter) of the stations that the SpatialIndex finds
#       in the district's box grown by the radius and that lie within the radius of it;
#       prints "peer districts|ROWS|SUM AREA|SUM COVERED";
#   peer_spatialite.sh run DB STATIONS DISTRICTS CRS RADII QUADSEGS CSV
#       load + compute, then CSV: district_id,radius_m,area_m2,covered_m2,covered_pct.
set -euo pipefail

die() { echo "peer_spatialite.sh: $*" >&2; exit 1; }

load() {
    local db=$1 stations=$2 districts=$3 crs=$4
    rm -f "$db"
    ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs "$crs" -lco GEOMETRY_NAME=geom \
        -nln stations "$db" "$stations" stations
    ogr2ogr -update -f SQLite -t_srs "$crs" -lco GEOMETRY_NAME=geom \
        -nln districts "$db" "$districts" districts
}

# For each district, the stations whose index box meets the district's box grown by the
# radius, closer than the radius (a circle of QUADSEGS segments per quarter lies inside
# the true circle, so the distance test drops no covering station), their circles
# united, intersected with the district.
compute() {
    local db=$1 radii=$2 quadsegs=$3 sql radius
    sql=$(mktemp "${TMPDIR:-/tmp}/peer_spatialite.XXXXXX.sql")
    {
        cat <<EOT
.timer off
DROP TABLE IF EXISTS peer_covered;
DROP TABLE IF EXISTS peer_coverage;
CREATE TABLE peer_coverage (district_id TEXT, radius_m REAL, area_m2 REAL, covered_m2 REAL, gap BLOB);
EOT
        for radius in ${radii//,/ }; do
            cat <<EOT
CREATE TABLE peer_covered AS
SELECT d.district_id AS district_id,
       d.geom AS dgeom,
       ST_Intersection(d.geom, (
           SELECT ST_Union(ST_Buffer(s.geom, $radius, $quadsegs))
           FROM stations AS s
           WHERE s.ROWID IN (
                 SELECT ROWID FROM SpatialIndex
                 WHERE f_table_name = 'stations' AND f_geometry_column = 'geom'
                   AND search_frame = ST_Buffer(ST_Envelope(d.geom), $radius))
             AND ST_Distance(s.geom, d.geom) <= $radius)) AS covered
FROM districts AS d;
-- The same products as svcov: covered and gap polygons, and the numbers.
INSERT INTO peer_coverage
SELECT district_id, $radius,
       ST_Area(dgeom),
       COALESCE(ST_Area(covered), 0.0),
       CASE WHEN covered IS NULL THEN dgeom ELSE ST_Difference(dgeom, covered) END
FROM peer_covered;
DROP TABLE peer_covered;
EOT
        done
        echo "SELECT 'peer districts', count(*), sum(area_m2), sum(covered_m2) FROM peer_coverage;"
    } >"$sql"
    local rc=0
    spatialite -bail -silent "$db" <"$sql" || rc=$?
    rm -f "$sql"
    return "$rc"
}

export_csv() {
    local db=$1 csv=$2
    sqlite3 -bail -csv -header "$db" \
        "SELECT district_id, radius_m, area_m2, covered_m2,
                CASE WHEN area_m2 > 0 THEN 100.0 * covered_m2 / area_m2 ELSE 0.0 END AS covered_pct
         FROM peer_coverage ORDER BY radius_m, district_id" >"$csv"
}

is_radii() { [[ $1 =~ ^[0-9]+([.][0-9]+)?(,[0-9]+([.][0-9]+)?)*$ ]]; }

cmd=${1:-}
case $cmd in
load)
    [ $# -eq 5 ] || die "usage: load DB STATIONS DISTRICTS CRS"
    load "$2" "$3" "$4" "$5"
    ;;
compute)
    [ $# -eq 4 ] || die "usage: compute DB RADII QUADSEGS"
    is_radii "$3" && [[ $4 =~ ^[0-9]+$ ]] || die "RADII are metres separated by commas, QUADSEGS a whole number"
    compute "$2" "$3" "$4"
    ;;
run)
    [ $# -eq 8 ] || die "usage: run DB STATIONS DISTRICTS CRS RADII QUADSEGS CSV"
    is_radii "$6" && [[ $7 =~ ^[0-9]+$ ]] || die "RADII are metres separated by commas, QUADSEGS a whole number"
    load "$2" "$3" "$4" "$5"
    compute "$2" "$6" "$7"
    export_csv "$2" "$8"
    ;;
*)
    die "usage: peer_spatialite.sh load|compute|run ... (see the head of this file)"
    ;;
esac
