WITH first AS (
  SELECT customer_id, min(created_at) AS first_order
  FROM orders
  WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
  GROUP BY customer_id),
cohort AS (
  SELECT customer_id, year(first_order) * 12 + month(first_order) AS cm
  FROM first WHERE first_order >= DATE '{year_start}'),
sizes AS (SELECT cm, count(*) AS n FROM cohort GROUP BY cm),
active AS (
  SELECT DISTINCT o.customer_id, year(o.created_at) * 12 + month(o.created_at) AS om
  FROM orders o SEMI JOIN cohort c ON c.customer_id = o.customer_id
  WHERE o.created_at BETWEEN DATE '{year_start}' AND DATE '{today}')
SELECT c.cm, s.n AS cohort_size, a.om - c.cm AS k, count(*) AS retained, count(*) / s.n AS retention
FROM cohort c
JOIN active a ON a.customer_id = c.customer_id AND a.om > c.cm
JOIN sizes s ON s.cm = c.cm
GROUP BY c.cm, a.om, s.n ORDER BY c.cm, k;
