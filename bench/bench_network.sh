#!/usr/bin/env bash
# Benchmark: svcov's network mode against pgRouting on the same graph.
#
# A synthetic street grid (svcov-genroads: >100,000 street segments in long
# ways, 1,000 stations, 20,000 demand points, EPSG:32649). Both sides build the
# graph from the ways (split at every vertex, coordinates on a 1 cm grid,
# segment length as cost, undirected walking), snap stations and demand to the
# nearest graph node, and find for every demand point the network distance to
# the nearest station within 1,250 m:
#   svcov:     svcov analyze --network ... --snap node --access-legs off
#              (which also builds the dissolved 833/1250 m service areas and the
#              district coverage);
#   pgRouting: PostgreSQL + PostGIS + pgRouting from Debian's packages, started
#              here on a Unix socket in the work folder (no TCP) and stopped after:
#              ST_DumpSegments + pgr_createTopology, KNN snapping,
#              pgr_drivingDistance from all stations (equicost false, then the
#              minimum per node: the exact multi-source distance).
# Checks that both give every demand point the same distance (to 1e-6 m) and
# prints the times and their ratio. See bench/README.md.
#
# Sizes: --edges N (a grid of about N street segments: 1.9 n^2 for an n x n
# grid) or --grid n, --stations, --demand, --breaks (metres, the largest
# bounds the comparison). --pg-timeout S stops pgRouting after S seconds and
# reports '> S s' (the distances are then not compared). The issue's case:
#   bench/bench_network.sh --edges 1000000 --stations 10000 --demand 100000 --pg-timeout 3600
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
grid=230
stations=1000
demand=20000
breaks=833,1250
seed=1
pg_timeout=0
tolerance=1e-6
svcov=$root/build/svcov
genroads=$root/build/bench/svcov-genroads
workdir=
pgbin=/usr/lib/postgresql/15/bin

while [ $# -gt 0 ]; do
    case $1 in
    --grid) grid=$2; shift 2 ;;
    --edges) grid=$(awk -v e="$2" 'BEGIN { printf "%d", sqrt(e / 1.9) + 0.5 }'); shift 2 ;;
    --breaks) breaks=$2; shift 2 ;;
    --pg-timeout) pg_timeout=$2; shift 2 ;;
    --stations) stations=$2; shift 2 ;;
    --demand) demand=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --svcov) svcov=$2; shift 2 ;;
    --genroads) genroads=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    *) echo "usage: bench/bench_network.sh [--grid N | --edges E] [--stations S] [--demand D] [--breaks M1,M2]" \
            "[--pg-timeout S] [--seed X] [--workdir DIR]" >&2
       exit 2 ;;
    esac
done
die() { echo "bench_network.sh: $*" >&2; exit 1; }
maxbreak=$(echo "$breaks" | tr ',' '\n' | sort -g | tail -n 1)
[ -n "$maxbreak" ] || die "--breaks: no break in '$breaks'" 
for t in "$svcov" "$genroads" "$pgbin/initdb" "$pgbin/pg_ctl" /usr/bin/time; do
    [ -x "$t" ] || die "$t not found (make build; apt-get install postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting)"
done
[ -n "$workdir" ] || workdir=$(mktemp -d "${TMPDIR:-/tmp}/svcov-bench-net.XXXXXX")
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

timed() {
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    read -r t_wall t_kib < <(tail -n 1 "$workdir/$name.time")
}

echo "== network: grid $grid x $grid, $stations stations, $demand demand points, breaks $breaks m" >&2
timed gen "$genroads" --grid "$grid" --spacing 80 --stations "$stations" --demand "$demand" --seed "$seed" \
    --out "$workdir/city"
sed -n 's/^svcov-genroads: //p' "$workdir/gen.log" >&2

echo "== svcov" >&2
rm -f "$workdir/svcov.sqlite"
timed svcov "$svcov" analyze --stations "$workdir/city/stations.gpkg" --districts "$workdir/city/districts.gpkg" \
    --network "$workdir/city/roads.gpkg" --crs EPSG:32649 --radius "$breaks" --snap node --access-legs off \
    --max-snap 100000 --demand "$workdir/city/demand.gpkg" --no-service-areas --no-category-coverage --out "$workdir/svcov.sqlite"
svcov_wall=$t_wall svcov_kib=$t_kib

# PostgreSQL on a Unix socket in the work folder only, stopped on exit.
pgdata=$workdir/pg
port=54329
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$workdir" 2>/dev/null || true
    run_pg() { runuser -u postgres -- "$@"; }
else
    run_pg() { "$@"; }
fi
rm -rf "$pgdata"
run_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust >"$workdir/initdb.log" 2>&1 || die "initdb failed"
run_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$workdir/pg.log" -w \
    -o "-k $workdir -c listen_addresses='' -p $port -c fsync=off -c shared_buffers=512MB -c work_mem=256MB" start \
    >/dev/null || die "PostgreSQL did not start (see $workdir/pg.log)"
trap 'run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true' EXIT
psql_() { run_pg psql -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p "$port" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench" >/dev/null
psql_ -d bench -c "CREATE EXTENSION postgis; CREATE EXTENSION pgrouting;" >/dev/null

echo "== pgRouting: load" >&2
timed pg_load bash -c 'for layer in roads stations demand; do
        ogr2ogr -f PostgreSQL "PG:host=$0 port=$1 user=postgres dbname=bench" "$0/city/$layer.gpkg" \
            -nln "$layer" -lco GEOMETRY_NAME=geom -overwrite || exit 1
    done' "$workdir" "$port"
load_wall=$t_wall

cat >"$workdir/pgr.sql" <<'EOT'
\timing off
-- the graph: every segment of every way, on a 1 cm grid, its length as cost
CREATE TABLE edges AS
SELECT row_number() OVER () AS id, d.geom::geometry(LineString, 32649) AS geom
FROM (SELECT (ST_DumpSegments(ST_SnapToGrid(geom, 0.01))).geom AS geom FROM roads) d
WHERE ST_Length(d.geom) > 0;
ALTER TABLE edges ADD COLUMN source bigint, ADD COLUMN target bigint, ADD COLUMN cost float8;
UPDATE edges SET cost = ST_Length(geom);
SELECT pgr_createTopology('edges', 0.001, 'geom', 'id', clean := true) \g /dev/null
CREATE INDEX ON edges_vertices_pgr USING gist (the_geom);
-- nearest node of every station and demand point
CREATE TABLE st_v AS SELECT s.station_id,
  (SELECT v.id FROM edges_vertices_pgr v ORDER BY v.the_geom <-> s.geom LIMIT 1) AS vid FROM stations s;
CREATE TABLE dm_v AS SELECT d.demand_id,
  (SELECT v.id FROM edges_vertices_pgr v ORDER BY v.the_geom <-> d.geom LIMIT 1) AS vid FROM demand d;
-- from every station at once; the minimum over stations per node
CREATE TABLE dd AS
SELECT node, min(agg_cost) AS cost FROM pgr_drivingDistance(
  'SELECT id, source, target, cost FROM edges', (SELECT array_agg(DISTINCT vid) FROM st_v), MAXBREAK,
  directed := false, equicost := false) GROUP BY node;
\copy (SELECT dm.demand_id, dd.cost FROM dm_v dm LEFT JOIN dd ON dd.node = dm.vid ORDER BY dm.demand_id) TO 'PGR_CSV' WITH CSV
EOT
sed -i "s|PGR_CSV|$workdir/pgr.csv|; s|MAXBREAK|$maxbreak|" "$workdir/pgr.sql"
echo "== pgRouting: graph, snapping, driving distance" >&2
pg_done=1
if [ "$pg_timeout" != 0 ]; then
    # timeout stops psql; the server's stop (pg_ctl -m fast) then cancels the query
    if ! /usr/bin/time -f '%e %M' -o "$workdir/pg_compute.time" timeout "$pg_timeout" \
        runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p "$port" -U postgres -d bench \
        -f "$workdir/pgr.sql" >"$workdir/pg_compute.log" 2>&1; then
        grep -q "status 124" "$workdir/pg_compute.time" ||
            { tail -n 20 "$workdir/pg_compute.log" >&2; die "step 'pg_compute' failed (see $workdir/pg_compute.log)"; }
        pg_done=0
    fi
    read -r t_wall t_kib < <(tail -n 1 "$workdir/pg_compute.time")
else
    timed pg_compute runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p "$port" -U postgres \
        -d bench -f "$workdir/pgr.sql"
fi
compute_wall=$t_wall
if [ "$pg_done" -eq 0 ]; then
    run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
    svcov_nodes=$(sqlite3 "$workdir/svcov.sqlite" "SELECT network_nodes || ' nodes, ' || network_edges || ' edges' FROM runs")
    cat <<EOT

====================== bench_network.sh ======================
graph            svcov $svcov_nodes
svcov            ${svcov_wall} s wall (read, graph, snapping, Dijkstra, dissolved areas, coverage, demand), peak ${svcov_kib} KiB
svcov stages     $(grep -E '^(reading|graph|network|coverage|demand|writing) +[0-9.]+ s$' "$workdir/svcov.log" | awk '{printf "%s %s s; ", $1, $2}')
pgRouting        > $(awk -v a="$load_wall" -v b="$pg_timeout" 'BEGIN { printf "%.2f", a + b }') s wall (load ${load_wall} s + topology, snapping, driving distance stopped after ${pg_timeout} s)
ratio            pgRouting / svcov > $(awk -v a="$load_wall" -v b="$pg_timeout" -v c="$svcov_wall" 'BEGIN { printf "%.1f", (a + b) / c }'), without the load > $(awk -v b="$pg_timeout" -v c="$svcov_wall" 'BEGIN { printf "%.1f", b / c }')
demand compared  none (pgRouting did not finish)
==============================================================
files kept in $workdir
EOT
    exit 0
fi
edges=$(psql_ -d bench -At -c "SELECT count(*) FROM edges")
nodes=$(psql_ -d bench -At -c "SELECT count(*) FROM edges_vertices_pgr")

sqlite3 -csv "$workdir/svcov.sqlite" \
    "SELECT demand_id, CASE WHEN network_m <= $maxbreak THEN printf('%.9f', network_m) END FROM demand_access ORDER BY demand_id" \
    >"$workdir/svcov.csv"
read -r compared maxdiff differ < <(awk -F, -v tol="$tolerance" '
    NR == FNR { a[$1] = $2; next }
    ($1 in a) { n++; x = a[$1]; y = $2;
                if ((x == "") != (y == "")) { bad++; next }
                if (x != "") { d = x - y; if (d < 0) d = -d; if (d > m) m = d; if (d > tol) bad++ } }
    END { printf "%d %.3g %d\n", n, m + 0, bad + 0 }' "$workdir/svcov.csv" "$workdir/pgr.csv")
svcov_nodes=$(sqlite3 "$workdir/svcov.sqlite" "SELECT network_nodes || ' nodes, ' || network_edges || ' edges' FROM runs")
pg_wall=$(awk -v a="$load_wall" -v b="$compute_wall" 'BEGIN { printf "%.2f", a + b }')
cat <<EOT

====================== bench_network.sh ======================
graph            svcov $svcov_nodes; pgRouting $nodes nodes, $edges edges
svcov            ${svcov_wall} s wall (read, graph, snapping, Dijkstra, 2 dissolved areas, coverage, demand), peak ${svcov_kib} KiB
svcov stages     $(grep -E '^(reading|graph|network|coverage|demand|writing) +[0-9.]+ s$' "$workdir/svcov.log" | awk '{printf "%s %s s; ", $1, $2}')
                 (network = Dijkstra from all stations, the two dissolved service-area polygons and one bounded search per station for the reach count)
pgRouting        ${pg_wall} s wall (load ${load_wall} s + topology, snapping, driving distance ${compute_wall} s)
ratio            pgRouting / svcov $(awk -v a="$pg_wall" -v b="$svcov_wall" 'BEGIN { printf "%.1f", a / b }'), without the load $(awk -v a="$compute_wall" -v b="$svcov_wall" 'BEGIN { printf "%.1f", a / b }')
demand compared  $compared points, largest distance difference ${maxdiff} m, $differ differ by more than $tolerance m
==============================================================
files kept in $workdir
EOT
[ "$differ" -eq 0 ] && [ "$compared" -eq "$demand" ]
