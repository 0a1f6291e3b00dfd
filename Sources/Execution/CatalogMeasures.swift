// The base measures of catalog metrics (grammars/metrics/catalog.rules): sums of order
// columns by role and purchase intervals, per group, over the same orders as the plan's
// other figures (period, customer mask, channel and order-amount filters; customer conditions
// keep the (group, customer) pairs that meet them, as for sales and orders). The formula
// itself is evaluated by `Figures.value`, so a new catalog metric needs no code here. Catalog
// metrics are order figures: a split by product or category, or an item filter, is refused.
//
// - Complexity: O(orders in the period + (group, customer) pairs when intervals are asked).

import Cube
import QueryModel

extension ExecutionContext {
  /// Figures of catalog metrics: the built-in figures the formulas read, plus their base
  /// measures, added to each group.
  func catalogFigures(_ keys: GroupKeys, period: DateRange?, metric: MetricID) throws -> [Int64: Figures] {
    guard let formula = metric.formula?.formula else { return [:] }
    if keys.parts.contains(where: { $0.dimension?.isItemAttribute ?? false }) || itemAllowed != nil {
      throw ExecutionError(lang == .zh ? "\(metric.title(.zh))按订单计算，不能按商品或品类拆分（订单折扣不分摊到商品）。"
        : "\(metric.title(.en)) is an order figure and cannot be split by product or category (order discounts are not spread over items).")
    }
    let o = cube.orders
    var columns: [(String, ContiguousArray<Double>)] = []
    for role in formula.columns.sorted() {
      guard let col = o.measure(role) else {
        throw ExecutionError(lang == .zh ? "这份数据的订单表没有\(role == "discount" ? "折扣" : role)列，无法计算\(metric.title(.zh))。"
          : "The orders in this data have no \(role) column, so \(metric.title(.en)) cannot be computed.")
      }
      columns.append((role, col))
    }
    var groups = orderFigures(keys, period: period, items: false)
    guard let keyer = orderKeyer(keys, partSources(keys)) else { return groups }
    let filter = orderFilter(period)
    var sums: [Int64: [Double]] = [:]
    let wantsInterval = formula.usesInterval
    // (group, customer) → first day, last day, orders
    var spans: [Int64: (Int32, Int32, Int32)] = [:]
    let nC = Int64(cube.customers.count + 1)
    let conditions = plan.conditions
    if !conditions.isEmpty {
      return try conditionalCatalogFigures(keys, period: period, columns: columns, intervals: wantsInterval, groups: groups)
    }
    for i in 0..<o.count {
      let d = o.day[i], c = o.customer[i]
      guard filter.passes(i, day: d, customer: c) else { continue }
      let k = keyer.key(i, day: d, customer: c)
      if k < 0 { continue }
      if !columns.isEmpty {
        var row = sums[k] ?? [Double](repeating: 0, count: columns.count)
        for (j, col) in columns.enumerated() {
          let v = col.1[i]
          if !v.isNaN { row[j] += v }
        }
        sums[k] = row
      }
      if wantsInterval, c >= 0 {
        let pk = k * nC + Int64(c)
        if let s = spans[pk] {
          spans[pk] = (min(s.0, d), max(s.1, d), s.2 + 1)
        } else {
          spans[pk] = (d, d, 1)
        }
      }
    }
    for (k, row) in sums {
      var f = groups[k] ?? Figures()
      for (j, col) in columns.enumerated() { f.columnSums[col.0] = row[j] }
      groups[k] = f
    }
    if wantsInterval {
      var acc: [Int64: (Double, Int)] = [:]
      for (pk, s) in spans where s.2 >= 2 {
        let k = pk / nC
        let x = acc[k] ?? (0, 0)
        acc[k] = (x.0 + Double(s.1 - s.0) / Double(s.2 - 1), x.1 + 1)
      }
      for (k, x) in acc {
        var f = groups[k] ?? Figures()
        f.intervalSum = x.0
        f.intervalCustomers = x.1
        groups[k] = f
      }
    }
    return groups
  }

  /// Catalog measures under customer conditions: per (group, customer) pair its orders, spend,
  /// column sums and first and last day; only pairs with a customer that meets every condition
  /// add to their group.
  private func conditionalCatalogFigures(_ keys: GroupKeys, period: DateRange?, columns: [(String, ContiguousArray<Double>)],
                                         intervals: Bool, groups: [Int64: Figures]) throws -> [Int64: Figures] {
    var groups = groups
    let o = cube.orders
    guard let keyer = orderKeyer(keys, partSources(keys)) else { return groups }
    let filter = orderFilter(period)
    let nC = Int64(cube.customers.count + 1)
    struct Pair { var n: Int32 = 0; var spend = 0.0; var first = Int32.max; var last = Int32.min; var sums: [Double] }
    var pairs: [Int64: Pair] = [:]
    for i in 0..<o.count {
      let d = o.day[i], c = o.customer[i]
      // A condition needs a customer.
      guard c >= 0, filter.passes(i, day: d, customer: c) else { continue }
      let k = keyer.key(i, day: d, customer: c)
      if k < 0 { continue }
      let pk = k * nC + Int64(c)
      var p = pairs[pk] ?? Pair(sums: [Double](repeating: 0, count: columns.count))
      p.n += 1
      let a = o.amount[i]
      if !a.isNaN { p.spend += a }
      p.first = min(p.first, d)
      p.last = max(p.last, d)
      for (j, col) in columns.enumerated() {
        let v = col.1[i]
        if !v.isNaN { p.sums[j] += v }
      }
      pairs[pk] = p
    }
    var sums: [Int64: [Double]] = [:]
    var acc: [Int64: (Double, Int)] = [:]
    for (pk, p) in pairs where plan.conditions.allSatisfy({ $0.test(Double(p.n), p.spend) }) {
      let k = pk / nC
      var row = sums[k] ?? [Double](repeating: 0, count: columns.count)
      for j in columns.indices { row[j] += p.sums[j] }
      sums[k] = row
      if intervals && p.n >= 2 {
        let x = acc[k] ?? (0, 0)
        acc[k] = (x.0 + Double(p.last - p.first) / Double(p.n - 1), x.1 + 1)
      }
    }
    for (k, row) in sums {
      var f = groups[k] ?? Figures()
      for (j, col) in columns.enumerated() { f.columnSums[col.0] = row[j] }
      groups[k] = f
    }
    for (k, x) in acc {
      var f = groups[k] ?? Figures()
      f.intervalSum = x.0
      f.intervalCustomers = x.1
      groups[k] = f
    }
    return groups
  }
}
