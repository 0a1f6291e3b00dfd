-- 消费金额前10的客户: top 10 customers by sales over all data up to today, ties by id; names from the customer table.
SELECT t.customer_id, c.name, t.sales
FROM (SELECT customer_id, coalesce(sum(total_amount), 0) AS sales
      FROM orders
      WHERE created_at < '{tomorrow}' AND customer_id IS NOT NULL
      GROUP BY customer_id
      ORDER BY sales DESC, customer_id LIMIT 10) AS t
LEFT JOIN customers c ON c.id = t.customer_id
ORDER BY t.sales DESC, t.customer_id;
