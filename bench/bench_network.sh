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
#              --demand-only (each demand point's distance to its nearest
#              station: one search from all stations at once, no areas), and
#              once more without --demand-only: the whole job, which also
#              builds the dissolved 833/1250 m service areas and the district
#              coverage (its demand_access and district_demand must equal the
#              --demand-only run's row for row);
#   pgRouting: PostgreSQL + PostGIS + pgRouting from Debian's packages, started
#              here on a Unix socket in the work folder (no TCP) and stopped after:
#              ST_DumpSegments, pgr_extractVertices (each segment's source and
#              target from the vertices' out/in edges, no spatial search), KNN
#              snapping (`<->` on a GiST index of the vertices),
#              pgr_drivingDistance from all stations (equicost false, then the
#              minimum per node: the exact multi-source distance).
# Checks that both give every demand point the same distance (to 1e-6 m) and
# prints the times and their ratio. See bench/README.md.
#
# Sizes: --edges N (a grid of about N street segments: 1.9 n^2 for an n x n
# grid) or --grid n, --stations, --demand, --breaks (metres, the largest
# bounds the comparison). --pg-timeout S stops each pgRouting step after S
# seconds and reports '> S s' (the distances are then not compared).
# --pg-topology create builds pgRouting's graph the older way instead, with
# pgr_createTopology (a spatial search per edge; deprecated since pgRouting 3.4
# and far slower at 1M edges), to check that both give the same distances.
#
# --reuse-svcov with the --workdir of an earlier run of the same sizes and
# seed: its city and svcov runs (databases, logs, times) are taken as they are
# and only pgRouting runs again.
#
# CPU seconds are printed beside the wall times: svcov's user + system time,
# and the PostgreSQL server's (every backend, parallel worker and background
# process: the postmaster's own and its children's times from /proc, before
# and after each step) plus the psql client's.
#
# --pg-sample N (the sampled mode; 0, the default, is the full mode): pgRouting
# builds the whole graph and snaps everything as in the full mode, but drives
# only from N stations chosen by the seed (and once from one of them: the cost
# of a call whatever its starts); its driving-distance time is scaled to all
# stations (one call's cost plus the per-station time of the sampled call for
# each further station) and printed as an extrapolation. svcov is timed on all
# stations, then run once more on the N sampled stations only (--demand-only for
# the distances, the whole job for the areas), and every demand point's distance
# to the nearest sampled station is compared between the two.
# The issue's case (pgRouting would take hours on all 10,000 stations; the
# default is --pg-sample 0, the full mode):
#   bench/bench_network.sh --edges 1000000 --stations 10000 --demand 100000 --pg-sample 100
#
# The whole job, like with like: svcov's run also widens the reached streets
# into the dissolved service area of each break and cuts each district's
# covered share from it. After the driving distance the peer does the same
# in PostGIS as a planner would write it: each edge's reached part from the
# driving distance of its ends (ST_LineSubstring), ST_Buffer by the same
# trim (50 m, quad_segs=8), ST_Union per break, ST_Intersection with each
# district; every district's covered share is compared with svcov's to
# 0.1 pp, and the ratio of the whole job (pgRouting + PostGIS against svcov's
# whole job) is printed beside the distances-only ratio (pgRouting against
# svcov --demand-only). In the sampled mode the areas are those of the sampled stations
# (compared with svcov's run on them) and their time is added unscaled, so
# the whole-job ratio is a lower bound there.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
grid=230
stations=1000
demand=20000
breaks=833,1250
seed=1
pg_timeout=0
pg_sample=0
pg_topology=extract
reuse_svcov=0
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
    --pg-sample) pg_sample=$2; shift 2 ;;
    --pg-topology) pg_topology=$2; shift 2 ;;
    --reuse-svcov) reuse_svcov=1; shift ;;
    --stations) stations=$2; shift 2 ;;
    --demand) demand=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --svcov) svcov=$2; shift 2 ;;
    --genroads) genroads=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    *) echo "usage: bench/bench_network.sh [--grid N | --edges E] [--stations S] [--demand D] [--breaks M1,M2]" \
            "[--pg-timeout S] [--pg-sample N] [--pg-topology extract|create] [--reuse-svcov] [--seed X] [--workdir DIR]" >&2
       exit 2 ;;
    esac
done
die() { echo "bench_network.sh: $*" >&2; exit 1; }
case $pg_topology in extract|create) ;; *) die "--pg-topology $pg_topology: extract or create" ;; esac
maxbreak=$(echo "$breaks" | tr ',' '\n' | sort -g | tail -n 1)
[ -n "$maxbreak" ] || die "--breaks: no break in '$breaks'" 
for t in "$svcov" "$genroads" "$pgbin/initdb" "$pgbin/pg_ctl" /usr/bin/time; do
    [ -x "$t" ] || die "$t not found (make build; apt-get install postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting)"
done
keep=0
. "$(dirname "$0")/workdir.sh"
bench_workdir bench_network

timed() {
    local name=$1
    shift
    if [ "$reuse_svcov" -eq 1 ] && [ -s "$workdir/$name.time" ] && [ "$name" != "${name#svcov}" -o "$name" = gen ]; then
        echo "   (reused: $workdir/$name.time)" >&2
        read -r t_wall t_kib t_user t_sys < <(tail -n 1 "$workdir/$name.time")
        t_cpu=$(awk -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.2f", u + s }')
        return 0
    fi
    /usr/bin/time -f '%e %M %U %S' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    read -r t_wall t_kib t_user t_sys < <(tail -n 1 "$workdir/$name.time")
    t_cpu=$(awk -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.2f", u + s }')
}

echo "== network: grid $grid x $grid, $stations stations, $demand demand points, breaks $breaks m, pgRouting topology: $pg_topology" >&2
timed gen "$genroads" --grid "$grid" --spacing 80 --stations "$stations" --demand "$demand" --seed "$seed" \
    --out "$workdir/city"
sed -n 's/^svcov-genroads: //p' "$workdir/gen.log" >&2

svcov_run() { # name stations.gpkg output.sqlite [more options]
    local name=$1 st=$2 db=$3
    shift 3
    [ "$reuse_svcov" -eq 1 ] && [ -s "$workdir/$name.time" ] || rm -f "$db"
    timed "$name" "$svcov" analyze --stations "$st" --districts "$workdir/city/districts.gpkg" \
        --network "$workdir/city/roads.gpkg" --crs EPSG:32649 --radius "$breaks" --snap node --access-legs off \
        --max-snap 100000 --demand "$workdir/city/demand.gpkg" --no-service-areas --no-category-coverage \
        "$@" --out "$db"
}
stages_of() { # a run's log: its stage lines, wall and CPU
    grep -E '^(reading|graph|network|coverage|demand|people|writing) +[0-9.]+ s( |$)' "$1" |
        awk '{printf "%s %s s / %s CPU; ", $1, $2, $4}' || true
}
echo "== svcov, the whole job" >&2
svcov_run svcov "$workdir/city/stations.gpkg" "$workdir/svcov.sqlite"
svcov_wall=$t_wall svcov_kib=$t_kib svcov_cpu=$t_cpu
svcov_nodes=$(sqlite3 "$workdir/svcov.sqlite" "SELECT network_nodes || ' nodes, ' || network_edges || ' edges' FROM runs")
svcov_stages=$(stages_of "$workdir/svcov.log")
# Like with like on the distances: --demand-only computes what pgRouting's
# step does (each demand point's distance to its nearest station: one search
# from all stations at once) and no areas; its demand_access and
# district_demand must be the whole job's, row for row.
echo "== svcov --demand-only, the distances alone" >&2
svcov_run svcov_donly "$workdir/city/stations.gpkg" "$workdir/svcov_donly.sqlite" --demand-only
donly_wall=$t_wall donly_kib=$t_kib donly_cpu=$t_cpu
donly_stages=$(stages_of "$workdir/svcov_donly.log")
same_rows() { # db1 db2 table: rows of each, and rows of either not in the other
    sqlite3 -separator ' ' "$1" "ATTACH '$2' AS o; SELECT (SELECT count(*) FROM main.$3), (SELECT count(*) FROM o.$3),
        (SELECT count(*) FROM (SELECT * FROM main.$3 EXCEPT SELECT * FROM o.$3)) + (SELECT count(*) FROM
        (SELECT * FROM o.$3 EXCEPT SELECT * FROM main.$3))"
}
donly_same=yes donly_check=
for t in demand_access district_demand; do
    read -r n1 n2 nx < <(same_rows "$workdir/svcov.sqlite" "$workdir/svcov_donly.sqlite" "$t")
    [ "$n1" -eq "$n2" ] && [ "$nx" -eq 0 ] && [ "$n1" -gt 0 ] || donly_same=no
    donly_check="$donly_check$t $n1 / $n2 rows, $nx differ; "
done

# The sampled mode: pg_sample stations chosen by the seed (a fixed hash of the
# GeoPackage's feature ids, so the choice does not depend on the awk or shell),
# and svcov once more on those stations alone, for the comparison.
compare_db=$workdir/svcov.sqlite          # the whole job's run: its areas against PostGIS's
dist_db=$workdir/svcov_donly.sqlite       # the --demand-only run: its distances against pgRouting's
sample_sql=
if [ "$pg_sample" -gt 0 ]; then
    [ "$pg_sample" -le "$stations" ] || die "--pg-sample $pg_sample: more than the $stations stations"
    sqlite3 "$workdir/city/stations.gpkg" "SELECT station_id FROM stations
        ORDER BY (fid * 2654435761 + $seed * 40503) % 4294967291, fid LIMIT $pg_sample" >"$workdir/sample.ids"
    [ "$(wc -l <"$workdir/sample.ids")" -eq "$pg_sample" ] || die "could not choose $pg_sample stations"
    ids=$(awk '{ printf "%s'"'"'%s'"'"'", (NR > 1 ? "," : ""), $1 }' "$workdir/sample.ids")
    if [ "$reuse_svcov" -eq 0 ] || [ ! -s "$workdir/sample/stations.gpkg" ]; then
        rm -rf "$workdir/sample"
        mkdir -p "$workdir/sample"
        ogr2ogr -f GPKG "$workdir/sample/stations.gpkg" "$workdir/city/stations.gpkg" stations -nln stations \
            -where "station_id IN ($ids)" || die "ogr2ogr could not write the sampled stations"
    fi
    echo "== svcov on the $pg_sample sampled stations (for the comparison only)" >&2
    svcov_run svcov_sample "$workdir/sample/stations.gpkg" "$workdir/svcov_sample.sqlite"
    sample_wall=$t_wall sample_cpu=$t_cpu
    compare_db=$workdir/svcov_sample.sqlite
    svcov_run svcov_sample_donly "$workdir/sample/stations.gpkg" "$workdir/svcov_sample_donly.sqlite" --demand-only
    sample_donly_wall=$t_wall
    dist_db=$workdir/svcov_sample_donly.sqlite
    sample_sql="JOIN (VALUES $(awk '{ printf "%s('"'"'%s'"'"')", (NR > 1 ? "," : ""), $1 }' "$workdir/sample.ids")) AS smp(id) ON smp.id = st_v.station_id"
fi

# PostgreSQL on a Unix socket in the work folder only, stopped on exit.
pgdata=$workdir/pg
port=54329
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$workdir" 2>/dev/null || true
    run_pg() { runuser -u postgres -- "$@"; }
    psql_cmd=(runuser -u postgres -- psql)
else
    run_pg() { "$@"; }
    psql_cmd=(psql)
fi
psql_cmd+=(-X -q -v ON_ERROR_STOP=1 -h "$workdir" -p "$port" -U postgres)
rm -rf "$pgdata"
run_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust >"$workdir/initdb.log" 2>&1 || die "initdb failed"
run_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$workdir/pg.log" -w \
    -o "-k $workdir -c listen_addresses='' -p $port -c fsync=off -c shared_buffers=512MB -c work_mem=256MB" start \
    >/dev/null || die "PostgreSQL did not start (see $workdir/pg.log)"
stop_pg() {
    local rc=$?
    run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
    bench_cleanup "$rc"
}
trap stop_pg EXIT
psql_() { "${psql_cmd[@]}" "$@"; }
# The server's CPU seconds so far: the postmaster's user + system time, its
# ended children's (backends and parallel workers, once reaped) and its live
# children's (background processes), from /proc.
clk_tck=$(getconf CLK_TCK)
pg_server_cpu() {
    local pm
    pm=$(head -n 1 "$pgdata/postmaster.pid")
    # fields after the ') ': 12-15 = utime stime cutime cstime (stat's 14-17), 2 = ppid
    { sed 's/^.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }'
      for f in /proc/[0-9]*/stat; do sed 's/^.*) //' "$f" 2>/dev/null || true; done |
          awk -v pm="$pm" '$2 == pm { print $12 + $13 }'; } |
        awk -v hz="$clk_tck" '{ t += $1 } END { printf "%.2f", t / hz }'
}
psql_ -d postgres -c "CREATE DATABASE bench" >/dev/null
psql_ -d bench -c "CREATE EXTENSION postgis; CREATE EXTENSION pgrouting;" >/dev/null

echo "== pgRouting: load" >&2
load_cpu0=$(pg_server_cpu)
timed pg_load bash -c 'for layer in roads stations demand; do
        ogr2ogr -f PostgreSQL "PG:host=$0 port=$1 user=postgres dbname=bench" "$0/city/$layer.gpkg" \
            -nln "$layer" -lco GEOMETRY_NAME=geom -overwrite || exit 1
    done' "$workdir" "$port"
load_wall=$t_wall load_cpu=$(awk -v a="$load_cpu0" -v b="$(pg_server_cpu)" -v c="$t_cpu" 'BEGIN { printf "%.2f", b - a + c }')

if [ "$pg_topology" = create ]; then
    cat >"$workdir/pgr_graph.sql" <<'EOT'
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
EOT
else
    # pgRouting 3.4's way: the vertices of the segments with, for each, the
    # segments leaving and entering it (exact coordinates: the segments are on a
    # 1 cm grid, so equal end points are equal numbers); each segment's source
    # and target by a hash join on the segment id, no spatial search
    cat >"$workdir/pgr_graph.sql" <<'EOT'
\timing off
CREATE TABLE segs AS
SELECT row_number() OVER () AS id, d.geom::geometry(LineString, 32649) AS geom
FROM (SELECT (ST_DumpSegments(ST_SnapToGrid(geom, 0.01))).geom AS geom FROM roads) d
WHERE ST_Length(d.geom) > 0;
CREATE TABLE edges_vertices_pgr AS
SELECT id, in_edges, out_edges, geom AS the_geom FROM pgr_extractVertices('SELECT id, geom FROM segs');
CREATE TABLE edges AS
SELECT s.id, src.vid AS source, tgt.vid AS target, ST_Length(s.geom) AS cost, s.geom
FROM segs s
JOIN (SELECT id AS vid, unnest(out_edges) AS eid FROM edges_vertices_pgr) src ON src.eid = s.id
JOIN (SELECT id AS vid, unnest(in_edges) AS eid FROM edges_vertices_pgr) tgt ON tgt.eid = s.id;
DROP TABLE segs;
ALTER TABLE edges_vertices_pgr DROP COLUMN in_edges, DROP COLUMN out_edges;
ALTER TABLE edges_vertices_pgr ADD PRIMARY KEY (id);
CREATE INDEX ON edges_vertices_pgr USING gist (the_geom);
EOT
fi
cat >>"$workdir/pgr_graph.sql" <<'EOT'
ANALYZE edges_vertices_pgr;
-- nearest node of every station and demand point
CREATE TABLE st_v AS SELECT s.station_id,
  (SELECT v.id FROM edges_vertices_pgr v ORDER BY v.the_geom <-> s.geom LIMIT 1) AS vid FROM stations s;
CREATE TABLE dm_v AS SELECT d.demand_id,
  (SELECT v.id FROM edges_vertices_pgr v ORDER BY v.the_geom <-> d.geom LIMIT 1) AS vid FROM demand d;
EOT
cat >"$workdir/pgr_dd.sql" <<'EOT'
\timing off
-- from every (sampled) station at once; the minimum over stations per node
DROP TABLE IF EXISTS dd;
CREATE TABLE dd AS
SELECT node, min(agg_cost) AS cost FROM pgr_drivingDistance(
  'SELECT id, source, target, cost FROM edges', (SELECT array_agg(DISTINCT vid) FROM st_v SAMPLE_JOIN), MAXBREAK,
  directed := false, equicost := false) GROUP BY node;
\copy (SELECT dm.demand_id, dd.cost FROM dm_v dm LEFT JOIN dd ON dd.node = dm.vid ORDER BY dm.demand_id) TO 'PGR_CSV' WITH CSV
EOT
sed -i "s|MAXBREAK|$maxbreak|" "$workdir/pgr_dd.sql"
if [ "$pg_sample" -gt 0 ]; then
    # the same from the first sampled station alone: what one call costs
    # whatever its starts (reading the edges, building pgRouting's graph)
    one_sql="JOIN (VALUES ('$(head -n 1 "$workdir/sample.ids")')) AS smp(id) ON smp.id = st_v.station_id"
    awk -v j="$one_sql" -v f="$workdir/pgr1.csv" '{ sub(/SAMPLE_JOIN/, j); sub(/PGR_CSV/, f); print }' \
        "$workdir/pgr_dd.sql" >"$workdir/pgr_dd1.sql"
fi
awk -v j="$sample_sql" -v f="$workdir/pgr.csv" '{ sub(/SAMPLE_JOIN/, j); sub(/PGR_CSV/, f); print }' \
    "$workdir/pgr_dd.sql" >"$workdir/pgr_dd.sql.tmp" && mv "$workdir/pgr_dd.sql.tmp" "$workdir/pgr_dd.sql"

# One psql step, stopped after --pg-timeout seconds when given; returns 1
# when it was stopped (the server's fast stop then cancels the query). Sets
# t_wall and t_cpu (the server's CPU during the step plus psql's).
pg_step() {
    local name=$1 sql=$2 cpu0 rc=0
    local to=()
    [ "$pg_timeout" = 0 ] || to=(timeout "$pg_timeout")
    cpu0=$(pg_server_cpu)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$workdir/$name.time" "${to[@]}" "${psql_cmd[@]}" -d bench -f "$sql" \
        >"$workdir/$name.log" 2>&1; then
        grep -q "status 124" "$workdir/$name.time" ||
            { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
        rc=1
    fi
    sleep 1 # the ended backend reaped by the postmaster, so its time is counted
    read -r t_wall t_kib t_user t_sys < <(tail -n 1 "$workdir/$name.time")
    t_cpu=$(awk -v a="$cpu0" -v b="$(pg_server_cpu)" -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.2f", b - a + u + s }')
    return $rc
}
pg_done=1
echo "== pgRouting: graph, snapping" >&2
pg_step pg_graph "$workdir/pgr_graph.sql" || pg_done=0
graph_wall=$t_wall graph_cpu=$t_cpu dd_wall=0 dd1_wall=0 dd_cpu=0 dd1_cpu=0
if [ "$pg_done" -eq 1 ] && [ "$pg_sample" -gt 0 ]; then
    echo "== pgRouting: driving distance from one station (the cost of a call)" >&2
    pg_step pg_dd1 "$workdir/pgr_dd1.sql" || pg_done=0
    dd1_wall=$t_wall dd1_cpu=$t_cpu
fi
if [ "$pg_done" -eq 1 ]; then
    echo "== pgRouting: driving distance from $([ "$pg_sample" -gt 0 ] && echo "the $pg_sample sampled" || echo all) stations" >&2
    pg_step pg_dd "$workdir/pgr_dd.sql" || pg_done=0
    dd_wall=$t_wall dd_cpu=$t_cpu
fi
if [ "$pg_done" -eq 0 ]; then
    run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
    pg_stopped=$(awk -v a="$load_wall" -v b="$graph_wall" -v c="$dd_wall" 'BEGIN { printf "%.2f", a + b + c }')
    cat <<EOT

====================== bench_network.sh ======================
graph            svcov $svcov_nodes
svcov            ${svcov_wall} s wall, ${svcov_cpu} s CPU (read, graph, snapping, Dijkstra, dissolved areas, coverage, demand), peak ${svcov_kib} KiB
svcov stages     $svcov_stages
svcov distances  ${donly_wall} s wall, ${donly_cpu} s CPU (--demand-only), peak ${donly_kib} KiB; against the whole job: $donly_check$([ "$donly_same" = yes ] && echo identical || echo NOT IDENTICAL)
pgRouting        > $pg_stopped s wall (load ${load_wall} s, graph and snapping ${graph_wall} s, driving distance ${dd_wall} s; a step stopped after ${pg_timeout} s); CPU: load ${load_cpu} s, graph and snapping ${graph_cpu} s, driving distance ${dd_cpu} s
ratio            pgRouting / svcov > $(awk -v a="$pg_stopped" -v c="$svcov_wall" 'BEGIN { printf "%.1f", a / c }')
demand compared  none (pgRouting did not finish)
==============================================================
EOT
    exit 0
fi
# The whole job: the dissolved areas and each district's covered share
trim=50
echo "== pgRouting + PostGIS: the dissolved service areas and each district's covered share" >&2
ogr2ogr -f PostgreSQL "PG:host=$workdir port=$port user=postgres dbname=bench" "$workdir/city/districts.gpkg" \
    -nln districts -lco GEOMETRY_NAME=geom -overwrite || die "ogr2ogr could not load the districts"
cat >"$workdir/pgr_areas.sql" <<EOT
\timing off
-- each edge's reached part: from each end within the break, as far as the rest of the break goes
CREATE TABLE brk AS SELECT unnest(ARRAY[$breaks])::float8 AS m;
CREATE TABLE reached AS
SELECT b.m, ST_LineSubstring(e.geom, 0, LEAST(1, (b.m - s.cost) / e.cost)) AS geom
FROM edges e JOIN dd s ON s.node = e.source JOIN brk b ON s.cost < b.m
UNION ALL
SELECT b.m, ST_LineSubstring(e.geom, GREATEST(0, 1 - (b.m - t.cost) / e.cost), 1)
FROM edges e JOIN dd t ON t.node = e.target JOIN brk b ON t.cost < b.m;
CREATE TABLE areas AS
SELECT m, ST_Union(ST_Buffer(geom, $trim, 'quad_segs=8')) AS geom FROM reached GROUP BY m;
\copy (SELECT d.district_id, a.m, 100 * ST_Area(ST_Intersection(d.geom, a.geom)) / ST_Area(d.geom) FROM districts d CROSS JOIN areas a ORDER BY 1, 2) TO '$workdir/pgr_cov.csv' WITH CSV
EOT
areas_wall=0 areas_cpu=0 cov_line="not compared"
if pg_step pg_areas "$workdir/pgr_areas.sql"; then
    areas_wall=$t_wall areas_cpu=$t_cpu
    sqlite3 -csv "$compare_db" "SELECT district_id, radius_m, covered_pct FROM district_coverage ORDER BY 1, 2" \
        >"$workdir/svcov_cov.csv"
    read -r cov_n cov_max cov_bad < <(awk -F, '
        NR == FNR { a[$1 "," $2 + 0] = $3; next }
        (($1 "," $2 + 0) in a) { n++; d = a[$1 "," $2 + 0] - $3; if (d < 0) d = -d; if (d > m) m = d; if (d > 0.1) bad++ }
        END { printf "%d %.3g %d\n", n, m + 0, bad + 0 }' "$workdir/svcov_cov.csv" "$workdir/pgr_cov.csv")
    cov_of=
    [ "$pg_sample" -eq 0 ] || cov_of=" (the $pg_sample sampled stations)"
    cov_line="$cov_n district-breaks$cov_of; largest covered-share difference $cov_max pp, $cov_bad differ by more than 0.1 pp"
else
    areas_wall=">${pg_timeout}"
fi
edges=$(psql_ -d bench -At -c "SELECT count(*) FROM edges")
nodes=$(psql_ -d bench -At -c "SELECT count(*) FROM edges_vertices_pgr")

sqlite3 -csv "$dist_db" \
    "SELECT demand_id, CASE WHEN network_m <= $maxbreak THEN printf('%.9f', network_m) END FROM demand_access ORDER BY demand_id" \
    >"$workdir/svcov.csv"
read -r compared maxdiff differ reached < <(awk -F, -v tol="$tolerance" '
    NR == FNR { a[$1] = $2; next }
    ($1 in a) { n++; x = a[$1]; y = $2;
                if ((x == "") != (y == "")) { bad++; next }
                if (x != "") { r++; d = x - y; if (d < 0) d = -d; if (d > m) m = d; if (d > tol) bad++ } }
    END { printf "%d %.3g %d %d\n", n, m + 0, bad + 0, r + 0 }' "$workdir/svcov.csv" "$workdir/pgr.csv")
if [ "$pg_sample" -gt 0 ]; then
    # the driving distance scaled from the sampled stations to all of them:
    # a call's own cost (one station, t1) once, and what each further station
    # added in the sampled call ((tN - t1) / (N - 1)) for every other station;
    # loading, the graph and the snapping are done once for the whole graph
    dd_all=$(awk -v d="$dd_wall" -v o="$dd1_wall" -v s="$stations" -v n="$pg_sample" 'BEGIN {
        per = n > 1 ? (d - o) / (n - 1) : d; if (per < 0) per = 0; printf "%.1f", o + per * (s - 1) }')
    per_station=$(awk -v d="$dd_wall" -v o="$dd1_wall" -v n="$pg_sample" 'BEGIN {
        per = n > 1 ? (d - o) / (n - 1) : d; if (per < 0) per = 0; printf "%.4f", per }')
    pg_wall=$(awk -v a="$load_wall" -v b="$graph_wall" -v c="$dd_all" 'BEGIN { printf "%.1f", a + b + c }')
    pg_line="EXTRAPOLATED ${pg_wall} s wall: load ${load_wall} s + graph and snapping ${graph_wall} s (measured) + driving distance for all $stations stations ${dd_all} s (scaled: one station ${dd1_wall} s, $pg_sample sampled stations ${dd_wall} s, so ${per_station} s per further station, times $((stations - 1)))"
    ratio_word="extrapolated ratio"
    dd_all_cpu=$(awk -v d="$dd_cpu" -v o="$dd1_cpu" -v s="$stations" -v n="$pg_sample" 'BEGIN {
        per = n > 1 ? (d - o) / (n - 1) : d; if (per < 0) per = 0; printf "%.1f", o + per * (s - 1) }')
    pg_cpu=$(awk -v a="$load_cpu" -v b="$graph_cpu" -v c="$dd_all_cpu" 'BEGIN { printf "%.1f", a + b + c }')
    pg_cpu_line="EXTRAPOLATED ${pg_cpu} s CPU (server + psql): load ${load_cpu} s + graph and snapping ${graph_cpu} s (measured) + driving distance for all $stations stations ${dd_all_cpu} s (scaled the same way: one station ${dd1_cpu} s, $pg_sample sampled stations ${dd_cpu} s)"
    compared_line="$compared points, nearest of the $pg_sample sampled stations (svcov --demand-only run again on them: ${sample_donly_wall} s, not counted; the whole job on them ${sample_wall} s for the areas); $reached within ${maxbreak} m of one; largest distance difference ${maxdiff} m, $differ differ by more than $tolerance m"
    compute_wall=$(awk -v b="$graph_wall" -v c="$dd_all" 'BEGIN { printf "%.1f", b + c }')
else
    pg_wall=$(awk -v a="$load_wall" -v b="$graph_wall" -v c="$dd_wall" 'BEGIN { printf "%.2f", a + b + c }')
    compute_wall=$(awk -v b="$graph_wall" -v c="$dd_wall" 'BEGIN { printf "%.2f", b + c }')
    pg_line="${pg_wall} s wall (load ${load_wall} s + topology and snapping ${graph_wall} s + driving distance ${dd_wall} s)"
    ratio_word="ratio"
    pg_cpu=$(awk -v a="$load_cpu" -v b="$graph_cpu" -v c="$dd_cpu" 'BEGIN { printf "%.2f", a + b + c }')
    pg_cpu_line="${pg_cpu} s CPU (server + psql: load ${load_cpu} s + topology and snapping ${graph_cpu} s + driving distance ${dd_cpu} s)"
    compared_line="$compared points, $reached within ${maxbreak} m of a station; largest distance difference ${maxdiff} m, $differ differ by more than $tolerance m"
fi
cat <<EOT

====================== bench_network.sh ======================
graph            svcov $svcov_nodes; pgRouting $nodes nodes, $edges edges
svcov            ${svcov_wall} s wall, ${svcov_cpu} s CPU (the whole job: read, graph, snapping, Dijkstra, 2 dissolved areas, coverage, demand), peak ${svcov_kib} KiB
svcov stages     $svcov_stages
                 (network = Dijkstra from all stations, the two dissolved service-area polygons and one bounded search per station for the reach count)
svcov distances  ${donly_wall} s wall, ${donly_cpu} s CPU (--demand-only: read, graph, snapping, one search from all stations, demand), peak ${donly_kib} KiB
svcov stages     $donly_stages
svcov agreement  --demand-only against the whole job: $donly_check$([ "$donly_same" = yes ] && echo identical || echo NOT IDENTICAL)
pgRouting        $pg_line
pgRouting CPU    $pg_cpu_line
$(printf '%-16s' "$ratio_word") distances, like with like: pgRouting / svcov --demand-only $(awk -v a="$pg_wall" -v b="$donly_wall" 'BEGIN { printf "%.1f", a / b }') by wall, without the load $(awk -v a="$compute_wall" -v b="$donly_wall" 'BEGIN { printf "%.1f", a / b }'); $(awk -v a="$pg_cpu" -v b="$donly_cpu" 'BEGIN { printf "%.1f", a / b }') by CPU
$(printf '%-16s' "") (pgRouting's distances / svcov's whole job: $(awk -v a="$pg_wall" -v b="$svcov_wall" 'BEGIN { printf "%.1f", a / b }') by wall, without the load $(awk -v a="$compute_wall" -v b="$svcov_wall" 'BEGIN { printf "%.1f", a / b }'); $(awk -v a="$pg_cpu" -v b="$svcov_cpu" 'BEGIN { printf "%.1f", a / b }') by CPU)
pgRouting areas  ${areas_wall} s wall, ${areas_cpu} s CPU (reached parts, ST_Buffer, ST_Union per break, ST_Intersection per district)
whole job        pgRouting + PostGIS / svcov $(awk -v a="$pg_wall" -v x="$areas_wall" -v b="$svcov_wall" 'BEGIN { printf "%.1f", (a + x) / b }') by wall, $(awk -v a="$pg_cpu" -v x="$areas_cpu" -v b="$svcov_cpu" 'BEGIN { printf "%.1f", (a + x) / b }') by CPU$([ "$pg_sample" -eq 0 ] || echo " (at least: the areas of the sampled stations only)")$([ "${areas_wall#>}" = "$areas_wall" ] || echo " (at least: the areas step was stopped after ${pg_timeout} s and is counted as 0)")
demand compared  $compared_line
coverage compared $cov_line
==============================================================
EOT
[ "$differ" -eq 0 ] && [ "$compared" -eq "$demand" ] && [ "${cov_bad:-1}" -eq 0 ] && [ "$donly_same" = yes ]
