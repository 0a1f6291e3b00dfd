-- 上季度各品类各渠道的销售额: category sales = sum of item quantity x unit price, by item category and order channel.
SELECT i.category, o.channel, sum(i.quantity * i.unit_price) AS sales
FROM orders o JOIN order_items i ON i.order_id = o.id
WHERE o.created_at >= '{lq_start}' AND o.created_at < '{lq_next}'
GROUP BY 1, 2 ORDER BY 1, 2;
