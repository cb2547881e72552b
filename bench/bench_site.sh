#!/usr/bin/env bash
# Benchmark: svcov site against the free MIP solvers on the same model.
#
# Generates a synthetic city (svcov-gencity): 20,000 demand points (weight 1),
# 300 existing stations (another seed), and candidates on a 500 m grid inside
# the districts (about 12,000). svcov solves MCLP with its lazy greedy and
# exactly with GLPK, and writes the exact model it solved as free MPS; GLPK's
# glpsol and COIN-OR CBC then solve that same file. The benchmark checks that
# all three optima agree and prints the times. See bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demand=20000
existing=300
districts=2000
grid=500
radius=833
k=50
seed=5
time_limit=600
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
workdir=

usage() {
    cat <<EOT
usage: bench/bench_site.sh [--demand N] [--existing N] [--districts M] [--grid METRES] [--radius METRES]
                           [--k N] [--seed S] [--time-limit S] [--svcov PATH] [--gencity PATH] [--workdir DIR]
EOT
}
die() { echo "bench_site.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { [ "$1" = -h ] || [ "$1" = --help ]; } || { usage >&2; exit 2; }
    case $1 in
    --demand) demand=$2 ;;
    --existing) existing=$2 ;;
    --districts) districts=$2 ;;
    --grid) grid=$2 ;;
    --radius) radius=$2 ;;
    --k) k=$2 ;;
    --seed) seed=$2 ;;
    --time-limit) time_limit=$2 ;;
    --svcov) svcov=$2 ;;
    --gencity) gencity=$2 ;;
    --workdir) workdir=$2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift 2
done
for tool in "$svcov" "$gencity"; do [ -x "$tool" ] || die "$tool not found; run 'make build' first"; done
for tool in glpsol cbc /usr/bin/time sqlite3; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"
done
[ -n "$workdir" ] || workdir=$(mktemp -d "${TMPDIR:-/tmp}/svcov-bench-site.XXXXXX")
mkdir -p "$workdir"

timed() { # name command...: wall seconds and peak KiB into t_wall, t_kib
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    read -r t_wall t_kib < <(tail -n 1 "$workdir/$name.time")
}

echo "== city: $demand demand points, $existing stations, $districts districts (seed $seed)" >&2
timed gen_demand "$gencity" --stations "$demand" --districts "$districts" --seed "$seed" --format GPKG \
    --out "$workdir/demand"
timed gen_existing "$gencity" --stations "$existing" --districts "$districts" --seed "$((seed + 1))" \
    --format GPKG --out "$workdir/existing"

echo "== svcov site (greedy + GLPK exact, writes the model)" >&2
db=$workdir/site.sqlite
rm -f "$db"
timed svcov "$svcov" site --demand "$workdir/demand/stations.gpkg" --demand-id station_id \
    --stations "$workdir/existing/stations.gpkg" --districts "$workdir/demand/districts.gpkg" \
    --grid "$grid" --radius "$radius" --model mclp --k "$k" --exact --time-limit "$time_limit" \
    --write-mps "$workdir/model.mps" --out "$db" -q
svcov_wall=$t_wall svcov_kib=$t_kib
q() { sqlite3 "$db" "SELECT $1 FROM site_runs"; }
n_cand=$(q n_candidates)
objective=$(q objective)
existing_cov=$(q existing_covered)
greedy_obj=$(q greedy_objective)
proven=$(q proven_optimal)
greedy_s=$(q greedy_s)
exact_s=$(q exact_s)
model_opt=$(awk -v a="$objective" -v b="$existing_cov" 'BEGIN { printf "%.0f", a - b }')

echo "== glpsol on the same model" >&2
timed glpsol glpsol --freemps "$workdir/model.mps" --max --tmlim "$time_limit" -o "$workdir/glpsol.sol"
glpsol_wall=$t_wall glpsol_kib=$t_kib
glpsol_opt=$(sed -n 's/^Objective: *[^=]*= *\([0-9.e+-]*\).*/\1/p' "$workdir/glpsol.sol" | head -n 1)
glpsol_status=$(sed -n 's/^Status: *//p' "$workdir/glpsol.sol" | head -n 1)

echo "== cbc on the same model" >&2
timed cbc cbc "$workdir/model.mps" -max -sec "$time_limit" -solve -quit
cbc_wall=$t_wall cbc_kib=$t_kib
cbc_opt=$(sed -n 's/^Objective value: *\([0-9.e+-]*\).*/\1/p' "$workdir/cbc.log" | head -n 1)
cbc_status=$(sed -n 's/^Result - //p' "$workdir/cbc.log" | head -n 1)

agree=OK
for v in "$glpsol_opt" "$cbc_opt"; do
    awk -v a="$v" -v b="$model_opt" 'BEGIN { exit !(a != "" && (a - b < 1e-6 && b - a < 1e-6)) }' || agree=DIFFERENT
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cat <<EOT

======================== bench_site.sh ========================
instance         $demand demand, $existing stations, $n_cand grid candidates ($grid m), R $radius m, k $k
svcov            ${svcov_wall} s wall (greedy ${greedy_s} s, GLPK ${exact_s} s), peak ${svcov_kib} KiB
                 covered: existing $existing_cov, optimum $objective (proven $proven), greedy $greedy_obj ($(ratio "$greedy_obj" "$objective") of optimum)
glpsol (MPS)     ${glpsol_wall} s wall, peak ${glpsol_kib} KiB, $glpsol_status, new coverage $glpsol_opt
cbc (MPS)        ${cbc_wall} s wall, peak ${cbc_kib} KiB, $cbc_status, new coverage $cbc_opt
svcov model      new coverage $model_opt
time ratios      glpsol / svcov $(ratio "$glpsol_wall" "$svcov_wall"), cbc / svcov $(ratio "$cbc_wall" "$svcov_wall")
agreement        $agree
===============================================================
files kept in $workdir
EOT
[ "$agree" = OK ]
