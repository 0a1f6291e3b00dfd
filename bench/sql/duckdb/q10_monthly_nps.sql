SELECT strftime(m, '%Y-%m') AS month, nps
FROM (SELECT date_trunc('month', created_at) AS m,
             100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(*) AS nps
      FROM feedback
      WHERE created_at BETWEEN DATE '{year_start}' AND DATE '{today}' AND nps IS NOT NULL
      GROUP BY 1)
ORDER BY 1;
