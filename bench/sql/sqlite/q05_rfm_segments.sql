-- RFM各分群的客户数: per customer with an order up to today, R = days since the last order,
-- F = orders, M = amount; each compared with its mean (R high = below the mean) → 8 segments.
WITH s AS (
  SELECT customer_id,
         julianday('{today}') - julianday(substr(max(created_at), 1, 10)) AS r,
         count(*) AS f,
         coalesce(sum(total_amount), 0) AS m
  FROM orders
  WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
  GROUP BY customer_id),
a AS (SELECT avg(r) AS ar, avg(f) AS af, avg(m) AS am FROM s)
SELECT CASE (s.r < a.ar) * 4 + (s.f > a.af) * 2 + (s.m > a.am)
         WHEN 7 THEN '重要价值客户' WHEN 5 THEN '重要发展客户' WHEN 3 THEN '重要保持客户' WHEN 1 THEN '重要挽留客户'
         WHEN 6 THEN '一般价值客户' WHEN 4 THEN '一般发展客户' WHEN 2 THEN '一般保持客户' ELSE '一般挽留客户' END AS segment,
       count(*) AS customers
FROM s, a
GROUP BY 1 ORDER BY 1;
