// Figures of a period per group (the executor's figures table): for each basis the metrics
// need (orders, order items, feedback, customer states, the customer table) one fact CTE,
// then per (group, customer) pairs, then per group; the groups of all bases and, for a time
// series, every unit of the axis; then metrics, shares, comparison columns, order and limit.
//
// CTE names end with the scope: _m the plan's period, _c the comparison period (its time units
// aligned by position with the main period's), _t the totals shares divide by.
//
// Where the executor deviates from semantics.md this file follows semantics.md:
// - a share is the group's figure ÷ the same figure over all groups, computed without the
//   grouping (so also over groups a ranking leaves out, and counting a customer of several
//   groups once); with no grouping, for a kind of customer (repeat, new, returning,
//   high-repurchase; active, at-risk, churned) it is those customers ÷ buyers (customers with
//   an order, for states);
// - a time series compared with another period compares each unit with the unit at the same
//   position in the comparison period (NULL when that period has fewer units);
// - customer conditions restrict units sold as they restrict sales and orders;
// - new and returning customers are judged by each customer's first order ever.

import QueryModel

/// Where a metric is computed from (the executor's `Basis`).
enum FigureBasis: String, CaseIterable {
  case orders = "o", items = "i", feedback = "f", states = "s", customers = "c"

  var components: [String] {
    switch self {
    case .orders, .items: return ["sales", "orders", "units", "buyers", "repeat", "high", "new", "ret"]
    case .feedback: return ["n", "sum", "prom", "detr", "neg"]
    case .states: return ["with", "active", "risk", "churned"]
    case .customers: return ["n"]
    }
  }

  func column(_ component: String) -> String { rawValue + "_" + component }
}

extension Compilation {
  var metrics: [MetricID] { plan.metrics.isEmpty ? [.sales] : plan.metrics }

  func basis(_ m: MetricID) -> FigureBasis {
    if m.isFeedback { return .feedback }
    if m.isState { return .states }
    if m == .customers { return .customers }
    if plan.groupBy.contains(where: \.isItemAttribute) || hasItemFilter { return .items }
    if m == .units, mapping.items != nil { return .items }
    return .orders
  }

  /// Bases in a fixed order, each once.
  var bases: [FigureBasis] {
    let used = Set(metrics.map(basis))
    return FigureBasis.allCases.filter { used.contains($0) }
  }

  // MARK: Keys

  var hasNames: Bool { mapping.customers?.name != nil }

  /// Key columns of a scope: k<i> per grouping (n<i> the customer's name after a customer
  /// key, when the data has names), then kt (the time unit).
  func keyNames(_ s: Scope) -> [String] {
    var out: [String] = []
    for (i, dim) in s.groups.enumerated() {
      out.append("k\(i)")
      if dim == .customer && hasNames { out.append("n\(i)") }
    }
    if s.grain != nil { out.append("kt") }
    return out
  }

  func keySelect(_ s: Scope, _ r: RowContext, day: SQL) -> [SQL] {
    var out: [SQL] = []
    for (i, dim) in s.groups.enumerated() {
      out.append("\(label(dim, r)) AS k\(raw: String(i))")
      if dim == .customer && hasNames { out.append("\(raw: r.universe).name AS n\(raw: String(i))") }
    }
    if let g = s.grain { out.append("\(unit(g, day)) AS kt") }
    return out
  }

  /// The day bounds of a scope (no period: every day up to today).
  func inPeriod(_ s: Scope, _ day: SQL) -> SQL {
    if let p = s.period { return "\(day) BETWEEN \(self.day(p.start)) AND \(self.day(p.end))" }
    return "\(day) <= \(today)"
  }

  /// FROM items joining the axis bounds, and the condition keeping the axis' units.
  func timeJoin(_ s: Scope, _ day: SQL) -> (from: SQL, condition: SQL?) {
    guard let g = s.grain else { return ("", nil) }
    let b = axisBounds(s, g)
    return (" CROSS JOIN \(raw: b) ab", "\(unit(g, day)) BETWEEN ab.lo AND ab.hi")
  }

  func groupBy(_ names: [String], extra: [String] = []) -> SQL {
    let all = names + extra
    return all.isEmpty ? "" : " GROUP BY \(raw: all.joined(separator: ", "))"
  }

  func customerJoins(_ customer: SQL) -> SQL {
    " LEFT JOIN \(raw: customerRows) u ON u.key = \(customer)"
  }

  func membershipOfGroupsBySegment(_ s: Scope) -> Bool {
    s.groups.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
  }

  // MARK: Bases

  /// The grouped CTE of a basis in a scope: key columns, then the basis' components.
  func grouped(_ b: FigureBasis, _ s: Scope) throws -> String {
    switch b {
    case .orders, .items: return try orderFigures(b, s)
    case .feedback: return try feedbackFigures(s)
    case .states: return stateFigures(s)
    case .customers: return customerTableFigures(s)
    }
  }

  func orderFigures(_ b: FigureBasis, _ s: Scope) throws -> String {
    let keys = keyNames(s)
    let it = b == .items ? try items() : nil
    let o = orders
    let facts = cte("f\(b.rawValue)_\(s.name)") {
      let r = RowContext(customer: "o.c", universe: "u", rfm: needsRFM ? "u" : nil, channel: "o.channel",
                         category: it == nil ? nil : "it.category", product: it == nil ? nil : "it.product", topic: nil)
      let (tf, tc) = timeJoin(s, "o.day")
      var cols = keySelect(s, r, day: "o.day")
      var from: SQL
      if let it {
        cols += ["o.c AS c", "o.rid AS oid", "it.q * it.price AS amt", "it.q AS qty"]
        from = "\(raw: it) it JOIN \(raw: orderOfID) ol ON ol.oid = it.oid JOIN \(raw: o) o ON o.rid = ol.rid"
      } else {
        cols += ["o.c AS c", "coalesce(o.amount, 0.0) AS amt", "o.qty AS qty"]
        from = "\(raw: o) o"
      }
      from.append(customerJoins("o.c"))
      from.append(tf)
      let cond = allOf(["o.day IS NOT NULL", inPeriod(s, "o.day"), customerPredicate(r), channelPredicate("o.channel"),
                        it == nil ? nil : itemPredicate("it"), tc])
      return "SELECT \(cols.joined(", ")) FROM \(from) WHERE \(cond)"
    }
    let pairs = cte("p\(b.rawValue)_\(s.name)") {
      let n: SQL = it == nil ? "count(*)" : "count(DISTINCT oid)"
      let k = keys.map { SQL(raw: $0) }
      return "SELECT \((k + ["c", "\(n) AS n", "\(d.sumOrZero("amt")) AS spend", "\(d.sumOrZero("qty")) AS units"]).joined(", ")) FROM \(raw: facts)\(groupBy(keys, extra: ["c"]))"
    }
    return cte("g\(b.rawValue)_\(s.name)") {
      let qualifies = allOf(["p.c IS NOT NULL"] + plan.conditions.map { c in
        "p.\(raw: c.measure == .orders ? "n" : "spend") \(raw: c.op.rawValue) \(bind(c.value))" as SQL?
      })
      let conditional = !plan.conditions.isEmpty
      func count(_ extra: SQL?) -> SQL { "sum(CASE WHEN \(allOf([qualifies, extra])) THEN 1 ELSE 0 END)" }
      var from: SQL = "\(raw: pairs) p LEFT JOIN \(raw: universe) u ON u.key = p.c"
      var bucket: (SQL, SQL)?
      if let g = s.grain {
        from.append(" LEFT JOIN \(raw: axis(s, g)) a ON a.kt = p.kt")
        if let per = s.period {
          bucket = (d.greatest("a.ustart", day(per.start)), d.least("a.uend", day(per.end)))
        } else {
          bucket = ("a.ustart", "a.uend")
        }
      } else if let per = s.period {
        bucket = (day(per.start), day(per.end))
      }
      let comps: [SQL] = [
        conditional ? d.sumOrZero("CASE WHEN \(qualifies) THEN p.spend END") : d.sumOrZero("p.spend"),
        conditional ? "coalesce(sum(CASE WHEN \(qualifies) THEN p.n END), 0)" : "coalesce(sum(p.n), 0)",
        conditional ? d.sumOrZero("CASE WHEN \(qualifies) THEN p.units END") : d.sumOrZero("p.units"),
        count(nil),
        count("p.n >= 2"),
        count("p.n >= \(bind(plan.thresholds.highRepurchaseOrders))"),
        bucket.map { count("u.first_ever BETWEEN \($0.0) AND \($0.1)") } ?? count(nil),
        bucket.map { count("u.first_ever < \($0.0)") } ?? "0",
      ]
      let cols = keys.map { SQL(raw: "p." + $0 + " AS " + $0) } + zip(comps, b.components).map { "\($0) AS \(raw: b.column($1))" }
      return "SELECT \(cols.joined(", ")) FROM \(from)\(groupBy(keys.map { "p." + $0 }))"
    }
  }

  func feedbackFigures(_ s: Scope) throws -> String {
    let fb = try feedback()
    let byTopic = s.groups.contains(.topic)
    let ft = byTopic ? try feedbackTopics() : nil
    let keys = keyNames(s)
    let facts = cte("ff_\(s.name)") {
      let r = RowContext(customer: "fb.c", universe: "u", rfm: needsRFM ? "u" : nil, channel: nil, category: nil, product: nil,
                         topic: ft == nil ? nil : "ft.name")
      var from: SQL = "\(raw: fb) fb"
      if let ft { from.append(" JOIN \(raw: ft) ft ON ft.rid = fb.rid") }
      from.append(customerJoins("fb.c"))
      let (tf, tc) = timeJoin(s, "fb.day")
      from.append(tf)
      let cond = allOf(["fb.day IS NOT NULL", inPeriod(s, "fb.day"), "fb.score IS NOT NULL", customerPredicate(r), topicPredicate("fb.comment"), tc])
      return "SELECT \((keySelect(s, r, day: "fb.day") + ["fb.score AS sc"]).joined(", ")) FROM \(from) WHERE \(cond)"
    }
    return cte("gf_\(s.name)") {
      let comps: [SQL] = [
        "count(*)", d.sumOrZero("sc"), "sum(CASE WHEN sc >= 9 THEN 1 ELSE 0 END)", "sum(CASE WHEN sc <= 6 THEN 1 ELSE 0 END)",
        "sum(CASE WHEN sc <= \(bind(plan.thresholds.negativeScoreMax)) THEN 1 ELSE 0 END)",
      ]
      let cols = keys.map { SQL(raw: $0) } + zip(comps, FigureBasis.feedback.components).map { "\($0) AS \(raw: FigureBasis.feedback.column($1))" }
      return "SELECT \(cols.joined(", ")) FROM \(raw: facts)\(groupBy(keys))"
    }
  }

  /// Customer states as of today, for customers with an order up to today.
  func stateFigures(_ s: Scope) -> String {
    let keys = keyNames(s)
    let u = customerRows
    let facts = cte("fs_\(s.name)") {
      let r = RowContext(customer: "u.key", universe: "u", rfm: needsRFM ? "u" : nil, channel: nil, category: nil, product: nil, topic: nil)
      var from: SQL = "\(raw: u) u"
      let (tf, tc) = timeJoin(s, today)
      from.append(tf)
      let cond = allOf(["u.n_orders > 0", customerPredicate(r), tc])
      return "SELECT \((keySelect(s, r, day: today) + ["u.last_day AS last"]).joined(", ")) FROM \(from) WHERE \(cond)"
    }
    return cte("gs_\(s.name)") {
      let activeFrom: SQL = "(\(today) - \(bind(plan.thresholds.activeDays)) + 1)"
      let churnBefore: SQL = "(\(today) - \(bind(plan.thresholds.churnDays)) + 1)"
      let comps: [SQL] = [
        "count(*)", "sum(CASE WHEN last >= \(activeFrom) THEN 1 ELSE 0 END)",
        "sum(CASE WHEN last < \(activeFrom) AND last >= \(churnBefore) THEN 1 ELSE 0 END)",
        "sum(CASE WHEN last < \(activeFrom) AND last < \(churnBefore) THEN 1 ELSE 0 END)",
      ]
      let cols = keys.map { SQL(raw: $0) } + zip(comps, FigureBasis.states.components).map { "\($0) AS \(raw: FigureBasis.states.column($1))" }
      return "SELECT \(cols.joined(", ")) FROM \(raw: facts)\(groupBy(keys))"
    }
  }

  /// Customers of the customer table (without one, or by segment: customers with an order up
  /// to today); with a period, those who signed up in it (no sign-up column: first order).
  func customerTableFigures(_ s: Scope) -> String {
    let keys = keyNames(s)
    let u = customerRows
    let ht = hasTable
    let facts = cte("fc_\(s.name)") {
      let r = RowContext(customer: "u.key", universe: "u", rfm: needsRFM ? "u" : nil, channel: nil, category: nil, product: nil, topic: nil)
      var from: SQL = "\(raw: u) u CROSS JOIN \(raw: ht) ht"
      let signup: SQL = mapping.customers?.signup != nil ? "u.signup" : "u.first_day"
      let keyDay: SQL = s.period == nil ? today : signup
      let (tf, tc) = timeJoin(s, keyDay)
      from.append(tf)
      let member: SQL = membershipOfGroupsBySegment(s) ? "u.n_orders > 0" : "(CASE WHEN ht.has = 1 THEN u.in_table = 1 ELSE u.n_orders > 0 END)"
      let signedUp: SQL? = s.period.map { p in "\(signup) IS NOT NULL AND \(signup) BETWEEN \(day(p.start)) AND \(day(p.end))" }
      let cond = allOf([member, customerPredicate(r), signedUp, tc])
      let cols = keySelect(s, r, day: keyDay)
      return "SELECT \((cols.isEmpty ? ["1 AS one"] : cols).joined(", ")) FROM \(from) WHERE \(cond)"
    }
    return cte("gc_\(s.name)") {
      let cols = keys.map { SQL(raw: $0) } + ["count(*) AS \(raw: FigureBasis.customers.column("n"))"]
      return "SELECT \(cols.joined(", ")) FROM \(raw: facts)\(groupBy(keys))"
    }
  }

  // MARK: Metrics from components

  /// A metric's value from the components of its basis (`ref` names a component column).
  func value(_ m: MetricID, _ ref: (FigureBasis, String) -> SQL) -> SQL {
    let b = basis(m)
    func z(_ c: String, _ zero: String = "0") -> SQL { "coalesce(\(ref(b, c)), \(raw: zero))" }
    func ratio(_ num: SQL, _ den: String) -> SQL { "(CASE WHEN \(z(den)) = 0 THEN NULL ELSE \(num) / \(ref(b, den)) END)" }
    switch m {
    case .sales: return z("sales", "0.0")
    case .orders: return z("orders")
    case .units: return z("units", "0.0")
    case .buyers: return z("buyers")
    case .repeatCustomers: return z("repeat")
    case .highRepurchaseCustomers: return z("high")
    case .newCustomers: return z("new")
    case .returningCustomers: return z("ret")
    case .aov: return ratio(z("sales", "0.0"), "orders")
    case .spendPerBuyer: return ratio(z("sales", "0.0"), "buyers")
    case .repeatRate: return ratio("\(ref(b, "repeat")) * 1.0", "buyers")
    case .customers: return z("n")
    case .nps: return "(CASE WHEN \(z("n")) = 0 THEN NULL ELSE ((\(ref(b, "prom")) - \(ref(b, "detr"))) * 1.0 / \(ref(b, "n"))) * 100 END)"
    case .averageScore: return ratio(z("sum", "0.0"), "n")
    case .negativeFeedback: return z("neg")
    case .feedbackCount: return z("n")
    case .activeCustomers: return z("active")
    case .atRiskCustomers: return z("risk")
    case .churnedCustomers: return z("churned")
    case .churnRate: return ratio("\(ref(b, "churned")) * 1.0", "with")
    case .retention: return "NULL"
    case .predictedPurchases, .clv, .pAlive, .churnProbability: return "NULL"
    default: return "NULL"
    }
  }

  /// For a kind of customer, the component its share divides by when there is no grouping
  /// (buyers, or customers with an order for states); nil for other figures.
  func kindDenominator(_ m: MetricID) -> String? {
    switch m {
    case .repeatCustomers, .highRepurchaseCustomers, .newCustomers, .returningCustomers: return "buyers"
    case .activeCustomers, .atRiskCustomers, .churnedCustomers: return "with"
    default: return nil
    }
  }

  // MARK: The statement

  func figuresStatement() throws -> SQL {
    let main = Scope(name: "m", period: plan.period, grain: plan.timeGrain, groups: plan.groupBy)
    let cmpPeriod = plan.comparison != nil ? plan.comparisonPeriod : nil
    let cmp = cmpPeriod.map { Scope(name: "c", period: $0, grain: plan.timeGrain, groups: plan.groupBy) }
    let bases = self.bases
    let keys = keyNames(main)
    let others = keys.filter { $0 != "kt" }

    var mainGroups: [(FigureBasis, String)] = []
    for b in bases { mainGroups.append((b, try grouped(b, main))) }
    var cmpGroups: [(FigureBasis, String)] = []
    if let cmp { for b in bases { cmpGroups.append((b, try grouped(b, cmp))) } }

    let mainComps = bases.flatMap { b in b.components.map { b.column($0) } }
    let cmpComps = cmp == nil ? [] : mainComps.map { "p" + $0 }
    let allComps = mainComps + cmpComps

    // Every row of the result: groups with data in the main period, and the time axis.
    let rows = cte("rw") {
      func arm(_ keySQL: [SQL], present: Bool, _ comps: [String: String], from: SQL) -> SQL {
        let cols = keySQL + ["\(raw: present ? "1" : "NULL") AS pr"] + allComps.map { c in SQL(raw: (comps[c] ?? "NULL") + " AS " + c) }
        return "SELECT \(cols.joined(", ")) FROM \(from)"
      }
      var arms: [SQL] = []
      for (b, g) in mainGroups {
        let comps = Dictionary(uniqueKeysWithValues: b.components.map { (b.column($0), b.column($0)) })
        arms.append(arm(keys.map { SQL(raw: $0) }, present: true, comps, from: "\(raw: g)"))
      }
      if let g = main.grain {
        let ax = axis(main, g)
        if others.isEmpty {
          arms.append(arm(["kt"], present: true, [:], from: "\(raw: ax)"))
        } else {
          let groupKeys: [SQL] = mainGroups.map { "SELECT \(raw: others.joined(separator: ", ")) FROM \(raw: $0.1)" }
          let from: SQL = "(\(groupKeys.joined(" UNION "))) gk CROSS JOIN \(raw: ax) a"
          arms.append(arm(others.map { SQL(raw: "gk." + $0) } + ["a.kt"], present: true, [:], from: from))
        }
      } else if keys.isEmpty {
        arms.append(arm([], present: true, [:], from: "(SELECT 1 AS one) one"))
      }
      if let cmp {
        for (b, g) in cmpGroups {
          let comps = Dictionary(uniqueKeysWithValues: b.components.map { ("p" + b.column($0), b.column($0)) })
          var keySQL = others.map { SQL(raw: $0) }
          var from: SQL = "\(raw: g)"
          if let grain = cmp.grain {
            keySQL.append("kt - ac.lo + am.lo AS kt")
            from.append(" CROSS JOIN \(raw: axisBounds(main, grain)) am CROSS JOIN \(raw: axisBounds(cmp, grain)) ac")
          }
          arms.append(arm(keySQL, present: false, comps, from: from))
        }
      }
      let aggregated = keys.map { SQL(raw: $0) } + ["max(pr) AS pr"] + allComps.map { SQL(raw: "max(\($0)) AS \($0)") }
      var conditions: [SQL?] = ["pr = 1"]
      if let i = plan.groupBy.firstIndex(where: { $0 == .segment || $0 == .topic }) { conditions.append("k\(raw: String(i)) IS NOT NULL") }
      return """
        SELECT * FROM (SELECT \(aggregated.joined(", ")) FROM (\(arms.joined("\n  UNION ALL "))) x\(groupBy(keys))) y \
        WHERE \(allOf(conditions))
        """
    }

    // Totals for shares: the figures with no grouping and no time series.
    var totalRefs: [FigureBasis: String] = [:]
    var from: SQL = "\(raw: rows) rw"
    if plan.share {
      let tot = Scope(name: "t", period: plan.period, grain: nil, groups: [])
      for b in bases {
        let g = try grouped(b, tot)
        totalRefs[b] = "t_" + b.rawValue
        from.append(" CROSS JOIN \(raw: g) t_\(raw: b.rawValue)")
      }
    }
    var beyond: SQL?
    if let cmp, let g = cmp.grain {
      from.append(" CROSS JOIN \(raw: axisBounds(main, g)) am CROSS JOIN \(raw: axisBounds(cmp, g)) ac")
      beyond = "rw.kt - am.lo > ac.hi - ac.lo"
    }

    // Values per row: v<i> the metrics, s<i> shares, p<i> the comparison period's.
    let ms = metrics
    var finCols = keys.map { SQL(raw: "rw." + $0 + " AS " + $0) }
    for (i, m) in ms.enumerated() {
      finCols.append("\(value(m) { b, c in SQL(raw: "rw." + b.column(c)) }) AS v\(raw: String(i))")
      if plan.share {
        let v = value(m) { b, c in SQL(raw: "rw." + b.column(c)) }
        let share: SQL
        if keys.isEmpty, let den = kindDenominator(m) {
          let b = basis(m)
          share = "(CASE WHEN coalesce(rw.\(raw: b.column(den)), 0) = 0 THEN NULL ELSE \(v) * 1.0 / rw.\(raw: b.column(den)) END)"
        } else {
          let t = value(m) { b, c in SQL(raw: (totalRefs[b] ?? "t") + "." + b.column(c)) }
          share = "(CASE WHEN \(v) IS NULL OR \(t) IS NULL OR \(t) = 0 THEN NULL ELSE \(v) * 1.0 / \(t) END)"
        }
        finCols.append("\(share) AS s\(raw: String(i))")
      }
      if cmp != nil {
        let p = value(m) { b, c in SQL(raw: "rw.p" + b.column(c)) }
        finCols.append((beyond.map { "(CASE WHEN \($0) THEN NULL ELSE \(p) END)" } ?? p) + " AS p\(raw: String(i))")
      }
    }
    let fin = cte("fin") { "SELECT \(finCols.joined(", ")) FROM \(from)" }

    // Output columns, as the executor's ResultTable.
    var out: [SQL] = []
    for (i, dim) in plan.groupBy.enumerated() {
      out.append("k\(raw: String(i)) AS \(raw: q(dim.rawValue))")
      if dim == .customer && hasNames { out.append("n\(raw: String(i)) AS \(raw: q("name"))") }
    }
    if let g = plan.timeGrain { out.append("\(unitLabel(g, "kt")) AS \(raw: q(g.rawValue))") }
    for (i, m) in ms.enumerated() { out.append("v\(raw: String(i)) AS \(raw: q(m.rawValue))") }
    if plan.share {
      for (i, m) in ms.enumerated() { out.append("s\(raw: String(i)) AS \(raw: q(m.rawValue + "_share"))") }
    }
    if cmp != nil {
      for (i, m) in ms.enumerated() {
        let v: SQL = "v\(raw: String(i))", p: SQL = "p\(raw: String(i))"
        out.append("\(p) AS \(raw: q(m.rawValue + "_previous"))")
        out.append("(CASE WHEN \(v) IS NULL OR \(p) IS NULL THEN NULL ELSE \(v) - \(p) END) AS \(raw: q(m.rawValue + "_change"))")
        out.append("(CASE WHEN \(v) IS NULL OR \(p) IS NULL OR \(p) = 0 THEN NULL ELSE (\(v) - \(p)) * 1.0 / abs(\(p)) END) AS \(raw: q(m.rawValue + "_change_rate"))")
      }
    }

    // Order: by the first figure for rankings (and topics alone), ties and otherwise by keys.
    let keyOrder = keys.filter { !$0.hasPrefix("n") }
    var order: [String] = []
    let byFigure = plan.ranking != nil || (plan.groupBy == [.topic] && plan.timeGrain == nil)
    if byFigure {
      order.append("v0 \((plan.ranking?.descending ?? true) ? "DESC" : "ASC") \(d.nullsLast)")
    }
    order += keyOrder
    var statement: SQL = "SELECT \(out.joined(", ")) FROM \(raw: fin)"
    if !order.isEmpty { statement.append(raw: " ORDER BY " + order.joined(separator: ", ")) }
    if let r = plan.ranking { statement.append(" LIMIT \(bind(max(r.limit, 0)))") }
    return statement
  }
}
