// The demo's clickstream (app_events), derived from its orders after they are written, so the
// other tables stay exactly as they were: each online order (线上商城, 小程序) of the last year
// gets its path 浏览 → 加购 → 下单 → 支付 (a few orders are never paid), and some sessions stop
// early (a view, or a view and an add-to-cart, days before). Deterministic: every choice is a
// hash of the order id.


import QueryModel

enum DemoEvents {
  static func write(_ db: DemoSQLite, lastDay: Day) throws {
    let from = (lastDay - 364).iso
    let online = "channel IN ('线上商城', '小程序') AND customer_id IS NOT NULL AND created_at >= '\(from)'"
    // h(k): a hash of the order id in 0..<1000, different for each k.
    func h(_ k: Int) -> String { "(((id * \(2_654_435_761 % 1_000_003 + k * 7919)) % 1000003) % 1000)" }
    try db.execute(
      """
      CREATE TABLE app_events (customer_id INTEGER, event_time TEXT, event_type TEXT, product_id INTEGER);
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '-' || (5 + \(h(1)) % 40) || ' minutes'), '浏览', 1 + id % 50 FROM orders WHERE \(online);
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '-' || (1 + \(h(2)) % 4) || ' minutes'), '加购', 1 + id % 50 FROM orders WHERE \(online);
      INSERT INTO app_events
        SELECT customer_id, created_at, '下单', 1 + id % 50 FROM orders WHERE \(online);
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '+' || (\(h(3)) % 90) || ' seconds'), '支付', 1 + id % 50 FROM orders WHERE \(online) AND \(h(4)) >= 4;
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '-' || (1 + \(h(5)) % 9) || ' days'), '浏览', 1 + (id * 7) % 50 FROM orders WHERE \(online) AND \(h(6)) < 450;
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '-' || (1 + \(h(5)) % 9) || ' days', '+3 minutes'), '加购', 1 + (id * 7) % 50 FROM orders WHERE \(online) AND \(h(6)) < 150;
      INSERT INTO app_events
        SELECT customer_id, datetime(created_at, '-' || (20 + \(h(7)) % 30) || ' days'), '浏览', 1 + (id * 11) % 50 FROM orders WHERE \(online) AND \(h(8)) < 300;
      """)
  }
}
