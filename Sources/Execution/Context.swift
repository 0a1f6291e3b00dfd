// What every operator shares: the cube, today, the customer mask built from the plan's
// customer filters, and the group-key encoder. One pass of each operator reads these.

import Cube
import QueryModel

/// A failure to execute a plan that the user should read (not a bug).
public struct ExecutionError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Per-customer RFM, computed once per `today`.
public struct RFMTable: Sendable {
  public var r: ContiguousArray<Int32>
  public var f: ContiguousArray<Int32>
  public var m: ContiguousArray<Double>
  public var rScore: ContiguousArray<Int8>
  public var fScore: ContiguousArray<Int8>
  public var mScore: ContiguousArray<Int8>
  /// Index into `Segment.allCases`, -1 for customers without orders.
  public var segment: ContiguousArray<Int8>
  public var population: Int
}

/// The encoded group keys of one plan.
struct GroupKeys {
  /// One component per grouping; `cardinality` includes the NULL code (stored as 0).
  struct Part {
    var dimension: DimensionID?
    var grain: TimeUnit?
    var base: Int  // first time index, for grains
    var cardinality: Int
  }
  var parts: [Part]
  var strides: [Int64]

  init(parts: [Part]) {
    self.parts = parts
    var s: [Int64] = []
    var acc: Int64 = 1
    for p in parts.reversed() {
      s.append(acc)
      acc *= Int64(max(p.cardinality, 1))
    }
    strides = s.reversed()
  }

  /// Decodes a key into the component codes (dictionary code + 1, or time offset).
  func decode(_ key: Int64) -> [Int] {
    var out: [Int] = []
    var k = key
    for s in strides {
      out.append(Int(k / s))
      k %= s
    }
    return out
  }
}

final class ExecutionContext {
  let cube: Cube
  let plan: Plan
  let today: Int32
  let lang: Language
  let topics: [Topic]
  /// RFM segment per customer (index into `Segment.allCases`, -1 without orders), computed on first use.
  let segments: () -> ContiguousArray<Int8>
  let stats: CustomerStats
  /// Customers passing the plan's customer-attribute filters (nil = all pass).
  var customerMask: ContiguousArray<Bool>?
  var channelAllowed: Set<Int32>?
  var itemAllowed: ContiguousArray<Bool>?
  /// Feedback must mention one of each list's topics (or none of them, when negated).
  var topicFilters: [([Topic], Bool)] = []
  /// Scans already made for this plan (several figures share one pass).
  var scanCache: [String: [Int64: Figures]] = [:]
  /// Threads per scan of the order fact (ParallelScan.swift).
  let parallelism: ScanParallelism

  init(cube: Cube, plan: Plan, lang: Language, topics: [Topic], stats: CustomerStats, parallelism: ScanParallelism = .standard,
       segments: @escaping () -> ContiguousArray<Int8>) throws {
    self.cube = cube
    self.parallelism = parallelism
    self.plan = plan
    self.today = plan.today.raw
    self.lang = lang
    self.topics = topics
    self.stats = stats
    self.segments = segments
    try buildFilters()
  }

  func ageBand(_ c: Int) -> Int32 {
    guard let by = cube.customers.birthYear, by[c] != nullDay, by[c] > 0 else { return -1 }
    let age = plan.today.year - Int(by[c])
    switch age {
    case ..<25: return 0
    case 25...34: return 1
    case 35...44: return 2
    case 45...54: return 3
    default: return 4
    }
  }

  static let ageBandNames = ["<25", "25–34", "35–44", "45–54", "≥55"]

  /// The codes of a customer dimension for customer `c` (-1 = NULL).
  func customerCode(_ d: DimensionID, _ c: Int) -> Int32 {
    if c < 0 { return -1 }
    switch d {
    case .customer: return Int32(c)
    case .ageBand: return ageBand(c)
    case .segment: return Int32(segments()[c])
    default: return cube.customers.attributes[d]?.codes[c] ?? -1
    }
  }

  func cardinality(_ d: DimensionID) -> Int {
    switch d {
    case .customer: return cube.customers.count
    case .ageBand: return 5
    case .segment: return Segment.allCases.count
    case .topic: return topics.filter(\.negative).count
    case .channel: return cube.orders.channel?.dictionary.count ?? 0
    case .category: return cube.items?.category?.dictionary.count ?? 0
    case .product: return cube.items?.product?.dictionary.count ?? 0
    default: return cube.customers.attributes[d]?.dictionary.count ?? 0
    }
  }

  func label(_ d: DimensionID, code: Int32) -> Value {
    if code < 0 { return .null }
    switch d {
    case .customer: return cube.customers.keys.value(Int(code))
    case .ageBand: return .string(ExecutionContext.ageBandNames[Int(code)])
    case .segment: return .string(Segment.allCases[Int(code)].name(lang))
    case .topic: return .string(topics.filter(\.negative)[Int(code)].name)
    case .channel: return .string(cube.orders.channel?.dictionary[Int(code)] ?? "")
    case .category: return .string(cube.items?.category?.dictionary[Int(code)] ?? "")
    case .product: return .string(cube.items?.product?.dictionary[Int(code)] ?? "")
    default: return .string(cube.customers.attributes[d]?.dictionary[Int(code)] ?? "")
    }
  }

  /// Codes of filter values; a value missing from the data matches nothing.
  func codes(_ d: DimensionID, _ values: [String]) -> Set<Int32> {
    var s = Set<Int32>()
    for v in values {
      switch d {
      case .segment:
        if let i = Segment.allCases.firstIndex(where: { $0.rawValue == v || $0.name(.zh) == v || $0.name(.en) == v }) { s.insert(Int32(i)) }
      case .ageBand:
        if let i = ExecutionContext.ageBandNames.firstIndex(of: v) { s.insert(Int32(i)) }
      case .channel:
        if let c = cube.orders.channel?.code(of: v) { s.insert(c) }
      case .category:
        if let c = cube.items?.category?.code(of: v) { s.insert(c) }
      case .product:
        if let c = cube.items?.product?.code(of: v) { s.insert(c) }
      default:
        if let c = cube.customers.attributes[d]?.code(of: v) { s.insert(c) }
      }
    }
    return s
  }

  func buildFilters() throws {
    var mask: ContiguousArray<Bool>?
    for f in plan.filters {
      let allowed = codes(f.dimension, f.values)
      switch f.dimension {
      case .channel:
        var codesHere = allowed
        if f.negated {
          let all = Set((-1..<Int32(cube.orders.channel?.dictionary.count ?? 0)))
          codesHere = all.subtracting(allowed)
        }
        channelAllowed = channelAllowed.map { $0.intersection(codesHere) } ?? codesHere
      case .category, .product:
        guard let items = cube.items else { throw ExecutionError("no order items in this data") }
        let col = f.dimension == .category ? items.category : items.product
        guard let col else { throw ExecutionError("no \(f.dimension.rawValue) in this data") }
        var m = itemAllowed ?? ContiguousArray(repeating: true, count: items.count)
        for i in 0..<items.count where m[i] { m[i] = allowed.contains(col.codes[i]) != f.negated }
        itemAllowed = m
      case .topic:
        topicFilters.append((topics.filter { f.values.contains($0.name) }, f.negated))
      default:
        var m = mask ?? ContiguousArray(repeating: true, count: cube.customers.count)
        let seg = f.dimension == .segment ? segments() : nil  // fetched once, not per customer
        for c in 0..<m.count where m[c] {
          let code = seg.map { Int32($0[c]) } ?? customerCode(f.dimension, c)
          m[c] = allowed.contains(code) != f.negated
        }
        mask = m
      }
    }
    if !plan.customerPredicates.isEmpty {
      var m = mask ?? ContiguousArray(repeating: true, count: cube.customers.count)
      for p in plan.customerPredicates { restrict(&m, to: p) }
      mask = m
    }
    customerMask = mask
  }

  /// Overdue for their cycle: ≥ 2 orders up to today and (today − last) > 1.5 × (last − first)
  /// ÷ (orders − 1), compared in whole numbers: 2 · ago · (orders − 1) > 3 · (last − first).
  static func isOverdue(_ st: CustomerStats, _ c: Int, today: Int64) -> Bool {
    let n = Int64(st.orderCount[c])
    guard n >= 2 else { return false }
    let first = Int64(st.firstDay[c]), last = Int64(st.lastDay[c])
    return 2 * (today - last) * (n - 1) > 3 * (last - first)
  }

  /// Keeps in `m` the customers that satisfy `p`. Kinds decided within the period use the
  /// orders of the period (whatever other filters say); states use each customer's last order
  /// up to today; ages use the birth year.
  /// - Complexity: O(customers), plus one pass over the orders for repeat and high-repurchase.
  func restrict(_ m: inout ContiguousArray<Bool>, to p: CustomerPredicate) {
    let n = m.count
    switch p {
    case .age(let lo, let hi):
      let by = cube.customers.birthYear
      for c in 0..<n where m[c] {
        guard let by, by[c] != nullDay, by[c] > 0 else { m[c] = false; continue }
        let age = plan.today.year - Int(by[c])
        if let lo, age < lo { m[c] = false }
        if let hi, age > hi { m[c] = false }
      }
    case .kind(let k):
      let (lo, hi) = bounds(plan.period)
      // New and returning customers are judged by the first order ever (semantics.md), not the
      // first order up to today: a customer whose orders all lie after today has no first day
      // up to today (nullDay, below every date) and would count as returning.
      let first = cube.stats.firstDay, last = stats.lastDay
      switch k {
      case .all: break
      case .overdue:
        let t = Int64(plan.today.raw)
        for c in 0..<n where m[c] { m[c] = ExecutionContext.isOverdue(stats, c, today: t) }
      case .active, .atRisk, .churned:
        let t = plan.today.raw, a = Int32(plan.thresholds.activeDays), ch = Int32(plan.thresholds.churnDays)
        for c in 0..<n where m[c] {
          guard stats.orderCount[c] > 0 else { m[c] = false; continue }
          let ago = t - last[c]
          switch k {
          case .active: m[c] = ago < a
          case .atRisk: m[c] = ago >= a && ago < ch
          default: m[c] = ago >= ch
          }
        }
      case .new:
        for c in 0..<n where m[c] { m[c] = first[c] != nullDay && first[c] >= lo && first[c] <= hi }
      case .returning, .buyers, .repeatBuyers, .highRepurchase, .churnRisk:
        // Orders of each customer within the period.
        let o = cube.orders
        let parts = orderPartials(days: lo, hi, state: n) { range -> ContiguousArray<Int32> in
          var count = ContiguousArray<Int32>(repeating: 0, count: n)
          for i in range {
            let d = o.day[i]
            if d < lo || d > hi || d == nullDay { continue }
            let c = o.customer[i]
            if c >= 0 { count[Int(c)] += 1 }
          }
          return count
        }
        var count = parts[0]
        for p in parts.dropFirst() { addInto(&count, p) }
        let need: Int32 = k == .repeatBuyers ? 2 : (k == .highRepurchase ? Int32(plan.thresholds.highRepurchaseOrders) : 1)
        for c in 0..<n where m[c] {
          m[c] = count[c] >= need && (k != .returning || (first[c] != nullDay && first[c] < lo))
        }
      }
    }
  }

  @inline(__always) func customerPasses(_ c: Int32) -> Bool {
    guard let m = customerMask else { return true }
    return c >= 0 && m[Int(c)]
  }

  /// Orders that pass the order predicates (金额大于500) and have at least one item passing
  /// the item filter; nil when neither applies.
  lazy var orderHasAllowedItem: ContiguousArray<Bool>? = {
    var m: ContiguousArray<Bool>?
    if let allowed = itemAllowed, let items = cube.items {
      var x = ContiguousArray<Bool>(repeating: false, count: cube.orders.count)
      for i in 0..<items.count where allowed[i] {
        let o = items.order[i]
        if o >= 0 { x[Int(o)] = true }
      }
      m = x
    }
    if !plan.orderPredicates.isEmpty {
      var x = m ?? ContiguousArray(repeating: true, count: cube.orders.count)
      let amount = cube.orders.amount
      for i in 0..<x.count where x[i] {
        for p in plan.orderPredicates where !p.test(amount[i]) {
          x[i] = false
          break
        }
      }
      m = x
    }
    return m
  }()

  /// Group keys for the plan over a period (time grains start at the period's first unit).
  func groupKeys(period: DateRange?, dataRange: DateRange?) -> GroupKeys {
    var parts: [GroupKeys.Part] = []
    for d in plan.groupBy {
      parts.append(GroupKeys.Part(dimension: d, grain: nil, base: 0, cardinality: cardinality(d) + 1))
    }
    if let g = plan.timeGrain {
      let range = period ?? dataRange ?? DateRange(plan.plan_today, plan.plan_today)
      let lo = g.index(of: range.start)
      let hi = g.index(of: range.end)
      parts.append(GroupKeys.Part(dimension: nil, grain: g, base: lo, cardinality: max(0, hi - lo + 1)))
    }
    return GroupKeys(parts: parts)
  }
}

extension Plan {
  var plan_today: Day { today }
}
