// The seeded generator of random valid plans for the differential tests: metrics × groupings ×
// filters (values present in the data and absent ones, negated now and then) × periods (none,
// empty, a single day, crossing years, past today) × time series × rankings × customer
// conditions × customer predicates (kinds, ages) × order predicates × catalog metrics × shares ×
// comparisons × customer lists × cohorts × thresholds, and plan trees over them: a named part's
// share of its whole, and the difference between two values of a dimension. Plan i of a run
// comes from its own seed, so any failing plan can be replayed from (dataset, seed) alone.

import Foundation
import Planning
import QueryModel
import TestSupport

/// The differential test's generator: SplitMix64 from TestSupport, with a pick helper.
typealias DiffRandom = SplitMix64

extension SplitMix64 {
  mutating func pick<T>(_ a: [T]) -> T? { a.isEmpty ? nil : a[below(a.count)] }
}

/// Which plan a seed gives on which dataset.
enum DiffPlans {
  /// The seed of plan `i` of a run.
  static func seed(run: UInt64, index: Int) -> UInt64 {
    var r = DiffRandom(seed: run ^ (UInt64(index) &* 0x2545_F491_4F6C_DD1D))
    return r.next()
  }

  /// The dataset of a plan seed (by weight among the available datasets).
  static func dataset(_ seed: UInt64, _ sets: [DiffDataset]) -> DiffDataset? {
    var r = DiffRandom(seed: seed ^ 0xDA7A)
    let total = sets.reduce(0) { $0 + $1.weight }
    var x = Double(r.next() >> 11) * 0x1.0p-53 * total
    for s in sets {
      x -= s.weight
      if x < 0 { return s }
    }
    return sets.last
  }

  static let figureMetrics = MetricID.builtIn.filter { $0 != .retention && !$0.isModel }
  /// The catalog's metrics (grammars/metrics/catalog.rules), named explicitly so that a seed
  /// gives the same plan whatever the catalog registered.
  static let catalogMetrics: [MetricID] = ["discount", "discount_rate", "purchase_interval", "discount_per_order"].map { MetricID(catalog: $0) }
  static let customerKinds: [CustomerSet] = [.all, .buyers, .repeatBuyers, .highRepurchase, .new, .returning, .active, .atRisk, .churned, .overdue]
  static let orderMetrics: [MetricID] = [.sales, .orders, .buyers, .aov, .spendPerBuyer, .repeatCustomers, .repeatRate,
                                         .highRepurchaseCustomers, .newCustomers, .returningCustomers, .units]

  /// A random valid plan for the dataset and its language.
  static func plan(_ seed: UInt64, _ ds: DiffDataset) -> (Plan, Language) {
    var r = DiffRandom(seed: seed)
    let lang: Language = r.chance(0.5) ? .zh : .en
    let range = ds.dataRange
    // Today: usually the day after the data (as the acceptance cases), sometimes later, sometimes inside it.
    var today = Day(year: 2026, month: 11, day: 22)
    if let range {
      switch r.below(10) {
      case 0..<6: today = range.end + 1
      case 6..<8: today = range.end + r.int(0...400)
      default: today = range.start + r.int(min(30, range.dayCount - 1)...max(30, range.dayCount - 1))
      }
    }
    var plan = Plan(today: today)
    if r.chance(0.15) {
      plan.thresholds.activeDays = r.int(20...120)
      plan.thresholds.churnDays = plan.thresholds.activeDays + r.int(1...150)
      plan.thresholds.highRepurchaseOrders = r.int(2...5)
      plan.thresholds.negativeScoreMax = Double(r.int(3...8))
    }
    let kind = r.below(100)
    if kind < 8 {
      cohort(&plan, &r, ds)
    } else if kind < 24 {
      list(&plan, &r, ds)
    } else {
      figures(&plan, &r, ds)
    }
    return (plan, lang)
  }

  // MARK: Periods

  static func randomDay(_ r: inout DiffRandom, _ ds: DiffDataset, _ today: Day) -> Day {
    guard let range = ds.dataRange else { return today - r.int(0...400) }
    return range.start + r.below(max(range.dayCount, 1))
  }

  static func period(_ r: inout DiffRandom, _ ds: DiffDataset, _ today: Day) -> DateRange? {
    let d = randomDay(&r, ds, today)
    switch r.below(12) {
    case 0, 1: return nil
    case 2: return DateRange(d, d)  // a single day
    case 3, 4:  // a calendar month
      let first = Day.firstOfMonth(index: d.monthIndex)
      return DateRange(first, Day.lastOfMonth(index: d.monthIndex))
    case 5:  // a quarter
      let q = d.monthIndex / 3 * 3
      return DateRange(Day.firstOfMonth(index: q), Day.lastOfMonth(index: q + 2))
    case 6:  // a year (may run past today)
      return DateRange(Day(year: d.year, month: 1, day: 1), Day(year: d.year, month: 12, day: 31))
    case 7:  // the last N days
      return DateRange(today - r.int(0...120), today)
    case 8:  // crossing a year end
      let y = d.year
      return DateRange(Day(year: y - 1, month: 12, day: r.int(1...31)), Day(year: y, month: 1, day: r.int(1...31)))
    case 9:  // empty: long before or after the data
      return r.chance(0.5) ? DateRange(Day(year: 1999, month: 1, day: 1), Day(year: 1999, month: 3, day: 31))
        : DateRange(today + 400, today + 430)
    default:  // any range inside the data
      let e = d + r.int(0...200)
      return DateRange(d, e)
    }
  }

  // MARK: Filters

  static func filters(_ r: inout DiffRandom, _ ds: DiffDataset, allowTopic: Bool) -> [Filter] {
    var out: [Filter] = []
    let count = r.chance(0.6) ? 0 : (r.chance(0.75) ? 1 : 2)
    let dims = ds.dimensions.filter { $0 != .customer && ($0 != .topic || allowTopic) }
    for _ in 0..<count {
      guard let dim = r.pick(dims), !out.contains(where: { $0.dimension == dim }) else { continue }
      let pool = ds.values[dim] ?? []
      var values: [String] = []
      for _ in 0..<(r.chance(0.7) ? 1 : 2) {
        if pool.isEmpty || r.chance(0.12) {
          values.append(r.chance(0.5) ? "不存在的值" : "nowhere'; DROP TABLE orders; --")
        } else if let v = r.pick(pool), !values.contains(v) {
          values.append(v)
        }
      }
      out.append(Filter(dim, values, negated: r.chance(0.06)))
    }
    return out
  }

  static func customerPredicates(_ r: inout DiffRandom) -> [CustomerPredicate] {
    (0..<(r.chance(0.8) ? 1 : 2)).map { _ in
      if r.chance(0.7) { return .kind(r.pick(customerKinds) ?? .new) }
      let lo = r.chance(0.3) ? nil : r.int(15...60)
      let hi = r.chance(0.3) && lo != nil ? nil : (lo ?? 10) + r.int(0...30)
      return .age(min: lo, max: hi)
    }
  }

  static func orderPredicates(_ r: inout DiffRandom) -> [OrderPredicate] {
    let ops: [CustomerCondition.Op] = [.ge, .gt, .le, .lt, .eq]
    let amounts: [Double] = [0, 20, 50, 100, 200, 500, 1000, 120.5]
    return (0..<(r.chance(0.85) ? 1 : 2)).map { _ in OrderPredicate(r.pick(ops) ?? .gt, r.pick(amounts) ?? 100) }
  }

  static func conditions(_ r: inout DiffRandom) -> [CustomerCondition] {
    let ops: [CustomerCondition.Op] = [.ge, .gt, .le, .lt, .eq]
    return (0..<(r.chance(0.8) ? 1 : 2)).map { _ in
      if r.chance(0.5) {
        return CustomerCondition(.orders, r.pick(ops) ?? .ge, Double(r.int(1...4)))
      }
      let spends: [Double] = [0, 50, 100, 200, 500, 1000, 5000, 120.5]
      return CustomerCondition(.spend, r.pick(ops) ?? .gt, r.pick(spends) ?? 100)
    }
  }

  // MARK: Plan kinds

  static func figures(_ plan: inout Plan, _ r: inout DiffRandom, _ ds: DiffDataset) {
    var pool = figureMetrics.filter { !$0.isFeedback || ds.hasFeedback || r.chance(0.03) }
    if r.chance(0.5) { pool = orderMetrics }
    var metrics: [MetricID] = []
    let n = r.chance(0.7) ? 1 : (r.chance(0.6) ? 2 : 3)
    while metrics.count < n, let m = r.pick(pool) {
      if !metrics.contains(m) { metrics.append(m) }
      if metrics.count >= pool.count { break }
    }
    if r.chance(0.03) { metrics = [] }
    plan.metrics = metrics
    let basisOrders = (metrics.isEmpty ? [.sales] : metrics).allSatisfy { !$0.isFeedback && !$0.isState && $0 != .customers }
    let feedbackOnly = !metrics.isEmpty && metrics.allSatisfy(\.isFeedback)
    plan.period = period(&r, ds, plan.today)

    // Groupings: channel only for order figures (the executor cannot group other figures by it).
    var dims = ds.dimensions.filter { d in
      (d != .topic || feedbackOnly) && (d != .channel || basisOrders)
    }
    if !feedbackOnly { dims.removeAll { $0 == .topic } }
    let groups = r.chance(0.45) ? 0 : (r.chance(0.8) ? 1 : 2)
    var groupBy: [DimensionID] = []
    for _ in 0..<groups {
      if let d = r.pick(dims), !groupBy.contains(d) { groupBy.append(d) }
    }
    if feedbackOnly && ds.dimensions.contains(.topic) && !groupBy.contains(.topic) && r.chance(0.4) {
      groupBy = r.chance(0.5) ? [.topic] : Array(groupBy.prefix(1)) + [.topic]
    }
    plan.groupBy = groupBy
    if r.chance(0.3) {
      let days = plan.period?.dayCount ?? (ds.dataRange?.dayCount ?? 1000)
      var grains: [TimeUnit] = [.month, .quarter, .year]
      if days <= 70 { grains.append(.day) }
      if days <= 500 { grains.append(.week) }
      plan.timeGrain = r.pick(grains)
      // Keep the rows few: one other grouping at most with a time series.
      if plan.groupBy.count > 1 { plan.groupBy = [plan.groupBy[0]] }
    }
    if plan.groupBy.contains(.customer) && plan.timeGrain != nil { plan.groupBy.removeAll { $0 == .customer } }
    let grouped = !plan.groupBy.isEmpty || plan.timeGrain != nil
    if grouped && r.chance(plan.groupBy.contains(.customer) ? 0.8 : 0.3) {
      plan.ranking = Ranking(limit: r.int(1...12), descending: r.chance(0.8))
    }
    plan.filters = filters(&r, ds, allowTopic: feedbackOnly || r.chance(0.2))
    if basisOrders && r.chance(0.15) { plan.conditions = conditions(&r) }
    if r.chance(0.18) { plan.share = true }
    if r.chance(0.15) {
      let base = plan.period ?? DateRange(plan.today - 29, plan.today)
      plan.period = base
      if r.chance(0.5) {
        plan.comparison = .yearOverYear
        plan.comparisonPeriod = TimeResolution.yearEarlier(base)
      } else {
        plan.comparison = .previousPeriod
        plan.comparisonPeriod = DateRange(base.start - base.dayCount, base.start - 1)
      }
    }
    // Drawn last, so that the plans of earlier seeds keep their other fields.
    if r.chance(0.2) { plan.customerPredicates = customerPredicates(&r) }
    if basisOrders && r.chance(0.12) { plan.orderPredicates = orderPredicates(&r) }
    // Catalog metrics: order figures, mostly on data with a discount column (elsewhere both
    // sides must refuse alike), never by topic.
    let hasDiscount = ds.loaded.mapping.orders.discount != nil
    if r.chance(hasDiscount ? 0.2 : 0.03), !plan.groupBy.contains(.topic), !plan.filters.contains(where: { $0.dimension == .topic }),
      let m = r.pick(catalogMetrics) {
      if plan.metrics.isEmpty || r.chance(0.6) { plan.metrics = [m] } else if !plan.metrics.contains(m) { plan.metrics.append(m) }
    }
  }

  // MARK: Trees

  /// A plan tree for a seed: mostly the plan alone; sometimes a named part's share of its
  /// whole (as Planner.shareTree builds it), or the difference between two values.
  static func tree(_ seed: UInt64, _ ds: DiffDataset) -> (LogicalPlan, Language) {
    let (plan, lang) = self.plan(seed, ds)
    var r = DiffRandom(seed: seed ^ 0x7EE5)
    guard plan.list == nil, plan.cohort == nil, r.chance(0.25) else { return (.aggregate(plan), lang) }
    switch r.below(10) {
    case 0..<5: return (shareTree(plan, &r, ds), lang)
    case 5..<8: return (differenceTree(plan, &r, ds) ?? .aggregate(plan), lang)
    default: return (stackTree(plan, &r), lang)
    }
  }

  /// Several kinds of customer one under another (新老客的销售额), as Planner.compose builds it:
  /// each part is the plan restricted to one kind; with a share, of the figure over all customers.
  static func stackTree(_ plan: Plan, _ r: inout DiffRandom) -> LogicalPlan {
    var each = plan
    each.share = false
    var kinds: [CustomerSet] = []
    for _ in 0..<(r.chance(0.7) ? 2 : 3) {
      if let k = r.pick(customerKinds), !kinds.contains(k) { kinds.append(k) }
    }
    let parts = kinds.map { k -> StackPart in
      var p = each
      p.customerPredicates.append(.kind(k))
      return StackPart(label: k.rawValue, plan: .aggregate(p))
    }
    let stack = LogicalPlan.stack(key: "customer_kind", parts: parts)
    guard plan.share else { return stack }
    var whole = each
    whole.ranking = nil
    return .share(part: stack, whole: .aggregate(whole))
  }

  /// part = the plan with its filters and predicates (one is added when it has none); whole =
  /// the same without them: negated filters kept, ranking, conditions and predicates dropped,
  /// groupings by a part's dimension removed.
  static func shareTree(_ plan: Plan, _ r: inout DiffRandom, _ ds: DiffDataset) -> LogicalPlan {
    var part = plan
    part.share = false
    let hasPart = part.filters.contains { !$0.negated } || !part.customerPredicates.isEmpty || !part.orderPredicates.isEmpty
    if !hasPart {
      switch r.below(3) {
      case 0: part.customerPredicates = customerPredicates(&r)
      case 1: part.orderPredicates = orderPredicates(&r)
      default:
        let allowTopic = !part.metrics.isEmpty && part.metrics.allSatisfy(\.isFeedback)
        let extra = filters(&r, ds, allowTopic: allowTopic).filter { f in !part.filters.contains { $0.dimension == f.dimension } }
        if extra.isEmpty { part.customerPredicates = [.kind(r.pick(customerKinds) ?? .returning)] }
        part.filters += extra.map { Filter($0.dimension, $0.values) }
      }
    }
    var whole = part
    whole.ranking = nil
    whole.filters = part.filters.filter(\.negated)
    let partDims = Set(part.filters.filter { !$0.negated }.map(\.dimension))
    whole.groupBy = part.groupBy.filter { !partDims.contains($0) }
    whole.customerPredicates = []
    whole.orderPredicates = []
    whole.conditions = []
    return .share(part: .aggregate(part), whole: .aggregate(whole))
  }

  /// The plan's first figure broken down by one dimension, limited to two of its values
  /// (sometimes one absent from the data), with a − b.
  static func differenceTree(_ plan: Plan, _ r: inout DiffRandom, _ ds: DiffDataset) -> LogicalPlan? {
    var p = plan
    let m = plan.metrics.first ?? .sales
    p.metrics = [m]
    let orderFigure = !m.isFeedback && !m.isState && m != .customers
    var dims = ds.dimensions.filter { $0 != .customer && $0 != .topic }
    if !orderFigure || m.formula != nil { dims.removeAll { $0 == .channel || $0.isItemAttribute } }
    guard let dim = r.pick(dims), let pool = ds.values[dim], pool.count >= 2 else { return nil }
    let a = r.pick(pool) ?? pool[0]
    var b = r.pick(pool.filter { $0 != a }) ?? pool[1]
    if r.chance(0.1) { b = "不存在的值" }
    p.groupBy = [dim]
    p.timeGrain = nil
    p.ranking = nil
    p.share = false
    p.filters = p.filters.filter { $0.dimension != dim } + [Filter(dim, [a, b])]
    return .difference(dimension: dim, a: a, b: b, input: .aggregate(p))
  }

  static func list(_ plan: inout Plan, _ r: inout DiffRandom, _ ds: DiffDataset) {
    let sets: [CustomerSet] = [.all, .buyers, .repeatBuyers, .highRepurchase, .new, .returning, .active, .atRisk, .churned, .overdue]
    let set = r.pick(sets) ?? .buyers
    plan.list = set
    if r.chance(0.6) { plan.period = period(&r, ds, plan.today) }
    if let m = MetricID.builtIn.first(where: { $0.customerSet == set }), r.chance(0.7) { plan.metrics = [m] }
    if r.chance(0.3) { plan.conditions = conditions(&r) }
    plan.filters = filters(&r, ds, allowTopic: false)
    if r.chance(0.6) { plan.ranking = Ranking(limit: r.int(1...20), descending: r.chance(0.8)) }
    if r.chance(0.15) { plan.customerPredicates = customerPredicates(&r) }
    if r.chance(0.1) { plan.orderPredicates = orderPredicates(&r) }
  }

  static func cohort(_ plan: inout Plan, _ r: inout DiffRandom, _ ds: DiffDataset) {
    let start = randomDay(&r, ds, plan.today)
    let months = r.int(1...8)
    let range = DateRange(Day.firstOfMonth(index: start.monthIndex), Day.lastOfMonth(index: start.monthIndex + months - 1))
    plan.cohort = CohortSpec(cohorts: range, monthsAfter: r.chance(0.5) ? nil : r.int(0...6))
    plan.metrics = [.retention]
    plan.period = range
    plan.filters = filters(&r, ds, allowTopic: false)
    if r.chance(0.15) { plan.customerPredicates = customerPredicates(&r) }
  }
}
