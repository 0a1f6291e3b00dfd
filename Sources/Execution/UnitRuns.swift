// Customer figures per time unit when the orders are in day order (Cube.ordersByDay): each
// unit's orders are then one run of rows, so a unit is counted on its own with four bitsets
// over all customers (ordered once, twice, three and four times in the unit: a few hundred
// kilobytes for a million customers, in cache), then its customers are walked once and the
// bitsets cleared. Ranges of rows split between units scan in parallel; a unit is never split.
// Customers in random row order cost no cache miss per order, unlike per-customer masks.
//
// - Complexity: O(orders + customers with an order in each unit).

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

extension ExecutionContext {
  /// The totals of `bucketMaskFigures` from runs of units (orders in day order only).
  func unitRunTotals(keySpace: Int, keyer: OrderKeyer, filter: OrderFilter, highLevel: Int,
                     unitStart: ContiguousArray<Int32>, unitEnd: ContiguousArray<Int32>) -> BucketTotals {
    let o = cube.orders
    let nCust = cube.customers.count
    let nWords = nCust / 64 + 1
    let firstEver = cube.stats.firstDay
    let day = o.day
    // The unit of a row (-1 outside the axis), for aligning range splits to unit changes.
    @inline(__always) func unit(_ j: Int) -> Int64 {
      let x = Int(day[j]) &- Int(keyer.dayLo)
      return x < 0 || x >= keyer.dayKey.count ? -1 : keyer.dayKey[x]
    }
    let parts = parallelism.partials(cube.orderRows(days: filter.lo, filter.hi), alignedTo: { j in
      var j = j
      while j > 0 && j < day.count && unit(j) == unit(j - 1) { j += 1 }
      return j
    }) { range -> BucketTotals in
      var t = BucketTotals(keySpace: keySpace)
      let levels = UnsafeMutablePointer<UInt64>.allocate(capacity: 4 * nWords)
      levels.initialize(repeating: 0, count: 4 * nWords)
      defer { levels.deallocate() }
      let l0 = levels, l1 = levels + nWords, l2 = levels + 2 * nWords, l3 = levels + 3 * nWords
      var touched: [Int32] = []
      var current = -1
      t.counts.withUnsafeMutableBufferPointer { cs in
        // Counts the customers of unit `b` and clears its bitsets.
        func flush(_ b: Int) {
          guard b >= 0 else { return }
          let ks = keySpace
          for w32 in touched {
            let w = Int(w32)
            var bits = l0[w]
            while bits != 0 {
              let tz = bits.trailingZeroBitCount
              bits &= bits - 1
              let c = w * 64 + tz
              let bit: UInt64 = 1 << UInt64(tz)
              let k = Int(keyer.hasCustomer ? keyer.customerKey[c + 1] : 0) + b
              cs[k] += 1
              if l1[w] & bit != 0 { cs[ks + k] += 1 }
              if levels[highLevel * nWords + w] & bit != 0 { cs[2 * ks + k] += 1 }
              let first = firstEver[c]
              if first >= unitStart[b] && first <= unitEnd[b] { cs[3 * ks + k] += 1 } else if first < unitStart[b] { cs[4 * ks + k] += 1 }
            }
            l0[w] = 0; l1[w] = 0; l2[w] = 0; l3[w] = 0
          }
          touched.removeAll(keepingCapacity: true)
        }
        let qty = o.quantity
        o.customer.withUnsafeBufferPointer { cust in
          o.amount.withUnsafeBufferPointer { amount in
            t.sales.withUnsafeMutableBufferPointer { sales in
              t.orders.withUnsafeMutableBufferPointer { orders in
                for i in range {
                  let d = day[i], c = cust[i]
                  guard filter.passes(i, day: d, customer: c) else { continue }
                  let k = keyer.key(i, day: d, customer: c)
                  if k < 0 { continue }
                  let g = Int(k)
                  let a = amount[i]
                  sales[g] += a.isNaN ? 0 : a
                  orders[g] += 1
                  if let q = qty { t.units[g] += q[i] }
                  guard c >= 0 else { continue }
                  let b = Int(keyer.dayKey[Int(d) &- Int(keyer.dayLo)])
                  if b != current {
                    flush(current)
                    current = b
                  }
                  let w = Int(c) >> 6
                  let bit: UInt64 = 1 << UInt64(c & 63)
                  if l0[w] == 0 { touched.append(Int32(w)) }
                  l3[w] |= l2[w] & bit
                  l2[w] |= l1[w] & bit
                  l1[w] |= l0[w] & bit
                  l0[w] |= bit
                }
              }
            }
          }
        }
        flush(current)
      }
      return t
    }
    var total = parts[0]
    for p in parts.dropFirst() { total.add(p) }
    return total
  }
}
