#!/usr/bin/env bash
# kill-test.sh - SIGKILL svcov at random moments, N times (default 100), in
# turn during analyze, site --db and map --all-districts on the demo city, and
# check what is left: the earlier result byte-identical (or, when the kill
# came after the rename, the new one whole), PRAGMA integrity_check ok, and
# no temporary or lock file once the next run has finished.
#
#   scripts/kill-test.sh [N] [SEED]     (SVCOV=path/to/svcov, default build/svcov)
set -u
cd "$(dirname "$0")/.."
N=${1:-100}
SEED=${2:-$$}
SVCOV=${SVCOV:-build/svcov}
RANDOM=$SEED
command -v sqlite3 >/dev/null || { echo "kill-test: needs the sqlite3 command (apt-get install sqlite3)"; exit 2; }
[ -x "$SVCOV" ] || { echo "kill-test: no $SVCOV; run make build first"; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/svcov-kill-XXXXXX")
trap 'rm -rf "$W"' EXIT
echo "kill-test: $N kills, seed $SEED (scripts/kill-test.sh $N $SEED repeats the moments), in $W"

analyze() { "$SVCOV" analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \
    --minutes "$1" --mode walk --out "$2" -q; }
analyze 10 "$W/ref10.sqlite" || exit 1
analyze 15 "$W/ref15.sqlite" || exit 1
mkdir -p "$W/maps10" "$W/maps15" "$W/maps"
"$SVCOV" map --db "$W/ref10.sqlite" --all-districts "$W/maps10" --dpi 40 -q || exit 1
"$SVCOV" map --db "$W/ref15.sqlite" --all-districts "$W/maps15" --dpi 40 -q || exit 1

stray() { find "$W" "$W/maps" -maxdepth 1 \( -name '*svcov-tmp*' -o -name '*.tmp-*' -o -name '*svcov-lock*' \
    -o -name '*-journal' -o -name '*-wal' \) | wc -l; }
intact=0 replaced=0 bad=0
for ((i = 0; i < N; i++)); do
    kind=$((i % 3))
    # a moment within about 1.5 s (the demo runs take 0.3 to 3 s here)
    delay=$(printf '0.%03d' $((RANDOM % 1000)))
    [ $((RANDOM % 2)) -eq 0 ] && delay=$(printf '1.%03d' $((RANDOM % 500)))
    case $kind in
    0) cp "$W/ref10.sqlite" "$W/out.sqlite"
       # svcov itself in the background (a shell function would be a subshell, and the kill would miss svcov)
       "$SVCOV" analyze --stations geodata/stations.geojson --districts geodata/districts.geojson --minutes 15 \
           --mode walk --out "$W/out.sqlite" -q 2>/dev/null & ;;
    1) cp "$W/ref10.sqlite" "$W/out.sqlite"
       "$SVCOV" site --db "$W/out.sqlite" --demand geodata/stations.geojson --model mclp --k 3 --radius 800 \
           --grid 400 -q 2>/dev/null & ;;
    2) cp "$W"/maps10/* "$W/maps/"
       "$SVCOV" map --db "$W/ref15.sqlite" --all-districts "$W/maps" --dpi 40 -q 2>/dev/null & ;;
    esac
    pid=$!
    sleep "$delay"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ $kind -lt 2 ]; then
        if cmp -s "$W/ref10.sqlite" "$W/out.sqlite"; then
            intact=$((intact + 1))
        elif [ "$(sqlite3 "$W/out.sqlite" 'PRAGMA integrity_check')" = ok ] &&
            [ "$(sqlite3 "$W/out.sqlite" 'SELECT count(*) FROM district_coverage')" = 14 ]; then
            replaced=$((replaced + 1))
        else
            echo "kill $i (kind $kind, after $delay s): damaged result"; bad=$((bad + 1))
        fi
        [ "$(sqlite3 "$W/out.sqlite" 'PRAGMA integrity_check')" = ok ] || { echo "kill $i: integrity_check failed"; bad=$((bad + 1)); }
    else
        for f in "$W"/maps10/*; do
            b=$(basename "$f")
            if cmp -s "$f" "$W/maps/$b"; then intact=$((intact + 1))
            elif cmp -s "$W/maps15/$b" "$W/maps/$b"; then replaced=$((replaced + 1))
            else echo "kill $i: maps/$b is neither the earlier map nor the new one"; bad=$((bad + 1)); fi
        done
    fi
done
left=$(stray)
# the next runs clean up after the killed ones
cp "$W/ref10.sqlite" "$W/out.sqlite"
analyze 15 "$W/out.sqlite" || { echo "kill-test: the run after the kills failed"; bad=$((bad + 1)); }
"$SVCOV" map --db "$W/ref15.sqlite" --all-districts "$W/maps" --dpi 40 -q || bad=$((bad + 1))
after=$(stray)
echo "kill-test: $N kills; $((intact + replaced)) outputs checked (a database per kill of analyze or site, 14 maps per kill of map): left as they were $intact, replaced whole $replaced, damaged $bad;" \
    "temporary files: $left after the kills, $after after the next runs"
[ "$bad" -eq 0 ] && [ "$after" -eq 0 ]
