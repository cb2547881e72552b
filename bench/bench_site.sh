#!/usr/bin/env bash
# Benchmark: svcov site against the free MIP solvers on the same model.
#
# Generates a synthetic city (svcov-gencity): 20,000 demand points (weight 1),
# 300 existing stations (another seed), and candidates on a 500 m grid inside
# the districts (about 12,000; --candidates N picks the grid for about N).
# svcov solves MCLP twice: the fast mode (lazy greedy + swap search, no
# --exact) and exactly with its default solver (CBC where it is built into
# svcov, else GLPK; --solver to choose); a separate, untimed run writes the
# same exact model as free MPS (a minimisation of minus the new coverage),
# and GLPK's glpsol and COIN-OR CBC then solve that file as written. The
# benchmark checks that the optima agree and prints the times and the fast
# mode's share of the optimum. See bench/README.md.
#
# The issue's instance (20,000 demand, 90,000 grid candidates, R 1000 m, k 20):
#   bench/bench_site.sh --candidates 90000 --radius 1000 --k 20
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
candidates=
solver=
glpsol_run=1
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
workdir=

usage() {
    cat <<EOT
usage: bench/bench_site.sh [--demand N] [--existing N] [--districts M] [--grid METRES | --candidates N]
                           [--radius METRES] [--k N] [--seed S] [--time-limit S] [--solver glpk|cbc] [--no-glpsol]
                           [--svcov PATH] [--gencity PATH] [--workdir DIR]
  --candidates N   a candidate grid of about N sites: the spacing is sqrt(city area / N), the city being
                   svcov-gencity's disc of 1.5 km² per district (90,000 with 2,000 districts: 182.6 m)
  --solver S       svcov's exact solver (default: svcov's own default, CBC where it is built in)
  --no-glpsol      skip the glpsol peer (it may take long on large models; it still stops at --time-limit)
EOT
}
die() { echo "bench_site.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
    --no-glpsol) glpsol_run=0; shift; continue ;;
    -h | --help) usage; exit 0 ;;
    esac
    [ $# -ge 2 ] || { usage >&2; exit 2; }
    case $1 in
    --demand) demand=$2 ;;
    --existing) existing=$2 ;;
    --districts) districts=$2 ;;
    --grid) grid=$2 ;;
    --candidates) candidates=$2 ;;
    --solver) solver=$2 ;;
    --radius) radius=$2 ;;
    --k) k=$2 ;;
    --seed) seed=$2 ;;
    --time-limit) time_limit=$2 ;;
    --svcov) svcov=$2 ;;
    --gencity) gencity=$2 ;;
    --workdir) workdir=$2 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift 2
done
for tool in "$svcov" "$gencity"; do [ -x "$tool" ] || die "$tool not found; run 'make build' first"; done
if [ -n "$candidates" ]; then
    grid=$(awk -v m="$districts" -v n="$candidates" 'BEGIN { printf "%.1f", sqrt(1.5e6 * m / n) }')
fi
for tool in glpsol cbc /usr/bin/time sqlite3; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"
done
keep=0
. "$(dirname "$0")/workdir.sh"
bench_workdir bench_site

timed() { # name command...: wall seconds, peak KiB and CPU seconds (user + system, the children waited for
          # included: svcov's CBC process) into t_wall, t_kib, t_cpu
    local name=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1 ||
        { tail -n 20 "$workdir/$name.log" >&2; die "step '$name' failed (see $workdir/$name.log)"; }
    local u s
    read -r t_wall t_kib u s < <(tail -n 1 "$workdir/$name.time")
    t_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}

echo "== city: $demand demand points, $existing stations, $districts districts (seed $seed)" >&2
timed gen_demand "$gencity" --stations "$demand" --districts "$districts" --seed "$seed" --format GPKG \
    --out "$workdir/demand"
timed gen_existing "$gencity" --stations "$existing" --districts "$districts" --seed "$((seed + 1))" \
    --format GPKG --out "$workdir/existing"

site_args=(--demand "$workdir/demand/stations.gpkg" --demand-id station_id
    --stations "$workdir/existing/stations.gpkg" --districts "$workdir/demand/districts.gpkg"
    --grid "$grid" --radius "$radius" --model mclp --k "$k")
echo "== svcov site, fast mode (greedy + swaps)" >&2
fast_db=$workdir/fast.sqlite
rm -f "$fast_db"
timed fast "$svcov" site "${site_args[@]}" --out "$fast_db"
fast_wall=$t_wall fast_kib=$t_kib
fq() { sqlite3 "$fast_db" "SELECT $1 FROM site_runs"; }
fast_obj=$(fq "coalesce(swap_objective, objective)")
fast_greedy_s=$(fq greedy_s) fast_swaps=$(fq n_swaps)
fast_swap_s=$(sed -n 's/^greedy covers .* (\([0-9.]*\) s)$/\1/p' "$workdir/fast.log" | head -n 1)

# The model for the peers, written by a run of its own (its solve stopped at
# once), so the timed run below does only what a planner's run does.
echo "== svcov site --exact --write-mps (the model for the peers; not timed)" >&2
rm -f "$workdir/mps.sqlite"
timed mps "$svcov" site "${site_args[@]}" --exact --time-limit 0.01 --write-mps "$workdir/model.mps" \
    --out "$workdir/mps.sqlite" -q
echo "== svcov site --exact (default solver${solver:+: $solver})" >&2
db=$workdir/site.sqlite
rm -f "$db"
timed svcov "$svcov" site "${site_args[@]}" --exact --time-limit "$time_limit" ${solver:+--solver "$solver"} \
    --out "$db" -q
svcov_wall=$t_wall svcov_kib=$t_kib svcov_cpu=$t_cpu
q() { sqlite3 "$db" "SELECT $1 FROM site_runs"; }
svcov_solver=$(q solver)
n_cand=$(q n_candidates)
objective=$(q objective)
existing_cov=$(q existing_covered)
greedy_obj=$(q greedy_objective)
proven=$(q proven_optimal)
greedy_s=$(q greedy_s)
exact_s=$(q exact_s)
model_opt=$(awk -v a="$objective" -v b="$existing_cov" 'BEGIN { printf "%.0f", a - b }')

glpsol_wall=- glpsol_kib=- glpsol_opt= glpsol_status="not run (--no-glpsol)"
if [ "$glpsol_run" -eq 1 ]; then
    echo "== glpsol on the same model" >&2
    timed glpsol glpsol --freemps "$workdir/model.mps" --min --tmlim "$time_limit" -o "$workdir/glpsol.sol"
    glpsol_wall=$t_wall glpsol_kib=$t_kib
    glpsol_opt=$(sed -n 's/^Objective: *[^=]*= *\([0-9.e+-]*\).*/\1/p' "$workdir/glpsol.sol" | head -n 1 | awk '{ print -$1 }')
    glpsol_status=$(sed -n 's/^Status: *//p' "$workdir/glpsol.sol" | head -n 1)
fi

echo "== cbc on the same model" >&2
timed cbc cbc "$workdir/model.mps" -sec "$time_limit" -solve -quit
cbc_wall=$t_wall cbc_kib=$t_kib cbc_cpu=$t_cpu
cbc_opt=$(sed -n 's/^Objective value: *\([0-9.e+-]*\).*/\1/p' "$workdir/cbc.log" | head -n 1 | awk '{ print -$1 }')
cbc_status=$(sed -n 's/^Result - //p' "$workdir/cbc.log" | head -n 1)

agree=OK
peers=("$cbc_opt")
[ "$glpsol_run" -eq 0 ] || peers+=("$glpsol_opt")
for v in "${peers[@]}"; do
    awk -v a="$v" -v b="$model_opt" 'BEGIN { exit !(a != "" && (a - b < 1e-6 && b - a < 1e-6)) }' || agree=DIFFERENT
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cat <<EOT

======================== bench_site.sh ========================
instance         $demand demand, $existing stations, $n_cand grid candidates ($grid m), R $radius m, k $k
svcov fast       ${fast_wall} s wall (reading, reach lists, greedy ${fast_greedy_s} s, $fast_swaps moves of the swap search ${fast_swap_s:-?} s), peak ${fast_kib} KiB
                 covered $fast_obj: $(awk -v a="$fast_obj" -v b="$objective" 'BEGIN { printf "%.2f", 100 * a / b }')% of the optimum (greedy alone $greedy_obj: $(awk -v a="$greedy_obj" -v b="$objective" 'BEGIN { printf "%.2f", 100 * a / b }')%)
svcov exact      ${svcov_wall} s wall, ${svcov_cpu} s CPU (greedy ${greedy_s} s, $svcov_solver ${exact_s} s), peak ${svcov_kib} KiB
                 covered: existing $existing_cov, optimum $objective (proven $proven)
glpsol (MPS)     ${glpsol_wall} s wall, peak ${glpsol_kib} KiB, $glpsol_status, new coverage $glpsol_opt
cbc (MPS)        ${cbc_wall} s wall, ${cbc_cpu} s CPU, peak ${cbc_kib} KiB, $cbc_status, new coverage $cbc_opt
svcov model      new coverage $model_opt
time ratios      glpsol / svcov $(ratio "$glpsol_wall" "$svcov_wall"), cbc / svcov $(ratio "$cbc_wall" "$svcov_wall"), cbc / svcov's exact solve $(ratio "$cbc_wall" "$exact_s")
cpu ratio        cbc / svcov $(ratio "$cbc_cpu" "$svcov_cpu") (CPU seconds: on a shared machine the wall times are mostly waiting)
agreement        $agree
===============================================================
EOT
[ "$agree" = OK ]
