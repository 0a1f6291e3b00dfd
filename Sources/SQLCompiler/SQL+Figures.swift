// Figures of a period per group (the executor's figures table): for each basis the metrics
// need (orders, order items, feedback, customer states, the customer table) one fact CTE,
// then per (group, customer) pairs, then per group; the groups of all bases and, for a time
// series, every unit of the axis; then metrics, shares, comparison columns, order and limit.
//
// CTE names end with the scope: _m the plan's period, _c the comparison period (its time units
// aligned by position with the main period's), _t the totals shares divide by.
//
// As semantics.md defines them (and the executor computes them; the differential test
// fails on any disagreement):
// - a share is the group's figure ÷ the same figure over all groups, computed without the
//   grouping (so also over groups a ranking leaves out, and counting a customer of several
//   groups once); with no grouping, for a kind of customer (repeat, new, returning,
//   high-repurchase; active, at-risk, churned) it is those customers ÷ buyers (customers with
//   an order, for states);
// - a time series compared with another period compares each unit with the unit at the same
//   position in the comparison period (NULL when that period has fewer units);
// - customer conditions restrict units sold as they restrict sales and orders;
// - new and returning customers are judged by each customer's first order ever.
//
// Catalog metrics (grammars/metrics/catalog.rules) are written from their `Formula`: the
// built-in figures it reads come from their own basis, sums of order columns and purchase
// intervals from the catalog basis (per (group, customer) pairs, then per group).

import QueryModel

/// Where a metric is computed from (the executor's `Basis`).
enum FigureBasis: String, CaseIterable {
  case orders = "o", items = "i", feedback = "f", states = "s", customers = "c", catalog = "k"

  var components: [String] {
    switch self {
    case .orders, .items: return ["sales", "orders", "units", "buyers", "repeat", "high", "new", "ret"]
    case .feedback: return ["n", "sum", "prom", "detr", "neg"]
    case .states: return ["with", "active", "risk", "churned"]
    case .customers: return ["n"]
    case .catalog: return ["sum_amount", "sum_discount", "sum_quantity", "ivl_sum", "ivl_n"]
    }
  }

  func column(_ component: String) -> String { rawValue + "_" + component }

  /// Components holding sums of amounts (doubles); the others are counts.
  static let realComponents: Set<String> = ["sales", "units", "sum", "sum_amount", "sum_discount", "sum_quantity", "ivl_sum"]
}

extension Compilation {
  var metrics: [MetricID] { plan.metrics.isEmpty ? [.sales] : plan.metrics }

  func basis(_ m: MetricID) -> FigureBasis {
    if m.formula != nil { return .catalog }
    if m.isFeedback { return .feedback }
    if m.isState { return .states }
    if m == .customers { return .customers }
    if plan.groupBy.contains(where: \.isItemAttribute) || hasItemFilter { return .items }
    if m == .units, mapping.items != nil { return .items }
    return .orders
  }

  /// Bases in a fixed order, each once.
  var bases: [FigureBasis] {
    let used = Set(metrics.flatMap { m in [basis(m)] + (m.formula?.formula.metrics.map(basis) ?? []) })
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
    case .catalog: return try catalogFigures(s)
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
                        orderAmountPredicate("o.amount"), it == nil ? nil : itemPredicate("it"), tc])
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

  /// The base measures of catalog metrics per group: sums of the order columns (by role) and
  /// purchase intervals, over the same orders as the order figures (as CatalogMeasures.swift).
  func catalogFigures(_ s: Scope) throws -> String {
    let keys = keyNames(s)
    let o = orders
    let facts = cte("fk_\(s.name)") {
      let r = RowContext(customer: "o.c", universe: "u", rfm: needsRFM ? "u" : nil, channel: "o.channel", category: nil, product: nil, topic: nil)
      let (tf, tc) = timeJoin(s, "o.day")
      let cols = keySelect(s, r, day: "o.day") + ["o.c AS c", "o.day AS day", "coalesce(o.amount, 0.0) AS amt", "o.disc AS disc", "o.qty AS qty"]
      var from: SQL = "\(raw: o) o"
      from.append(customerJoins("o.c"))
      from.append(tf)
      let cond = allOf(["o.day IS NOT NULL", inPeriod(s, "o.day"), customerPredicate(r), channelPredicate("o.channel"),
                        orderAmountPredicate("o.amount"), tc])
      return "SELECT \(cols.joined(", ")) FROM \(from) WHERE \(cond)"
    }
    let pairs = cte("pk_\(s.name)") {
      let k = keys.map { SQL(raw: $0) }
      let cols = k + ["c", "count(*) AS n", "min(day) AS fd", "max(day) AS ld", "\(d.sumOrZero("amt")) AS s_amount",
                      "\(d.sumOrZero("disc")) AS s_discount", "\(d.sumOrZero("qty")) AS s_quantity"]
      return "SELECT \(cols.joined(", ")) FROM \(raw: facts)\(groupBy(keys, extra: ["c"]))"
    }
    return cte("gk_\(s.name)") {
      // Customer conditions keep the pairs whose customer meets them (as for sales and orders).
      let qualifies = allOf(["c IS NOT NULL"] + plan.conditions.map { c in
        "\(raw: c.measure == .orders ? "n" : "s_amount") \(raw: c.op.rawValue) \(bind(c.value))" as SQL?
      })
      func total(_ x: String) -> SQL { plan.conditions.isEmpty ? d.sumOrZero(SQL(raw: x)) : d.sumOrZero("CASE WHEN \(qualifies) THEN \(raw: x) END") }
      let interval: SQL = "(CASE WHEN \(qualifies) AND n >= 2 THEN \(d.real("(ld - fd)")) / (n - 1) END)"
      let comps: [SQL] = [
        total("s_amount"), total("s_discount"), total("s_quantity"), d.sumOrZero(interval),
        "sum(CASE WHEN \(qualifies) AND n >= 2 THEN 1 ELSE 0 END)",
      ]
      let cols = keys.map { SQL(raw: $0) } + zip(comps, FigureBasis.catalog.components).map { "\($0) AS \(raw: FigureBasis.catalog.column($1))" }
      return "SELECT \(cols.joined(", ")) FROM \(raw: pairs)\(groupBy(keys))"
    }
  }

  /// Refuses, as the executor does, catalog metrics the data or the plan cannot give: a
  /// column the orders do not have, a split by product or category (order figures are not
  /// spread over items), customer conditions.
  func checkCatalog() throws {
    for m in metrics {
      guard let entry = m.formula else { continue }
      let title = lang == .zh ? (entry.titles[.zh] ?? m.rawValue) : (entry.titles[.en] ?? m.rawValue)
      if plan.groupBy.contains(where: \.isItemAttribute) || hasItemFilter {
        throw SQLCompileError(lang == .zh ? "\(title)按订单计算，不能按商品或品类拆分（订单折扣不分摊到商品）。"
          : "\(title) is an order figure and cannot be split by product or category (order discounts are not spread over items).")
      }
      for role in entry.formula.columns.sorted() {
        let present: Bool
        switch role {
        case "amount": present = true
        case "discount": present = mapping.orders.discount != nil
        case "quantity": present = mapping.orders.quantity != nil
        default: present = false
        }
        if !present {
          throw SQLCompileError(lang == .zh ? "这份数据的订单表没有\(role == "discount" ? "折扣" : role)列，无法计算\(title)。"
            : "The orders in this data have no \(role) column, so \(title) cannot be computed.")
        }
      }
    }
  }

  /// A catalog formula as SQL over the components (`ref`), NULL where the executor has no value.
  func formulaSQL(_ f: Formula, _ ref: (FigureBasis, String) -> SQL) -> SQL {
    switch f {
    case .number(let v): return SQL(raw: d.literal(.double(v)))
    case .metric(let m): return value(m, ref)
    case .sum(let role): return "coalesce(\(ref(.catalog, "sum_" + role)), 0.0)"
    case .meanInterval:
      return "(CASE WHEN coalesce(\(ref(.catalog, "ivl_n")), 0) = 0 THEN NULL ELSE \(d.real(ref(.catalog, "ivl_sum"))) / \(ref(.catalog, "ivl_n")) END)"
    case .add(let a, let b): return "(\(formulaSQL(a, ref)) + \(formulaSQL(b, ref)))"
    case .subtract(let a, let b): return "(\(formulaSQL(a, ref)) - \(formulaSQL(b, ref)))"
    case .multiply(let a, let b): return "(\(formulaSQL(a, ref)) * \(formulaSQL(b, ref)))"
    case .divide(let a, let b):
      let y = formulaSQL(b, ref)
      return "(CASE WHEN \(y) IS NULL OR \(y) = 0 THEN NULL ELSE \(d.real(formulaSQL(a, ref))) / \(y) END)"
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

  /// A NULL in a component column (`[p]<basis>_<component>`) of the row union, typed on typed
  /// engines (PostgreSQL types a union of NULLs pairwise, as text).
  func nullComponent(_ column: String) -> String {
    let name = column.hasPrefix("p") ? String(column.dropFirst()) : column
    let component = name.split(separator: "_", maxSplits: 1).last.map(String.init) ?? name
    return FigureBasis.realComponents.contains(component) ? nullReal : nullInteger
  }

  /// A metric's value from the components of its basis (`ref` names a component column).
  func value(_ m: MetricID, _ ref: (FigureBasis, String) -> SQL) -> SQL {
    if let f = m.formula?.formula { return formulaSQL(f, ref) }
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
    case .repeatRate: return ratio(d.real(ref(b, "repeat")), "buyers")
    case .customers: return z("n")
    case .nps: return "(CASE WHEN \(z("n")) = 0 THEN NULL ELSE (\(d.real("(\(ref(b, "prom")) - \(ref(b, "detr")))")) / \(ref(b, "n"))) * 100 END)"
    case .averageScore: return ratio(z("sum", "0.0"), "n")
    case .negativeFeedback: return z("neg")
    case .feedbackCount: return z("n")
    case .activeCustomers: return z("active")
    case .atRiskCustomers: return z("risk")
    case .churnedCustomers: return z("churned")
    case .churnRate: return ratio(d.real(ref(b, "churned")), "with")
    case .retention: return SQL(raw: nullReal)
    case .predictedPurchases, .clv, .pAlive, .churnProbability: return SQL(raw: nullReal)
    default: return SQL(raw: nullReal)
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
    try checkCatalog()
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
        let cols = keySQL + ["\(raw: present ? "1" : "NULL") AS pr"] + allComps.map { c in SQL(raw: (comps[c] ?? nullComponent(c)) + " AS " + c) }
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
          share = "(CASE WHEN coalesce(rw.\(raw: b.column(den)), 0) = 0 THEN NULL ELSE \(d.real(v)) / rw.\(raw: b.column(den)) END)"
        } else {
          let t = value(m) { b, c in SQL(raw: (totalRefs[b] ?? "t") + "." + b.column(c)) }
          share = "(CASE WHEN \(v) IS NULL OR \(t) IS NULL OR \(t) = 0 THEN NULL ELSE \(d.real(v)) / \(t) END)"
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
    var described: [OutputColumn] = []
    func column(_ expr: SQL, _ id: String, key: Bool = false, numeric: Bool = true) {
      out.append("\(expr) AS \(raw: q(id))")
      described.append(OutputColumn(id: id, isKey: key, numeric: numeric))
    }
    for (i, dim) in plan.groupBy.enumerated() {
      column("k\(raw: String(i))", dim.rawValue, key: true, numeric: false)
      if dim == .customer && hasNames { column("n\(raw: String(i))", "name", numeric: false) }
    }
    if let g = plan.timeGrain { column(unitLabel(g, "kt"), g.rawValue, key: true, numeric: false) }
    for (i, m) in ms.enumerated() { column("v\(raw: String(i))", m.rawValue) }
    if plan.share {
      for (i, m) in ms.enumerated() { column("s\(raw: String(i))", m.rawValue + "_share") }
    }
    if cmp != nil {
      for (i, m) in ms.enumerated() {
        let v: SQL = "v\(raw: String(i))", p: SQL = "p\(raw: String(i))"
        column(p, m.rawValue + "_previous")
        column("(CASE WHEN \(v) IS NULL OR \(p) IS NULL THEN NULL ELSE \(v) - \(p) END)", m.rawValue + "_change")
        column("(CASE WHEN \(v) IS NULL OR \(p) IS NULL OR \(p) = 0 THEN NULL ELSE \(d.real("(\(v) - \(p))")) / abs(\(p)) END)", m.rawValue + "_change_rate")
      }
    }
    outputColumns = described

    // Order: by the first figure for rankings (and topics alone), ties and otherwise by keys
    // (NULL first, text by its bytes, as SQLite orders them).
    var order: [(expr: String, term: String)] = []
    let byFigure = plan.ranking != nil || (plan.groupBy == [.topic] && plan.timeGrain == nil)
    if byFigure {
      let e = d.rankKey("v0").literal(d.literal)
      order.append((e, e + " \((plan.ranking?.descending ?? true) ? "DESC" : "ASC") \(d.nullsLast)"))
    }
    for (i, dim) in plan.groupBy.enumerated() {
      let text = dim != .customer || !(reader?.integerKeys ?? true)
      order.append(("k\(i)", d.ascending("k\(i)", text: text)))
    }
    if plan.timeGrain != nil { order.append(("kt", d.ascending("kt", text: false))) }
    if orderColumns {
      // A block of a tree: the order as columns, for numbering its rows (`numberedRows`).
      for (i, o) in order.enumerated() { out.append("\(raw: o.expr) AS ob\(raw: String(i))") }
      windowOrder = order.enumerated().map { i, o in o.term.replacingOccurrences(of: o.expr, with: "ob\(i)") }
    }
    var statement: SQL = "SELECT \(out.joined(", ")) FROM \(raw: fin)"
    if !order.isEmpty { statement.append(raw: " ORDER BY " + order.map(\.term).joined(separator: ", ")) }
    if let r = plan.ranking { statement.append(" LIMIT \(bind(max(r.limit, 0)))") }
    return statement
  }
}
