// The normalize stage: the mapped tables read exactly as CubeLoader reads them, as CTEs every
// operator builds on (the plan SQL reads only these names; `wenshu export-sql` prints them as views).
// On SQLite the stored values are untyped and read with typeof branches; on a typed engine each
// column is read by its stored kind (SourceSchema.swift), with the same results.
//
//   km   whether customer ids are integers (the first 1000 order rows decide, as the loader; SQLite only)
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

  /// The customer key of a stored id read by `storedKey` (typed engines: the key already).
  func customerKey(_ x: SQL) -> SQL {
    if reader != nil { return x }
    let km = cte("km") { d.integerKeysProbe(table: mapping.orders.table, column: mapping.orders.customer) }
    return d.customerKey(x, integerKeys: "(SELECT int_keys FROM \(raw: km))")
  }

  /// The day number of a date read by `storedDay` (typed engines: the day already).
  func candidateDay(_ t: SQL) -> SQL { reader != nil ? t : d.day(ofCandidate: t) }

  // Stored columns of a table, read as the loader reads them.

  func column(_ name: String) -> SQL { SQL(raw: q(name)) }
  func kind(_ table: String, _ column: String) -> SourceSchema.Kind { reader?.schema.kind(table, column) ?? .text }

  /// A stored id, for `customerKey` (typed engines: the key itself).
  func storedKey(_ table: String, _ name: String) -> SQL {
    reader.map { $0.key(column(name), kind(table, name)) } ?? column(name)
  }

  /// A stored date, for `candidateDay` (typed engines: the day number itself).
  func storedDay(_ table: String, _ name: String) -> SQL {
    reader.map { $0.day(column(name), kind(table, name)) } ?? d.dayCandidate(column(name))
  }

  func storedText(_ table: String, _ name: String) -> SQL {
    reader.map { $0.text(column(name), kind(table, name)) } ?? d.toText(column(name))
  }

  /// CAST(x AS REAL), NULL kept.
  func storedReal(_ table: String, _ name: String) -> SQL {
    reader.map { $0.real(column(name), kind(table, name)) } ?? d.toReal(column(name))
  }

  /// CAST(x AS INTEGER), NULL kept.
  func storedInteger(_ table: String, _ name: String) -> SQL {
    reader.map { $0.integer(column(name), kind(table, name)) } ?? d.toInteger(column(name))
  }

  /// The customer table, deduplicated (nil when the mapping has none).
  var customerTable: String? {
    guard let c = mapping.customers else { return nil }
    // Stored values first (cs0, computed once), then keys and days read from them.
    let raw = cte("cs0", materialized: true) {
      var cols: [SQL] = ["\(raw: d.rowid) AS rid", "\(storedKey(c.table, c.id)) AS rk"]
      for dim in attributeDimensions {
        let v: SQL = c.attributes[dim].map { storedText(c.table, $0) } ?? SQL(raw: nullText)
        cols.append("\(v) AS \(raw: attributeColumn(dim))")
      }
      cols.append("\(c.name.map { storedText(c.table, $0) } ?? SQL(raw: nullText)) AS name")
      let birth: SQL = c.birthYear.map { b in "CASE WHEN \(raw: q(b)) IS NULL THEN NULL ELSE \(storedInteger(c.table, b)) END" } ?? SQL(raw: nullInteger)
      cols.append("\(birth) AS birth")
      cols.append("\(c.signup.map { storedDay(c.table, $0) } ?? SQL(raw: nullInteger)) AS dt")
      return "SELECT \(cols.joined(", ")) FROM \(raw: q(c.table))"
    }
    return cte("cs") {
      let attrs = attributeDimensions.map { attributeColumn($0) }.joined(separator: ", ")
      return """
        SELECT * FROM (SELECT b.*, row_number() OVER (PARTITION BY key ORDER BY rid) AS dup FROM (SELECT \(customerKey("rk")) AS key, rid, \
        \(raw: attrs), name, birth, \(candidateDay("dt")) AS signup FROM \(raw: raw)) b WHERE key IS NOT NULL) x WHERE dup = 1
        """
    }
  }

  /// Orders: rid, c (customer key), day, amount (NULL kept), channel, qty, disc (the
  /// discount; 0 without a column), and oid (the id items refer to) when there are items.
  var orders: String {
    let m = mapping.orders
    let raw = cte("o0", materialized: true) {
      let t = m.table
      var cols: [SQL] = [
        "\(raw: d.rowid) AS rid",
        "\(storedKey(t, m.customer)) AS rc",
        "\(storedDay(t, m.date)) AS dt",
        "CASE WHEN \(raw: q(m.amount)) IS NULL THEN NULL ELSE \(storedReal(t, m.amount)) END AS amount",
        "\(m.channel.map { storedText(t, $0) } ?? SQL(raw: nullText)) AS channel",
        "\(m.quantity.map { "coalesce(\(storedReal(t, $0)), 0.0)" as SQL } ?? "0.0") AS qty",
        "\(m.discount.map { "coalesce(\(storedReal(t, $0)), 0.0)" as SQL } ?? "0.0") AS disc",
      ]
      if mapping.items != nil {
        let id: SQL = reader == nil ? d.toInteger(SQL(raw: m.id.map(q) ?? d.rowid))
          : m.id.map { storedInteger(t, $0) } ?? SQL(raw: d.rowPosition)
        cols.append("coalesce(\(id), 0) AS oid")
      }
      return "SELECT \(cols.joined(", ")) FROM \(raw: q(m.table))"
    }
    return cte("o") {
      """
      SELECT rid, \(customerKey("rc")) AS c, \(candidateDay("dt")) AS day, amount, channel, qty, disc\
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

  /// A NULL of type text or integer (typed engines; plain NULL on SQLite).
  var nullText: String { reader == nil ? "NULL" : d.toText("NULL").literal(d.literal) }
  var nullInteger: String { reader == nil ? "NULL" : d.toInteger("NULL").literal(d.literal) }
  var nullReal: String { reader == nil ? "NULL" : d.toReal("NULL").literal(d.literal) }

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
        if reader == nil {
          base.append("SELECT DISTINCT c, 0, \(raw: attrs.map { _ in "NULL" }.joined(separator: ", ")), NULL, NULL, NULL FROM \(raw: o) ")
          base.append("WHERE c IS NOT NULL AND c NOT IN (SELECT key FROM \(raw: cs))")
        } else {
          // Typed engines: the NULL columns typed (a NULL under DISTINCT is text on PostgreSQL).
          base.append("SELECT c, 0, \(raw: attrs.map { _ in nullText }.joined(separator: ", ")), \(raw: nullText), \(raw: nullInteger), \(raw: nullInteger) ")
          base.append("FROM (SELECT DISTINCT c FROM \(raw: o) WHERE c IS NOT NULL AND c NOT IN (SELECT key FROM \(raw: cs))) x")
        }
      } else {
        base = "SELECT DISTINCT c AS key, 0 AS in_table, "
        base.append(raw: attrs.map { "\(nullText) AS \($0)" }.joined(separator: ", "))
        base.append(", \(raw: nullText) AS name, \(raw: nullInteger) AS birth, \(raw: nullInteger) AS signup FROM \(raw: o) WHERE c IS NOT NULL")
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
      if reader == nil { return "SELECT CASE WHEN EXISTS (SELECT 1 FROM \(raw: cs)) THEN 1 ELSE 0 END AS has" }
      return "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE 0 END AS has FROM (SELECT 1 AS one FROM \(raw: cs) LIMIT 1) x"
    }
  }

  /// Order items: oid, product, category, q (quantity; 1 without a column), price.
  func items() throws -> String {
    guard let i = mapping.items else { throw noItems }
    return cte("it", materialized: true) {
      let quantity: SQL = i.quantity.map { "coalesce(\(storedReal(i.table, $0)), 0.0)" } ?? "1.0"
      let price: SQL = i.unitPrice.map { "coalesce(\(storedReal(i.table, $0)), 0.0)" } ?? "0.0"
      return """
        SELECT coalesce(\(storedInteger(i.table, i.order)), 0) AS oid, \
        \(i.product.map { storedText(i.table, $0) } ?? SQL(raw: nullText)) AS product, \
        \(i.category.map { storedText(i.table, $0) } ?? SQL(raw: nullText)) AS category, \
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
    let raw = try storedFeedback()
    let u = universe
    return cte("fb") {
      let read: SQL = "SELECT rid, \(customerKey("rk")) AS k, \(candidateDay("dt")) AS day, score, comment FROM \(raw: raw)"
      if reader == nil {
        return "SELECT rid, CASE WHEN k IN (SELECT key FROM \(raw: u)) THEN k END AS c, day, score, comment FROM (\(read)) b"
      }
      // Engines without IN (subquery) in a select list (Spark): the same as a join on u's unique keys.
      return "SELECT b.rid AS rid, uk.key AS c, b.day AS day, b.score AS score, b.comment AS comment FROM (\(read)) b LEFT JOIN \(raw: u) uk ON uk.key = b.k"
    }
  }

  /// Feedback as stored: rid, rk (the id read), dt (the date read), score, comment.
  func storedFeedback() throws -> String {
    guard let f = mapping.feedback else { throw noFeedback }
    return cte("fb0", materialized: true) {
      let comment: SQL = f.comment.map { "coalesce(\(storedText(f.table, $0)), '')" } ?? "''"
      return """
        SELECT \(raw: d.rowid) AS rid, \(storedKey(f.table, f.customer)) AS rk, \(storedDay(f.table, f.date)) AS dt, \
        CASE WHEN \(raw: q(f.score)) IS NULL THEN NULL ELSE \(storedReal(f.table, f.score)) END AS score, \
        \(comment) AS comment FROM \(raw: q(f.table))
        """
    }
  }

  /// The normalize stage alone: the CTEs reading the stored tables that no question's values
  /// enter (customers, orders, order ids, items, stored feedback), in dependency order.
  func normalizeStage() throws {
    _ = customerTable
    _ = orders
    if mapping.items != nil {
      _ = orderOfID
      _ = try items()
    }
    if mapping.feedback != nil { _ = try storedFeedback() }
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
