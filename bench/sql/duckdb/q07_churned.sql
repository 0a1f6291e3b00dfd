SELECT count(*) AS churned
FROM (SELECT max(created_at) AS last_order
      FROM orders
      WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
      GROUP BY customer_id)
WHERE last_order <= DATE '{churn_last}';
