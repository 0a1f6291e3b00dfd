SELECT strftime(date_trunc('month', first_order), '%Y-%m') AS month, count(*) AS new_customers
FROM (SELECT min(created_at) AS first_order
      FROM orders
      WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
      GROUP BY customer_id)
GROUP BY 1 ORDER BY 1;
