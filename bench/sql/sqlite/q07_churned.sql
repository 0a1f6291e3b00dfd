-- 流失客户有多少: customers whose last order (up to today) is 180 or more days before today.
SELECT count(*) AS churned
FROM (SELECT max(created_at) AS last_order
      FROM orders
      WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
      GROUP BY customer_id)
WHERE last_order < '{churn_next}';
