-- Districts a plan changes, most improved first (on a database of svcov compare; --set minutes=15 for one break)
-- param minutes REAL one break, in minutes (default all)
SELECT district_id,
       district_name,
       CASE WHEN minutes IS NULL THEN printf('%g m', radius_m) ELSE printf('%g min', minutes) END AS brk,
       round(covered_pct_base, 2) AS covered_pct_before,
       round(covered_pct_plan, 2) AS covered_pct_after,
       round(delta_pp, 2) AS delta_pp,
       round(delta_pop, 0) AS delta_people,
       round(gained_m2 / 1e6, 4) AS km2_gained,
       round(lost_m2 / 1e6, 4) AS km2_lost
FROM district_change
WHERE (abs(delta_pp) > 1e-9 OR gained_m2 > 0 OR lost_m2 > 0)
  AND (:minutes IS NULL OR abs(minutes - :minutes) < 1e-9)
ORDER BY radius_m, delta_pp DESC, district_id;
