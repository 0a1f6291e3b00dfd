-- 每月的下单客户数: distinct customers with an order, per month, all data up to today.
SELECT substr(created_at, 1, 7) AS month, count(DISTINCT customer_id) AS buyers
FROM orders
WHERE created_at < '{tomorrow}'
GROUP BY 1 ORDER BY 1;
