// Group keys and filters of one row: what a dimension's label is for a row of orders, items,
// feedback or customers, and the plan's filters as predicates over those labels.
//
// Customer filters (region, segment, age band, …) pass customers whose label is one of the
// values (a negated filter: whose label is not, the unknown label included) and never a row
// without a customer; channel filters apply to orders, item filters (category, product) to
// order items, topic filters to feedback comments. A value missing from the data matches nothing.
//
// Customer predicates (plan.customerPredicates) join the customer filters: kinds decided
// within the plan's period (new, returning, repeat, high-repurchase, buyers) over all orders
// of that period, states (active, at risk, churned) as of today, ages by birth year. Order
// predicates (plan.orderPredicates) keep orders whose amount passes; a NULL amount fails.

import QueryModel

/// Age bands by birth year (semantics.md "Dimensions"), labelled as the executor labels them.
let ageBandNames = ["<25", "25–34", "35–44", "45–54", "≥55"]

/// What the columns of a row are called in the query that reads it.
struct RowContext {
  /// The row's customer key (NULL when the row has no known customer).
  var customer: SQL
  /// The alias of the joined universe row `u`.
  var universe: String
  /// The alias of the row carrying `seg` (the joined `ur`; nil when the plan needs no segment).
  var rfm: String?
  var channel: SQL?
  var category: SQL?
  var product: SQL?
  var topic: SQL?
}

extension Compilation {
  var needsRFM: Bool {
    forceRFM || plan.groupBy.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
  }

  static func isCustomerFilter(_ dim: DimensionID) -> Bool {
    ![.channel, .category, .product, .topic].contains(dim)
  }

  var customerFilters: [Filter] { plan.filters.filter { Compilation.isCustomerFilter($0.dimension) } }

  /// Refuses, as the executor does, filters on order items the data does not have.
  func checkFilters() throws {
    for f in plan.filters where f.dimension == .category || f.dimension == .product {
      guard let items = mapping.items else { throw noItems }
      if (f.dimension == .category ? items.category : items.product) == nil {
        throw SQLCompileError("no \(f.dimension.rawValue) in this data")
      }
    }
  }

  /// The label of a dimension for a row (NULL: the unknown group).
  func label(_ dim: DimensionID, _ r: RowContext) -> SQL {
    switch dim {
    case .region, .city, .sourceChannel, .memberLevel, .gender:
      return "\(raw: r.universe).\(raw: attributeColumn(dim))"
    case .ageBand:
      let age: SQL = "(\(bind(plan.today.year)) - \(raw: r.universe).birth)"
      return """
        (CASE WHEN \(raw: r.universe).birth > 0 THEN CASE WHEN \(age) < 25 THEN \(constant(ageBandNames[0])) \
        WHEN \(age) <= 34 THEN \(constant(ageBandNames[1])) WHEN \(age) <= 44 THEN \(constant(ageBandNames[2])) \
        WHEN \(age) <= 54 THEN \(constant(ageBandNames[3])) ELSE \(constant(ageBandNames[4])) END END)
        """
    case .segment:
      guard let rfm = r.rfm else { return "NULL" }
      return segmentLabel("\(raw: rfm).seg")
    case .customer: return r.customer
    case .channel: return r.channel ?? "NULL"
    case .category: return r.category ?? "NULL"
    case .product: return r.product ?? "NULL"
    case .topic: return r.topic ?? "NULL"
    }
  }

  /// `x IN (values)`, or for a negated filter `x IS NULL OR x NOT IN (values)`.
  func membership(_ x: SQL, _ values: [SQL], negated: Bool) -> SQL {
    let inList = d.inList(x, values)
    return negated ? "(\(x) IS NULL OR NOT \(inList))" : inList
  }

  /// The customer filters and customer predicates as one predicate (nil when there are none).
  func customerPredicate(_ r: RowContext) -> SQL? {
    let filters = customerFilters
    guard !filters.isEmpty || !plan.customerPredicates.isEmpty else { return nil }
    var terms: [SQL] = ["\(r.customer) IS NOT NULL"]
    for p in plan.customerPredicates { terms.append(customerKind(p, r)) }
    for f in filters {
      switch f.dimension {
      case .segment:
        let allowed = Set(f.values.compactMap { v in
          Segment.allCases.firstIndex { $0.rawValue == v || $0.name(.zh) == v || $0.name(.en) == v }
        }).sorted()
        let seg: SQL = r.rfm.map { "\(raw: $0).seg" } ?? "NULL"
        terms.append(membership(seg, allowed.map { bind($0) }, negated: f.negated))
      case .customer:
        // Customer ids are no attribute: the executor's filter matches no customer.
        terms.append(f.negated ? "(1 = 1)" : "(1 = 0)")
      default:
        terms.append(membership(label(f.dimension, r), f.values.map { bind($0) }, negated: f.negated))
      }
    }
    return "(" + terms.joined(" AND ") + ")"
  }

  /// Overdue for the customer's own cycle (as ExecutionContext.isOverdue), in whole numbers.
  func overdueCondition(_ u: String) -> SQL {
    "(\(raw: u).n_orders >= 2 AND 2 * (\(today) - \(raw: u).last_day) * (\(raw: u).n_orders - 1) > 3 * (\(raw: u).last_day - \(raw: u).first_day))"
  }

  /// Whether the row's customer satisfies a customer predicate (as ExecutionContext.restrict).
  func customerKind(_ p: CustomerPredicate, _ r: RowContext) -> SQL {
    let u = r.universe
    switch p {
    case .age(let lo, let hi):
      let age: SQL = "(\(bind(plan.today.year)) - \(raw: u).birth)"
      var t: [SQL?] = ["\(raw: u).birth > 0"]
      if let lo { t.append("\(age) >= \(bind(lo))") }
      if let hi { t.append("\(age) <= \(bind(hi))") }
      return "(" + allOf(t) + ")"
    case .kind(let k):
      let ago: SQL = "(\(today) - \(raw: u).last_day)"
      let a = bind(plan.thresholds.activeDays), ch = bind(plan.thresholds.churnDays)
      func ordered(_ n: SQL) -> SQL { "\(r.customer) IN (SELECT c FROM \(raw: periodOrderCounts) WHERE n >= \(n))" }
      switch k {
      case .all: return "(1 = 1)"
      case .overdue: return overdueCondition(u)
      case .active: return "(\(raw: u).n_orders > 0 AND \(ago) < \(a))"
      case .atRisk: return "(\(raw: u).n_orders > 0 AND \(ago) >= \(a) AND \(ago) < \(ch))"
      case .churned: return "(\(raw: u).n_orders > 0 AND \(ago) >= \(ch))"
      case .new: return "(\(raw: u).first_ever IS NOT NULL AND \(periodCondition(plan.period, "\(raw: u).first_ever")))"
      case .returning:
        guard let p = plan.period else { return "(1 = 0)" }
        return "(\(ordered(bind(1))) AND \(raw: u).first_ever < \(day(p.start)))"
      case .buyers, .churnRisk: return "(\(ordered(bind(1))))"
      case .repeatBuyers: return "(\(ordered(bind(2))))"
      case .highRepurchase: return "(\(ordered(bind(plan.thresholds.highRepurchaseOrders))))"
      }
    }
  }

  /// The order predicates over an order's amount (nil when there are none).
  func orderAmountPredicate(_ amount: SQL) -> SQL? {
    let terms: [SQL] = plan.orderPredicates.map { p in
      "(\(amount) IS NOT NULL AND \(amount) \(raw: p.op.rawValue) \(bind(p.amount)))"
    }
    return terms.isEmpty ? nil : "(" + terms.joined(" AND ") + ")"
  }

  /// The channel filters over an order's channel (nil when there are none).
  func channelPredicate(_ channel: SQL) -> SQL? {
    let terms = plan.filters.filter { $0.dimension == .channel }.map { membership(channel, $0.values.map { bind($0) }, negated: $0.negated) }
    return terms.isEmpty ? nil : "(" + terms.joined(" AND ") + ")"
  }

  var hasItemFilter: Bool { plan.filters.contains { $0.dimension == .category || $0.dimension == .product } }

  /// The category and product filters over an item row `it` (nil when there are none).
  func itemPredicate(_ item: String) -> SQL? {
    let terms = plan.filters.filter { $0.dimension == .category || $0.dimension == .product }.map { f in
      membership("\(raw: item).\(raw: f.dimension.rawValue)", f.values.map { bind($0) }, negated: f.negated)
    }
    return terms.isEmpty ? nil : "(" + terms.joined(" AND ") + ")"
  }

  /// The topic filters over a comment: it contains a phrase of a named topic.
  func topicPredicate(_ comment: SQL) -> SQL? {
    let terms: [SQL] = plan.filters.filter { $0.dimension == .topic }.map { f in
      let phrases = topics.filter { f.values.contains($0.name) }.flatMap(\.phrases)
      let any: SQL = phrases.isEmpty ? "(1 = 0)" : "(" + phrases.map { d.contains(comment, bind($0)) }.joined(" OR ") + ")"
      return f.negated ? "(NOT \(any))" : any
    }
    return terms.isEmpty ? nil : "(" + terms.joined(" AND ") + ")"
  }
}

/// `a AND b AND …` of the present terms, or a true condition.
func allOf(_ terms: [SQL?]) -> SQL {
  let present = terms.compactMap { $0 }
  return present.isEmpty ? "1 = 1" : present.joined(" AND ")
}
