WITH b AS (
  SELECT customer_id, count(*) AS n
  FROM orders
  WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
  GROUP BY customer_id)
SELECT c.region, avg(CASE WHEN b.n >= 2 THEN 1.0 ELSE 0.0 END) AS repeat_rate
FROM b LEFT JOIN customers c ON c.id = b.customer_id
GROUP BY c.region ORDER BY c.region;
