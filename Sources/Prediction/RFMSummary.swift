// The calibration summary the models are fitted on: per customer, frequency x (distinct
// purchase days − 1), recency tₓ and age T in a time unit, and the mean of the repeat purchase
// days' totals; identical (x, tₓ, T) triples grouped with counts for the likelihoods.

import Cube
import QueryModel

/// The time unit of recency, age and horizons: days, or weeks of 7 days.
///
///     TimeUnitLength.weeks.days    // 7
///     TimeUnitLength.weeks.month   // 4.345 (weeks in a CLV month)
public enum TimeUnitLength: String, Sendable, Codable, CaseIterable {
  case days
  case weeks

  /// Days in one unit.
  public var days: Double { self == .days ? 1 : 7 }

  /// One month in this unit, as lifetimes' `customer_lifetime_value` counts it
  /// (30 days; 4.345 weeks).
  public var month: Double { self == .days ? 30 : 4.345 }
}

/// Frequency, recency, age and repeat spend per customer over a calibration period.
///
///     let s = RFMSummary(cube: cube, calibrationEnd: Day(year: 1997, month: 9, day: 30))
///     s.age(customerRow: 0)         // 38.857… weeks for a first purchase on 1997-01-01
///     s.frequency(customerRow: 0)   // repeat purchase days
public struct RFMSummary: Sendable {
  public let unit: TimeUnitLength
  /// The earliest first purchase of a customer in the summary.
  public let calibrationStart: Day
  /// Last day whose purchases count (included).
  public let calibrationEnd: Day
  /// Customers with at least one purchase up to the end.
  public let customers: Int

  /// Per customer row: index of the customer's group, −1 when it bought nothing up to the end.
  public let groupOfCustomer: ContiguousArray<Int32>
  /// Per customer row: mean of the repeat purchase days' totals (NULL amounts as 0); NaN when
  /// the customer has no repeat purchase day (or is not in the summary).
  public let repeatSpend: ContiguousArray<Double>

  /// Per group: x, tₓ and T in days, and how many customers share them.
  public let groupFrequency: ContiguousArray<Int32>
  public let groupRecencyDays: ContiguousArray<Int32>
  public let groupAgeDays: ContiguousArray<Int32>
  public let groupCount: ContiguousArray<Int32>

  public var groups: Int { groupCount.count }

  /// Builds the summary from the cube's orders (orders with a NULL day or customer are left out).
  /// - Complexity: O(orders · log(orders per customer) + customers): a counting sort of the orders
  ///   by customer, then one pass per customer over its own orders.
  public init(cube: Cube, calibrationEnd end: Day, unit: TimeUnitLength = .weeks) {
    let orders = cube.orders
    let n = cube.customers.count
    let endRaw = end.raw
    // Counting sort of the order rows by customer.
    var start = ContiguousArray<Int32>(repeating: 0, count: n + 1)
    for i in 0..<orders.count {
      let c = orders.customer[i], d = orders.day[i]
      if c < 0 || Int(c) >= n || d == nullDay || d > endRaw { continue }
      start[Int(c) + 1] += 1
    }
    for c in 0..<n { start[c + 1] += start[c] }
    let total = Int(start[n])
    var fill = start
    var days = ContiguousArray<Int32>(repeating: 0, count: total)
    var amounts = ContiguousArray<Double>(repeating: 0, count: total)
    for i in 0..<orders.count {
      let c = orders.customer[i], d = orders.day[i]
      if c < 0 || Int(c) >= n || d == nullDay || d > endRaw { continue }
      let at = Int(fill[Int(c)])
      fill[Int(c)] += 1
      days[at] = d
      let a = orders.amount[i]
      amounts[at] = a.isNaN ? 0 : a
    }

    var groupOf = ContiguousArray<Int32>(repeating: -1, count: n)
    var spend = ContiguousArray<Double>(repeating: .nan, count: n)
    var index: [UInt64: Int32] = [:]
    var gx = ContiguousArray<Int32>(), gtx = ContiguousArray<Int32>(), gT = ContiguousArray<Int32>()
    var gn = ContiguousArray<Int32>()
    var customers = 0
    var earliest = Int32.max
    var pairs: [(day: Int32, amount: Double)] = []
    for c in 0..<n {
      let lo = Int(start[c]), hi = Int(start[c + 1])
      if lo == hi { continue }
      customers += 1
      pairs.removeAll(keepingCapacity: true)
      for k in lo..<hi { pairs.append((days[k], amounts[k])) }
      pairs.sort { $0.day < $1.day }
      let first = pairs[0].day
      var distinct = 1
      var repeatTotal = 0.0
      for k in 1..<pairs.count {
        if pairs[k].day != pairs[k - 1].day { distinct += 1 }
        if pairs[k].day != first { repeatTotal += pairs[k].amount }
      }
      let x = Int32(distinct - 1)
      let last = pairs[pairs.count - 1].day
      if x > 0 { spend[c] = repeatTotal / Double(x) }
      if first < earliest { earliest = first }
      let tx = last - first, age = endRaw - first
      let key = UInt64(UInt32(x)) << 42 | UInt64(UInt32(tx)) << 21 | UInt64(UInt32(age))
      if let g = index[key] {
        gn[Int(g)] += 1
        groupOf[c] = g
      } else {
        let g = Int32(gn.count)
        index[key] = g
        gx.append(x)
        gtx.append(tx)
        gT.append(age)
        gn.append(1)
        groupOf[c] = g
      }
    }
    self.unit = unit
    calibrationEnd = end
    calibrationStart = customers > 0 ? Day(raw: earliest) : end
    self.customers = customers
    groupOfCustomer = groupOf
    repeatSpend = spend
    groupFrequency = gx
    groupRecencyDays = gtx
    groupAgeDays = gT
    groupCount = gn
  }

  /// A summary straight from (x, tₓ, T) triples in days, one customer each (for tests and
  /// simulations); `spend` gives the repeat spend per customer when known.
  public init(triples: [(x: Int, recencyDays: Int, ageDays: Int)], spend: [Double]? = nil,
              calibrationEnd end: Day, unit: TimeUnitLength = .weeks) {
    var index: [UInt64: Int32] = [:]
    var groupOf = ContiguousArray<Int32>(repeating: -1, count: triples.count)
    var gx = ContiguousArray<Int32>(), gtx = ContiguousArray<Int32>(), gT = ContiguousArray<Int32>()
    var gn = ContiguousArray<Int32>()
    var oldest = 0
    for (c, t) in triples.enumerated() {
      oldest = max(oldest, t.ageDays)
      let key = UInt64(UInt32(t.x)) << 42 | UInt64(UInt32(t.recencyDays)) << 21 | UInt64(UInt32(t.ageDays))
      if let g = index[key] {
        gn[Int(g)] += 1
        groupOf[c] = g
      } else {
        let g = Int32(gn.count)
        index[key] = g
        gx.append(Int32(t.x))
        gtx.append(Int32(t.recencyDays))
        gT.append(Int32(t.ageDays))
        gn.append(1)
        groupOf[c] = g
      }
    }
    self.unit = unit
    calibrationEnd = end
    calibrationStart = end - oldest
    customers = triples.count
    groupOfCustomer = groupOf
    repeatSpend = ContiguousArray(spend ?? triples.map { _ in .nan })
    groupFrequency = gx
    groupRecencyDays = gtx
    groupAgeDays = gT
    groupCount = gn
  }

  /// Repeat purchase days up to the end; nil when the row bought nothing by then.
  public func frequency(customerRow c: Int) -> Int? {
    guard let g = group(c) else { return nil }
    return Int(groupFrequency[g])
  }

  /// Last minus first purchase day, in the unit.
  public func recency(customerRow c: Int) -> Double? {
    guard let g = group(c) else { return nil }
    return Double(groupRecencyDays[g]) / unit.days
  }

  /// Calibration end minus first purchase day, in the unit.
  public func age(customerRow c: Int) -> Double? {
    guard let g = group(c) else { return nil }
    return Double(groupAgeDays[g]) / unit.days
  }

  @inline(__always)
  func group(_ c: Int) -> Int? {
    guard c >= 0 && c < groupOfCustomer.count else { return nil }
    let g = groupOfCustomer[c]
    return g < 0 ? nil : Int(g)
  }
}
