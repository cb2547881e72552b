#!/usr/bin/env bash
# Issue 14, the workers' windowed reads: the clustered city (svcov-gencity --seed 42 --clusters 6; by default
# 100,000 stations / 10,000 districts, radii 500,1000, people from the districts' field) as a plan of 16 shards
# computed by one worker, with two builds back to back (A, then B: e.g. main before the change and after), and
# the single run (svcov analyze --out FILE.sqlite, build B). CPU seconds (user + sys) and peak RSS from
# /usr/bin/time -v of each command; each sharded run's district_coverage and city_coverage are compared with the
# single run's (every row, at most 1e-9 pp); the workers' logs give the stations read and kept and the shards
# computed again wider. PostgreSQL 15 + PostGIS 3 on a Unix socket in the work folder, stopped after.
#   bench/bench_shard_reads.sh A=PATH/svcov B=PATH/svcov [--stations N --districts M --shards S] [--workdir DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stations=100000 districts=10000 shards=16 radii=500,1000 a= b= workdir= keep=0
gencity=$root/build/bench/svcov-gencity
pgbin=/usr/lib/postgresql/15/bin
while [ $# -gt 0 ]; do
    case "$1" in
    A=*) a=${1#A=}; shift ;;
    B=*) b=${1#B=}; shift ;;
    --stations) stations=$2; shift 2 ;;
    --districts) districts=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    *) echo "usage: bench/bench_shard_reads.sh A=SVCOV B=SVCOV [--stations N] [--districts M] [--shards S]" \
            "[--workdir DIR]" >&2; exit 2 ;;
    esac
done
die() { echo "bench_shard_reads.sh: $*" >&2; exit 1; }
[ -x "$a" ] && [ -x "$b" ] || die "give A=PATH and B=PATH of two svcov builds"
. "$root/bench/workdir.sh"
bench_workdir shard-reads
pgdata=$workdir/pg
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$workdir"; run_pg() { runuser -u postgres -- "$@"; }
else run_pg() { "$@"; }; fi
run_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust >"$workdir/initdb.log" 2>&1 || die "initdb failed"
run_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$workdir/pg.log" -w \
    -o "-k $workdir -c listen_addresses='' -p 54331 -c fsync=off -c synchronous_commit=off" start >/dev/null ||
    die "PostgreSQL did not start (see $workdir/pg.log)"
stop_pg() { run_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true; bench_cleanup; }
trap stop_pg EXIT
psql_() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p 54331 -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench" >/dev/null
psql_ -d bench -c "CREATE EXTENSION postgis" >/dev/null
PG="PG:host=$workdir port=54331 user=postgres dbname=bench"
cpu() { # label name command...: the command under /usr/bin/time -v; prints "user+sys CPU-s, peak KiB, wall"
    /usr/bin/time -v -o "$workdir/$2.time" "${@:3}" >"$workdir/$2.log" 2>&1 ||
        { tail -n 20 "$workdir/$2.log" >&2; die "step '$2' failed (see $workdir/$2.log)"; }
    awk -F': ' -v l="$1" '/User time/ {u = $2} /System time/ {s = $2} /Maximum resident/ {m = $2} /Elapsed/ {w = $2}
        END { printf "%-9s %.2f CPU-s (user %.2f + sys %.2f), peak %d KiB, wall %s\n", l, u + s, u, s, m, w }' \
        "$workdir/$2.time"
}
echo "== $stations stations, $districts districts, radii $radii, $shards shards; $(date -u +%FT%TZ);" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
"$gencity" --stations "$stations" --districts "$districts" --seed 42 --clusters 6 --out "$workdir/city" -q
args=(--stations "$workdir/city/stations.gpkg" --districts "$workdir/city/districts.gpkg" --radius "$radii"
      --population-field population -q)
for x in A B; do
    sv=$a; [ $x = B ] && sv=$b
    echo "-- $x: $sv; load $(cut -d' ' -f1-3 /proc/loadavg)"
    sc=s_$(echo $x | tr AB ab)
    cpu plan: "plan_$x" "$sv" plan "${args[@]}" --shards "$shards" --out "$PG" --pg-schema "$sc"
    run=$(tail -n 1 "$workdir/plan_$x.log")
    cpu worker: "worker_$x" "$sv" worker --db "$PG" --pg-schema "$sc" --run "$run"
    cpu finish: "finish_$x" "$sv" finish --db "$PG" --pg-schema "$sc" --run "$run"
    awk '/ read .* stations/ { for (i = 1; i <= NF; i++) { if ($i == "read") r += $(i + 1); if ($i == "kept") k += $(i + 1) } }
         /computing it again/ { again++ } END { printf "          %d station reads, %d kept; %d passes computed again wider\n", r, k, again }' \
        "$workdir/worker_$x.log"
    "$sv" export --db "$PG" --pg-schema "$sc" --run "$run" --out "$workdir/s$x.sqlite" >/dev/null 2>&1 ||
        die "export of $sc failed"
done
echo "-- single run (B); load $(cut -d' ' -f1-3 /proc/loadavg)"
cpu analyze: single "$b" analyze "${args[@]}" --out "$workdir/ref.sqlite"
nref=$(sqlite3 "$workdir/ref.sqlite" "SELECT count(*) FROM district_coverage")
for x in A B; do
    d=$(sqlite3 "$workdir/s$x.sqlite" "ATTACH '$workdir/ref.sqlite' AS r; SELECT count(*) || ' rows, largest ' ||
        printf('%.1e', max(abs(a.covered_pct - b.covered_pct))) || ' pp' FROM district_coverage a JOIN
        r.district_coverage b USING (district_id, radius_m)")
    c=$(sqlite3 "$workdir/s$x.sqlite" "ATTACH '$workdir/ref.sqlite' AS r; SELECT printf('%.1e',
        max(abs(a.covered_pct - b.covered_pct))) FROM city_coverage a JOIN r.city_coverage b USING (radius_m)")
    echo "$x district_coverage against the single run ($nref rows): $d; city_coverage largest $c pp"
done
echo "== end $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
