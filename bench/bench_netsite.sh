#!/usr/bin/env bash
# Benchmark: svcov site along the streets (issue 15, item 1).
#
# A synthetic city (svcov-gencity --roads: a jittered street grid, --demand:
# demand points weighted by people) with existing stations from another seed.
# The default size is the issue's: 20,000 demand points, about 10,000
# candidate sites (a grid snapped to the streets, repeats merged) and about
# 100,000 street edges. svcov measures the reach lists (one bounded Dijkstra per
# candidate and station, on all cores) and solves MCLP with its greedy and,
# with --exact, with GLPK; the times of the reach lists and of the solve are
# reported apart (site_runs.reach_s, greedy_s, exact_s). Smaller runs:
# --scale F multiplies the city's area (and so edges and candidates) and the
# demand by F.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demand=20000
existing=300
radius_km=10.2 # with 80 m blocks about 100,000 edges
grid=180       # about 10,000 candidates over that city
minutes=10
k=50
scale=1
seed=7
exact=0
time_limit=300
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
workdir=
keep=0

usage() {
    cat <<EOT
usage: bench/bench_netsite.sh [--scale F] [--demand N] [--existing N] [--radius-km R] [--grid METRES]
                              [--minutes N] [--k N] [--exact] [--time-limit S] [--seed S]
                              [--svcov PATH] [--gencity PATH] [--workdir DIR]
EOT
}
die() { echo "bench_netsite.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
    --exact) exact=1; shift; continue ;;
    -h | --help) usage; exit 0 ;;
    esac
    [ $# -ge 2 ] || { usage >&2; exit 2; }
    case $1 in
    --scale) scale=$2 ;;
    --demand) demand=$2 ;;
    --existing) existing=$2 ;;
    --radius-km) radius_km=$2 ;;
    --grid) grid=$2 ;;
    --minutes) minutes=$2 ;;
    --k) k=$2 ;;
    --time-limit) time_limit=$2 ;;
    --seed) seed=$2 ;;
    --svcov) svcov=$2 ;;
    --gencity) gencity=$2 ;;
    --workdir) workdir=$2 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift 2
done
for tool in "$svcov" "$gencity"; do [ -x "$tool" ] || die "$tool not found; run 'make build' first"; done
for tool in /usr/bin/time sqlite3 awk; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"; done
. "$root/bench/workdir.sh"
bench_workdir bench-netsite

# the area scales with F: the radius with sqrt(F)
radius_km=$(awk -v r="$radius_km" -v f="$scale" 'BEGIN { printf "%.3f", r * sqrt(f) }')
demand=$(awk -v n="$demand" -v f="$scale" 'BEGIN { printf "%d", n * f + 0.5 }')
existing=$(awk -v n="$existing" -v f="$scale" 'BEGIN { n = int(n * f + 0.5); printf "%d", n < 1 ? 1 : n }')
districts=$(awk -v r="$radius_km" 'BEGIN { n = int(3.14159 * r * r / 1.5); printf "%d", n < 1 ? 1 : n }')

timed() { # name command...: wall seconds and peak KiB into t_wall, t_kib
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    read -r t_wall t_kib < <(tail -n 1 "$workdir/$name.time")
}

echo "== city: radius $radius_km km, $districts districts, $demand demand points, $existing stations (seed $seed)" >&2
timed gen_city "$gencity" --stations "$existing" --districts "$districts" --radius-km "$radius_km" --seed "$seed" \
    --demand "$demand" --roads --format GPKG --out "$workdir/city" -q

echo "== svcov site --network (reach lists, greedy$([ "$exact" = 1 ] && echo ', GLPK exact'))" >&2
db=$workdir/netsite.sqlite
extra=()
[ "$exact" = 1 ] && extra=(--exact --time-limit "$time_limit")
timed svcov "$svcov" site --demand "$workdir/city/demand.gpkg" --demand-id demand_id \
    --stations "$workdir/city/stations.gpkg" --districts "$workdir/city/districts.gpkg" \
    --network "$workdir/city/roads.gpkg" --mode walk --minutes "$minutes" --grid "$grid" \
    --model mclp --k "$k" "${extra[@]}" --out "$db" -q
q() { sqlite3 "$db" "SELECT $1 FROM site_runs"; }
cores=$(nproc)
printf '%-34s %s\n' "street graph" "$(q network_nodes) nodes, $(q network_edges) edges"
printf '%-34s %s\n' "demand points" "$(q n_demand) ($(q n_demand_unattached) beyond --max-snap)"
printf '%-34s %s\n' "candidate sites (grid on streets)" "$(q n_candidates)"
printf '%-34s %s\n' "existing stations" "$(q n_stations)"
printf '%-34s %s s (%s cores)\n' "reach lists" "$(q 'printf("%.2f", reach_s)')" "$cores"
printf '%-34s %s s\n' "greedy" "$(q 'printf("%.3f", greedy_s)')"
[ "$exact" = 1 ] && printf '%-34s %s s (%s)\n' "exact (GLPK)" "$(q 'printf("%.2f", exact_s)')" \
    "$(q "CASE proven_optimal WHEN 1 THEN 'proven optimal' ELSE 'not proven: ' || ifnull(note, '') END")"
printf '%-34s %s of %s (%s before)\n' "covered weight" "$(q 'printf("%.0f", objective)')" \
    "$(q 'printf("%.0f", total_weight)')" "$(q 'printf("%.0f", existing_covered)')"
printf '%-34s %s s, %s MiB peak\n' "svcov site, whole run" "$t_wall" "$((t_kib / 1024))"
