#!/usr/bin/env bash
# Benchmark: svcov against the same circle-coverage computation in SpatiaLite SQL.
#
# Generates a synthetic city (svcov-gencity, GPKG), then
#   peer:  ogr2ogr both layers into a fresh SpatiaLite database projected to UTM 49N,
#          then, per district, the area and the area covered by the union of the
#          radius-R circles (32 segments per quarter) of the stations found through
#          the spatial index;
#   svcov: `svcov analyze` on the same GPKG files;
# and compares the covered share per district. Exits non-zero if they disagree.
# See bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

stations=100000
districts=10000
radius=833
seed=42
city_radius_km= # empty: svcov-gencity's default (about 1.5 km2 per district)
crs=EPSG:32649 # UTM 49N: the synthetic city lies around lon 113.95
quadsegs=32    # segments per quarter circle, svcov's default
tolerance_pp=0.1
svcov=$root/build/svcov
gencity=$root/build/bench/svcov-gencity
workdir=
keep=0
peer_only=0
svcov_extra=()

usage() {
    cat <<EOT
usage: bench/bench_sql.sh [--stations N] [--districts M] [--radius METRES] [--seed S]
                          [--city-radius-km R]
                          [--svcov PATH] [--gencity PATH] [--workdir DIR] [--keep]
                          [--tolerance-pp PP] [--peer-only] [-- EXTRA SVCOV ARGS]

  --stations N      stations in the synthetic city (default $stations)
  --districts M     districts (default $districts)
  --radius METRES   service radius (default $radius)
  --seed S          city seed (default $seed)
  --city-radius-km R  city radius (default: svcov-gencity's, ~1.5 km2 per district); a larger
                    city has fewer stations per km2, so less of it is covered
  --svcov PATH      svcov binary (default build/svcov)
  --gencity PATH    svcov-gencity binary (default build/bench/svcov-gencity)
  --workdir DIR     keep all files there (default: a temporary folder, removed on success
                    unless --keep)
  --tolerance-pp PP largest allowed difference in covered share, percentage points (default $tolerance_pp)
  --peer-only       time the SpatiaLite side only (no svcov, no comparison)
  -- ARGS           passed on to 'svcov analyze' (e.g. -- --threads 1)
EOT
}

die() { echo "bench_sql.sh: $*" >&2; exit 1; }
need_value() { [ $# -ge 2 ] || { echo "bench_sql.sh: $1 needs a value" >&2; usage >&2; exit 2; }; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }

while [ $# -gt 0 ]; do
    case $1 in
    --stations) need_value "$@"; stations=$2; shift 2 ;;
    --districts) need_value "$@"; districts=$2; shift 2 ;;
    --radius) need_value "$@"; radius=$2; shift 2 ;;
    --seed) need_value "$@"; seed=$2; shift 2 ;;
    --city-radius-km) need_value "$@"; city_radius_km=$2; shift 2 ;;
    --svcov) need_value "$@"; svcov=$2; shift 2 ;;
    --gencity) need_value "$@"; gencity=$2; shift 2 ;;
    --workdir) need_value "$@"; workdir=$2; shift 2 ;;
    --tolerance-pp) need_value "$@"; tolerance_pp=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --peer-only) peer_only=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; svcov_extra=("$@"); break ;;
    *) echo "bench_sql.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
if ! { is_uint "$stations" && is_uint "$districts" && [ "$districts" -ge 1 ] && is_uint "$seed"; }; then
    echo "bench_sql.sh: --stations, --districts (>= 1) and --seed take whole numbers" >&2
    exit 2
fi
if ! { is_num "$radius" && is_num "$tolerance_pp" && { [ -z "$city_radius_km" ] || is_num "$city_radius_km"; }; }; then
    echo "bench_sql.sh: --radius, --city-radius-km and --tolerance-pp take plain numbers" >&2
    exit 2
fi

# Tools, checked before any long work.
for tool in ogr2ogr spatialite sqlite3 awk; do
    command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install gdal-bin spatialite-bin sqlite3)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
if [ ! -x "$gencity" ]; then
    if [ "$gencity" = "$root/build/bench/svcov-gencity" ] && [ -f "$root/CMakeLists.txt" ]; then
        echo "building svcov-gencity ..." >&2
        if ! { cmake -S "$root" -B "$root/build" >/dev/null &&
            cmake --build "$root/build" --target svcov-gencity >/dev/null; }; then
            die "could not build svcov-gencity; pass --gencity PATH"
        fi
    fi
    [ -x "$gencity" ] || die "svcov-gencity not found at $gencity (build it, or pass --gencity PATH)"
fi
if [ "$peer_only" -eq 0 ] && [ ! -x "$svcov" ]; then
    die "svcov not found at $svcov (build it with 'make', pass --svcov PATH, or use --peer-only)"
fi

. "$(dirname "$0")/workdir.sh"
bench_workdir bench_sql

# timed NAME CMD...: runs CMD under /usr/bin/time, output to $workdir/NAME.log,
# and sets t_wall (s) and t_kib (peak resident KiB).
timed() {
    local name=$1
    shift
    if ! /usr/bin/time -f '%e %M' -o "$workdir/$name.time" "$@" >"$workdir/$name.log" 2>&1; then
        echo "bench_sql.sh: step '$name' failed; its output ($workdir/$name.log) ends with:" >&2
        tail -n 20 "$workdir/$name.log" >&2
        exit 1
    fi
    read -r t_wall t_kib < <(tail -n 1 "$workdir/$name.time")
}

echo "== city: $stations stations, $districts districts, seed $seed -> $workdir/city" >&2
city=$workdir/city
rm -rf "$city"
timed gencity "$gencity" --stations "$stations" --districts "$districts" --seed "$seed" \
    --format GPKG --out "$city" ${city_radius_km:+--radius-km "$city_radius_km"}
gen_wall=$t_wall

# ---------------------------------------------------------------------------
# Peer: SpatiaLite SQL.
peer_db=$workdir/peer.sqlite
rm -f "$peer_db"
echo "== peer: load into SpatiaLite ($crs)" >&2
timed peer_load "$root/bench/peer_spatialite.sh" load "$peer_db" "$city/stations.gpkg" "$city/districts.gpkg" "$crs"
load_wall=$t_wall load_kib=$t_kib

# What a planner would write (bench/peer_spatialite.sh): for each district, the stations
# the spatial index finds near it, their circles united, intersected with the district.
echo "== peer: compute (radius $radius m)" >&2
timed peer_compute "$root/bench/peer_spatialite.sh" compute "$peer_db" "$radius" "$quadsegs"
compute_wall=$t_wall compute_kib=$t_kib
grep -q '^peer districts|' "$workdir/peer_compute.log" ||
    die "the peer computed nothing; see $workdir/peer_compute.log"
peer_wall=$(awk -v a="$load_wall" -v b="$compute_wall" 'BEGIN { printf "%.2f", a + b }')
peer_kib=$((load_kib > compute_kib ? load_kib : compute_kib))

if [ "$peer_only" -eq 1 ]; then
    cat <<EOT

==================== bench_sql.sh: peer only ====================
city             $stations stations, $districts districts, seed $seed$(sed -n 's/.*\(radius [0-9.]* km, area [0-9.]* km2\).*/, \1/p' "$workdir/gencity.log") (generated in ${gen_wall} s)
radius           $radius m, circles of $quadsegs segments per quarter, CRS $crs
peer (SpatiaLite) ${peer_wall} s wall (load ${load_wall} s + compute ${compute_wall} s), peak ${peer_kib} KiB
$(sed -n 's/^peer districts|/peer districts   /p' "$workdir/peer_compute.log" | tr '|' ' ')
=================================================================
EOT
    exit 0
fi

# ---------------------------------------------------------------------------
# svcov.
out_db=$workdir/svcov.sqlite
rm -f "$out_db"
echo "== svcov analyze" >&2
timed svcov "$svcov" analyze --stations "$city/stations.gpkg" --districts "$city/districts.gpkg" \
    --district-id district_id --station-id station_id --crs "$crs" --radius "$radius" \
    --out "$out_db" -q --no-service-areas --no-redundancy --no-category-coverage ${svcov_extra[@]+"${svcov_extra[@]}"}
svcov_wall=$t_wall svcov_kib=$t_kib
[ -s "$out_db" ] || die "svcov wrote no $out_db; see $workdir/svcov.log"

# ---------------------------------------------------------------------------
# Compare per district (plain sqlite3: both sides are ordinary tables here).
cat >"$workdir/compare.sql" <<EOT
ATTACH DATABASE '$peer_db' AS peer;
CREATE TEMP TABLE s AS
  SELECT CAST(district_id AS TEXT) AS district_id, covered_pct, area_m2
  FROM main.district_coverage
  WHERE radius_m IS NULL OR abs(radius_m - $radius) < 1e-6;
CREATE TEMP TABLE p AS
  SELECT CAST(district_id AS TEXT) AS district_id,
         CASE WHEN area_m2 > 0 THEN 100.0 * covered_m2 / area_m2 ELSE 0.0 END AS covered_pct,
         area_m2
  FROM peer.peer_coverage;
SELECT 'svcov_rows', count(*), count(DISTINCT district_id) FROM s;
SELECT 'peer_rows', count(*) FROM p;
SELECT 'missing_in_svcov', count(*) FROM p WHERE district_id NOT IN (SELECT district_id FROM s);
SELECT 'missing_in_peer', count(*) FROM s WHERE district_id NOT IN (SELECT district_id FROM p);
SELECT 'max_diff_pp', printf('%.3e', COALESCE(max(abs(s.covered_pct - p.covered_pct)), 0)),
       sum(abs(s.covered_pct - p.covered_pct) > $tolerance_pp)
  FROM s JOIN p USING (district_id);
SELECT 'max_area_rel', printf('%.3e', COALESCE(max(abs(s.area_m2 - p.area_m2) / p.area_m2), 0))
  FROM s JOIN p USING (district_id) WHERE p.area_m2 > 0;
SELECT 'worst', district_id, printf('%.4f', s.covered_pct), printf('%.4f', p.covered_pct)
  FROM s JOIN p USING (district_id)
  ORDER BY abs(s.covered_pct - p.covered_pct) DESC LIMIT 1;
SELECT 'mean_pct', printf('%.4f', avg(s.covered_pct)), printf('%.4f', avg(p.covered_pct))
  FROM s JOIN p USING (district_id);
EOT
if ! sqlite3 -bail -separator '|' "$out_db" <"$workdir/compare.sql" >"$workdir/compare.log" 2>&1; then
    echo "bench_sql.sh: comparing failed (is svcov's table district_coverage there?):" >&2
    cat "$workdir/compare.log" >&2
    exit 1
fi
field() { awk -F'|' -v k="$1" -v i="$2" '$1 == k { print $i }' "$workdir/compare.log"; }
svcov_rows=$(field svcov_rows 2) svcov_ids=$(field svcov_rows 3)
peer_rows=$(field peer_rows 2)
missing_svcov=$(field missing_in_svcov 2) missing_peer=$(field missing_in_peer 2)
max_diff=$(field max_diff_pp 2) n_over=$(field max_diff_pp 3)
max_area_rel=$(field max_area_rel 2)
worst_id=$(field worst 2) worst_s=$(field worst 3) worst_p=$(field worst 4)
mean_s=$(field mean_pct 2) mean_p=$(field mean_pct 3)
ratio=$(awk -v p="$peer_wall" -v s="$svcov_wall" 'BEGIN { if (s > 0) printf "%.1f", p / s; else print "inf" }')

ok=1
problems=()
if [ "$svcov_rows" != "$svcov_ids" ]; then
    ok=0
    problems+=("svcov has $svcov_rows rows at radius $radius for $svcov_ids districts (expected one each)")
fi
if [ "${missing_svcov:-0}" != 0 ] || [ "${missing_peer:-0}" != 0 ]; then
    ok=0
    problems+=("districts missing: ${missing_svcov:-?} in svcov, ${missing_peer:-?} in the peer")
fi
if [ "${n_over:-0}" != 0 ]; then
    ok=0
    problems+=("$n_over districts differ by more than $tolerance_pp pp")
fi

cat <<EOT

========================= bench_sql.sh =========================
city               $stations stations, $districts districts, seed $seed$(sed -n 's/.*\(radius [0-9.]* km, area [0-9.]* km2\).*/, \1/p' "$workdir/gencity.log")
radius             $radius m, circles of $quadsegs segments per quarter, CRS $crs
districts compared ${peer_rows} (svcov rows ${svcov_rows})
max |diff|         ${max_diff} pp (worst: ${worst_id:-none}, svcov ${worst_s:-} % vs peer ${worst_p:-} %)
over ${tolerance_pp} pp        ${n_over:-?}
mean covered       svcov ${mean_s} %, peer ${mean_p} %
max area rel diff  ${max_area_rel}
svcov wall         ${svcov_wall} s, peak ${svcov_kib} KiB
peer wall          ${peer_wall} s (load ${load_wall} s + compute ${compute_wall} s), peak ${peer_kib} KiB
speed-up           ${ratio}x (peer wall / svcov wall)
EOT
if [ "$ok" -eq 1 ]; then
    echo "agreement          OK"
    echo "================================================================"
    exit 0
fi
echo "agreement          FAILED"
for p in "${problems[@]}"; do echo "  - $p"; done
echo "================================================================"
exit 1
