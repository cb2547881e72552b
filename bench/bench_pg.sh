#!/usr/bin/env bash
# The PostGIS store and sharded runs (issue 14): on a synthetic clustered city (svcov-gencity; by default
# the issue's 100,000 stations / 10,000 districts, --clusters 6, seed 42), time
#   spatialite   svcov analyze --out FILE.sqlite
#   postgis      svcov analyze --out PG:... (the same run, computed into a private SpatiaLite file, then
#                published with COPY in one transaction): the cost of the PostGIS store is the difference
#   shards x1    svcov plan --shards N, one worker, svcov finish
#   shards x2    the same with two workers at once
# and checks that every sharded run's district_coverage and city_coverage equal the SpatiaLite run's. PostgreSQL
# 15 with PostGIS 3 (Debian's packages) is started on a Unix socket in the work folder and stopped after.
# --quick: 2,000 stations / 200 districts / 8 shards (seconds to a minute; what CI can run). The default
# size takes tens of minutes on a quiet 2-core machine: run it once (see bench/README.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stations=100000
districts=10000
clusters=6
shards=16
radii=500,1000
seed=42
svcov=${SVCOV:-$root/build/svcov} # SVCOV=PATH: another build (a copy, while this one is rebuilt)
gencity=$root/build/bench/svcov-gencity
pgbin=/usr/lib/postgresql/15/bin
workdir=
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --stations) stations=$2; shift 2 ;;
    --districts) districts=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --clusters) clusters=$2; shift 2 ;;
    --quick) stations=2000 districts=200 shards=8; shift ;;
    --workdir) workdir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: bench/bench_pg.sh [--quick] [--stations N] [--districts M] [--clusters K] [--shards S]" \
            "[--workdir DIR] [--keep]" >&2
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
stop_pg() {
    local rc=$?
    run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
    bench_cleanup "$rc"
}
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

echo "== city: $stations stations, $districts districts ($clusters clusters), radii $radii, $shards shards;" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cl=()
[ "$clusters" -gt 0 ] && cl=(--clusters "$clusters")
"$gencity" --stations "$stations" --districts "$districts" --seed "$seed" "${cl[@]}" --out "$workdir/city" -q
args=(--stations "$workdir/city/stations.gpkg" --districts "$workdir/city/districts.gpkg" --radius "$radii"
      --population-field population -q)

timed spatialite "$svcov" analyze "${args[@]}" --out "$workdir/ref.sqlite"
t_sl=$t_wall
timed postgis "$svcov" analyze "${args[@]}" --out "$PG" --pg-schema whole
t_pg=$t_wall

shard_run() { # schema workers
    local schema=$1 n=$2
    timed "plan_$schema" "$svcov" plan "${args[@]}" --shards "$shards" --out "$PG" --pg-schema "$schema"
    local t_plan=$t_wall run
    run=$(tail -n 1 "$workdir/plan_$schema.log")
    [[ "$run" =~ ^[0-9]+$ ]] || die "plan printed no run id (see $workdir/plan_$schema.log)"
    local start end
    start=$(date +%s.%N)
    local pids=()
    for i in $(seq "$n"); do # not -q: each shard's read and kept counts go to the log
        "$svcov" worker --db "$PG" --pg-schema "$schema" --run "$run" >"$workdir/worker_${schema}_$i.log" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || die "a worker failed (see $workdir/worker_$schema_*.log)"; done
    end=$(date +%s.%N)
    timed "finish_$schema" "$svcov" finish --db "$PG" --pg-schema "$schema" --run "$run"
    local t_fin=$t_wall
    t_shard=$(echo "$t_plan + ($end - $start) + $t_fin" | bc -l)
    t_workers=$(echo "$end - $start" | bc -l)
    "$svcov" export --db "$PG" --pg-schema "$schema" --run "$run" --out "$workdir/$schema.sqlite" 2>/dev/null
    diff=$(sqlite3 "$workdir/$schema.sqlite" "ATTACH '$workdir/ref.sqlite' AS r; SELECT count(*) || ', ' ||
           printf('%.1e', max(abs(a.covered_pct - b.covered_pct))) FROM district_coverage a JOIN r.district_coverage b
           USING (district_id, radius_m)")
    # every district and break once, each within 1e-9 percentage points of the single run's
    local nref
    nref=$(sqlite3 "$workdir/ref.sqlite" "SELECT count(*) FROM district_coverage")
    echo "$diff" | awk -F', ' -v n="$nref" '{ exit !($1 == n && $2 + 0 <= 1e-9) }' ||
        die "$schema: district_coverage differs from the single run's: $diff (rows, largest pp) of $nref rows"
    cdiff=$(sqlite3 "$workdir/$schema.sqlite" "ATTACH '$workdir/ref.sqlite' AS r; SELECT printf('%.1e',
           max(abs(a.covered_pct - b.covered_pct))) FROM city_coverage a JOIN r.city_coverage b USING (radius_m)")
    # what the workers read against what they kept (all shards together)
    reads=$(cat "$workdir"/worker_"${schema}"_*.log | awk '/ read .* stations/ {
        for (i = 1; i <= NF; i++) { if ($i == "read") r += $(i + 1); if ($i == "kept") k += $(i + 1) } }
        END { printf "%d stations read, %d kept", r, k }')
    again=$(cat "$workdir"/worker_"${schema}"_*.log | grep -c "computing it again" || true)
}
shard_run one 1
t_one=$t_shard w_one=$t_workers d_one=$diff c_one=$cdiff r_one=$reads a_one=$again
shard_run two 2
t_two=$t_shard w_two=$t_workers d_two=$diff c_two=$cdiff r_two=$reads a_two=$again

printf '\n| run | wall (s) | ratio to analyze | district_coverage rows, largest difference (pp); city |\n|---|---|---|---|\n'
printf '| analyze --out FILE.sqlite | %s | 1 | reference |\n' "$t_sl"
printf '| analyze --out PG: | %s | %.2f | (the same run) |\n' "$t_pg" "$(echo "$t_pg / $t_sl" | bc -l)"
printf '| plan + 1 worker + finish (%s shards) | %.2f (workers %.2f) | %.2f | %s; %s |\n' "$shards" "$t_one" "$w_one" \
    "$(echo "$t_one / $t_sl" | bc -l)" "$d_one" "$c_one"
printf '| plan + 2 workers + finish | %.2f (workers %.2f) | %.2f | %s; %s |\n' "$t_two" "$w_two" \
    "$(echo "$t_two / $t_sl" | bc -l)" "$d_two" "$c_two"
printf '\n1 worker: %s (shards computed again wider: %s); 2 workers: %s (%s); 2 workers / 1 worker: %.2f;' \
    "$r_one" "$a_one" "$r_two" "$a_two" "$(echo "$w_two / $w_one" | bc -l)"
printf ' load at the end %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
