// Figures of a period per group: one pass over orders (or items, feedback, customers),
// accumulating per group and per (group, customer) pair, then the metrics of semantics.md.
// Order scans run over row ranges on every core, each range into its own accumulator, merged
// afterwards (ParallelScan.swift); plain figures, customer-attribute groups and time buckets
// have tight loops of their own (pointers into dense arrays, keys from precomputed tables).
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
  /// Catalog measures: sums of order columns by role, and purchase intervals.
  /// (A fixed-size value, so that `Figures` stays a plain struct copied without reference
  /// counting in the scans' per-row updates.)
  var columnSums = ColumnSums()
  var intervalSum = 0.0
  var intervalCustomers = 0

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
    default:
      guard let f = m.formula?.formula else { return nil }
      return f.evaluate(metric: { value($0) }, sum: { columnSums[$0] ?? (orders == 0 ? 0 : nil) },
                        interval: { intervalCustomers == 0 ? nil : intervalSum / Double(intervalCustomers) })
    }
  }
}

/// Sums of the order columns a catalog formula reads, by role (OrderMeasureColumn.roles).
struct ColumnSums {
  var amount = 0.0, discount = 0.0, quantity = 0.0
  /// Which roles were summed (bit 0 amount, 1 discount, 2 quantity).
  var present: UInt8 = 0

  static func bit(_ role: String) -> (Int, UInt8)? {
    switch role {
    case "amount": return (0, 1)
    case "discount": return (1, 2)
    case "quantity": return (2, 4)
    default: return nil
    }
  }

  subscript(_ role: String) -> Double? {
    get {
      guard let (i, b) = ColumnSums.bit(role), present & b != 0 else { return nil }
      return i == 0 ? amount : (i == 1 ? discount : quantity)
    }
    set {
      guard let (i, b) = ColumnSums.bit(role) else { return }
      guard let v = newValue else { present &= ~b; return }
      present |= b
      switch i {
      case 0: amount = v
      case 1: discount = v
      default: quantity = v
      }
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
      switch d {
      case .segment: return ContiguousArray(segments().map { Int32($0) })
      case .customer: return ContiguousArray((0..<Int32(cube.customers.count)).map { $0 })
      default:
        if let col = cube.customers.attributes[d] { return col.codes }
        return ContiguousArray((0..<cube.customers.count).map { customerCode(d, $0) })
      }
    }
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

  /// Where each part of a group key comes from, decided once per scan (not per row).
  enum PartSource {
    case customer(ContiguousArray<Int32>)
    case order(ContiguousArray<Int32>)
    case item(CompactCodes)
    /// Bucket code per day from `dayLo` (-1 outside the axis).
    case time(ContiguousArray<Int32>, dayLo: Int32)
    case constant
  }

  func partSources(_ keys: GroupKeys) -> [PartSource] {
    let cc = customerCodeArrays(keys)
    return keys.parts.enumerated().map { (j, p) -> PartSource in
      if let g = p.grain {
        guard p.cardinality > 0 else { return .time([], dayLo: 0) }
        let start = g.start(ofIndex: p.base), end = g.end(ofIndex: p.base + p.cardinality - 1)
        var table = ContiguousArray<Int32>(repeating: -1, count: max(0, end - start + 1))
        var d = start
        var code: Int32 = 0
        while d <= end {
          let next = g.start(ofIndex: p.base + Int(code) + 1)
          while d < next && d <= end {
            table[d - start] = code
            d = d + 1
          }
          code += 1
        }
        return .time(table, dayLo: start.raw)
      }
      if let arr = cc[j] { return .customer(arr) }
      switch p.dimension {
      case .channel?: return .order(cube.orders.channel?.codes ?? [])
      case .category?: return .item(cube.items?.category?.codes ?? CompactCodes())
      case .product?: return .item(cube.items?.product?.codes ?? CompactCodes())
      default: return .constant
      }
    }
  }

  /// The key of a row, or nil when it falls outside the time axis.
  @inline(__always)
  func fastKey(_ sources: [PartSource], _ strides: [Int64], c: Int32, order: Int, item: Int, day: Int32) -> Int64? {
    var k: Int64 = 0
    for j in 0..<sources.count {
      let code: Int32
      switch sources[j] {
      case .customer(let a): code = c < 0 ? 0 : a[Int(c)] + 1
      case .order(let a): code = order < 0 || a.isEmpty ? 0 : a[order] + 1
      case .item(let a): code = item < 0 || a.isEmpty ? 0 : a[item] + 1
      case .time(let t, let lo):
        let x = Int(day) - Int(lo)
        if x < 0 || x >= t.count { return nil }
        code = t[x]
        if code < 0 { return nil }
      case .constant: code = 0
      }
      k += Int64(code) * strides[j]
    }
    return k
  }

  /// Whether the figures asked need the customers of each group (buyers, repeat, new …).
  var needsCustomerPairs: Bool {
    if !plan.conditions.isEmpty { return true }
    let plain: Set<MetricID> = [.sales, .orders, .units, .aov]
    return !plan.metrics.allSatisfy { plain.contains($0) } || plan.share
  }

  /// Figures from orders or items, per group: one pass with dense or open-addressing group
  /// tables and, when customer figures are asked, a (group, customer) table.
  /// - Complexity: O(rows scanned + groups + (group, customer) pairs).
  func orderFigures(_ keys: GroupKeys, period: DateRange?, items useItems: Bool) -> [Int64: Figures] {
    let cacheKey = "\(period.map { "\($0)" } ?? "-")|\(useItems)|\(keys.parts.map { "\($0.dimension?.rawValue ?? "")\($0.grain?.rawValue ?? "")\($0.base):\($0.cardinality)" })"
    if let cached = scanCache[cacheKey] { return cached }
    let sources = partSources(keys)
    let o = cube.orders
    let nC = Int64(cube.customers.count + 1)
    let needPairs = needsCustomerPairs
    let customerOnly = sources.allSatisfy { if case .customer = $0 { return true }; return false }

    let keySpace = keys.parts.reduce(1) { $0 * max(1, $1.cardinality) }
    if !useItems, needPairs, let fast = bucketMaskFigures(keys, sources: sources, period: period, keySpace: keySpace) {
      scanCache[cacheKey] = fast
      return fast
    }
    let nCustomers = cube.customers.count
    func accumulator() -> ScanAccumulator {
      ScanAccumulator(needPairs: needPairs, customerOnly: customerOnly, customers: nCustomers, nC: nC,
                      denseGroups: keySpace <= 4_000_000 ? keySpace : 0)
    }
    var acc = accumulator()
    if useItems, let items = cube.items {
      acc = itemFigures(items, keys, sources, period: period, needPairs: needPairs, accumulator)
    } else if let keyer = orderKeyer(keys, sources) {  // (order groupings have no item part)
      // Each range of orders into its own accumulator, merged in range order.
      let filter = orderFilter(period)
      // Customer figures keep arrays over all customers (or a pair table) per range.
      let state = needPairs ? 4 * (nCustomers + 1) : 0
      let parts = orderPartials(filter, state: state) { range -> ScanAccumulator in
        var part = accumulator()
        part.scanOrders(range, o, filter, keyer)
        return part
      }
      acc = parts[0]
      for part in parts.dropFirst() { acc.merge(part) }
    }

    var groups: [Int64: Figures] = [:]
    groups.reserveCapacity(acc.groupIds.count)
    let conditions = plan.conditions
    func emit(_ g: Int, _ k: Int64) {
      var f = Figures()
      if conditions.isEmpty {
        f.sales = acc.gSales[g]
        f.orders = acc.gOrders[g]
        f.units = acc.gUnits[g]
      }
      groups[k] = f
    }
    if acc.dense {
      for g in 0..<acc.gOrders.count where acc.gOrders[g] > 0 { emit(g, Int64(g)) }
    } else {
      for (g, k) in acc.groupIds.keys.enumerated() { emit(g, k) }
    }
    guard needPairs else {
      scanCache[cacheKey] = groups
      return groups
    }
    // Customer figures from the pairs, accumulated in arrays by group id (no dictionary per pair).
    let nGroups = acc.dense ? acc.gOrders.count : acc.groupIds.count
    var buyers = ContiguousArray<Int32>(repeating: 0, count: nGroups)
    var repeaters = buyers, highs = buyers, news = buyers, returning = buyers
    var cSales = ContiguousArray<Double>(repeating: 0, count: conditions.isEmpty ? 0 : nGroups)
    var cOrders = ContiguousArray<Int>(repeating: 0, count: cSales.count)
    var cUnits = ContiguousArray<Double>(repeating: 0, count: cSales.count)
    var bucketStart = ContiguousArray<Int32>(repeating: 0, count: nGroups)
    var bucketEnd = ContiguousArray<Int32>(repeating: 0, count: nGroups)
    var bucketKnown = ContiguousArray<UInt8>(repeating: 0, count: nGroups)  // 0 unknown, 1 range, 2 none
    let high = Int32(plan.thresholds.highRepurchaseOrders)
    let firstEver = cube.stats.firstDay
    func process(_ k: Int64, _ c: Int, _ n: Int32, _ spend: Double, _ units: Double) {
      guard let g = acc.dense ? Int(k) : acc.groupIds.find(k) else { return }
      if !conditions.isEmpty {
        guard c >= 0, conditions.allSatisfy({ $0.test(Double(n), spend) }) else { return }
        cSales[g] += spend
        cOrders[g] += Int(n)
        cUnits[g] += units
      }
      guard c >= 0 else { return }
      buyers[g] += 1
      if n >= 2 { repeaters[g] += 1 }
      if n >= high { highs[g] += 1 }
      if bucketKnown[g] == 0 {
        if let b = bucket(keys, k, period: period) {
          bucketStart[g] = b.start.raw
          bucketEnd[g] = b.end.raw
          bucketKnown[g] = 1
        } else {
          bucketKnown[g] = 2
        }
      }
      let first = firstEver[c]
      if bucketKnown[g] == 1 {
        if first >= bucketStart[g] && first <= bucketEnd[g] { news[g] += 1 } else if first < bucketStart[g] { returning[g] += 1 }
      } else {
        news[g] += 1
      }
    }
    if customerOnly {
      let cs = acc.cState
      for x in 0..<acc.cUnits.count where cs[3 * x + 2] >= 0 {
        process(Int64(cs[3 * x + 2]), x - 1, Int32(cs[3 * x]), cs[3 * x + 1], acc.cUnits[x])
      }
    } else {
      for (p, pk) in acc.pairIds.keys.enumerated() { process(pk / nC, Int(pk % nC) - 1, acc.pCount[p], acc.pSpend[p], acc.pUnits[p]) }
    }
    func fill(_ g: Int, _ k: Int64) {
      guard var f = groups[k] else { return }
      f.buyers = Int(buyers[g])
      f.repeatCustomers = Int(repeaters[g])
      f.highRepurchase = Int(highs[g])
      f.newCustomers = Int(news[g])
      f.returning = Int(returning[g])
      if !conditions.isEmpty {
        f.sales = cSales[g]
        f.orders = cOrders[g]
        f.units = cUnits[g]
      }
      groups[k] = f
    }
    if acc.dense {
      for g in 0..<acc.gOrders.count where acc.gOrders[g] > 0 { fill(g, Int64(g)) }
    } else {
      for (g, k) in acc.groupIds.keys.enumerated() { fill(g, k) }
    }
    scanCache[cacheKey] = groups
    return groups
  }

  /// Customer figures per time bucket without a (group, customer) table: when the grouping
  /// is customer attributes plus time units, each customer keeps bit-sliced counters (ordered
  /// once, twice, three and four times) per unit in 64-unit words (`BucketMasks`); a distinct
  /// count per unit is then a walk over set bits. Ranges of orders fill their own masks, merged
  /// by bit-sliced addition. Orders in day order are counted unit by unit instead
  /// (UnitRuns.swift: bitsets over customers that stay in cache), and so are groupings by
  /// customer attributes alone (any row order: the period is then one unit).
  /// - Complexity: O(orders + customers × words × threads).
  func bucketMaskFigures(_ keys: GroupKeys, sources: [PartSource], period: DateRange?, keySpace: Int) -> [Int64: Figures]? {
    let high = plan.thresholds.highRepurchaseOrders
    guard plan.conditions.isEmpty, (2...4).contains(high) else { return nil }
    // Customer attributes alone: the whole period is one unit (UnitRuns.swift).
    if keySpace <= 1 << 16, keys.parts.allSatisfy({ $0.dimension?.isCustomerAttribute ?? false }),
      let keyer = orderKeyer(keys, sources) {
      let days = bucket(keys, 0, period: period)
      let totals = unitRunTotals(keySpace: keySpace, keyer: keyer, filter: orderFilter(period), highLevel: high - 1,
                                 unitStart: [days?.start.raw ?? Int32.min], unitEnd: [days?.end.raw ?? Int32.max])
      return figures(totals, keySpace: keySpace)
    }
    guard keySpace <= 4_000_000,
      let last = keys.parts.last, let g = last.grain, last.cardinality > 0,
      keys.parts.dropLast().allSatisfy({ $0.dimension?.isCustomerAttribute ?? false }),
      case .time? = sources.last, let keyer = orderKeyer(keys, sources)
    else { return nil }
    let o = cube.orders
    let nCust = cube.customers.count
    let words = (last.cardinality + 63) / 64
    let filter = orderFilter(period)
    // Each unit's days within the period, for new and returning customers.
    var bStart = ContiguousArray<Int32>(), bEnd = ContiguousArray<Int32>()
    for b in 0..<last.cardinality {
      var s = g.start(ofIndex: last.base + b).raw, e = g.end(ofIndex: last.base + b).raw
      if let p = period {
        s = max(s, p.start.raw)
        e = min(e, p.end.raw)
      }
      bStart.append(s)
      bEnd.append(e)
    }
    let highLevel = high - 1
    let totals: BucketTotals
    if cube.ordersByDay {
      totals = unitRunTotals(keySpace: keySpace, keyer: keyer, filter: filter, highLevel: highLevel, unitStart: bStart, unitEnd: bEnd)
    } else {
      // The masks of every thread stay within a memory budget (else the (group, customer) table).
      let rows = cube.orderRows(days: filter.lo, filter.hi).count
      let threads = parallelism.sized(state: nCust * words * 4, rows: rows).ranges(0..<rows).count
      guard words == 1 || nCust * words * 32 * threads <= BucketMasks.budgetBytes else { return nil }
      let parts = orderPartials(filter, state: nCust * words * 4) { range -> BucketMasks in
        var part = BucketMasks(customers: nCust, words: words, keySpace: keySpace)
        part.scan(range, o, filter, keyer)
        return part
      }
      var acc = parts[0]
      for part in parts.dropFirst() { acc.merge(part) }
      totals = acc.totals(keySpace: keySpace, keyer: keyer, parallelism: parallelism, highLevel: highLevel,
                          firstEver: cube.stats.firstDay, unitStart: bStart, unitEnd: bEnd)
    }
    return figures(totals, keySpace: keySpace)
  }

  /// The figures of the keys with orders.
  private func figures(_ totals: BucketTotals, keySpace: Int) -> [Int64: Figures] {
    var groups: [Int64: Figures] = [:]
    let counts = totals.counts
    for k in 0..<keySpace where totals.orders[k] > 0 {
      var f = Figures()
      f.sales = totals.sales[k]
      f.orders = totals.orders[k]
      f.units = totals.units[k]
      groups[Int64(k)] = f
    }
    for (k, f) in groups {
      var f = f
      let i = Int(k)
      f.buyers = Int(counts[i])
      f.repeatCustomers = Int(counts[keySpace + i])
      f.highRepurchase = Int(counts[2 * keySpace + i])
      f.newCustomers = Int(counts[3 * keySpace + i])
      f.returning = Int(counts[4 * keySpace + i])
      groups[k] = f
    }
    return groups
  }

  /// Per customer and 64-unit word, four bit-sliced counters (bit b of level l: ordered more
  /// than l times in unit b, up to four), stored together; plus order figures per key.
  struct BucketMasks {
    static let budgetBytes = 256 << 20
    let words: Int
    var masks: ContiguousArray<UInt64>
    var sales: ContiguousArray<Double>, orders: ContiguousArray<Int>, units: ContiguousArray<Double>

    init(customers: Int, words: Int, keySpace: Int) {
      self.words = words
      masks = ContiguousArray(repeating: 0, count: customers * words * 4)
      sales = ContiguousArray(repeating: 0, count: keySpace)
      orders = ContiguousArray(repeating: 0, count: keySpace)
      units = ContiguousArray(repeating: 0, count: keySpace)
    }

    mutating func scan(_ range: Range<Int>, _ o: OrderTable, _ filter: OrderFilter, _ keyer: OrderKeyer) {
      let words = self.words
      let qty = o.quantity
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          o.amount.withUnsafeBufferPointer { amount in
            masks.withUnsafeMutableBufferPointer { m in
              sales.withUnsafeMutableBufferPointer { sales in
                orders.withUnsafeMutableBufferPointer { orders in
                  for i in range {
                    let d = day[i], c = cust[i]
                    guard filter.passes(i, day: d, customer: c) else { continue }
                    let k = keyer.key(i, day: d, customer: c)
                    if k < 0 { continue }
                    let g = Int(k)
                    let a = amount[i]
                    sales[g] += a.isNaN ? 0 : a
                    orders[g] += 1
                    if let q = qty { units[g] += q[i] }
                    guard c >= 0 else { continue }
                    let b = Int(keyer.dayKey[Int(d) &- Int(keyer.dayLo)])
                    let at = (Int(c) * words + (b >> 6)) * 4
                    let bit: UInt64 = 1 << UInt64(b & 63)
                    m[at + 3] |= m[at + 2] & bit
                    m[at + 2] |= m[at + 1] & bit
                    m[at + 1] |= m[at] & bit
                    m[at] |= bit
                  }
                }
              }
            }
          }
        }
      }
    }

    /// Sums per key and the customer counts per key: walks each customer's set bits (over
    /// ranges of customers in parallel when the key space is small).
    func totals(keySpace: Int, keyer: OrderKeyer, parallelism: ScanParallelism, highLevel: Int, firstEver: ContiguousArray<Int32>,
                unitStart: ContiguousArray<Int32>, unitEnd: ContiguousArray<Int32>) -> BucketTotals {
      // Counts per key: buyers, repeat, high-repurchase, new, returning (five rows of keySpace),
      // walked over ranges of customers in parallel when the key space is small.
      let walk = keySpace <= 1 << 16 ? parallelism : ScanParallelism(threads: 1)
      let words = self.words, nCust = masks.count / (4 * words)
      let walked = walk.partials(0..<nCust) { range -> ContiguousArray<Int32> in
        var counts = ContiguousArray<Int32>(repeating: 0, count: 5 * keySpace)
        counts.withUnsafeMutableBufferPointer { cs in
          let buyers = 0, repeaters = keySpace, highs = 2 * keySpace, news = 3 * keySpace, returning = 4 * keySpace
          masks.withUnsafeBufferPointer { m in
            for c in range {
              let ck = Int(keyer.hasCustomer ? keyer.customerPart(c + 1) : 0)
              let first = firstEver[c]
              for w in 0..<words {
                let at = (c * words + w) * 4
                var bits = m[at]
                while bits != 0 {
                  let t = bits.trailingZeroBitCount
                  bits &= bits - 1
                  let b = w * 64 + t
                  let k = ck + b
                  let bit: UInt64 = 1 << UInt64(t)
                  cs[buyers + k] += 1
                  if m[at + 1] & bit != 0 { cs[repeaters + k] += 1 }
                  if m[at + highLevel] & bit != 0 { cs[highs + k] += 1 }
                  if first >= unitStart[b] && first <= unitEnd[b] { cs[news + k] += 1 } else if first < unitStart[b] { cs[returning + k] += 1 }
                }
              }
            }
          }
        }
        return counts
      }
      var t = BucketTotals(keySpace: 0)
      t.sales = sales
      t.orders = orders
      t.units = units
      t.counts = walked[0]
      for p in walked.dropFirst() { addInto(&t.counts, p) }
      return t
    }

    /// Adds another range's counters: level l of the sum holds the units where the two
    /// counts add up to more than l (saturating at four).
    mutating func merge(_ other: BucketMasks) {
      addInto(&sales, other.sales)
      addInto(&orders, other.orders)
      addInto(&units, other.units)
      masks.withUnsafeMutableBufferPointer { a in
        other.masks.withUnsafeBufferPointer { b in
          var at = 0
          while at < a.count {
            let a1 = a[at], a2 = a[at + 1], a3 = a[at + 2], a4 = a[at + 3]
            let b1 = b[at], b2 = b[at + 1], b3 = b[at + 2], b4 = b[at + 3]
            a[at] = a1 | b1
            a[at + 1] = a2 | b2 | (a1 & b1)
            a[at + 2] = a3 | b3 | (a2 & b1) | (a1 & b2)
            a[at + 3] = a4 | b4 | (a3 & b1) | (a2 & b2) | (a1 & b3)
            at += 4
          }
        }
      }
    }
  }

  /// The accumulators of one scan, as a struct with mutating methods so that the hot loop
  /// works on local storage (nested functions capturing `var`s would box them on the heap).
  struct ScanAccumulator {
    var groupIds = SlotTable(capacity: 64)
    var gSales = ContiguousArray<Double>(), gOrders = ContiguousArray<Int>(), gUnits = ContiguousArray<Double>()
    let needPairs: Bool
    let customerOnly: Bool
    let nC: Int64
    var pairIds: SlotTable
    var pCount = ContiguousArray<Int32>(), pSpend = ContiguousArray<Double>(), pUnits = ContiguousArray<Double>()
    /// Per customer (index c + 1), when the key follows from the customer: orders, spend and
    /// key (-1: no order) side by side, so that an order touches one cache line.
    var cState: ContiguousArray<Double>
    var cUnits: ContiguousArray<Double>
    var lastKey: Int64 = -1
    var lastGroup = 0
    /// With a small key space, groups are indexed by key directly (no hashing); a group has
    /// rows when it has orders.
    let dense: Bool
    /// Per customer: the key and pair id of its last row (a customer's rows usually repeat
    /// the same time bucket, so most rows skip the pair table).
    var markKey: ContiguousArray<Int64>
    var markPair: ContiguousArray<Int32>

    init(needPairs: Bool, customerOnly: Bool, customers: Int, nC: Int64, denseGroups: Int) {
      self.needPairs = needPairs
      self.customerOnly = customerOnly
      self.nC = nC
      dense = denseGroups > 0
      if dense {
        gSales = ContiguousArray(repeating: 0, count: denseGroups)
        gOrders = ContiguousArray(repeating: 0, count: denseGroups)
        gUnits = ContiguousArray(repeating: 0, count: denseGroups)
      }
      let marks = needPairs && !customerOnly ? customers + 1 : 0
      markKey = ContiguousArray(repeating: -1, count: marks)
      markPair = ContiguousArray(repeating: -1, count: marks)
      pairIds = SlotTable(capacity: needPairs && !customerOnly ? 1 << 18 : 16)
      let n = needPairs && customerOnly ? customers + 1 : 0
      cState = ContiguousArray(repeating: 0, count: 3 * n)
      for x in 0..<n { cState[3 * x + 2] = -1 }
      cUnits = ContiguousArray(repeating: 0, count: n)
    }

    /// Adds the orders of `range` that pass `filter`.
    mutating func scanOrders(_ range: Range<Int>, _ o: OrderTable, _ filter: OrderFilter, _ keyer: OrderKeyer) {
      if dense && !needPairs { return scanDense(range, o, filter, keyer) }
      if dense && customerOnly { return scanCustomers(range, o, filter, keyer) }
      let qty = o.quantity
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          o.amount.withUnsafeBufferPointer { amount in
            for i in range {
              let d = day[i], c = cust[i]
              guard filter.passes(i, day: d, customer: c) else { continue }
              let k = keyer.key(i, day: d, customer: c)
              if k < 0 { continue }
              let a = amount[i]
              add(k, c, newOrder: true, spend: a.isNaN ? 0 : a, units: qty?[i] ?? 0)
            }
          }
        }
      }
    }

    /// Sales, orders and units per dense group: the tight loop of plain figures (pointers into
    /// the group arrays, no per-row uniqueness or optional checks; sales and orders in
    /// `LaneSums`).
    private mutating func scanDense(_ range: Range<Int>, _ o: OrderTable, _ filter: OrderFilter, _ keyer: OrderKeyer) {
      let qty = o.quantity
      let sums = LaneSums(groups: gSales.count)
      defer { sums.release() }
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          o.amount.withUnsafeBufferPointer { amount in
            for i in range {
              let d = day[i], c = cust[i]
              guard filter.passes(i, day: d, customer: c) else { continue }
              let k = keyer.key(i, day: d, customer: c)
              if k < 0 { continue }
              sums.add(row: i, group: Int(k), amount: amount[i])
            }
          }
        }
      }
      sums.total(into: &gSales, &gOrders)
      // Units in a second pass over the (rarely present) quantity column.
      guard let qty else { return }
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          qty.withUnsafeBufferPointer { q in
            gUnits.withUnsafeMutableBufferPointer { units in
              for i in range {
                let d = day[i], c = cust[i]
                guard filter.passes(i, day: d, customer: c) else { continue }
                let k = keyer.key(i, day: d, customer: c)
                if k >= 0 { units[Int(k)] += q[i] }
              }
            }
          }
        }
      }
    }

    /// Groups of customer attributes with customer figures: orders, spend and units per
    /// customer (its group follows from the customer), through pointers like `scanDense`.
    private mutating func scanCustomers(_ range: Range<Int>, _ o: OrderTable, _ filter: OrderFilter, _ keyer: OrderKeyer) {
      let qty = o.quantity
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          o.amount.withUnsafeBufferPointer { amount in
            gSales.withUnsafeMutableBufferPointer { sales in
              gOrders.withUnsafeMutableBufferPointer { orders in
                cState.withUnsafeMutableBufferPointer { state in
                  for i in range {
                    let d = day[i], c = cust[i]
                    guard filter.passes(i, day: d, customer: c) else { continue }
                    let k = keyer.key(i, day: d, customer: c)
                    if k < 0 { continue }
                    let a = amount[i]
                    let v = a.isNaN ? 0 : a
                    sales[Int(k)] += v
                    orders[Int(k)] += 1
                    let x = 3 &* (Int(c) &+ 1)
                    state[x] += 1
                    state[x + 1] += v
                    state[x + 2] = Double(k)
                  }
                }
              }
            }
          }
        }
      }
      guard let qty else { return }
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          qty.withUnsafeBufferPointer { q in
            gUnits.withUnsafeMutableBufferPointer { units in
              cUnits.withUnsafeMutableBufferPointer { cu in
                for i in range {
                  let d = day[i], c = cust[i]
                  guard filter.passes(i, day: d, customer: c) else { continue }
                  let k = keyer.key(i, day: d, customer: c)
                  if k < 0 { continue }
                  units[Int(k)] += q[i]
                  cu[Int(c) &+ 1] += q[i]
                }
              }
            }
          }
        }
      }
    }

    /// Adds another range's accumulators (groups and pairs by key).
    mutating func merge(_ other: ScanAccumulator) {
      if dense {
        addInto(&gSales, other.gSales)
        addInto(&gOrders, other.gOrders)
        addInto(&gUnits, other.gUnits)
      } else {
        for (h, k) in other.groupIds.keys.enumerated() {
          var isNew = false
          let g = groupIds.id(k, isNew: &isNew)
          if isNew { gSales.append(0); gOrders.append(0); gUnits.append(0) }
          gSales[g] += other.gSales[h]
          gOrders[g] += other.gOrders[h]
          gUnits[g] += other.gUnits[h]
        }
        lastKey = -1
      }
      guard needPairs else { return }
      if customerOnly {
        addInto(&cUnits, other.cUnits)
        for x in 0..<cUnits.count where other.cState[3 * x + 2] >= 0 {
          cState[3 * x] += other.cState[3 * x]
          cState[3 * x + 1] += other.cState[3 * x + 1]
          cState[3 * x + 2] = other.cState[3 * x + 2]
        }
      } else {
        for (q, pk) in other.pairIds.keys.enumerated() {
          var isNew = false
          let p = pairIds.id(pk, isNew: &isNew)
          if isNew { pCount.append(0); pSpend.append(0); pUnits.append(0) }
          pCount[p] += other.pCount[q]
          pSpend[p] += other.pSpend[q]
          pUnits[p] += other.pUnits[q]
        }
        for x in markKey.indices { markKey[x] = -1 }
      }
    }

    @inline(__always)
    mutating func add(_ k: Int64, _ c: Int32, newOrder: Bool, spend: Double, units: Double) {
      let g: Int
      if dense {
        g = Int(k)
      } else if k == lastKey {
        g = lastGroup
      } else {
        var isNew = false
        g = groupIds.id(k, isNew: &isNew)
        if isNew { gSales.append(0); gOrders.append(0); gUnits.append(0) }
        lastKey = k
        lastGroup = g
      }
      gSales[g] += spend
      gUnits[g] += units
      if newOrder { gOrders[g] += 1 }
      guard needPairs else { return }
      if customerOnly {
        let x = Int(c + 1)
        if newOrder { cState[3 * x] += 1 }
        cState[3 * x + 1] += spend
        cState[3 * x + 2] = Double(k)
        cUnits[x] += units
      } else {
        let x = Int(c + 1)
        let p: Int
        if markKey[x] == k {
          p = Int(markPair[x])
        } else {
          var isNew = false
          p = pairIds.id(k &* nC &+ Int64(c + 1), isNew: &isNew)
          if isNew { pCount.append(0); pSpend.append(0); pUnits.append(0) }
          markKey[x] = k
          markPair[x] = Int32(p)
        }
        if newOrder { pCount[p] += 1 }
        pSpend[p] += spend
        pUnits[p] += units
      }
    }
  }

  /// Customer states as of today, per customer group.
  func stateFigures(_ keys: GroupKeys) -> [Int64: Figures] {
    let sources = partSources(keys)
    var groups: [Int64: Figures] = [:]
    let activeFrom = today - Int32(plan.thresholds.activeDays) + 1
    let churnBefore = today - Int32(plan.thresholds.churnDays) + 1
    for c in 0..<cube.customers.count {
      guard stats.orderCount[c] > 0, customerPasses(Int32(c)) else { continue }
      guard let k = fastKey(sources, keys.strides, c: Int32(c), order: -1, item: -1, day: today) else { continue }
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
    let sources = partSources(keys)
    var groups: [Int64: Figures] = [:]
    let hasTable = cube.customers.tableRowCount > 0
    let groupsBySegment = plan.groupBy.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
    let segmentOf = groupsBySegment ? segments() : nil
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
      if let seg = segmentOf, seg[c] < 0 { continue }
      guard let k = fastKey(sources, keys.strides, c: Int32(c), order: -1, item: -1, day: day) else { continue }
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
    let sources = partSources(keys)
    let strides = keys.strides
    let negativeTopics = topics.filter(\.negative)
    let topicPart = keys.parts.firstIndex { $0.dimension == .topic }
    let negMax = plan.thresholds.negativeScoreMax
    let keySpace = keys.parts.reduce(1) { $0 * max(1, $1.cardinality) }
    let orderParts = sources.contains { if case .order = $0 { return true }; if case .item = $0 { return true }; return false }
    if topicPart == nil, topicFilters.isEmpty, !orderParts, keySpace <= 1 << 20, let keyer = orderKeyer(keys, sources) {
      return denseFeedbackFigures(fb, keyer: keyer, keySpace: keySpace, lo: lo, hi: hi, negativeMax: negMax)
    }
    // Groups by id in a slot table, figures in arrays (no dictionary per row).
    var ids = SlotTable(capacity: 64)
    var count = ContiguousArray<Int>(), sum = ContiguousArray<Double>()
    var promoters = ContiguousArray<Int>(), detractors = ContiguousArray<Int>(), negative = ContiguousArray<Int>()
    let mask = customerMask
    var topicCodes: [Int] = []
    for i in fb.rows(days: lo, hi) {
      let d = fb.day[i]
      if d < lo || d > hi || d == nullDay { continue }
      let c = fb.customer[i]
      if let m = mask, c < 0 || !m[Int(c)] { continue }
      let s = fb.score[i]
      if s.isNaN { continue }
      if !topicFilters.isEmpty {
        let text = fb.comment[i]
        let ok = topicFilters.allSatisfy { (tf, negated) in tf.contains(where: { t in t.phrases.contains { text.contains($0) } }) != negated }
        if !ok { continue }
      }
      topicCodes.removeAll(keepingCapacity: true)
      if topicPart != nil {
        let text = fb.comment[i]
        for t in negativeTopics.indices where negativeTopics[t].phrases.contains(where: { text.contains($0) }) { topicCodes.append(t + 1) }
        if topicCodes.isEmpty { continue }
      } else {
        topicCodes.append(0)
      }
      guard let base = fastKey(sources, strides, c: c, order: -1, item: -1, day: d) else { continue }
      for tc in topicCodes {
        let k = base + (topicPart.map { Int64(tc) * strides[$0] } ?? 0)
        var isNew = false
        let g = ids.id(k, isNew: &isNew)
        if isNew {
          count.append(0); sum.append(0); promoters.append(0); detractors.append(0); negative.append(0)
        }
        count[g] += 1
        sum[g] += s
        if s >= 9 { promoters[g] += 1 }
        if s <= 6 { detractors[g] += 1 }
        if s <= negMax { negative[g] += 1 }
      }
    }
    var groups: [Int64: Figures] = [:]
    for (g, k) in ids.keys.enumerated() {
      var f = Figures()
      f.feedback = count[g]
      f.scoreSum = sum[g]
      f.promoters = promoters[g]
      f.detractors = detractors[g]
      f.negative = negative[g]
      groups[k] = f
    }
    return groups
  }

  /// Feedback figures per key without topics: keys from the keyer's tables (customer and time
  /// parts; feedback has no channel), figures in dense arrays per key, ranges of rows on their
  /// own threads, merged by adding.
  /// - Complexity: O(feedback rows + keys × threads).
  func denseFeedbackFigures(_ fb: FeedbackTable, keyer: OrderKeyer, keySpace: Int, lo: Int32, hi: Int32,
                            negativeMax: Double) -> [Int64: Figures] {
    let mask = customerMask
    // Five counters per key side by side: rows, score sum, promoters, detractors, negative.
    let lo = max(lo, nullDay + 1)
    // (Feedback in day order: only the period's rows, split evenly between threads.)
    let rows = fb.rows(days: lo, hi)
    let parts = parallelism.sized(state: 5 * keySpace, rows: rows.count).partials(rows) { range -> ContiguousArray<Double> in
      var acc = ContiguousArray<Double>(repeating: 0, count: 5 * keySpace)
      acc.withUnsafeMutableBufferPointer { a in
        fb.day.withUnsafeBufferPointer { day in
          fb.customer.withUnsafeBufferPointer { cust in
            fb.score.withUnsafeBufferPointer { score in
              for i in range {
                let d = day[i]
                if d < lo || d > hi { continue }
                let c = cust[i]
                if let m = mask, c < 0 || !m[Int(c)] { continue }
                let s = score[i]
                if s.isNaN { continue }
                let k = keyer.key(i, day: d, customer: c)
                if k < 0 { continue }
                let x = 5 &* Int(k)
                a[x] += 1
                a[x + 1] += s
                a[x + 2] += s >= 9 ? 1 : 0
                a[x + 3] += s <= 6 ? 1 : 0
                a[x + 4] += s <= negativeMax ? 1 : 0
              }
            }
          }
        }
      }
      return acc
    }
    var acc = parts[0]
    for p in parts.dropFirst() { addInto(&acc, p) }
    var groups: [Int64: Figures] = [:]
    for k in 0..<keySpace where acc[5 * k] > 0 {
      var f = Figures()
      f.feedback = Int(acc[5 * k])
      f.scoreSum = acc[5 * k + 1]
      f.promoters = Int(acc[5 * k + 2])
      f.detractors = Int(acc[5 * k + 3])
      f.negative = Int(acc[5 * k + 4])
      groups[Int64(k)] = f
    }
    return groups
  }
}
