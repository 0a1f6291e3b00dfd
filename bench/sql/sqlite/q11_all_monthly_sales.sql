-- 每月的销售额和订单数: sales (NULL amounts add nothing) and orders per month, all data up to today.
SELECT substr(created_at, 1, 7) AS month, coalesce(sum(total_amount), 0) AS sales, count(*) AS orders
FROM orders
WHERE created_at < '{tomorrow}'
GROUP BY 1 ORDER BY 1;
