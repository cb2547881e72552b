#!/usr/bin/env bash
# Benchmark at scale: svcov against its peers on a uniform and a clustered city, in one run.
#
# For each city (svcov-gencity; the clustered one like a real city: 70% of the stations in
# six dense centres, districts smaller there) it times, each with /usr/bin/time and a
# timeout:
#   svcov like with like   svcov analyze --radius 500,1000 --no-redundancy
#                          --no-category-coverage --no-service-areas
#   svcov defaults         svcov analyze --radius 500,1000 (everything it makes by default)
#   SpatiaLite SQL         bench/peer_spatialite.sh run (ogr2ogr load + one SQL statement
#                          per radius)
#   GeoPandas union        bench/gpd_coverage.py --method union (buffer, unary_union,
#                          intersection per district)
#   GeoPandas sjoin        bench/gpd_coverage.py --method sjoin (circles joined to the
#                          districts they touch, united and clipped per district)
# compares every covered share per district and radius with svcov's like-with-like run,
# and prints wall time, peak memory and the ratio against svcov. See bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

stations=100000
districts=10000
radii=500,1000
seed=42
cities=uniform,clustered
clusters=6
cluster_share=0.7
timeout_s=1800
runs=svcov,defaults,sql,gpd-union,gpd-sjoin
crs=EPSG:32649 # UTM 49N: the synthetic city lies around lon 113.95
quadsegs=32    # segments per quarter circle: svcov's default, given to every peer
tolerance_pp=0.1
repeat=3 # svcov's runs take seconds: the median of 3 against a neighbour's burst; the peers' minutes average it
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
python=/usr/bin/python3 # Debian's, where python3-geopandas is (not a pyenv build)
workdir=
keep=0
svcov_extra=()

usage() {
    cat <<'EOT'
usage: bench/bench_scale.sh [--quick] [--stations N] [--districts M] [--radius LIST] [--seed S]
                            [--cities uniform,clustered] [--clusters K] [--cluster-share F]
                            [--runs svcov,defaults,sql,gpd-union,gpd-sjoin] [--timeout SECONDS]
                            [--svcov PATH] [--gencity PATH] [--python PATH] [--workdir DIR] [--keep]
                            [--tolerance-pp PP] [--repeat N] [-- EXTRA SVCOV ARGS]

  --quick           the smallest size (2,000 stations, 200 districts), e.g. for CI
  --stations N      stations per city (default 100000)
  --districts M     districts per city (default 10000)
  --radius LIST     radii in metres (default 500,1000)
  --seed S          city seed (default 42)
  --cities LIST     uniform (svcov-gencity's default city), clustered (--clusters) or both
                    (default uniform,clustered)
  --clusters K      centres of the clustered city (default 6)
  --cluster-share F share of its stations in the centres (default 0.7)
  --runs LIST       which runs (default svcov,defaults,sql,gpd-union,gpd-sjoin); svcov (like
                    with like) is the reference of the comparison and always runs
  --timeout SECONDS per run (default 1800); a run that does not finish is reported as "> T s"
  --svcov PATH      svcov binary (default build/svcov)
  --gencity PATH    svcov-gencity binary (default build/bench/svcov-gencity)
  --python PATH     Python with GeoPandas (default /usr/bin/python3: Debian's python3-geopandas)
  --workdir DIR     keep all files there (default: a temporary folder, removed on success
                    unless --keep)
  --tolerance-pp PP largest allowed difference in covered share, percentage points (default 0.1)
  --repeat N        run each svcov run N times (default 3) and take the median wall time (each
                    time printed; peak memory the largest); the peers run once
  -- ARGS           passed on to both 'svcov analyze' runs (e.g. -- --threads 1)
Exit status: 0 all finished runs agree, 1 a run failed or disagrees, 2 usage error.
EOT
}

die() { echo "bench_scale.sh: $*" >&2; exit 1; }
need_value() { [ $# -ge 2 ] || { echo "bench_scale.sh: $1 needs a value" >&2; usage >&2; exit 2; }; }
bad_usage() { echo "bench_scale.sh: $*" >&2; usage >&2; exit 2; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
is_list() { [[ $1 =~ ^[0-9]+([.][0-9]+)?(,[0-9]+([.][0-9]+)?)*$ ]]; }
in_list() { [[ ",$2," == *",$1,"* ]]; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "inf" }'; }

while [ $# -gt 0 ]; do
    case $1 in
    --quick) stations=2000; districts=200; shift ;;
    --stations) need_value "$@"; stations=$2; shift 2 ;;
    --districts) need_value "$@"; districts=$2; shift 2 ;;
    --radius) need_value "$@"; radii=$2; shift 2 ;;
    --seed) need_value "$@"; seed=$2; shift 2 ;;
    --cities) need_value "$@"; cities=$2; shift 2 ;;
    --clusters) need_value "$@"; clusters=$2; shift 2 ;;
    --cluster-share) need_value "$@"; cluster_share=$2; shift 2 ;;
    --runs) need_value "$@"; runs=$2; shift 2 ;;
    --timeout) need_value "$@"; timeout_s=$2; shift 2 ;;
    --svcov) need_value "$@"; svcov=$2; shift 2 ;;
    --gencity) need_value "$@"; gencity=$2; shift 2 ;;
    --python) need_value "$@"; python=$2; shift 2 ;;
    --workdir) need_value "$@"; workdir=$2; shift 2 ;;
    --tolerance-pp) need_value "$@"; tolerance_pp=$2; shift 2 ;;
    --repeat) need_value "$@"; repeat=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; svcov_extra=("$@"); break ;;
    *) bad_usage "unknown argument '$1'" ;;
    esac
done
is_uint "$stations" && is_uint "$districts" && [ "$districts" -ge 1 ] && is_uint "$seed" &&
    is_uint "$clusters" && [ "$clusters" -ge 1 ] && is_uint "$timeout_s" && [ "$timeout_s" -ge 1 ] &&
    is_uint "$repeat" && [ "$repeat" -ge 1 ] ||
    bad_usage "--stations, --districts (>= 1), --seed, --clusters (>= 1), --timeout (>= 1) and --repeat (>= 1) take whole numbers"
is_list "$radii" && is_num "$cluster_share" && is_num "$tolerance_pp" ||
    bad_usage "--radius takes metres separated by commas; --cluster-share and --tolerance-pp plain numbers"
for c in ${cities//,/ }; do
    in_list "$c" uniform,clustered || bad_usage "--cities: unknown city '$c' (uniform, clustered)"
done
for r in ${runs//,/ }; do
    in_list "$r" svcov,defaults,sql,gpd-union,gpd-sjoin || bad_usage "--runs: unknown run '$r'"
done
runs="svcov,$runs"

# Tools, checked before any long work.
for tool in ogr2ogr spatialite sqlite3 awk timeout; do
    command -v "$tool" >/dev/null ||
        die "'$tool' not found (scripts/install-deps.sh --bench, or apt-get install gdal-bin spatialite-bin sqlite3)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$svcov" ] || die "svcov not found at $svcov (build it with 'make', or pass --svcov PATH)"
[ -x "$gencity" ] || die "svcov-gencity not found at $gencity (build it with 'make', or pass --gencity PATH)"
if in_list gpd-union "$runs" || in_list gpd-sjoin "$runs"; then
    "$python" -c 'import geopandas, rtree' 2>/dev/null ||
        die "$python cannot import geopandas and rtree (scripts/install-deps.sh --bench installs Debian's" \
            "python3-geopandas and python3-rtree for /usr/bin/python3; or pass --python PATH)"
fi

. "$(dirname "$0")/workdir.sh"
bench_workdir bench_scale

# timed NAME CMD...: runs CMD under /usr/bin/time and timeout, output to $dir/NAME.log; sets
# t_state (ok, timeout or failed), t_wall (s) and t_kib (peak resident KiB of the largest process).
timed() {
    local name=$1 rc=0
    shift
    /usr/bin/time -f '%e %M' -o "$dir/$name.time" timeout -k 10 "$timeout_s" "$@" \
        </dev/null >"$dir/$name.log" 2>&1 || rc=$?
    read -r t_wall t_kib < <(tail -n 1 "$dir/$name.time")
    if [ "$rc" -eq 0 ]; then
        t_state=ok
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        t_state=timeout
    else
        t_state=failed
        echo "bench_scale.sh: '$name' failed (exit $rc); $dir/$name.log ends with:" >&2
        tail -n 10 "$dir/$name.log" >&2
    fi
}

# svcov's per-district shares as CSV: district_id,radius_m,covered_pct.
svcov_csv() {
    sqlite3 -bail -csv -header "$1" \
        "SELECT district_id, radius_m, covered_pct FROM district_coverage ORDER BY radius_m, district_id" >"$2"
}

# compare REF.csv OTHER.csv: prints "MAX_DIFF_PP N_OVER N_MISSING N_DUPLICATE" (columns found by
# name in the header: district_id, radius_m, covered_pct).
compare() {
    awk -F, -v tol="$tolerance_pp" '
        FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
        function key() { return $col[FILENAME, "district_id"] "|" ($col[FILENAME, "radius_m"] + 0) }
        NR == FNR { k = key(); if (k in ref) dup++; ref[k] = $col[FILENAME, "covered_pct"] + 0; next }
        {
            k = key()
            if (k in seen) { dup++; next }
            seen[k] = 1
            if (!(k in ref)) { missing++; next }
            d = $col[FILENAME, "covered_pct"] - ref[k]; if (d < 0) d = -d
            if (d > max) max = d
            if (d > tol) over++
        }
        END {
            for (k in ref) if (!(k in seen)) missing++
            printf "%.2e %d %d %d\n", max, over, missing, dup
        }' "$1" "$2"
}

# timings NAME DB: svcov's timings table (issue 19, item 4) checked and shown: the stage rows must add up
# to its total (to 1 ms per row), and the total stay within the run's wall time; prints each stage with its
# wall and CPU seconds, and the CPU/wall ratio (2.0: both cores busy all the time). Returns 1 when they do not.
timings() {
    local name=$1 db=$2 check
    check=$(sqlite3 -bail "$db" "SELECT printf('%.4f %.4f %d', (SELECT seconds FROM timings WHERE stage = 'total'),
        (SELECT sum(seconds) FROM timings WHERE beside = 0 AND stage != 'total'),
        (SELECT count(*) FROM timings WHERE beside = 0 AND stage != 'total'))") || {
        echo "bench_scale.sh: $name: no timings table in $db" >&2
        return 1
    }
    read -r t_total t_sum t_rows <<<"$check"
    echo "-- ${label_of[$name]}: timings (wall s, CPU s, peak resident MiB so far; stage rows add up to" \
        "$t_sum s, total $t_total s, process wall ${last_wall[$name]} s)"
    sqlite3 -bail -separator ' ' "$db" "SELECT printf('   %-40s %8.2f %8.2f %8s', stage || CASE beside WHEN 1 THEN
        ' [beside]' ELSE '' END, seconds, cpu_seconds, CASE WHEN peak_rss_mib IS NULL THEN '-' ELSE
        printf('%.0f', peak_rss_mib) END) FROM timings
        WHERE seconds >= 0.005 OR stage IN ('other', 'total') ORDER BY id"
    awk -v t="$t_total" -v s="$t_sum" -v n="$t_rows" -v w="${last_wall[$name]}" 'BEGIN {
        d = t - s; if (d < 0) d = -d
        if (d > 0.001 * n || t > w + 0.05) { print "   timings do NOT add up"; exit 1 }
        print "   timings add up" }'
}

# run NAME LABEL CSV CMD...: one timed run of a city, its results kept under NAME; svcov's runs (NAME svcov
# or defaults) --repeat times: the median wall time, the largest peak, the files of the last run (whose own
# wall time last_wall[NAME] its timings are checked against).
run() {
    local name=$1 label=$2 out=$3 n=1 k walls=() kibs=0
    shift 3
    case $name in svcov | defaults) n=$repeat ;; esac
    for ((k = 1; k <= n; k++)); do
        if [ "$n" -gt 1 ]; then echo "== $city: $label ($k of $n)" >&2; else echo "== $city: $label" >&2; fi
        timed "$name" "$@"
        walls+=("$t_wall")
        [ "$t_kib" -gt "$kibs" ] && kibs=$t_kib
        [ "$t_state" = ok ] || break
    done
    last_wall[$name]=$t_wall
    if [ "${#walls[@]}" -gt 1 ]; then
        echo "   $label: ${walls[*]} s" >&2
        t_wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        times_of[$name]=${walls[*]}
    fi
    names+=("$name")
    wall[$name]=$t_wall kib[$name]=$kibs state[$name]=$t_state csv[$name]=$out label_of[$name]=$label
}

status=0
for city in ${cities//,/ }; do
    dir=$workdir/$city
    mkdir -p "$dir"
    gen_args=(--stations "$stations" --districts "$districts" --seed "$seed" --format GPKG --out "$dir/city")
    what="$stations stations, $districts districts"
    if [ "$city" = clustered ]; then
        gen_args+=(--clusters "$clusters" --cluster-share "$cluster_share")
        what="$what, $(awk -v s="$cluster_share" 'BEGIN { printf "%g", 100 * s }')% of the stations in $clusters centres"
    fi
    echo "== $city city: $what, seed $seed -> $dir/city" >&2
    timed gencity "$gencity" "${gen_args[@]}"
    [ "$t_state" = ok ] || die "svcov-gencity did not make the $city city; see $dir/gencity.log"
    st=$dir/city/stations.gpkg di=$dir/city/districts.gpkg
    analyze=("$svcov" analyze --stations "$st" --districts "$di" --district-id district_id
        --station-id station_id --crs "$crs" --radius "$radii" --quad-segs "$quadsegs" -q)

    declare -A wall=() kib=() state=() csv=() label_of=() last_wall=() times_of=()
    names=()
    run svcov "svcov like with like" "$dir/svcov.csv" "${analyze[@]}" --out "$dir/svcov.sqlite" \
        --no-redundancy --no-category-coverage --no-service-areas ${svcov_extra[@]+"${svcov_extra[@]}"}
    [ "${state[svcov]}" = ok ] && svcov_csv "$dir/svcov.sqlite" "$dir/svcov.csv"
    if in_list defaults "$runs"; then
        run defaults "svcov defaults" "$dir/defaults.csv" "${analyze[@]}" --out "$dir/defaults.sqlite" \
            ${svcov_extra[@]+"${svcov_extra[@]}"}
        [ "${state[defaults]}" = ok ] && svcov_csv "$dir/defaults.sqlite" "$dir/defaults.csv"
    fi
    svcov_timings=()
    for name in svcov defaults; do
        [ "${state[$name]:-}" = ok ] && svcov_timings+=("$name")
    done
    if in_list sql "$runs"; then
        run sql "SpatiaLite SQL" "$dir/sql.csv" "$root/bench/peer_spatialite.sh" run "$dir/peer.sqlite" \
            "$st" "$di" "$crs" "$radii" "$quadsegs" "$dir/sql.csv"
    fi
    for method in union sjoin; do
        in_list "gpd-$method" "$runs" || continue
        run "gpd_$method" "GeoPandas $method" "$dir/gpd_$method.csv" "$python" "$root/bench/gpd_coverage.py" \
            --method "$method" --stations "$st" --districts "$di" --crs "$crs" --radius "$radii" \
            --quad-segs "$quadsegs" --out "$dir/gpd_$method.csv"
    done

    # The table.
    printf '\n== %s city: %s; radii %s m, %s segments per quarter circle, %s\n' \
        "$city" "$what" "$radii" "$quadsegs" "$crs"
    printf '%-22s %11s %12s %10s %14s %9s %8s\n' run "wall (s)" "peak (KiB)" "/ svcov" "max diff (pp)" \
        "> $tolerance_pp pp" missing
    best= best_wall=
    for name in "${names[@]}"; do
        w=${wall[$name]}
        case ${state[$name]} in
        ok) shown=$w ;;
        timeout) shown="> $timeout_s" ;;
        *) shown=failed; status=1 ;;
        esac
        ratio=- diff=- over=- missing=-
        if [ "${state[svcov]}" = ok ] && [ "$name" != svcov ]; then
            if [ "${state[$name]}" = ok ]; then
                ratio=$(ratio_of "$w" "${wall[svcov]}")x
            elif [ "${state[$name]}" = timeout ]; then
                ratio="> $(ratio_of "$timeout_s" "${wall[svcov]}")x"
            fi
        fi
        if [ "$name" = svcov ]; then
            diff=reference ratio=1.0x
        elif [ "${state[svcov]}" = ok ] && [ "${state[$name]}" = ok ]; then
            read -r diff over missing dup < <(compare "$dir/svcov.csv" "${csv[$name]}")
            if [ "$over" != 0 ] || [ "$missing" != 0 ] || [ "$dup" != 0 ]; then
                status=1
                echo "bench_scale.sh: ${label_of[$name]} disagrees with svcov: $over over $tolerance_pp pp," \
                    "$missing missing, $dup duplicate rows" >&2
            fi
        fi
        printf '%-22s %11s %12s %10s %14s %9s %8s%s\n' "${label_of[$name]}" "$shown" "${kib[$name]}" "$ratio" \
            "$diff" "$over" "$missing" "${times_of[$name]:+   (median of ${times_of[$name]// /, } s)}"
        # the fastest peer (svcov's defaults are not a peer)
        if [ "$name" != svcov ] && [ "$name" != defaults ]; then
            if [ "${state[$name]}" = ok ]; then
                if [ -z "$best_wall" ] || awk -v a="$w" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
                    best=$name best_wall=$w
                fi
            fi
        fi
    done
    if [ "${state[svcov]}" = ok ]; then
        if [ -n "$best" ]; then
            echo "faster peer: ${label_of[$best]}, $best_wall s: $(ratio_of "$best_wall" "${wall[svcov]}")x svcov like with like"
        elif [ ${#names[@]} -gt 1 ]; then
            echo "faster peer: none finished within $timeout_s s"
        fi
        if [ -n "${state[defaults]:-}" ]; then
            if [ "${state[defaults]}" = ok ]; then
                echo "svcov defaults: $(ratio_of "${wall[defaults]}" "${wall[svcov]}")x the like-with-like run"
            elif [ "${state[defaults]}" = timeout ]; then
                echo "svcov defaults: > $(ratio_of "$timeout_s" "${wall[svcov]}")x the like-with-like run (timed out)"
            fi
        fi
    fi
    for name in ${svcov_timings[@]+"${svcov_timings[@]}"}; do
        timings "$name" "$dir/$name.sqlite" || status=1
    done
    unset wall kib state csv label_of last_wall times_of
done
exit "$status"
