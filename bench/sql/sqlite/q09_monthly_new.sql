-- 今年每月的新客: customers whose first order ever falls in each month of this year.
SELECT substr(first_order, 1, 7) AS month, count(*) AS new_customers
FROM (SELECT min(created_at) AS first_order
      FROM orders
      WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
      GROUP BY customer_id)
WHERE first_order >= '{year_start}'
GROUP BY 1 ORDER BY 1;
