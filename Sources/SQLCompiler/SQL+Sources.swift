// The mapped tables read exactly as CubeLoader reads them, as CTEs every operator builds on:
//
//   km   whether customer ids are integers (the first 1000 order rows decide, as the loader)
//   cs0, o0, fb0   the stored values, dates read halfway (SQLDialect.dayCandidate)
//   cs   the customer table, one row per id (the first row of a repeated id wins)
//   o    orders: customer key, day number (DateParsing rules), amount (NULL kept), channel,
//        quantity and discount (NULL reads as 0, as the loader reads them), …
//   kc   orders per customer in the plan's period, over all orders (customer kinds)
//   st   per-customer figures over dated orders up to today (and the first order ever)
//   u    every customer: the customer table's ids, then ids found only in orders
//   ht   whether there is a (non-empty) customer table
//   ol   the order row of each order id (the last row with that id, as the loader links items)
//   it   order items
//   fb   feedback, its customer known only if the id is a customer of `u`

import CubeSQLite
import QueryModel

/// Customer attributes stored on the customer row, as columns `a_<dimension>` of `u`.
let attributeDimensions: [DimensionID] = [.region, .city, .sourceChannel, .memberLevel, .gender]

extension Compilation {
  func attributeColumn(_ dim: DimensionID) -> String { "a_" + dim.rawValue }

  /// The customer key of a stored id.
  func customerKey(_ x: SQL) -> SQL {
    let km = cte("km") { d.integerKeysProbe(table: mapping.orders.table, column: mapping.orders.customer) }
    return d.customerKey(x, integerKeys: "(SELECT int_keys FROM \(raw: km))")
  }

  /// The customer table, deduplicated (nil when the mapping has none).
  var customerTable: String? {
    guard let c = mapping.customers else { return nil }
    // Stored values first (cs0, computed once), then keys and days read from them.
    let raw = cte("cs0", materialized: true) {
      var cols: [SQL] = ["\(raw: d.rowid) AS rid", "\(raw: q(c.id)) AS rk"]
      for dim in attributeDimensions {
        let v: SQL = c.attributes[dim].map { d.toText(SQL(raw: q($0))) } ?? "NULL"
        cols.append("\(v) AS \(raw: attributeColumn(dim))")
      }
      cols.append("\(c.name.map { d.toText(SQL(raw: q($0))) } ?? "NULL") AS name")
      let birth: SQL = c.birthYear.map { b in "CASE WHEN \(raw: q(b)) IS NULL THEN NULL ELSE \(d.toInteger(SQL(raw: q(b)))) END" } ?? "NULL"
      cols.append("\(birth) AS birth")
      cols.append("\(c.signup.map { d.dayCandidate(SQL(raw: q($0))) } ?? "NULL") AS dt")
      return "SELECT \(cols.joined(", ")) FROM \(raw: q(c.table))"
    }
    return cte("cs") {
      let attrs = attributeDimensions.map { attributeColumn($0) }.joined(separator: ", ")
      return """
        SELECT * FROM (SELECT b.*, row_number() OVER (PARTITION BY key ORDER BY rid) AS dup FROM (SELECT \(customerKey("rk")) AS key, rid, \
        \(raw: attrs), name, birth, \(d.day(ofCandidate: "dt")) AS signup FROM \(raw: raw)) b WHERE key IS NOT NULL) x WHERE dup = 1
        """
    }
  }

  /// Orders: rid, c (customer key), day, amount (NULL kept), channel, qty, disc (the
  /// discount; 0 without a column), and oid (the id items refer to) when there are items.
  var orders: String {
    let m = mapping.orders
    let raw = cte("o0", materialized: true) {
      var cols: [SQL] = [
        "\(raw: d.rowid) AS rid",
        "\(raw: q(m.customer)) AS rc",
        "\(d.dayCandidate(SQL(raw: q(m.date)))) AS dt",
        "CASE WHEN \(raw: q(m.amount)) IS NULL THEN NULL ELSE \(d.toReal(SQL(raw: q(m.amount)))) END AS amount",
        "\(m.channel.map { d.toText(SQL(raw: q($0))) } ?? "NULL") AS channel",
        "\(m.quantity.map { "coalesce(\(d.toReal(SQL(raw: q($0)))), 0.0)" as SQL } ?? "0.0") AS qty",
        "\(m.discount.map { "coalesce(\(d.toReal(SQL(raw: q($0)))), 0.0)" as SQL } ?? "0.0") AS disc",
      ]
      if mapping.items != nil {
        let id = m.id.map(q) ?? d.rowid
        cols.append("coalesce(\(d.toInteger(SQL(raw: id))), 0) AS oid")
      }
      return "SELECT \(cols.joined(", ")) FROM \(raw: q(m.table))"
    }
    return cte("o") {
      """
      SELECT rid, \(customerKey("rc")) AS c, \(d.day(ofCandidate: "dt")) AS day, amount, channel, qty, disc\
      \(raw: mapping.items != nil ? ", oid" : "") FROM \(raw: raw)
      """
    }
  }

  /// (oid, rid): the order row items of an order id belong to (the last row with that id).
  var orderOfID: String {
    let o = orders
    return cte("ol", materialized: true) { "SELECT oid, max(rid) AS rid FROM \(raw: o) GROUP BY oid" }
  }

  /// Per-customer figures: first_day, last_day, n_orders, spend over dated orders up to
  /// today (CustomerStats), and first_ever over all dated orders.
  var customerStats: String {
    let o = orders
    return cte("st") {
      let t = today
      return """
        SELECT c, min(CASE WHEN day <= \(t) THEN day END) AS first_day, max(CASE WHEN day <= \(t) THEN day END) AS last_day, \
        sum(CASE WHEN day <= \(t) THEN 1 ELSE 0 END) AS n_orders, \(d.sumOrZero("CASE WHEN day <= \(t) THEN amount END")) AS spend, \
        min(day) AS first_ever \
        FROM \(raw: o) WHERE c IS NOT NULL AND day IS NOT NULL GROUP BY c
        """
    }
  }

  /// (c, n): each customer's orders in the plan's period, over all dated orders whatever the
  /// plan's other filters say (how repeat, high-repurchase and returning customers are decided
  /// when they qualify a figure).
  var periodOrderCounts: String {
    let o = orders
    return cte("kc") {
      "SELECT c, count(*) AS n FROM \(raw: o) WHERE c IS NOT NULL AND day IS NOT NULL AND \(periodCondition(plan.period, "day")) GROUP BY c"
    }
  }

  /// A day within a period (no period: every day up to today).
  func periodCondition(_ p: DateRange?, _ day: SQL) -> SQL {
    if let p { return "\(day) BETWEEN \(self.day(p.start)) AND \(self.day(p.end))" }
    return "\(day) <= \(today)"
  }

  /// Every customer (the cube's customer rows): key, in_table, attributes, name, birth, signup
  /// and the figures of `st` (n_orders 0 and spend 0 for customers without dated orders).
  var universe: String {
    let o = orders
    let stats = customerStats
    let cs = customerTable
    return cte("u") {
      let attrs = attributeDimensions.map { attributeColumn($0) }
      var base: SQL
      if let cs {
        base = "SELECT key, 1 AS in_table, \(raw: attrs.joined(separator: ", ")), name, birth, signup FROM \(raw: cs) UNION ALL "
        base.append("SELECT DISTINCT c, 0, \(raw: attrs.map { _ in "NULL" }.joined(separator: ", ")), NULL, NULL, NULL FROM \(raw: o) ")
        base.append("WHERE c IS NOT NULL AND c NOT IN (SELECT key FROM \(raw: cs))")
      } else {
        base = "SELECT DISTINCT c AS key, 0 AS in_table, "
        base.append(raw: attrs.map { "NULL AS \($0)" }.joined(separator: ", "))
        base.append(", NULL AS name, NULL AS birth, NULL AS signup FROM \(raw: o) WHERE c IS NOT NULL")
      }
      return """
        SELECT b.*, s.first_day, s.last_day, coalesce(s.n_orders, 0) AS n_orders, coalesce(s.spend, 0.0) AS spend, s.first_ever \
        FROM (\(base)) b LEFT JOIN \(raw: stats) s ON s.c = b.key
        """
    }
  }

  /// One row: has = 1 when the customer table has rows (CustomerTable.tableRowCount > 0).
  var hasTable: String {
    let cs = customerTable
    return cte("ht") {
      guard let cs else { return "SELECT 0 AS has" }
      return "SELECT CASE WHEN EXISTS (SELECT 1 FROM \(raw: cs)) THEN 1 ELSE 0 END AS has"
    }
  }

  /// Order items: oid, product, category, q (quantity; 1 without a column), price.
  func items() throws -> String {
    guard let i = mapping.items else { throw noItems }
    return cte("it", materialized: true) {
      let quantity: SQL = i.quantity.map { "coalesce(\(d.toReal(SQL(raw: q($0)))), 0.0)" } ?? "1.0"
      let price: SQL = i.unitPrice.map { "coalesce(\(d.toReal(SQL(raw: q($0)))), 0.0)" } ?? "0.0"
      return """
        SELECT coalesce(\(d.toInteger(SQL(raw: q(i.order)))), 0) AS oid, \
        \(i.product.map { d.toText(SQL(raw: q($0))) } ?? "NULL") AS product, \
        \(i.category.map { d.toText(SQL(raw: q($0))) } ?? "NULL") AS category, \
        \(quantity) AS q, \(price) AS price FROM \(raw: q(i.table))
        """
    }
  }

  var noItems: SQLCompileError { SQLCompileError("no order items in this data") }

  var noFeedback: SQLCompileError {
    SQLCompileError(lang == .zh ? "这份数据没有评价（反馈）表，无法计算 NPS、满意度或差评。可以问销售额、订单、复购、客户状态等。"
      : "This data has no feedback table, so NPS, satisfaction and complaints cannot be computed. Ask about sales, orders, repeat purchase or customer states instead.")
  }

  /// Feedback: rid, c (a known customer's key, else NULL), day, score (NULL kept), comment ('' when none).
  func feedback() throws -> String {
    guard let f = mapping.feedback else { throw noFeedback }
    let u = universe
    let raw = cte("fb0", materialized: true) {
      let comment: SQL = f.comment.map { "coalesce(\(d.toText(SQL(raw: q($0)))), '')" } ?? "''"
      return """
        SELECT \(raw: d.rowid) AS rid, \(raw: q(f.customer)) AS rk, \(d.dayCandidate(SQL(raw: q(f.date)))) AS dt, \
        CASE WHEN \(raw: q(f.score)) IS NULL THEN NULL ELSE \(d.toReal(SQL(raw: q(f.score)))) END AS score, \
        \(comment) AS comment FROM \(raw: q(f.table))
        """
    }
    return cte("fb") {
      """
      SELECT rid, CASE WHEN k IN (SELECT key FROM \(raw: u)) THEN k END AS c, day, score, comment \
      FROM (SELECT rid, \(customerKey("rk")) AS k, \(d.day(ofCandidate: "dt")) AS day, score, comment FROM \(raw: raw)) b
      """
    }
  }

  /// Phrases of the negative topics: (name, phrase), for grouping feedback by topic.
  var topicPhrases: String {
    cte("tp") {
      let rows: [SQL] = topics.filter(\.negative).flatMap { t in t.phrases.map { "SELECT \(bind(t.name)) AS name, \(bind($0)) AS phrase" as SQL } }
      return rows.isEmpty ? "SELECT NULL AS name, NULL AS phrase WHERE 1 = 0" : rows.joined(" UNION ALL ")
    }
  }

  /// (rid, name): each feedback row with each negative topic its comment is about.
  func feedbackTopics() throws -> String {
    let fb = try feedback()
    let tp = topicPhrases
    return cte("ft") {
      "SELECT DISTINCT f.rid, t.name FROM \(raw: fb) f JOIN \(raw: tp) t ON \(d.contains("f.comment", "t.phrase"))"
    }
  }
}
