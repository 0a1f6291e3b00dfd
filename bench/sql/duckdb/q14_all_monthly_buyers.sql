SELECT strftime(m, '%Y-%m') AS month, buyers
FROM (SELECT date_trunc('month', created_at) AS m, count(DISTINCT customer_id) AS buyers
      FROM orders
      WHERE created_at <= DATE '{today}'
      GROUP BY 1)
ORDER BY 1;
