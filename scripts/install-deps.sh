#!/usr/bin/env bash
# Install the Debian packages svcov needs to build, test and run
# (scripts/install-deps.sh --bench: also what the benchmarks compare with;
# --fuzz: also clang and libFuzzer for the fuzz targets, cmake -DSVCOV_FUZZ=ON;
# --valgrind: also valgrind for `make valgrind`).
# As root: installs what is missing with apt-get. Otherwise: prints the exact
# apt-get line to run and fails, so a build never starts half-equipped.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libgdal-dev gdal-bin            # vector I/O (GDAL/OGR) and ogr2ogr for the benchmark
  libgeos-dev                     # geometry (GEOS C API)
  libmimalloc-dev                 # the allocator of the svcov program (GEOS's many small allocations)
  libproj-dev proj-bin            # coordinate operations
  libsqlite3-dev sqlite3          # result store
  libspatialite-dev libsqlite3-mod-spatialite spatialite-bin
  libglpk-dev                     # exact siting (GLPK MIP solver)
  glpk-utils coinor-cbc           # glpsol and cbc: the siting benchmark's peers and the siting tests' solvers
  coinor-libcbc-dev               # exact siting with COIN-OR CBC (its C interface, Cbc_C_Interface.h)
  python3-networkx                # the network siting test's independent distances (networkx Dijkstra)
  libcmocka-dev                   # unit tests
  time                            # /usr/bin/time for the benchmark's memory figures
  libcairo2-dev libpango1.0-dev   # maps: drawing (cairo) and text shaping (Pango)
  fonts-noto-cjk fonts-dejavu-core # map labels: Chinese/Japanese/Korean and Latin glyphs
  libxml2-dev poppler-utils       # map tests: parse the SVG, read the PDF (pdfinfo, pdftotext)
  chromium                        # map test: the HTML map in a headless browser
  gettext                         # msgfmt/xgettext: the message catalogue (po/zh_CN.po) at build time
  libqrencode-dev                 # posters: the QR code of --qr-url (libqrencode)
  zbar-tools                      # poster test: zbarimg decodes the printed QR code
  libpq-dev                       # the PostGIS result store (--out PG:..., libpq)
  postgresql-15 postgresql-15-postgis-3 # its tests start their own server (tests/common/svtest_pg.h)
)

# The HTML map inlines Leaflet from the npm registry (web/package-lock.json, npm ci at build time).
# Node.js may come from elsewhere (e.g. NodeSource, with npm inside); only add Debian's when none is there.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

for arg in "$@"; do
  case "$arg" in
    # The benchmarks' peers (bench/): PostgreSQL, PostGIS and pgRouting.
    # GeoPandas for Debian's /usr/bin/python3 (Debian 12 has no pyogrio: GeoPandas 0.12 reads through Fiona;
    # sjoin needs Rtree).
    --bench) packages+=(postgresql-15-pgrouting
                        python3-geopandas python3-shapely python3-pyproj python3-fiona python3-rtree python3-pandas) ;;
    # The fuzz targets (tests/fuzz/): clang with its libFuzzer and sanitizer runtimes.
    --fuzz) packages+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev) ;;
    # `make valgrind`: the fast tests under valgrind's memcheck.
    --valgrind) packages+=(valgrind) ;;
    *) echo "install-deps: unknown option $arg (known: --bench, --fuzz, --valgrind)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "install-deps: missing Debian packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
