#!/usr/bin/env bash
# Regenerates geodata/: the SYNTHETIC demo city used by `make demo`.
#
#   scripts/make-demo-data.sh [PATH-TO-svcov-gencity]
#
# Without an argument, builds svcov-gencity with CMake in $BUILD_DIR (default
# build/) first. The output is deterministic: the same seed and sizes give the
# same files with the same GDAL.
set -euo pipefail

# The demo city: ~310,000 people in 14 districts (sub-districts, "街道"),
# 200 rider stations, Chinese names with pinyin-style English names.
SEED=1
DISTRICTS=14
STATIONS=200

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}

if [ $# -gt 1 ]; then
    echo "usage: $0 [PATH-TO-svcov-gencity]" >&2
    exit 2
fi
if [ $# -eq 1 ]; then
    gencity=$1
else
    echo "building svcov-gencity in $build_dir ..." >&2
    cmake -S "$root" -B "$build_dir" >/dev/null
    cmake --build "$build_dir" --target svcov-gencity >/dev/null
    gencity=$build_dir/bench/svcov-gencity
fi
if [ ! -x "$gencity" ]; then
    echo "$0: svcov-gencity not found or not executable: $gencity" >&2
    exit 1
fi

out=$root/geodata
mkdir -p "$out"
# Write into a fresh folder first, so a failed run leaves geodata/ as it was.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/svcov-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$gencity" --stations "$STATIONS" --districts "$DISTRICTS" --seed "$SEED" \
    --format GeoJSON --demo --out "$tmp"
mv -f "$tmp/stations.geojson" "$out/stations.geojson"
mv -f "$tmp/districts.geojson" "$out/districts.geojson"
echo "wrote $out/stations.geojson and $out/districts.geojson" >&2
