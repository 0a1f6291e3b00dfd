-- 每月的新客: customers per month of their first order ever, every month up to today.
SELECT substr(first_order, 1, 7) AS month, count(*) AS new_customers
FROM (SELECT min(created_at) AS first_order
      FROM orders
      WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
      GROUP BY customer_id)
GROUP BY 1 ORDER BY 1;
