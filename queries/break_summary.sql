-- One line per break: the whole area's coverage and the spread across districts
SELECT CASE WHEN d.minutes IS NULL THEN printf('%g m', d.radius_m) ELSE printf('%g min', d.minutes) END AS brk,
       d.mode,
       round(d.radius_m, 1) AS radius_m,
       count(*) AS districts,
       round(c.covered_pct, 2) AS whole_area_pct,
       round(min(d.covered_pct), 2) AS worst_district_pct,
       round(avg(d.covered_pct), 2) AS mean_district_pct,
       round(max(d.covered_pct), 2) AS best_district_pct,
       sum(d.covered_pct < 50) AS districts_below_50pct,
       round(c.gap_m2 / 1e6, 3) AS gap_km2
FROM district_coverage AS d
JOIN city_coverage AS c ON c.radius_m = d.radius_m
GROUP BY d.radius_m
ORDER BY d.radius_m;
