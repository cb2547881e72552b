#!/usr/bin/env bash
# The PostGIS store and sharded runs (issue 14): on a synthetic city (svcov-gencity), time
#   spatialite   svcov analyze --out FILE.sqlite
#   postgis      svcov analyze --out PG:... (the same run, computed into a private SpatiaLite file, then
#                published with COPY in one transaction): the cost of the PostGIS store is the difference
#   shards x1    svcov plan --shards N, one worker, svcov finish
#   shards x2    the same with two workers at once
# and checks that every sharded run's district_coverage equals the SpatiaLite run's (1e-9 pp). PostgreSQL
# 15 with PostGIS 3 (Debian's packages) is started on a Unix socket in the work folder and stopped after.
# The machine has 2 cores: run it once, at a small size (see bench/README.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stations=2000
districts=200
shards=8
radii=500,1000
seed=42
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
pgbin=/usr/lib/postgresql/15/bin
workdir=
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --stations) stations=$2; shift 2 ;;
    --districts) districts=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: bench/bench_pg.sh [--stations N] [--districts M] [--shards S] [--workdir DIR] [--keep]" >&2
       exit 2 ;;
    esac
done
die() { echo "bench_pg.sh: $*" >&2; exit 1; }
for t in "$svcov" "$gencity" "$pgbin/initdb" "$pgbin/pg_ctl" /usr/bin/time; do
    [ -x "$t" ] || die "$t not found (make build; scripts/install-deps.sh)"
done
. "$root/bench/workdir.sh"
bench_workdir pg

# PostgreSQL on a Unix socket in the work folder only (no TCP), as the postgres user when run as root.
pgdata=$workdir/pg
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$workdir"
    run_pg() { runuser -u postgres -- "$@"; }
else
    run_pg() { "$@"; }
fi
run_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust >"$workdir/initdb.log" 2>&1 || die "initdb failed"
run_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$workdir/pg.log" -w \
    -o "-k $workdir -c listen_addresses='' -p 54330 -c fsync=off -c synchronous_commit=off" start >/dev/null ||
    die "PostgreSQL did not start (see $workdir/pg.log)"
stop_pg() { run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true; bench_cleanup; }
trap stop_pg EXIT
psql_() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p 54330 -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench" >/dev/null
psql_ -d bench -c "CREATE EXTENSION postgis" >/dev/null
PG="PG:host=$workdir port=54330 user=postgres dbname=bench"

timed() { # name command...: wall seconds into $t_wall
    local name=$1
    shift
    /usr/bin/time -f '%e' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    t_wall=$(tail -n 1 "$workdir/$name.time")
}

echo "== city: $stations stations, $districts districts, radii $radii, $shards shards" >&2
"$gencity" --stations "$stations" --districts "$districts" --seed "$seed" --out "$workdir/city" -q
args=(--stations "$workdir/city/stations.gpkg" --districts "$workdir/city/districts.gpkg" --radius "$radii"
      --population-field population -q)

timed spatialite "$svcov" analyze "${args[@]}" --out "$workdir/ref.sqlite"
t_sl=$t_wall
timed postgis "$svcov" analyze "${args[@]}" --out "$PG" --pg-schema whole
t_pg=$t_wall

shard_run() { # schema workers
    local schema=$1 n=$2
    timed "plan_$schema" "$svcov" plan "${args[@]}" --shards "$shards" --out "$PG" --pg-schema "$schema"
    local t_plan=$t_wall
    local start end
    start=$(date +%s.%N)
    local pids=()
    for _ in $(seq "$n"); do
        "$svcov" worker --db "$PG" --pg-schema "$schema" -q >>"$workdir/worker_$schema.log" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || die "a worker failed (see $workdir/worker_$schema.log)"; done
    end=$(date +%s.%N)
    timed "finish_$schema" "$svcov" finish --db "$PG" --pg-schema "$schema" --run 1
    local t_fin=$t_wall
    t_shard=$(echo "$t_plan + ($end - $start) + $t_fin" | bc -l)
    t_workers=$(echo "$end - $start" | bc -l)
    "$svcov" export --db "$PG" --pg-schema "$schema" --out "$workdir/$schema.sqlite" 2>/dev/null
    diff=$(sqlite3 "$workdir/$schema.sqlite" "ATTACH '$workdir/ref.sqlite' AS r; SELECT count(*) || ' ' ||
           max(abs(a.covered_pct - b.covered_pct)) FROM district_coverage a JOIN r.district_coverage b
           USING (district_id, radius_m)")
}
shard_run one 1
t_one=$t_shard w_one=$t_workers d_one=$diff
shard_run two 2
t_two=$t_shard w_two=$t_workers d_two=$diff

printf '\n| run | wall (s) | district_coverage rows, largest difference (pp) |\n|---|---|---|\n'
printf '| analyze --out FILE.sqlite | %s | reference |\n' "$t_sl"
printf '| analyze --out PG: | %s | (the same run) |\n' "$t_pg"
printf '| plan + 1 worker + finish (%s shards) | %.2f (workers %.2f) | %s |\n' "$shards" "$t_one" "$w_one" "$d_one"
printf '| plan + 2 workers + finish | %.2f (workers %.2f) | %s |\n' "$t_two" "$w_two" "$d_two"
