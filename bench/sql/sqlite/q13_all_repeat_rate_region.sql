-- 各地区的复购率: buyers with >= 2 orders / buyers, over all data up to today, by the buyer's region
-- (ids missing from the customer table fall in the NULL group).
WITH b AS (
  SELECT customer_id, count(*) AS n
  FROM orders
  WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
  GROUP BY customer_id)
SELECT c.region, avg(b.n >= 2) AS repeat_rate
FROM b LEFT JOIN customers c ON c.id = b.customer_id
GROUP BY c.region ORDER BY c.region;
