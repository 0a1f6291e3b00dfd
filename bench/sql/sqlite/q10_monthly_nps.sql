-- 今年每月的NPS: (share of scores 9-10 - share of scores 0-6) x 100 over the month's feedback.
SELECT substr(created_at, 1, 7) AS month,
       100.0 * (sum(nps >= 9) - sum(nps <= 6)) / count(*) AS nps
FROM feedback
WHERE created_at >= '{year_start}' AND created_at < '{tomorrow}' AND nps IS NOT NULL
GROUP BY 1 ORDER BY 1;
