#!/usr/bin/python3
# Debian's python3 on purpose (python3-geopandas and friends live there, not in a pyenv build):
# run it as bench/gpd_coverage.py or /usr/bin/python3 bench/gpd_coverage.py.
"""Per-district circle coverage with GeoPandas, written the way a planner would write it.

The GeoPandas peer of bench/bench_scale.sh (see bench/README.md). Two ways:

  --method union  the textbook way: buffer every station, unary_union of all circles,
                  intersection of that union with each district, areas;
  --method sjoin  the stronger way: the circles spatially joined (sjoin, predicate
                  "intersects") to the districts they touch, then per district the union
                  of its circles (dissolve) clipped to the district.

Both read the layers themselves (the read counts in the time, as svcov's does), project
them to --crs and write one CSV row per district and radius:
district_id,radius_m,area_m2,covered_m2,covered_pct. Stage times go to stderr.

  bench/gpd_coverage.py --method sjoin --stations city/stations.gpkg \
      --districts city/districts.gpkg --radius 500,1000 --out gpd_sjoin.csv
"""
import argparse
import sys
import time

import geopandas as gpd
import pandas as pd


def covered_union(districts, stations, radius, quad_segs):
    """(a) Buffer, unary_union, intersection per district: the covered m2 of each district."""
    circles = stations.buffer(radius, resolution=quad_segs)
    covered = circles.unary_union
    return districts.geometry.intersection(covered).area


def covered_sjoin(districts, stations, radius, quad_segs):
    """(b) Circles joined to the districts they touch, united and clipped per district."""
    circles = gpd.GeoDataFrame(geometry=stations.buffer(radius, resolution=quad_segs), crs=stations.crs)
    pairs = gpd.sjoin(circles, districts[["geometry"]], predicate="intersects")
    united = pairs.dissolve(by="index_right")  # one union of circles per district (row of districts)
    clipped = united.geometry.intersection(districts.geometry.loc[united.index])
    return clipped.area.reindex(districts.index, fill_value=0.0)


METHODS = {"union": covered_union, "sjoin": covered_sjoin}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", choices=sorted(METHODS), required=True)
    ap.add_argument("--stations", required=True, help="station points (any OGR file)")
    ap.add_argument("--districts", required=True, help="district polygons (any OGR file)")
    ap.add_argument("--district-id", default="district_id", help="district id field (default district_id)")
    ap.add_argument("--crs", default="EPSG:32649", help="metric CRS to work in (default EPSG:32649)")
    ap.add_argument("--radius", default="1000", help="radii in metres, e.g. 500,1000 (default 1000)")
    ap.add_argument("--quad-segs", type=int, default=32,
                    help="circle segments per quarter (default 32, svcov's default; Shapely's is 16)")
    ap.add_argument("--out", required=True, help="CSV to write")
    a = ap.parse_args()
    try:
        radii = [float(r) for r in a.radius.split(",")]
    except ValueError:
        ap.error("--radius takes numbers separated by commas, e.g. 500,1000")
    if not radii or min(radii) <= 0 or a.quad_segs < 1:
        ap.error("--radius must be positive and --quad-segs at least 1")

    t0 = time.monotonic()
    stations = gpd.read_file(a.stations).to_crs(a.crs)
    districts = gpd.read_file(a.districts).to_crs(a.crs)
    if a.district_id not in districts.columns:
        sys.exit(f"gpd_coverage.py: {a.districts} has no field '{a.district_id}'")
    districts = districts.reset_index(drop=True)
    area = districts.geometry.area
    print(f"gpd_coverage.py: read {len(stations)} stations, {len(districts)} districts "
          f"in {time.monotonic() - t0:.2f} s", file=sys.stderr)

    rows = []
    for radius in radii:
        t1 = time.monotonic()
        covered = METHODS[a.method](districts, stations, radius, a.quad_segs)
        rows.append(pd.DataFrame({
            "district_id": districts[a.district_id].astype(str),
            "radius_m": radius,
            "area_m2": area,
            "covered_m2": covered,
            "covered_pct": (100.0 * covered / area).where(area > 0, 0.0),
        }))
        print(f"gpd_coverage.py: {a.method}, radius {radius:g} m: {time.monotonic() - t1:.2f} s",
              file=sys.stderr)
    pd.concat(rows).to_csv(a.out, index=False, float_format="%.10g")
    print(f"gpd_coverage.py: total {time.monotonic() - t0:.2f} s -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
