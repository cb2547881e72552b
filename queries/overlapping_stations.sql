-- Stations whose service areas overlap others' most: redundancy candidates (--set limit=20, --set minutes=15)
-- param limit INTEGER how many stations (default 20)
-- param minutes REAL one break, in minutes (default all)
SELECT a.station_id,
       s.name,
       CASE WHEN a.minutes IS NULL THEN printf('%g m', a.radius_m) ELSE printf('%g min', a.minutes) END AS brk,
       count(b.id) AS n_overlapping,
       round(100.0 * ST_Area(ST_Intersection(a.geom, ST_Union(b.geom))) / a.area_m2, 1) AS pct_shared
FROM service_areas AS a
JOIN stations AS s ON s.station_id = a.station_id
JOIN service_areas AS b
  ON b.radius_m = a.radius_m
 AND b.id <> a.id
 AND b.ROWID IN (SELECT ROWID FROM SpatialIndex
                 WHERE f_table_name = 'service_areas' AND search_frame = a.geom)
 AND ST_Intersects(a.geom, b.geom)
WHERE (:minutes IS NULL OR abs(a.minutes - :minutes) < 1e-9)
GROUP BY a.id
ORDER BY pct_shared DESC, n_overlapping DESC
LIMIT coalesce(:limit, 20);
