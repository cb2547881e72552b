-- The largest single gaps (uncovered patches) and where they are (--set limit=20, --set minutes=15)
-- param limit INTEGER how many gaps (default 20)
-- param minutes REAL one break, in minutes (default all)
SELECT district_id,
       district_name,
       CASE WHEN minutes IS NULL THEN printf('%g m', radius_m) ELSE printf('%g min', minutes) END AS brk,
       part_no,
       round(area_m2 / 1e6, 3) AS gap_km2,
       round(ST_X(Transform(PointOnSurface(geom), 4326)), 5) AS lon,
       round(ST_Y(Transform(PointOnSurface(geom), 4326)), 5) AS lat
FROM gap_parts
WHERE (:minutes IS NULL OR abs(minutes - :minutes) < 1e-9)
ORDER BY area_m2 DESC
LIMIT coalesce(:limit, 20);
