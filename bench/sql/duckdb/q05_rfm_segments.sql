WITH s AS (
  SELECT customer_id,
         DATE '{today}' - max(created_at) AS r,
         count(*) AS f,
         coalesce(sum(total_amount), 0) AS m
  FROM orders
  WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
  GROUP BY customer_id),
a AS (SELECT avg(r) AS ar, avg(f) AS af, avg(m) AS am FROM s)
SELECT CASE (s.r < a.ar)::INT * 4 + (s.f > a.af)::INT * 2 + (s.m > a.am)::INT
         WHEN 7 THEN '重要价值客户' WHEN 5 THEN '重要发展客户' WHEN 3 THEN '重要保持客户' WHEN 1 THEN '重要挽留客户'
         WHEN 6 THEN '一般价值客户' WHEN 4 THEN '一般发展客户' WHEN 2 THEN '一般保持客户' ELSE '一般挽留客户' END AS segment,
       count(*) AS customers
FROM s, a
GROUP BY 1 ORDER BY 1;
