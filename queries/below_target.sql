-- Districts whose covered share is below a target (--set target=80, default 80; --set minutes=15 for one break)
-- param target REAL percent the covered share to reach, in % (80 or 80%; default 80)
-- param minutes REAL one break, in minutes (default all)
SELECT district_id,
       district_name,
       CASE WHEN minutes IS NULL THEN printf('%g m', radius_m) ELSE printf('%g min', minutes) END AS brk,
       round(covered_pct, 2) AS covered_pct,
       round(coalesce(:target, 80) - covered_pct, 2) AS short_by_pp,
       round(gap_m2 / 1e6, 3) AS gap_km2,
       n_stations_inside
FROM district_coverage
WHERE covered_pct < coalesce(:target, 80)
  AND (:minutes IS NULL OR abs(minutes - :minutes) < 1e-9)
ORDER BY radius_m, covered_pct;
