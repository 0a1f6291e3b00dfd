-- 今年各月首购客户的留存: cohort = month of the first order ever; for cohorts of this year,
-- month-k retention = cohort customers with an order in the k-th month after / cohort size.
WITH first AS (
  SELECT customer_id, min(created_at) AS first_order
  FROM orders
  WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
  GROUP BY customer_id),
cohort AS (
  SELECT customer_id, substr(first_order, 1, 7) AS cohort_month,
         CAST(substr(first_order, 1, 4) AS INTEGER) * 12 + CAST(substr(first_order, 6, 2) AS INTEGER) AS cm
  FROM first WHERE first_order >= '{year_start}'),
sizes AS (SELECT cm, count(*) AS n FROM cohort GROUP BY cm),
active AS (
  SELECT DISTINCT o.customer_id,
         CAST(substr(o.created_at, 1, 4) AS INTEGER) * 12 + CAST(substr(o.created_at, 6, 2) AS INTEGER) AS om
  FROM orders o
  WHERE o.created_at >= '{year_start}' AND o.created_at < '{tomorrow}'
    AND o.customer_id IN (SELECT customer_id FROM cohort))
SELECT c.cohort_month, s.n AS cohort_size,
       a.om - c.cm AS k, count(*) AS retained, 1.0 * count(*) / s.n AS retention
FROM cohort c
JOIN active a ON a.customer_id = c.customer_id AND a.om > c.cm
JOIN sizes s ON s.cm = c.cm
GROUP BY c.cm, a.om ORDER BY c.cm, k;
