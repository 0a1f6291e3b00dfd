// The deeper analyses as SQL (semantics.md "Baskets, paths, clusters and comment sentiment"):
//
//   bought together  bt_f (unit, customer, value) of items in the period → co-buyers,
//                    confidence, lift, ranked by co-buyers, lift, name (rows as Baskets.swift)
//   funnel           ev (events read as the loader reads them, customers of u only) → fs0, fs1, … the earliest
//                    instant each customer reached step k at or after step k − 1 (rows as Funnel.swift)
//
// Clusters (k-means iterations) and comment sentiment (a lexicon with negation and contrast
// clauses) have no SQL form here: the compiler says so, as for model-based figures.

import CubeSQLite
import QueryModel

extension Compilation {
  func analysisStatement(_ a: Analysis) throws -> SQL {
    switch a.kind {
    case .boughtTogether: return try boughtTogetherStatement(a)
    case .funnel: return try funnelStatement(a)
    case .clusters:
      throw SQLCompileError(lang == .zh ? "客户聚类由 k-means 迭代计算，没有 SQL 形式（R、F、M 特征可用 RFM 的 SQL 得到）。"
        : "Customer clusters come from k-means iterations and have no SQL form (the R, F, M features do: see the RFM SQL).")
    case .sentiment:
      throw SQLCompileError(lang == .zh ? "评论情感由 grammars/sentiment 词表（否定、转折）判断，没有 SQL 形式。"
        : "Comment sentiment comes from the grammars/sentiment lexicon (negation, contrast clauses) and has no SQL form.")
    }
  }

  /// The period bounds as day-number SQL: [lo, hi] (no lower bound when no period).
  func analysisBounds(_ x: SQL) -> SQL {
    if let p = plan.period { return "\(x) IS NOT NULL AND \(x) >= \(day(p.start)) AND \(x) <= \(day(p.end))" }
    return "\(x) IS NOT NULL AND \(x) <= \(today)"
  }

  func refuseSegmentFilter() throws {
    if needsRFM {
      throw SQLCompileError(lang == .zh ? "这个分析的 SQL 不支持按 RFM 分群筛选。" : "The SQL of this analysis does not filter by RFM segment.")
    }
  }

  func boughtTogetherStatement(_ a: Analysis) throws -> SQL {
    try refuseSegmentFilter()
    guard let anchor = a.anchor, let mapped = mapping.items else { throw noItems }
    guard (anchor.dimension == .category ? mapped.category : mapped.product) != nil else {
      throw SQLCompileError("no \(anchor.dimension.rawValue) in this data")
    }
    let it = try items()
    let ol = orderOfID
    let o = orders
    let u = universe
    let col = anchor.dimension.rawValue
    let unit: SQL = a.sameOrder ? "o.rid" : "o.c"
    let filtered = cte("bt_f") {
      let pred = customerPredicate(RowContext(customer: "o.c", universe: "uu", rfm: nil))
      return """
        SELECT DISTINCT \(unit) AS unit, it.\(raw: col) AS v FROM \(raw: it) it JOIN \(raw: ol) ol ON ol.oid = it.oid \
        JOIN \(raw: o) o ON o.rid = ol.rid LEFT JOIN \(raw: u) uu ON uu.key = o.c \
        WHERE it.\(raw: col) IS NOT NULL AND \(unit) IS NOT NULL AND \(analysisBounds("o.day")) AND \(pred ?? "1 = 1")
        """
    }
    let values = anchor.values.map { bind($0) }
    let anchorUnits = cte("bt_a") { "SELECT DISTINCT unit FROM \(raw: filtered) WHERE \(d.inList("v", values))" }
    let buyers = cte("bt_b") { "SELECT v, count(*) AS buyers FROM \(raw: filtered) GROUP BY v" }
    let co = cte("bt_co") {
      "SELECT f.v, count(*) AS co FROM \(raw: filtered) f JOIN \(raw: anchorUnits) a ON a.unit = f.unit WHERE NOT \(d.inList("f.v", values)) GROUP BY f.v"
    }
    let conf: SQL = "(\(d.real("co.co")) / (SELECT count(*) FROM \(raw: anchorUnits)))"
    let lift: SQL = "(\(conf) / (\(d.real("b.buyers")) / (SELECT count(DISTINCT unit) FROM \(raw: filtered))))"
    return """
      SELECT co.v AS \(raw: q(col)), co.co AS co_buyers, \(conf) AS confidence, \(lift) AS lift, b.buyers AS buyers \
      FROM \(raw: co) co JOIN \(raw: buyers) b ON b.v = co.v ORDER BY co.co DESC, lift DESC, \(raw: d.ascending("co.v", text: true)) LIMIT \(bind(a.limit))
      """
  }

  func funnelStatement(_ a: Analysis) throws -> SQL {
    try refuseSegmentFilter()
    guard let e = mapping.events else {
      throw SQLCompileError(lang == .zh ? "这份数据没有行为事件表，无法做漏斗分析。" : "This data has no events table, so a funnel cannot be answered.")
    }
    let group = plan.groupBy.first
    if let g = group, !attributeDimensions.contains(g) && g != .ageBand {
      throw SQLCompileError(lang == .zh ? "漏斗的 SQL 只能按客户属性拆分。" : "The funnel SQL splits by a customer attribute only.")
    }
    let u = universe
    let raw = cte("ev0", materialized: true) {
      let t = SQL(raw: q(e.time))
      let type = storedText(e.table, e.type)
      if let reader {
        let k = kind(e.table, e.time)
        return """
          SELECT \(storedKey(e.table, e.customer)) AS rk, \(reader.day(t, k)) AS dt, \(reader.seconds(t, k)) AS sec, \(type) AS type \
          FROM \(raw: q(e.table)) WHERE \(raw: q(e.customer)) IS NOT NULL
          """
      }
      let tt = d.toText(t)
      let seconds: SQL = """
        (CASE WHEN typeof(\(t)) = 'text' AND length(\(tt)) >= 16 AND substr(\(tt), 11, 1) IN (' ', 'T') \
        AND substr(\(tt), 12, 2) GLOB '[0-9][0-9]' AND substr(\(tt), 15, 2) GLOB '[0-9][0-9]' \
        AND CAST(substr(\(tt), 12, 2) AS INTEGER) < 24 AND CAST(substr(\(tt), 15, 2) AS INTEGER) < 60 \
        THEN CAST(substr(\(tt), 12, 2) AS INTEGER) * 3600 + CAST(substr(\(tt), 15, 2) AS INTEGER) * 60 \
        + (CASE WHEN length(\(tt)) >= 19 AND substr(\(tt), 18, 2) GLOB '[0-9][0-9]' THEN min(CAST(substr(\(tt), 18, 2) AS INTEGER), 59) ELSE 0 END) \
        ELSE 0 END)
        """
      return """
        SELECT \(raw: q(e.customer)) AS rk, \(d.dayCandidate(t)) AS dt, \(seconds) AS sec, \(type) AS type \
        FROM \(raw: q(e.table)) WHERE \(raw: q(e.customer)) IS NOT NULL
        """
    }
    // Event type → step position (the grammar's eventtype words, lower-cased match).
    var cases: [SQL] = []
    for (value, step) in eventSteps.sorted(by: { $0.key < $1.key }) {
      if let p = a.steps.firstIndex(of: step) { cases.append("WHEN \(bind(value)) THEN \(bind(p))") }
    }
    let stepExpr: SQL = cases.isEmpty ? "NULL" : "(CASE lower(type) \(cases.joined(" ")) END)"
    let ev = cte("ev") {
      """
      SELECT c, day * 86400 + sec AS t, step FROM (SELECT \(customerKey("rk")) AS c, \(candidateDay("dt")) AS day, sec, \
      \(stepExpr) AS step FROM \(raw: raw)) b WHERE c IS NOT NULL AND c IN (SELECT key FROM \(raw: u)) AND step IS NOT NULL \
      AND \(analysisBounds("day"))
      """
    }
    var names: [String] = []
    for k in a.steps.indices {
      let name = "fs\(k)"
      if k == 0 {
        names.append(cte(name) { "SELECT c, min(t) AS t FROM \(raw: ev) WHERE step = 0 GROUP BY c" })
      } else {
        let prev = names[k - 1]
        names.append(cte(name) {
          "SELECT e.c, min(e.t) AS t FROM \(raw: ev) e JOIN \(raw: prev) p ON p.c = e.c AND e.t >= p.t WHERE e.step = \(bind(k)) GROUP BY e.c"
        })
      }
    }
    let ctx = RowContext(customer: "r.c", universe: "uu", rfm: nil)
    let pred = customerPredicate(ctx)
    let gl: SQL = group.map { label($0, ctx) } ?? "NULL"
    let counts = cte("fc") {
      let parts: [SQL] = names.enumerated().map { k, n in
        "SELECT \(gl) AS g, \(bind(k)) AS k, count(*) AS n FROM \(raw: n) r LEFT JOIN \(raw: u) uu ON uu.key = r.c WHERE \(pred ?? "1 = 1") GROUP BY 1"
      }
      return parts.joined(" UNION ALL ")
    }
    let titles: SQL = "(CASE k " + a.steps.enumerated().map { k, s in "WHEN \(bind(k)) THEN \(bind(s.title(lang)))" as SQL }.joined(" ") + " END)"
    let groups = cte("fg") { "SELECT DISTINCT g FROM \(raw: counts) WHERE k = 0" }
    let steps = cte("fk") {
      a.steps.indices.map { "SELECT \(bind($0)) AS k" as SQL }.joined(" UNION ALL ")
    }
    let n: SQL = "coalesce((SELECT max(n) FROM \(raw: counts) x WHERE x.k = s.k AND \(d.isNotDistinct("x.g", "g.g"))), 0)"
    let prev: SQL = "coalesce((SELECT max(n) FROM \(raw: counts) x WHERE x.k = s.k - 1 AND \(d.isNotDistinct("x.g", "g.g"))), 0)"
    let first: SQL = "coalesce((SELECT max(n) FROM \(raw: counts) x WHERE x.k = 0 AND \(d.isNotDistinct("x.g", "g.g"))), 0)"
    let groupCol: SQL = group.map { "g.g AS \(raw: q($0.rawValue)), " } ?? ""
    return """
      SELECT \(groupCol)\(titles) AS step, \(n) AS customers, \
      CASE WHEN s.k = 0 THEN (CASE WHEN \(n) > 0 THEN 1.0 END) WHEN \(prev) > 0 THEN \(d.real(n)) / \(prev) END AS conversion_from_previous, \
      CASE WHEN \(first) > 0 THEN \(d.real(n)) / \(first) END AS conversion_from_first \
      FROM (SELECT g FROM \(raw: groups) UNION SELECT NULL WHERE \(group == nil ? "NOT EXISTS (SELECT 1 FROM \(raw: groups))" : "1 = 0")) g \
      CROSS JOIN \(raw: steps) s ORDER BY g.g IS NOT NULL, \(raw: d.ascending("g.g", text: true)), s.k
      """
  }
}
