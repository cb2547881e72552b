#!/usr/bin/env python3
"""Independent reference for svcov site along the streets (test_realdata_netsite).

The walking graph of ../shared/realdata/README.md: every road whose highway is
not motorway, motorway_link, trunk, trunk_link, construction, proposed, raceway
or bus_guideway, undirected; nodes are the distinct way vertices in UTM rounded
to 1 cm, edges consecutive vertex pairs with their straight length as cost.
Demand, candidates and stations are snapped to the nearest node (svcov's
--snap node --access-legs off). Distances come from networkx's Dijkstra
(one bounded search from every candidate, one multi-source search from the
stations); the MCLP is written as a CPLEX LP file and solved by CBC.

usage: netsite_ref.py ROADS_UTM.geojson STATIONS_UTM.geojson DEMAND.geojson
                      CANDIDATES.geojson STEP R OUTDIR K[,K...]
Writes OUTDIR/candidates_sub.geojson (every STEP-th candidate, for svcov) and
prints one line per (stations, k): "with_stations k existing optimum
uncoverable n_columns", and per stations one line with k = 0: the set covering
optimum (the fewest sites covering every coverable point) as "optimum".
"""
import json
import math
import os
import re
import subprocess
import sys

import networkx as nx

EXCLUDED = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "raceway",
            "bus_guideway"}


def node_key(x, y):
    return (round(x * 100), round(y * 100))


def build_graph(path):
    g = nx.Graph()
    for f in json.load(open(path))["features"]:
        hw = f["properties"].get("highway")
        if not hw or hw in EXCLUDED or not f["geometry"]:
            continue
        geom = f["geometry"]
        lines = geom["coordinates"] if geom["type"] == "MultiLineString" else [geom["coordinates"]]
        for line in lines:
            keys = [node_key(p[0], p[1]) for p in line]
            for a, b in zip(keys, keys[1:]):
                if a == b:
                    continue
                w = math.hypot((a[0] - b[0]) / 100.0, (a[1] - b[1]) / 100.0)
                if not g.has_edge(a, b) or g[a][b]["w"] > w:
                    g.add_edge(a, b, w=w)
    return g


class Nearest:
    """Nearest node by buckets of 200 m, widened ring by ring."""

    def __init__(self, nodes, cell=200.0):
        self.cell = cell
        self.b = {}
        for k in nodes:
            x, y = k[0] / 100.0, k[1] / 100.0
            self.b.setdefault((math.floor(x / cell), math.floor(y / cell)), []).append((x, y, k))

    def find(self, x, y):
        cx, cy = math.floor(x / self.cell), math.floor(y / self.cell)
        best, bk, r = math.inf, None, 0
        while True:
            for i in range(cx - r, cx + r + 1):
                for j in range(cy - r, cy + r + 1):
                    if max(abs(i - cx), abs(j - cy)) != r:
                        continue
                    for (px, py, k) in self.b.get((i, j), ()):
                        d = math.hypot(px - x, py - y)
                        if d < best or (d == best and k < bk):
                            best, bk = d, k
            # every node closer than r cells has been seen
            if bk is not None and best <= r * self.cell:
                return bk
            r += 1
            if r > 10000:
                return bk


def points(path, use_xy):
    out = []
    for f in json.load(open(path))["features"]:
        if use_xy:
            out.append((f["properties"]["x"], f["properties"]["y"], f))
        else:
            c = f["geometry"]["coordinates"]
            out.append((c[0], c[1], f))
    return out


def solve_mclp(lists, weights, k, workdir, tag):
    """max sum w_i y_i, y_i <= sum_{j covers i} x_j, sum x_j <= k, x binary: CBC."""
    # identical columns are one column (the optimum is unchanged)
    cols = sorted(set(tuple(sorted(l)) for l in lists if l))
    rows = sorted(set(i for c in cols for i in c))
    if not rows:
        return 0.0, 0
    by_row = {i: [] for i in rows}
    for j, c in enumerate(cols):
        for i in c:
            by_row[i].append(j)
    lp = os.path.join(workdir, "ref_%s.lp" % tag)
    with open(lp, "w") as f:
        f.write("Maximize\n obj: " + " + ".join("%g y%d" % (weights[i], i) for i in rows) + "\n")
        f.write("Subject To\n")
        for i in rows:
            f.write(" c%d: y%d - " % (i, i) + " - ".join("x%d" % j for j in by_row[i]) + " <= 0\n")
        f.write(" k: " + " + ".join("x%d" % j for j in range(len(cols))) + " <= %d\n" % k)
        f.write("Bounds\n")
        for i in rows:
            f.write(" 0 <= y%d <= 1\n" % i)
        f.write("Binary\n")
        for j in range(len(cols)):
            f.write(" x%d\n" % j)
        f.write("End\n")
    sol = os.path.join(workdir, "ref_%s.sol" % tag)
    out = subprocess.run(["cbc", lp, "solve", "solu", sol], capture_output=True, text=True).stdout
    if "Optimal solution found" not in out:
        sys.exit("cbc did not prove an optimum:\n" + out)
    first = open(sol).readline()
    m = re.search(r"objective value\s+(-?[0-9.eE+-]+)", first)
    if not m:
        sys.exit("cannot read cbc's solution: " + first)
    return abs(float(m.group(1))), len(cols)


def solve_lscp(lists, coverable, workdir, tag):
    """min sum x_j, sum_{j covers i} x_j >= 1 for every coverable point i, x binary: CBC."""
    cols = sorted(set(tuple(sorted(i for i in l if i in coverable)) for l in lists))
    cols = [c for c in cols if c]
    if not coverable:
        return 0
    by_row = {i: [] for i in coverable}
    for j, c in enumerate(cols):
        for i in c:
            by_row[i].append(j)
    lp = os.path.join(workdir, "ref_lscp_%s.lp" % tag)
    with open(lp, "w") as f:
        f.write("Minimize\n obj: " + " + ".join("x%d" % j for j in range(len(cols))) + "\n")
        f.write("Subject To\n")
        for i in sorted(coverable):
            f.write(" c%d: " % i + " + ".join("x%d" % j for j in by_row[i]) + " >= 1\n")
        f.write("Binary\n")
        for j in range(len(cols)):
            f.write(" x%d\n" % j)
        f.write("End\n")
    sol = os.path.join(workdir, "ref_lscp_%s.sol" % tag)
    out = subprocess.run(["cbc", lp, "solve", "solu", sol], capture_output=True, text=True).stdout
    if "Optimal solution found" not in out:
        sys.exit("cbc did not prove an optimum:\n" + out)
    m = re.search(r"objective value\s+(-?[0-9.eE+-]+)", open(sol).readline())
    return round(float(m.group(1)))


def main():
    roads, stations, demand, cands, step, R, outdir, ks = sys.argv[1:9]
    step, R, ks = int(step), float(R), [int(k) for k in ks.split(",")]
    g = build_graph(roads)
    near = Nearest(g.nodes)
    dem = points(demand, True)
    weights = [float(f["properties"].get("weight", 1)) for (_, _, f) in dem]
    dnode = [near.find(x, y) for (x, y, _) in dem]
    at = {}
    for i, n in enumerate(dnode):
        at.setdefault(n, []).append(i)
    allc = points(cands, True)
    sub = [c for t, c in enumerate(allc) if t % step == 0]
    with open(os.path.join(outdir, "candidates_sub.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": [c[2] for c in sub]}, f)
    lists = []
    for (x, y, _) in sub:
        d = nx.single_source_dijkstra_path_length(g, near.find(x, y), cutoff=R, weight="w")
        lists.append([i for n, dist in d.items() if dist <= R for i in at.get(n, ())])
    st = points(stations, False)
    snodes = set(near.find(x, y) for (x, y, _) in st)
    d = nx.multi_source_dijkstra_path_length(g, snodes, cutoff=R, weight="w")
    base = set(i for n, dist in d.items() if dist <= R for i in at.get(n, ()))
    reach = set(i for l in lists for i in l)
    for with_st in (1, 0):
        covered = base if with_st else set()
        existing = sum(weights[i] for i in covered)
        uncoverable = sum(1 for i in range(len(dem)) if i not in covered and i not in reach)
        for k in ks:
            new, ncols = solve_mclp([[i for i in l if i not in covered] for l in lists], weights, k, outdir,
                                    "%d_%d" % (with_st, k))
            print(with_st, k, "%.10g" % existing, "%.10g" % (existing + new), uncoverable, ncols)
        # set covering: every point some candidate reaches that no station covers (k = 0 on the line)
        need = set(i for i in reach if i not in covered and weights[i] > 0)
        print(with_st, 0, "%.10g" % existing, solve_lscp(lists, need, outdir, str(with_st)), uncoverable, 0)


if __name__ == "__main__":
    main()
