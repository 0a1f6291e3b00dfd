SELECT i.category, o.channel, sum(i.quantity * i.unit_price) AS sales
FROM orders o JOIN order_items i ON i.order_id = o.id
WHERE o.created_at BETWEEN DATE '{lq_start}' AND DATE '{lq_end}'
GROUP BY 1, 2 ORDER BY 1, 2;
