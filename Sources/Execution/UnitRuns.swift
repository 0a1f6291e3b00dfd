// Customer figures per time unit when each unit's orders are one run of rows: orders in day
// order (Cube.ordersByDay) grouped by customer attributes × a time unit, or any orders grouped
// by customer attributes alone (the whole period is then one unit). A unit is counted on its
// own with four bit-sliced counters over all customers (ordered once, twice, three and four
// times in the unit; the four words of 64 customers side by side, so an order touches one
// cache line: half a megabyte for a million customers, in cache), then its customers are
// walked once and the counters cleared.
//
// The rows split evenly between threads, whatever the units: a thread counts the units that
// lie wholly inside its range, and hands back the counters of the units at its range's two
// ends (only the words it touched); those are added up per unit (saturating bit-sliced
// addition) and counted after the scan, by ranges of customers on every thread. So one month,
// or one unit over all rows, runs on every core as well as many units do. Customers in random
// row order cost no cache miss per order, unlike per-customer arrays.
//
// - Complexity: O(orders + customers with an order in each unit, per thread at range ends).

import Cube
import QueryModel

/// Order and customer figures per key of a customer-attributes × time grouping.
struct BucketTotals {
  var sales: ContiguousArray<Double>
  var orders: ContiguousArray<Int>
  var units: ContiguousArray<Double>
  /// Buyers, repeat, high-repurchase, new and returning customers: five rows of keys.
  var counts: ContiguousArray<Int32>

  init(keySpace: Int) {
    sales = ContiguousArray(repeating: 0, count: keySpace)
    orders = ContiguousArray(repeating: 0, count: keySpace)
    units = ContiguousArray(repeating: 0, count: keySpace)
    counts = ContiguousArray(repeating: 0, count: 5 * keySpace)
  }

  mutating func add(_ other: BucketTotals) {
    addInto(&sales, other.sales)
    addInto(&orders, other.orders)
    addInto(&units, other.units)
    addInto(&counts, other.counts)
  }
}

/// Four bit-sliced counters per customer (bit c of level l: customer c ordered more than l
/// times), interleaved by word, with the list of words in use.
private struct UnitLevels {
  let words: Int
  let levels: UnsafeMutablePointer<UInt64>
  var touched: [Int32] = []
  /// Customers are counted per unit, not per key (see `flush`).
  var countsOnly = false

  init(customers: Int) {
    words = customers / 64 + 1
    levels = .allocate(capacity: 4 * words)
    levels.initialize(repeating: 0, count: 4 * words)
  }

  func release() { levels.deallocate() }

  /// Counts one more order of customer `c` (≥ 0).
  @inline(__always) mutating func add(_ c: Int32) {
    let w = Int(c) >> 6
    let bit: UInt64 = 1 << UInt64(c & 63)
    let p = levels + (w << 2)
    let l0 = p[0], l1 = p[1], l2 = p[2]
    if l0 == 0 { touched.append(Int32(w)) }
    p[3] |= l2 & bit
    p[2] = l2 | (l1 & bit)
    p[1] = l1 | (l0 & bit)
    p[0] = l0 | bit
  }

  /// Adds saved counters (words and their four levels, of the saved words at `indices`) into
  /// these, saturating at four.
  mutating func add(_ saved: SavedUnit, _ indices: Range<Int>) {
    for j in indices {
      let w32 = saved.words[j]
      let p = levels + (Int(w32) << 2)
      let a1 = p[0], a2 = p[1], a3 = p[2], a4 = p[3]
      let b1 = saved.levels[4 * j], b2 = saved.levels[4 * j + 1], b3 = saved.levels[4 * j + 2], b4 = saved.levels[4 * j + 3]
      if a1 == 0 { touched.append(w32) }
      p[0] = a1 | b1
      p[1] = a2 | b2 | (a1 & b1)
      p[2] = a3 | b3 | (a2 & b1) | (a1 & b2)
      p[3] = a4 | b4 | (a3 & b1) | (a2 & b2) | (a1 & b3)
    }
  }

  /// The counters of unit `unit` as they are, words in ascending order, then cleared.
  mutating func save(_ unit: Int) -> SavedUnit {
    if touched.count > words / 16 {
      // Most words: walk them all in order (no sort, memory read in sequence).
      touched.removeAll(keepingCapacity: true)
      for w in 0..<words where levels[w << 2] != 0 { touched.append(Int32(w)) }
    } else {
      touched.sort()
    }
    var s = SavedUnit(unit: unit, words: touched, levels: [])
    s.levels.reserveCapacity(4 * touched.count)
    for w32 in touched {
      let p = levels + (Int(w32) << 2)
      s.levels.append(p[0]); s.levels.append(p[1]); s.levels.append(p[2]); s.levels.append(p[3])
      p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 0
    }
    touched.removeAll(keepingCapacity: true)
    return s
  }

  /// Counts the customers of unit `b` into `cs` (five rows of `keySpace`), then clears.
  mutating func flush(_ b: Int, into cs: UnsafeMutableBufferPointer<Int32>, keySpace ks: Int, keyer: OrderKeyer,
                      highLevel: Int, firstEver: UnsafeBufferPointer<Int32>, start: Int32, end: Int32) {
    // One key per unit and every customer's first order counted (only the period filters):
    // buyers, repeat and high-repurchase customers are popcounts (new and returning customers
    // follow from first-order days afterwards, see `unitRunTotals`).
    if !keyer.hasCustomer && countsOnly {
      var buyers = 0, twice = 0, high = 0
      for w32 in touched {
        let p = levels + (Int(w32) << 2)
        buyers &+= p[0].nonzeroBitCount
        twice &+= p[1].nonzeroBitCount
        high &+= p[highLevel].nonzeroBitCount
        p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 0
      }
      cs[b] &+= Int32(buyers)
      cs[ks &+ b] &+= Int32(twice)
      cs[2 &* ks &+ b] &+= Int32(high)
      touched.removeAll(keepingCapacity: true)
      return
    }
    for w32 in touched {
      let w = Int(w32)
      let p = levels + (w << 2)
      var bits = p[0]
      let twice = p[1], high = p[highLevel]
      while bits != 0 {
        let tz = bits.trailingZeroBitCount
        bits &= bits - 1
        let c = w &* 64 &+ tz
        let bit: UInt64 = 1 << UInt64(tz)
        let k = Int(keyer.hasCustomer ? keyer.customerPart(c &+ 1) : 0) &+ b
        cs[k] &+= 1
        if twice & bit != 0 { cs[ks &+ k] &+= 1 }
        if high & bit != 0 { cs[2 &* ks &+ k] &+= 1 }
        let first = firstEver[c]
        if first >= start && first <= end { cs[3 &* ks &+ k] &+= 1 } else if first < start { cs[4 &* ks &+ k] &+= 1 }
      }
      p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 0
    }
    touched.removeAll(keepingCapacity: true)
  }
}

/// The counters of a unit at the end of a thread's range, to be added to its other parts.
private struct SavedUnit {
  var unit: Int
  /// Words in use, ascending.
  var words: [Int32]
  var levels: [UInt64]

  /// The indices of `words` from word `lo` up to word `hi` (binary searches).
  func indices(words lo: Int, _ hi: Int) -> Range<Int> {
    SortedRuns.firstIndex(atLeast: lo, in: words)..<SortedRuns.firstIndex(atLeast: hi, in: words)
  }
}

extension ExecutionContext {
  /// The totals of `bucketMaskFigures` from runs of units. With a time part the orders must be
  /// in day order; without one (`keyer.hasTime` false) every order is of unit 0, whose days
  /// are `unitStart[0]`…`unitEnd[0]`.
  func unitRunTotals(keySpace: Int, keyer: OrderKeyer, filter: OrderFilter, highLevel: Int,
                     unitStart: ContiguousArray<Int32>, unitEnd: ContiguousArray<Int32>) -> BucketTotals {
    let o = cube.orders
    let nCust = cube.customers.count
    let firstEver = cube.stats.firstDay
    let hasTime = keyer.hasTime
    // Without customer parts and with no filter but the period, every customer whose first
    // order falls in a unit (within the period) ordered in it: new customers per unit are
    // counted from first-order days, returning ones are the other buyers.
    let countsOnly = !keyer.hasCustomer && filter.periodOnly
    // Each range: its totals, and the counters of the units at its two ends.
    let parts = orderPartials(filter, state: nCust / 16) { range -> (BucketTotals, [SavedUnit]) in
      var t = BucketTotals(keySpace: keySpace)
      var lv = UnitLevels(customers: nCust)
      lv.countsOnly = countsOnly
      defer { lv.release() }
      var saved: [SavedUnit] = []
      var current = -1, firstUnit = -1
      let qty = o.quantity
      let sums = LaneSums(groups: keySpace)
      defer { sums.release() }
      firstEver.withUnsafeBufferPointer { firstEver in
        t.counts.withUnsafeMutableBufferPointer { cs in
          o.day.withUnsafeBufferPointer { day in
            o.customer.withUnsafeBufferPointer { cust in
              o.amount.withUnsafeBufferPointer { amount in
                for i in range {
                  let d = day[i], c = cust[i]
                  guard filter.passes(i, day: d, customer: c) else { continue }
                  let k = keyer.key(i, day: d, customer: c)
                  if k < 0 { continue }
                  let g = Int(k)
                  sums.add(row: i, group: g, amount: amount[i])
                  if let q = qty { t.units[g] += q[i] }
                  guard c >= 0 else { continue }
                  let b = hasTime ? Int(keyer.dayKey[Int(d) &- Int(keyer.dayLo)]) : 0
                  if b != current {
                    if current == firstUnit && current >= 0 {
                      saved.append(lv.save(current))
                    } else if current >= 0 {
                      lv.flush(current, into: cs, keySpace: keySpace, keyer: keyer, highLevel: highLevel,
                               firstEver: firstEver, start: unitStart[current], end: unitEnd[current])
                    }
                    current = b
                    if firstUnit < 0 { firstUnit = b }
                  }
                  lv.add(c)
                }
              }
            }
          }
        }
      }
      if current >= 0 { saved.append(lv.save(current)) }
      sums.total(into: &t.sales, &t.orders)
      return (t, saved)
    }
    var total = parts[0].0
    for p in parts.dropFirst() { total.add(p.0) }
    // The units at range ends (in unit order): their parts added up, then counted. A unit
    // spanning several ranges (one month over all threads) has many customers: its words are
    // split into ranges, each added up and counted on its own thread.
    let ends = parts.flatMap { $0.1 }
    if !ends.isEmpty {
      let words = nCust / 64 + 1
      let endWords = ends.reduce(0) { $0 + $1.words.count }
      let split = parallelism.threads > 1 && (parallelism.minRows == 0 || endWords >= 1 << 13)
      let byWords = ScanParallelism(threads: split ? parallelism.threads : 1, minRows: 0)
      let counted = byWords.partials(0..<words) { wordRange -> ContiguousArray<Int32> in
        var cs = ContiguousArray<Int32>(repeating: 0, count: 5 * keySpace)
        var lv = UnitLevels(customers: nCust)
        lv.countsOnly = countsOnly
        defer { lv.release() }
        firstEver.withUnsafeBufferPointer { firstEver in
          cs.withUnsafeMutableBufferPointer { cs in
            var j = 0
            while j < ends.count {
              let b = ends[j].unit
              while j < ends.count && ends[j].unit == b {
                lv.add(ends[j], ends[j].indices(words: wordRange.lowerBound, wordRange.upperBound))
                j += 1
              }
              lv.flush(b, into: cs, keySpace: keySpace, keyer: keyer, highLevel: highLevel, firstEver: firstEver,
                       start: unitStart[b], end: unitEnd[b])
            }
          }
        }
        return cs
      }
      for cs in counted { addInto(&total.counts, cs) }
    }
    if countsOnly {
      // (A unit's days within the period: rows outside it were not counted.)
      countNewCustomers(&total, keySpace: keySpace, unitStart: ContiguousArray(unitStart.map { max($0, filter.lo) }),
                        unitEnd: ContiguousArray(unitEnd.map { min($0, filter.hi) }))
    }
    return total
  }

  /// New customers per unit (first order in the unit's days) and returning ones (the other
  /// buyers), when a unit's key is the unit itself: a count of first-order days per day, then
  /// a sum over each unit's days.
  private func countNewCustomers(_ t: inout BucketTotals, keySpace: Int, unitStart: ContiguousArray<Int32>,
                                 unitEnd: ContiguousArray<Int32>) {
    let units = min(keySpace, unitStart.count)
    guard units > 0 else { return }
    let lo = unitStart.prefix(units).min()!, hi = unitEnd.prefix(units).max()!
    // Unbounded units (no period): every buyer is new.
    guard Int(hi) - Int(lo) < 1 << 24 else {
      for b in 0..<units { t.counts[3 * keySpace + b] = t.counts[b] }
      return
    }
    var perDay = ContiguousArray<Int32>(repeating: 0, count: Int(hi) - Int(lo) + 1)
    perDay.withUnsafeMutableBufferPointer { perDay in
      cube.stats.firstDay.withUnsafeBufferPointer { first in
        for f in first where f >= lo && f <= hi { perDay[Int(f) &- Int(lo)] &+= 1 }
      }
    }
    for b in 0..<units where unitStart[b] <= unitEnd[b] {
      var n: Int32 = 0
      for d in Int(unitStart[b])...Int(unitEnd[b]) { n &+= perDay[d - Int(lo)] }
      t.counts[3 * keySpace + b] = n
      t.counts[4 * keySpace + b] = t.counts[b] - n
    }
  }
}
