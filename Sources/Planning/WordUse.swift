// The invariant of composition: every word that was understood as a figure, a dimension, a
// value, a kind of customer, a time, a number or a comparison shapes the plan tree, or the
// question is refused naming the words that could not be combined. The check runs after
// planning, on the tree itself, so no rule can drop a word silently.

import QueryModel
import Understanding

public enum WordUse {
  /// The texts of the tokens of `r` that no node of `tree` refers to.
  public static func unused(_ r: Reading, _ tree: LogicalPlan) -> [String] {
    let blocks = tree.blocks
    var metrics = Set<MetricID>()
    var dims = Set<DimensionID>()
    var values = Set<String>()
    var numbers = Set<Double>()
    var kinds = Set<CustomerSet>()
    var hasTime = false
    var compared = false
    var measures = Set<CustomerCondition.Measure>()
    var orderFacts = false
    var cohort = false
    for p in blocks {
      metrics.formUnion(p.metrics)
      dims.formUnion(p.groupBy)
      for f in p.filters {
        dims.insert(f.dimension)
        values.formUnion(f.values)
      }
      if p.period != nil || p.comparisonPeriod != nil || p.cohort != nil { hasTime = true }
      if p.comparison != nil { compared = true }
      if let rk = p.ranking { numbers.insert(Double(rk.limit)) }
      for c in p.conditions {
        numbers.insert(c.value)
        measures.insert(c.measure)
      }
      for o in p.orderPredicates {
        numbers.insert(o.amount)
        measures.insert(.amount)
      }
      for c in p.customerPredicates {
        switch c {
        case .kind(let k): kinds.insert(k)
        case .age(let lo, let hi):
          for b in [lo, hi].compactMap({ $0 }) { numbers.formUnion([Double(b), Double(b - 1), Double(b + 1)]) }
        }
      }
      if let l = p.list {
        kinds.insert(l)
        dims.insert(.customer)
      }
      if let c = p.cohort {
        cohort = true
        kinds.insert(.new)  // a cohort is made of first-purchase customers
        if let m = c.monthsAfter { numbers.insert(Double(m)) }
      }
      if let h = p.horizonDays { numbers.insert(Double(h)) }
      if p.fact == "orders" || p.fact == "order_items" { orderFacts = true }
      if p.timeGrain != nil { hasTime = true }
      if let a = p.analysis {
        // The analysis uses its anchor, its size and the figure words it stands for (Planner+Analysis.swift).
        let use = a.wordUse
        values.formUnion(use.values)
        dims.formUnion(use.dimensions)
        numbers.formUnion(use.numbers)
        metrics.formUnion(use.metrics)
      }
    }
    // Rows side by side (a difference, or kinds of customer stacked) are the comparison asked.
    func sideBySide(_ t: LogicalPlan) -> Bool {
      switch t {
      case .difference, .stack: return true
      case .share(let a, let b): return sideBySide(a) || sideBySide(b)
      case .aggregate: return false
      }
    }
    if sideBySide(tree) { compared = true }
    let modelFigures = metrics.contains(where: \.isModel)

    func used(_ m: Meaning, _ text: String) -> Bool {
      switch m {
      case .metric(let x):
        if metrics.contains(x) { return true }
        if let k = QuestionParser.kindMetrics[x], kinds.contains(k) { return true }
        if let s = x.customerSet, kinds.contains(s) { return true }
        if modelFigures && [.orders, .buyers, .sales, .spendPerBuyer, .aov, .churnedCustomers, .churnRate, .atRiskCustomers, .activeCustomers].contains(x) { return true }
        if x == .orders && (measures.contains(.orders) || measures.contains(.amount) || (text == "订单" && orderFacts)) { return true }
        if x == .sales && (measures.contains(.spend) || measures.contains(.amount)) { return true }
        // A customer count with conditions counts the buyers who meet them.
        if x == .customers && metrics.contains(.buyers) { return true }
        return false
      case .measure(let x), .unit(let x):
        return measures.contains(x) || (x == .spend && measures.contains(.amount)) || metrics.contains(x == .orders ? .orders : .sales)
      case .dimension(let d): return dims.contains(d)
      case .value(_, let v): return values.contains(v)
      case .segment(let s): return values.contains(s)
      // 首购 / 首单: a cohort, or customers whose first order is in the period.
      case .cohortFirst: return cohort || kinds.contains(.new) || metrics.contains(.newCustomers)
      case .kinds(let sets):
        return sets.allSatisfy { k in kinds.contains(k) || metrics.contains { $0.customerSet == k } }
      case .cue(let c):
        switch c {
        case .comparePrevious, .compareYear, .compare, .difference: return compared
        default: return true
        }
      default: return true
      }
    }
    var out: [String] = []
    for t in r.tokens {
      switch t.kind {
      case .time(let e):
        if case .sameTimeLastYear = e {
          if !compared { out.append(t.text) }
        } else if !hasTime && !modelFigures {
          out.append(t.text)
        }
      case .number(let v), .money(let v):
        if !numbers.contains(v) && !numbers.contains(v.rounded()) { out.append(t.text) }
      case .word(let ms):
        // A word is used when any of its meanings is (门店 may be a channel or a source channel).
        let checked = ms.filter { m in
          switch m {
          case .metric, .dimension, .value, .segment, .kinds, .cohortFirst: return true
          case .cue(let c): return [.comparePrevious, .compareYear, .compare, .difference].contains(c)
          default: return false
          }
        }
        if !checked.isEmpty && !checked.contains(where: { used($0, t.text) }) { out.append(t.text) }
      default: break
      }
    }
    return out
  }
}
