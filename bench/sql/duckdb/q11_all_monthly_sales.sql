SELECT strftime(m, '%Y-%m') AS month, sales, orders
FROM (SELECT date_trunc('month', created_at) AS m, coalesce(sum(total_amount), 0) AS sales, count(*) AS orders
      FROM orders
      WHERE created_at <= DATE '{today}'
      GROUP BY 1)
ORDER BY 1;
