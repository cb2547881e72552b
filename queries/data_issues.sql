-- Input features that were skipped or repaired, by file and problem
SELECT file, layer, action, problem, count(*) AS features, group_concat(feature_id, ', ') AS feature_ids
FROM issues
GROUP BY file, layer, action, problem
ORDER BY features DESC;
