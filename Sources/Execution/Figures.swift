// Figures of a period per group: one pass over orders (or items, feedback, customers),
// accumulating per group and per (group, customer) pair, then the metrics of semantics.md.
//
// - Complexity: O(rows scanned + distinct (group, customer) pairs).

import Cube
import QueryModel

/// All figures of one group.
struct Figures {
  var sales = 0.0
  var orders = 0
  var units = 0.0
  var buyers = 0
  var repeatCustomers = 0
  var highRepurchase = 0
  var newCustomers = 0
  var returning = 0
  var customers = 0
  var active = 0
  var atRisk = 0
  var churned = 0
  var withOrders = 0
  var feedback = 0
  var promoters = 0
  var detractors = 0
  var scoreSum = 0.0
  var negative = 0
  var modelSum = 0.0
  var modelCount = 0

  func value(_ m: MetricID) -> Double? {
    switch m {
    case .sales: return sales
    case .orders: return Double(orders)
    case .units: return units
    case .buyers: return Double(buyers)
    case .customers: return Double(customers)
    case .aov: return orders == 0 ? nil : sales / Double(orders)
    case .spendPerBuyer: return buyers == 0 ? nil : sales / Double(buyers)
    case .repeatCustomers: return Double(repeatCustomers)
    case .repeatRate: return buyers == 0 ? nil : Double(repeatCustomers) / Double(buyers)
    case .highRepurchaseCustomers: return Double(highRepurchase)
    case .newCustomers: return Double(newCustomers)
    case .returningCustomers: return Double(returning)
    case .activeCustomers: return Double(active)
    case .atRiskCustomers: return Double(atRisk)
    case .churnedCustomers: return Double(churned)
    case .churnRate: return withOrders == 0 ? nil : Double(churned) / Double(withOrders)
    case .feedbackCount: return Double(feedback)
    case .negativeFeedback: return Double(negative)
    case .nps: return feedback == 0 ? nil : (Double(promoters) - Double(detractors)) / Double(feedback) * 100
    case .averageScore: return feedback == 0 ? nil : scoreSum / Double(feedback)
    case .retention: return nil
    case .predictedPurchases: return modelSum
    case .clv, .pAlive, .churnProbability: return modelCount == 0 ? nil : modelSum / Double(modelCount)
    }
  }
}

enum Basis { case orders, items, feedback, states, customerTable, model }

extension ExecutionContext {
  func basis(_ m: MetricID) -> Basis {
    if m.isModel { return .model }
    if m.isFeedback { return .feedback }
    if m.isState { return .states }
    if m == .customers { return .customerTable }
    if plan.groupBy.contains(where: \.isItemAttribute) || itemAllowed != nil { return .items }
    if m == .units, cube.items != nil { return .items }
    return .orders
  }

  /// Per-customer codes of each customer grouping, computed once.
  func customerCodeArrays(_ keys: GroupKeys) -> [ContiguousArray<Int32>?] {
    keys.parts.map { p in
      guard let d = p.dimension, d.isCustomerAttribute else { return nil }
      return ContiguousArray((0..<cube.customers.count).map { customerCode(d, $0) })
    }
  }

  /// The key of one row from its customer, order, item and day.
  @inline(__always)
  func key(_ keys: GroupKeys, _ cc: [ContiguousArray<Int32>?], c: Int32, order: Int, item: Int, day: Int32) -> Int64? {
    var k: Int64 = 0
    for (j, p) in keys.parts.enumerated() {
      var code: Int
      if let g = p.grain {
        code = g.index(of: Day(raw: day)) - p.base
        if code < 0 || code >= p.cardinality { return nil }
      } else if let arr = cc[j] {
        code = c < 0 ? 0 : Int(arr[Int(c)]) + 1
      } else {
        switch p.dimension {
        case .channel?: code = order < 0 ? 0 : Int(cube.orders.channel?.codes[order] ?? -1) + 1
        case .category?: code = item < 0 ? 0 : Int(cube.items?.category?.codes[item] ?? -1) + 1
        case .product?: code = item < 0 ? 0 : Int(cube.items?.product?.codes[item] ?? -1) + 1
        default: code = 0
        }
      }
      k += Int64(code) * keys.strides[j]
    }
    return k
  }

  /// The day range a key covers (its time bucket within the period).
  func bucket(_ keys: GroupKeys, _ key: Int64, period: DateRange?) -> DateRange? {
    var range = period
    let codes = keys.decode(key)
    for (j, p) in keys.parts.enumerated() {
      if let g = p.grain {
        let idx = p.base + codes[j]
        var r = DateRange(g.start(ofIndex: idx), g.end(ofIndex: idx))
        if let pr = period {
          r.start = max(r.start, pr.start)
          r.end = min(r.end, pr.end)
        }
        range = r
      }
    }
    return range
  }

  func bounds(_ period: DateRange?) -> (Int32, Int32) {
    if let p = period { return (p.start.raw, min(p.end.raw, Int32.max)) }
    return (Int32.min + 1, today)
  }

  /// Figures from orders or items, per group.
  func orderFigures(_ keys: GroupKeys, period: DateRange?, items useItems: Bool) -> [Int64: Figures] {
    let (lo, hi) = bounds(period)
    let cc = customerCodeArrays(keys)
    let o = cube.orders
    let nC = Int64(cube.customers.count + 1)
    var groups: [Int64: Figures] = [:]
    var pairs: [Int64: (count: Int32, spend: Double, units: Double)] = [:]
    let hasAllowed = orderHasAllowedItem
    if useItems, let items = cube.items {
      var seenOrder = Set<Int64>()
      let nO = Int64(o.count + 1)
      for j in 0..<items.count {
        if let a = itemAllowed, !a[j] { continue }
        let oi = Int(items.order[j])
        if oi < 0 { continue }
        let d = o.day[oi]
        if d < lo || d > hi || d == nullDay { continue }
        let c = o.customer[oi]
        if !customerPasses(c) { continue }
        if let ch = channelAllowed, !ch.contains(o.channel?.codes[oi] ?? -1) { continue }
        guard let k = key(keys, cc, c: c, order: oi, item: j, day: d) else { continue }
        let amount = items.quantity[j] * items.unitPrice[j]
        let first = seenOrder.insert(k * nO + Int64(oi)).inserted
        groups[k, default: Figures()].sales += amount
        groups[k, default: Figures()].units += items.quantity[j]
        if first { groups[k, default: Figures()].orders += 1 }
        let pk = k * nC + Int64(c + 1)
        var p = pairs[pk] ?? (0, 0, 0)
        if first { p.count += 1 }
        p.spend += amount
        p.units += items.quantity[j]
        pairs[pk] = p
      }
    } else {
      for i in 0..<o.count {
        let d = o.day[i]
        if d < lo || d > hi || d == nullDay { continue }
        let c = o.customer[i]
        if !customerPasses(c) { continue }
        if let ch = channelAllowed, !ch.contains(o.channel?.codes[i] ?? -1) { continue }
        if let h = hasAllowed, !h[i] { continue }
        guard let k = key(keys, cc, c: c, order: i, item: -1, day: d) else { continue }
        let a = o.amount[i]
        let amt = a.isNaN ? 0 : a
        groups[k, default: Figures()].sales += amt
        groups[k, default: Figures()].orders += 1
        if let q = o.quantity { groups[k, default: Figures()].units += q[i] }
        let pk = k * nC + Int64(c + 1)
        var p = pairs[pk] ?? (0, 0, 0)
        p.count += 1
        p.spend += amt
        if let q = o.quantity { p.units += q[i] }
        pairs[pk] = p
      }
    }
    // Customer figures from the (group, customer) pairs.
    let conditions = plan.conditions
    if !conditions.isEmpty {
      for k in groups.keys {
        groups[k]?.sales = 0
        groups[k]?.orders = 0
        groups[k]?.units = 0
      }
    }
    var bucketCache: [Int64: DateRange?] = [:]
    let high = Int32(plan.thresholds.highRepurchaseOrders)
    for (pk, p) in pairs {
      let k = pk / nC
      let c = Int(pk % nC) - 1
      if !conditions.isEmpty {
        guard c >= 0 else { continue }
        let ok = conditions.allSatisfy { $0.test(Double(p.count), p.spend) }
        if !ok { continue }
        groups[k]?.sales += p.spend
        groups[k]?.orders += Int(p.count)
        groups[k]?.units += p.units
      }
      guard c >= 0 else { continue }
      var g = groups[k] ?? Figures()
      g.buyers += 1
      if p.count >= 2 { g.repeatCustomers += 1 }
      if p.count >= high { g.highRepurchase += 1 }
      let b: DateRange?
      if let cached = bucketCache[k] {
        b = cached
      } else {
        b = bucket(keys, k, period: period)
        bucketCache[k] = b
      }
      let first = cube.stats.firstDay[c]  // the first order ever (semantics.md "new customers")
      if let b {
        if first >= b.start.raw && first <= b.end.raw { g.newCustomers += 1 } else if first < b.start.raw { g.returning += 1 }
      } else {
        g.newCustomers += 1
      }
      groups[k] = g
    }
    return groups
  }

  /// Customer states as of today, per customer group.
  func stateFigures(_ keys: GroupKeys) -> [Int64: Figures] {
    let cc = customerCodeArrays(keys)
    var groups: [Int64: Figures] = [:]
    let activeFrom = today - Int32(plan.thresholds.activeDays) + 1
    let churnBefore = today - Int32(plan.thresholds.churnDays) + 1
    for c in 0..<cube.customers.count {
      guard stats.orderCount[c] > 0, customerPasses(Int32(c)) else { continue }
      guard let k = key(keys, cc, c: Int32(c), order: -1, item: -1, day: today) else { continue }
      let last = stats.lastDay[c]
      var g = groups[k] ?? Figures()
      g.withOrders += 1
      if last >= activeFrom { g.active += 1 } else if last >= churnBefore { g.atRisk += 1 } else { g.churned += 1 }
      groups[k] = g
    }
    return groups
  }

  /// Customers of the customer table (or, without one, customers with an order), per group;
  /// with a period, those who signed up in it.
  func customerTableFigures(_ keys: GroupKeys, period: DateRange?) -> [Int64: Figures] {
    let cc = customerCodeArrays(keys)
    var groups: [Int64: Figures] = [:]
    let hasTable = cube.customers.tableRowCount > 0
    let groupsBySegment = plan.groupBy.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
    for c in 0..<cube.customers.count {
      if hasTable && !groupsBySegment {
        guard cube.customers.inCustomerTable[c] else { continue }
      } else {
        guard stats.orderCount[c] > 0 else { continue }
      }
      guard customerPasses(Int32(c)) else { continue }
      var day = today
      if let p = period {
        let d = cube.customers.signupDay?[c] ?? stats.firstDay[c]
        guard d != nullDay, d >= p.start.raw, d <= p.end.raw else { continue }
        day = d
      }
      if groupsBySegment && rfm().segment[c] < 0 { continue }
      guard let k = key(keys, cc, c: Int32(c), order: -1, item: -1, day: day) else { continue }
      groups[k, default: Figures()].customers += 1
    }
    return groups
  }

  /// Feedback figures per group (customer attributes, time, topic).
  func feedbackFigures(_ keys: GroupKeys, period: DateRange?) throws -> [Int64: Figures] {
    guard let fb = cube.feedback else {
      throw ExecutionError(lang == .zh ? "这份数据没有评价（反馈）表，无法计算 NPS、满意度或差评。可以问销售额、订单、复购、客户状态等。"
        : "This data has no feedback table, so NPS, satisfaction and complaints cannot be computed. Ask about sales, orders, repeat purchase or customer states instead.")
    }
    let (lo, hi) = bounds(period)
    let cc = customerCodeArrays(keys)
    let negativeTopics = topics.filter(\.negative)
    let topicPart = keys.parts.firstIndex { $0.dimension == .topic }
    let negMax = plan.thresholds.negativeScoreMax
    var groups: [Int64: Figures] = [:]
    for i in 0..<fb.count {
      let d = fb.day[i]
      if d < lo || d > hi || d == nullDay { continue }
      let c = fb.customer[i]
      if customerMask != nil && !customerPasses(c) { continue }
      let s = fb.score[i]
      if s.isNaN { continue }
      if !topicFilters.isEmpty {
        let text = fb.comment[i]
        let ok = topicFilters.allSatisfy { (tf, negated) in tf.contains(where: { t in t.phrases.contains { text.contains($0) } }) != negated }
        if !ok { continue }
      }
      var topicCodes: [Int] = [0]
      if topicPart != nil {
        let text = fb.comment[i]
        topicCodes = negativeTopics.indices.filter { t in negativeTopics[t].phrases.contains { text.contains($0) } }.map { $0 + 1 }
        if topicCodes.isEmpty { continue }
      }
      guard let base = key(keys, cc, c: c, order: -1, item: -1, day: d) else { continue }
      for tc in topicCodes {
        let k = base + (topicPart.map { Int64(tc) * keys.strides[$0] } ?? 0)
        var g = groups[k] ?? Figures()
        g.feedback += 1
        g.scoreSum += s
        if s >= 9 { g.promoters += 1 }
        if s <= 6 { g.detractors += 1 }
        if s <= negMax { g.negative += 1 }
        groups[k] = g
      }
    }
    return groups
  }
}
