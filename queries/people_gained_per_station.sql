-- New stations of a plan by the people (else the area) that only they cover: what each adds (on a database of svcov compare; --set minutes=15 for one break)
-- param minutes REAL one break, in minutes (default all)
SELECT s.station_id,
       s.name,
       s.change,
       CASE WHEN s.minutes IS NULL THEN printf('%g m', s.radius_m) ELSE printf('%g min', s.minutes) END AS brk,
       round(s.pop_alone, 0) AS people_gained,
       round(s.area_alone_m2 / 1e6, 4) AS km2_gained,
       round(100.0 * s.pop_alone / nullif(c.delta_pop, 0), 1) AS pct_of_plan_gain,
       round(s.moved_m, 1) AS moved_m
FROM station_change s
LEFT JOIN city_change c ON abs(c.radius_m - s.radius_m) < 1e-6
WHERE s.change IN ('added', 'moved')
  AND (:minutes IS NULL OR abs(s.minutes - :minutes) < 1e-9)
ORDER BY s.radius_m, s.pop_alone DESC, s.area_alone_m2 DESC, s.station_id;
