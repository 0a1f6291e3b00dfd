SELECT t.customer_id, c.name, t.sales
FROM (SELECT customer_id, coalesce(sum(total_amount), 0) AS sales
      FROM orders
      WHERE created_at <= DATE '{today}' AND customer_id IS NOT NULL
      GROUP BY customer_id
      ORDER BY sales DESC, customer_id LIMIT 10) AS t
LEFT JOIN customers c ON c.id = t.customer_id
ORDER BY t.sales DESC, t.customer_id;
